"""Tests for activity_schema.jobs.stream.issues.IssueLog: bounded, exact, in order.

The reference is the log's definition: every issue while their total stays within the
limit; past it, each file's and code's first ``per_code`` cell issues in the order they
came, and every file-level issue. Kept packed or not, batch by batch, the log is that.
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from activity_schema.issues.records import ISSUE_SCHEMA
from activity_schema.jobs.stream.issues import IssueLog

_CODES = ["invalid-email", "invalid-integer", "missing-column"]


def _frame(rows: list[tuple[str, str, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "code": code,
                "severity": "error",
                "file": file,
                "row": row,
                "line": None if row is None else row + 1,
                "field": "email",
                "column": "E-mail",
                "value": f"v{row}",
                "message": "m",
                "fix": "f",
            }
            for file, code, row in rows
        ],
        schema=ISSUE_SCHEMA,
    )


def _reference(batches: list[pl.DataFrame], limit: int, per_code: int) -> pl.DataFrame:
    whole = pl.concat(batches)
    if whole.height <= limit:
        return whole
    seen: dict[tuple[str, str, str], int] = {}
    keep = []
    for issue in whole.iter_rows(named=True):
        key = (issue["file"], issue["code"], issue["severity"])
        if issue["row"] is None:
            keep.append(True)
            continue
        seen[key] = seen.get(key, 0) + 1
        keep.append(seen[key] <= per_code)
    return whole.filter(pl.Series(keep))


@settings(max_examples=150, deadline=None)
@given(
    batches=st.lists(
        st.lists(
            st.tuples(
                st.sampled_from(["a.csv", "b.csv"]),
                st.sampled_from(_CODES),
                st.one_of(st.none(), st.integers(1, 10_000)),
            ),
            min_size=1,
            max_size=15,
        ),
        max_size=8,
    ),
    limit=st.integers(0, 40),
    per_code=st.integers(0, 4),
)
def test_the_log_keeps_the_reference_issues(
    batches: list[list[tuple[str, str, int | None]]], limit: int, per_code: int
) -> None:
    log = IssueLog(max_issues=limit, per_code=per_code)
    frames = [_frame(batch) for batch in batches]
    for frame in frames:
        log.add(frame)
    if not frames:
        assert log.frame.height == 0
        return
    expected = _reference(frames, limit, per_code)
    assert log.frame.equals(expected)
    assert log.sampled == (sum(f.height for f in frames) > limit)
    counts = {(c["code"], c["severity"]): c["count"] for c in log.counts()}
    total = pl.concat(frames).group_by("code", "severity").len()
    assert counts == {(c, s): n for c, s, n in total.iter_rows()}
