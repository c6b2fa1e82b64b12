"""Rewritten cells kept as masks: every count and summary equals the one their rows give.

Cleaning keeps ``null-string`` and ``normalized`` cells as masks over the rows
(:class:`RewrittenCells`) and builds their issue rows only when asked. Whatever is read
off the masks (the report's summary, the fix counts, the fixed rows) must be what the
rows, counted one by one, give.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from activity_schema.checking.result import Prepared, count_fixed_rows
from activity_schema.issues.codes import Severity
from activity_schema.issues.rewrites import RewriteLog, is_summarized
from activity_schema.jobs.whole import prepare
from activity_schema.schema.config import Settings

#: Messy rows: rewrites in several fields (spaces, case, null strings, thousands
#: separators, dates), next to errors, repairs and rows with nothing to fix.
ROWS = [
    {"activityId": " 1", "email": "  ann@EXAMPLE.com ", "type": "Registered",
     "FirstName": "Chlo\u00c3\u00a9", "CampaignId": "1,024", "ActivityDate": "8/8/2024 8:30 PM"},
    {"activityId": "2", "email": "bob@example.com", "type": "NULL", "FirstName": "n/a",
     "CampaignId": "1,024", "ActivityDate": "2024-07-23"},
    {"activityId": "12abc", "email": "ann@@EXAMPLE.com", "type": " Attended",
     "LastName": "\u200bLee", "ActivityDate": "not a date"},
    {"activityId": "4", "email": "Ann Lee", "type": "Visited", "FirstName": "dan@example.com",
     "CampaignId": "0042"},
    {"activityId": "5", "email": "eve@example.com", "type": "Visited"},
    {"activityId": "6", "email": "  FAY@example.com", "type": "Visited", "CampaignId": "1,024"},
]  # fmt: skip


@pytest.fixture(params=[True, False], ids=["fix", "no-fix"])
def prepared(request: pytest.FixtureRequest) -> Prepared:
    inputs = [ROWS, ROWS[::-1]]  # two inputs: a run's summary spans both
    return prepare(inputs, settings=Settings(fix=request.param))


def test_the_rows_of_the_masks_are_the_summarised_issues(prepared: Prepared) -> None:
    rows = pl.concat([t.rewrites.rows() for t in prepared.tables])
    assert rows.height > 10
    assert_frame_equal(rows, prepared.issues.filter(is_summarized()))
    assert not prepared.listed.filter(is_summarized()).height
    # Every issue is either listed or rewritten: none lost, none twice.
    assert prepared.issues.height == prepared.listed.height + rows.height


def test_the_summary_from_the_masks_is_the_summary_of_the_rows(prepared: Prepared) -> None:
    from_rows = RewriteLog(examples=3)
    from_masks = RewriteLog(examples=3)
    for table in prepared.tables:
        from_rows.add(table.rewrites.rows())
        from_masks.add_counted(*table.rewrites.summary(3))
    assert from_masks.entries() == from_rows.entries()
    assert len(from_rows.entries()) >= 4


def test_counts_from_the_masks_are_the_counts_of_the_rows(prepared: Prepared) -> None:
    issues = prepared.issues
    by_severity = dict(issues.group_by("severity").len().iter_rows())
    summary = prepared.summary
    assert summary.fixes == by_severity.get(str(Severity.FIXED), 0)
    assert summary.warnings == by_severity.get(str(Severity.WARNING), 0)
    assert summary.errors == by_severity.get(str(Severity.ERROR), 0)
    fixed = issues.filter((pl.col("severity") == "fixed") & pl.col("row").is_not_null())
    expected = dict(fixed.group_by("code").len().sort("code").iter_rows())
    assert prepared.fixes_by_code() == expected
    fixed_rows = sum(
        fixed.filter(pl.col("file") == t.source.name)
        .select("row")
        .unique()
        .join(t.rejected.select(pl.col("_row").alias("row")), on="row", how="anti")
        .height
        for t in prepared.tables
    )
    assert summary.fixed_rows == fixed_rows


def test_an_invalid_cell_is_not_also_a_rewrite() -> None:
    # "ann@@EXAMPLE.com" is normalized (lower-case domain) and still invalid: the error
    # shows the input and no normalization of the cell is claimed.
    result = prepare(ROWS)
    row3 = result.issues.filter((pl.col("row") == 3) & (pl.col("field") == "email"))
    assert row3.get_column("code").to_list() == ["invalid-email"]
    assert row3.get_column("value").to_list() == ["ann@@EXAMPLE.com"]


@given(
    fixed=st.lists(st.integers(0, 60), max_size=40),
    rejected=st.lists(st.integers(0, 80), max_size=20),
)
def test_fixed_rows_count_is_the_set_difference(fixed: list[int], rejected: list[int]) -> None:
    # The mask over the span of row numbers counts what a set difference counts,
    # with repeats, with rejects outside the span, and with nothing fixed.
    expected = len(set(fixed) - set(rejected))
    got = count_fixed_rows(np.array(fixed, dtype=np.int64), np.array(rejected, dtype=np.int64))
    assert got == expected
