"""Convert's report counts what convert itself adds, and bad output paths stop it first.

The formula-injection warnings of ``--to csv``, the records too large for
``--max-bytes`` and the copies dropped by ``--dedupe`` are in the summary and in each
input's ``rejected_rows``, the same in every format (all are rendered from one report),
for a whole-file and a streamed run alike. ``--report``'s folder and the output
folder's parent are checked before any input is read.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from activity_schema.jobs.whole import prepare
from activity_schema.output.write import convert

Cli = Callable[..., Result]

#: Two formula-like values, one record far larger than the others, one exact copy, and
#: one row with an invalid email.
SOURCE = (
    "activityId,email,type,AssetName\n"
    "1,a@example.com,Visit,=SUM(A1)\n"
    "2,b@example.com,Visit,+cmd\n"
    f"3,c@example.com,Visit,{'x' * 80}\n"
    "4,d@example.com,Visit,ok\n"
    "4,d@example.com,Visit,ok\n"
    "5,nope,Visit,ok\n"
)
ARGS = ("--to", "csv", "--max-bytes", "150", "--dedupe")


def json_report(result: Result) -> dict[str, Any]:
    text = result.stderr
    return json.loads(text[: text.rindex("}") + 1])  # type: ignore[no-any-return]


def counted(report: dict[str, Any], severity: str) -> int:
    return sum(1 for issue in report["issues"] if issue["severity"] == severity)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(SOURCE, encoding="utf-8")
    return path


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_the_summary_counts_the_issues_convert_adds(
    cli: Cli, source: Path, tmp_path: Path, stream: bool
) -> None:
    extra = ("--stream",) if stream else ()
    result = cli("convert", "in.csv", "-o", "out", *ARGS, *extra, "--format", "json")
    assert result.exit_code == 1
    report = json_report(result)
    summary = report["summary"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    codes = [i["code"] for i in report["issues"]]
    assert codes.count("formula-injection") == 2
    assert codes.count("record-too-large") == 1
    # What the report lists, its summary counts.
    assert summary["warnings"] == counted(report, "warning")
    assert summary["errors"] == counted(report, "error")
    # Rows: as the manifest counts them.
    assert summary["rejected_rows"] == manifest["rows_rejected"] == 2
    assert summary["dropped_rows"] == manifest["rows_dropped"] == 1
    assert summary["rows"] == manifest["rows_in"] == 6
    assert summary["valid_rows"] == summary["rows"] - summary["rejected_rows"]
    assert summary["valid_rows"] == manifest["rows_out"] + manifest["rows_dropped"]
    assert report["inputs"][0]["rejected_rows"] == 2


def test_a_streamed_and_a_whole_file_run_report_the_same_counts(cli: Cli, source: Path) -> None:
    whole = json_report(cli("convert", "in.csv", "-o", "a", *ARGS, "--format", "json"))
    streamed = json_report(
        cli("convert", "in.csv", "-o", "b", *ARGS, "--stream", "--format", "json")
    )
    assert whole["summary"] == streamed["summary"]
    assert whole["inputs"][0]["rejected_rows"] == streamed["inputs"][0]["rejected_rows"]


def test_every_format_counts_what_it_lists(cli: Cli, source: Path, tmp_path: Path) -> None:
    reference = json_report(cli("convert", "in.csv", "-o", "o1", *ARGS, "--format", "json"))
    summary = reference["summary"]

    text = cli("convert", "in.csv", "-o", "o2", *ARGS).stderr
    line = next(ln for ln in text.splitlines() if re.match(r"[\d,]+ rows: ", ln))
    assert (
        f"{summary['valid_rows']} valid, {summary['rejected_rows']} rejected" in line
        and f"{summary['errors']} errors, {summary['warnings']} warnings" in line
    ), line
    listed = sum(
        int(m.group(2)) for m in re.finditer(r"^(warning) \S+ x(\d+)", text, flags=re.MULTILINE)
    )
    assert listed == summary["warnings"]

    sarif = json.loads(
        cli("convert", "in.csv", "-o", "o3", *ARGS, "--format", "sarif", "--report", "r.sarif")
        and (tmp_path / "r.sarif").read_text()
    )
    run = sarif["runs"][0]
    levels = [r["level"] for r in run["results"]]
    assert levels.count("warning") == summary["warnings"]
    assert levels.count("error") == summary["errors"]
    assert run["properties"]["summary"] == summary

    cli("convert", "in.csv", "-o", "o4", *ARGS, "--format", "junit", "--report", "r.xml")
    suite = ET.parse(tmp_path / "r.xml").getroot()
    failed = {
        case.get("name")
        for case in suite.iter("testcase")
        if case.find("failure") is not None or case.find("error") is not None
    }
    assert {"formula-injection", "record-too-large"} <= failed

    github = cli("convert", "in.csv", "-o", "o5", *ARGS, "--format", "github").stderr
    titles = re.findall(r"^::(warning|error) .*title=([\w-]+)::", github, flags=re.MULTILINE)
    assert ("warning", "formula-injection") in titles and ("error", "record-too-large") in titles
    assert titles.count(("warning", "formula-injection")) == 2


def test_the_closing_line_and_the_summary_agree(cli: Cli, source: Path) -> None:
    text = cli("convert", "in.csv", "-o", "out", *ARGS).stderr.splitlines()
    assert text[-1] == "wrote 3 part(s) with 3 rows to out; 2 rejected (rejects.csv), 1 dropped"
    assert text[-2].startswith("6 rows: 4 valid, 2 rejected, ")


def test_the_library_result_carries_the_counts(tmp_path: Path, source: Path) -> None:
    result = convert(prepare(source), tmp_path / "out", to="csv", max_bytes=150, dedupe=True)
    assert result.summary is not None
    assert (result.summary.rejected_rows, result.summary.valid_rows) == (2, 4)
    assert result.summary.warnings >= 2
    assert result.rejected_per_input == (2,)


# --- the output paths are checked before any work ---------------------------------------


def test_a_report_into_a_missing_folder_stops_before_any_work(cli: Cli, source: Path) -> None:
    result = cli("convert", "in.csv", "-o", "out", "--report", "nope/r.json")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "nope/r.json: the report's folder does not exist" in line
    assert not Path("out").exists() and not Path(".out.convert.lock").exists()


def test_the_report_check_comes_before_reading_the_inputs(cli: Cli, tmp_path: Path) -> None:
    # An unreadable input would exit 3 after reading; the bad --report exits 2 first.
    (tmp_path / "in.csv").write_bytes(b"%PDF-1.7\x00\x01")
    result = cli("convert", "in.csv", "-o", "out", "--report", "nope/r.json")
    assert result.exit_code == 2
    lint = cli("lint", "in.csv", "--output", "nope/r.json")
    assert lint.exit_code == 2 and "the report's folder does not exist" in lint.stderr


def test_a_report_that_names_a_folder_is_refused(cli: Cli, source: Path) -> None:
    Path("reports").mkdir()
    result = cli("convert", "in.csv", "-o", "out", "--report", "reports")
    assert result.exit_code == 2 and "'reports' is a directory" in result.stderr
    assert not Path("out").exists()


def test_an_output_folder_under_a_file_stops_before_any_work(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_bytes(b"%PDF-1.7\x00\x01")  # never read
    result = cli("convert", "in.csv", "-o", "in.csv/out", "--report", "r.json")
    assert result.exit_code == 2
    assert "in.csv is a file, not a folder" in result.stderr
    assert not (tmp_path / "r.json").exists()


def test_an_unreadable_input_leaves_no_folder_behind(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_bytes(b"%PDF-1.7\x00\x01")
    result = cli("convert", "in.csv", "-o", "out")
    assert result.exit_code == 3
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if ".convert-" in p.name) == []
