"""What checking a run's inputs gives: the checked tables, and the counts that add up.

:class:`Prepared` is what :func:`~activity_schema.jobs.whole.prepare` returns and what
:mod:`activity_schema.output` writes from; it lives here, below both, so that writing
never depends on the job that produced the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from ..issues.codes import Severity
from ..issues.records import ISSUE_SCHEMA
from ..readers import FILE, LINE, ROW
from ..schema.config import Settings
from ..schema.fields import SchemaSpec
from .engine import CheckedTable

__all__ = ["Prepared", "Summary", "count_fixed_rows"]


@dataclass(frozen=True)
class Summary:
    """The counts of a run; ``rows == valid_rows + rejected_rows`` always."""

    rows: int
    valid_rows: int
    rejected_rows: int
    fixed_rows: int
    errors: int
    warnings: int
    fixes: int

    def to_dict(self) -> dict[str, int]:
        """Return the counts as a dict in the documented order."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Prepared:
    """The result of checking one or more inputs.

    Attributes:
        spec: The effective schema.
        settings: The effective settings.
        tables: One checked table per input, in input order.
    """

    spec: SchemaSpec
    settings: Settings
    tables: tuple[CheckedTable, ...]

    # cached_property writes the instance's __dict__ directly, so it works on a frozen
    # dataclass: computed once, on first use.
    @cached_property
    def issues(self) -> pl.DataFrame:
        """Return every issue of every input as one frame (see ``ISSUE_SCHEMA``)."""
        frames = [t.issues for t in self.tables if t.issues.height]
        return pl.concat(frames) if frames else pl.DataFrame(schema=ISSUE_SCHEMA)

    @cached_property
    def listed(self) -> pl.DataFrame:
        """Return every issue but the rewritten cells: what a report lists one by one.

        The rewritten cells (``null-string``, ``normalized``) are in each table's
        ``rewrites``; :attr:`issues` has them as rows too.
        """
        frames = [t.listed for t in self.tables if t.listed.height]
        return pl.concat(frames) if frames else pl.DataFrame(schema=ISSUE_SCHEMA)

    def fixes_by_code(self) -> dict[str, int]:
        """Return the fixes applied, counted by issue code (codes in order)."""
        counts: dict[str, int] = {}
        for t in self.tables:
            fixed = t.listed.filter(pl.col("severity") == str(Severity.FIXED))
            for code, n in fixed.group_by("code").len().iter_rows():
                counts[str(code)] = counts.get(str(code), 0) + int(n)
            if t.rewrites.applied:
                for code, n in t.rewrites.counts().items():
                    counts[code] = counts.get(code, 0) + n
        return dict(sorted(counts.items()))

    @property
    def clean(self) -> pl.DataFrame:
        """Return the valid rows: ``_file``, ``_row``, ``_line``, then the fields."""
        return self._combine(lambda t: t.valid)

    @property
    def rejects(self) -> pl.DataFrame:
        """Return the rejected rows with their original values and the codes that rejected them."""

        def rejected(t: CheckedTable) -> pl.DataFrame:
            original = t.source.frame.join(t.rejected, on=ROW, how="inner")
            return original.select(ROW, LINE, "codes", *t.source.columns)

        frames = [rejected(t).with_columns(pl.lit(t.source.name).alias(FILE)) for t in self.tables]
        frames = [f for f in frames if f.height]
        if not frames:
            return pl.DataFrame(
                schema={FILE: pl.String, ROW: pl.Int64, LINE: pl.Int64, "codes": pl.String}
            )
        combined = pl.concat(frames, how="diagonal_relaxed")
        return combined.select(FILE, ROW, LINE, "codes", pl.exclude(FILE, ROW, LINE, "codes"))

    def _combine(self, pick: Any) -> pl.DataFrame:
        frames = [pick(t).with_columns(pl.lit(t.source.name).alias(FILE)) for t in self.tables]
        combined = pl.concat(frames) if frames else pl.DataFrame()
        return combined.select(FILE, ROW, LINE, *self.spec.names) if frames else combined

    @cached_property
    def summary(self) -> Summary:
        """Return the run's counts."""
        return self._summary()

    def _summary(self) -> Summary:
        rows = sum(t.source.rows for t in self.tables)
        rejected = sum(t.rejected.height for t in self.tables)
        by_severity: dict[str, int] = {}
        fixed_rows = 0
        for t in self.tables:
            for severity, n in t.listed.group_by("severity").len().iter_rows():
                by_severity[str(severity)] = by_severity.get(str(severity), 0) + int(n)
            rewritten = str(t.rewrites.severity)
            by_severity[rewritten] = by_severity.get(rewritten, 0) + t.rewrites.total
            fixed_rows += _fixed_rows(t)
        return Summary(
            rows=rows,
            valid_rows=rows - rejected,
            rejected_rows=rejected,
            fixed_rows=fixed_rows,
            errors=by_severity.get(str(Severity.ERROR), 0),
            warnings=by_severity.get(str(Severity.WARNING), 0),
            fixes=by_severity.get(str(Severity.FIXED), 0),
        )


def _fixed_rows(table: CheckedTable) -> int:
    """Return how many rows of ``table`` kept a fixed value and were not rejected."""
    fixed = (
        table.listed.filter(
            (pl.col("severity") == str(Severity.FIXED)) & pl.col("row").is_not_null()
        )
        .get_column("row")
        .to_numpy()
    )
    if table.rewrites.applied:
        fixed = np.concatenate([fixed, table.rewrites.rows_rewritten()])
    return count_fixed_rows(fixed, table.rejected.get_column(ROW).to_numpy())


def count_fixed_rows(fixed: np.ndarray, rejected: np.ndarray) -> int:
    """Return how many distinct rows of ``fixed`` are not in ``rejected``.

    A mask over the span of row numbers, not a join or a set difference: a messy export
    has about one fix per row, and joining a million of them cost a second and a half
    (``np.setdiff1d``, which sorts both, a quarter of one).

    Example:
        >>> count_fixed_rows(np.array([7, 3, 3, 9]), np.array([9, 12]))
        2
    """
    if not fixed.size:
        return 0
    fixed, rejected = fixed.astype(np.int64, copy=False), rejected.astype(np.int64, copy=False)
    low = int(fixed.min())
    mask = np.zeros(int(fixed.max()) - low + 1, dtype=np.bool_)
    mask[fixed - low] = True
    rejected = rejected[(rejected >= low) & (rejected < low + mask.size)]
    mask[rejected - low] = False
    return int(mask.sum())
