"""Machine report formats: SARIF for code scanning, JUnit XML, ``--output``, plain output.

Also the pre-commit hook definition, which points CI users at ``lint``.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from activity_schema.issues.codes import CODE_INFO, IssueCode
from activity_schema.render.console import make_console
from activity_schema.render.junit import build_junit, render_junit
from activity_schema.render.sarif import FINGERPRINT_KEY, build_sarif, sarif_uri

ROOT = Path(__file__).parents[2]
ANSI = re.compile(r"\x1b\[")

#: Row 2 has an invalid email (error), row 3 repeats row 1 (warning).
MESSY = (
    "activityId,email,type\n1,a@example.com,Registered\n2,b@example,Attended\n"
    "1,a@example.com,Registered\n"
)


def _issue(**changes: Any) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "code": "invalid-email",
        "severity": "error",
        "file": "data/in.csv",
        "row": 2,
        "line": 3,
        "field": "email",
        "column": "E-mail",
        "value": "b@example",
        "message": "invalid email address",
        "fix": "correct the address",
    }
    issue.update(changes)
    return issue


def _report(*issues: dict[str, Any], inputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "version": 1,
        "inputs": inputs if inputs is not None else [{"path": "data/in.csv", "error": None}],
        "summary": {"rows": 3, "valid_rows": 2, "rejected_rows": 1},
        "issues": list(issues),
    }


def _write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


# --- SARIF ---------------------------------------------------------------------------------


def _run(report: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    log = build_sarif(report, **kwargs)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert len(log["runs"]) == 1
    run: dict[str, Any] = log["runs"][0]
    return run


def test_sarif_result_names_rule_file_and_line() -> None:
    run = _run(_report(_issue()))
    (result,) = run["results"]
    assert result["ruleId"] == "invalid-email"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "data/in.csv"
    assert location["region"]["startLine"] == 3
    assert "b@example" in result["message"]["text"]
    assert "correct the address" in result["message"]["text"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "invalid-email"


def test_sarif_file_level_issue_points_at_line_1() -> None:
    run = _run(_report(_issue(code="missing-column", row=None, line=None, value=None)))
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1}


@pytest.mark.parametrize(
    ("severity", "level"),
    [("error", "error"), ("warning", "warning"), ("fixed", "note"), ("info", "note")],
)
def test_sarif_levels_follow_severity(severity: str, level: str) -> None:
    run = _run(_report(_issue(severity=severity)))
    assert run["results"][0]["level"] == level
    assert run["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == level


def test_sarif_rule_default_level_is_the_worst_seen() -> None:
    run = _run(
        _report(
            _issue(code="misplaced-email", severity="fixed"),
            _issue(code="misplaced-email", severity="warning", row=3),
        )
    )
    (rule,) = run["tool"]["driver"]["rules"]
    assert rule["defaultConfiguration"]["level"] == "warning"


def test_sarif_rules_carry_the_code_documentation() -> None:
    codes = [str(c) for c in IssueCode]
    run = _run(_report(*(_issue(code=c, row=i) for i, c in enumerate(codes))))
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == set(codes)
    for code in IssueCode:
        info = CODE_INFO[code]
        rule = rules[str(code)]
        assert rule["shortDescription"]["text"] == info.summary
        assert info.why in rule["help"]["text"]
        assert info.fix in rule["help"]["text"]
        assert info.fix in rule["help"]["markdown"]


def _fingerprint(result: dict[str, Any]) -> str:
    value: str = result["partialFingerprints"][FINGERPRINT_KEY]
    return value


def test_sarif_fingerprint_ignores_the_line_but_not_the_cell() -> None:
    base = _fingerprint(_run(_report(_issue()))["results"][0])
    moved = _fingerprint(_run(_report(_issue(line=40)))["results"][0])
    assert base == moved
    for change in ({"row": 3}, {"value": "c@example"}, {"field": "FirstName"}, {"file": "b.csv"}):
        assert _fingerprint(_run(_report(_issue(**change)))["results"][0]) != base


def test_sarif_fingerprints_are_unique_within_a_run() -> None:
    run = _run(_report(_issue(), _issue(), _issue(row=None, line=None, value=None)))
    prints = [_fingerprint(r) for r in run["results"]]
    assert len(set(prints)) == 3


def test_sarif_keeps_the_worst_results_when_there_are_too_many() -> None:
    issues = [_issue(severity="info", row=i) for i in range(5)] + [_issue(row=99)]
    run = _run(_report(*issues), max_results=2)
    assert len(run["results"]) == 2
    assert "error" in [r["level"] for r in run["results"]]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("4 of 6 results left out" in n["message"]["text"] for n in notes)


def test_sarif_unreadable_input_is_a_notification() -> None:
    inputs = [{"path": "bad.csv", "error": "bad.csv: the file is empty"}]
    run = _run(_report(inputs=inputs))
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].endswith("empty")
    assert run["results"] == []


@pytest.mark.parametrize(
    ("file", "base", "uri"),
    [
        ("data/in.csv", None, "data/in.csv"),
        ("./data//in.csv", None, "data/in.csv"),
        ("data\\in.csv", None, "data/in.csv"),
        ("my export #1.csv", None, "my%20export%20%231.csv"),
        ("/repo/data/in.csv", "/repo", "data/in.csv"),
        ("/repo/data/in.csv", "/repo/", "data/in.csv"),
        ("/elsewhere/in.csv", "/repo", "file:///elsewhere/in.csv"),
        ("C:\\repo\\in.csv", "C:\\repo", "in.csv"),
        ("C:\\other\\in.csv", "C:\\repo", "file:///C:/other/in.csv"),
    ],
)
def test_sarif_uri(file: str, base: str | None, uri: str) -> None:
    assert sarif_uri(file, base) == uri


# --- JUnit ---------------------------------------------------------------------------------


def _suites(report: dict[str, Any]) -> ET.Element:
    out = io.StringIO()
    render_junit(report, out)
    text = out.getvalue()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.split("\n", 1)[1])


def test_junit_one_testcase_per_file_and_code() -> None:
    root = _suites(_report(_issue(), inputs=[{"path": "a.csv", "error": None}]))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["a.csv", "data/in.csv"]
    for suite in suites:
        names = [c.get("name") for c in suite.findall("testcase")]
        assert names == [str(c) for c in IssueCode]
        assert suite.get("tests") == str(len(IssueCode))


def test_junit_errors_and_warnings_fail_fixes_pass() -> None:
    root = _suites(
        _report(
            _issue(),
            _issue(code="duplicate-row", severity="warning", row=3),
            _issue(code="normalized", severity="fixed", row=1),
        )
    )
    cases = {c.get("name"): c for c in root.iter("testcase")}
    email = cases["invalid-email"].find("failure")
    assert email is not None and email.get("type") == "error"
    assert "data/in.csv:3 email 'b@example'" in (email.text or "")
    duplicate = cases["duplicate-row"].find("failure")
    assert duplicate is not None and duplicate.get("type") == "warning"
    assert cases["normalized"].find("failure") is None
    assert "data/in.csv:3" in (cases["normalized"].findtext("system-out") or "")
    assert root.get("failures") == "2"
    assert root.find("testsuite") is not None


def test_junit_unreadable_input_is_an_error() -> None:
    root = _suites(_report(inputs=[{"path": "x.csv", "error": "x.csv: no such file"}]))
    (case,) = root.iter("testcase")
    error = case.find("error")
    assert error is not None and error.get("message") == "x.csv: no such file"
    assert root.get("errors") == "1"


def test_junit_lists_at_most_max_listed() -> None:
    issues = [_issue(row=i) for i in range(7)]
    root = build_junit(_report(*issues), max_listed=3)
    failure = next(c for c in root.iter("testcase") if c.get("name") == "invalid-email")
    text = failure.findtext("failure") or ""
    assert text.count("\n") == 3 and text.endswith("... and 4 more")


@given(st.text())
def test_junit_is_well_formed_whatever_the_values(value: str) -> None:
    root = _suites(_report(_issue(value=value, message=value, file=value or "f")))
    failure = next(c for c in root.iter("failure"))
    assert failure.get("type") == "error"


def test_junit_escapes_markup_and_control_characters() -> None:
    nasty = 'a<b>&"c\x00\x1b[31m'
    root = _suites(_report(_issue(value=nasty)))
    text = next(root.iter("failure")).text or ""
    assert "a<b>&" in text
    assert "\\x00\\x1b[31m" in text


# --- the CLI ---------------------------------------------------------------------------


def test_lint_sarif_to_stdout(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("lint", _write(tmp_path, "in.csv", MESSY), "--format", "sarif")
    assert result.exit_code == 1
    run = json.loads(result.stdout)["runs"][0]
    by_code = {r["ruleId"]: r for r in run["results"]}
    assert by_code["invalid-email"]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "in.csv"},
        "region": {"startLine": 3},
    }
    assert by_code["duplicate-row"]["level"] == "warning"


def test_lint_absolute_path_becomes_relative_uri(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = _write(folder, "in.csv", MESSY).resolve()
    result = cli("lint", path, "--format", "sarif")
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(result.stdout)["runs"][0]["results"]
    }
    assert uris == {"data/in.csv"}


def test_lint_junit_to_stdout(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("lint", _write(tmp_path, "in.csv", MESSY), "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.split("\n", 1)[1])
    assert root.get("failures") == "2"


@pytest.mark.parametrize("fmt", ["sarif", "junit", "json", "github", "text"])
def test_lint_output_writes_the_report_and_prints_text(
    cli: Callable[..., Result], tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"report.{fmt}"
    result = cli("lint", _write(tmp_path, "in.csv", MESSY), "--format", fmt, "--report", target)
    assert result.exit_code == 1
    assert "3 rows: 2 valid, 1 rejected" in result.stdout
    assert not result.stdout.lstrip().startswith(("{", "<", "::"))
    written = target.read_text(encoding="utf-8")
    if fmt in ("sarif", "json"):
        json.loads(written)
    elif fmt == "junit":
        ET.fromstring(written.split("\n", 1)[1])
    elif fmt == "github":
        assert written.startswith("::error file=")
        assert "in.csv,line=3,title=invalid-email::" in written.splitlines()[0]


def test_lint_output_into_a_missing_folder_exits_2(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "r.sarif"
    result = cli("lint", _write(tmp_path, "in.csv", MESSY), "--format", "sarif", "--report", target)
    assert result.exit_code == 2
    assert "the report's folder does not exist" in result.stderr  # checked before any work
    assert "Traceback" not in result.output


def test_convert_report_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "convert.sarif"
    result = cli(
        "convert",
        _write(tmp_path, "in.csv", MESSY),
        "-o",
        tmp_path / "out",
        "--format",
        "sarif",
        "--report",
        target,
    )
    assert result.exit_code == 1
    assert "3 rows: 2 valid, 1 rejected" in result.stderr
    results = json.loads(target.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert "invalid-email" in {r["ruleId"] for r in results}
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_convert_junit_report_goes_to_stderr(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("convert", _write(tmp_path, "in.csv", MESSY), "-o", "-", "--format", "junit")
    assert json.loads(result.stdout)[0]["activityId"] == "1"
    assert "<testsuites" in result.stderr


# --- terminal output -----------------------------------------------------------------------


class _FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_console_colours_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    stream = _FakeTerminal()
    make_console(stream).print("[red]error[/red]")
    assert ANSI.search(stream.getvalue())


def test_no_color_keeps_a_terminal_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    stream = _FakeTerminal()
    make_console(stream).print("[red]error[/red]")
    assert stream.getvalue() == "error\n"


@pytest.mark.parametrize(
    "args",
    [
        ["lint", "{file}"],
        ["inspect", "{file}"],
        ["schema"],
        ["explain", "invalid-email"],
        ["explain", "--list"],
    ],
)
@pytest.mark.parametrize("no_color", [True, False])
def test_no_ansi_escapes_when_not_a_terminal(
    tmp_path: Path, args: list[str], no_color: bool
) -> None:
    path = _write(tmp_path, "in.csv", MESSY)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    if no_color:
        env["NO_COLOR"] = "1"
    argv = [a.format(file=path) for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "activity_schema", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert done.stdout.strip()
    assert not ANSI.search(done.stdout + done.stderr)
    if args[0] in ("schema", "explain"):  # tables are not padded to the page width
        assert all(line == line.rstrip() for line in done.stdout.splitlines())


# --- pre-commit hook -------------------------------------------------------------------


def test_pre_commit_hook_definition() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert text.startswith("- id: activity-schema-lint\n")
    keys = dict(re.findall(r"^  (\w+): (.+)$", text, flags=re.MULTILINE))
    assert keys["entry"] == "activity-schema lint"
    assert keys["language"] == "python"
    pattern = re.compile(keys["files"].strip("'"))
    for name in ("a.csv", "b.TSV", "dir/c.ndjson", "d.ndjson", "e.jsonl", "f.xlsx"):
        assert pattern.search(name), name
    for name in ("a.py", "csv.txt", "x.xlsx.bak", "README.md", "package.json"):
        assert not pattern.search(name), name


@pytest.mark.parametrize("binary", [True, False])
def test_json_report_written_in_slices_is_one_valid_document(
    binary: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polars as pl

    from activity_schema.issues.records import ISSUE_SCHEMA
    from activity_schema.render import lint as lint_render

    monkeypatch.setattr(lint_render, "REPORT_JSON_SLICE_ROWS", 3)
    issues = [
        {
            "code": "normalized",
            "severity": "fixed",
            "file": "in.csv",
            "row": n,
            "line": n + 1,
            "field": "email",
            "column": "E-mail",
            "value": f' "Zoë" {n}\n',
            "message": "value normalized",
            "fix": None,
        }
        for n in range(1, 11)
    ]
    frame = pl.DataFrame(issues, schema=ISSUE_SCHEMA, orient="row")
    report = {"version": 1, "inputs": [], "summary": {}, "issues": frame}
    if binary:  # a file: the issues go to its binary buffer
        path = tmp_path / "r.json"
        with path.open("w", encoding="utf-8") as out:
            lint_render.render_json(report, out)
        text = path.read_text(encoding="utf-8")
    else:
        stream = io.StringIO()
        lint_render.render_json(report, stream)
        text = stream.getvalue()
    assert json.loads(text)["issues"] == issues
