"""The convert job: turn a prepared run into upload parts, a rejects file and a manifest.

:func:`plan_convert` is the pure core (and the Python API for uploader tools): it takes a
:class:`~activity_schema.pipeline.Prepared` result, removes duplicates when asked, rejects
records too large for any part, and returns a :class:`ConvertPlan` whose
:meth:`~ConvertPlan.chunks` are the upload bodies. :func:`convert` and
:func:`write_stream` are the file-system edge that ``activity-schema convert`` calls.

Every input row ends up in exactly one place, so that
``rows_in == rows_out + rows_rejected + rows_dropped``:

- a part (``OUTDIR/part-00001.json`` ...), with its source in ``manifest.json``;
- ``OUTDIR/rejects.csv``, with the codes and messages that rejected it and its original
  values, so it can be fixed and sent again;
- dropped as a copy of an earlier row (``dedupe``), listed in ``manifest.json``.

A folder is complete when it holds ``manifest.json``, which is written last.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

import numpy as np
import polars as pl

from ._version import __version__
from .codes import CODE_INFO, IssueCode, Severity
from .defaults import DEFAULT_MAX_BYTES, MAX_POSTS_PER_SYNC
from .errors import UsageError
from .pipeline import FILE, Prepared
from .readers import LINE, ROW
from .report import ISSUE_SCHEMA, empty_issues, issue_frame
from .writers import (
    CONTENT_TYPES,
    Chunk,
    OutputFormat,
    check_limits,
    encode_chunks,
    encode_document,
    encode_records,
    oversized_records,
)

__all__ = [
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "REJECTS_NAME",
    "ConvertPlan",
    "ConvertResult",
    "Part",
    "convert",
    "part_name",
    "plan_convert",
    "write_stream",
]

#: The manifest's file name in OUTDIR.
MANIFEST_NAME: Final = "manifest.json"
#: The rejects file's name in OUTDIR.
REJECTS_NAME: Final = "rejects.csv"
#: Bumped when the manifest's layout changes incompatibly.
MANIFEST_VERSION: Final = 1
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
        frame: The records to write, in order: ``_input``, ``_file``, ``_row``,
            ``_line``, then the schema's fields.
        too_large: ``_file``, ``_row``, ``_line``, ``bytes`` of records rejected because
            they alone exceed ``max_bytes``.
        dropped: ``_input``, ``_file``, ``_row``, ``_line`` of each row removed as a copy,
            and ``kept_input``, ``kept_row``, ``kept_line`` of the row kept instead.
        issues: The issues this stage adds (``record-too-large`` errors, and ``info``
            issues for dropped copies), as an issue frame.
    """

    prepared: Prepared
    to: OutputFormat
    max_bytes: int | None
    max_rows: int | None
    dedupe: bool
    frame: pl.DataFrame
    too_large: pl.DataFrame
    dropped: pl.DataFrame
    issues: pl.DataFrame
    _records: pl.Series | None = field(default=None, repr=False)

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

    def chunks(self) -> Iterator[Chunk]:
        """Yield the upload bodies (see :func:`~activity_schema.writers.encode_chunks`).

        Raises:
            UsageError: The plan was made without a byte limit.
        """
        if self.max_bytes is None:
            raise UsageError("this plan has no byte limit", hint="use document() instead")
        return encode_chunks(
            self.frame,
            self.fields,
            to=self.to,
            max_bytes=self.max_bytes,
            max_rows=self.max_rows,
            records=self._records,
        )

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
) -> ConvertPlan:
    """Decide which records go out, which are rejected for size and which are dropped.

    Args:
        prepared: The result of :func:`~activity_schema.pipeline.prepare`.
        to: ``json`` or ``csv``.
        max_bytes: The largest part (default: 32,000,000); None for one unlimited document.
        max_rows: The most records per part.
        dedupe: Drop rows whose field values equal an earlier row's (across all inputs);
            the first is kept. Eloqua would create one activity per copy.

    Returns:
        The plan; iterate :meth:`ConvertPlan.chunks` for the upload bodies.

    Raises:
        UsageError: An unknown format or an impossible limit.

    Example:
        >>> from activity_schema.pipeline import prepare
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
    records = None
    if max_bytes is not None and frame.height:
        records = encode_records(frame, fields, to=to)
        too_large = oversized_records(frame, fields, to=to, max_bytes=max_bytes, records=records)
        if too_large.height:
            # (file, row) is unique unless one path is given twice, and then both copies
            # are the same record, too large in both.
            kept = frame.with_columns(records.alias("__record")).join(
                too_large.select(FILE, ROW), on=[FILE, ROW], how="anti", maintain_order="left"
            )
            records, frame = kept.get_column("__record"), kept.drop("__record")
    issues = pl.concat(
        [_too_large_issues(too_large, to, max_bytes), _dropped_issues(dropped, prepared)]
    )
    plan = ConvertPlan(
        prepared=prepared,
        to=to,
        max_bytes=max_bytes,
        max_rows=max_rows,
        dedupe=dedupe,
        frame=frame,
        too_large=too_large,
        dropped=dropped,
        issues=issues,
        _records=records,
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


def _empty_dropped() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            INPUT: pl.Int64,
            FILE: pl.String,
            ROW: pl.Int64,
            LINE: pl.Int64,
            "kept_input": pl.Int64,
            "kept_row": pl.Int64,
            "kept_line": pl.Int64,
        }
    )


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
    return pl.concat(parts).cast(ISSUE_SCHEMA)  # type: ignore[arg-type]


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
    return pl.concat(parts).cast(ISSUE_SCHEMA)  # type: ignore[arg-type]


def _rejects(
    prepared: Prepared, too_large: pl.DataFrame, max_bytes: int | None, to: str
) -> pl.DataFrame:
    base = _keep_source_column(prepared.rejects, "messages")
    per_row, per_file = _messages(prepared.issues)
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


# --- the file-system edge ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Part:
    """One written part.

    Attributes:
        file: The file name inside OUTDIR (``part-00001.json``).
        path: The full path.
        rows: Records in it.
        bytes: Its size.
        sha256: Hex SHA-256 of its bytes.
        sources: ``_input``, ``_file``, ``_row``, ``_line`` of each record, in order.
    """

    file: str
    path: Path
    rows: int
    bytes: int
    sha256: str
    sources: pl.DataFrame


@dataclass(frozen=True, eq=False)
class ConvertResult:
    """What a conversion wrote, and the counts that add up.

    Attributes:
        outdir: The output folder (None when streamed).
        to: ``json`` or ``csv``.
        parts: The parts written, in order (empty when streamed).
        rows_in: Input records.
        rows_out: Records written.
        rows_rejected: Records rejected (in ``rejects.csv`` when written to a folder).
        rows_dropped: Copies removed by ``dedupe``.
        fixes: Fixes applied, counted by issue code.
        issues: Issues the conversion added to the run's (``record-too-large``, dropped
            copies); a report shows them after ``Prepared.issues``.
        rejects_path: ``OUTDIR/rejects.csv``.
        manifest_path: ``OUTDIR/manifest.json``.
    """

    outdir: Path | None
    to: OutputFormat
    parts: tuple[Part, ...]
    rows_in: int
    rows_out: int
    rows_rejected: int
    rows_dropped: int
    fixes: dict[str, int]
    issues: pl.DataFrame
    rejects_path: Path | None = None
    manifest_path: Path | None = None

    @property
    def exceeds_sync_limit(self) -> bool:
        """Return whether there are more parts than one sync accepts (500 POSTs)."""
        return len(self.parts) > MAX_POSTS_PER_SYNC


def _fixes(prepared: Prepared) -> dict[str, int]:
    counts = (
        prepared.issues.filter(pl.col("severity") == str(Severity.FIXED))
        .group_by("code")
        .len()
        .sort("code")
    )
    return {str(code): int(n) for code, n in counts.iter_rows()}


def _result(plan: ConvertPlan, outdir: Path | None, parts: tuple[Part, ...]) -> ConvertResult:
    return ConvertResult(
        outdir=outdir,
        to=plan.to,
        parts=parts,
        rows_in=plan.rows_in,
        rows_out=plan.rows_out,
        rows_rejected=plan.rows_rejected,
        rows_dropped=plan.rows_dropped,
        fixes=_fixes(plan.prepared),
        issues=plan.issues,
        rejects_path=outdir / REJECTS_NAME if outdir else None,
        manifest_path=outdir / MANIFEST_NAME if outdir else None,
    )


def write_stream(
    prepared: Prepared,
    stream: BinaryIO,
    *,
    to: OutputFormat = "json",
    dedupe: bool = False,
) -> ConvertResult:
    """Write every clean record to ``stream`` as one JSON array or CSV, without parts.

    For ``-o -``: no byte limit applies and no rejects file is written; the caller
    reports the rejects (``prepared.rejects``) elsewhere.

    Args:
        prepared: The result of :func:`~activity_schema.pipeline.prepare`.
        stream: A binary stream, e.g. ``sys.stdout.buffer``.
        to: ``json`` or ``csv``.
        dedupe: Drop copies of earlier rows (see :func:`plan_convert`).

    Returns:
        The counts (``parts`` is empty).

    Example:
        >>> import io
        >>> from activity_schema.pipeline import prepare
        >>> out = io.BytesIO()
        >>> _ = write_stream(prepare([{"activityId": "1", "email": "a@b.co", "type": "T"}]), out)
        >>> out.getvalue()
        b'[\\n{"activityId":"1","email":"a@b.co","type":"T"}\\n]\\n'
    """
    plan = plan_convert(prepared, to=to, max_bytes=None, dedupe=dedupe)
    for piece in plan.document():
        stream.write(piece)
    stream.flush()
    return _result(plan, None, ())


def convert(
    prepared: Prepared,
    outdir: str | Path,
    *,
    to: OutputFormat = "json",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int | None = None,
    dedupe: bool = False,
    force: bool = False,
    input_hashes: dict[str, str] | None = None,
) -> ConvertResult:
    """Write the upload parts, ``rejects.csv`` and ``manifest.json`` into ``outdir``.

    Parts are written under temporary names (``.part-00001.json.tmp``) and renamed only
    when every file of the run is complete; ``manifest.json`` is renamed last. A run
    that fails removes what it wrote, so no file looks like a finished part.

    Args:
        prepared: The result of :func:`~activity_schema.pipeline.prepare`.
        outdir: The output folder; created if missing.
        to: ``json`` or ``csv``.
        max_bytes: The largest part (default: 32,000,000 bytes).
        max_rows: The most records per part.
        dedupe: Drop copies of earlier rows (see :func:`plan_convert`).
        force: Replace the parts, rejects and manifest of an earlier run in ``outdir``
            (other files are left alone).
        input_hashes: Hex SHA-256 of each input's bytes, by display name, for the
            manifest; by default taken from the source table when it carries one, else
            from the file at that path.

    Returns:
        What was written, with the counts.

    Raises:
        UsageError: ``outdir`` holds an earlier run and ``force`` is not set, is not a
            folder, cannot be written, or a limit is impossible.

    Example:
        >>> from activity_schema.pipeline import prepare  # doctest: +SKIP
        >>> result = convert(prepare("export.csv"), "out", max_bytes=10_000_000)  # doctest: +SKIP
        >>> [p.file for p in result.parts]  # doctest: +SKIP
        ['part-00001.json']
    """
    plan = plan_convert(prepared, to=to, max_bytes=max_bytes, max_rows=max_rows, dedupe=dedupe)
    out = Path(outdir)
    _claim(out, force=force)
    staged: list[tuple[Path, Path]] = []
    done: list[Path] = []
    try:
        parts: list[Part] = []
        offset = 0
        for chunk in plan.chunks():
            name = part_name(chunk.index, to)
            staged.append(_stage(out, name, [chunk.body]))
            sources = plan.frame.select(INPUT, FILE, ROW, LINE).slice(offset, chunk.rows)
            offset += chunk.rows
            parts.append(Part(name, out / name, chunk.rows, chunk.size, chunk.sha256, sources))
        if offset != plan.rows_out:
            raise AssertionError(
                f"{offset} records in parts, {plan.rows_out} planned (this is a bug)"
            )
        rejects = plan.rejects()
        staged.append(
            _stage(out, REJECTS_NAME, encode_document(rejects, rejects.columns, to="csv"))
        )
        result = _result(plan, out, tuple(parts))
        manifest = _manifest(plan, result, rejects.height, input_hashes or {})
        staged.append(_stage(out, MANIFEST_NAME, [manifest.encode("utf-8")]))
        for temp, final in staged:
            temp.replace(final)
            done.append(final)
    except OSError as err:
        _discard(staged, done)
        raise UsageError(
            f"cannot write the output: {err.strerror or err}",
            where=str(err.filename or out),
            hint="check the folder's permissions and free space",
        ) from err
    except BaseException:
        _discard(staged, done)
        raise
    return result


def _is_output(path: Path) -> bool:
    name = path.name
    if name in (MANIFEST_NAME, REJECTS_NAME):
        return True
    if name.startswith(".") and name.endswith(".tmp"):
        name = name[1:-4]
        if name in (MANIFEST_NAME, REJECTS_NAME):
            return True
    return name.startswith("part-") and Path(name).suffix in (".json", ".csv")


def _claim(out: Path, *, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(
            "the output folder is a file", where=str(out), hint="pass a folder with -o"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        # Parts first, so that the message names one.
        earlier = sorted(
            (p for p in out.iterdir() if _is_output(p)), key=lambda p: (p.name[0] != "p", p.name)
        )
        if earlier and not force:
            more = f" and {len(earlier) - 1} more file(s)" if len(earlier) > 1 else ""
            raise UsageError(
                f"the output folder already holds {earlier[0].name}{more} from an earlier run",
                where=str(out),
                hint="pass --force to replace them, or choose an empty folder",
            )
        for path in earlier:
            path.unlink()
    except OSError as err:
        raise UsageError(
            f"cannot use the output folder: {err.strerror or err}",
            where=str(err.filename or out),
            hint="check the path and its permissions",
        ) from err


def _stage(out: Path, name: str, pieces: Iterator[bytes] | list[bytes]) -> tuple[Path, Path]:
    temp = out / f".{name}.tmp"
    with temp.open("wb") as handle:
        for piece in pieces:
            handle.write(piece)
    return temp, out / name


def _discard(staged: list[tuple[Path, Path]], done: list[Path]) -> None:
    for path in [*(temp for temp, _ in staged), *done]:
        path.unlink(missing_ok=True)


def _input_hash(prepared: Prepared, index: int, given: dict[str, str]) -> str | None:
    source = prepared.tables[index].source
    if source.name in given:
        return given[source.name]
    carried = getattr(source, "sha256", None)
    if isinstance(carried, str):
        return carried
    path = Path(source.name)
    if source.format == "frame" or not path.is_file():
        return None
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None  # read once already; a hash is worth less than the run
    return digest.hexdigest()


class _Raw(str):
    """Text placed into the manifest as it is (pre-rendered JSON)."""

    __slots__ = ()


def _manifest(
    plan: ConvertPlan, result: ConvertResult, rejected: int, hashes: dict[str, str]
) -> str:
    prepared = plan.prepared
    spec = prepared.spec
    rejected_by_code = (
        pl.concat(
            [
                prepared.rejects.select(pl.col("codes").str.split(",")).explode("codes"),
                pl.DataFrame({"codes": [str(IssueCode.RECORD_TOO_LARGE)] * plan.too_large.height}),
            ]
        )
        .group_by("codes")
        .len()
        .sort("codes")
    )
    manifest: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "activity-schema", "version": __version__},
        "format": plan.to,
        "content_type": CONTENT_TYPES[plan.to],
        "max_bytes": plan.max_bytes,
        "max_rows": plan.max_rows,
        "fix": prepared.settings.fix,
        "dedupe": plan.dedupe,
        "schema": {"name": spec.name, "origin": spec.origin, "fields": list(spec.names)},
        "inputs": [
            {
                "index": i,
                "path": t.source.name,
                "sha256": _input_hash(prepared, i, hashes),
                "encoding": t.source.encoding,
                "format": t.source.format,
                "rows": t.source.rows,
                "blank_rows_skipped": t.source.blank_rows,
            }
            for i, t in enumerate(prepared.tables)
        ],
        "rows_in": result.rows_in,
        "rows_out": result.rows_out,
        "rows_rejected": result.rows_rejected,
        "rows_dropped": result.rows_dropped,
        "rejected_by_code": {str(c): int(n) for c, n in rejected_by_code.iter_rows()},
        "fixes": result.fixes,
        "part_count": len(result.parts),
        "max_parts_per_sync": MAX_POSTS_PER_SYNC,
        "exceeds_sync_limit": result.exceeds_sync_limit,
        "rejects": {"file": REJECTS_NAME, "rows": rejected},
        "record_source": ["input", "row", "line"],
        "parts": [
            {
                "file": p.file,
                "rows": p.rows,
                "bytes": p.bytes,
                "sha256": p.sha256,
                "records": _Raw(_triples(p.sources, INPUT, ROW, LINE)),
            }
            for p in result.parts
        ],
        "dropped_source": ["input", "row", "line", "kept_input", "kept_row", "kept_line"],
        "dropped": _Raw(
            _triples(plan.dropped, INPUT, ROW, LINE, "kept_input", "kept_row", "kept_line")
        ),
    }
    return _dump(manifest) + "\n"


def _triples(frame: pl.DataFrame, *columns: str) -> str:
    """Render rows of integers as a JSON array, one ``[a, b, c]`` per line."""
    if not frame.height:
        return "[]"
    template = "[" + ", ".join("{}" for _ in columns) + "]"
    lines = frame.select(pl.format(template, *columns).alias("t")).to_series()
    return "[\n  " + str(lines.str.join(",\n  ").item()) + "\n]"


def _dump(value: Any, indent: int = 0) -> str:
    """Dump JSON with two-space indents, keeping lists of scalars on one line."""
    pad = "  " * (indent + 1)
    if isinstance(value, _Raw):
        return str(value).replace("\n", "\n" + "  " * indent)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{pad}{json.dumps(k, ensure_ascii=False)}: {_dump(v, indent + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        items = [pad + _dump(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    return json.dumps(value, ensure_ascii=False)
