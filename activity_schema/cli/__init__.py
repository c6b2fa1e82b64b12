"""The ``activity-schema`` command line.

This is the only layer that touches the terminal, the environment and ``sys.exit``.
Heavy libraries (polars, pandera, httpx) are imported inside the commands so that
``--help`` and ``--version`` start fast.

The package holds one module per command group (:mod:`.inspect`, :mod:`.lint`,
:mod:`.convert`, :mod:`.upload`, and :mod:`.schema` for schema, init and explain) and
:mod:`.common` for what they share; this module defines the group and registers them.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, Final, NoReturn

import click

from .._version import __version__
from . import convert, inspect, lint, schema, upload
from .common import DEBUG_ENV, REPORT_FORMATS, handle_errors

__all__ = [
    "ALLOCATOR_ENV",
    "BLAS_ENV",
    "DEBUG_ENV",
    "REPORT_FORMATS",
    "OneLineErrors",
    "handle_errors",
    "main",
    "run",
]


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


#: polars' allocator (jemalloc) setting for a CLI process, unless the environment sets
#: one: pages freed by polars go back to the kernel as they decay, instead of staying
#: resident as "muzzy" pages (polars' default keeps them for speed). A million-row lint
#: peaks 12-15% lower, at the same speed (docs/performance.md).
ALLOCATOR_ENV: Final = ("_RJEM_MALLOC_CONF", "muzzy_decay_ms:0")
#: numpy's OpenBLAS thread pool, unless the environment sizes it: the tool does no linear
#: algebra, and the pool's threads spin on the other core for about 0.1 s of CPU after
#: numpy is imported (measured with perf on a million-row lint: 3% of its cycles).
BLAS_ENV: Final = ("OPENBLAS_NUM_THREADS", "1")


def run() -> NoReturn:
    """Run the CLI as a process (the console script and ``python -m``) and exit.

    The process exits without tearing down the interpreter once the output is flushed,
    as mypy does: freeing a few gigabytes of frames one by one takes a noticeable
    share of a large run and serves no one. Files are closed by the commands
    themselves; :func:`main` stays an ordinary click group for embedding and tests.
    Before polars and numpy are loaded, polars' allocator is told to return freed
    memory (:data:`ALLOCATOR_ENV`) and numpy's BLAS to start no threads
    (:data:`BLAS_ENV`); a process that embeds :func:`main` keeps its own settings.
    """
    # Read once, when polars' allocator and numpy's BLAS start: neither is loaded yet
    # (the CLI imports them inside the commands).
    for name, value in (ALLOCATOR_ENV, BLAS_ENV):
        os.environ.setdefault(name, value)
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


# Click lists the commands by name, whatever the order they are added in.
main.add_command(inspect.inspect)
main.add_command(lint.lint)
main.add_command(convert.convert)
main.add_command(upload.upload)
main.add_command(schema.schema_command)
main.add_command(schema.init)
main.add_command(schema.explain)
