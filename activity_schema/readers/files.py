"""The file-system edge of reading: open only regular files, and say why when not.

A path can name something that is not a file: ``/dev/zero`` never ends, a FIFO with no
writer blocks ``open`` forever, a socket cannot be read at all. Such inputs are refused
before they are read (standard input, given as ``-``, is the one stream we read).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError

__all__ = ["input_error", "not_regular_error", "open_regular_file", "read_regular_file"]

#: What each kind of non-regular file is called in the error.
_KINDS: tuple[tuple[int, str], ...] = (
    (stat.S_IFCHR, "a character device"),
    (stat.S_IFBLK, "a block device"),
    (stat.S_IFIFO, "a named pipe (FIFO)"),
    (stat.S_IFSOCK, "a socket"),
)


def input_error(err: OSError, name: str) -> InputError:
    """Return the ``InputError`` that tells a user why ``name`` could not be opened.

    Example:
        >>> input_error(FileNotFoundError(), "scans.csv").one_line()
        'scans.csv: no such file (check the path)'
    """
    if isinstance(err, FileNotFoundError):
        return InputError("no such file", path=name, hint="check the path")
    if isinstance(err, IsADirectoryError):
        return InputError("is a directory, not a file", path=name, hint="pass the files inside it")
    if isinstance(err, PermissionError):
        return InputError("permission denied", path=name, hint="check the file's mode")
    return InputError(f"cannot read the file: {err.strerror}", path=name)


def not_regular_error(mode: int, name: str) -> InputError | None:
    """Return the error for a file of ``mode`` that is not a regular file, else None.

    Example:
        >>> import stat
        >>> not_regular_error(stat.S_IFIFO | 0o644, "feed").message
        'is a named pipe (FIFO), not a regular file'
        >>> not_regular_error(stat.S_IFREG | 0o644, "scans.csv") is None
        True
    """
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return input_error(IsADirectoryError(), name)
    kind = next((label for bit, label in _KINDS if stat.S_IFMT(mode) == bit), "not a file")
    return InputError(
        f"is {kind}, not a regular file",
        path=name,
        hint="save the data to a file, or pipe it to standard input and pass - as the file name",
    )


def open_regular_file(path: str | Path, name: str) -> BinaryIO:
    """Open the regular file at ``path`` for reading in binary; refuse anything else.

    The path is looked at before it is opened, and opened without blocking, so a FIFO
    with no writer (or one swapped in after the look) never hangs the run.

    Raises:
        InputError: The path is missing, unreadable, or not a regular file.
    """
    try:
        error = not_regular_error(Path(path).stat().st_mode, name)
    except OSError as err:
        raise input_error(err, name) from None
    if error is not None:
        raise error
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise input_error(err, name) from None
    handle = os.fdopen(fd, "rb")
    # The path may have been swapped between the look and the open: look again.
    error = not_regular_error(os.fstat(fd).st_mode, name)
    if error is not None:
        handle.close()
        raise error
    return handle


def read_regular_file(path: str | Path, name: str) -> bytes:
    """Return the bytes of the regular file at ``path``; see :func:`open_regular_file`.

    Raises:
        InputError: The path is missing, unreadable, or not a regular file.
    """
    with open_regular_file(path, name) as handle:
        try:
            return handle.read()
        except OSError as err:
            raise input_error(err, name) from None
