"""SARIF logs validate against the official SARIF 2.1.0 schema (OASIS, vendored).

Beyond the schema, what code scanning and SARIF's guidance ask of a log: each rule's
``name`` differs from its ``id``, ``helpUri`` points at the code's documentation page,
``ruleIndex`` points at the result's rule, artifact URIs are RFC 3986 references relative
to the repository, and fingerprints are unique.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import VENDOR, Run
from rfc3986_validator import validate_rfc3986

from activity_schema.cli import main
from activity_schema.issues.codes import CODE_INFO, IssueCode, code_url
from activity_schema.render.sarif import FINGERPRINT_KEY, build_sarif, rule_name

SCHEMA_FILE = VENDOR / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    # The official schema is draft-04; FormatChecker() checks every format it names,
    # the "uri" of helpUri and informationUri included.
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _errors(validator: jsonschema.protocols.Validator, log: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
        for e in validator.iter_errors(log)
    ]


def test_vendored_schema_is_the_official_2_1_0_errata_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["id"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_sarif_validates(
    runs: dict[tuple[str, bool, str], Run],
    mode: tuple[str, bool],
    validator: jsonschema.protocols.Validator,
) -> None:
    log = runs[(*mode, "sarif")].json()
    assert _errors(validator, log) == []
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert rules and run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        for location in result.get("locations", []):
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            assert validate_rfc3986(uri, rule="URI_reference"), uri
            assert not uri.startswith(("/", "file:")), uri  # relative to the repository
    fingerprints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_rules_name_and_link_each_code(
    runs: dict[tuple[str, bool, str], Run], mode: tuple[str, bool]
) -> None:
    (run,) = runs[(*mode, "sarif")].json()["runs"]
    for rule in run["tool"]["driver"]["rules"]:
        code = IssueCode(rule["id"])
        assert rule["name"] != rule["id"]
        assert re.fullmatch(r"(?:[A-Z][a-z0-9]*)+", rule["name"]), rule["name"]
        assert rule["helpUri"] == code_url(rule["id"])
        assert rule["shortDescription"]["text"] == CODE_INFO[code].summary
        assert rule["fullDescription"]["text"].startswith(CODE_INFO[code].summary)
        assert CODE_INFO[code].why in rule["fullDescription"]["text"]
        assert code_url(rule["id"]) in rule["help"]["markdown"]


def test_whole_file_lint_reports_the_unreadable_input_as_a_notification(
    runs: dict[tuple[str, bool, str], Run],
) -> None:
    (run,) = runs[("lint", False, "sarif")].json()["runs"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "broken.xlsx" in note["message"]["text"]


def test_every_code_gets_a_distinct_pascal_case_rule_name() -> None:
    names = {rule_name(str(code)) for code in IssueCode}
    assert len(names) == len(IssueCode)
    assert rule_name("record-too-large") == "RecordTooLarge"


def test_a_log_with_every_code_and_edge_values_validates(
    validator: jsonschema.protocols.Validator,
) -> None:
    # Every code (so every rule), a file-level issue (no line), an absolute Windows path
    # and a path with spaces and non-ASCII letters, a truncated list with a notification.
    issues = [
        {"code": str(code), "severity": sev, "file": file, "row": row, "line": line,
         "field": "email", "column": "E-mail", "value": "x\x00\u202e", "message": "m",
         "fix": None}
        for i, code in enumerate(IssueCode)
        for sev, file, row, line in [
            ("error", "data/my export é.csv", i + 1, i + 2),
            ("info", "C:\\exports\\a.csv", None, None),
            ("warning", "/abs/b.csv", i + 1, 0),
        ]
    ]  # fmt: skip
    report = {"inputs": [{"path": "gone.csv", "error": "gone.csv: no such file"}],
              "summary": {}, "issues": issues}  # fmt: skip
    log = build_sarif(report, base="/abs", max_results=50)
    assert _errors(validator, log) == []
    (run,) = log["runs"]
    assert len(run["results"]) == 50
    assert len(run["tool"]["driver"]["rules"]) == len(IssueCode)
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in run["results"]
        for loc in r.get("locations", [])
    }
    assert all(validate_rfc3986(uri, rule="URI_reference") for uri in uris), uris


def test_standard_input_gives_a_valid_log(validator: jsonschema.protocols.Validator) -> None:
    data = "activityId,email,type\n1,a@example,Registered\n"
    result = CliRunner().invoke(main, ["lint", "-", "--format", "sarif"], input=data)
    assert result.exit_code == 1, result.output
    log = json.loads(result.stdout)
    assert _errors(validator, log) == []
    (result_,) = log["runs"][0]["results"]
    uri = result_["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "%3Cstdin%3E" and validate_rfc3986(uri, rule="URI_reference")
