"""Find every row equal to an earlier row of one input, in bounded memory, at any size.

A streamed run warns about each copy of an earlier row as a whole-file run does, naming
the first row with the same values. It cannot keep the earlier rows, nor (for inputs of
any size) an index of them: an index of 12 bytes per distinct row is 576 MB at 48
million rows. So each batch's rows leave only a 64-bit hash of their values, their row
and their line, 24 bytes, kept in memory up to ``memory_rows`` rows and beyond that
appended to partition files on disk, split by the hash's top bits. Once the input is
read, each partition (rows with the same hash always share one) is sorted by hash on its
own, its copies found, and the copies are split again by row range, so that they come
out in row order, chunk by chunk. Memory holds one partition or one range at a time.

Two different rows that hash alike would be taken for copies. With 64-bit hashes the
chance of that anywhere in an input of ``n`` distinct rows is about ``n**2 / 2**65``:
one in 15,000 for 50 million rows, one in 15 million for 1.5 million.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import polars as pl

from ...errors import OutputError

__all__ = ["COPY_DTYPE", "LaterCopies"]

#: Rows kept in memory before the index goes to disk (24 bytes each: 48 MB).
MEMORY_ROWS = 2_000_000
#: Partition files on disk (a power of two): 48 million rows give 750,000 per partition.
PARTITIONS = 64
#: Each copy found: its row and line, and the row it repeats.
COPY_DTYPE = np.dtype([("row", np.int64), ("line", np.int64), ("first", np.int64)])
_ENTRY = np.dtype([("hash", np.uint64), ("row", np.int64), ("line", np.int64)])


class LaterCopies:
    """Collect one input's row hashes batch by batch; then give the copies, in row order.

    Args:
        work: The folder to spill to (a private folder is made in it), or None for the
            system's temporary folder. Nothing is written there until ``memory_rows``
            rows have been added.
        memory_rows: Rows kept in memory before spilling (default :data:`MEMORY_ROWS`).
        partitions: Partition files (a power of two).

    Example:
        >>> copies = LaterCopies(memory_rows=2, partitions=2)
        >>> copies.add(np.array([7, 9], dtype=np.uint64), np.array([1, 2]), np.array([2, 3]))
        >>> copies.add(np.array([7, 5, 9], dtype=np.uint64), np.array([3, 4, 5]),
        ...            np.array([4, 5, 7]))
        >>> [c.tolist() for c in copies.copies()]
        [[(3, 4, 1), (5, 7, 2)]]
        >>> copies.close()
    """

    def __init__(
        self,
        work: Path | None = None,
        *,
        memory_rows: int | None = None,
        partitions: int = PARTITIONS,
    ) -> None:
        if partitions < 1 or partitions & (partitions - 1):
            raise ValueError(f"partitions must be a power of two, not {partitions}")
        self._work = work
        self._memory_rows = MEMORY_ROWS if memory_rows is None else memory_rows
        self._partitions = partitions
        self._shift = np.uint64(64 - (partitions.bit_length() - 1))
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        self._dir: Path | None = None
        self._last_row = 0

    @property
    def spilled(self) -> bool:
        """Return whether rows went to disk."""
        return self._dir is not None

    def add(self, hashes: np.ndarray, rows: np.ndarray, lines: np.ndarray) -> None:
        """Add a batch's rows: their hashes, rows and lines, rows ascending across calls."""
        if not hashes.size:
            return
        entries = np.empty(hashes.size, dtype=_ENTRY)
        entries["hash"], entries["row"], entries["line"] = hashes, rows, lines
        self._pending.append(entries)
        self._pending_rows += entries.size
        self._last_row = max(self._last_row, int(rows[-1]))
        if self._pending_rows >= self._memory_rows:
            self._spill()

    def copies(self, chunk_rows: int = 250_000) -> Iterator[np.ndarray]:
        """Yield every row equal to an earlier one (:data:`COPY_DTYPE`), in row order.

        Each chunk holds about ``chunk_rows`` copies at most (one row range's, when the
        index went to disk); chunks follow each other in row order.
        """
        if self._dir is None:
            found = _by_row(_copies_of(self._take_pending()))
            for start in range(0, found.size, chunk_rows):
                yield found[start : start + chunk_rows]
            return
        self._spill()
        ranges = self._partitions
        span = self._last_row // ranges + 1
        for part in range(self._partitions):
            path = self._path("hash", part)
            if not path.exists():
                continue
            found = _copies_of(np.fromfile(path, dtype=_ENTRY))
            path.unlink()
            try:
                _append_split(found, found["row"] // span, ranges, lambda r: self._path("rows", r))
            except OSError as err:
                raise self._spill_error(err) from err
        for r in range(ranges):
            path = self._path("rows", r)
            if not path.exists():
                continue
            found = _by_row(np.fromfile(path, dtype=COPY_DTYPE))
            path.unlink()
            for start in range(0, found.size, chunk_rows):
                yield found[start : start + chunk_rows]

    def close(self) -> None:
        """Remove the spill folder (idempotent)."""
        self._pending = []
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _take_pending(self) -> np.ndarray:
        entries = np.concatenate(self._pending) if self._pending else np.empty(0, dtype=_ENTRY)
        self._pending, self._pending_rows = [], 0
        return entries

    def _spill(self) -> None:
        entries = self._take_pending()
        if not entries.size:
            return
        try:
            if self._dir is None:
                self._dir = Path(tempfile.mkdtemp(prefix="copies-", dir=self._work))
            keys = (entries["hash"] >> self._shift).astype(np.intp)
            _append_split(entries, keys, self._partitions, lambda p: self._path("hash", p))
        except OSError as err:
            raise self._spill_error(err) from err

    def _spill_error(self, err: OSError) -> OSError | OutputError:
        """Return the error to raise for a failed spill.

        In a caller's folder (a convert's scratch folder) the caller's error handling
        applies; in the system's temporary folder, say which folder and what to do.
        """
        if self._work is not None:
            return err
        where = str(err.filename or self._dir or tempfile.gettempdir())
        return OutputError(
            f"cannot write the streamed run's temporary files: {err.strerror or err}",
            path=where,
            errno=err.errno,
            hint="set TMPDIR to a folder with free space, about 24 bytes per row",
        )

    def _path(self, kind: str, index: int) -> Path:
        if self._dir is None:
            raise RuntimeError("nothing was spilled")
        return self._dir / f"{kind}-{index:04d}.bin"


def _append_split(
    entries: np.ndarray, keys: np.ndarray, count: int, path_of: Callable[[int], Path]
) -> None:
    """Append each entry to file ``path_of(key)``, keeping their order within a file."""
    if not entries.size:
        return
    order = np.argsort(keys, kind="stable")
    entries, keys = entries[order], keys[order]
    bounds = np.searchsorted(keys, np.arange(count + 1))
    for key in np.flatnonzero(np.diff(bounds)).tolist():
        with path_of(key).open("ab") as handle:
            entries[bounds[key] : bounds[key + 1]].tofile(handle)


def _copies_of(entries: np.ndarray) -> np.ndarray:
    """Return the entries that repeat an earlier entry's hash, with that entry's row.

    Most hashes occur once: a plain sort finds the repeated ones, and only the entries
    that have one are sorted again, stably. The entries are in row order, so the stable
    sort by hash puts each hash's first row first in its run.
    """
    hashes = np.ascontiguousarray(entries["hash"])
    ordered = pl.Series(hashes).sort().to_numpy()  # on every core: 52 -> 17 ms per million
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not repeated.size:
        return np.empty(0, dtype=COPY_DTYPE)
    # polars' hash set: a tenth of numpy's isin or a binary search per hash.
    member = pl.Series(hashes).is_in(pl.Series(np.unique(repeated)).implode())
    involved = np.flatnonzero(member.to_numpy())
    entries, hashes = entries[involved], hashes[involved]
    order = np.argsort(hashes, kind="stable")
    hashes = hashes[order]
    starts = np.empty(hashes.size, dtype=bool)
    starts[0] = True
    np.not_equal(hashes[1:], hashes[:-1], out=starts[1:])
    rows = entries["row"][order]
    first = rows[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    copy = ~starts
    found = np.empty(int(copy.sum()), dtype=COPY_DTYPE)
    found["row"] = rows[copy]
    found["line"] = entries["line"][order][copy]
    found["first"] = first[copy]
    return found


def _by_row(found: np.ndarray) -> np.ndarray:
    ordered: np.ndarray = found[np.argsort(found["row"], kind="stable")]
    return ordered
