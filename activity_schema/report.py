"""Bad data as values: the :class:`Issue` record and the :class:`IssueLog` that gathers them.

File-level issues are a handful of Python objects; row-level issues can be millions, so
they are gathered as polars frames with one row per failing cell (pandera's
failure-case idea) and only turned into objects when a renderer asks for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import polars as pl

from .codes import IssueCode, Severity

__all__ = ["ISSUE_SCHEMA", "Issue", "IssueLog", "empty_issues", "file_issue", "issue_frame"]

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


@dataclass(frozen=True)
class Issue:
    """One problem found in the data.

    Attributes:
        code: Stable kebab-case code, see :class:`~activity_schema.codes.IssueCode`.
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
) -> pl.DataFrame:
    """Build a frame of row-level issues from the failing rows of a table.

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
        A frame with the :data:`ISSUE_SCHEMA` columns.
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


@dataclass
class IssueLog:
    """Collects issues from every stage of a run, in the order they were found."""

    _frames: list[pl.DataFrame] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        """Record one issue (file-level or a single row)."""
        self._frames.append(pl.DataFrame([issue.to_dict()], schema=ISSUE_SCHEMA))

    def extend(self, issues: pl.DataFrame | list[Issue]) -> None:
        """Record many issues, as a frame of :data:`ISSUE_SCHEMA` columns or a list."""
        if isinstance(issues, list):
            if issues:
                self._frames.append(
                    pl.DataFrame([i.to_dict() for i in issues], schema=ISSUE_SCHEMA)
                )
            return
        if issues.height:
            self._frames.append(issues.select(list(ISSUE_SCHEMA)).cast(ISSUE_SCHEMA))  # type: ignore[arg-type]

    def to_frame(self) -> pl.DataFrame:
        """Return every issue as one frame, sorted by file order, row, then discovery."""
        if not self._frames:
            return pl.DataFrame(schema=ISSUE_SCHEMA)
        return pl.concat(self._frames, how="vertical")

    def __iter__(self) -> Iterator[Issue]:
        for frame in self._frames:
            for record in frame.iter_rows(named=True):
                yield Issue(**record)

    def __len__(self) -> int:
        return sum(f.height for f in self._frames)
