"""Find cells and records too large to be activity data, as row errors.

The limits (``MAX_CELL_BYTES``, ``MAX_RECORD_BYTES`` in :mod:`activity_schema.defaults`)
are far above anything Eloqua stores, so they only catch corruption (a document pasted
into a cell) and hostile input. An over-limit row is rejected, never truncated: its
original values still reach ``rejects.csv``.
"""

from __future__ import annotations

import polars as pl

from ..defaults import MAX_CELL_BYTES, MAX_RECORD_BYTES
from ..issues.codes import IssueCode, Severity
from ..issues.records import conform_issues, empty_issues, issue_frame
from .table import LINE, ROW, SourceTable

__all__ = ["size_issues"]

#: Characters of an over-limit value shown in its issue.
_SHOWN = 80


def size_issues(
    table: SourceTable,
    *,
    max_cell_bytes: int = MAX_CELL_BYTES,
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> pl.DataFrame:
    """Return ``too-long`` errors for over-limit cells, ``record-too-large`` for records.

    Args:
        table: The table as read.
        max_cell_bytes: The largest cell in UTF-8 bytes.
        max_record_bytes: The largest record (the sum of its cells) in UTF-8 bytes.

    Returns:
        An issue frame, empty when every cell and record is within the limits.

    Example:
        >>> from activity_schema.readers import read_bytes
        >>> table = read_bytes(b"email,Notes\\na@b.co," + b"x" * 50 + b"\\n")
        >>> size_issues(table, max_cell_bytes=10).get_column("message").to_list()
        ["cell of 50 bytes in column 'Notes' is over the 10-byte limit of one cell"]
    """
    columns = list(table.columns)
    if not columns or not table.frame.height:
        return empty_issues()
    headers = dict(zip(columns, table.headers, strict=False))
    # One cheap pass for the longest cell of each column; most files stop here.
    longest = table.frame.select(pl.col(columns).str.len_bytes().max()).row(0)
    maxima = {c: int(n or 0) for c, n in zip(columns, longest, strict=True)}
    parts: list[pl.DataFrame] = []
    for column, most in maxima.items():
        if most <= max_cell_bytes:
            continue
        size = pl.col(column).str.len_bytes()
        rows = table.frame.filter(size > max_cell_bytes).select(
            ROW, LINE, size.alias("bytes"), pl.col(column).str.slice(0, _SHOWN).alias("shown")
        )
        header = headers.get(column, column)
        parts.append(
            issue_frame(
                rows,
                code=IssueCode.TOO_LONG,
                severity=Severity.ERROR,
                message=pl.format(
                    # The header goes in as a value: it may hold braces.
                    "cell of {} bytes in column {} is over the "
                    f"{max_cell_bytes:,}-byte limit of one cell",
                    pl.col("bytes"),
                    pl.lit(repr(header)),
                ),
                file=table.name,
                column=header,
                value=pl.concat_str(pl.col("shown"), pl.lit("...")),
                fix="no Eloqua field holds this much; check the row for a document pasted "
                "into a cell or a quote that swallowed the lines after it",
            )
        )
    if sum(maxima.values()) > max_record_bytes:
        total = pl.sum_horizontal(pl.col(columns).str.len_bytes().fill_null(0))
        rows = table.frame.filter(total > max_record_bytes).select(ROW, LINE, total.alias("bytes"))
        parts.append(
            issue_frame(
                rows,
                code=IssueCode.RECORD_TOO_LARGE,
                severity=Severity.ERROR,
                message=pl.format(
                    f"record of {{}} bytes is over the {max_record_bytes:,}-byte limit "
                    "of one record",
                    pl.col("bytes"),
                ),
                file=table.name,
                fix="no Eloqua activity holds this much; check the row's cells",
            )
        )
    if not parts:
        return empty_issues()
    return pl.concat(parts).pipe(conform_issues)
