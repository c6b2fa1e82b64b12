"""Write files so that a crash leaves the old bytes or the new, and let one run at a time in.

Three tools for the commands that write a folder others read (``convert``'s output
folder, ``upload``'s state file):

- :func:`atomic_write_bytes` replaces a file in one step: the bytes go to a temporary
  file in the same folder, are flushed to the disk (``fsync``), renamed over the target
  (``os.replace``, atomic within one file system), and the folder is flushed too, so that
  after a crash or a power loss the path holds either the old bytes or the new ones.
- :func:`fsync_dir` flushes a folder's entries (a rename is durable only once its folder
  is).
- :func:`exclusive_lock` makes a second run refuse at once (:class:`LockedError`) instead
  of interleaving its writes with the first's.
- :func:`exchange` swaps two folders in one atomic step (Linux ``renameat2`` with
  ``RENAME_EXCHANGE``; ``renamex_np`` with ``RENAME_SWAP`` on macOS), so that a reader of
  either path never finds it missing.

Why ``flock`` on a lock file: the kernel releases the lock when the holder's last
descriptor closes, and so when the process dies however it dies (``kill -9``, power
loss, a crash); no stale lock is ever left to clean by hand. The file holds the holder's
pid and start time as JSON, only so that the refusal can name them; the lock is the
``flock``, never the file's presence.

Why the lock file is never deleted: a run that deleted the file while holding its lock
would let a second run, already blocked on the old file, and a third, creating a new
file at the path, both believe they hold the lock (two inodes, two locks). So the file
stays; its content is emptied on release, so that stale text never names a run that
has ended. For the same reason, after locking, the holder checks that the path still
names the inode it locked (someone could have removed or replaced the file between our
``open`` and ``flock``) and starts again if not.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> with exclusive_lock(folder / ".lock", what="convert"):
    ...     atomic_write_bytes(folder / "state.json", b"{}")
    >>> (folder / "state.json").read_bytes()
    b'{}'
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import platform
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..errors import LockedError

__all__ = [
    "EXCHANGE_UNSUPPORTED",
    "LockedError",
    "atomic_write_bytes",
    "exchange",
    "exclusive_lock",
    "fsync_dir",
    "read_lock",
    "rename_no_replace",
]

#: How many times to reopen a lock file that was replaced under us before giving up.
_LOCK_ATTEMPTS = 10


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries to the disk, so that renames and creations in it last.

    Args:
        path: The folder.

    Raises:
        OSError: The folder cannot be opened or flushed.

    Example:
        >>> import tempfile
        >>> fsync_dir(Path(tempfile.gettempdir()))
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` in one step that survives a crash.

    The bytes go to a temporary file beside ``path`` (same file system, so the rename is
    atomic), which is flushed, renamed over ``path``, and the folder flushed. A reader
    sees the old content or the new, never a mix; a crash leaves at most a hidden
    ``.NAME.*.tmp`` file beside it.

    Args:
        path: The file to write; its folder must exist.
        data: The new content.

    Raises:
        OSError: Writing failed (the temporary file is removed; ``path`` is untouched).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "state.json"
        >>> atomic_write_bytes(target, b'{"n": 1}')
        >>> target.read_bytes()
        b'{"n": 1}'
    """
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp).unlink()
        raise
    fsync_dir(path.parent)


def read_lock(lock_path: Path) -> tuple[int | None, str | None]:
    """Return the pid and start time written in a lock file (None for what is unknown).

    Args:
        lock_path: The lock file.

    Returns:
        ``(pid, started)``; both None when the file is missing, empty or not ours.
    """
    try:
        data = json.loads(Path(lock_path).read_bytes() or b"null")
    except (OSError, ValueError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    pid, started = data.get("pid"), data.get("started")
    return (
        pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        started if isinstance(started, str) else None,
    )


def _holder_what(lock_path: Path) -> str | None:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(Path(lock_path).read_bytes() or b"null")
        if isinstance(data, dict) and isinstance(data.get("what"), str):
            return str(data["what"])
    return None


def _open_locked(lock_path: Path, what: str) -> int:
    """Open ``lock_path`` and lock it, or raise :class:`LockedError` if another holds it."""
    for _ in range(_LOCK_ATTEMPTS):
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid, started = read_lock(lock_path)
            # Name the holder's command when it wrote one (a convert can hold an upload's
            # lock while it replaces the folder).
            holder = _holder_what(lock_path) or what
            raise LockedError(holder, pid=pid, started=started, path=str(lock_path)) from None
        except BaseException:
            os.close(fd)
            raise
        # The path may have been replaced between open and flock: then we hold a lock on
        # a file nobody else will open, so start again on the current one.
        try:
            same = os.path.samestat(os.fstat(fd), lock_path.stat())
        except FileNotFoundError:
            same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            return fd
        os.close(fd)
    raise LockedError(what, pid=None, started=None, path=str(lock_path))


@contextlib.contextmanager
def exclusive_lock(lock_path: Path, *, what: str, exit_code: int | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` for the ``with`` block, or refuse at once.

    The lock is ``flock(LOCK_EX | LOCK_NB)`` on the file, which is created if missing
    and left in place afterwards (see the module docstring for why). While held, the
    file holds ``{"pid": ..., "started": "2026-01-02T03:04:05Z", "what": ...}``; it is
    emptied on release. The kernel releases the lock if the process dies.

    Args:
        lock_path: The lock file; its folder must exist.
        what: The command taking it (``convert``, ``upload``), named in the refusal.
        exit_code: The exit code of the :class:`LockedError` raised on refusal; by
            default :attr:`LockedError.exit_code` (2). ``upload`` passes 4.

    Raises:
        LockedError: Another process holds the lock; carries its ``pid`` and
            ``started`` when it has written them.
        OSError: The lock file cannot be created or opened.

    Example:
        >>> import tempfile
        >>> lock = Path(tempfile.mkdtemp()) / ".convert.lock"
        >>> with exclusive_lock(lock, what="convert"):
        ...     read_lock(lock)[0] == os.getpid()
        True
    """
    try:
        fd = _open_locked(Path(lock_path), what)
    except LockedError as err:
        if exit_code is not None:
            err.exit_code = exit_code
        raise
    try:
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        record = {"pid": os.getpid(), "started": started, "what": what}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode("ascii") + b"\n", 0)
        yield
    finally:
        # Empty it before unlocking, so that no later reader takes our pid for a holder.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)


# --- atomic exchange --------------------------------------------------------------------

#: ``errno`` values that mean "this system or file system cannot exchange": the caller
#: falls back to something weaker.
EXCHANGE_UNSUPPORTED: frozenset[int] = frozenset(
    {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}
)
_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_RENAME_SWAP = 2  # macOS renamex_np
_RENAME_EXCL = 4  # macOS renamex_np
#: ``renameat2``'s system call number, for a libc without the wrapper (glibc < 2.28).
_SYS_RENAMEAT2 = {
    "x86_64": 316,
    "aarch64": 276,
    "riscv64": 276,
    "i386": 353,
    "i686": 353,
    "armv7l": 382,
    "ppc64le": 357,
    "s390x": 347,
}


def _rename_flags(old: Path, new: Path, linux: int, mac: int) -> None:
    """Rename ``old`` to ``new`` with ``renameat2``/``renamex_np`` flags, or raise OSError."""
    src, dst = os.fsencode(old), os.fsencode(new)
    libc = ctypes.CDLL(None, use_errno=True)
    if sys.platform.startswith("linux"):
        wrapper = getattr(libc, "renameat2", None)
        if wrapper is not None:
            result = wrapper(_AT_FDCWD, src, _AT_FDCWD, dst, ctypes.c_uint(linux))
        else:
            number = _SYS_RENAMEAT2.get(platform.machine())
            if number is None:
                raise OSError(errno.ENOSYS, "renameat2 is not available", str(old))
            result = libc.syscall(
                ctypes.c_long(number),
                ctypes.c_int(_AT_FDCWD),
                src,
                ctypes.c_int(_AT_FDCWD),
                dst,
                ctypes.c_uint(linux),
            )
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(src, dst, ctypes.c_uint(mac))
    else:
        raise OSError(errno.ENOSYS, "no atomic exchange on this system", str(old))
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(old), None, str(new))


def exchange(a: Path, b: Path) -> None:
    """Swap the paths ``a`` and ``b`` (two folders, or two files) in one atomic step.

    Both must exist, on the same file system. At every instant each path names one of
    the two; nobody can see either missing.

    Args:
        a: One path.
        b: The other.

    Raises:
        OSError: The swap failed; nothing changed. ``errno`` is in
            :data:`EXCHANGE_UNSUPPORTED` when this system or file system cannot swap
            atomically (not Linux 3.15+ or macOS 10.12+, or a file system without
            ``RENAME_EXCHANGE``): the caller decides what weaker step to take.

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> (root / "a").mkdir(); (root / "b").mkdir(); (root / "a" / "1").touch()
        >>> exchange(root / "a", root / "b")
        >>> [p.name for p in (root / "b").iterdir()]
        ['1']
    """
    _rename_flags(a, b, _RENAME_EXCHANGE, _RENAME_SWAP)


def rename_no_replace(old: Path, new: Path) -> None:
    """Rename ``old`` to ``new``, failing with ``FileExistsError`` if ``new`` exists.

    ``os.rename`` would replace an empty folder at ``new``; this never replaces anything.
    Where the system has no such flag, it checks first and renames (not atomic, which
    is harmless for callers that hold a lock on the place).

    Raises:
        FileExistsError: ``new`` exists.
        OSError: The rename failed otherwise.
    """
    try:
        _rename_flags(old, new, _RENAME_NOREPLACE, _RENAME_EXCL)
    except OSError as err:
        if err.errno not in EXCHANGE_UNSUPPORTED:
            raise
        if os.path.lexists(new):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(new)) from None
        Path(old).rename(new)
