"""Show how each input is read: the ``inspect`` command.

For every file it prints the detected encoding, format and dialect, the record count
and how each header maps onto the schema's fields, as text or as versioned JSON. One
unreadable file is reported and does not stop the others.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import (
    echo_input_error,
    handle_errors,
    input_options,
    reading_options,
    schema_options,
    settings_from_flags,
)
from .inputs import exclude_option, expand_inputs, stdin_filename_option


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@input_options
@schema_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@exclude_option
@stdin_filename_option
@handle_errors
def inspect(
    files: tuple[Path, ...],
    encoding: str | None,
    input_format: str | None,
    delimiter: str | None,
    sheet: str | None,
    definition: Path | None,
    config_path: Path | None,
    output_format: str,
    excludes: tuple[str, ...],
    stdin_filename: str | None,
) -> None:
    """Show how each FILE is read: encoding, format, dialect, records and column mapping.

    A FILE that is a folder is walked for .csv, .tsv, .ndjson, .jsonl and .xlsx files
    (not --exclude'd, not hidden); - reads standard input.
    """
    from ..jobs.inspect import inspect_files
    from ..render.inspect import render_inspect_text

    schema, settings = settings_from_flags(definition, config_path)
    options = reading_options(encoding, input_format, delimiter, sheet, stdin_filename)
    inputs = expand_inputs(files, excludes, stdin_filename)
    found = inspect_files(
        inputs,
        schema,
        options,
        aliases=settings.aliases,
        on_input_error=echo_input_error(),
    )
    if output_format == "json":
        click.echo(json.dumps(found.payload, ensure_ascii=False, indent=2))
    else:
        render_inspect_text(found.inputs, sys.stdout)
    sys.exit(found.exit_code)
