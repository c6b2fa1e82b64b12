"""The Python face of the commands: typed results that say what the CLI says.

``activity_schema.lint/convert/inspect`` run the same jobs as the commands; their results
must carry the same facts as the JSON the commands print (checked here against the CLI
on the same inputs), typed: issues with ``IssueCode``/``Severity`` values, summaries as
dataclasses. The public names are pinned (httpx's ``test_exported_members``): adding or
removing one is a decision, taken here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import Result

import activity_schema
from activity_schema import (
    Converted,
    InputSummary,
    Issue,
    IssueCode,
    Normalization,
    Report,
    Rewrite,
    Severity,
)
from activity_schema.render.lint import render_json

SAMPLES = Path(__file__).parent.parent / "samples"
WEBINAR = SAMPLES / "webinar-export-cp1252.csv"

EXPORTED = {
    "DEFAULT_SCHEMA",
    "ActivityImportDataItem",
    "ActivitySchemaError",
    "Chunk",
    "ConfigError",
    "ConvertPlan",
    "Converted",
    "FieldSpec",
    "InputError",
    "InputSummary",
    "Issue",
    "IssueCode",
    "Kind",
    "Normalization",
    "Prepared",
    "ReadOptions",
    "Report",
    "Rewrite",
    "SchemaSpec",
    "Settings",
    "Severity",
    "SourceTable",
    "Summary",
    "UploadError",
    "UsageError",
    "__version__",
    "convert",
    "inspect",
    "lint",
    "load_settings",
    "plan_convert",
    "prepare",
    "read_bytes",
    "read_path",
    "schema_from_definition",
}


def test_exported_members_are_the_decided_ones() -> None:
    assert set(activity_schema.__all__) == EXPORTED
    for name in EXPORTED:
        member = getattr(activity_schema, name)
        module = getattr(member, "__module__", "activity_schema")
        assert module.startswith("activity_schema"), (name, module)


def test_lint_returns_typed_issues(cli: Callable[..., Result]) -> None:
    report = activity_schema.lint(WEBINAR)
    assert isinstance(report, Report)
    assert not report.ok
    assert report.summary.rows == 6 and report.summary.rejected_rows == 2
    (source,) = report.inputs
    assert source == InputSummary(
        path=str(WEBINAR),
        format="csv",
        encoding="cp1252",
        encoding_reason=source.encoding_reason,
        dialect=source.dialect,
        sheet=None,
        rows=6,
        rejected_rows=2,
        error=None,
    )
    issues = list(report)
    assert len(issues) == len(report) == report.to_frame().height
    assert all(isinstance(i, Issue) for i in issues)
    assert all(isinstance(i.code, IssueCode) and isinstance(i.severity, Severity) for i in issues)
    assert {i.code for i in report.errors} == {
        IssueCode.MISSING_VALUE,
        IssueCode.INVALID_DATE,
        IssueCode.INVALID_INTEGER,
        IssueCode.INVALID_EMAIL,
    }
    assert len(report.errors) == report.summary.errors
    email = next(n for n in report.normalizations if n.field == "email")
    assert isinstance(email, Normalization) and email.code is IssueCode.NORMALIZED
    assert Rewrite("mailto:ana@example.pt", "ana@example.pt", 1) in email.rewrites
    assert email.examples[0].line == 3 and email.examples[0].code is IssueCode.NORMALIZED


def test_lint_report_is_the_cli_json(cli: Callable[..., Result], tmp_path: Path) -> None:
    printed = json.loads(cli("lint", WEBINAR, "--format", "json").stdout)
    out = io.StringIO()
    render_json(activity_schema.lint(WEBINAR).to_dict(), out)
    assert json.loads(out.getvalue()) == printed


def test_lint_takes_the_commands_options(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        "activityId,email,type,ActivityDate\n1,a@b.co,Registered,01/02/2024\n", encoding="utf-8"
    )
    assert not activity_schema.lint(path).normalizations[0].rewrites[0].new.startswith("2024-02-01")
    day_first = activity_schema.lint(path, date_order="dmy")
    assert day_first.normalizations[0].rewrites[0].new == "2024-02-01 00:00:00"
    suggested = activity_schema.lint(path, fix=False)
    assert suggested.normalizations[0].severity is Severity.WARNING
    assert suggested.summary.fixes == 0


def test_lint_writes_the_fixes_file() -> None:
    sink = io.BytesIO()
    report = activity_schema.lint(WEBINAR, fixes=sink)
    lines = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert len(lines) == report.summary.fixes


def test_convert_writes_the_folder_and_reports(tmp_path: Path) -> None:
    converted = activity_schema.convert([WEBINAR], tmp_path / "out")
    assert isinstance(converted, Converted)
    assert converted.rows_out == 4 and converted.rows_rejected == 2
    assert converted.report.summary.valid_rows == 4
    assert converted.report.dropped_rows == 0
    (part,) = converted.parts
    records = json.loads(part.path.read_bytes())
    assert len(records) == 4
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_convert_of_a_prepared_is_deprecated_but_works(tmp_path: Path) -> None:
    prepared = activity_schema.prepare(WEBINAR)
    with pytest.warns(DeprecationWarning, match=r"convert\(paths, outdir\)"):
        result = activity_schema.convert(prepared, tmp_path / "out")
    assert result.rows_out == 4


def test_inspect_is_the_cli_json(cli: Callable[..., Result]) -> None:
    printed = json.loads(cli("inspect", WEBINAR, "--format", "json").stdout)
    entries = activity_schema.inspect(WEBINAR)
    assert json.loads(json.dumps(entries, default=str)) == printed["inputs"]


def test_a_sampled_report_keeps_its_exact_counts() -> None:
    report = Report.from_dict(
        {
            "version": 2,
            "inputs": [{"path": "big.csv", "rows": 3, "rejected_rows": 3, "error": None}],
            "summary": {
                "rows": 3,
                "valid_rows": 0,
                "rejected_rows": 3,
                "fixed_rows": 0,
                "errors": 3,
                "warnings": 0,
                "fixes": 0,
            },
            "normalizations": [],
            "issues": pl.DataFrame(
                [
                    {
                        "code": "invalid-email",
                        "severity": "error",
                        "file": "big.csv",
                        "row": 1,
                        "line": 2,
                        "field": "email",
                        "column": "email",
                        "value": "x",
                        "message": "invalid",
                        "fix": None,
                    }
                ]
            ),
            "issue_counts": [{"code": "invalid-email", "severity": "error", "count": 3}],
        }
    )
    assert report.issue_counts == {(IssueCode.INVALID_EMAIL, Severity.ERROR): 3}
    assert len(report) == 1
    assert report.to_dict()["issue_counts"] == [
        {"code": "invalid-email", "severity": "error", "count": 3}
    ]
