"""GitLab Code Quality reports validate against the shape GitLab documents.

GitLab publishes no JSON Schema for the report; ``gitlab-codequality.schema.json`` is
written from its documentation (cited in the file). Beyond the shape: fingerprints are
unique (GitLab compares them across pipelines), paths are the inputs' relative paths.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import Run

from activity_schema.issues.codes import IssueCode
from activity_schema.render.gitlab import UNREADABLE_CHECK, build_gitlab

SCHEMA_FILE = Path(__file__).parent / "gitlab-codequality.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator: jsonschema.protocols.Validator, report: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in validator.iter_errors(report)
    ]


def test_gitlab_report_validates(
    runs: dict[tuple[str, bool, str], Run],
    mode: tuple[str, bool],
    validator: jsonschema.protocols.Validator,
) -> None:
    run = runs[(*mode, "gitlab")]
    report = run.json()
    assert report and _errors(validator, report) == []
    fingerprints = [item["fingerprint"] for item in report]
    assert len(set(fingerprints)) == len(fingerprints)
    assert {item["location"]["path"] for item in report} <= set(run.inputs)
    checks = {item["check_name"] for item in report}
    assert checks <= {*map(str, IssueCode), UNREADABLE_CHECK}
    assert {"invalid-email", "ragged-row"} <= checks


def test_whole_file_lint_reports_the_unreadable_input_as_a_blocker(
    runs: dict[tuple[str, bool, str], Run],
) -> None:
    report = runs[("lint", False, "gitlab")].json()
    (item,) = [i for i in report if i["check_name"] == UNREADABLE_CHECK]
    assert item["severity"] == "blocker" and item["location"]["path"] == "broken.xlsx"


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({}, True),
        ({"severity": "error"}, False),
        ({"location": {"path": "/abs/a.csv", "lines": {"begin": 1}}}, False),
        ({"location": {"path": "./a.csv", "lines": {"begin": 1}}}, False),
        ({"location": {"path": "a.csv", "lines": {"begin": 0}}}, False),
        ({"location": {"path": "a.csv"}}, False),
        ({"location": {"path": "a.csv", "positions": {"begin": {"line": 3}}}}, True),
        ({"fingerprint": ""}, False),
    ],
)
def test_the_written_schema_holds_what_gitlab_documents(
    validator: jsonschema.protocols.Validator, change: dict[str, Any], valid: bool
) -> None:
    item: dict[str, Any] = {
        "description": "d", "check_name": "invalid-email", "fingerprint": "f" * 64,
        "severity": "major", "location": {"path": "a.csv", "lines": {"begin": 2}},
    }  # fmt: skip
    item.update(change)
    assert (_errors(validator, [item]) == []) is valid


def test_paths_outside_the_base_and_file_level_issues_validate(
    validator: jsonschema.protocols.Validator,
) -> None:
    issues = [
        {"code": "encoding-guessed", "severity": "info", "file": "/repo/exports/a.csv",
         "row": None, "line": None, "field": None, "column": None, "value": None,
         "message": "m", "fix": None},
        {"code": "invalid-email", "severity": "error", "file": "exports\\b.csv", "row": 1,
         "line": 2, "field": "email", "column": "E", "value": "x", "message": "m",
         "fix": None},
    ]  # fmt: skip
    report = build_gitlab({"inputs": [], "issues": issues}, base="/repo")
    assert _errors(validator, report) == []
    assert [i["location"]["path"] for i in report] == ["exports/a.csv", "exports/b.csv"]
