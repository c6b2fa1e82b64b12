"""Check ``--report FILE`` before any work, and say why writing it failed.

``lint`` and ``convert`` check the report's path first: a typo in the folder, or a
folder that cannot be written, stops the command before minutes of checking (and
before ``convert`` writes its parts), not after.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from ..errors import OutputError, UsageError

__all__ = [
    "check_report_file",
    "fixes_option",
    "fixes_sink",
    "report_option",
    "report_write_error",
]

#: ``errno`` values that say the report's path is wrong, not unwritable.
_PATH_ERRORS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG})


def report_option(report: Path | None, legacy: Path | None) -> Path | None:
    """Return the report file of ``--report``, or of lint's deprecated ``--output``.

    ``--output`` still works for lint, with a warning on stderr: every command calls the
    report file ``--report`` (convert's and upload's ``--output``/``--out`` are folders).

    Raises:
        UsageError: Both are given.
    """
    if legacy is None:
        return report
    if report is not None:
        raise UsageError(
            "--output is the deprecated name of --report; pass only --report",
            hint="drop --output",
        )
    click.echo(
        "activity-schema: warning: lint --output is deprecated; use --report FILE "
        "(the same option as convert's)",
        err=True,
    )
    return legacy


def check_report_file(path: Path | None, option: str = "--report") -> None:
    """Refuse a ``--report`` path that cannot be written, before anything is done.

    Args:
        path: The ``--report`` file, or None.
        option: The option that named it (``--fixes`` is checked alike).

    Raises:
        UsageError: The path names a folder, or its folder does not exist (exit 2).
        OutputError: Its folder, or the file, cannot be written (exit 5).

    Example:
        >>> check_report_file(None)
        >>> check_report_file(Path("no-such-folder/report.json"))
        Traceback (most recent call last):
        ...
        activity_schema.errors.UsageError: no-such-folder/report.json: the report's folder does not exist (create it first, or choose another --report path)
    """  # noqa: E501
    if path is None:
        return
    folder = path.parent
    if path.is_dir():
        raise UsageError(
            f"{option} names a folder", where=str(path), hint="give a file name, e.g. report.json"
        )
    if not folder.is_dir():
        raise UsageError(
            "the report's folder does not exist",
            where=str(path),
            hint=f"create it first, or choose another {option} path",
        )
    target = path if path.exists() else folder
    if not os.access(target, os.W_OK):
        read_only = _read_only(folder)
        raise OutputError(
            "cannot write the report: "
            + ("the file system is read-only" if read_only else "permission denied"),
            path=str(path),
            errno=errno.EROFS if read_only else errno.EACCES,
            hint=f"choose another {option} path",
        )


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def report_write_error(err: OSError, path: Path) -> UsageError | OutputError:
    """Return the error to raise when writing the report at ``path`` failed.

    A wrong path is a usage error (exit 2); a full disk or an unwritable folder is an
    :class:`~activity_schema.errors.OutputError` (exit 5).
    """
    reason = err.strerror or str(err)
    if err.errno in _PATH_ERRORS:
        return UsageError(
            f"cannot write the report: {reason}",
            where=str(path),
            hint="check that the folder exists and is writable",
        )
    return OutputError(
        f"cannot write the report: {reason}",
        path=str(path),
        errno=err.errno,
        hint="free some space or choose another --report path"
        if err.errno in (errno.ENOSPC, errno.EDQUOT)
        else "check the folder's permissions, or choose another --report path",
    )


_F = TypeVar("_F", bound=Callable[..., Any])


def fixes_option(command: _F) -> _F:
    """Add ``--fixes FILE`` (every fixed cell as NDJSON) to a command."""
    return click.option(
        "--fixes",
        "fixes_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write every fixed cell to FILE as NDJSON, one issue per line (the "
        "report summarises mechanical normalizations per field).",
    )(command)


@contextmanager
def fixes_sink(path: Path | None) -> Iterator[IO[bytes] | None]:
    """Open the ``--fixes`` file for the job to write, or give None without one.

    Raises:
        UsageError: The path is wrong (exit 2).
        OutputError: The file cannot be written (exit 5).
    """
    if path is None:
        yield None
        return
    try:
        sink = path.open("wb")
    except OSError as err:
        raise report_write_error(err, path) from None
    with sink:
        yield sink
