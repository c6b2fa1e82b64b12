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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import polars as pl

from ..checking.result import Prepared, Summary
from ..defaults import DEFAULT_MAX_BYTES, MAX_POSTS_PER_SYNC
from ..readers import FILE, LINE, ROW
from .encode import Framing, OutputFormat, encode_document, part_framing
from .folder import OutputFolder, StepHook, output_error
from .manifest import MANIFEST_NAME, render_manifest
from .plan import (
    INPUT,
    REJECTS_NAME,
    ConvertPlan,
    part_name,
    plan_convert,
)

__all__ = [
    "ConvertResult",
    "HashingWriter",
    "Part",
    "convert",
    "write_document",
    "write_part",
]


class HashingWriter:
    """Write to a binary file and take the SHA-256 and size of what passes through.

    Example:
        >>> import io
        >>> out = io.BytesIO()
        >>> writer = HashingWriter(out)
        >>> writer.write(b"[]\\n")
        3
        >>> writer.size, writer.hexdigest() == hashlib.sha256(b"[]\\n").hexdigest()
        (3, True)
    """

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._digest = hashlib.sha256()
        self.size = 0
        #: The first error the file raised. polars, calling :meth:`write`, raises its own
        #: error instead: an OSError loses its ``errno``, an interrupt its kind.
        self.error: BaseException | None = None

    def write(self, data: bytes | memoryview) -> int:
        """Write ``data`` whole (the digest must see exactly what the file gets)."""
        view = memoryview(data)
        self._digest.update(view)
        self.size += view.nbytes
        written = 0
        try:
            while written < view.nbytes:  # a raw file may take less than asked
                written += self._handle.write(view[written:]) or 0
        except BaseException as err:
            self.error = self.error or err
            raise
        return view.nbytes

    def flush(self) -> None:
        """Flush the file."""
        self._handle.flush()

    def hexdigest(self) -> str:
        """Return the hex SHA-256 of every byte written so far."""
        return self._digest.hexdigest()


def write_part(handle: BinaryIO, records: pl.Series, framing: Framing) -> tuple[int, str]:
    """Write one part (``prefix + sep.join(records) + suffix``) and return its size and SHA-256.

    The records go from polars' buffers to the file by polars' own CSV writer, one
    record per line with ``sep`` as the line end and no quoting (each record is already
    the text to write), so the part is never built as one bytes object: building it
    took most of a million-row convert's writing time (issue 14). The bytes are those
    :func:`~activity_schema.output.encode.encode_chunks` gives for the same records.

    Args:
        handle: The file, open for writing bytes.
        records: The part's records (at least one).
        framing: The format's framing (:func:`~activity_schema.output.encode.part_framing`).

    Example:
        >>> import io
        >>> from .encode import part_framing
        >>> out = io.BytesIO()
        >>> records = pl.Series(['{"a":"1"}', '{"a":"2"}'])
        >>> write_part(out, records, part_framing(["a"], to="json"))[0]
        25
        >>> out.getvalue()
        b'[\\n{"a":"1"},\\n{"a":"2"}\\n]\\n'
    """
    if records.len() == 0:
        raise ValueError("a part holds at least one record")
    writer = HashingWriter(handle)
    writer.write(framing.prefix)
    last = records.len() - 1
    if last:
        try:
            records.slice(0, last).to_frame().write_csv(
                cast("IO[bytes]", writer),  # polars needs only write()
                include_header=False,
                quote_style="never",
                line_terminator=framing.sep.decode(),
            )
        except BaseException:
            if writer.error is not None:  # the file's own error (its errno, an interrupt)
                raise writer.error from None
            raise
    writer.write(str(records[last]).encode("utf-8") + framing.suffix)
    return writer.size, writer.hexdigest()


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


def _result(plan: ConvertPlan, outdir: Path | None, parts: tuple[Part, ...]) -> ConvertResult:
    return ConvertResult(
        outdir=outdir,
        to=plan.to,
        parts=parts,
        rows_in=plan.rows_in,
        rows_out=plan.rows_out,
        rows_rejected=plan.rows_rejected,
        rows_dropped=plan.rows_dropped,
        fixes=plan.prepared.fixes_by_code(),
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
    framing = part_framing(plan.fields, to=plan.to)
    cuts = plan.cuts()
    # Each part's records are encoded as it is written, never all of them at once: the
    # next part's on a thread (polars, off the GIL) while this one goes to the file. The
    # rejects are gathered on another meanwhile (the writing leaves part of a core idle).
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="encode") as encoder:
        gathered = encoder.submit(plan.rejects)
        ahead = [encoder.submit(plan.records_of, *cut) for cut in cuts[:1]]
        for index, (start, stop) in enumerate(cuts, start=1):
            records = ahead.pop().result()
            if index < len(cuts):
                ahead.append(encoder.submit(plan.records_of, *cuts[index]))
            name = part_name(index, plan.to)
            with folder.open_staged(name) as handle:
                size, sha256 = write_part(handle, records, framing)
            del records
            sources = plan.frame.select(INPUT, FILE, ROW, LINE).slice(start, stop - start)
            offset += stop - start
            parts.append(Part(name, folder.given / name, stop - start, size, sha256, sources))
        rejects = gathered.result()
    if offset != plan.rows_out:
        raise AssertionError(f"{offset} records in parts, {plan.rows_out} planned (this is a bug)")
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
