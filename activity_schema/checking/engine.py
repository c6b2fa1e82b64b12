"""Check one table against a schema: map headers, normalize, coerce, validate, decide.

This is the per-input core shared by ``lint``, ``convert`` and the Python API. It takes a
:class:`~activity_schema.readers.SourceTable` and returns a :class:`CheckedTable`: every
row's normalized values, whether it is rejected, and every issue found on the way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from ..issues.codes import IssueCode, Severity
from ..issues.records import ISSUE_SCHEMA, Issue
from ..readers import LINE, ROW, SourceTable
from ..schema.config import Settings
from ..schema.fields import Kind, SchemaSpec
from .cleaning import clean_fields, derive_fields
from .decisions import ColumnDecisions
from .mapping import HeaderMapping, map_headers
from .normalize.dates import DateCache
from .relocate import coerce_content
from .rewritten import RewrittenCells, interleave
from .validate import check_values

if TYPE_CHECKING:
    import pandera.polars as pa

__all__ = [
    "CheckedTable",
    "StagedTable",
    "check_staged",
    "check_table",
    "stage_table",
]


@dataclass(frozen=True)
class CheckedTable:
    """One input after checking.

    Attributes:
        source: The input as read.
        mapping: How its columns map onto the schema's fields.
        values: ``_row``, ``_line``, then every schema field's normalized text (null
            where empty), for every row.
        rejected: ``_row`` of each rejected row with ``codes``, the error codes that
            rejected it.
        listed: Every issue but the rewritten cells, file-level and row-level: what
            the report lists one by one (:attr:`issues` has them all).
        rewrites: The cells cleaning rewrote mechanically (``null-string``,
            ``normalized``), as masks; the report summarises them.
        cleaned_span: Where cleaning's issues are in ``listed`` (start, stop).
        date_orders: Per datetime field, the order used and why.
        decisions: The column-level decisions taken or applied (date orders, swapped
            columns); pass them back to :func:`check_table` for more rows of this input.
        normalized: The normalized values the row rules checked (equal to ``values``
            when fixes apply); kept only when ``decisions`` were passed in.
    """

    source: SourceTable
    mapping: HeaderMapping
    values: pl.DataFrame
    rejected: pl.DataFrame
    listed: pl.DataFrame
    rewrites: RewrittenCells
    cleaned_span: tuple[int, int]
    date_orders: dict[str, tuple[str | None, str]]
    decisions: ColumnDecisions | None = None
    normalized: pl.DataFrame | None = None

    @functools.cached_property
    def issues(self) -> pl.DataFrame:
        """Return every issue, file-level and row-level, as an issue frame.

        The rewritten cells' rows are built here, on first use, and put where cleaning
        lists them (:func:`~activity_schema.checking.rewritten.interleave`).
        """
        start, stop = self.cleaned_span
        parts = [
            self.listed.slice(0, start),
            interleave(self.listed.slice(start, stop - start), self.rewrites),
            self.listed.slice(stop),
        ]
        found = [p for p in parts if p.height]
        return pl.concat(found) if found else self.listed

    @property
    def valid(self) -> pl.DataFrame:
        """Return the rows that are not rejected."""
        return self.values.join(self.rejected.select(ROW), on=ROW, how="anti")


def _issues_frame(issues: tuple[Issue, ...]) -> pl.DataFrame:
    return pl.DataFrame([i.to_dict() for i in issues], schema=ISSUE_SCHEMA)


def _drop_superseded(
    rewrites: RewrittenCells, coerced: pl.DataFrame, spec: SchemaSpec
) -> RewrittenCells:
    """Drop normalizations of email cells whose content coercion moved elsewhere.

    The email normalizer squeezes a name typed into the email field ("Ann Lee" becomes
    "AnnLee"); once the name is swapped back into its own field, that change never
    happened, and reporting it would send the user after a phantom.
    """
    email = next((f.name for f in spec.fields if f.kind is Kind.EMAIL), None)
    if email is None or not coerced.height:
        return rewrites
    codes = coerced.get_column("code")
    if (codes == str(IssueCode.SWAPPED_COLUMNS)).any():
        return rewrites.without_normalized(field=email)
    swapped = coerced.filter(pl.col("code") == str(IssueCode.SWAPPED_VALUES)).select("row")
    if not swapped.height:
        return rewrites
    return rewrites.without_normalized(swapped, field=email)


def _errors_show_the_input(
    rewrites: RewrittenCells, checked: pl.DataFrame
) -> tuple[RewrittenCells, pl.DataFrame]:
    """Report an invalid cell as the input has it, and not also as normalized.

    The checks see normalized values: stripping the junk around an address turns
    ``<b>x</b>@@y`` into ``b>x</b>@@y``, which is still invalid. Its error then shows
    the value the user can find in the file, and the normalization, which fixed nothing
    (the row is rejected with its original values), is not reported.
    """
    if not checked.height:
        return rewrites, checked
    keys = ["row", "field"]
    errors = checked.filter(
        (pl.col("severity") == str(Severity.ERROR)) & pl.col("row").is_not_null()
    ).select(keys)
    if not errors.height:
        return rewrites, checked
    shown = rewrites.normalized_inputs(errors.unique())
    if not shown.height:
        return rewrites, checked
    checked = (
        checked.join(shown, on=keys, how="left", maintain_order="left", nulls_equal=True)
        .with_columns(
            pl.when(
                (pl.col("severity") == str(Severity.ERROR)) & pl.col("__original").is_not_null()
            )
            .then(pl.col("__original"))
            .otherwise(pl.col("value"))
            .alias("value")
        )
        .drop("__original")
    )
    for name in shown.get_column("field").unique().to_list():
        rewrites = rewrites.without_normalized(shown.filter(pl.col("field") == name), field=name)
    return rewrites, checked


def _drop_missing_for_invalid_dates(checked: pl.DataFrame, cleaned: pl.DataFrame) -> pl.DataFrame:
    """Drop ``missing-value`` findings on cells already reported as ``invalid-date``.

    An invalid date is null once typed, so pandera finds a required date field empty:
    a second report of the same cell, which would also count twice as an error.
    """
    invalid = (
        cleaned.filter(pl.col("code") == str(IssueCode.INVALID_DATE))
        .select("row", "field")
        .with_columns(pl.lit(True).alias("__invalid"))
    )
    if not invalid.height or not checked.height:
        return checked
    marked = checked.join(invalid, on=["row", "field"], how="left", maintain_order="left")
    twice = (pl.col("code") == str(IssueCode.MISSING_VALUE)) & pl.col("__invalid").fill_null(False)
    return marked.filter(~twice).drop("__invalid")


@dataclass(frozen=True, eq=False)
class StagedTable:
    """One input mapped onto the schema, with the per-value part of cleaning done.

    What checking needs before any column-level decision: a batched run stages the next
    batch on its reader's thread while it checks this one (:func:`stage_table`, then
    :func:`check_staged`).

    Attributes:
        table: The input as read.
        spec: The schema's fields it was staged for.
        mapping: How its columns map onto the fields.
        sources: ``{field: source header}`` for the fields that have a column.
        work: ``_row``, ``_line`` and one String column per field (null for a field
            without a column).
        derived: :func:`~activity_schema.checking.cleaning.derive_fields` of ``work``.
    """

    table: SourceTable
    spec: SchemaSpec
    mapping: HeaderMapping
    sources: dict[str, str]
    work: pl.DataFrame
    derived: tuple[pl.DataFrame, ...]


def stage_table(table: SourceTable, spec: SchemaSpec, settings: Settings) -> StagedTable:
    """Map ``table`` onto ``spec`` and clean each field's values (no decision needed).

    Args:
        table: The input as read.
        spec: The schema's fields.
        settings: Run settings (the header aliases are used).

    Returns:
        The staged table, for :func:`check_staged`.
    """
    mapping = map_headers(
        table.headers,
        table.columns,
        spec,
        file=table.name,
        aliases=settings.aliases,
        line=table.header_line,
    )
    renames = mapping.renames
    sources = {
        field_name: next(m.header for m in mapping.matches if m.column == column)
        for column, field_name in renames.items()
    }
    by_field = {field_name: column for column, field_name in renames.items()}
    work = table.frame.select(
        pl.col(ROW),
        pl.col(LINE),
        *(
            pl.col(by_field[f]).alias(f)
            if f in by_field
            else pl.lit(None, dtype=pl.String).alias(f)
            for f in spec.names
        ),
    )
    derived = tuple(derive_fields(work, spec, sources))
    return StagedTable(table, spec, mapping, sources, work, derived)


def check_table(
    table: SourceTable,
    spec: SchemaSpec,
    schema: pa.DataFrameSchema | None,
    settings: Settings,
    decisions: ColumnDecisions | None = None,
    *,
    duplicates: bool = True,
) -> CheckedTable:
    """Check one input against a schema.

    Args:
        table: The input as read.
        spec: The schema's fields (drives mapping and normalization).
        schema: The pandera schema (drives validation); None for the spec's own
            checks, which then run without pandera.
        settings: Run settings (dates, fixes, aliases, activity types).
        decisions: Column-level decisions taken on earlier rows of the same input (a
            batched run passes the first batch's ``CheckedTable.decisions``): applied
            instead of deciding from these rows. ``ColumnDecisions()`` decides
            everything here, as None does, and keeps ``normalized``.
        duplicates: Warn about rows equal to an earlier row of the table; a batched run
            passes False and compares rows across its batches instead.

    Returns:
        The checked table.
    """
    staged = stage_table(table, spec, settings)
    return check_staged(staged, schema, settings, decisions, duplicates=duplicates)


def check_staged(
    staged: StagedTable,
    schema: pa.DataFrameSchema | None,
    settings: Settings,
    decisions: ColumnDecisions | None = None,
    *,
    duplicates: bool = True,
    date_cache: DateCache | None = None,
) -> CheckedTable:
    """Check a staged input: :func:`check_table` after :func:`stage_table`.

    Args and returns as for :func:`check_table` (the schema's fields are the staged
    ones), and ``date_cache``: date values parsed for earlier batches of the same input
    under ``decisions``, used and added to (a batched run keeps one per input).
    """
    table, spec, mapping = staged.table, staged.spec, staged.mapping
    sources, work = staged.sources, staged.work
    cleaned = clean_fields(
        work,
        spec,
        settings,
        file=table.name,
        sources=sources,
        date_decisions=decisions.dates if decisions is not None else None,
        derived=staged.derived,
        date_cache=date_cache,
    )
    coerced = coerce_content(
        cleaned.frame,
        spec,
        file=table.name,
        sources=sources,
        originals=work,
        fix=settings.fix,
        decided_swap=decisions.swap if decisions is not None else None,
    )
    checked = check_values(
        coerced.frame,
        spec,
        schema,
        settings,
        file=table.name,
        sources=sources,
        duplicates=duplicates,
    )
    rewrites = _drop_superseded(cleaned.rewrites, coerced.issues, spec)
    checked = _drop_missing_for_invalid_dates(checked, cleaned.issues)
    rewrites, checked = _errors_show_the_input(rewrites, checked)
    head = [table.issues, _issues_frame(mapping.issues)]
    tail = [coerced.issues, checked]
    start = sum(p.height for p in head)
    issue_parts = [*head, cleaned.issues, *tail]
    issues = (
        pl.concat([p for p in issue_parts if p.height])
        if any(p.height for p in issue_parts)
        else _issues_frame(())
    )

    values = coerced.frame if settings.fix else work
    errors = issues.filter(pl.col("severity") == str(Severity.ERROR))
    file_errors = errors.filter(pl.col("row").is_null())
    if file_errors.height:
        # A file-level error (a missing required column, two columns for one field)
        # makes every row wrong in the same way.
        codes = ",".join(sorted(set(file_errors.get_column("code").to_list())))
        rejected = values.select(ROW).with_columns(pl.lit(codes).alias("codes"))
    else:
        rejected = (
            errors.group_by("row", maintain_order=True)
            .agg(pl.col("code").unique(maintain_order=True).str.join(",").alias("codes"))
            .rename({"row": ROW})
            .sort(ROW)
        )
    return CheckedTable(
        source=table,
        mapping=mapping,
        values=values,
        rejected=rejected,
        listed=issues,
        rewrites=rewrites,
        cleaned_span=(start, start + cleaned.issues.height),
        date_orders=cleaned.date_orders,
        decisions=ColumnDecisions(dates=cleaned.date_decisions, swap=coerced.swap),
        normalized=coerced.frame if decisions is not None else None,
    )
