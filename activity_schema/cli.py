"""The ``activity-schema`` command line.

This is the only layer that touches the terminal, the environment and ``sys.exit``.
Heavy libraries (polars, pandera, httpx) are imported inside the commands so that
``--help`` and ``--version`` start fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from ._version import __version__
from .errors import ActivitySchemaError, InputError, UsageError

if TYPE_CHECKING:
    from .catalog import SchemaSpec
    from .config import Settings
    from .readers import ReadOptions

F = TypeVar("F", bound=Callable[..., Any])

#: Set to 1 to see a traceback for internal errors.
DEBUG_ENV = "ACTIVITY_SCHEMA_DEBUG"
#: The report formats of lint and convert.
REPORT_FORMATS = ("text", "json", "github", "sarif", "junit")


def _fail(err: ActivitySchemaError) -> NoReturn:
    click.echo(f"activity-schema: error: {err.one_line()}", err=True)
    sys.exit(err.exit_code)


def handle_errors(func: F) -> F:
    """Turn the package's errors into a one-line message and their exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ActivitySchemaError as err:
            _fail(err)
        except KeyboardInterrupt:
            click.echo("activity-schema: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.exit(0)
        except Exception as err:
            if os.environ.get(DEBUG_ENV):
                raise
            click.echo(
                f"activity-schema: internal error: {type(err).__name__}: {err} "
                f"(this is a bug; rerun with {DEBUG_ENV}=1 for details and report it)",
                err=True,
            )
            sys.exit(70)

    return wrapper  # type: ignore[return-value]


class OneLineErrors(click.Group):
    """A group whose usage errors are one line, like every other error of the tool."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as err:
            command = (
                f" {err.ctx.command_path.split(' ', 1)[1]}"
                if err.ctx and " " in err.ctx.command_path
                else ""
            )
            click.echo(
                f"activity-schema: error: {err.format_message()} "
                f"(see activity-schema{command} --help)",
                err=True,
            )
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("activity-schema: interrupted", err=True)
            sys.exit(130)
        except click.exceptions.Exit as err:
            sys.exit(err.exit_code)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="activity-schema")
def main() -> None:
    """Make tabular activity data safe to upload to Oracle Eloqua.

    Read messy CSV, TSV, JSON, NDJSON or .xlsx exports in any encoding, map their
    headers onto the import definition's fields, normalize and check every value, and
    report each problem with its file, line and a fix.
    """


# --- shared options ----------------------------------------------------------------------


def _read_options(
    encoding: str | None, fmt: str | None, delimiter: str | None, sheet: str | None
) -> ReadOptions:
    from .readers import ReadOptions

    if delimiter == "\\t" or (delimiter or "").lower() == "tab":
        delimiter = "\t"
    return ReadOptions(encoding=encoding, format=fmt, delimiter=delimiter, sheet=sheet)


def input_options(func: F) -> F:
    """Add the reading options every command shares."""
    for decorator in reversed(
        [
            click.option("--encoding", metavar="CODEC", help="Input encoding (default: detect)."),
            click.option(
                "--input-format",
                "input_format",
                type=click.Choice(["csv", "tsv", "json", "ndjson", "xlsx"]),
                help="Input format (default: detect from content).",
            ),
            click.option("--delimiter", metavar="CHAR", help="CSV delimiter (default: sniff)."),
            click.option(
                "--sheet", metavar="NAME", help="The .xlsx sheet to read (default: first)."
            ),
        ]
    ):
        func = decorator(func)
    return func


def schema_options(func: F) -> F:
    """Add the schema options every command shares."""
    for decorator in reversed(
        [
            click.option(
                "--definition",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Eloqua import definition JSON to derive the schema from.",
            ),
            click.option(
                "--config",
                "config_path",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Config file (default: activity_schema.toml or pyproject.toml, found "
                "upwards from the current folder).",
            ),
        ]
    ):
        func = decorator(func)
    return func


def _load_settings(
    definition: Path | None, config_path: Path | None, **flags: Any
) -> tuple[SchemaSpec, Settings]:
    from .config import load_settings

    return load_settings(definition=definition, config=config_path, cwd=Path.cwd(), flags=flags)


# --- inspect -------------------------------------------------------------------------------


@main.command()
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
    from .inspection import INSPECT_FORMAT_VERSION, inspect_table
    from .readers import read_path
    from .render.inspect import render_inspect_text

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


# --- lint ----------------------------------------------------------------------------------


def _read_all(
    files: tuple[Path, ...], options: ReadOptions
) -> tuple[list[Any], list[dict[str, Any]], int]:
    """Read every file; unreadable ones are reported and skipped, not fatal to the rest."""
    from .readers import read_path

    tables: list[Any] = []
    inputs: list[dict[str, Any]] = []
    exit_code = 0
    for path in files:
        try:
            table = read_path(path, options)
        except InputError as err:
            # One unreadable file does not stop the others; a usage error does.
            click.echo(f"activity-schema: error: {err.one_line()}", err=True)
            exit_code = max(exit_code, err.exit_code)
            inputs.append({"path": str(path), "error": err.one_line()})
            continue
        tables.append(table)
        inputs.append(
            {
                "path": table.name,
                "format": table.format,
                "encoding": table.encoding,
                "encoding_reason": table.encoding_reason,
                "dialect": table.dialect,
                "sheet": table.sheet,
                "rows": table.rows,
                "error": None,
            }
        )
    return tables, inputs, exit_code


@main.command()
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
@click.option("--timezone", metavar="ZONE", help="Zone that dates with an offset are converted to.")
@click.option(
    "--date-order",
    type=click.Choice(["auto", "mdy", "dmy"]),
    help="Day/month order of slash dates (default: auto, per column).",
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
) -> None:
    """Check each FILE against the schema and report every problem with its line.

    Exit codes: 0 no errors, 1 errors (or warnings with --strict), 2 usage or
    configuration error, 3 unreadable input.
    """
    from .model import to_pandera
    from .pipeline import check_tables

    spec, settings = _load_settings(
        definition,
        config_path,
        strict=strict,
        fix=False if no_fix else None,
        timezone=timezone,
        date_order=date_order,
    )
    options = _read_options(encoding, input_format, delimiter, sheet)
    tables, inputs, exit_code = _read_all(files, options)
    prepared = check_tables(tables, spec, to_pandera(spec), settings)
    summary = prepared.summary
    _emit(_report(prepared, inputs), output_format, report_file, sys.stdout, max_examples)
    if summary.errors or (settings.strict and summary.warnings):
        exit_code = max(exit_code, 1)
    sys.exit(exit_code)


# --- convert -------------------------------------------------------------------------------


def _report(
    prepared: Any, inputs: list[dict[str, Any]], extra_issues: Any = None
) -> dict[str, Any]:
    import polars as pl

    from .render.lint import build_report

    for item, checked in zip([i for i in inputs if not i["error"]], prepared.tables, strict=True):
        item["rejected_rows"] = checked.rejected.height
    issues = prepared.issues
    if extra_issues is not None and extra_issues.height:
        issues = pl.concat([issues, extra_issues])
    return build_report(inputs, issues, prepared.summary.to_dict())


def _render(report: dict[str, Any], output_format: str, stream: Any, max_examples: int) -> None:
    from .render.lint import render_github, render_json, render_text

    if output_format == "json":
        render_json(report, stream)
    elif output_format == "sarif":
        from .render.sarif import render_sarif

        render_sarif(report, stream, base=str(Path.cwd()))
    elif output_format == "junit":
        from .render.junit import render_junit

        render_junit(report, stream)
    elif output_format == "github":
        render_github(report, stream, max_examples=max_examples)
    else:
        render_text(report, stream, max_examples=max_examples)


def _emit(
    report: dict[str, Any],
    output_format: str,
    report_file: Path | None,
    stream: Any,
    max_examples: int,
) -> None:
    """Render the report to ``stream``, or to ``report_file`` with the text one on ``stream``."""
    if report_file is None:
        _render(report, output_format, stream, max_examples)
        return
    try:
        with report_file.open("w", encoding="utf-8", newline="\n") as out:
            _render(report, output_format, out, max_examples)
    except OSError as err:
        raise UsageError(
            f"cannot write the report: {err.strerror or err}",
            where=str(report_file),
            hint="check that the folder exists and is writable",
        ) from None
    _render(report, "text", stream, max_examples)


@main.command()
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
@click.option(
    "--max-bytes",
    type=click.IntRange(1),
    default=32_000_000,
    show_default=True,
    help="Largest part in bytes (Eloqua refuses bodies over 32 MB).",
)
@click.option("--max-rows", type=click.IntRange(1), help="Most records per part.")
@click.option("--no-fix", "no_fix", is_flag=True, help="Write values as they are, unfixed.")
@click.option("--dedupe", is_flag=True, help="Drop copies of earlier rows (counted).")
@click.option("--force", is_flag=True, help="Replace the output of an earlier run in OUTDIR.")
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
@click.option("--timezone", metavar="ZONE", help="Zone that dates with an offset are converted to.")
@click.option(
    "--date-order",
    type=click.Choice(["auto", "mdy", "dmy"]),
    help="Day/month order of slash dates (default: auto, per column).",
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
    force: bool,
    output_format: str,
    report_file: Path | None,
    max_examples: int,
    timezone: str | None,
    date_order: str | None,
) -> None:
    """Write upload-ready UTF-8 parts of each FILE's valid rows, and the rejects aside.

    Parts are JSON arrays (or CSV) whose keys are the schema's field names, each under
    --max-bytes. OUTDIR also gets rejects.csv and manifest.json, whose counts always add
    up: rows_in == rows_out + rows_rejected + rows_dropped. Exit codes: 0 all rows out,
    1 some rows rejected (the good rows are still written), 2 usage, 3 unreadable input.
    """
    from .convert import convert as write_parts
    from .convert import write_stream
    from .model import to_pandera
    from .pipeline import check_tables

    spec, settings = _load_settings(
        definition,
        config_path,
        fix=False if no_fix else None,
        timezone=timezone,
        date_order=date_order,
    )
    options = _read_options(encoding, input_format, delimiter, sheet)
    tables, inputs, exit_code = _read_all(files, options)
    if exit_code:
        # Converting only some of the inputs would silently leave rows behind.
        raise InputError(
            "nothing was written because an input is unreadable",
            hint="fix or remove the unreadable input and run again",
        )
    prepared = check_tables(tables, spec, to_pandera(spec), settings)
    if output == "-":
        result = write_stream(prepared, sys.stdout.buffer, to=to, dedupe=dedupe)  # type: ignore[arg-type]
    else:
        result = write_parts(
            prepared,
            Path(output),
            to=to,  # type: ignore[arg-type]
            max_bytes=max_bytes,
            max_rows=max_rows,
            dedupe=dedupe,
            force=force,
        )
    report = _report(prepared, inputs, result.issues)
    _emit(report, output_format, report_file, sys.stderr, max_examples)
    if output != "-":
        click.echo(
            f"wrote {len(result.parts)} part(s) with {result.rows_out:,} rows to {output}; "
            f"{result.rows_rejected:,} rejected (rejects.csv), {result.rows_dropped:,} dropped",
            err=True,
        )
    sys.exit(1 if result.rows_rejected else 0)


def run() -> None:  # pragma: no cover - console entry for `python -m`
    """Run the CLI."""
    main(prog_name="activity-schema")


if __name__ == "__main__":  # pragma: no cover
    run()
