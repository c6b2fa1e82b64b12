"""The convert job's file-system edge: write parts, ``rejects.csv`` and ``manifest.json``.

:func:`convert` writes a :class:`~activity_schema.output.plan.ConvertPlan` into an output folder;
:func:`write_stream` writes one document to a stream (``-o -``). Parts are written under
a sibling staging folder and swapped with the output folder in one atomic step when the
whole run is complete (:mod:`activity_schema.output.folder`): a reader of the folder
finds the earlier complete run or the new one, never half.

- ``OUTDIR/part-00001.json`` ...: the upload bodies, with their sources in the manifest;
- ``OUTDIR/rejects.csv``: every rejected row, its codes, messages and original values;
- ``OUTDIR/manifest.json``: inputs, schema, parts (and each record's source), counts.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl

from .._version import __version__
from ..checking.result import Prepared, Summary
from ..defaults import DEFAULT_MAX_BYTES, MAX_POSTS_PER_SYNC
from ..issues.codes import IssueCode, Severity
from ..readers import FILE, LINE, ROW
from .encode import CONTENT_TYPES, OutputFormat, encode_document
from .folder import OutputFolder, StepHook, output_error
from .plan import (
    INPUT,
    MANIFEST_NAME,
    MANIFEST_VERSION,
    REJECTS_NAME,
    ConvertPlan,
    part_name,
    plan_convert,
)

__all__ = ["ConvertResult", "Part", "convert", "write_stream"]


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
        summary: The report's counts, with what the conversion added (records rejected
            for their size, its errors and warnings); None when not computed.
        rejected_per_input: Rows rejected of each input, by checks or for their size.
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
    summary: Summary | None = None
    rejected_per_input: tuple[int, ...] = ()

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
        summary=plan.summary(),
        rejected_per_input=tuple(
            t.rejected.height + sized
            for t, sized in zip(plan.prepared.tables, plan.too_large_per_input, strict=True)
        ),
    )


def write_stream(
    prepared: Prepared,
    stream: BinaryIO,
    *,
    to: OutputFormat = "json",
    dedupe: bool = False,
    escape_formulas: bool = False,
) -> ConvertResult:
    """Write every clean record to ``stream`` as one JSON array or CSV, without parts.

    For ``-o -``: no byte limit applies and no rejects file is written; the caller
    reports the rejects (``prepared.rejects``) elsewhere.

    Args:
        prepared: The result of :func:`~activity_schema.jobs.whole.prepare`.
        stream: A binary stream, e.g. ``sys.stdout.buffer``.
        to: ``json`` or ``csv``.
        dedupe: Drop copies of earlier rows (see :func:`plan_convert`).
        escape_formulas: Quote values a spreadsheet would run (see :func:`plan_convert`).

    Returns:
        The counts (``parts`` is empty).

    Example:
        >>> import io
        >>> from activity_schema.jobs.whole import prepare
        >>> out = io.BytesIO()
        >>> _ = write_stream(prepare([{"activityId": "1", "email": "a@b.co", "type": "T"}]), out)
        >>> out.getvalue()
        b'[\\n{"activityId":"1","email":"a@b.co","type":"T"}\\n]\\n'
    """
    plan = plan_convert(
        prepared, to=to, max_bytes=None, dedupe=dedupe, escape_formulas=escape_formulas
    )
    for piece in plan.document():
        stream.write(piece)
    stream.flush()
    return _result(plan, None, ())


def convert(
    prepared: Prepared,
    outdir: str | Path | OutputFolder,
    *,
    to: OutputFormat = "json",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int | None = None,
    dedupe: bool = False,
    escape_formulas: bool = False,
    force: bool = False,
    input_hashes: dict[str, str] | None = None,
    on_step: StepHook | None = None,
) -> ConvertResult:
    """Write the upload parts, ``rejects.csv`` and ``manifest.json`` into ``outdir``.

    The run is written into a sibling staging folder, flushed to the disk, and swapped
    with ``outdir`` in one atomic step (see :mod:`activity_schema.output.folder`): at
    every instant, and after a crash at any point, ``outdir`` holds the earlier complete
    run or this complete run, never part of one. A second convert into the same folder
    while this one runs is refused (:class:`~activity_schema.errors.LockedError`).

    Args:
        prepared: The result of :func:`~activity_schema.jobs.whole.prepare`.
        outdir: The output folder; created if missing. Or an
            :class:`~activity_schema.output.folder.OutputFolder` the caller has already
            claimed (the command line claims it before reading the inputs); then
            ``force`` and ``on_step`` are the folder's.
        to: ``json`` or ``csv``.
        max_bytes: The largest part (default: 32,000,000 bytes).
        max_rows: The most records per part.
        dedupe: Drop copies of earlier rows (see :func:`plan_convert`).
        escape_formulas: Quote values a spreadsheet would run (see :func:`plan_convert`).
        force: Replace the parts, rejects and manifest of an earlier run in ``outdir``
            (other files, such as ``upload-state.json``, are carried over unchanged).
        input_hashes: Hex SHA-256 of each input's bytes, by display name, for the
            manifest; by default taken from the source table when it carries one, else
            from the file at that path.
        on_step: Called with the name of each step of the commit (a seam for
            fault-injection tests; see ``folder.COMMIT_STEPS``).

    Returns:
        What was written, with the counts.

    Raises:
        UsageError: ``outdir`` holds an earlier run and ``force`` is not set, is not a
            folder, or a limit is impossible.
        LockedError: Another convert (or an upload) is using ``outdir``.
        OutputError: The output cannot be written (a full disk, a read-only or
            unwritable folder); ``outdir`` is left as it was.

    Example:
        >>> from activity_schema.jobs.whole import prepare  # doctest: +SKIP
        >>> result = convert(prepare("export.csv"), "out", max_bytes=10_000_000)  # doctest: +SKIP
        >>> [p.file for p in result.parts]  # doctest: +SKIP
        ['part-00001.json']
    """
    plan = plan_convert(
        prepared,
        to=to,
        max_bytes=max_bytes,
        max_rows=max_rows,
        dedupe=dedupe,
        escape_formulas=escape_formulas,
    )
    with contextlib.ExitStack() as stack:
        if isinstance(outdir, OutputFolder):
            folder = outdir
        else:
            folder = stack.enter_context(OutputFolder(outdir, force=force, on_step=on_step))
        try:
            result = _write(plan, folder, input_hashes or {})
        except OSError as err:
            raise output_error(err, folder.given) from err
    return result


def _write(plan: ConvertPlan, folder: OutputFolder, hashes: dict[str, str]) -> ConvertResult:
    """Stage every file of the run in ``folder``, then commit it."""
    parts: list[Part] = []
    offset = 0
    for chunk in plan.chunks():
        name = part_name(chunk.index, plan.to)
        path = folder.stage(name, [chunk.body])
        sources = plan.frame.select(INPUT, FILE, ROW, LINE).slice(offset, chunk.rows)
        offset += chunk.rows
        parts.append(Part(name, path, chunk.rows, chunk.size, chunk.sha256, sources))
    if offset != plan.rows_out:
        raise AssertionError(f"{offset} records in parts, {plan.rows_out} planned (this is a bug)")
    rejects = plan.rejects()
    folder.stage(REJECTS_NAME, encode_document(rejects, rejects.columns, to="csv"))
    result = _result(plan, folder.given, tuple(parts))
    manifest = _manifest(plan, result, rejects.height, hashes)
    folder.stage(MANIFEST_NAME, [manifest.encode("utf-8")])
    folder.commit()
    return result


def _input_hash(prepared: Prepared, index: int, given: dict[str, str]) -> str | None:
    source = prepared.tables[index].source
    # Readers hash the bytes they read; in-memory frames have no bytes to hash.
    return given.get(source.name, source.sha256)


class _Raw(str):
    """Text placed into the manifest as it is (pre-rendered JSON)."""

    __slots__ = ()


def _manifest(
    plan: ConvertPlan, result: ConvertResult, rejected: int, hashes: dict[str, str]
) -> str:
    prepared = plan.prepared
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
    return _manifest_text(
        plan,
        result,
        rejected,
        inputs=[
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
        rejected_by_code={str(c): int(n) for c, n in rejected_by_code.iter_rows()},
        records=[_Raw(_triples(p.sources, INPUT, ROW, LINE)) for p in result.parts],
        dropped=_Raw(
            _triples(plan.dropped, INPUT, ROW, LINE, "kept_input", "kept_row", "kept_line")
        ),
    )


def _manifest_text(
    plan: ConvertPlan,
    result: ConvertResult,
    rejected: int,
    *,
    inputs: list[dict[str, Any]],
    rejected_by_code: dict[str, int],
    records: list[_Raw],
    dropped: _Raw,
) -> str:
    """Render the manifest; the per-input, per-part and dropped pieces are given.

    The streamed convert (:mod:`activity_schema.jobs.stream`) renders its manifest here too,
    with placeholders for the record lists that it writes from disk.
    """
    prepared = plan.prepared
    spec = prepared.spec
    manifest: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "activity-schema", "version": __version__},
        "format": plan.to,
        "content_type": CONTENT_TYPES[plan.to],
        "max_bytes": plan.max_bytes,
        "max_rows": plan.max_rows,
        "fix": prepared.settings.fix,
        "dedupe": plan.dedupe,
        "escape_formulas": plan.escape_formulas,
        "schema": {"name": spec.name, "origin": spec.origin, "fields": list(spec.names)},
        "inputs": inputs,
        "rows_in": result.rows_in,
        "rows_out": result.rows_out,
        "rows_rejected": result.rows_rejected,
        "rows_dropped": result.rows_dropped,
        "rejected_by_code": rejected_by_code,
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
                "records": r,
            }
            for p, r in zip(result.parts, records, strict=True)
        ],
        "dropped_source": ["input", "row", "line", "kept_input", "kept_row", "kept_line"],
        "dropped": dropped,
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
