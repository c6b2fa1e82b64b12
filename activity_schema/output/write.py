"""The convert job's file-system edge: write parts, ``rejects.csv`` and ``manifest.json``.

:func:`convert` writes a :class:`~activity_schema.output.plan.ConvertPlan` into an output folder;
:func:`write_document` writes one document to a file such as stdout (``-o -``). Parts are
written under a sibling staging folder and swapped with the output folder in one atomic
step when the whole run is complete (:mod:`activity_schema.output.folder`): a reader of the folder
finds the earlier complete run or the new one, never half.

- ``OUTDIR/part-00001.json`` ...: the upload bodies, with their sources in the manifest;
- ``OUTDIR/rejects.csv``: every rejected row, its codes, messages and original values;
- ``OUTDIR/manifest.json``: inputs, schema, parts (and each record's source), counts.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl

from ..checking.result import Prepared, Summary
from ..defaults import DEFAULT_MAX_BYTES, MAX_POSTS_PER_SYNC
from ..issues.codes import Severity
from ..readers import FILE, LINE, ROW
from .encode import OutputFormat, encode_document
from .folder import OutputFolder, StepHook, output_error
from .manifest import MANIFEST_NAME, render_manifest
from .plan import (
    INPUT,
    REJECTS_NAME,
    ConvertPlan,
    part_name,
    plan_convert,
)

__all__ = ["ConvertResult", "HashingSink", "Part", "convert", "write_document"]

#: Bytes hashed and written at a time: small enough to be hashed while still in the CPU's
#: cache, large enough that the per-slice Python cost is nothing.
_SLICE_BYTES = 1 << 20


class HashingSink:
    """Pass a file's pieces to the writer and take their SHA-256 on the way.

    A part is hashed slice by slice as it is written, so its bytes are read from memory
    once, not once for the digest and once for the disk.

    Example:
        >>> sink = HashingSink([b"[\\n", b"{}", b"\\n]\\n"])
        >>> b"".join(sink)
        b'[\\n{}\\n]\\n'
        >>> sink.size, sink.hexdigest() == hashlib.sha256(b"[\\n{}\\n]\\n").hexdigest()
        (7, True)
    """

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = pieces
        self._digest = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Iterator[bytes | memoryview]:
        for piece in self._pieces:
            view = memoryview(piece)
            for start in range(0, len(view), _SLICE_BYTES):
                part = view[start : start + _SLICE_BYTES]
                self._digest.update(part)
                self.size += len(part)
                yield part

    def hexdigest(self) -> str:
        """Return the hex SHA-256 of every byte passed so far."""
        return self._digest.hexdigest()


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


def write_document(
    prepared: Prepared,
    out: BinaryIO,
    *,
    to: OutputFormat = "json",
    dedupe: bool = False,
    escape_formulas: bool = False,
) -> ConvertResult:
    """Write every clean record to ``out`` as one JSON array or CSV, without parts.

    For ``-o -``: no byte limit applies and no rejects file is written; the caller
    reports the rejects (``prepared.rejects``) elsewhere.

    Args:
        prepared: The result of :func:`~activity_schema.jobs.whole.prepare`.
        out: A binary file, e.g. ``sys.stdout.buffer``.
        to: ``json`` or ``csv``.
        dedupe: Drop copies of earlier rows (see :func:`plan_convert`).
        escape_formulas: Quote values a spreadsheet would run (see :func:`plan_convert`).

    Returns:
        The counts (``parts`` is empty).

    Example:
        >>> import io
        >>> from activity_schema.jobs.whole import prepare
        >>> out = io.BytesIO()
        >>> _ = write_document(prepare([{"activityId": "1", "email": "a@b.co", "type": "T"}]), out)
        >>> out.getvalue()
        b'[\\n{"activityId":"1","email":"a@b.co","type":"T"}\\n]\\n'
    """
    plan = plan_convert(
        prepared, to=to, max_bytes=None, dedupe=dedupe, escape_formulas=escape_formulas
    )
    for piece in plan.document():
        out.write(piece)
    out.flush()
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
        >>> import tempfile
        >>> from activity_schema import prepare
        >>> rows = [{"activityId": str(i), "email": f"a{i}@b.co", "type": "Registered"}
        ...         for i in range(3)]
        >>> tmp = tempfile.TemporaryDirectory()
        >>> result = convert(prepare(rows), Path(tmp.name) / "out", max_rows=2)
        >>> [(p.file, p.rows) for p in result.parts]
        [('part-00001.json', 2), ('part-00002.json', 1)]
        >>> tmp.cleanup()
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
        sink = HashingSink([chunk.body])
        path = folder.stage(name, sink)
        sources = plan.frame.select(INPUT, FILE, ROW, LINE).slice(offset, chunk.rows)
        offset += chunk.rows
        parts.append(Part(name, path, chunk.rows, sink.size, sink.hexdigest(), sources))
    if offset != plan.rows_out:
        raise AssertionError(f"{offset} records in parts, {plan.rows_out} planned (this is a bug)")
    rejects = plan.rejects()
    folder.stage(REJECTS_NAME, encode_document(rejects, rejects.columns, to="csv"))
    result = _result(plan, folder.given, tuple(parts))
    manifest = render_manifest(plan, result, rejected=rejects.height, hashes=hashes)
    folder.stage(MANIFEST_NAME, [manifest.encode("utf-8")])
    folder.commit()
    return result


def __getattr__(name: str) -> Any:
    # "Stream" means batched reading (jobs.stream); writing one document to stdout was
    # called write_stream before 0.2.
    if name == "write_stream":
        import warnings

        warnings.warn(
            "activity_schema.output.write.write_stream is deprecated: use write_document",
            DeprecationWarning,
            stacklevel=2,
        )
        return write_document
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
