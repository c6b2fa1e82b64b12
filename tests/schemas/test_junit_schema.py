"""JUnit XML reports validate against Jenkins' JUnit XSD (xunit-plugin, vendored).

Beyond the XSD, what CI systems read from the counts: each suite's ``tests``,
``failures`` and ``errors`` count its test cases, and the root adds them up.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import xmlschema
from conftest import VENDOR, Run

from activity_schema.issues.codes import IssueCode
from activity_schema.render.junit import render_junit


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(VENDOR / "junit-10.xsd"))


def _errors(schema: xmlschema.XMLSchema, text: str) -> list[str]:
    return [str(e).splitlines()[0] for e in schema.iter_errors(text)]


def test_junit_validates(
    runs: dict[tuple[str, bool, str], Run],
    mode: tuple[str, bool],
    schema: xmlschema.XMLSchema,
) -> None:
    run = runs[(*mode, "junit")]
    assert _errors(schema, run.text) == []
    root = ET.fromstring(run.text)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == list(run.inputs)
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in suites:
        cases = suite.findall("testcase")
        counted = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
        }
        assert {k: int(suite.get(k, "-1")) for k in counted} == counted
        for key in totals:
            totals[key] += counted[key]
    assert {k: int(root.get(k, "-1")) for k in totals} == totals
    assert totals["failures"] > 0


def test_junit_of_the_bad_file_fails_each_planted_code(
    runs: dict[tuple[str, bool, str], Run], mode: tuple[str, bool]
) -> None:
    root = ET.fromstring(runs[(*mode, "junit")].text)
    (suite,) = [s for s in root.findall("testsuite") if s.get("name") == "bad.csv"]
    failed = {c.get("name") for c in suite.findall("testcase") if c.find("failure") is not None}
    assert {"invalid-email", "invalid-date", "ragged-row", "duplicate-row"} <= failed
    names = [c.get("name") for c in suite.findall("testcase")]
    assert names[: len(IssueCode)] == [str(c) for c in IssueCode]


def test_unreadable_input_is_an_error_case(
    runs: dict[tuple[str, bool, str], Run], schema: xmlschema.XMLSchema
) -> None:
    root = ET.fromstring(runs[("lint", False, "junit")].text)
    (suite,) = [s for s in root.findall("testsuite") if s.get("name") == "broken.xlsx"]
    assert suite.get("errors") == "1"


def test_control_characters_keep_the_document_valid(schema: xmlschema.XMLSchema) -> None:
    import io

    issue = {
        "code": "invalid-email", "severity": "error", "file": "a\x01.csv", "row": 1,
        "line": 2, "field": "email", "column": "E\x0bmail", "value": "\x00\ufffe]]>&<",
        "message": "bad \x1b[31m", "fix": None,
    }  # fmt: skip
    out = io.StringIO()
    render_junit({"inputs": [{"path": "a\x01.csv", "error": None}], "issues": [issue]}, out)
    assert _errors(schema, out.getvalue()) == []
