"""Show, start and explain the schema: the ``schema``, ``init`` and ``explain`` commands.

``schema`` prints the effective schema and where each rule came from, ``init`` writes
a starter config inferred from a sample export, and ``explain`` describes an issue
code. None of them reads data to check it; they help a user set up and understand
the checks the other commands run.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ..errors import UsageError
from .common import (
    handle_errors,
    input_options,
    reading_options,
    schema_options,
    settings_from_flags,
)


@click.command("schema")
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
def schema_command(definition: Path | None, config_path: Path | None, output_format: str) -> None:
    """Print the effective schema: fields, kinds, rules, aliases and where each came from.

    The schema is resolved as lint and convert resolve it (flag > config file >
    definition > built-in default); --format json is a stable contract (version 1).
    """
    from ..render.schema import render_schema_text
    from ..schema.config import load_settings
    from ..schema.describe import base_definition_path, describe_schema

    spec, settings = settings_from_flags(definition, config_path)
    # The layer the config refined, without the config: tells config rules from the rest.
    base, _ = load_settings(definition=base_definition_path(spec))
    info = describe_schema(spec, settings, base=base)
    if output_format == "json":
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        render_schema_text(info, sys.stdout)


def _config_relative(target: Path, output: Path | None) -> str:
    """Return ``target`` as a config at ``output`` names it: relative to its folder."""
    folder = output.resolve().parent if output is not None else Path.cwd()
    try:
        return Path(os.path.relpath(target.resolve(), folder)).as_posix()
    except ValueError:  # another drive on Windows: no relative path exists
        return target.resolve().as_posix()


@click.command()
@click.argument("sample", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--definition",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Eloqua import definition JSON the fields come from (default: built-in schema).",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=Path("activity_schema.toml"),
    show_default=True,
    help="Where to write the config ('-' prints it).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@input_options
@handle_errors
def init(
    sample: Path | None,
    definition: Path | None,
    output: Path,
    force: bool,
    encoding: str | None,
    input_format: str | None,
    delimiter: str | None,
    sheet: str | None,
) -> None:
    """Write a starter activity_schema.toml, inferring what it can from a SAMPLE export.

    From SAMPLE it infers aliases for the headers that do not map exactly and the
    allowed values of the activity type and asset type fields (when only a few distinct
    values occur). It refuses to overwrite an existing file without --force.
    """
    from ..jobs.starter import infer_from_sample, starter_toml
    from ..schema.config import load_settings

    to_stdout = str(output) == "-"
    if not to_stdout and output.exists() and not force:
        raise UsageError(
            "the config file already exists",
            where=str(output),
            hint="pass --force to overwrite it, or --output to write elsewhere",
        )
    spec, _ = load_settings(definition=definition)
    inferred = None
    if sample is not None:
        from ..readers import read_path

        table = read_path(sample, reading_options(encoding, input_format, delimiter, sheet))
        inferred = infer_from_sample(spec, table)
    text = starter_toml(
        spec,
        inferred,
        definition=_config_relative(definition, None if to_stdout else output)
        if definition
        else None,
    )
    if to_stdout:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise UsageError(
            f"cannot write the config: {err.strerror or err}",
            where=str(output),
            hint="check that the folder exists and is writable",
        ) from None
    found = ""
    if inferred is not None:
        found = (
            f": {len(inferred.aliases)} alias(es), allowed values for "
            f"{', '.join(inferred.allowed) or 'no field'}"
        )
    click.echo(f"wrote {output}{found}; review it, then run: activity-schema schema")


@click.command()
@click.argument("code", required=False)
@click.option("--list", "list_codes", is_flag=True, help="List every issue code.")
@handle_errors
def explain(code: str | None, list_codes: bool) -> None:
    """Explain an issue CODE: what it means, why Eloqua cares, and how to fix it."""
    import difflib

    from ..issues.codes import IssueCode
    from ..render.explain import render_code, render_code_list

    if list_codes:
        render_code_list(sys.stdout)
        return
    known = [str(c) for c in IssueCode]
    if code is None:
        raise UsageError(
            "name an issue code, or pass --list", hint=f"known codes: {', '.join(known)}"
        )
    slug = code.strip().lower().replace("_", "-")
    if slug not in known:
        close = difflib.get_close_matches(slug, known, n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise UsageError(
            f"unknown issue code {code!r}", hint=f"{guess}known codes: {', '.join(known)}"
        )
    render_code(IssueCode(slug), sys.stdout)
