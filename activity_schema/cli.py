"""The ``activity-schema`` command line.

This is the only layer that touches the terminal, the environment and ``sys.exit``.
Heavy libraries (polars, pandera, httpx) are imported inside the commands so that
``--help`` and ``--version`` start fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from ._version import __version__
from .defaults import STREAM_THRESHOLD_BYTES
from .errors import ActivitySchemaError, InputError, UsageError

if TYPE_CHECKING:
    from .catalog import SchemaSpec
    from .config import Settings
    from .readers import ReadOptions
    from .render.progress import ProgressDisplay

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
        except (SystemExit, GeneratorExit):
            raise
        except BaseException as err:
            # BaseException, not Exception: a panic inside polars' Rust code surfaces as
            # pyo3's PanicException, which derives from BaseException.
            if os.environ.get(DEBUG_ENV):
                raise
            detail = " ".join(str(err).split())[:300]
            click.echo(
                f"activity-schema: internal error: {type(err).__name__}: {detail} "
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


def run() -> NoReturn:
    """Run the CLI as a process (the console script and ``python -m``) and exit.

    The process exits without tearing down the interpreter once the output is flushed,
    as mypy does: freeing a few gigabytes of frames one by one takes a noticeable
    share of a large run and serves no one. Files are closed by the commands
    themselves; :func:`main` stays an ordinary click group for embedding and tests.
    """
    try:
        main(prog_name="activity-schema")
        code = 0
    except SystemExit as exit_:
        if exit_.code is None or isinstance(exit_.code, int):
            code = exit_.code or 0
        else:
            print(exit_.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe or stream: nothing is left to say.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


# --- shared options ----------------------------------------------------------------------


def _read_options(
    encoding: str | None, fmt: str | None, delimiter: str | None, sheet: str | None
) -> ReadOptions:
    from .readers import ReadOptions

    if delimiter == "\\t" or (delimiter or "").lower() == "tab":
        delimiter = "\t"
    return ReadOptions(encoding=encoding, format=fmt, delimiter=delimiter, sheet=sheet)


def _option_group(*options: Callable[[F], F]) -> Callable[[F], F]:
    """Return one decorator that adds ``options`` in the order listed (the help order)."""

    def apply(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


#: Add the reading options every command shares.
input_options = _option_group(
    click.option("--encoding", metavar="CODEC", help="Input encoding (default: detect)."),
    click.option(
        "--input-format",
        "input_format",
        type=click.Choice(["csv", "tsv", "json", "ndjson", "xlsx"]),
        help="Input format (default: detect from content).",
    ),
    click.option("--delimiter", metavar="CHAR", help="CSV delimiter (default: sniff)."),
    click.option("--sheet", metavar="NAME", help="The .xlsx sheet to read (default: first)."),
)

#: Add the schema options every command shares.
schema_options = _option_group(
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
)

#: Add the options that shape the parts (convert and upload share them).
part_options = _option_group(
    click.option(
        "--max-bytes",
        type=click.IntRange(1),
        default=32_000_000,
        show_default=True,
        help="Largest part in bytes (Eloqua refuses bodies over 32 MB).",
    ),
    click.option("--max-rows", type=click.IntRange(1), help="Most records per part."),
    click.option("--no-fix", "no_fix", is_flag=True, help="Write values as they are, unfixed."),
    click.option("--dedupe", is_flag=True, help="Drop copies of earlier rows (counted)."),
    click.option(
        "--escape-formulas",
        is_flag=True,
        help="Prefix values a spreadsheet would run as a formula (=, +, -, @) with a quote.",
    ),
)

#: Add the date options every checking command shares.
date_options = _option_group(
    click.option(
        "--timezone",
        metavar="ZONE",
        help="Zone that dates with an offset are converted to.",
    ),
    click.option(
        "--date-order",
        type=click.Choice(["auto", "mdy", "dmy"]),
        help="Day/month order of slash dates (default: auto, per column).",
    ),
)


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


# --- progress ------------------------------------------------------------------------------


def _is_terminal(stream: Any) -> bool:
    """Return whether ``stream`` is a terminal that understands a redrawn line."""
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, OSError, ValueError):
        return False


def _progress_display(quiet: bool) -> ProgressDisplay:
    """Return the progress line of lint and convert: on when stderr is a terminal.

    Tests pass ``{"progress": True}`` (and a ``"clock"``) as the context object to force
    it on without a terminal.
    """
    from .render.progress import ProgressDisplay

    seams: dict[str, Any] = click.get_current_context().obj or {}
    enabled = not quiet and bool(seams.get("progress", _is_terminal(sys.stderr)))
    # A tick keeps the clock moving through a whole-file check, which sends no events.
    if "clock" in seams:
        return ProgressDisplay(sys.stderr, enabled=enabled, tick=1.0, clock=seams["clock"])
    return ProgressDisplay(sys.stderr, enabled=enabled, tick=1.0)


def _stage(display: ProgressDisplay, stage: str, files: tuple[Path, ...], rows: int) -> None:
    """Show that a whole-file run has read every input and is at ``stage``."""
    if display.enabled:
        from .progress import ProgressEvent, input_sizes

        total = sum(input_sizes(files))
        path = str(files[0]) if len(files) == 1 else None
        display(ProgressEvent(stage, path, rows, total, total))


def _hand_over(display: ProgressDisplay, stream: Any) -> None:
    """Erase the progress line for good if ``stream`` is about to write where it is drawn."""
    if stream is sys.stderr or _is_terminal(stream):
        display.close()


# --- lint ----------------------------------------------------------------------------------


def _read_all(
    files: tuple[Path, ...],
    options: ReadOptions,
    *,
    echo: bool = True,
    progress: ProgressDisplay | None = None,
) -> tuple[list[Any], list[dict[str, Any]], int]:
    """Read every file; unreadable ones are reported (unless not ``echo``) and skipped.

    ``progress`` is shown which input is being read, and the bytes of those before it.
    """
    from .progress import ProgressEvent, input_sizes
    from .readers import read_path

    tables: list[Any] = []
    inputs: list[dict[str, Any]] = []
    exit_code = 0
    show = progress is not None and progress.enabled
    sizes = input_sizes(files) if show else [0] * len(files)
    rows = 0
    for index, path in enumerate(files):
        if progress is not None and show:
            progress(
                ProgressEvent("reading", str(path), rows or None, sum(sizes[:index]), sum(sizes))
            )
        try:
            table = read_path(path, options)
        except InputError as err:
            # One unreadable file does not stop the others; a usage error does.
            if echo:
                if progress is not None:
                    progress.clear()
                click.echo(f"activity-schema: error: {err.one_line()}", err=True)
            exit_code = max(exit_code, err.exit_code)
            inputs.append({"path": str(path), "error": err.one_line()})
            continue
        tables.append(table)
        rows += table.rows
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
    unreadable input.
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
    from .model import to_pandera
    from .render.lint import build_report
    from .stream import lint_stream

    seams: dict[str, Any] = click.get_current_context().obj or {}
    sizes = {key: seams[key] for key in ("batch_bytes", "block_bytes") if key in seams}
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
        built = build_report(found.inputs, found.issues, found.summary.to_dict())
        if found.issue_counts is not None:
            built["issue_counts"] = found.issue_counts
        _hand_over(display, sys.stdout)
        output_format, report_file, max_examples = report
        _emit(built, output_format, report_file, sys.stdout, max_examples)
    summary = found.summary
    sys.exit(1 if summary.errors or (settings.strict and summary.warnings) else 0)


# --- schema, init, explain -----------------------------------------------------------------


@main.command("schema")
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
    from .config import load_settings
    from .render.schema import render_schema_text
    from .schema_info import base_definition_path, describe_schema

    spec, settings = _load_settings(definition, config_path)
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


@main.command()
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
    from .config import load_settings
    from .starter import infer_from_sample, starter_toml

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
        from .readers import read_path

        table = read_path(sample, _read_options(encoding, input_format, delimiter, sheet))
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


@main.command()
@click.argument("code", required=False)
@click.option("--list", "list_codes", is_flag=True, help="List every issue code.")
@handle_errors
def explain(code: str | None, list_codes: bool) -> None:
    """Explain an issue CODE: what it means, why Eloqua cares, and how to fix it."""
    import difflib

    from .codes import IssueCode
    from .render.explain import render_code, render_code_list

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
    Exit codes: 0 all rows out, 1 some rows rejected (the good rows are still written),
    2 usage, 3 unreadable input.
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
    display = _progress_display(quiet)
    if stream or (output != "-" and _is_big(files)):
        if output == "-":
            raise UsageError("--stream writes to an output folder", hint="pass -o OUTDIR")
        _convert_streamed(
            files,
            Path(output),
            spec=spec,
            settings=settings,
            options=options,
            to=to,
            max_bytes=max_bytes,
            max_rows=max_rows,
            dedupe=dedupe,
            escape_formulas=escape_formulas,
            force=force,
            report=(output_format, report_file, max_examples),
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
        if output == "-":
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
                Path(output),
                to=to,  # type: ignore[arg-type]
                max_bytes=max_bytes,
                max_rows=max_rows,
                dedupe=dedupe,
                escape_formulas=escape_formulas,
                force=force,
            )
        _stage(display, "reporting", files, rows)
        report = _report(prepared, inputs, result.issues)
    _emit(report, output_format, report_file, sys.stderr, max_examples)
    if output != "-" and not quiet:
        click.echo(
            f"wrote {len(result.parts)} part(s) with {result.rows_out:,} rows to {output}; "
            f"{result.rows_rejected:,} rejected (rejects.csv), {result.rows_dropped:,} dropped",
            err=True,
        )
    sys.exit(1 if result.rows_rejected else 0)


def _is_big(files: tuple[Path, ...]) -> bool:
    from .stream import should_stream

    return should_stream(files)


def _convert_streamed(
    files: tuple[Path, ...],
    output: Path,
    *,
    spec: SchemaSpec,
    settings: Settings,
    options: ReadOptions,
    to: str,
    max_bytes: int,
    max_rows: int | None,
    dedupe: bool,
    escape_formulas: bool,
    force: bool,
    report: tuple[str, Path | None, int],
    display: ProgressDisplay,
    quiet: bool,
) -> NoReturn:
    """Convert in record batches (``--stream``, or an input over 256 MB), then exit.

    Tests pass ``{"batch_bytes": N, "block_bytes": M}`` as the context object for
    small batches.
    """
    from .model import to_pandera
    from .render.lint import build_report
    from .stream import convert_stream

    seams: dict[str, Any] = click.get_current_context().obj or {}
    sizes = {key: seams[key] for key in ("batch_bytes", "block_bytes") if key in seams}
    with display:
        done = convert_stream(
            files,
            output,
            spec=spec,
            schema=to_pandera(spec),
            settings=settings,
            read_options=options,
            to=to,  # type: ignore[arg-type]
            max_bytes=max_bytes,
            max_rows=max_rows,
            dedupe=dedupe,
            escape_formulas=escape_formulas,
            force=force,
            on_progress=display if display.enabled else None,
            **sizes,
        )
        _stage(display, "reporting", files, done.summary.rows)
        built = build_report(done.inputs, done.issues, done.summary.to_dict())
        if done.issue_counts is not None:
            built["issue_counts"] = done.issue_counts
    output_format, report_file, max_examples = report
    _emit(built, output_format, report_file, sys.stderr, max_examples)
    result = done.result
    if quiet:
        sys.exit(1 if result.rows_rejected else 0)
    click.echo(
        f"wrote {len(result.parts)} part(s) with {result.rows_out:,} rows to {output} in "
        f"{done.batches} batch(es); {result.rows_rejected:,} rejected (rejects.csv), "
        f"{result.rows_dropped:,} dropped",
        err=True,
    )
    sys.exit(1 if result.rows_rejected else 0)


# --- upload --------------------------------------------------------------------------------


def _upload_folder(
    source: Path, out: Path | None, resume: bool, convert_into: Callable[[Path], None]
) -> tuple[Path, bool]:
    """Return the folder to upload and whether it is a temporary one.

    A folder SOURCE is used as it is. An input file is converted into ``out`` (or a
    temporary folder) by ``convert_into``, unless ``out`` holds an upload of the same
    input in progress, which is continued as it is.
    """
    import hashlib
    import shutil
    import tempfile

    from .upload_manifest import MANIFEST_NAME, load_manifest
    from .upload_state import STATE_NAME

    if source.is_dir():
        return source, False
    if not source.exists():
        raise InputError("no such file or folder", path=str(source))
    if out is None:
        if resume:
            raise UsageError(
                "--resume needs the folder of the earlier upload",
                hint="pass -o DIR as before, or that folder as SOURCE",
            )
        folder = Path(tempfile.mkdtemp(prefix="activity-schema-upload-"))
        try:
            convert_into(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return folder, True
    if (out / MANIFEST_NAME).is_file() and (out / STATE_NAME).is_file():
        digest = hashlib.sha256()
        with source.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if load_manifest(out).input_hashes != (digest.hexdigest(),):
            raise UsageError(
                f"the folder holds an upload of another input than {source}",
                where=str(out),
                hint="choose another -o folder",
            )
        return out, False  # continued as converted: --resume must not convert again
    convert_into(out)
    return out, False


@main.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--import-id", type=click.IntRange(1), required=True, help="The activity import definition."
)
@click.option(
    "--base-url",
    metavar="URL",
    help="The Eloqua pod's URL (default: ELOQUA_BASE_URL, else discovered at the login host).",
)
@click.option(
    "--to",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="Part format when SOURCE is converted first.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Folder for the converted parts and upload-state.json (default: a temporary folder, "
    "kept when the upload does not succeed).",
)
@click.option("--sync", is_flag=True, help="Create a sync after the parts (and after every 500).")
@click.option(
    "--wait",
    is_flag=True,
    help="Wait for the syncs and report Eloqua's rejects by source line (implies --sync).",
)
@click.option(
    "--resume", is_flag=True, help="Continue an earlier upload; accepted parts are not re-sent."
)
@click.option(
    "--clear-staged",
    is_flag=True,
    help="Delete the data staged for the import first, and post again the parts no sync holds.",
)
@click.option("--dry-run", is_flag=True, help="Convert and plan, send nothing; print the plan.")
@click.option("--fail-on-errors", is_flag=True, help="Upload nothing if any row has an error.")
@input_options
@schema_options
@part_options
@date_options
@handle_errors
def upload(
    source: Path,
    import_id: int,
    base_url: str | None,
    to: str,
    out: Path | None,
    sync: bool,
    wait: bool,
    resume: bool,
    clear_staged: bool,
    dry_run: bool,
    fail_on_errors: bool,
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
    timezone: str | None,
    date_order: str | None,
) -> None:
    """Post SOURCE's valid rows to an Eloqua activity import, once each, resumably.

    SOURCE is an input file, converted first as `convert` does, or a folder `convert`
    wrote. Without --definition the import definition is fetched from Eloqua.
    Credentials: ELOQUA_SITE, ELOQUA_USER and ELOQUA_PASSWORD, or ELOQUA_TOKEN;
    ELOQUA_BASE_URL skips discovery, ELOQUA_LOGIN_URL changes the login host. Every part
    posted is recorded in upload-state.json; a data POST whose answer was lost is not
    re-sent (Eloqua would stage its rows twice): rerun with --resume --clear-staged.
    Exit codes: 0 all uploaded (and synced, with --wait), 1 rows rejected locally or by
    Eloqua, 2 usage, 3 unreadable input, 4 the upload failed.
    """
    import shutil

    from .eloqua import EloquaClient, RetryEvent
    from .render.upload import upload_lines
    from .upload import UploadEvent, UploadOptions
    from .upload import upload as upload_folder
    from .upload_manifest import load_manifest
    from .upload_state import STATE_NAME

    # Tests pass {"sleep": ..., "transport": ...} as the context object.
    seams: dict[str, Any] = click.get_current_context().obj or {}
    progress = bool(seams.get("progress", sys.stderr.isatty()))

    def note(text: str) -> None:
        if progress:
            click.echo(f"activity-schema: {text}", err=True)

    def on_retry(event: RetryEvent) -> None:
        note(
            f"retrying {event.method} in {event.delay:.1f} s ({event.reason}, "
            f"attempt {event.attempt} of {event.max_attempts})"
        )

    def on_event(event: UploadEvent) -> None:
        note(
            f"[{event.parts_done}/{event.parts_total} parts, {event.bytes_sent:,} bytes] "
            f"{event.message}"
        )

    client_options: dict[str, Any] = {"on_retry": on_retry}
    client_options.update({k: seams[k] for k in ("sleep", "transport") if k in seams})
    if base_url:
        client_options["base_url"] = base_url
    options = UploadOptions(
        import_id,
        sync=sync or wait,
        wait=wait,
        resume=resume,
        clear_staged=clear_staged,
        dry_run=dry_run,
        fail_on_errors=fail_on_errors,
    )
    flags = {"fix": False if no_fix else None, "timezone": timezone, "date_order": date_order}
    # The only place the environment is read; the client gets a plain mapping.
    with EloquaClient.from_env(dict(os.environ), **client_options) as client:

        def convert_into(folder: Path) -> None:
            from .config import load_settings
            from .convert import convert as write_parts
            from .definition import schema_from_definition
            from .model import to_pandera
            from .pipeline import check_tables

            fetched = None
            if definition is None:
                data = client.get_import_definition(import_id)
                fetched = schema_from_definition(data, source=f"Eloqua import {import_id}")
            spec, settings = load_settings(
                definition=definition,
                config=config_path,
                cwd=Path.cwd(),
                flags=flags,
                schema=fetched,
            )
            tables, inputs, code = _read_all(
                (source,), _read_options(encoding, input_format, delimiter, sheet)
            )
            if code:
                raise InputError(
                    "nothing was uploaded because the input is unreadable", path=str(source)
                )
            prepared = check_tables(tables, spec, to_pandera(spec), settings)
            result = write_parts(
                prepared,
                folder,
                to=to,  # type: ignore[arg-type]
                max_bytes=max_bytes,
                max_rows=max_rows,
                dedupe=dedupe,
                escape_formulas=escape_formulas,
                force=True,  # only when no upload from the folder is in progress
            )
            _render(_report(prepared, inputs, result.issues), "text", sys.stderr, 5)

        folder, temporary = _upload_folder(source, out, resume, convert_into)
        succeeded = False
        try:
            result = upload_folder(client, folder, options, on_event)
            for line in upload_lines(result, options, load_manifest(folder).content_type):
                click.echo(line)
            rejected = bool(result.blocked or result.rejects or result.rows_rejected_locally)
            unsynced = wait and any(s.status != "success" for s in result.syncs)
            exit_code = 1 if rejected or unsynced else 0
            succeeded = exit_code == 0
        finally:
            if temporary:
                if succeeded or not (folder / STATE_NAME).exists():
                    shutil.rmtree(folder, ignore_errors=True)
                else:
                    click.echo(
                        f"activity-schema: the parts and the upload state are kept in {folder} "
                        f"(continue with: activity-schema upload {folder} --import-id "
                        f"{import_id} --resume)",
                        err=True,
                    )
    sys.exit(exit_code)


if __name__ == "__main__":  # pragma: no cover
    run()
