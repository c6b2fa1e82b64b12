"""Write upload-ready parts of the valid rows: the job behind ``convert`` and ``upload``.

:func:`convert_files` chooses how to run: inputs read, checked and written whole, in
memory, or, for an input over the streaming threshold (or when asked), in record
batches in bounded memory. Both write the same parts, ``rejects.csv`` and
``manifest.json`` and return the same report. The job never prints: progress goes to a
callback, and an unreadable input stops it before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal, cast

from ..errors import InputError, UsageError
from .lint import InputErrorCallback, read_inputs
from .progress import ProgressCallback, whole_run_event
from .seams import Seams

if TYPE_CHECKING:
    from ..output.folder import OutputFolder
    from ..output.write import ConvertResult
    from ..readers import ReadOptions
    from ..schema.config import Settings
    from ..schema.fields import SchemaSpec

__all__ = ["ConvertFilesResult", "PartFormat", "UnreadableInputsError", "convert_files"]

PartFormat = Literal["json", "csv"]
"""The parts' format (``convert --to``): JSON records or CSV, the two Eloqua accepts."""


class UnreadableInputsError(InputError):
    """Some inputs cannot be read, so nothing was converted (exit 3).

    Converting only the readable ones would silently leave rows behind.

    Attributes:
        errors: Why each unreadable input could not be read.
    """

    def __init__(self, errors: Sequence[InputError]) -> None:
        more = f" (and {len(errors) - 1} more unreadable input(s))" if len(errors) > 1 else ""
        super().__init__(
            f"{errors[0].one_line()}{more}; nothing was written",
            hint="fix or remove the unreadable input and run again",
        )
        self.errors = tuple(errors)


@dataclass(frozen=True, eq=False)
class ConvertFilesResult:
    """What a convert wrote and found.

    Attributes:
        report: The report (:mod:`activity_schema.jobs.report`), for every format.
        result: What was written: parts, rejects and the row counts.
        streamed: Whether the inputs were converted in record batches.
        batches: How many batches a streamed run checked (0 for a whole-file one).
        exit_code: 0 all rows out, 1 some rows rejected.
    """

    report: dict[str, Any]
    result: ConvertResult
    streamed: bool
    batches: int

    @property
    def exit_code(self) -> int:
        """Return 1 when some rows were rejected (the good rows are still written), else 0."""
        return 1 if self.result.rows_rejected else 0


def convert_files(
    paths: Sequence[Path],
    out: OutputFolder | Path | BinaryIO,
    *,
    spec: SchemaSpec,
    settings: Settings,
    read_options: ReadOptions,
    to: PartFormat = "json",
    max_bytes: int,
    max_rows: int | None = None,
    dedupe: bool = False,
    escape_formulas: bool = False,
    force: bool = False,
    stream: bool | None = None,
    on_progress: ProgressCallback | None = None,
    on_input_error: InputErrorCallback | None = None,
    seams: Seams | None = None,
    fixes: IO[bytes] | None = None,
) -> ConvertFilesResult:
    """Convert every input into ``out`` and return the report.

    Args:
        paths: The inputs.
        out: The output folder (claimed, or a path claimed here), or a binary file
            (stdout for ``convert -o -``) that gets one document (never batched:
            batches need a folder).
        spec: The schema.
        settings: The settings.
        read_options: How to read the inputs.
        to: The parts' format.
        max_bytes: The largest part in bytes.
        max_rows: The most records per part.
        dedupe: Drop copies of earlier rows (counted).
        escape_formulas: Prefix values a spreadsheet would run as a formula.
        force: Replace the output of an earlier run in a folder given as a path.
        stream: True: convert CSV/TSV inputs in record batches; False: whole, in memory;
            None: in batches when an input is over the streaming threshold and ``out``
            is a folder.
        on_progress: Told where the run is.
        on_input_error: Told of each unreadable input before the run stops.
        seams: The batch sizes and the streaming threshold a test sets (the commit
            hook, ``on_step``, is the claimed folder's).
        fixes: Where to write every fixed cell as NDJSON (``--fixes FILE``).

    Returns:
        The report and what was written.

    Raises:
        UsageError: ``stream`` is True and ``out`` is a file, not a folder.
        UnreadableInputsError: An input cannot be read (nothing was written).
    """
    from ..output.folder import OutputFolder

    seams = seams or Seams()
    folder = out if isinstance(out, (OutputFolder, Path)) else None
    if stream and folder is None:
        raise UsageError("--stream writes to an output folder", hint="pass -o OUTDIR")
    if stream is None:
        stream = folder is not None and seams.should_stream(paths)
    if stream and folder is not None:
        from .report import streamed_report
        from .stream import convert_stream

        done = convert_stream(
            paths,
            folder,
            spec=spec,
            schema=None,
            settings=settings,
            read_options=read_options,
            to=to,
            max_bytes=max_bytes,
            max_rows=max_rows,
            dedupe=dedupe,
            escape_formulas=escape_formulas,
            force=force,
            on_progress=on_progress,
            fixes=fixes,
            **seams.stream_sizes(),
        )
        if on_progress is not None:
            on_progress(whole_run_event("reporting", paths, done.summary.rows))
        return ConvertFilesResult(streamed_report(done), done.result, True, done.batches)

    inputs = read_inputs(
        paths, read_options, on_progress=on_progress, on_input_error=on_input_error
    )
    from ..output.write import convert as write_parts
    from ..output.write import write_document
    from .report import convert_report, report_normalizations, write_fix_list
    from .whole import check_tables

    if inputs.errors:
        raise UnreadableInputsError(inputs.errors)
    rows = sum(table.rows for table in inputs.tables)
    if on_progress is not None:
        on_progress(whole_run_event("checking", paths, rows))
    prepared = check_tables(inputs.tables, spec, None, settings)
    if fixes is not None:
        write_fix_list(prepared.issues, fixes)
    if on_progress is not None:
        on_progress(whole_run_event("writing", paths, rows))
    # The report's summary of the rewritten cells needs only the checks: it is made on a
    # thread while the parts are written (the writing leaves part of a core idle). The
    # thread ends with its one job; an error writing the parts leaves it unread.
    summarising = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report")
    summarised = summarising.submit(report_normalizations, prepared)
    summarising.shutdown(wait=False)
    if folder is not None:
        result = write_parts(
            prepared,
            folder,
            to=to,
            max_bytes=max_bytes,
            max_rows=max_rows,
            dedupe=dedupe,
            escape_formulas=escape_formulas,
            force=force,
        )
    else:
        result = write_document(
            prepared, cast("BinaryIO", out), to=to, dedupe=dedupe, escape_formulas=escape_formulas
        )
    normalizations = summarised.result()
    if on_progress is not None:
        on_progress(whole_run_event("reporting", paths, rows))
    report = convert_report(prepared, inputs.entries, result, normalizations=normalizations)
    return ConvertFilesResult(report, result, False, 0)
