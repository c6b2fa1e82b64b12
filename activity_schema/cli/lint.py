"""Check inputs against the schema and report every problem: the ``lint`` command.

The job (:func:`activity_schema.jobs.lint.lint_files`) checks every input, whole or,
for inputs over the streaming threshold (or with ``--stream``), in record batches in
bounded memory; this command renders its report in one of the report formats. The exit
code says whether errors (or, with ``--strict``, warnings) were found.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..defaults import DEFAULT_MAX_EXAMPLES, STREAM_THRESHOLD_BYTES
from .common import (
    REPORT_FORMATS,
    ReportFormat,
    current_seams,
    date_options,
    echo_input_error,
    emit_report,
    hand_over,
    handle_errors,
    input_options,
    progress_display,
    reading_options,
    schema_options,
    settings_from_flags,
)
from .inputs import (
    exclude_option,
    expand_inputs,
    refuse_streamed_stdin,
    stdin_filename_option,
)
from .report_file import check_report_file, fixes_option, fixes_sink, report_option


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@input_options
@schema_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the --format report to FILE and print the text report.",
)
@fixes_option
@click.option(
    "--output",
    "legacy_output",
    type=click.Path(dir_okay=False, path_type=Path),
    hidden=True,
    help="Deprecated name of --report.",
)
@click.option("--strict", is_flag=True, default=None, help="Exit 1 on warnings too.")
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 even when errors are found; usage, configuration and unreadable-input "
    "errors keep their exit codes.",
)
@exclude_option
@stdin_filename_option
@click.option(
    "--max-examples",
    type=click.IntRange(0),
    default=DEFAULT_MAX_EXAMPLES,
    show_default=True,
    help="Examples shown per issue code in text output.",
)
@click.option(
    "--no-fix", "no_fix", is_flag=True, help="Report fixable problems without fixing them."
)
@date_options
@click.option(
    "--stream",
    is_flag=True,
    help="Check CSV/TSV inputs in record batches, in bounded memory (automatic when the "
    f"inputs total over {STREAM_THRESHOLD_BYTES // 1_000_000} MB).",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Show no progress line on stderr (it is shown only when stderr is a terminal).",
)
@handle_errors
def lint(
    files: tuple[Path, ...],
    encoding: str | None,
    input_format: str | None,
    delimiter: str | None,
    sheet: str | None,
    definition: Path | None,
    config_path: Path | None,
    output_format: ReportFormat,
    report_file: Path | None,
    fixes_file: Path | None,
    legacy_output: Path | None,
    strict: bool | None,
    exit_zero: bool,
    excludes: tuple[str, ...],
    stdin_filename: str | None,
    max_examples: int,
    no_fix: bool,
    timezone: str | None,
    date_order: str | None,
    stream: bool,
    quiet: bool,
) -> None:
    """Check each FILE against the schema and report every problem with its line.

    While it works, a progress line (stage, rows, MB/s) is redrawn on stderr when stderr
    is a terminal (not with --quiet); it is erased before the report. Exit codes: 0 no
    errors, 1 errors (or warnings with --strict), 2 usage or configuration error, 3
    unreadable input, 5 the --report file (or a streamed run's temporary files, in
    TMPDIR) cannot be written.
    """
    from ..jobs.lint import lint_files

    spec, settings = settings_from_flags(
        definition,
        config_path,
        strict=strict,
        fix=False if no_fix else None,
        timezone=timezone,
        date_order=date_order,
    )
    options = reading_options(encoding, input_format, delimiter, sheet, stdin_filename)
    report_file = report_option(report_file, legacy_output)
    inputs = expand_inputs(files, excludes, stdin_filename)
    refuse_streamed_stdin(inputs, stream, current_seams().should_stream)
    check_report_file(report_file)  # before minutes of checking, not after
    check_report_file(fixes_file, "--fixes")
    with fixes_sink(fixes_file) as fixes, progress_display(quiet) as display:
        found = lint_files(
            inputs,
            spec=spec,
            settings=settings,
            read_options=options,
            stream=True if stream else None,
            on_progress=display if display.enabled else None,
            on_input_error=echo_input_error(display),
            seams=current_seams(),
            fixes=fixes,
        )
        hand_over(display, sys.stdout)
        emit_report(found.report, output_format, report_file, sys.stdout, max_examples)
    sys.exit(0 if exit_zero and found.exit_code == 1 else found.exit_code)
