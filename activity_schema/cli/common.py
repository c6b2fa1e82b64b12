"""Share what every command of the command line needs.

The error handler that turns the package's errors into one line and an exit code, the
option groups several commands add (reading, schema, parts, dates), loading the
settings, the test seams, the progress line on stderr, and rendering and writing the
report (the jobs in :mod:`activity_schema.jobs` read, check and build it). Heavy
libraries are imported inside the functions, as in the commands, so that ``--help`` and
``--version`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar, assert_never, get_args

import click

from ..defaults import DEFAULT_MAX_BYTES
from ..errors import ActivitySchemaError, InputError
from ..jobs.seams import Seams

if TYPE_CHECKING:
    from ..readers import ReadOptions
    from ..render.progress import ProgressDisplay
    from ..schema.config import Settings
    from ..schema.fields import SchemaSpec

F = TypeVar("F", bound=Callable[..., Any])

#: Set to 1 to see a traceback for internal errors.
DEBUG_ENV = "ACTIVITY_SCHEMA_DEBUG"
#: The report formats of lint and convert.
#: A lint or convert report's format (``--format``).
ReportFormat = Literal["text", "json", "github", "gitlab", "sarif", "junit", "html"]
REPORT_FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)


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
#: every command that reads gets them through :func:`reading_options`, so that no command
#: can take the reading options without them.
_QUOTE_META = "activity_schema.read."


def _remember_quote(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and value is not False:
        ctx.meta[_QUOTE_META + str(param.name)] = value
    return value


def reading_options(
    encoding: str | None,
    fmt: str | None,
    delimiter: str | None,
    sheet: str | None,
    stdin_name: str | None = None,
) -> ReadOptions:
    """Return the read options the flags give (``stdin_name``: ``--stdin-filename``)."""
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
        stdin_name=stdin_name,
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
        default=DEFAULT_MAX_BYTES,
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


def settings_from_flags(
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


def current_seams() -> Seams:
    """Return the test seams of this run: click's context object, else a real run's.

    Tests pass ``obj=Seams(...)`` to ``CliRunner.invoke``; anything else there is a
    mistake in the test, refused rather than silently ignored.
    """
    obj = click.get_current_context().obj
    if obj is None:
        return Seams()
    if not isinstance(obj, Seams):
        raise TypeError(f"the context object must be a Seams, not {type(obj).__name__}")
    return obj


def progress_display(quiet: bool) -> ProgressDisplay:
    """Return the progress line of lint and convert: on when stderr is a terminal.

    Tests pass ``Seams(progress=True)`` (and a ``clock``) as the context object to force
    it on without a terminal.
    """
    from ..render.progress import ProgressDisplay

    seams = current_seams()
    shown = _is_terminal(sys.stderr) if seams.progress is None else seams.progress
    enabled = not quiet and shown
    # A tick keeps the clock moving through a whole-file check, which sends no events.
    if seams.clock is not None:
        return ProgressDisplay(sys.stderr, enabled=enabled, tick=1.0, clock=seams.clock)
    return ProgressDisplay(sys.stderr, enabled=enabled, tick=1.0)


def hand_over(display: ProgressDisplay, stream: Any) -> None:
    """Erase the progress line for good if ``stream`` is about to write where it is drawn."""
    if stream is sys.stderr or _is_terminal(stream):
        display.close()


def echo_input_error(display: ProgressDisplay | None = None) -> Callable[[InputError], None]:
    """Return the callback that prints an unreadable input's one-line error on stderr.

    The progress line, if one is drawn, is erased first.
    """

    def echo(err: InputError) -> None:
        if display is not None:
            display.clear()
        click.echo(f"activity-schema: error: {err.one_line()}", err=True)

    return echo


def render_report(
    report: dict[str, Any], output_format: ReportFormat, stream: Any, max_examples: int
) -> None:
    """Write ``report`` to ``stream`` in ``output_format``."""
    from ..render.lint import render_github, render_json, render_text

    if output_format == "json":
        render_json(report, stream)
    elif output_format == "sarif":
        from ..render.sarif import render_sarif

        render_sarif(report, stream, base=str(Path.cwd()))
    elif output_format == "gitlab":
        from ..render.gitlab import render_gitlab

        render_gitlab(report, stream, base=str(Path.cwd()))
    elif output_format == "junit":
        from ..render.junit import render_junit

        render_junit(report, stream)
    elif output_format == "html":
        from ..render.html import render_html

        render_html(report, stream)
    elif output_format == "github":
        render_github(report, stream, max_examples=max_examples)
    elif output_format == "text":
        render_text(report, stream, max_examples=max_examples)
    else:
        assert_never(output_format)


def emit_report(
    report: dict[str, Any],
    output_format: ReportFormat,
    report_file: Path | None,
    stream: Any,
    max_examples: int,
) -> None:
    """Render the report to ``stream``, or to ``report_file`` with the text one on ``stream``."""
    if report_file is None:
        render_report(report, output_format, stream, max_examples)
        return
    try:
        with report_file.open("w", encoding="utf-8", newline="\n") as out:
            render_report(report, output_format, out, max_examples)
    except OSError as err:
        from .report_file import report_write_error

        # A wrong path is usage (2); a full disk or an unwritable folder is exit 5.
        raise report_write_error(err, report_file) from None
    render_report(report, "text", stream, max_examples)
