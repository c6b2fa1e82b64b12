"""Write upload-ready parts of the valid rows: the ``convert`` command.

It checks every input, then writes JSON or CSV parts under Eloqua's size limit with
``rejects.csv`` and ``manifest.json`` beside them (or one document to stdout), and
reports on stderr. Inputs over the streaming threshold (or with ``--stream``) are
converted in record batches in bounded memory.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..defaults import STREAM_THRESHOLD_BYTES
from ..errors import InputError, UsageError
from .common import (
    REPORT_FORMATS,
    _batch_sizes,
    _emit,
    _hand_over,
    _is_big,
    _load_settings,
    _progress_display,
    _read_all,
    _read_options,
    _stage,
    _streamed_report,
    date_options,
    handle_errors,
    input_options,
    part_options,
    schema_options,
)
from .report_file import check_report_file

if TYPE_CHECKING:
    from ..checking.result import Prepared
    from ..output.folder import OutputFolder
    from ..output.write import ConvertResult
    from ..readers import ReadOptions
    from ..render.progress import ProgressDisplay
    from ..schema.config import Settings
    from ..schema.fields import SchemaSpec


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    metavar="OUTDIR",
    help="Folder for the parts, rejects.csv and manifest.json; '-' writes one document to stdout.",
)
@click.option(
    "--to",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="Output format of the parts.",
)
@input_options
@schema_options
@part_options
@click.option("--force", is_flag=True, help="Replace the output of an earlier run in OUTDIR.")
@click.option(
    "--stream",
    is_flag=True,
    help="Convert CSV/TSV inputs in record batches, in bounded memory (automatic for inputs "
    f"over {STREAM_THRESHOLD_BYTES // 1_000_000} MB).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="Report format (the report goes to stderr).",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the --format report to FILE and print the text report to stderr.",
)
@click.option(
    "--max-examples",
    type=click.IntRange(0),
    default=5,
    show_default=True,
    help="Examples shown per issue code in text output.",
)
@date_options
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Show no progress line and no closing 'wrote N part(s)' line on stderr (errors "
    "and the report are still shown).",
)
@handle_errors
def convert(
    files: tuple[Path, ...],
    output: str,
    to: str,
    encoding: str | None,
    input_format: str | None,
    delimiter: str | None,
    sheet: str | None,
    definition: Path | None,
    config_path: Path | None,
    max_bytes: int,
    max_rows: int | None,
    no_fix: bool,
    dedupe: bool,
    escape_formulas: bool,
    force: bool,
    stream: bool,
    output_format: str,
    report_file: Path | None,
    max_examples: int,
    timezone: str | None,
    date_order: str | None,
    quiet: bool,
) -> None:
    """Write upload-ready UTF-8 parts of each FILE's valid rows, and the rejects aside.

    Parts are JSON arrays (or CSV) whose keys are the schema's field names, each under
    --max-bytes. OUTDIR also gets rejects.csv and manifest.json, whose counts always add
    up: rows_in == rows_out + rows_rejected + rows_dropped. The report and a closing
    summary go to stderr, after a progress line (stage, rows, MB/s) that is redrawn
    while it works when stderr is a terminal (--quiet: neither progress nor summary).
    OUTDIR is replaced in one atomic step once the run is complete: at every instant it
    holds the earlier run or the new one, never half; a second convert into it while
    this one runs is refused.
    Exit codes: 0 all rows out, 1 some rows rejected (the good rows are still written),
    2 usage (or OUTDIR in use by another run), 3 unreadable input, 5 the output cannot
    be written (disk full, read-only or unwritable folder).
    """
    from ..output.folder import OutputFolder

    spec, settings = _load_settings(
        definition,
        config_path,
        fix=False if no_fix else None,
        timezone=timezone,
        date_order=date_order,
    )
    options = _read_options(encoding, input_format, delimiter, sheet)
    if stream and output == "-":
        raise UsageError("--stream writes to an output folder", hint="pass -o OUTDIR")
    # Before any work: a run that cannot write its report or its folder stops now, not
    # after minutes of checking (and with the folder claimed, a second run stops too).
    check_report_file(report_file)
    with contextlib.ExitStack() as claimed:
        folder = None
        if output != "-":
            seams: dict[str, Any] = click.get_current_context().obj or {}
            folder = claimed.enter_context(
                OutputFolder(output, force=force, on_step=seams.get("on_step"))
            )
            if folder.removed and not quiet:
                click.echo(
                    f"activity-schema: removed {len(folder.removed)} leftover(s) of an "
                    f"interrupted convert beside {output}",
                    err=True,
                )
        _convert_into(
            files,
            folder,
            spec=spec,
            settings=settings,
            options=options,
            to=to,
            max_bytes=max_bytes,
            max_rows=max_rows,
            dedupe=dedupe,
            escape_formulas=escape_formulas,
            stream=stream,
            report=(output_format, report_file, max_examples),
            quiet=quiet,
        )


def _convert_into(
    files: tuple[Path, ...],
    folder: OutputFolder | None,
    *,
    spec: SchemaSpec,
    settings: Settings,
    options: ReadOptions,
    to: str,
    max_bytes: int,
    max_rows: int | None,
    dedupe: bool,
    escape_formulas: bool,
    stream: bool,
    report: tuple[str, Path | None, int],
    quiet: bool,
) -> NoReturn:
    """Convert into the claimed ``folder`` (None: one document to stdout), then exit."""
    from ..jobs.whole import check_tables
    from ..output.write import convert as write_parts
    from ..output.write import write_stream
    from ..schema.model import to_pandera

    display = _progress_display(quiet)
    output = str(folder.given) if folder is not None else "-"
    if folder is not None and (stream or _is_big(files)):
        _convert_streamed(
            files,
            folder,
            spec=spec,
            settings=settings,
            options=options,
            to=to,
            max_bytes=max_bytes,
            max_rows=max_rows,
            dedupe=dedupe,
            escape_formulas=escape_formulas,
            report=report,
            display=display,
            quiet=quiet,
        )
    with display:
        tables, inputs, _ = _read_all(files, options, echo=False, progress=display)
        unreadable = [i["error"] for i in inputs if i["error"]]
        if unreadable:
            # Converting only some of the inputs would silently leave rows behind.
            more = (
                f" (and {len(unreadable) - 1} more unreadable input(s))"
                if len(unreadable) > 1
                else ""
            )
            raise InputError(
                f"{unreadable[0]}{more}; nothing was written",
                hint="fix or remove the unreadable input and run again",
            )
        rows = sum(table.rows for table in tables)
        _stage(display, "checking", files, rows)
        prepared = check_tables(tables, spec, to_pandera(spec), settings)
        _stage(display, "writing", files, rows)
        if folder is None:
            _hand_over(display, sys.stdout)
            result = write_stream(
                prepared,
                sys.stdout.buffer,
                to=to,  # type: ignore[arg-type]
                dedupe=dedupe,
                escape_formulas=escape_formulas,
            )
        else:
            result = write_parts(
                prepared,
                folder,
                to=to,  # type: ignore[arg-type]
                max_bytes=max_bytes,
                max_rows=max_rows,
                dedupe=dedupe,
                escape_formulas=escape_formulas,
            )
        _stage(display, "reporting", files, rows)
        built = _convert_report(prepared, inputs, result)
    output_format, report_file, max_examples = report
    _emit(built, output_format, report_file, sys.stderr, max_examples)
    if folder is not None and not quiet:
        click.echo(
            f"wrote {len(result.parts)} part(s) with {result.rows_out:,} rows to {output}; "
            f"{result.rows_rejected:,} rejected (rejects.csv), {result.rows_dropped:,} dropped",
            err=True,
        )
    sys.exit(1 if result.rows_rejected else 0)


def _convert_report(
    prepared: Prepared, inputs: list[dict[str, Any]], result: ConvertResult
) -> dict[str, Any]:
    """Return the report of a whole-file convert: the checks' and the conversion's.

    The conversion's own issues (records too large, dropped copies, formula warnings)
    are in the issues, the summary and each input's ``rejected_rows``, so that every
    format (rendered from this one report) counts what it lists.
    """
    import polars as pl

    from ..render.lint import build_report

    readable = [item for item in inputs if not item["error"]]
    for item, rejected in zip(readable, result.rejected_per_input, strict=True):
        item["rejected_rows"] = rejected
    issues = prepared.issues
    if result.issues.height:
        issues = pl.concat([issues, result.issues])
    summary = (result.summary or prepared.summary).to_dict()
    summary["dropped_rows"] = result.rows_dropped
    return build_report(inputs, issues, summary)


def _convert_streamed(
    files: tuple[Path, ...],
    folder: OutputFolder,
    *,
    spec: SchemaSpec,
    settings: Settings,
    options: ReadOptions,
    to: str,
    max_bytes: int,
    max_rows: int | None,
    dedupe: bool,
    escape_formulas: bool,
    report: tuple[str, Path | None, int],
    display: ProgressDisplay,
    quiet: bool,
) -> NoReturn:
    """Convert in record batches (``--stream``, or an input over 256 MB), then exit.

    Tests pass ``{"batch_bytes": N, "block_bytes": M}`` as the context object for
    small batches.
    """
    from ..jobs.stream import convert_stream
    from ..schema.model import to_pandera

    sizes: dict[str, Any] = dict(_batch_sizes())
    with display:
        done = convert_stream(
            files,
            folder,
            spec=spec,
            schema=to_pandera(spec),
            settings=settings,
            read_options=options,
            to=to,  # type: ignore[arg-type]
            max_bytes=max_bytes,
            max_rows=max_rows,
            dedupe=dedupe,
            escape_formulas=escape_formulas,
            on_progress=display if display.enabled else None,
            **sizes,
        )
        _stage(display, "reporting", files, done.summary.rows)
        built = _streamed_report(done)
        built["summary"]["dropped_rows"] = done.result.rows_dropped
    output_format, report_file, max_examples = report
    _emit(built, output_format, report_file, sys.stderr, max_examples)
    result = done.result
    if quiet:
        sys.exit(1 if result.rows_rejected else 0)
    click.echo(
        f"wrote {len(result.parts)} part(s) with {result.rows_out:,} rows to {folder.given} in "
        f"{done.batches} batch(es); {result.rows_rejected:,} rejected (rejects.csv), "
        f"{result.rows_dropped:,} dropped",
        err=True,
    )
    sys.exit(1 if result.rows_rejected else 0)
