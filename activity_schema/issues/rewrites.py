"""Mechanical normalizations, summarised: one entry per field and code, not per cell.

A messy export has about one normalized cell per row (a thousands separator in an id,
an upper-case email domain, ``null`` for empty). Listed cell by cell, a million-row file
gives a quarter of a gigabyte of report that says the same thing a million times; the
report instead says it once per field and code, with the exact count, the distinct
rewrites with their counts (``'1,024' -> '1024'`` x200,001) and the first examples with
their file and line. Content repairs (``misplaced-email``, ``swapped-values``,
``mojibake``), errors and warnings stay per cell: each one changes what a row means.

The per-cell list of every fix stays available on demand (``--fixes FILE``, NDJSON):
:func:`fix_rows` picks them out of an issue frame and :func:`write_fixes` writes them.
"""

from __future__ import annotations

from typing import IO, Any

import polars as pl

from .codes import IssueCode, Severity
from .records import ISSUE_SCHEMA

__all__ = [
    "MERGE_ROWS",
    "REWRITES_LISTED",
    "REWRITES_TRACKED",
    "SUMMARIZED_CODES",
    "RewriteLog",
    "fix_rows",
    "is_summarized",
    "write_fixes",
]

#: The codes whose per-cell issues are summarised per field (mechanical rewrites).
SUMMARIZED_CODES: tuple[str, ...] = (str(IssueCode.NORMALIZED), str(IssueCode.NULL_STRING))
#: The most frequent rewrites listed in a summary entry.
REWRITES_LISTED = 10
#: The distinct rewrites of one field and code kept across the batches of a streamed
#: run; past it, new rewrites are counted but not listed (``complete`` is false).
REWRITES_TRACKED = 100_000
#: Rewrites of batches added before they are merged into the kept ones.
MERGE_ROWS = 250_000

_KEY = ["field", "code", "severity"]
_REWRITE = [*_KEY, "value", "fix"]
_EXAMPLE = ["file", "row", "line", "column", "value", "fix"]
_CHANGED_TO = r"^(?:changed|change) to '(?s:(.*))'$"


def is_summarized() -> pl.Expr:
    """Return the mask of an issue frame's rows that a report summarises.

    A cell of a field (row and field set) with a mechanical code, applied (``fixed``)
    or, with ``--no-fix``, suggested (``warning``). File-level notes of the same codes,
    such as a stray byte-order mark, stay per issue: they say more than "normalized".
    """
    return (
        pl.col("code").is_in(SUMMARIZED_CODES)
        & pl.col("row").is_not_null()
        & pl.col("field").is_not_null()
        & pl.col("severity").is_in([str(Severity.FIXED), str(Severity.WARNING)])
    )


def fix_rows(issues: pl.DataFrame) -> pl.DataFrame:
    """Return the issues that are fixes of cells: every ``fixed`` one and the summarised."""
    return issues.filter(
        (pl.col("severity") == str(Severity.FIXED)) & pl.col("row").is_not_null() | is_summarized()
    )


def write_fixes(fixes: pl.DataFrame, sink: IO[bytes]) -> int:
    """Append ``fixes`` (:func:`fix_rows` of some issues, in order) to ``sink`` as NDJSON.

    Each line is one issue with the report's issue keys (``code``, ``severity``,
    ``file``, ``row``, ``line``, ``field``, ``column``, ``value``, ``message``, ``fix``).
    Returns how many were written.
    """
    if fixes.height:
        fixes.select(list(ISSUE_SCHEMA)).write_ndjson(sink)
    return fixes.height


def _to(fix: pl.Expr) -> pl.Expr:
    # The new value, as the fix text quotes it ("changed to 'x'"); emptied or null: None.
    return fix.str.extract(_CHANGED_TO, 1)


class RewriteLog:
    """Summarise mechanical rewrites per field and code, batch after batch.

    Counts are exact. The distinct rewrites of a field and code are kept up to
    ``tracked``; a rewrite is kept from its first occurrence on, so the count of every
    listed rewrite is exact too, and an entry whose rewrites were not all kept says
    ``"complete": false``.

    Example:
        >>> rows = pl.DataFrame(
        ...     {"code": ["normalized"] * 3, "severity": ["fixed"] * 3, "file": ["a.csv"] * 3,
        ...      "row": [1, 2, 3], "line": [2, 3, 4], "field": ["CampaignId"] * 3,
        ...      "column": ["Campaign ID"] * 3, "value": ["1,024", "1,024", " 7"],
        ...      "message": ["value normalized"] * 3,
        ...      "fix": ["changed to '1024'", "changed to '1024'", "changed to '7'"]})
        >>> log = RewriteLog(examples=1)
        >>> log.add(rows)
        >>> entry = log.entries()[0]
        >>> entry["count"], entry["distinct"], entry["rewrites"][0]
        (3, 2, {'from': '1,024', 'to': '1024', 'count': 2})
        >>> example = entry["examples"][0]
        >>> example["line"], example["value"], example["fix"]
        (2, '1,024', "changed to '1024'")
    """

    def __init__(
        self,
        *,
        examples: int = 5,
        listed: int = REWRITES_LISTED,
        tracked: int = REWRITES_TRACKED,
    ) -> None:
        self._examples_per = examples
        self._listed = listed
        self._tracked = tracked
        self._order: list[tuple[str, str, str]] = []
        self._counts: dict[tuple[str, str, str], int] = {}
        self._incomplete: set[tuple[str, str, str]] = set()
        self._rewrites: pl.DataFrame | None = None
        # Batches' rewrites not merged yet: merging every batch into the kept ones
        # regroups up to `tracked` rewrites per entry each time, so batches are merged
        # a few hundred thousand rows at a time (the same result: see _merge).
        self._pending: list[pl.DataFrame] = []
        self._pending_rows = 0
        self._examples: dict[tuple[str, str, str], list[dict[str, Any]]] = {}

    @property
    def examples_per(self) -> int:
        """Return how many examples an entry keeps."""
        return self._examples_per

    def add(self, rows: pl.DataFrame) -> None:
        """Add summarised rows (the :func:`is_summarized` ones of a batch, in input order)."""
        if not rows.height:
            return
        rewrites = rows.group_by(_REWRITE, maintain_order=True).agg(pl.len().alias("count"))
        first = pl.int_range(pl.len(), dtype=pl.Int64).over(_KEY) < self._examples_per
        self.add_counted(rewrites, rows.filter(first).select(*_KEY, *_EXAMPLE))

    def add_counted(self, rewrites: pl.DataFrame, examples: pl.DataFrame) -> None:
        """Add rewrites already counted: what :meth:`add` makes of rows, made elsewhere.

        Args:
            rewrites: ``field``, ``code``, ``severity``, ``value``, ``fix`` and ``count``:
                each distinct rewrite, in the order of its first cell.
            examples: ``field``, ``code``, ``severity`` and the example's ``file``,
                ``row``, ``line``, ``column``, ``value`` and ``fix``: the first cells of
                each field and code, in order (those past the examples kept are ignored).
        """
        if not rewrites.height:
            return
        totals = rewrites.group_by(_KEY, maintain_order=True).agg(pl.col("count").sum())
        for field, code, severity, n in totals.iter_rows():
            key = (str(field), str(code), str(severity))
            if key not in self._counts:
                self._order.append(key)
                self._counts[key] = 0
                self._examples[key] = []
            self._counts[key] += int(n)
        for row in examples.iter_rows(named=True):
            key = (str(row["field"]), str(row["code"]), str(row["severity"]))
            kept = self._examples.get(key)
            if kept is not None and len(kept) < self._examples_per:
                kept.append({name: row[name] for name in _EXAMPLE})
        self._pending.append(rewrites.select(*_REWRITE, pl.col("count").cast(pl.UInt32)))
        self._pending_rows += rewrites.height
        if self._pending_rows >= MERGE_ROWS:
            self._merge()

    def _merge(self) -> None:
        """Merge the pending batches' rewrites into the kept ones.

        The same at any batching: grouping in order keeps each rewrite where it first
        came, so the first ``tracked`` of an entry are the same whether they were cut
        after every batch or after several, and their counts are exact sums.
        """
        if not self._pending:
            return
        frames = [self._rewrites, *self._pending] if self._rewrites is not None else self._pending
        self._pending, self._pending_rows = [], 0
        rewrites = (
            pl.concat(frames).group_by(_REWRITE, maintain_order=True).agg(pl.col("count").sum())
            if len(frames) > 1
            else frames[0]
        )
        rank = pl.int_range(pl.len()).over(_KEY)
        over = rewrites.filter(rank >= self._tracked)
        if over.height:
            for field, code, severity in over.select(_KEY).unique().iter_rows():
                self._incomplete.add((str(field), str(code), str(severity)))
            rewrites = rewrites.filter(rank < self._tracked)
        self._rewrites = rewrites

    def entries(self) -> list[dict[str, Any]]:
        """Return the report's ``normalizations``: one entry per field and code."""
        self._merge()
        if self._rewrites is None:
            return []
        distinct = {(f, c, s): n for f, c, s, n in self._rewrites.group_by(_KEY).len().iter_rows()}
        top = (
            self._rewrites.with_row_index("__seq")
            .sort(["count", "__seq"], descending=[True, False])
            .group_by(_KEY, maintain_order=True)
            .head(self._listed)
            .with_columns(_to(pl.col("fix")).alias("to"))
        )
        listed: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for row in top.iter_rows(named=True):
            key = (row["field"], row["code"], row["severity"])
            listed.setdefault(key, []).append(
                {"from": row["value"], "to": row["to"], "count": row["count"]}
            )
        return [
            {
                "code": code,
                "severity": severity,
                "field": field,
                "count": self._counts[(field, code, severity)],
                "distinct": distinct.get((field, code, severity), 0),
                "complete": (field, code, severity) not in self._incomplete,
                "rewrites": listed.get((field, code, severity), []),
                "examples": self._examples[(field, code, severity)],
            }
            for field, code, severity in self._order
        ]
