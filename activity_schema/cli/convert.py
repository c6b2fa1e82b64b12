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
from typing import TYPE_CHECKING

import click

from ..defaults import DEFAULT_MAX_EXAMPLES, STREAM_THRESHOLD_BYTES
from ..errors import UsageError
from .common import (
    REPORT_FORMATS,
    ReportFormat,
    current_seams,
    date_options,
    emit_report,
    hand_over,
    handle_errors,
    input_options,
    part_options,
    progress_display,
    reading_options,
    schema_options,
    settings_from_flags,
)
from .inputs import exclude_option, expand_inputs, refuse_streamed_stdin
from .report_file import check_report_file, fixes_option, fixes_sink

if TYPE_CHECKING:
    from ..jobs.convert import PartFormat
    from ..jobs.progress import ProgressEvent


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
    help="Convert CSV/TSV inputs in record batches, in bounded memory (automatic when the "
    f"inputs total over {STREAM_THRESHOLD_BYTES // 1_000_000} MB).",
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
@fixes_option
@click.option(
    "--max-examples",
    type=click.IntRange(0),
    default=DEFAULT_MAX_EXAMPLES,
    show_default=True,
    help="Examples shown per issue code in text output.",
)
@date_options
@exclude_option
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
    to: PartFormat,
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
    output_format: ReportFormat,
    report_file: Path | None,
    fixes_file: Path | None,
    max_examples: int,
    timezone: str | None,
    date_order: str | None,
    excludes: tuple[str, ...],
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
    A FILE that is a folder is walked for .csv, .tsv, .ndjson, .jsonl and .xlsx files
    (not --exclude'd, not hidden); - reads standard input.
    """
    from ..jobs.convert import convert_files
    from ..output.folder import OutputFolder

    spec, settings = settings_from_flags(
        definition,
        config_path,
        fix=False if no_fix else None,
        timezone=timezone,
        date_order=date_order,
    )
    options = reading_options(encoding, input_format, delimiter, sheet)
    if stream and output == "-":
        raise UsageError("--stream writes to an output folder", hint="pass -o OUTDIR")
    # Before any work: a run that cannot write its report or its folder stops now, not
    # after minutes of checking (and with the folder claimed, a second run stops too).
    inputs = expand_inputs(files, excludes)
    refuse_streamed_stdin(inputs, stream, current_seams().should_stream)
    check_report_file(report_file)
    check_report_file(fixes_file, "--fixes")
    seams = current_seams()
    with contextlib.ExitStack() as claimed:
        fixes = claimed.enter_context(fixes_sink(fixes_file))
        folder = None
        if output != "-":
            folder = claimed.enter_context(OutputFolder(output, force=force, on_step=seams.on_step))
            if folder.removed and not quiet:
                click.echo(
                    f"activity-schema: removed {len(folder.removed)} leftover(s) of an "
                    f"interrupted convert beside {output}",
                    err=True,
                )
        with progress_display(quiet) as display:

            def on_progress(event: ProgressEvent) -> None:
                display(event)
                if folder is None and event.stage == "writing":
                    hand_over(display, sys.stdout)  # the document is written where it is drawn

            done = convert_files(
                inputs,
                folder if folder is not None else sys.stdout.buffer,
                spec=spec,
                settings=settings,
                read_options=options,
                to=to,
                max_bytes=max_bytes,
                max_rows=max_rows,
                dedupe=dedupe,
                escape_formulas=escape_formulas,
                stream=True if stream else None,
                on_progress=on_progress if display.enabled else None,
                seams=seams,
                fixes=fixes,
            )
        emit_report(done.report, output_format, report_file, sys.stderr, max_examples)
        result = done.result
        if folder is not None and not quiet:
            batches = f" in {done.batches} batch(es)" if done.streamed else ""
            click.echo(
                f"wrote {len(result.parts)} part(s) with {result.rows_out:,} rows to {folder.given}"
                f"{batches}; {result.rows_rejected:,} rejected (rejects.csv), "
                f"{result.rows_dropped:,} dropped",
                err=True,
            )
        sys.exit(done.exit_code)
