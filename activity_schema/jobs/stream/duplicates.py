"""Duplicate rows across batches: the warnings of every run, and ``--dedupe``.

A whole-file run finds copies within one frame (``checks._row_rules`` warns about every
copy of an earlier row of the same input; ``plan._dedupe`` drops copies of an earlier
valid row of the run). A streamed run sees one batch at a time, so it keeps, per
row, a 64-bit hash: the warnings are found once the input is read, from hashes spilled
to disk past a size (:mod:`.copies`); ``--dedupe`` must drop a copy before its batch is
written, so it keeps an index in memory, 12 bytes per distinct valid row (:mod:`.index`).
Both report and drop the same rows as a whole-file run, naming the same first rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from ...checking.engine import CheckedTable
from ...issues.codes import IssueCode, Severity
from ...issues.records import conform_issues, empty_issues, issue_frame
from ...output.plan import DROPPED_SCHEMA, INPUT
from ...readers import FILE, LINE, ROW
from ...schema.fields import SchemaSpec
from .copies import LaterCopies
from .index import FirstSeen, row_hashes

__all__ = ["Deduper", "DuplicateWarnings", "is_engine_duplicate"]

#: The engine's own duplicate-row warnings. A batched run no longer asks the engine for
#: them (``check_table(duplicates=False)``); kept for code that filtered them out.
is_engine_duplicate = (pl.col("code") == str(IssueCode.DUPLICATE_ROW)) & (
    pl.col("severity") == str(Severity.WARNING)
)


class DuplicateWarnings:
    """Warn about each row equal to an earlier row of its input, across batches.

    Use one per input: :meth:`add` every batch in order, then take :meth:`warnings` once
    the input is read. Memory stays bounded at any input size (:mod:`.copies`).
    """

    def __init__(self, spec: SchemaSpec, work: Path | None = None) -> None:
        self._spec = spec
        self._name: str | None = None
        self._copies = LaterCopies(work)

    def add(self, checked: CheckedTable) -> None:
        """Remember a batch's rows, compared on the normalized values of the mapped fields."""
        mapped = set(checked.mapping.renames.values())
        fields = [f for f in self._spec.names if f in mapped]
        frame = checked.normalized if checked.normalized is not None else checked.values
        self._name = checked.source.name
        if not fields or not frame.height:
            return
        self._copies.add(
            row_hashes(frame, fields),
            frame.get_column(ROW).to_numpy(),
            frame.get_column(LINE).to_numpy(),
        )

    def warnings(self) -> Iterator[pl.DataFrame]:
        """Yield the input's ``duplicate-row`` warnings in row order, a chunk at a time.

        Worded as ``checks._row_rules`` words them.
        """
        try:
            for found in self._copies.copies():  # chunks of at least one copy
                copies = pl.DataFrame(
                    {ROW: found["row"], LINE: found["line"], "__first": found["first"]}
                )
                yield issue_frame(
                    copies,
                    code=IssueCode.DUPLICATE_ROW,
                    severity=Severity.WARNING,
                    message=pl.format("same values as row {}", pl.col("__first")),
                    file=self._name or "",
                    fix="remove the copy, or convert with --dedupe "
                    "(Eloqua would create two activities)",
                ).pipe(conform_issues)
        finally:
            self.close()

    def close(self) -> None:
        """Remove what went to disk (idempotent)."""
        self._copies.close()


class _Lines:
    """The line of each valid row of an input, kept as the rows where line - row changes.

    Most files have one such row (the header's line); a file of multi-line records has
    one per record at worst.
    """

    def __init__(self) -> None:
        self._rows: list[np.ndarray] = []
        self._deltas: list[np.ndarray] = []
        self._last: int | None = None

    def add(self, rows: np.ndarray, lines: np.ndarray) -> None:
        if not rows.size:
            return
        deltas = lines.astype(np.int64) - rows.astype(np.int64)
        before = -1 if self._last is None else self._last
        change = deltas != np.concatenate(([before], deltas[:-1]))
        self._rows.append(rows[change].astype(np.int64))
        self._deltas.append(deltas[change])
        self._last = int(deltas[-1])

    def line_of(self, rows: np.ndarray) -> np.ndarray:
        if len(self._rows) > 1:
            self._rows = [np.concatenate(self._rows)]
            self._deltas = [np.concatenate(self._deltas)]
        starts, deltas = self._rows[0], self._deltas[0]
        found: np.ndarray = rows + deltas[np.searchsorted(starts, rows, side="right") - 1]
        return found


class Deduper:
    """Drop each valid row equal to an earlier valid row of the run (``--dedupe``)."""

    def __init__(
        self, spec: SchemaSpec, payload: type[np.unsignedinteger] | type[np.signedinteger]
    ):
        self._fields = spec.names
        self._kept = FirstSeen(payload)
        self._bases: list[int] = []  # the run-wide ordinal of each input's row 0
        self._lines: list[_Lines] = []
        self._names: list[str] = []

    def start_input(self, name: str, rows_before: int) -> None:
        """Begin the next input; ``rows_before`` counts the rows of the inputs before it."""
        self._names.append(name)
        self._bases.append(rows_before)
        self._lines.append(_Lines())

    def drop_copies(self, checked: CheckedTable) -> tuple[CheckedTable, pl.DataFrame]:
        """Return the batch without its copies, and the copies (as ``ConvertPlan.dropped``).

        The table returned has the copies removed from its source and values, so that
        ``plan_convert`` counts and writes the rest as a whole-file run does.
        """
        index = len(self._bases) - 1
        valid = checked.valid
        if not valid.height:
            return checked, _no_copies()
        rows = valid.get_column(ROW).to_numpy()
        ordinals = rows + self._bases[index]
        self._lines[index].add(rows, valid.get_column(LINE).to_numpy())
        first = self._kept.first(row_hashes(valid, self._fields), ordinals).astype(np.int64)
        copy = first != ordinals
        if not copy.any():
            return checked, _no_copies()
        kept = first[copy]
        bases = np.array(self._bases, dtype=np.int64)
        kept_input = np.searchsorted(bases, kept - 1, side="right") - 1
        kept_row = kept - bases[kept_input]
        kept_line = np.empty(kept_row.size, dtype=np.int64)
        for i in np.unique(kept_input).tolist():
            mine = kept_input == i
            kept_line[mine] = self._lines[i].line_of(kept_row[mine])
        dropped = (
            valid.filter(pl.Series(copy))
            .select(
                pl.lit(index, dtype=pl.Int64).alias(INPUT),
                pl.lit(checked.source.name).alias(FILE),
                ROW,
                LINE,
            )
            .with_columns(
                pl.Series("kept_input", kept_input, dtype=pl.Int64),
                pl.Series("kept_row", kept_row, dtype=pl.Int64),
                pl.Series("kept_line", kept_line, dtype=pl.Int64),
            )
        )
        gone = dropped.select(ROW)
        source = replace(
            checked.source,
            frame=checked.source.frame.join(gone, on=ROW, how="anti", maintain_order="left"),
        )
        values = checked.values.join(gone, on=ROW, how="anti", maintain_order="left")
        return replace(checked, source=source, values=values), dropped

    def issues(self, dropped: pl.DataFrame) -> pl.DataFrame:
        """Return the ``duplicate-row`` info issues of dropped copies (as plan words them)."""
        if not dropped.height:
            return empty_issues()
        names = dict(enumerate(self._names))
        rows = dropped.with_columns(
            pl.col("kept_input").replace_strict(names, return_dtype=pl.String).alias("__kept")
        )
        return issue_frame(
            rows,
            code=IssueCode.DUPLICATE_ROW,
            severity=Severity.INFO,
            message=pl.format(
                "dropped: same values as {} row {}", pl.col("__kept"), pl.col("kept_row")
            ),
            file=str(dropped.get_column(FILE)[0]),
            fix="removed by --dedupe",
        ).pipe(conform_issues)


def _no_copies() -> pl.DataFrame:
    return pl.DataFrame(schema=DROPPED_SCHEMA)
