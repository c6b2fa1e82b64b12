"""The command line's conventions, as users of ruff and sqlfluff expect them (issue 16).

Standard input as ``-`` (named with ``--stdin-filename``), folders walked for the data
formats with ``--exclude``, ``--exit-zero``, ``--format gitlab``, GitHub annotations
shared out across files, ``--report FILE`` in every command, ``FORCE_COLOR``, and the
shell completion the docs document (docs/commands.md).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from activity_schema.cli import main
from activity_schema.cli.inputs import WALKED_SUFFIXES
from activity_schema.jobs.seams import Seams
from activity_schema.render.console import make_console, wants_color

MESSY = (
    "activityId,email,type\n1,a@example.com,Registered\n2,b@example,Attended\n"
    "3,c@example.com,Registered\n"
)
GOOD = "activityId,email,type\n1,a@example.com,Registered\n"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _errors(rows: int) -> str:
    """Return a CSV whose ``rows`` records each have one invalid email (one error each)."""
    body = "".join(f"{n},bad{n}@example,Registered\n" for n in range(1, rows + 1))
    return "activityId,email,type\n" + body


def _run(*args: str | Path, stdin: bytes | None = None, seams: Seams | None = None) -> Result:
    return CliRunner().invoke(
        main, [str(a) for a in args], input=stdin, obj=seams, catch_exceptions=False
    )


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no config file of the repository is found
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def _json_report(result: Result) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(result.stdout)
    return report


# --- standard input ---------------------------------------------------------------------


def test_dash_reads_standard_input() -> None:
    result = _run("lint", "-", "--format", "json", stdin=MESSY.encode())
    assert result.exit_code == 1, result.output
    report = _json_report(result)
    assert report["inputs"][0]["path"] == "<stdin>"
    assert report["summary"]["rows"] == 3
    assert [(i["file"], i["line"]) for i in report["issues"] if i["code"] == "invalid-email"] == [
        ("<stdin>", 3)
    ]


@pytest.mark.parametrize("fmt", ["json", "text", "github", "gitlab", "sarif"])
def test_stdin_filename_names_standard_input_in_every_report(fmt: str) -> None:
    result = _run(
        "lint", "-", "--stdin-filename", "exports/a.csv", "--format", fmt, stdin=MESSY.encode()
    )
    assert result.exit_code == 1
    assert "<stdin>" not in result.stdout
    assert "exports/a.csv" in result.stdout
    if fmt == "text":
        assert "exports/a.csv:3 email 'b@example'" in result.stdout
    if fmt == "json":
        report = _json_report(result)
        assert report["inputs"][0]["path"] == "exports/a.csv"
        assert {i["file"] for i in report["issues"]} == {"exports/a.csv"}


def test_inspect_reads_standard_input_under_its_name() -> None:
    result = _run(
        "inspect", "-", "--stdin-filename", "feed.csv", "--format", "json", stdin=MESSY.encode()
    )
    assert result.exit_code == 0, result.output
    (entry,) = _json_report(result)["inputs"]
    assert entry["path"] == "feed.csv"
    assert entry["records"] == 3


def test_stdin_filename_without_dash_is_a_usage_error(tmp_path: Path) -> None:
    path = _tree(tmp_path, {"a.csv": GOOD}) / "a.csv"
    result = _run("lint", path, "--stdin-filename", "x.csv")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--stdin-filename names standard input" in result.stderr


def test_dash_twice_is_a_usage_error() -> None:
    result = _run("lint", "-", "-", stdin=GOOD.encode())
    assert result.exit_code == 2
    assert "standard input ('-') is given twice" in result.stderr


def test_unreadable_standard_input_is_named_too() -> None:
    result = _run("lint", "-", "--stdin-filename", "a.csv", "--format", "json", stdin=b"")
    assert result.exit_code == 3
    assert (
        result.stderr
        == "activity-schema: error: a.csv: the file is empty (export the data again)\n"
    )
    (entry,) = _json_report(result)["inputs"]
    assert entry["path"] == "a.csv"
    assert entry["error"].startswith("a.csv: the file is empty")


@pytest.mark.parametrize("command", [["lint"], ["convert", "-o", "out"]])
def test_standard_input_is_not_streamed(command: list[str], tmp_path: Path) -> None:
    streamed = _run(*command, "-", "--stream", stdin=MESSY.encode())
    assert streamed.exit_code == 2
    assert "--stream reads files, not standard input" in streamed.stderr
    # A big file would stream by itself: it cannot be checked with standard input.
    big = _tree(tmp_path, {"big.csv": MESSY}) / "big.csv"
    mixed = _run(*command, big, "-", stdin=MESSY.encode(), seams=Seams(stream_threshold=1))
    assert mixed.exit_code == 2
    assert "check standard input and the big files in two runs" in mixed.stderr
    assert not (tmp_path / "out").exists()


def test_a_pipe_into_the_installed_command(tmp_path: Path) -> None:
    # `cat file.csv | activity-schema lint -`, as a process: the real stdin, not click's.
    done = subprocess.run(
        [sys.executable, "-m", "activity_schema", "lint", "-", "--stdin-filename", "x.csv"],
        input=MESSY.encode(),
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert b"x.csv:3 email 'b@example'" in done.stdout
    assert b"3 rows: 2 valid, 1 rejected" in done.stdout


# --- folders ----------------------------------------------------------------------------


def _exports(root: Path) -> Path:
    return _tree(
        root / "repo",
        {
            "package.json": '{"name": "web"}\n',
            "b.csv": GOOD,
            "a/z.tsv": GOOD.replace(",", "\t"),
            "a/y.CSV": GOOD,
            "a/x.ndjson": '{"activityId": "1", "email": "a@example.com", "type": "Registered"}\n',
            "archive/old.csv": MESSY,
            "data.json": "[]",
            "notes.txt": "not data",
            ".git/objects.csv": MESSY,
            ".venv/lib/sample.csv": MESSY,
            ".hidden.csv": MESSY,
            "~$book.xlsx": "an Office lock file, not a workbook",
        },
    )


def test_a_folder_is_walked_sorted_for_the_data_formats(tmp_path: Path) -> None:
    repo = _exports(tmp_path)
    result = _run("lint", repo, "--format", "json")
    assert result.exit_code == 1, result.output  # archive/old.csv has an invalid email
    paths = [
        Path(entry["path"]).relative_to(repo).as_posix() for entry in _json_report(result)["inputs"]
    ]
    assert paths == ["a/x.ndjson", "a/y.CSV", "a/z.tsv", "archive/old.csv", "b.csv"]


def test_exclude_matches_the_relative_path_or_the_name(tmp_path: Path) -> None:
    repo = _exports(tmp_path)
    result = _run("lint", repo, "--exclude", "archive", "--exclude", "a/*.tsv", "--format", "json")
    assert result.exit_code == 0, result.output
    paths = [
        Path(entry["path"]).relative_to(repo).as_posix() for entry in _json_report(result)["inputs"]
    ]
    assert paths == ["a/x.ndjson", "a/y.CSV", "b.csv"]
    by_name = _run("lint", repo, "--exclude", "*.csv", "--exclude", "*.CSV", "--format", "json")
    assert [Path(e["path"]).name for e in _json_report(by_name)["inputs"]] == ["x.ndjson", "z.tsv"]


def test_a_named_file_is_read_even_if_a_walk_would_skip_it(tmp_path: Path) -> None:
    repo = _exports(tmp_path)
    result = _run("lint", repo / "archive" / "old.csv", "--exclude", "archive", "--format", "json")
    assert result.exit_code == 1
    assert len(_json_report(result)["inputs"]) == 1


def test_a_folder_with_nothing_to_read_is_a_one_line_usage_error(tmp_path: Path) -> None:
    folder = _tree(tmp_path / "web", {"package.json": "{}", "src/app.js": "", ".git/a.csv": GOOD})
    for command in (["lint"], ["inspect"], ["convert", "-o", tmp_path / "out"]):
        result = _run(*command, folder)
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.count("\n") == 1
        assert "no .csv .tsv .ndjson .jsonl .xlsx file to read in the folder" in result.stderr
        assert str(folder) in result.stderr
    excluded = _run("lint", _tree(tmp_path / "e", {"a.csv": GOOD}), "--exclude", "*.csv")
    assert excluded.exit_code == 2
    assert "check --exclude" in excluded.stderr


def test_inspect_and_convert_walk_a_folder_too(tmp_path: Path) -> None:
    repo = _tree(tmp_path / "in", {"one.csv": GOOD, "sub/two.csv": GOOD, "skip.json": "[]"})
    inspected = _run("inspect", repo, "--format", "json")
    assert inspected.exit_code == 0
    assert [Path(e["path"]).name for e in _json_report(inspected)["inputs"]] == [
        "one.csv",
        "two.csv",
    ]
    out = tmp_path / "out"
    converted = _run("convert", repo, "-o", out, "-q")
    assert converted.exit_code == 0, converted.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows_in"] == 2


def test_the_walk_reads_what_the_pre_commit_hook_matches() -> None:
    hooks = (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    pattern = re.compile(re.search(r"files: '(.+)'", hooks).group(1))  # type: ignore[union-attr]
    for suffix in WALKED_SUFFIXES:
        assert pattern.search(f"x{suffix}") and pattern.search(f"x{suffix.upper()}")
    assert not pattern.search("package.json")


# --- exit codes -------------------------------------------------------------------------


def test_exit_zero_turns_errors_into_success(tmp_path: Path) -> None:
    path = _tree(tmp_path, {"in.csv": MESSY}) / "in.csv"
    result = _run("lint", path, "--exit-zero")
    assert result.exit_code == 0
    assert "1 errors" in result.stdout  # the report is the same


def test_exit_zero_keeps_strict_warnings_at_zero(tmp_path: Path) -> None:
    path = _tree(
        tmp_path, {"in.csv": "activityId,email,type,extra\n1,a@example.com,Registered,x\n"}
    )
    assert _run("lint", path, "--strict").exit_code == 1
    assert _run("lint", path, "--strict", "--exit-zero").exit_code == 0


def test_exit_zero_keeps_configuration_and_input_errors(tmp_path: Path) -> None:
    good = _tree(tmp_path, {"in.csv": MESSY}) / "in.csv"
    missing = _run("lint", good, tmp_path / "nope.csv", "--exit-zero")
    assert missing.exit_code == 3
    (tmp_path / "activity_schema.toml").write_text("this is = = not toml\n", encoding="utf-8")
    broken = _run("lint", good, "--exit-zero")
    assert broken.exit_code == 2
    assert "Traceback" not in broken.output
    unwritable = _run("lint", good, "--exit-zero", "--report", tmp_path / "no" / "r.json")
    assert unwritable.exit_code == 2


# --- --report, one name -----------------------------------------------------------------


def test_lint_report_writes_the_file(tmp_path: Path) -> None:
    path = _tree(tmp_path, {"in.csv": MESSY}) / "in.csv"
    target = tmp_path / "r.json"
    result = _run("lint", path, "--format", "json", "--report", target)
    assert result.exit_code == 1
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["errors"] == 1
    assert "3 rows: 2 valid, 1 rejected" in result.stdout
    assert result.stderr == ""


def test_lint_output_is_a_deprecated_alias_of_report(tmp_path: Path) -> None:
    path = _tree(tmp_path, {"in.csv": MESSY}) / "in.csv"
    target = tmp_path / "r.json"
    result = _run("lint", path, "--format", "json", "--output", target)
    assert result.exit_code == 1
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["errors"] == 1
    assert "lint --output is deprecated; use --report FILE" in result.stderr
    assert "--output" not in _run("lint", "--help").stdout  # hidden
    both = _run("lint", path, "--output", target, "--report", target)
    assert both.exit_code == 2
    assert "pass only --report" in both.stderr


def test_every_command_that_writes_a_report_calls_it_report() -> None:
    for name, command in main.commands.items():
        opts = {opt for param in command.params for opt in getattr(param, "opts", [])}
        if "--format" in opts and name in ("lint", "convert"):
            assert "--report" in opts, name


# --- GitLab Code Quality ----------------------------------------------------------------


def test_gitlab_report_is_code_quality_json(tmp_path: Path) -> None:
    _tree(tmp_path, {"exports/in.csv": MESSY, "exports/two.csv": MESSY})
    args = ("lint", tmp_path / "exports", tmp_path / "missing.csv", "--format", "gitlab")
    first = _run(*args)
    assert first.exit_code == 3  # an unreadable input
    issues = json.loads(first.stdout)
    assert isinstance(issues, list)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert set(issue["location"]) == {"path", "lines"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    errors = [i for i in issues if i["check_name"] == "invalid-email"]
    assert [
        (i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in errors
    ] == [
        ("exports/in.csv", 3, "major"),
        ("exports/two.csv", 3, "major"),
    ]
    assert "b@example" in errors[0]["description"]
    (unreadable,) = [i for i in issues if i["check_name"] == "unreadable-input"]
    assert unreadable["severity"] == "blocker"
    assert unreadable["location"]["path"] == "missing.csv"
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)  # GitLab keys on them
    assert [i["fingerprint"] for i in json.loads(_run(*args).stdout)] == fingerprints  # stable


def test_gitlab_fingerprints_of_identical_issues_differ(tmp_path: Path) -> None:
    same = "activityId,email,type\n1,x@example,Registered\n1,x@example,Registered\n"
    path = _tree(tmp_path, {"in.csv": same}) / "in.csv"
    issues = json.loads(_run("lint", path, "--format", "gitlab").stdout)
    emails = [i["fingerprint"] for i in issues if i["check_name"] == "invalid-email"]
    assert len(emails) == 2 and len(set(emails)) == 2


# --- GitHub annotations -----------------------------------------------------------------


def _annotations(text: str, level: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"::{level} ")]


def test_github_annotations_are_shared_out_across_files(tmp_path: Path) -> None:
    _tree(tmp_path, {"d/a.csv": _errors(30), "d/b.csv": _errors(2), "d/c.csv": _errors(30)})
    result = _run("lint", tmp_path / "d", "--format", "github")
    assert result.exit_code == 1
    errors = _annotations(result.stdout, "error")
    per_file = {
        name: sum(f"d/{name}.csv,line=" in line for line in errors) for name in ("a", "b", "c")
    }
    assert per_file == {"a": 4, "b": 2, "c": 4}  # 10 in all, each file its share, in turn
    notices = [line for line in result.stdout.splitlines() if line.startswith("::notice::")]
    assert notices == [
        "::notice::52 errors not annotated (GitHub shows 10 per severity, 5 per file here); "
        "the report below counts them all"
    ]


def test_github_annotations_cap_one_file(tmp_path: Path) -> None:
    path = _tree(tmp_path, {"a.csv": _errors(8)}) / "a.csv"
    result = _run("lint", path, "--format", "github")
    errors = _annotations(result.stdout, "error")
    assert len(errors) == 5
    assert [re.search(r"line=(\d+)", e).group(1) for e in errors] == ["2", "3", "4", "5", "6"]  # type: ignore[union-attr]
    assert "::notice::3 errors not annotated" in result.stdout


def test_github_annotations_no_notice_when_all_shown(tmp_path: Path) -> None:
    path = _tree(tmp_path, {"a.csv": _errors(2)}) / "a.csv"
    result = _run("lint", path, "--format", "github")
    assert len(_annotations(result.stdout, "error")) == 2
    assert "::notice::" not in result.stdout


# --- colours and completion -------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("environ", "terminal", "expected"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": ""}, False, False),  # empty means unset, as rich reads it
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),  # NO_COLOR wins
    ],
)
def test_wants_color(environ: dict[str, str], terminal: bool, expected: bool) -> None:
    stream = _Terminal() if terminal else io.StringIO()
    assert wants_color(stream, environ) is expected


def test_force_color_colours_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    stream = io.StringIO()
    make_console(stream).print("[red]error[/red]")
    assert ANSI.search(stream.getvalue())


def _process(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "activity_schema", *args],
        capture_output=True,
        text=True,
        env={**environ, **env},
        cwd=cwd,
        check=False,
    )


def test_force_color_in_a_real_run(tmp_path: Path) -> None:
    path = _tree(tmp_path, {"in.csv": MESSY}) / "in.csv"
    coloured = _process(["lint", str(path)], tmp_path, FORCE_COLOR="1")
    assert ANSI.search(coloured.stdout)
    assert ANSI.sub("", coloured.stdout) == _process(["lint", str(path)], tmp_path).stdout
    assert not ANSI.search(
        _process(["lint", str(path)], tmp_path, FORCE_COLOR="1", NO_COLOR="1").stdout
    )


def test_shell_completion_as_the_readme_documents_it(tmp_path: Path) -> None:
    script = _process([], tmp_path, _ACTIVITY_SCHEMA_COMPLETE="bash_source")
    assert script.returncode == 0
    assert "_activity_schema_completion()" in script.stdout
    words = _process(
        [],
        tmp_path,
        _ACTIVITY_SCHEMA_COMPLETE="bash_complete",
        COMP_WORDS="activity-schema li",
        COMP_CWORD="1",
    )
    assert words.stdout.split() == ["plain,lint"]
    commands = (Path(__file__).parents[2] / "docs" / "commands.md").read_text(encoding="utf-8")
    assert "_ACTIVITY_SCHEMA_COMPLETE=bash_source activity-schema" in commands
