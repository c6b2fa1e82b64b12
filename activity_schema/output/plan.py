"""Plan a conversion: dedupe, reject oversized records, and cut the rest into parts.

:func:`plan_convert` is the pure core of ``convert`` (and the Python API for uploader
tools): it takes a :class:`~activity_schema.jobs.whole.Prepared` result, removes duplicates
when asked, rejects records too large for any part, and returns a :class:`ConvertPlan`
whose :meth:`~ConvertPlan.chunks` are the upload bodies. Writing them to a folder is
:mod:`activity_schema.output.write`'s job.

Every input row ends up in exactly one place, so that
``rows_in == rows_out + rows_rejected + rows_dropped``: a part, the rejects (with the
codes and messages that rejected it and its original values), or dropped as a copy of
an earlier row (``dedupe``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import polars as pl

from ..checking.result import Prepared, Summary
from ..defaults import DEFAULT_MAX_BYTES
from ..errors import UsageError
from ..issues.codes import CODE_INFO, IssueCode, Severity
from ..issues.records import conform_issues, empty_issues, issue_frame
from ..readers import FILE, LINE, ROW
from .encode import (
    CONTENT_TYPES,
    Chunk,
    OutputFormat,
    RecordSizes,
    check_limits,
    cut_parts,
    encode_chunks,
    encode_document,
    encode_records,
    oversized_records,
    record_sizes,
)
from .formulas import escape_formulas as escape_formula_values
from .formulas import formula_issues
from .manifest import MANIFEST_NAME, MANIFEST_VERSION  # named once, in manifest.py

__all__ = [
    "INPUT",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "REJECTS_NAME",
    "ConvertPlan",
    "part_name",
    "plan_convert",
]

#: The rejects file's name in OUTDIR.
REJECTS_NAME: Final = "rejects.csv"
#: Column holding each output record's 0-based input index (into ``Prepared.tables``).
INPUT: Final = "_input"
#: The leading columns of ``rejects.csv``; the input's own columns follow.
REJECT_COLUMNS: Final = (FILE, ROW, LINE, "codes", "messages")
#: Separator of several messages in one rejects cell.
MESSAGE_SEPARATOR: Final = "; "


def part_name(index: int, to: OutputFormat) -> str:
    """Return the file name of part ``index`` (1-based).

    Example:
        >>> part_name(3, "csv")
        'part-00003.csv'
    """
    return f"part-{index:05d}.{to}"


@dataclass(frozen=True, eq=False)
class ConvertPlan:
    """What a conversion writes, before anything is written.

    Attributes:
        prepared: The checked inputs.
        to: ``json`` or ``csv``.
        max_bytes: The largest part (None: no limit, one document).
        max_rows: The most records per part (None: no limit).
        dedupe: Whether copies of earlier rows were dropped.
        escape_formulas: Whether formula-like values were escaped with a quote.
        frame: The records to write, in order: ``_input``, ``_file``, ``_row``,
            ``_line``, then the schema's fields.
        too_large: ``_file``, ``_row``, ``_line``, ``bytes`` of records rejected because
            they alone exceed ``max_bytes``.
        dropped: ``_input``, ``_file``, ``_row``, ``_line`` of each row removed as a copy,
            and ``kept_input``, ``kept_row``, ``kept_line`` of the row kept instead.
        issues: The issues this stage adds (``record-too-large`` errors, ``info``
            issues for dropped copies, ``formula-injection`` warnings), as an issue frame.
        too_large_per_input: How many records of each input were rejected for their size.
    """

    prepared: Prepared
    to: OutputFormat
    max_bytes: int | None
    max_rows: int | None
    dedupe: bool
    escape_formulas: bool
    frame: pl.DataFrame
    too_large: pl.DataFrame
    dropped: pl.DataFrame
    issues: pl.DataFrame
    too_large_per_input: tuple[int, ...] = ()
    _sizes: RecordSizes | None = field(default=None, repr=False)

    @property
    def fields(self) -> tuple[str, ...]:
        """Return the output fields, in order."""
        return self.prepared.spec.names

    @property
    def rows_in(self) -> int:
        """Return the number of input records."""
        return sum(t.source.rows for t in self.prepared.tables)

    @property
    def rows_out(self) -> int:
        """Return the number of records written."""
        return self.frame.height

    @property
    def rows_rejected(self) -> int:
        """Return the number of records rejected, by checks or for their size."""
        return sum(t.rejected.height for t in self.prepared.tables) + self.too_large.height

    @property
    def rows_dropped(self) -> int:
        """Return the number of copies removed by ``dedupe``."""
        return self.dropped.height

    def summary(self) -> Summary:
        """Return the run's counts with what this stage adds to the checks' counts.

        Records rejected for their size move from valid to rejected (their fixes no
        longer count as fixed rows); this stage's errors and warnings are counted.
        Dropped copies stay valid rows (see :attr:`rows_dropped`).
        """
        base = self.prepared.summary
        sized = self.too_large.height
        fixed_sized = 0
        if sized:
            fixed = (
                self.prepared.issues.filter(
                    (pl.col("severity") == str(Severity.FIXED)) & pl.col("row").is_not_null()
                )
                .select(pl.col("file").alias(FILE), pl.col("row").alias(ROW))
                .unique()
            )
            fixed_sized = fixed.join(
                self.too_large.select(FILE, ROW).unique(), on=[FILE, ROW], how="semi"
            ).height
        added = self.issues.get_column("severity")
        return Summary(
            rows=base.rows,
            valid_rows=base.valid_rows - sized,
            rejected_rows=base.rejected_rows + sized,
            fixed_rows=base.fixed_rows - fixed_sized,
            errors=base.errors + int((added == str(Severity.ERROR)).sum()),
            warnings=base.warnings + int((added == str(Severity.WARNING)).sum()),
            fixes=base.fixes,
        )

    @property
    def sizes(self) -> RecordSizes:
        """Return each output record's size in bytes, in frame order (none encoded)."""
        if self._sizes is not None:
            return self._sizes
        return record_sizes(self.frame, self.fields, to=self.to)

    @property
    def records(self) -> pl.Series:
        """Return each output record's text (a JSON object or a CSV line), in frame order.

        Every record of the run at once: a writer encodes each part's with
        :meth:`records_of` instead.
        """
        return self.records_of(0, self.frame.height)

    def records_of(self, start: int, stop: int) -> pl.Series:
        """Return the text of records ``start:stop`` (one part's, from :meth:`cuts`)."""
        plain = self._sizes.plain if self._sizes is not None else frozenset()
        rows = self.frame.slice(start, stop - start)
        return encode_records(rows, self.fields, to=self.to, plain=plain)

    def cuts(self) -> list[tuple[int, int]]:
        """Return each part's ``(start, stop)`` range of the records, none encoded.

        See :func:`~activity_schema.output.encode.cut_parts`.

        Raises:
            UsageError: The plan was made without a byte limit.
        """
        return cut_parts(
            self.frame,
            self.fields,
            to=self.to,
            max_bytes=self._max_bytes(),
            max_rows=self.max_rows,
            sizes=self.sizes,
        )

    def chunks(self) -> Iterator[Chunk]:
        """Yield the upload bodies (see :func:`~activity_schema.output.encode.encode_chunks`).

        Each part's records are encoded as its body is built.

        Raises:
            UsageError: The plan was made without a byte limit.
        """
        return encode_chunks(
            self.frame,
            self.fields,
            to=self.to,
            max_bytes=self._max_bytes(),
            max_rows=self.max_rows,
            sizes=self.sizes,
        )

    def part_ranges(self) -> tuple[pl.Series, list[tuple[int, int]]]:
        """Return the records and each part's ``(start, stop)`` range of them.

        See :func:`~activity_schema.output.encode.part_ranges`; :meth:`cuts` gives the
        ranges without encoding every record at once.

        Raises:
            UsageError: The plan was made without a byte limit.
        """
        ranges = self.cuts()
        return self.records, ranges

    def _max_bytes(self) -> int:
        if self.max_bytes is None:
            raise UsageError("this plan has no byte limit", hint="use document() instead")
        return self.max_bytes

    def document(self) -> Iterator[bytes]:
        """Yield every record as one JSON array or CSV document, in pieces."""
        return encode_document(self.frame, self.fields, to=self.to)

    def rejects(self) -> pl.DataFrame:
        """Return every rejected row with its codes, messages and original values.

        Columns: ``_file``, ``_row``, ``_line``, ``codes``, ``messages``, then the inputs'
        own columns; rows in input and row order.
        """
        return _rejects(self.prepared, self.too_large, self.max_bytes, self.to)


def plan_convert(
    prepared: Prepared,
    *,
    to: OutputFormat = "json",
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    max_rows: int | None = None,
    dedupe: bool = False,
    escape_formulas: bool = False,
) -> ConvertPlan:
    """Decide which records go out, which are rejected for size and which are dropped.

    Args:
        prepared: The result of :func:`~activity_schema.jobs.whole.prepare`.
        to: ``json`` or ``csv``.
        max_bytes: The largest part (default: 32,000,000); None for one unlimited document.
        max_rows: The most records per part.
        dedupe: Drop rows whose field values equal an earlier row's (across all inputs);
            the first is kept. Eloqua would create one activity per copy.
        escape_formulas: Prefix values a spreadsheet would run as a formula (``=``,
            ``+``, ``-``, ``@``...) with a single quote. Either way, CSV output reports
            them as ``formula-injection`` warnings (JSON output only when escaping).

    Returns:
        The plan; iterate :meth:`ConvertPlan.chunks` for the upload bodies.

    Raises:
        UsageError: An unknown format or an impossible limit.

    Example:
        >>> from activity_schema.jobs.whole import prepare
        >>> rows = [{"activityId": "1", "email": "a@b.co", "type": "Registered"}] * 2
        >>> plan = plan_convert(prepare(rows), dedupe=True)
        >>> plan.rows_out, plan.rows_dropped, [c.rows for c in plan.chunks()]
        (1, 1, [1])
    """
    if to not in CONTENT_TYPES:
        raise UsageError(f"unknown output format {to!r}", hint="use json or csv")
    fields = prepared.spec.names
    if max_bytes is not None:
        check_limits(fields, to=to, max_bytes=max_bytes, max_rows=max_rows)
    elif max_rows is not None:
        raise UsageError("a row limit needs a byte limit", hint="use chunks() with max_bytes")
    frame = _with_input(prepared)
    dropped = _empty_dropped()
    if dedupe and frame.height:
        frame, dropped = _dedupe(frame, fields)
    too_large = pl.DataFrame(
        schema={FILE: pl.String, ROW: pl.Int64, LINE: pl.Int64, "bytes": pl.Int64}
    )
    formula_warnings = empty_issues()
    if frame.height and (to == "csv" or escape_formulas):
        formula_warnings = formula_issues(frame, fields, file_column=FILE, escaped=escape_formulas)
        if escape_formulas:
            # Before sizing: the quote adds a byte to each escaped value.
            frame = frame.with_columns(escape_formula_values(pl.col(f)).alias(f) for f in fields)
    sizes = None
    too_large_per_input = [0] * len(prepared.tables)
    if max_bytes is not None and frame.height:
        # Sized, not encoded: each part's records are encoded when it is written.
        sizes = record_sizes(frame, fields, to=to)
        too_large = oversized_records(frame, fields, to=to, max_bytes=max_bytes, sizes=sizes)
        if too_large.height:
            sized_inputs = frame.join(
                too_large.select(FILE, ROW).unique(), on=[FILE, ROW], how="semi"
            ).get_column(INPUT)
            for index, n in sized_inputs.value_counts().iter_rows():
                too_large_per_input[int(index)] = int(n)
            # (file, row) is unique unless one path is given twice, and then both copies
            # are the same record, too large in both.
            kept = frame.with_row_index("__at").join(
                too_large.select(FILE, ROW), on=[FILE, ROW], how="anti", maintain_order="left"
            )
            sizes = sizes.take(kept.get_column("__at").to_numpy())
            frame = kept.drop("__at")
    issues = pl.concat(
        [
            _too_large_issues(too_large, to, max_bytes),
            _dropped_issues(dropped, prepared),
            formula_warnings.pipe(conform_issues),
        ]
    )
    plan = ConvertPlan(
        prepared=prepared,
        to=to,
        max_bytes=max_bytes,
        max_rows=max_rows,
        dedupe=dedupe,
        escape_formulas=escape_formulas,
        frame=frame,
        too_large=too_large,
        dropped=dropped,
        issues=issues,
        too_large_per_input=tuple(too_large_per_input),
        _sizes=sizes,
    )
    if plan.rows_in != plan.rows_out + plan.rows_rejected + plan.rows_dropped:
        raise AssertionError(
            f"rows do not add up: {plan.rows_in} in, {plan.rows_out} out, "
            f"{plan.rows_rejected} rejected, {plan.rows_dropped} dropped (this is a bug)"
        )
    return plan


def _with_input(prepared: Prepared) -> pl.DataFrame:
    clean = prepared.clean
    if not prepared.tables:
        return pl.DataFrame(
            schema={INPUT: pl.Int64, FILE: pl.String, ROW: pl.Int64, LINE: pl.Int64}
        )
    # ``clean`` concatenates the inputs' valid rows in input order; tag each with its input,
    # since two inputs may share a display name.
    counts = [t.source.rows - t.rejected.height for t in prepared.tables]
    index = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    return clean.with_columns(pl.Series(INPUT, index, dtype=pl.Int64)).select(
        INPUT, pl.exclude(INPUT)
    )


#: The columns of a plan's ``dropped`` frame: each copy removed, and the row kept.
DROPPED_SCHEMA: Final[dict[str, type[pl.DataType]]] = {
    INPUT: pl.Int64,
    FILE: pl.String,
    ROW: pl.Int64,
    LINE: pl.Int64,
    "kept_input": pl.Int64,
    "kept_row": pl.Int64,
    "kept_line": pl.Int64,
}


def _empty_dropped() -> pl.DataFrame:
    return pl.DataFrame(schema=DROPPED_SCHEMA)


def _dedupe(frame: pl.DataFrame, fields: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
    marked = frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("__pos"))
    marked = marked.with_columns(pl.col("__pos").min().over(list(fields)).alias("__first"))
    keep = pl.col("__pos") == pl.col("__first")
    kept = marked.filter(keep).drop("__pos", "__first")
    originals = marked.select(
        pl.col("__pos").alias("__first"),
        pl.col(INPUT).alias("kept_input"),
        pl.col(ROW).alias("kept_row"),
        pl.col(LINE).alias("kept_line"),
    )
    dropped = (
        marked.filter(~keep)
        .join(originals, on="__first", how="left", maintain_order="left")
        .select(INPUT, FILE, ROW, LINE, "kept_input", "kept_row", "kept_line")
    )
    return kept, dropped


def _too_large_issues(too_large: pl.DataFrame, to: str, max_bytes: int | None) -> pl.DataFrame:
    if not too_large.height:
        return empty_issues()
    info = CODE_INFO[IssueCode.RECORD_TOO_LARGE]
    parts = []
    for name, rows in too_large.partition_by(FILE, maintain_order=True, as_dict=True).items():
        parts.append(
            issue_frame(
                rows,
                code=IssueCode.RECORD_TOO_LARGE,
                severity=Severity.ERROR,
                message=_too_large_message(to, max_bytes),
                file=str(name[0]),
                fix=info.fix,
            )
        )
    return pl.concat(parts).pipe(conform_issues)


def _too_large_message(to: str, max_bytes: int | None) -> pl.Expr:
    return pl.format(
        f"the record needs a {to.upper()} part of {{}} bytes on its own, over the "
        f"{max_bytes}-byte limit",
        pl.col("bytes"),
    )


def _dropped_issues(dropped: pl.DataFrame, prepared: Prepared) -> pl.DataFrame:
    if not dropped.height:
        return empty_issues()
    names = {i: t.source.name for i, t in enumerate(prepared.tables)}
    rows = dropped.with_columns(
        pl.col("kept_input").replace_strict(names, return_dtype=pl.String).alias("__kept_file")
    )
    parts = [
        issue_frame(
            group,
            code=IssueCode.DUPLICATE_ROW,
            severity=Severity.INFO,
            message=pl.format(
                "dropped: same values as {} row {}", pl.col("__kept_file"), pl.col("kept_row")
            ),
            file=str(key[0]),
            fix="removed by --dedupe",
        )
        for key, group in rows.partition_by(FILE, maintain_order=True, as_dict=True).items()
    ]
    return pl.concat(parts).pipe(conform_issues)


def _rejects(
    prepared: Prepared, too_large: pl.DataFrame, max_bytes: int | None, to: str
) -> pl.DataFrame:
    base = _keep_source_column(prepared.rejects, "messages")
    per_row, per_file = _messages(prepared.listed)  # errors only: never a rewrite
    checked = (
        base.join(per_row, on=[FILE, ROW], how="left", maintain_order="left")
        .join(per_file, on=FILE, how="left", maintain_order="left")
        .with_columns(
            # A file-level error (a missing column) rejects every row of its file.
            pl.concat_str(
                "file_text", "row_text", separator=MESSAGE_SEPARATOR, ignore_nulls=True
            ).alias("messages")
        )
        .drop("file_text", "row_text")
    )
    frames = [checked.select(FILE, ROW, LINE, "codes", "messages", pl.exclude(*REJECT_COLUMNS))]
    if too_large.height:
        originals = pl.concat(
            [
                _keep_source_column(
                    _keep_source_column(t.source.frame, "codes"), "messages"
                ).with_columns(pl.lit(t.source.name).alias(FILE))
                for t in prepared.tables
            ],
            how="diagonal_relaxed",
        ).unique([FILE, ROW], keep="first", maintain_order=True)
        sized = too_large.with_columns(
            pl.lit(str(IssueCode.RECORD_TOO_LARGE)).alias("codes"),
            _too_large_message(to, max_bytes).alias("messages"),
        ).drop("bytes")
        frames.append(
            sized.join(originals.drop(LINE), on=[FILE, ROW], how="left", maintain_order="left")
        )
    rejects = pl.concat(frames, how="diagonal_relaxed")
    order = {
        name: i for i, name in reversed(list(enumerate(t.source.name for t in prepared.tables)))
    }
    return (
        rejects.with_columns(
            pl.col(FILE).replace_strict(order, return_dtype=pl.Int64).alias("__input")
        )
        .sort("__input", ROW, maintain_order=True)
        .drop("__input")
    )


def _keep_source_column(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    # An input column named like one of the rejects file's own keeps its values.
    return frame.rename({name: f"{name} (source)"}) if name in frame.columns else frame


def _messages(issues: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    errors = issues.filter(pl.col("severity") == str(Severity.ERROR)).select(
        pl.col("file").alias(FILE),
        pl.col("row").alias(ROW),
        pl.when(pl.col("field").is_not_null())
        .then(pl.format("{}: {}", pl.col("field"), pl.col("message")))
        .otherwise(pl.col("message"))
        .alias("text"),
    )
    per_row = (
        errors.filter(pl.col(ROW).is_not_null())
        .group_by(FILE, ROW, maintain_order=True)
        .agg(
            pl.col("text").unique(maintain_order=True).str.join(MESSAGE_SEPARATOR).alias("row_text")
        )
    )
    per_file = (
        errors.filter(pl.col(ROW).is_null())
        .group_by(FILE, maintain_order=True)
        .agg(
            pl.col("text")
            .unique(maintain_order=True)
            .str.join(MESSAGE_SEPARATOR)
            .alias("file_text")
        )
    )
    return per_row, per_file
