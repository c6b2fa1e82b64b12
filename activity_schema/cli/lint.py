"""Check inputs against the schema and report every problem: the ``lint`` command.

A whole-file lint reads every input, checks it and renders the report in one of the
report formats; inputs over the streaming threshold (or with ``--stream``) are checked
in record batches in bounded memory instead. The exit code says whether errors (or,
with ``--strict``, warnings) were found.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from ..defaults import STREAM_THRESHOLD_BYTES
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
    _report,
    _stage,
    _streamed_report,
    date_options,
    handle_errors,
    input_options,
    schema_options,
)
from .report_file import check_report_file

if TYPE_CHECKING:
    from ..readers import ReadOptions
    from ..schema.config import Settings
    from ..schema.fields import SchemaSpec


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
    "--output",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the --format report to FILE and print the text report.",
)
@click.option("--strict", is_flag=True, default=None, help="Exit 1 on warnings too.")
@click.option(
    "--max-examples",
    type=click.IntRange(0),
    default=5,
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
    help="Check CSV/TSV inputs in record batches, in bounded memory (automatic for inputs "
    f"over {STREAM_THRESHOLD_BYTES // 1_000_000} MB).",
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
    output_format: str,
    report_file: Path | None,
    strict: bool | None,
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
    unreadable input, 5 the --report file cannot be written.
    """
    from ..jobs.whole import check_tables
    from ..schema.model import to_pandera

    spec, settings = _load_settings(
        definition,
        config_path,
        strict=strict,
        fix=False if no_fix else None,
        timezone=timezone,
        date_order=date_order,
    )
    options = _read_options(encoding, input_format, delimiter, sheet)
    check_report_file(report_file)  # before minutes of checking, not after
    if stream or _is_big(files):
        _lint_streamed(
            files,
            spec=spec,
            settings=settings,
            options=options,
            report=(output_format, report_file, max_examples),
            quiet=quiet,
        )
    with _progress_display(quiet) as display:
        tables, inputs, exit_code = _read_all(files, options, progress=display)
        rows = sum(table.rows for table in tables)
        _stage(display, "checking", files, rows)
        prepared = check_tables(tables, spec, to_pandera(spec), settings)
        _stage(display, "reporting", files, rows)
        report = _report(prepared, inputs)
        _hand_over(display, sys.stdout)
        _emit(report, output_format, report_file, sys.stdout, max_examples)
    summary = prepared.summary
    if summary.errors or (settings.strict and summary.warnings):
        exit_code = max(exit_code, 1)
    sys.exit(exit_code)


def _lint_streamed(
    files: tuple[Path, ...],
    *,
    spec: SchemaSpec,
    settings: Settings,
    options: ReadOptions,
    report: tuple[str, Path | None, int],
    quiet: bool,
) -> NoReturn:
    """Lint in record batches (``--stream``, or an input over 256 MB), then exit.

    Unlike a whole-file lint, an unreadable input stops the run (exit 3). Tests pass
    ``{"batch_bytes": N, "block_bytes": M}`` as the context object for small batches.
    """
    from ..jobs.stream import lint_stream
    from ..schema.model import to_pandera

    sizes = _batch_sizes()
    with _progress_display(quiet) as display:
        found = lint_stream(
            files,
            spec=spec,
            schema=to_pandera(spec),
            settings=settings,
            read_options=options,
            on_progress=display if display.enabled else None,
            **sizes,
        )
        _stage(display, "reporting", files, found.summary.rows)
        built = _streamed_report(found)
        _hand_over(display, sys.stdout)
        output_format, report_file, max_examples = report
        _emit(built, output_format, report_file, sys.stdout, max_examples)
    summary = found.summary
    sys.exit(1 if summary.errors or (settings.strict and summary.warnings) else 0)
