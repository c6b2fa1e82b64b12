"""Share what every command of the command line needs.

The error handler that turns the package's errors into one line and an exit code, the
option groups several commands add (reading, schema, parts, dates), loading the
settings, reading every input, the progress line on stderr, and building, rendering
and writing the report. Heavy libraries are imported inside the functions, as in the
commands, so that ``--help`` and ``--version`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from ..errors import ActivitySchemaError, InputError

if TYPE_CHECKING:
    from ..jobs.stream import StreamedConvert, StreamedLint
    from ..readers import ReadOptions
    from ..render.progress import ProgressDisplay
    from ..schema.config import Settings
    from ..schema.fields import SchemaSpec

F = TypeVar("F", bound=Callable[..., Any])

#: Set to 1 to see a traceback for internal errors.
DEBUG_ENV = "ACTIVITY_SCHEMA_DEBUG"
#: The report formats of lint and convert.
REPORT_FORMATS = ("text", "json", "github", "sarif", "junit")


def _redact(text: str) -> str:
    """Return ``text`` without any form of the Eloqua secrets in the environment.

    Everything the error handler prints passes through here, whatever raised it.
    """
    from ..eloqua.redact import Redactor

    return Redactor.from_env(os.environ)(text)


def _fail(err: ActivitySchemaError) -> NoReturn:
    click.echo(f"activity-schema: error: {_redact(err.one_line())}", err=True)
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
            detail = " ".join(_redact(str(err)).split())[:300]  # redacted before it is cut
            click.echo(
                f"activity-schema: internal error: {type(err).__name__}: {detail} "
                f"(this is a bug; rerun with {DEBUG_ENV}=1 for details and report it)",
                err=True,
            )
            sys.exit(70)

    return wrapper  # type: ignore[return-value]


#: Where ``--quote`` and ``--no-quote`` leave their values in click's per-run ``meta``:
#: every command that reads gets them through :func:`_read_options`, so that no command
#: can take the reading options without them.
_QUOTE_META = "activity_schema.read."


def _remember_quote(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and value is not False:
        ctx.meta[_QUOTE_META + str(param.name)] = value
    return value


def _read_options(
    encoding: str | None, fmt: str | None, delimiter: str | None, sheet: str | None
) -> ReadOptions:
    from ..readers import ReadOptions

    if delimiter == "\\t" or (delimiter or "").lower() == "tab":
        delimiter = "\t"
    ctx = click.get_current_context(silent=True)
    meta: dict[str, Any] = ctx.meta if ctx is not None else {}
    return ReadOptions(
        encoding=encoding,
        format=fmt,
        delimiter=delimiter,
        quotechar=meta.get(_QUOTE_META + "quote"),
        no_quote=bool(meta.get(_QUOTE_META + "no_quote")),
        sheet=sheet,
    )


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
    click.option(
        "--quote",
        metavar="CHAR",
        expose_value=False,
        callback=_remember_quote,
        help="CSV quote character (default: sniff, \" or ').",
    ),
    click.option(
        "--no-quote",
        is_flag=True,
        expose_value=False,
        callback=_remember_quote,
        help="Read CSV without quoting: every quote is text.",
    ),
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
    from ..schema.config import load_settings

    return load_settings(definition=definition, config=config_path, cwd=Path.cwd(), flags=flags)


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
    from ..render.progress import ProgressDisplay

    seams: dict[str, Any] = click.get_current_context().obj or {}
    enabled = not quiet and bool(seams.get("progress", _is_terminal(sys.stderr)))
    # A tick keeps the clock moving through a whole-file check, which sends no events.
    if "clock" in seams:
        return ProgressDisplay(sys.stderr, enabled=enabled, tick=1.0, clock=seams["clock"])
    return ProgressDisplay(sys.stderr, enabled=enabled, tick=1.0)


def _stage(display: ProgressDisplay, stage: str, files: tuple[Path, ...], rows: int) -> None:
    """Show that a whole-file run has read every input and is at ``stage``."""
    if display.enabled:
        from ..jobs.progress import ProgressEvent, input_sizes

        total = sum(input_sizes(files))
        path = str(files[0]) if len(files) == 1 else None
        display(ProgressEvent(stage, path, rows, total, total))


def _hand_over(display: ProgressDisplay, stream: Any) -> None:
    """Erase the progress line for good if ``stream`` is about to write where it is drawn."""
    if stream is sys.stderr or _is_terminal(stream):
        display.close()


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
    from ..jobs.progress import ProgressEvent, input_sizes
    from ..readers import read_path

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


def _report(
    prepared: Any, inputs: list[dict[str, Any]], extra_issues: Any = None
) -> dict[str, Any]:
    import polars as pl

    from ..render.lint import build_report

    for item, checked in zip([i for i in inputs if not i["error"]], prepared.tables, strict=True):
        item["rejected_rows"] = checked.rejected.height
    issues = prepared.issues
    if extra_issues is not None and extra_issues.height:
        issues = pl.concat([issues, extra_issues])
    return build_report(inputs, issues, prepared.summary.to_dict())


def _streamed_report(found: StreamedConvert | StreamedLint) -> dict[str, Any]:
    """Return the report of a streamed run (with exact ``issue_counts`` when sampled)."""
    from ..render.lint import build_report

    built = build_report(found.inputs, found.issues, found.summary.to_dict())
    if found.issue_counts is not None:
        built["issue_counts"] = found.issue_counts
    return built


def _batch_sizes() -> dict[str, int]:
    """Return the batch and block sizes tests set as the context object (else none)."""
    seams: dict[str, Any] = click.get_current_context().obj or {}
    return {key: seams[key] for key in ("batch_bytes", "block_bytes") if key in seams}


def _render(report: dict[str, Any], output_format: str, stream: Any, max_examples: int) -> None:
    from ..render.lint import render_github, render_json, render_text

    if output_format == "json":
        render_json(report, stream)
    elif output_format == "sarif":
        from ..render.sarif import render_sarif

        render_sarif(report, stream, base=str(Path.cwd()))
    elif output_format == "junit":
        from ..render.junit import render_junit

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
        from .report_file import report_write_error

        # A wrong path is usage (2); a full disk or an unwritable folder is exit 5.
        raise report_write_error(err, report_file) from None
    _render(report, "text", stream, max_examples)


def _is_big(files: tuple[Path, ...]) -> bool:
    from ..jobs.stream import should_stream

    return should_stream(files)
