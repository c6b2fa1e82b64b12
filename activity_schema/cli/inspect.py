"""Show how each input is read: the ``inspect`` command.

For every file it prints the detected encoding, format and dialect, the record count
and how each header maps onto the schema's fields, as text or as versioned JSON. One
unreadable file is reported and does not stop the others.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import InputError
from .common import (
    _load_settings,
    _read_options,
    handle_errors,
    input_options,
    schema_options,
)


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
) -> None:
    """Show how each FILE is read: encoding, format, dialect, records and column mapping."""
    from ..jobs.inspect import INSPECT_FORMAT_VERSION, inspect_table
    from ..readers import read_path
    from ..render.inspect import render_inspect_text

    schema, settings = _load_settings(definition, config_path)
    options = _read_options(encoding, input_format, delimiter, sheet)
    results: list[dict[str, Any]] = []
    exit_code = 0
    for path in files:
        try:
            table = read_path(path, options)
        except InputError as err:
            # One unreadable file does not stop the others; a usage error does.
            click.echo(f"activity-schema: error: {err.one_line()}", err=True)
            exit_code = max(exit_code, err.exit_code)
            results.append({"path": str(path), "error": err.one_line()})
            continue
        results.append(inspect_table(table, schema, aliases=settings.aliases))
    if output_format == "json":
        payload = {"version": INSPECT_FORMAT_VERSION, "inputs": results}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        render_inspect_text(results, sys.stdout)
    sys.exit(exit_code)
