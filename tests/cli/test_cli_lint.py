"""The ``lint`` command: exit codes, report formats, options, and schemas from definitions.

Exit codes (README and ``lint --help``): 0 no errors, 1 errors (or warnings with
``--strict``), 2 usage or configuration error, 3 unreadable input. A user's mistake never
shows a traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from imports_of import modules_imported
from reports import with_fixes

from activity_schema.issues.codes import IssueCode, Severity

REFERENCE = Path(__file__).parents[2] / "samples" / "eloqua-reference-example.json"

CLEAN = "activityId,email,type\n1,a@example.com,Registered\n2,b@example.com,Attended\n"
#: Row 2 has an invalid email: one error.
ERRORS = "activityId,email,type\n1,a@example.com,Registered\n2,b@example,Attended\n"
#: Row 2 repeats row 1: one warning, no error.
WARNINGS = "activityId,email,type\n1,a@example.com,Registered\n1,a@example.com,Registered\n"

DEFINITION = {
    "name": "Webinar attendance",
    "fields": {
        "EmailAddress": "{{Activity.Contact.Field(C_EmailAddress)}}",
        "CampaignId": "{{Activity.Campaign.Id}}",
        "AssetType": "{{Activity.Asset.Type}}",
        "AssetName": "{{Activity.Asset.Name}}",
        "ActivityType": "{{Activity.Type}}",
        "ActivityDate": "{{Activity.CreatedAt}}",
    },
    "isSyncTriggeredOnImport": False,
    "uri": "/activities/imports/2900",
}


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert "internal error" not in result.output


# --- exit codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "flags", "exit_code"),
    [
        (CLEAN, (), 0),
        (CLEAN, ("--strict",), 0),
        (ERRORS, (), 1),
        (ERRORS, ("--strict",), 1),
        (WARNINGS, (), 0),
        (WARNINGS, ("--strict",), 1),
        (WARNINGS, ("--format", "json", "--strict"), 1),
        (WARNINGS, ("--format", "github"), 0),
    ],
)
def test_exit_code_follows_errors_and_strict(
    cli: Callable[..., Result], tmp_path: Path, content: str, flags: tuple[str, ...], exit_code: int
) -> None:
    result = cli("lint", _write(tmp_path, "in.csv", content), *flags)
    _no_traceback(result)
    assert result.exit_code == exit_code, result.output


def test_strict_from_the_config_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    config = _write(tmp_path, "rules.toml", "strict = true\n")
    result = cli("lint", _write(tmp_path, "in.csv", WARNINGS), "--config", config)
    assert result.exit_code == 1


_BAD_DEFINITIONS = [
    pytest.param("{not json", "not valid JSON", id="not-json"),
    pytest.param('["a list"]', "must be a JSON object", id="not-an-object"),
    pytest.param('{"name": "x"}', "no `fields` object", id="no-fields"),
    pytest.param('{"fields": {}}', "no `fields` object", id="empty-fields"),
    pytest.param(
        '{"fields": {"Email": "{{Activity.Contact.Field(C_EmailAddress)}}", '
        '"Score": "{{Activity.Score}}"}}',
        "unknown statement",
        id="unknown-statement",
    ),
    pytest.param('{"fields": {"Email": 42}}', "expected a markup statement", id="not-a-statement"),
]


@pytest.mark.parametrize(("definition", "message"), _BAD_DEFINITIONS)
def test_bad_definition_exits_2_naming_the_file(
    cli: Callable[..., Result], tmp_path: Path, definition: str, message: str
) -> None:
    path = _write(tmp_path, "def.json", definition)
    result = cli("lint", _write(tmp_path, "in.csv", CLEAN), "--definition", path)
    _no_traceback(result)
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert message in result.stderr


def test_missing_definition_exits_2(cli: Callable[..., Result], tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = cli("lint", _write(tmp_path, "in.csv", CLEAN), "--definition", missing)
    assert result.exit_code == 2
    assert str(missing) in result.stderr


_BAD_CONFIGS = [
    pytest.param("colour = 'red'\n", ["unknown key 'colour'"], id="unknown-key"),
    pytest.param(
        "[fields.Nope]\nallowed = ['a']\n",
        ["fields.Nope", "no field 'Nope'"],
        id="allowed-for-nonexistent-field",
    ),
    pytest.param(
        "[fields.type]\nwhatever = 1\n",
        ["unknown key fields.type.whatever"],
        id="unknown-field-key",
    ),
    pytest.param(
        "[fields.type]\nallowed = 'Registered'\n",
        ["fields.type.allowed", "list"],
        id="allowed-not-a-list",
    ),
    pytest.param("date_order = 'ymd'\n", ["date_order", "one of"], id="bad-date-order"),
    pytest.param("timezone = 'Mars/Olympus'\n", ["Mars/Olympus"], id="bad-timezone"),
    pytest.param("strict = 'yes'\n", ["strict", "bool"], id="strict-not-a-bool"),
    pytest.param(
        "[aliases]\n'Mail' = 'NoSuchField'\n",
        ["aliases.Mail", "NoSuchField"],
        id="alias-to-nothing",
    ),
    pytest.param(
        "[activity_types]\nWebinar = 'Registered'\n",
        ["activity_types.Webinar"],
        id="types-not-a-list",
    ),
    pytest.param("this is = = not toml\n", ["invalid TOML"], id="not-toml"),
]


@pytest.mark.parametrize(("config", "fragments"), _BAD_CONFIGS)
def test_bad_config_exits_2_naming_file_and_key(
    cli: Callable[..., Result], tmp_path: Path, config: str, fragments: list[str]
) -> None:
    path = _write(tmp_path, "rules.toml", config)
    result = cli("lint", _write(tmp_path, "in.csv", CLEAN), "--config", path)
    _no_traceback(result)
    assert result.exit_code == 2
    assert str(path) in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_config_rule_for_a_field_the_definition_lacks_exits_2(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    definition = _write(tmp_path, "def.json", json.dumps(DEFINITION))
    config = _write(tmp_path, "rules.toml", "[fields.type]\nallowed = ['Registered']\n")
    result = cli(
        "lint", _write(tmp_path, "in.csv", CLEAN), "--definition", definition, "--config", config
    )
    assert result.exit_code == 2
    assert "fields.type" in result.stderr
    assert "EmailAddress" in result.stderr  # says which fields there are


def test_config_found_in_the_current_folder(cli: Callable[..., Result], tmp_path: Path) -> None:
    # The cli fixture runs in tmp_path: activity_schema.toml there is found.
    _write(tmp_path, "activity_schema.toml", "[fields.type]\nallowed = ['Registered']\n")
    result = cli("lint", _write(tmp_path, "in.csv", CLEAN), "--format", "json")
    assert result.exit_code == 1
    assert [i["code"] for i in json.loads(result.stdout)["issues"]] == ["not-allowed"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda d: d / "missing.csv", "no such file", id="missing"),
        # A folder is walked (tests/cli/test_conventions.py); one with nothing to read exits 2.
        pytest.param(lambda d: _write(d, "empty.csv", b""), "empty", id="empty"),
        pytest.param(
            lambda d: _write(d, "header.csv", "email,type\n"), "no records", id="header-only"
        ),
        pytest.param(
            lambda d: _write(d, "image.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
            "PNG",
            id="binary",
        ),
        pytest.param(
            lambda d: _write(d, "bad.xlsx", b"PK\x03\x04 not a zip"), "xlsx", id="bad-xlsx"
        ),
    ],
)
def test_unreadable_input_exits_3(
    cli: Callable[..., Result], tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    result = cli("lint", path)
    _no_traceback(result)
    assert result.exit_code == 3
    assert str(path) in result.stderr
    assert message.lower() in result.stderr.lower()


def test_unreadable_input_does_not_hide_the_others(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    good = _write(tmp_path, "good.csv", ERRORS)
    result = cli("lint", tmp_path / "missing.csv", good, "--format", "json")
    assert result.exit_code == 3  # the worst wins: unreadable over errors
    report = json.loads(result.stdout)
    assert [i["error"] is None for i in report["inputs"]] == [False, True]
    assert [i["code"] for i in report["issues"]] == ["invalid-email"]


def test_usage_errors_exit_2(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, "in.csv", CLEAN)
    assert cli("lint", path, "--format", "xml").exit_code == 2
    assert cli("lint").exit_code == 2
    assert cli("lint", path, "--sheet", "Sheet1").exit_code == 2  # --sheet needs .xlsx
    assert cli("lint", path, "--timezone", "Nowhere/Here").exit_code == 2


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "activity_schema", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "exit_code", "stream", "fragment"),
    [
        ((REFERENCE,), 0, "stdout", "misplaced-email"),
        (("in.csv",), 1, "stdout", "invalid-email"),
        (("in.csv", "--definition", "def.json"), 2, "stderr", "def.json"),
        (("missing.csv",), 3, "stderr", "missing.csv"),
    ],
)
def test_exit_codes_as_a_process(
    tmp_path: Path, args: tuple[str | Path, ...], exit_code: int, stream: str, fragment: str
) -> None:
    _write(tmp_path, "in.csv", ERRORS)
    _write(tmp_path, "def.json", "{oops")
    proc = _run("lint", *args, cwd=tmp_path)
    assert proc.returncode == exit_code, proc.stderr
    assert fragment in getattr(proc, stream)
    assert "Traceback" not in proc.stdout + proc.stderr


def test_a_large_json_report_is_complete_when_the_process_exits(tmp_path: Path) -> None:
    # The process exits without interpreter teardown (cli.run): everything written to
    # stdout and to --output must have been flushed first.
    rows = "".join(f"  u{i}@EXAMPLE.COM ,Registered,{i}\n" for i in range(30_000))
    _write(tmp_path, "big.csv", "email,type,activityId\n" + rows)
    proc = _run("lint", "big.csv", "--format", "json", "--fixes", "fixes.ndjson", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    (entry,) = report["normalizations"]
    assert entry["count"] == entry["distinct"] == report["summary"]["fixes"] == 30_000
    fixes = (tmp_path / "fixes.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(fixes) == 30_000 and json.loads(fixes[-1])["row"] == 30_000
    proc = _run("lint", "big.csv", "--format", "json", "--report", "r.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8")) == report


@pytest.mark.parametrize("setting", ["ALLOCATOR_ENV", "BLAS_ENV"])
@pytest.mark.parametrize("preset", [None, "7"], ids=["unset", "user-set"])
def test_the_process_sets_polars_allocator_and_numpys_blas_unless_the_user_did(
    monkeypatch: pytest.MonkeyPatch, preset: str | None, setting: str
) -> None:
    # cli.run sets them before any command loads polars or numpy (each reads its variable
    # once, at start); a value the user exported is theirs.
    import activity_schema.cli as cli

    name, default = getattr(cli, setting)
    if preset is None:
        monkeypatch.delenv(name, raising=False)
    else:
        monkeypatch.setenv(name, preset)
    seen: list[str | None] = []

    def fake_main(**_: Any) -> None:
        seen.append(os.environ.get(name))

    def fake_exit(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(cli, "main", fake_main)
    monkeypatch.setattr(cli.os, "_exit", fake_exit)
    with pytest.raises(SystemExit) as done:
        cli.run()
    assert done.value.code == 0
    assert seen == [preset or default]


# --- --format json ---------------------------------------------------------------------------

_INPUT_KEYS = {
    "path": str,
    "format": (str, type(None)),
    "encoding": (str, type(None)),
    "encoding_reason": (str, type(None)),
    "dialect": (dict, type(None)),
    "sheet": (str, type(None)),
    "rows": (int, type(None)),
    "rejected_rows": (int, type(None)),
    "error": (str, type(None)),
}
_SUMMARY_KEYS = ["rows", "valid_rows", "rejected_rows", "fixed_rows", "errors", "warnings", "fixes"]
_ISSUE_KEYS = {
    "code": str,
    "severity": str,
    "file": str,
    "row": (int, type(None)),
    "line": (int, type(None)),
    "field": (str, type(None)),
    "column": (str, type(None)),
    "value": (str, type(None)),
    "message": str,
    "fix": (str, type(None)),
}


_NORMALIZATION_KEYS = {
    "code": str,
    "severity": str,
    "field": str,
    "count": int,
    "distinct": int,
    "complete": bool,
    "rewrites": list,
    "examples": list,
}


def _check_report_shape(report: dict[str, Any]) -> None:
    assert list(report) == ["version", "inputs", "summary", "normalizations", "issues"]
    assert report["version"] == 2
    assert isinstance(report["inputs"], list) and report["inputs"]
    for item in report["inputs"]:
        assert set(item) <= set(_INPUT_KEYS) and {"path", "error"} <= set(item)
        for key, value in item.items():
            assert isinstance(value, _INPUT_KEYS[key]), (key, value)
    summary = report["summary"]
    assert list(summary) == _SUMMARY_KEYS
    assert all(type(v) is int and v >= 0 for v in summary.values())
    assert summary["rows"] == summary["valid_rows"] + summary["rejected_rows"]
    assert summary["fixed_rows"] <= summary["valid_rows"]
    severities = [i["severity"] for i in report["issues"]]
    summarized = {"error": 0, "warning": 0, "fixed": 0}
    for entry in report["normalizations"]:
        assert list(entry) == list(_NORMALIZATION_KEYS)
        for key, value in entry.items():
            assert isinstance(value, _NORMALIZATION_KEYS[key]), (key, value)
        assert entry["code"] in {"normalized", "null-string"}
        summarized[entry["severity"]] += entry["count"]
        assert 1 <= len(entry["rewrites"]) <= min(10, entry["distinct"])
        assert sum(r["count"] for r in entry["rewrites"]) <= entry["count"]
        assert [list(r) for r in entry["rewrites"]] == [["from", "to", "count"]] * len(
            entry["rewrites"]
        )
        assert 1 <= len(entry["examples"]) <= 5
    assert summary["errors"] == severities.count("error")
    assert summary["warnings"] == severities.count("warning") + summarized["warning"]
    assert summary["fixes"] == severities.count("fixed") + summarized["fixed"]
    for issue in report["issues"]:
        assert list(issue) == list(_ISSUE_KEYS)
        for key, value in issue.items():
            assert isinstance(value, _ISSUE_KEYS[key]), (key, value)
        assert issue["code"] in {c.value for c in IssueCode}
        assert issue["severity"] in {s.value for s in Severity}
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", issue["code"])
        if issue["row"] is not None:
            assert issue["row"] >= 1 and issue["line"] is not None and issue["line"] >= 1


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"in.csv": CLEAN}, id="clean"),
        pytest.param({"in.csv": ERRORS}, id="errors"),
        pytest.param({"in.csv": WARNINGS, "more.csv": ERRORS}, id="two-files"),
        pytest.param({"messy.csv": None}, id="messy-golden"),
    ],
)
def test_json_report_has_the_documented_shape(
    cli: Callable[..., Result], tmp_path: Path, files: dict[str, str | None]
) -> None:
    golden = Path(__file__).parents[1] / "data" / "lint" / "webinar-messy-cp1252.csv"
    paths = [golden if c is None else _write(tmp_path, n, c) for n, c in files.items()]
    result = cli("lint", *paths, "--format", "json")
    report = json.loads(result.stdout)
    _check_report_shape(report)
    assert [i["path"] for i in report["inputs"]] == [str(p) for p in paths]
    assert result.exit_code == (1 if report["summary"]["errors"] else 0)


def test_json_report_counts_per_input(cli: Callable[..., Result], tmp_path: Path) -> None:
    a = _write(tmp_path, "a.csv", ERRORS)
    b = _write(tmp_path, "b.csv", CLEAN)
    report = json.loads(cli("lint", a, b, "--format", "json").stdout)
    assert [(i["rows"], i["rejected_rows"]) for i in report["inputs"]] == [(2, 1), (2, 0)]
    assert report["summary"]["rows"] == 4
    assert [(i["file"], i["row"]) for i in report["issues"]] == [(str(a), 2)]


def test_json_report_keeps_unicode(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, "in.csv", "activityId,email,type\n1,zoë@exämple.com,Registered 😀\n")
    report = json.loads(cli("lint", path, "--format", "json").stdout)
    assert report["issues"][0]["value"] == "zoë@exämple.com"


# --- --format github ---------------------------------------------------------------------------

_ANNOTATION = re.compile(r"^::(error|warning) file=([^,]+),line=(\d+),title=([a-z\-]+)::(.+)$")


def test_github_annotations_capped_at_5_per_severity_in_one_file(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    rows = [f"{n},bad{n}@example,Registered" for n in range(1, 15)]  # 14 invalid emails
    rows += ["99,dup@example.com,Registered"] * 13  # 12 duplicate-row warnings
    path = _write(tmp_path, "in.csv", "activityId,email,type\n" + "\n".join(rows) + "\n")
    result = cli("lint", path, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    annotations = [line for line in lines if line.startswith(("::error", "::warning"))]
    parsed = [_ANNOTATION.match(line) for line in annotations]
    assert all(parsed), annotations
    levels = [m.group(1) for m in parsed if m]
    assert levels.count("error") == 5  # one file's share of GitHub's 10 per severity
    assert levels.count("warning") == 5
    errors = [m for m in parsed if m and m.group(1) == "error"]
    assert [int(m.group(3)) for m in errors] == list(range(2, 7))
    assert {m.group(4) for m in errors} == {"invalid-email"}
    assert all(m.group(2) == str(path) for m in parsed if m)
    # Then a notice of what was left out, and the full text summary.
    assert lines[: len(annotations)] == annotations
    assert lines[len(annotations)].startswith("::notice::9 errors and 7 warnings not annotated")
    assert "invalid-email x14" in result.stdout
    assert "duplicate-row x12" in result.stdout
    assert "27 rows: 13 valid, 14 rejected" in result.stdout


def test_github_escapes_properties_and_data(cli: Callable[..., Result], tmp_path: Path) -> None:
    asset = "x" * 60 + "\n" + "y" * 60  # too long, with a newline that text cleaning keeps
    path = _write(
        tmp_path, "a,b:c.csv", f'activityId,email,type,AssetName\n1,a@example.com,R,"{asset}"\n'
    )
    result = cli("lint", path, "--format", "github")
    (annotation,) = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert "a%2Cb%3Ac.csv" in annotation
    assert ",line=2,title=too-long::" in annotation
    assert "x\\ny" in annotation  # the value's newline is shown escaped, on one line


def test_github_without_problems_prints_only_the_summary(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli("lint", _write(tmp_path, "in.csv", CLEAN), "--format", "github")
    assert result.exit_code == 0
    assert not [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert "2 rows: 2 valid, 0 rejected" in result.stdout


# --- text output -------------------------------------------------------------------------------


def test_text_output_groups_by_code_with_examples(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    rows = [f"{n},bad{n}@example,Registered" for n in range(1, 9)]
    path = _write(tmp_path, "in.csv", "activityId,email,type\n" + "\n".join(rows) + "\n")
    result = cli("lint", path, "--max-examples", "2")
    assert result.exit_code == 1
    assert "invalid-email x8" in result.stdout
    assert f"{path}:2 email" in result.stdout
    assert f"{path}:3 email" in result.stdout
    assert f"{path}:4 email" not in result.stdout
    assert "... and 6 more" in result.stdout


# --- --no-fix ----------------------------------------------------------------------------------

NO_FIX = (
    "activityId,email,FirstName,type,CampaignId,ActivityDate\n"
    "1,a@example.com,Ann,Registered,5,2024-10-13 14:05:00\n"
    '2,mailto:B@EXAMPLE.COM,Bob,Registered,"1,000",10/13/2024 2:05 PM\n'
    "3,c@example.com,  Cy   Young ,Registered,7,null\n"
)


@pytest.mark.parametrize(
    ("row", "code", "field", "fix"),
    [
        (2, "normalized", "email", "change to 'B@example.com'"),
        (2, "normalized", "CampaignId", "change to '1000'"),
        (2, "normalized", "ActivityDate", "change to '2024-10-13 14:05:00'"),
        (3, "normalized", "FirstName", "change to 'Cy Young'"),
        (3, "null-string", "ActivityDate", "empty it"),
    ],
)
def test_no_fix_reports_fixes_as_warnings(
    cli: Callable[..., Result], tmp_path: Path, row: int, code: str, field: str, fix: str
) -> None:
    path = _write(tmp_path, "in.csv", NO_FIX)
    fixes = tmp_path / "fixes.ndjson"
    fixed = with_fixes(
        json.loads(cli("lint", path, "--format", "json", "--fixes", fixes).stdout), fixes
    )
    result = cli("lint", path, "--format", "json", "--no-fix", "--fixes", fixes)
    report = with_fixes(json.loads(result.stdout), fixes)
    assert result.exit_code == 0
    (issue,) = [
        i for i in report["issues"] if (i["row"], i["code"], i["field"]) == (row, code, field)
    ]
    assert issue["severity"] == "warning"
    assert issue["fix"] == fix
    assert report["summary"]["fixes"] == 0
    assert report["summary"]["fixed_rows"] == 0
    # The same findings as with fixing, only as warnings.
    assert {(i["row"], i["code"], i["field"]) for i in report["issues"]} == {
        (i["row"], i["code"], i["field"]) for i in fixed["issues"]
    }
    assert fixed["summary"]["fixes"] == 5


def test_no_fix_keeps_values_unchanged(tmp_path: Path) -> None:
    from activity_schema.jobs.whole import prepare
    from activity_schema.schema.config import Settings

    path = _write(tmp_path, "in.csv", NO_FIX)
    clean = prepare(path, settings=Settings(fix=False)).clean
    assert clean.get_column("email").to_list() == [
        "a@example.com",
        "mailto:B@EXAMPLE.COM",
        "c@example.com",
    ]
    assert clean.get_column("CampaignId").to_list() == ["5", "1,000", "7"]
    assert clean.get_column("FirstName").to_list() == ["Ann", "Bob", "  Cy   Young "]
    assert clean.get_column("ActivityDate").to_list() == [
        "2024-10-13 14:05:00",
        "10/13/2024 2:05 PM",
        "null",
    ]


def test_no_fix_on_the_reference_example(cli: Callable[..., Result]) -> None:
    # Unfixed, record 2 has no email: the misplaced address is a warning, the row an error.
    result = cli("lint", REFERENCE, "--format", "json", "--no-fix")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert {(i["code"], i["severity"], i["row"], i["field"]) for i in report["issues"]} == {
        ("misplaced-email", "warning", 2, "FirstName"),
        ("missing-value", "error", 2, "email"),
    }


# --- a schema derived from an import definition --------------------------------------------

DEFINITION_CSV = (
    "Email Address,Activity Date,Campaign ID,Asset Type,Asset Name,Activity Type,Notes\n"
    "ann@example.com,2024-10-13 14:05:00,5001,Webinar,Q4 Launch,Registered,\n"  # 1 clean
    ",2024-10-13 14:05:00,5001,Webinar,Q4 Launch,Attended,\n"  # 2 no contact key
    "cy@example.com,13/45/2024,5001,Webinar,Q4 Launch,Attended,\n"  # 3 invalid date
    "dee@example.com,2024-10-13 14:05:00,50x1,Webinar,Q4 Launch,Attended,\n"  # 4 bad id
    "eve@example.com,2024-10-13 14:05:00,5001,Webinar,,Attended,\n"  # 5 no asset name
    "fay@example.com,10/14/2024 9:00 AM,,Webinar,Q4 Launch,Visited,\n"  # 6 type not allowed
    "gus@EXAMPLE.com,2024-10-15 10:00:00,5001,Webinar,Q4 Launch,Attended,hi\n"  # 7 domain
)


def test_definition_schema_end_to_end(cli: Callable[..., Result], tmp_path: Path) -> None:
    definition = _write(tmp_path, "def.json", json.dumps(DEFINITION))
    config = _write(
        tmp_path, "rules.toml", "[activity_types]\nWebinar = ['Registered', 'Attended']\n"
    )
    path = _write(tmp_path, "in.csv", DEFINITION_CSV)
    fixes = tmp_path / "fixes.ndjson"
    result = cli(
        "lint",
        path,
        "--definition",
        definition,
        "--config",
        config,
        "--format",
        "json",
        "--fixes",
        fixes,
    )
    _no_traceback(result)
    assert result.exit_code == 1
    report = with_fixes(json.loads(result.stdout), fixes)
    row_issues = {
        (i["row"], i["line"], i["code"], i["severity"], i["field"])
        for i in report["issues"]
        if i["row"] is not None
    }
    assert row_issues == {
        (2, 3, "missing-value", "error", "EmailAddress"),
        (3, 4, "invalid-date", "error", "ActivityDate"),
        (4, 5, "invalid-integer", "error", "CampaignId"),
        (5, 6, "missing-value", "error", "AssetName"),
        (6, 7, "not-allowed", "error", "ActivityType"),
        (6, 7, "normalized", "fixed", "ActivityDate"),
        (7, 8, "normalized", "fixed", "EmailAddress"),
    }
    file_issues = {
        (i["code"], i["field"], i["column"]) for i in report["issues"] if i["row"] is None
    }
    assert file_issues == {
        ("renamed-column", "EmailAddress", "Email Address"),
        ("renamed-column", "ActivityDate", "Activity Date"),
        ("renamed-column", "CampaignId", "Campaign ID"),
        ("renamed-column", "AssetType", "Asset Type"),
        ("renamed-column", "AssetName", "Asset Name"),
        ("renamed-column", "ActivityType", "Activity Type"),
        ("unknown-column", None, "Notes"),
    }
    assert report["summary"]["rejected_rows"] == 5


def test_definition_requires_its_required_fields(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    definition = _write(tmp_path, "def.json", json.dumps(DEFINITION))
    # The reference example has the contact key (email) and type, not the asset or date.
    result = cli("lint", REFERENCE, "--definition", definition, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    found = {(i["code"], i["field"], i["column"]) for i in report["issues"] if i["row"] is None}
    assert found == {
        ("missing-column", "ActivityDate", None),
        ("missing-column", "AssetType", None),
        ("missing-column", "AssetName", None),
        ("renamed-column", "EmailAddress", "email"),
        ("renamed-column", "ActivityType", "type"),
        ("unknown-column", None, "activityId"),
        ("unknown-column", None, "FirstName"),
    }
    assert report["summary"]["rejected_rows"] == 2


def test_definition_exact_keys_need_no_renaming(cli: Callable[..., Result], tmp_path: Path) -> None:
    definition = _write(tmp_path, "def.json", json.dumps(DEFINITION))
    header = ",".join(DEFINITION["fields"])  # type: ignore[arg-type]
    path = _write(
        tmp_path,
        "in.csv",
        header + "\nann@example.com,5001,Webinar,Q4,Registered,2024-10-13 14:05:00\n",
    )
    result = cli("lint", path, "--definition", definition, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["issues"] == []


@pytest.mark.parametrize(("fmt", "uses_rich"), [("json", False), ("sarif", False), ("text", True)])
def test_only_the_text_formats_import_rich(tmp_path: Path, fmt: str, uses_rich: bool) -> None:
    path = _write(tmp_path, "in.csv", CLEAN)
    imported = modules_imported(["lint", str(path), "--format", fmt], cwd=tmp_path)
    assert ("rich" in imported) is uses_rich
