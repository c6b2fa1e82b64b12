"""Bad data as values: the :class:`Issue` record and issue frames.

File-level issues are a handful of records; row-level issues can be millions, so they
are built and kept as polars frames with one row per failing cell (pandera's
failure-case idea), and only turned into dicts when a renderer asks for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, TypeVar, overload

import polars as pl

from .codes import IssueCode, Severity

__all__ = [
    "ISSUE_SCHEMA",
    "Issue",
    "collect_issues",
    "conform_issues",
    "empty_issues",
    "file_issue",
    "issue_frame",
]

#: The columns of an issue frame, in order. Also the fields of :class:`Issue`.
ISSUE_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "code": pl.String,
    "severity": pl.String,
    "file": pl.String,
    "row": pl.Int64,
    "line": pl.Int64,
    "field": pl.String,
    "column": pl.String,
    "value": pl.String,
    "message": pl.String,
    "fix": pl.String,
}


#: ``ISSUE_SCHEMA`` as polars' ``cast`` takes it (its keys may be selectors too).
_DTYPES: Mapping[Any, Any] = ISSUE_SCHEMA
_Frame = TypeVar("_Frame", pl.DataFrame, pl.LazyFrame)


def conform_issues(frame: _Frame) -> _Frame:
    """Return ``frame`` with the issue columns' types (``frame.pipe(conform_issues)``).

    Issue frames built from literals and expressions get the types their parts had
    (a null column is ``Null``); concatenating them needs one schema.
    """
    return frame.cast(_DTYPES)


@dataclass(frozen=True)
class Issue:
    """One problem found in the data.

    Attributes:
        code: Stable kebab-case code, see :class:`~activity_schema.issues.codes.IssueCode`.
        severity: ``error`` (row rejected), ``warning``, ``fixed`` or ``info``.
        message: What is wrong, in one sentence.
        file: The input it was found in.
        row: 1-based record index in that input (header excluded); None for file-level.
        line: 1-based physical line where the record starts.
        field: The schema field concerned.
        column: The source column concerned, as spelled in the input.
        value: The offending value (the original value for fixes).
        fix: The fix applied (for ``fixed``) or suggested.
    """

    code: str
    severity: str
    message: str
    file: str | None = None
    row: int | None = None
    line: int | None = None
    field: str | None = None
    column: str | None = None
    value: str | None = None
    fix: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return the issue as a plain dict in the documented key order."""
        data = asdict(self)
        return {key: data[key] for key in ISSUE_SCHEMA}


def empty_issues() -> pl.DataFrame:
    """Return an issue frame with no rows."""
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def file_issue(
    code: IssueCode,
    severity: Severity,
    message: str,
    *,
    file: str,
    row: int | None = None,
    line: int | None = None,
    field: str | None = None,
    column: str | None = None,
    value: str | None = None,
    fix: str | None = None,
) -> pl.DataFrame:
    """Return a one-row issue frame (a file-level issue, or one about a single row)."""
    issue = Issue(
        code=str(code),
        severity=str(severity),
        message=message,
        file=file,
        row=row,
        line=line,
        field=field,
        column=column,
        value=value,
        fix=fix,
    )
    return pl.DataFrame([issue.to_dict()], schema=ISSUE_SCHEMA)


@overload
def issue_frame(
    rows: pl.DataFrame,
    *,
    code: IssueCode,
    severity: Severity,
    message: str | pl.Expr,
    file: str,
    field_name: str | None = None,
    column: str | None = None,
    value: pl.Expr | None = None,
    fix: str | pl.Expr | None = None,
) -> pl.DataFrame: ...


@overload
def issue_frame(
    rows: pl.LazyFrame,
    *,
    code: IssueCode,
    severity: Severity,
    message: str | pl.Expr,
    file: str,
    field_name: str | None = None,
    column: str | None = None,
    value: pl.Expr | None = None,
    fix: str | pl.Expr | None = None,
) -> pl.LazyFrame: ...


def issue_frame(
    rows: pl.DataFrame | pl.LazyFrame,
    *,
    code: IssueCode,
    severity: Severity,
    message: str | pl.Expr,
    file: str,
    field_name: str | None = None,
    column: str | None = None,
    value: pl.Expr | None = None,
    fix: str | pl.Expr | None = None,
) -> pl.DataFrame | pl.LazyFrame:
    """Build a frame of row-level issues from the failing rows of a table.

    Given a lazy frame (``frame.lazy().filter(mask)``), the result is lazy too: polars
    then reads only the columns the issue needs, and :func:`collect_issues` runs many
    such queries in parallel.

    Args:
        rows: The failing rows; must have ``_row`` and ``_line`` columns and whatever
            columns the ``value``/``message``/``fix`` expressions use.
        code: The issue code.
        severity: The severity of every issue.
        message: A message, constant or per row.
        file: The input's display name.
        field_name: The schema field.
        column: The source column name.
        value: The offending value per row.
        fix: The fix, constant or per row.

    Returns:
        A frame (lazy if ``rows`` is) with the :data:`ISSUE_SCHEMA` columns.
    """

    def lit(v: str | pl.Expr | None) -> pl.Expr:
        return v if isinstance(v, pl.Expr) else pl.lit(v, dtype=pl.String)

    return rows.select(
        pl.lit(str(code), dtype=pl.String).alias("code"),
        pl.lit(str(severity), dtype=pl.String).alias("severity"),
        pl.lit(file, dtype=pl.String).alias("file"),
        pl.col("_row").cast(pl.Int64).alias("row"),
        pl.col("_line").cast(pl.Int64).alias("line"),
        pl.lit(field_name, dtype=pl.String).alias("field"),
        pl.lit(column, dtype=pl.String).alias("column"),
        lit(value).cast(pl.String).alias("value"),
        lit(message).cast(pl.String).alias("message"),
        lit(fix).cast(pl.String).alias("fix"),
    )


def collect_issues(parts: list[pl.DataFrame | pl.LazyFrame]) -> pl.DataFrame:
    """Collect issue frames (lazy ones in one parallel pass) into one frame, in order."""
    lazy = [p for p in parts if isinstance(p, pl.LazyFrame)]
    collected = iter(pl.collect_all(lazy)) if lazy else iter(())
    frames = [next(collected) if isinstance(p, pl.LazyFrame) else p for p in parts]
    found = [f for f in frames if f.height]
    if not found:
        return empty_issues()
    return pl.concat(found).pipe(conform_issues)
