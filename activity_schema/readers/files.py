"""The file-system edge of reading: turn an ``OSError`` into a one-line ``InputError``."""

from __future__ import annotations

from ..errors import InputError

__all__ = ["input_error"]


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
