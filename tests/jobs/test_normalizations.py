"""Report version 2: mechanical normalizations summarised per field, every cell on demand.

The summary must count exactly what ``--fixes FILE`` lists cell by cell, whole-file or
streamed, sampled or not; the per-cell list must be the same bytes either way.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from activity_schema.defaults import DEFAULT_MAX_BYTES
from activity_schema.issues import rewrites as rewrites_module
from activity_schema.issues.records import issue_frame
from activity_schema.issues.rewrites import RewriteLog, is_summarized
from activity_schema.jobs.convert import convert_files
from activity_schema.jobs.lint import lint_files
from activity_schema.jobs.report import build_report
from activity_schema.jobs.seams import Seams
from activity_schema.jobs.stream import lint_stream
from activity_schema.jobs.stream.issues import IssueLog
from activity_schema.readers import ReadOptions
from activity_schema.schema.config import Settings
from activity_schema.schema.fields import DEFAULT_SCHEMA


def _messy(n: int) -> str:
    def campaign(i: int) -> str:
        return f'"1,0{i % 4}0"' if i % 2 else str(i)

    rows = [
        f"{i},{' U' if i % 3 else 'u'}{i % 7}@EXAMPLE.COM,Registered,{campaign(i)},"
        f"{'null' if i % 5 == 0 else 'Ann'}"
        for i in range(1, n + 1)
    ]
    return "activityId,email,type,CampaignId,FirstName\n" + "\n".join(rows) + "\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_summary_counts_every_rewrite_and_lists_the_most_frequent(tmp_path: Path) -> None:
    path = _write(tmp_path, _messy(700))
    found = lint_files(
        [path], spec=DEFAULT_SCHEMA, settings=Settings(), read_options=ReadOptions(), stream=False
    )
    report = found.report
    by_field = {(e["field"], e["code"]): e for e in report["normalizations"]}
    email = by_field[("email", "normalized")]
    # Every value: ' U1@EXAMPLE.COM' and 'u1@EXAMPLE.COM' rewrite to 'U1@example.com' ...
    assert email["count"] == 700
    assert email["distinct"] == 14 and email["complete"]
    assert len(email["rewrites"]) == 10
    counts = [r["count"] for r in email["rewrites"]]
    assert counts == sorted(counts, reverse=True)
    assert {"from": " U1@EXAMPLE.COM", "to": "U1@example.com", "count": 67} in email["rewrites"]
    assert [x["line"] for x in email["examples"]] == [2, 3, 4, 5, 6]
    null = by_field[("FirstName", "null-string")]
    assert null["count"] == 140 and null["rewrites"] == [{"from": "null", "to": None, "count": 140}]
    campaign = by_field[("CampaignId", "normalized")]
    assert campaign["count"] == 350 and campaign["distinct"] == 2  # "1,010" and "1,030"
    # Summarised cells are not listed again; the summary still counts them as fixes.
    assert not report["issues"].filter(is_summarized()).height
    assert report["summary"]["fixes"] == 700 + 140 + 350


def test_fixes_file_is_the_same_whole_or_streamed(tmp_path: Path) -> None:
    path = _write(tmp_path, _messy(3_000))
    whole, streamed = io.BytesIO(), io.BytesIO()
    lint_files(
        [path],
        spec=DEFAULT_SCHEMA,
        settings=Settings(),
        read_options=ReadOptions(),
        stream=False,
        fixes=whole,
    )
    found = lint_stream([path], batch_bytes=20_000, block_bytes=5_000, fixes=streamed)
    assert found.batches > 3
    assert whole.getvalue() == streamed.getvalue()
    cells = [json.loads(line) for line in whole.getvalue().splitlines()]
    assert len(cells) == 3_000 + 1_500 + 600  # every email, odd campaign ids, 'null's
    assert [c["line"] for c in cells] == sorted(c["line"] for c in cells)
    report = build_report(
        [], found.issues, found.summary.to_dict(), normalizations=found.normalizations
    )
    assert sum(e["count"] for e in report["normalizations"]) == len(cells)


def test_streamed_report_agrees_with_the_whole_one(tmp_path: Path) -> None:
    path = _write(tmp_path, _messy(2_000))

    def report(stream: bool) -> dict[str, object]:
        return lint_files(
            [path],
            spec=DEFAULT_SCHEMA,
            settings=Settings(),
            read_options=ReadOptions(),
            stream=stream,
            seams=Seams(batch_bytes=15_000, block_bytes=4_000),
        ).report

    whole, streamed = report(False), report(True)
    assert streamed["normalizations"] == whole["normalizations"]
    assert streamed["summary"] == whole["summary"]


def test_a_whole_file_convert_reports_what_lint_reports(tmp_path: Path) -> None:
    # A whole-file convert summarises the rewrites on a thread while it writes its parts.
    path = _write(tmp_path, _messy(2_000))
    spec, settings, options = DEFAULT_SCHEMA, Settings(), ReadOptions()
    linted = lint_files(
        [path], spec=spec, settings=settings, read_options=options, stream=False
    ).report
    converted = convert_files(
        [path],
        tmp_path / "out",
        spec=spec,
        settings=settings,
        read_options=options,
        max_bytes=DEFAULT_MAX_BYTES,
        stream=False,
    ).report
    assert sum(e["count"] for e in converted["normalizations"]) > 1_000
    assert converted["normalizations"] == linted["normalizations"]
    assert converted["summary"]["rows"] == linted["summary"]["rows"] == 2_000


def test_a_sampled_streamed_log_keeps_the_summary_exact() -> None:
    rows = pl.DataFrame({"_row": list(range(1, 101)), "_line": list(range(2, 102))})
    log = IssueLog(max_issues=5, per_code=2)
    for start in (0, 50):
        batch = rows.slice(start, 50)
        log.add(
            pl.concat(
                [
                    issue_frame(
                        batch,
                        code="invalid-email",
                        severity="error",
                        message="bad",
                        file="f.csv",
                        field_name="email",
                    ),
                    issue_frame(
                        batch,
                        code="normalized",
                        severity="fixed",
                        message="value normalized",
                        file="f.csv",
                        field_name="email",
                        value=pl.lit("A@B.CO"),
                        fix="changed to 'A@b.co'",
                    ),
                ]
            )
        )
    assert log.sampled
    assert log.counts() == [{"code": "invalid-email", "severity": "error", "count": 100}]
    (entry,) = log.rewrites.entries()
    assert entry["count"] == 100
    assert entry["rewrites"] == [{"from": "A@B.CO", "to": "A@b.co", "count": 100}]
    assert [e["row"] for e in entry["examples"]] == [1, 2, 3, 4, 5]


def test_rewrites_past_the_tracked_bound_are_counted_not_listed() -> None:
    def cells(values: list[str], first_row: int) -> pl.DataFrame:
        n = len(values)
        return pl.DataFrame(
            {
                "code": ["normalized"] * n,
                "severity": ["fixed"] * n,
                "file": ["f.csv"] * n,
                "row": list(range(first_row, first_row + n)),
                "line": list(range(first_row + 1, first_row + n + 1)),
                "field": ["FirstName"] * n,
                "column": ["First Name"] * n,
                "value": values,
                "message": ["value normalized"] * n,
                "fix": [f"changed to '{v.strip()}'" for v in values],
            }
        )

    log = RewriteLog(tracked=2, listed=5)
    log.add(cells([" a", " b", " a"], 1))
    log.add(cells([" c", " a", " d", " b"], 4))
    (entry,) = log.entries()
    assert entry["count"] == 7
    assert not entry["complete"]
    # The kept rewrites were kept from their first cell on: their counts are exact.
    assert entry["rewrites"] == [
        {"from": " a", "to": "a", "count": 3},
        {"from": " b", "to": "b", "count": 2},
    ]


def test_text_report_shows_rewrites_with_counts(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, _messy(30))
    result = cli("lint", path, "--max-examples", "1")
    assert "fixed normalized x15 in CampaignId" in result.stdout
    assert "'1,010' -> '1010' x" in result.stdout
    assert "... and 1 more distinct rewrite (--fixes FILE lists every cell)" in result.stdout
    assert "fixed null-string x6 in FirstName" in result.stdout
    assert "'null' -> empty x6" in result.stdout


def test_convert_writes_the_fixes_lint_writes(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, _messy(50))
    assert cli("lint", path, "--fixes", tmp_path / "lint.ndjson").exit_code == 0
    result = cli("convert", path, "-o", tmp_path / "out", "--fixes", tmp_path / "convert.ndjson")
    assert result.exit_code == 0, result.output
    lint = (tmp_path / "lint.ndjson").read_bytes()
    assert lint and lint == (tmp_path / "convert.ndjson").read_bytes()


def test_fixes_path_errors_are_one_line_usage_errors(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(tmp_path, _messy(5))
    result = cli("lint", path, "--fixes", tmp_path / "missing" / "f.ndjson")
    assert result.exit_code == 2
    assert "the report's folder does not exist" in result.stderr
    assert "another --fixes path" in result.stderr
    assert "Traceback" not in result.output


@settings(max_examples=60, deadline=None)
@given(
    batches=st.lists(
        st.lists(st.sampled_from([" a", " b", " c", " d", " e", "x ", "y "]), max_size=8),
        min_size=1,
        max_size=6,
    ),
    tracked=st.integers(1, 5),
)
def test_merging_batches_late_gives_the_entries_merging_each_batch_gives(
    batches: list[list[str]], tracked: int
) -> None:
    # A streamed run merges its batches' rewrites a few hundred thousand at a time; the
    # kept rewrites, their counts and `complete` must be those of merging every batch.
    def run(merge_rows: int) -> list[dict[str, object]]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(rewrites_module, "MERGE_ROWS", merge_rows)
            log = RewriteLog(tracked=tracked, listed=10)
            row = 1
            for values in batches:
                if values:
                    frame = pl.DataFrame(
                        {
                            "code": ["normalized"] * len(values),
                            "severity": ["fixed"] * len(values),
                            "file": ["f.csv"] * len(values),
                            "row": list(range(row, row + len(values))),
                            "line": list(range(row + 1, row + len(values) + 1)),
                            "field": ["FirstName"] * len(values),
                            "column": ["First Name"] * len(values),
                            "value": values,
                            "message": ["value normalized"] * len(values),
                            "fix": [f"changed to '{v.strip()}'" for v in values],
                        }
                    )
                    log.add(frame)
                    row += len(values)
            return log.entries()

    assert run(1) == run(10**9)
