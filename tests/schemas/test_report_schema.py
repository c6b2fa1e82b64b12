"""The JSON report of every run validates against ``report.schema.json``.

Real reports (``conftest.py``: lint and convert, whole-file and streamed, on the samples,
the golden files and a file of planted mistakes), plus the rules the schema adds per
version: version 1 has no ``normalizations``, version 2 never lists a summarised cell.
"""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import RULES, STREAM_ISSUES_PER_CODE, Run

from activity_schema import schemas
from activity_schema.cli import main
from activity_schema.issues.codes import IssueCode

#: The codes the bad file plants; every whole-file report lists (or summarises) them all.
PLANTED = {
    "ragged-row", "blank-rows", "nul-bytes", "literal-quote", "unknown-column",
    "blank-header", "invalid-email", "invalid-date", "day-first-dates", "invalid-integer",
    "too-long", "not-allowed", "missing-value", "duplicate-row", "null-string",
    "normalized", "misplaced-email", "swapped-values", "mojibake",
}  # fmt: skip


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _errors(name: str, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in _validator(name).iter_errors(document)
    ]


def _codes(report: dict[str, Any]) -> set[str]:
    listed = {i["code"] for i in report["issues"]}
    return listed | {n["code"] for n in report.get("normalizations") or []}


def test_every_schema_is_a_valid_2020_12_schema() -> None:
    for name in schemas.SCHEMA_NAMES:
        schema = schemas.load(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"].endswith(f"/schemas/{schemas.schema_filename(name)}")


def test_load_refuses_an_unknown_name() -> None:
    with pytest.raises(ValueError, match="no schema named 'reports'; expected one of"):
        schemas.load("reports")


def test_load_returns_a_copy() -> None:
    schemas.load("report")["properties"].clear()
    assert "issues" in schemas.load("report")["properties"]


def test_json_report_validates(
    runs: dict[tuple[str, bool, str], Run], mode: tuple[str, bool]
) -> None:
    run = runs[(*mode, "json")]
    report = run.json()
    assert _errors("report", report) == []
    assert run.exit_code in (1, 3)
    # The run is worth validating: every planted kind of mistake is in it.
    assert _codes(report) >= PLANTED
    assert _codes(report) <= {str(c) for c in IssueCode}
    paths = [item["path"] for item in report["inputs"]]
    assert paths == list(run.inputs)


def test_whole_file_lint_lists_the_unreadable_input(
    runs: dict[tuple[str, bool, str], Run],
) -> None:
    run = runs[("lint", False, "json")]
    (broken,) = [i for i in run.json()["inputs"] if i["path"] == "broken.xlsx"]
    assert "damaged" in broken["error"]
    assert {k for k, v in broken.items() if v is not None} == {"path", "error"}
    assert run.exit_code == 3


def test_streamed_reports_are_sampled_with_exact_counts(
    runs: dict[tuple[str, bool, str], Run],
) -> None:
    for command in ("lint", "convert"):
        report = runs[(command, True, "json")].json()
        counts = {(c["code"], c["severity"]): c["count"] for c in report["issue_counts"]}
        whole = runs[(command, False, "json")].json()
        listed: dict[tuple[str, str], int] = {}
        for issue in whole["issues"]:
            key = (issue["code"], issue["severity"])
            listed[key] = listed.get(key, 0) + 1
        # The streamed sample counts what the whole-file run lists, and lists fewer; only
        # a streamed run takes column decisions on its first batch (and says so).
        assert counts.pop(("column-decision", "info")) > 0
        assert counts == listed
        assert len(report["issues"]) < len(whole["issues"])
        per_file_code: dict[tuple[str, str, str], int] = {}
        for issue in report["issues"]:
            if issue["row"] is not None:
                key = (issue["file"], issue["code"], issue["severity"])
                per_file_code[key] = per_file_code.get(key, 0) + 1
        assert max(per_file_code.values()) <= STREAM_ISSUES_PER_CODE


def test_convert_reports_count_dropped_rows(runs: dict[tuple[str, bool, str], Run]) -> None:
    for streamed in (False, True):
        assert runs[("convert", streamed, "json")].json()["summary"]["dropped_rows"] == 0
    assert "dropped_rows" not in runs[("lint", False, "json")].json()["summary"]


def _v2_report() -> dict[str, Any]:
    return {
        "version": 2,
        "inputs": [
            {
                "path": "a.csv",
                "format": "csv",
                "encoding": "utf-8",
                "encoding_reason": "valid UTF-8",
                "dialect": {"delimiter": ",", "quotechar": '"', "evidence": "comma"},
                "sheet": None,
                "rows": 2,
                "error": None,
                "rejected_rows": 0,
            }
        ],
        "summary": {
            "rows": 2,
            "valid_rows": 2,
            "rejected_rows": 0,
            "fixed_rows": 2,
            "errors": 0,
            "warnings": 0,
            "fixes": 2,
        },
        "normalizations": [
            {
                "code": "normalized",
                "severity": "fixed",
                "field": "CampaignId",
                "count": 2,
                "distinct": 1,
                "complete": True,
                "rewrites": [{"from": "1,024", "to": "1024", "count": 2}],
                "examples": [
                    {
                        "file": "a.csv",
                        "row": 1,
                        "line": 2,
                        "column": "Campaign ID",
                        "value": "1,024",
                        "fix": "changed to '1024'",
                    },
                ],
            }
        ],
        "issues": [],
    }


def _cell(**changes: Any) -> dict[str, Any]:
    issue = {
        "code": "normalized", "severity": "fixed", "file": "a.csv", "row": 1, "line": 2,
        "field": "CampaignId", "column": "Campaign ID", "value": "1,024",
        "message": "value normalized", "fix": "changed to '1024'",
    }  # fmt: skip
    issue.update(changes)
    return issue


def test_version_2_with_normalizations_validates() -> None:
    assert _errors("report", _v2_report()) == []


def test_version_1_has_no_normalizations_but_lists_each_cell() -> None:
    v1 = _v2_report()
    v1["version"] = 1
    assert _errors("report", v1) != []
    del v1["normalizations"]
    v1["issues"] = [_cell(), _cell(row=2, line=3)]
    assert _errors("report", v1) == []


@pytest.mark.parametrize(
    ("cell", "allowed"),
    [
        (_cell(), False),
        (_cell(code="null-string", value="null", fix="emptied"), False),
        (_cell(severity="warning"), False),  # --no-fix: suggested, summarised too
        (_cell(row=None, line=None, field=None, value=None), True),  # a file-level note
        (_cell(code="mojibake"), True),  # content repairs stay per cell
        (_cell(code="invalid-integer", severity="error"), True),
    ],
)
def test_version_2_lists_no_summarised_cell(cell: dict[str, Any], allowed: bool) -> None:
    report = _v2_report()
    report["issues"] = [cell]
    assert (_errors("report", report) == []) is allowed


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("version",), 3),
        (("summary", "rows"), -1),
        (("summary", "surprise"), 1),
        (("inputs", 0, "format"), "xls"),
        (("inputs", 0, "dialect", "delimiter"), ",,"),
        (("normalizations", 0, "code"), "mojibake"),
        (("normalizations", 0, "rewrites"), [{"from": "a", "to": "b", "count": 1}] * 11),
        (("normalizations", 0, "examples", 0, "row"), 0),
    ],
)
def test_schema_rejects_what_the_contract_rules_out(where: tuple[Any, ...], value: Any) -> None:
    report = copy.deepcopy(_v2_report())
    target: Any = report
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    assert _errors("report", report) != []


def test_every_issue_code_matches_the_schema_pattern() -> None:
    code = jsonschema.Draft202012Validator(schemas.load("report")["$defs"]["code"])
    assert [str(c) for c in IssueCode if not code.is_valid(str(c))] == []


def test_no_fix_report_validates(inputs_folder: Path, tmp_path: Path) -> None:
    # --no-fix suggests the normalizations (warnings) instead of applying them.
    report_file = tmp_path / "report.json"
    args = ["lint", "bad.csv", "--no-fix", "--format", "json", "--report", str(report_file)]
    with contextlib.chdir(inputs_folder):
        result = CliRunner().invoke(main, [*args, "--config", str(RULES), "--quiet"])
    assert result.exit_code == 1, result.output
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert _errors("report", report) == []
    severities = {n["severity"] for n in report.get("normalizations") or []}
    severities |= {i["severity"] for i in report["issues"] if i["code"] == "normalized"}
    assert severities == {"warning"}
