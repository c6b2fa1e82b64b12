"""Own convert's output folder: one writer at a time, and the old run or the new, never half.

:class:`OutputFolder` is the one commit mechanism of both converts (the whole-file
:func:`~activity_schema.output.write.convert` and the streamed
:func:`~activity_schema.jobs.stream.convert_stream`). For a folder ``OUT``:

1. **claim**: create ``OUT``'s parent if missing; take an exclusive ``flock`` on
   ``.OUT.convert.lock`` beside ``OUT`` (a second convert refuses at once, naming the
   holder's pid and start time, exit 2), and on every ``*.lock`` file inside ``OUT``
   (an ``upload`` working on the folder holds one); remove the leftovers of an
   interrupted run; refuse an earlier run's files without ``force``; create the sibling
   staging folder ``.OUT.convert-XXXXXXXX.tmp``.
2. **stage**: write every file of the run into the staging folder, ``fsync`` each (on a
   thread, while the next file is written: the commit waits for every flush).
3. **commit**: carry over what is in ``OUT`` but is not a run's own file (below), flush
   the staging folder, then swap it with ``OUT`` in one atomic step, flush the parent,
   and remove the old run (now at the staging path).

A crash at any point leaves ``OUT`` holding either the old complete run or the new
complete run, plus a ``.OUT.convert-*.tmp`` leftover that the next convert removes.

Why the lock file is beside ``OUT``, not in it: the commit swaps ``OUT``'s inode, so a
lock file inside would move away with the old run. Beside it, the lock file outlives
every swap (it is never deleted; see :mod:`activity_schema.output.durable`).

**Exchange, not a symlink.** The two ways to switch a folder in one step are (a) to swap
two real folders with ``renameat2(RENAME_EXCHANGE)``, and (b) to make ``OUT`` a symlink
to ``.OUT.runs/<id>/`` and flip it with ``os.replace`` of a new symlink. We swap:

- ``OUT`` stays the real folder that README, ``upload``, and users' scripts (``ls``,
  ``cp -r``, ``rm -r``, ``tar``, a CI cache) expect; a symlink changes what those do
  (``rm -r OUT`` leaves the data, ``cp -r``/``tar`` copy the link, ``OUT/..`` is the
  runs folder);
- a folder that already exists (every earlier run, and the empty folder a user made
  with ``mkdir``) cannot be turned into a symlink atomically: a symlink cannot be
  renamed over a folder, so the first ``--force`` would have the very gap we close;
- symlinks need a privilege on Windows and some sync tools and archives drop them.

The cost: ``RENAME_EXCHANGE`` is Linux-only (3.15+, ext4, xfs, btrfs, tmpfs, and most
others); macOS has the same swap as ``renamex_np(RENAME_SWAP)``, used through the same
code. Elsewhere, or on a file system that refuses it, the commit falls back to two
renames (``OUT`` aside as ``.OUT.convert-old-XXXXXXXX.tmp``, then the new one in): still
never half a run, but for an instant ``OUT`` is missing, and a crash in that instant
leaves it missing until the next convert, which puts the old run back first.

**What is carried over.** A run's own files are its parts (``part-NNNNN.json|csv``),
``rejects.csv`` and ``manifest.json``; with ``force`` they are replaced. Everything else
in ``OUT`` (``upload-state.json`` and ``eloqua-rejects.csv`` of an upload of the earlier
run, lock files, a user's own files and folders) is carried into the new folder
unchanged, by hard links (copies where links fail): as the file-by-file replacement of
earlier versions left them in place. So an ``upload`` of the new run still finds the
earlier upload's state and refuses to mix the two (it names the part that changed and
asks for a new folder) instead of staging the new parts beside rows Eloqua already
holds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Final

from ..errors import LockedError, OutputError, UsageError
from .durable import EXCHANGE_UNSUPPORTED, exchange, exclusive_lock, fsync_dir, rename_no_replace
from .plan import MANIFEST_NAME, REJECTS_NAME

__all__ = [
    "COMMIT_STEPS",
    "OutputFolder",
    "StepHook",
    "is_run_file",
    "output_error",
]

#: The steps of a claim and commit, in order; ``on_step`` is called after each
#: (``staging`` after every staged file; ``set-aside`` only when the fallback is used).
COMMIT_STEPS: Final = (
    "locked",
    "staging",
    "staged",
    "carried",
    "synced",
    "set-aside",
    "exchanged",
    "committed",
    "removed",
)

#: A seam for fault-injection tests: called with each step's name as it is passed.
StepHook = Callable[[str], None]

#: ``errno`` values that say the path is wrong (a usage error) rather than unwritable.
_PATH_ERRORS: Final = frozenset({errno.ENOTDIR, errno.EEXIST, errno.ENAMETOOLONG, errno.ELOOP})


def is_run_file(name: str) -> bool:
    """Return whether ``name`` is a file a convert run writes (replaced by the next run).

    The parts, ``rejects.csv``, ``manifest.json``, and the hidden temporary files that
    versions before the atomic commit left inside the folder.

    Example:
        >>> [is_run_file(n) for n in ("part-00001.json", "upload-state.json", "notes.txt")]
        [True, False, False]
    """
    if name in (MANIFEST_NAME, REJECTS_NAME):
        return True
    if name.startswith(".") and name.endswith(".tmp"):
        inner = name[1:-4]
        if inner in (MANIFEST_NAME, REJECTS_NAME) or inner.startswith("part-"):
            return True
        return name.startswith(".stream-")
    return name.startswith("part-") and Path(name).suffix in (".json", ".csv")


def output_error(err: OSError, where: Path | str) -> UsageError | OutputError:
    """Return the error to raise for an ``OSError`` met while writing the output.

    A path that cannot be a folder (a file in the way) is a usage error (exit 2); a
    full disk, a read-only or unwritable folder, or an I/O error is an
    :class:`~activity_schema.errors.OutputError` (exit 5).
    """
    place = str(err.filename or where)
    reason = err.strerror or str(err)
    if err.errno in _PATH_ERRORS:
        return UsageError(
            f"cannot use the output folder: {reason}",
            where=place,
            hint="a file is in the way of the folder; choose another path with -o",
        )
    hints = {
        errno.ENOSPC: "free some space on that disk, or write to another with -o",
        errno.EDQUOT: "the disk quota is used up; free some space or write elsewhere",
        errno.EROFS: "the file system is read-only; write to another folder with -o",
        errno.EACCES: "check the folder's permissions, or write to another with -o",
        errno.EPERM: "check the folder's permissions, or write to another with -o",
        errno.EXDEV: "the output folder is a mount point; convert into a folder inside it",
        errno.EBUSY: "the output folder is a mount point; convert into a folder inside it",
    }
    return OutputError(
        f"cannot write the output: {reason}",
        path=place,
        errno=err.errno,
        hint=hints.get(err.errno or 0, "check the folder, its permissions and free space"),
    )


class OutputFolder:
    """Convert's output folder, claimed for one run and replaced in one atomic step.

    Use it as a context manager: entering claims it (lock, leftovers, earlier run,
    staging folder); leaving releases the lock and, when :meth:`commit` was not
    reached, removes the staging folder and leaves ``OUT`` as it was.

    Args:
        path: The output folder (created at commit if missing; symlinks in it are
            resolved, and the folder a symlink names is replaced).
        force: Replace an earlier run's files; without it, a folder holding them is
            refused.
        on_step: Called with each step's name (see :data:`COMMIT_STEPS`): a seam for
            fault-injection tests.

    Attributes:
        given: ``path`` as given (for messages and the result's paths).
        path: The absolute folder replaced.
        removed: The leftovers of interrupted runs removed when claiming.

    Example:
        >>> import tempfile
        >>> out = Path(tempfile.mkdtemp()) / "out"
        >>> with OutputFolder(out) as folder:
        ...     _ = folder.stage("manifest.json", [b"{}"])
        ...     folder.commit()
        >>> sorted(p.name for p in out.iterdir())
        ['manifest.json']
    """

    def __init__(
        self, path: str | Path, *, force: bool = False, on_step: StepHook | None = None
    ) -> None:
        self.given = Path(path)
        # Resolved: two paths to one folder (through a symlink) take the same lock.
        self.path = Path(path).resolve()
        self.force = force
        self.on_step = on_step
        self.removed: list[str] = []
        self.staging: Path | None = None
        self.committed = False
        self._locks = contextlib.ExitStack()
        self._staged: list[str] = []
        self._flushes: list[Future[None]] = []
        self._flusher: ThreadPoolExecutor | None = None

    # --- claim ---------------------------------------------------------------------------

    def __enter__(self) -> OutputFolder:
        try:
            self.claim()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def lock_path(self) -> Path:
        """Return the lock file beside the folder (``.OUT.convert.lock``)."""
        return self.path.parent / f".{self.path.name}.convert.lock"

    def _step(self, name: str) -> None:
        if self.on_step is not None:
            self.on_step(name)

    def claim(self) -> None:
        """Lock the folder, clean leftovers, check for an earlier run, create the staging.

        Raises:
            LockedError: Another convert, or an upload, is using the folder (exit 2).
            UsageError: The path is a file, or holds an earlier run and not ``force``.
            OutputError: The parent folder cannot be created or written.
        """
        out = self.path
        if not out.name or out.parent == out:
            raise UsageError("the output folder cannot be a file system's root", where=str(out))
        if out.exists() and not out.is_dir():
            raise UsageError(
                "the output folder is a file", where=str(self.given), hint="pass a folder with -o"
            )
        here = Path.cwd().resolve()
        if here == out or out in here.parents:
            # The swap would leave this process (and the user's shell) in the old folder.
            raise UsageError(
                "the output folder is the current folder, or holds it",
                where=str(self.given),
                hint="convert into a subfolder, e.g. -o out: the folder is replaced as a whole",
            )
        for above in self.given.parents:  # as given: the message names what the user typed
            if above.exists():
                if not above.is_dir():
                    raise UsageError(
                        f"cannot use the output folder: {above} is a file, not a folder",
                        where=str(self.given),
                        hint="choose another path with -o",
                    )
                break
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            self._locks.enter_context(exclusive_lock(self.lock_path, what="convert"))
            self._step("locked")
            self._clean_leftovers()
            if out.is_dir():
                self._lock_inner()
                self._refuse_earlier_run()
            self.staging = self._make_staging()
        except OSError as err:
            raise output_error(err, out.parent) from err

    def _lock_inner(self) -> None:
        # An upload of the folder holds a lock file in it (``.upload.lock``): swapping the
        # folder under it would make it post the new run's parts against the old run's
        # state. Held for the whole run, so that no upload starts before the swap either.
        for entry in sorted(self.path.iterdir()):
            if entry.name.endswith(".lock") and entry.is_file() and not entry.is_symlink():
                try:
                    self._locks.enter_context(exclusive_lock(entry, what="convert"))
                except LockedError as err:
                    if err.pid != os.getpid():
                        raise
                    # This process holds it (a caller that locked the folder, then
                    # converts into it): it is the one writer.

    def _clean_leftovers(self) -> None:
        parent, name = self.path.parent, self.path.name
        prefix = f".{name}.convert-"
        leftovers = sorted(
            p for p in parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp")
        )
        for path in leftovers:
            if path.name.startswith(f"{prefix}old-") and not os.path.lexists(self.path):
                # The fallback commit died between its two renames: put the old run back.
                rename_no_replace(path, self.path)
                fsync_dir(parent)
            else:
                _remove(path)
            self.removed.append(path.name)

    def _refuse_earlier_run(self) -> None:
        earlier = sorted(
            (p.name for p in self.path.iterdir() if is_run_file(p.name) and p.name[0] != "."),
            key=lambda n: (n[0] != "p", n),  # parts first, so that the message names one
        )
        if earlier and not self.force:
            more = f" and {len(earlier) - 1} more file(s)" if len(earlier) > 1 else ""
            raise UsageError(
                f"the output folder already holds {earlier[0]}{more} from an earlier run",
                where=str(self.given),
                hint="pass --force to replace them, or choose an empty folder",
            )

    def _make_staging(self) -> Path:
        while True:
            path = self.path.parent / f".{self.path.name}.convert-{secrets.token_hex(4)}.tmp"
            try:
                path.mkdir()  # the umask applies, as for a folder made by hand
            except FileExistsError:
                continue
            break
        with contextlib.suppress(FileNotFoundError):
            old = self.path.stat()
            path.chmod(stat.S_IMODE(old.st_mode))
            if os.geteuid() == 0:
                with contextlib.suppress(OSError):
                    os.chown(path, old.st_uid, old.st_gid)
        return path

    def _open_staging(self) -> Path:
        """Return the staging folder of a claimed, not yet committed run.

        Raises:
            RuntimeError: :meth:`claim` was not called, or the run is already committed
                (a caller's bug, not bad input).
        """
        if self.staging is None or self.committed:
            raise RuntimeError(f"claim {self.given} before staging or committing a run")
        return self.staging

    # --- stage ---------------------------------------------------------------------------

    @property
    def work(self) -> Path:
        """Return a scratch folder for spill files, removed before the commit."""
        path = self._open_staging() / ".work"
        path.mkdir(exist_ok=True)
        return path

    def stage(self, name: str, pieces: Iterable[bytes | memoryview]) -> Path:
        """Write one file of the run into the staging folder and flush it to the disk.

        Args:
            name: The file's name in the folder (``part-00001.json``).
            pieces: Its bytes, in pieces.

        Returns:
            The path the file will have once committed (under :attr:`given`).

        Raises:
            OSError: Writing failed (a full disk...); see :func:`output_error`.
        """
        with self.open_staged(name) as handle:
            for piece in pieces:
                handle.write(piece)
        return self.given / name

    @contextlib.contextmanager
    def open_staged(self, name: str) -> Iterator[BinaryIO]:
        """Create one file of the run in the staging folder; flush it to the disk on exit.

        The handle is unbuffered, so that a writer which takes the file itself (polars'
        CSV writer) and plain ``write`` calls can be mixed in order. The file is staged
        once the block completes; if it raises, the file is left for :meth:`close`. Its
        ``fsync`` runs on a thread while the caller goes on (the disk flushes a part
        while the next one is encoded); :meth:`commit` waits for every flush and raises
        the first that failed.

        Args:
            name: The file's name in the folder (``part-00001.json``).

        Yields:
            The file, open for writing bytes. Its path once committed is
            ``given / name``.

        Raises:
            OSError: Writing failed (a full disk...); see :func:`output_error`.
        """
        with (self._open_staging() / name).open("xb", buffering=0) as handle:
            yield handle
            flushed = os.dup(handle.fileno())
        if self._flusher is None:
            self._flusher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fsync")
        self._flushes.append(self._flusher.submit(_fsync_and_close, flushed))
        self._staged.append(name)
        self._step("staging")

    def _wait_for_flushes(self) -> None:
        """Wait for every staged file's ``fsync``; raise the first error."""
        flushes, self._flushes = self._flushes, []
        if self._flusher is not None:
            self._flusher.shutdown(wait=True)
            self._flusher = None
        for flush in flushes:
            flush.result()

    # --- commit --------------------------------------------------------------------------

    def commit(self) -> None:
        """Replace the folder with the staged run in one atomic step.

        Raises:
            OSError: A step failed before the swap (the folder is unchanged) or the
                parent could not be flushed after it.
        """
        staging = self._open_staging()
        self._wait_for_flushes()
        shutil.rmtree(staging / ".work", ignore_errors=True)
        self._step("staged")
        if self.path.is_dir():
            _carry(self.path, staging)
        self._step("carried")
        fsync_dir(staging)
        self._step("synced")
        if not self.path.exists():
            rename_no_replace(staging, self.path)
            self.staging = None
        else:
            try:
                exchange(staging, self.path)
            except OSError as err:
                if err.errno not in EXCHANGE_UNSUPPORTED:
                    raise
                self._swap_by_renames(staging)
        self.committed = True
        self._step("exchanged")
        fsync_dir(self.path.parent)
        self._step("committed")
        if self.staging is not None:  # now the old run
            _remove(self.staging)
            self.staging = None
        self._step("removed")

    def _swap_by_renames(self, staging: Path) -> None:
        """Set the old run aside, then move the new one in (the documented fallback)."""
        aside = self.path.parent / f".{self.path.name}.convert-old-{secrets.token_hex(4)}.tmp"
        self.path.rename(aside)
        self._step("set-aside")
        try:
            rename_no_replace(staging, self.path)
        except BaseException:
            aside.rename(self.path)
            raise
        self.staging = aside

    def close(self) -> None:
        """Remove an uncommitted staging folder and release the locks."""
        try:
            with contextlib.suppress(OSError):  # a failed run: its flushes no longer matter
                self._wait_for_flushes()
            if self.staging is not None:
                # Best effort: what is left is a leftover the next run removes.
                _remove(self.staging)
                self.staging = None
        finally:
            self._locks.close()


def _fsync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def _link_or_copy(source: str, target: str) -> str:
    """Hard-link ``source`` at ``target`` (a copy, flushed, where links are refused)."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)
        with Path(target).open("rb") as handle:
            os.fsync(handle.fileno())
    return target


def _carry(old: Path, new: Path) -> None:
    """Carry into ``new`` every entry of ``old`` that is not a run's own file."""
    for entry in sorted(old.iterdir()):
        if is_run_file(entry.name):
            continue
        target = new / entry.name
        if entry.is_symlink():
            target.symlink_to(entry.readlink())
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True, copy_function=_link_or_copy)
            for folder, _, _ in os.walk(target):
                fsync_dir(Path(folder))
        else:
            _link_or_copy(str(entry), str(target))
