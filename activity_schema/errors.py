"""Exceptions for "cannot proceed" failures.

Bad *data* is never an exception: it is an :class:`~activity_schema.issues.records.Issue` in a
report. The exceptions below are for the cases where the tool cannot go on at all: an
unreadable input, a bad definition or configuration, or an HTTP failure. Each class
carries the process exit code the CLI uses, and each instance carries its context.

The tree::

    ActivitySchemaError            exit 1
    ├── UsageError                 exit 2   bad flags or arguments
    │   └── ConfigError            exit 2   bad config, definition or schema rule
    ├── InputError                 exit 3   an input cannot be read at all
    ├── LockedError                exit 2   another run holds the folder's lock
    │                                       (convert: 2; upload raises it with 4)
    ├── OutputError                exit 5   the output cannot be written (disk full,
    │                                       permissions, read-only file system)
    └── UploadError                exit 4   talking to Eloqua failed
        ├── AuthenticationError             401, or "Not authenticated." from discovery
        ├── ForbiddenError                  403
        ├── NotFoundError                   404 (an over-32 MB body gets 404 too)
        ├── ConflictError                   409 (a sync is running)
        ├── StorageExceededError            413
        ├── BadRequestError                 400 (Eloqua's ``failures`` attached)
        ├── ServerError                     5xx after retries
        ├── TransportError                  connection or timeout after retries
        │   └── UnreachableError            the connection could not be made at all
        └── ProtocolError                   a response that is not what the API documents
"""

from __future__ import annotations

import re

__all__ = [
    "ActivitySchemaError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigError",
    "ConflictError",
    "ForbiddenError",
    "InputError",
    "LockedError",
    "NotFoundError",
    "OutputError",
    "ProtocolError",
    "ServerError",
    "StorageExceededError",
    "TransportError",
    "UnreachableError",
    "UploadError",
    "UsageError",
    "escape_controls",
]


#: Characters never written raw to a terminal: C0 and C1 controls, DEL, the line and
#: paragraph separators, and the bidirectional overrides that can reorder what is shown.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    r"""Return ``text`` with every control character shown as an escape (``\x1b``).

    Example:
        >>> escape_controls("scans\x1b[31m\r.csv")
        'scans\\x1b[31m\\r.csv'
    """
    return _CONTROLS.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class ActivitySchemaError(Exception):
    """Base class of every error this package raises on purpose.

    Args:
        message: What is wrong, in one line.
        where: Where it is wrong (a path, ``path:line``, a config key, a URL).
        hint: How to fix it.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def one_line(self) -> str:
        """Return the error as one actionable line: where, what, and how to fix.

        Control characters (from a file name, a header, a server's answer) are shown
        escaped, so that none reaches a terminal or a log as a command.
        """
        text = self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        text = " ".join(text.split())
        if self.where:
            # A path is shown exactly: its spaces are kept, its line breaks escaped.
            text = f"{escape_controls(self.where)}: {text}"
        return escape_controls(text)

    def __str__(self) -> str:
        return self.one_line()


class UsageError(ActivitySchemaError):
    """The command line or the API was called wrongly."""

    exit_code = 2


class ConfigError(UsageError):
    """A configuration file, definition file or schema rule is invalid."""


class InputError(ActivitySchemaError):
    """An input file cannot be read at all (missing, binary, malformed beyond recovery).

    Args:
        message: What is wrong.
        path: The input's path (or ``<stdin>``/``<bytes>``).
        line: The 1-based physical line, when known.
        offset: The 0-based byte offset, when known.
        hint: How to fix it.
    """

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        offset: int | None = None,
        hint: str | None = None,
    ):
        where = path
        if where is not None and line is not None:
            where = f"{where}:{line}"
        super().__init__(message, where=where, hint=hint)
        self.path = path
        self.line = line
        self.offset = offset


class LockedError(ActivitySchemaError):
    """Another run holds the lock on the folder or file this run needs.

    The exit code depends on the command that refuses: 2 for ``convert`` (the class
    default: running a second convert into the same folder is a usage conflict), 4 for
    ``upload`` (which sets ``exit_code`` on the instance, as its other stops exit 4).

    Args:
        what: The command that holds it (``convert``, ``upload``).
        pid: The holder's process id, when it has written it.
        started: When the holder took the lock (ISO 8601, UTC), when written.
        path: The lock file.
    """

    exit_code = 2

    def __init__(
        self,
        what: str,
        *,
        pid: int | None = None,
        started: str | None = None,
        path: str | None = None,
    ):
        holder = f"pid {pid}" if pid is not None else "a process that has not yet said its pid"
        if started:
            holder = f"{holder}, started {started}"
        super().__init__(
            f"another {what} run is using this folder ({holder})",
            where=path,
            hint="wait for it to finish, or stop it; the lock is released when it exits",
        )
        self.what = what
        self.pid = pid
        self.started = started
        self.path = path


class OutputError(ActivitySchemaError):
    """An output cannot be written: the disk is full, a folder is read-only or missing.

    Not a usage error: the same command succeeds once there is room or permission.

    Args:
        message: What failed.
        path: The file or folder that could not be written.
        errno: The operating system's error number (``errno.ENOSPC``...), when known.
        hint: How to fix it.
    """

    exit_code = 5

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        errno: int | None = None,
        hint: str | None = None,
    ):
        super().__init__(message, where=path, hint=hint)
        self.path = path
        self.errno = errno


class UploadError(ActivitySchemaError):
    """Talking to Eloqua failed.

    Args:
        message: What failed.
        status_code: The HTTP status, when there was a response.
        failures: Eloqua's ``failures`` list from a 400 body, when given.
        import_id: The activity import definition id, when known.
        part: The part file being posted, when known.
        url: The request URL (never carries credentials).
        hint: How to fix it.
    """

    exit_code = 4

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        failures: list[dict[str, object]] | None = None,
        import_id: int | None = None,
        part: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ):
        where = url
        if part:
            where = f"{part} -> {url}" if url else part
        super().__init__(message, where=where, hint=hint)
        self.status_code = status_code
        self.failures = failures or []
        self.import_id = import_id
        self.part = part
        self.url = url


class AuthenticationError(UploadError):
    """Eloqua rejected the credentials (401 or "Not authenticated.")."""


class ForbiddenError(UploadError):
    """The user may not use this endpoint or definition (403)."""


class NotFoundError(UploadError):
    """The URL or import definition does not exist, or a body exceeded 32 MB (404)."""


class ConflictError(UploadError):
    """The definition is busy, usually because a sync is running (409)."""


class StorageExceededError(UploadError):
    """The instance's staging storage is full (413)."""


class BadRequestError(UploadError):
    """Eloqua refused the request as malformed (400); ``failures`` says why."""


class ServerError(UploadError):
    """Eloqua kept answering 5xx (or 429) until the retry budget ran out."""


class TransportError(UploadError):
    """The connection failed or timed out until the retry budget ran out."""


class UnreachableError(TransportError):
    """The connection could not be made (refused, DNS, connect timeout): the request
    surely never reached Eloqua, so resending it cannot duplicate anything."""


class ProtocolError(UploadError):
    """Eloqua answered something the API does not document (garbage JSON, wrong shape)."""
