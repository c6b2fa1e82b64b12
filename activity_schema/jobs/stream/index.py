"""Remember the first row of every distinct value seen so far, compactly, across batches.

Duplicate-row warnings and ``--dedupe`` compare each row with every earlier row of the
input (of the run, for ``--dedupe``). A streamed run cannot keep the earlier rows, so it
keeps a 64-bit hash of each distinct row and the position of its first occurrence:
12 bytes per distinct row (16 for files of more than 4 billion rows), in sorted numpy
arrays split into 256 buckets by the hash's top byte, so that adding a batch copies one
bucket at a time, never the whole index.

Two different rows that hash alike would be taken for copies. With 64-bit hashes the
chance of that anywhere in a run of ``n`` distinct rows is about ``n**2 / 2**65``: one
in 15,000 for 50 million rows, one in 15 million for 1.5 million. Rows are not compared
by value after a hit, since that would mean keeping them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = ["FirstSeen", "row_hashes"]

_BUCKET_SHIFT = np.uint64(56)
_BUCKETS = 256
#: A fixed seed, so that equal rows of different batches hash alike.
_SEED = 0x5EED


def row_hashes(frame: pl.DataFrame, columns: list[str] | tuple[str, ...]) -> np.ndarray:
    """Return a 64-bit hash of each row's values in ``columns`` (nulls hash alike).

    Example:
        >>> rows = pl.DataFrame({"a": ["x", "y", "x"], "b": [None, "1", None]})
        >>> h = row_hashes(rows, ["a", "b"])
        >>> bool(h[0] == h[2]), bool(h[0] == h[1])
        (True, False)
    """
    hashed = frame.select(columns).hash_rows(seed=_SEED)
    return hashed.to_numpy().astype(np.uint64, copy=False)


class FirstSeen:
    """Map each hash to the payload (a row number) of its first occurrence.

    Example:
        >>> seen = FirstSeen(np.uint32)
        >>> seen.first(np.array([7, 9, 7], dtype=np.uint64), np.array([1, 2, 3])).tolist()
        [1, 2, 1]
        >>> seen.first(np.array([9, 5], dtype=np.uint64), np.array([4, 5])).tolist()
        [2, 5]
        >>> len(seen)
        3
    """

    def __init__(self, payload: type[np.unsignedinteger] | type[np.signedinteger]) -> None:
        self._dtype = np.dtype(payload)
        self._keys = [np.empty(0, dtype=np.uint64) for _ in range(_BUCKETS)]
        self._values = [np.empty(0, dtype=self._dtype) for _ in range(_BUCKETS)]

    def __len__(self) -> int:
        return sum(k.size for k in self._keys)

    @property
    def nbytes(self) -> int:
        """Return the memory the index holds, in bytes."""
        return sum(k.nbytes + v.nbytes for k, v in zip(self._keys, self._values, strict=True))

    def first(self, hashes: np.ndarray, payloads: np.ndarray) -> np.ndarray:
        """Return each row's first payload, and remember the hashes not seen before.

        Args:
            hashes: The rows' hashes (uint64), in row order.
            payloads: The rows' payloads (row numbers), in row order.

        Returns:
            For each row, the payload of the first row with its hash: one seen in an
            earlier call, else the first in this call (the row itself when unique).
        """
        if not hashes.size:
            return np.empty(0, dtype=self._dtype)
        unique, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        result = payloads[first].astype(self._dtype)
        buckets = (unique >> _BUCKET_SHIFT).astype(np.intp)
        bounds = np.searchsorted(buckets, np.arange(_BUCKETS + 1))
        for b in np.flatnonzero(np.diff(bounds)).tolist():
            lo, hi = int(bounds[b]), int(bounds[b + 1])
            keys, values = self._keys[b], self._values[b]
            wanted = unique[lo:hi]
            pos = np.searchsorted(keys, wanted)
            found = pos < keys.size
            found[found] = keys[pos[found]] == wanted[found]
            mine = result[lo:hi]
            mine[found] = values[pos[found]]
            new = ~found
            if new.any():
                self._keys[b] = np.insert(keys, pos[new], wanted[new])
                self._values[b] = np.insert(values, pos[new], mine[new])
        return result[inverse.reshape(-1)]
