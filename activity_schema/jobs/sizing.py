"""Decide whether a run goes in record batches, without importing the batch jobs.

Every lint and convert asks this before it reads a byte; the answer depends only on the
inputs' sizes (their total: twenty 12 MB files held at once weigh what one 240 MB file
does), so it lives apart from :mod:`activity_schema.jobs.stream`, whose import
(the batch readers, the row index, the spilled outputs) only a streamed run should pay.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from ..defaults import STREAM_THRESHOLD_BYTES

__all__ = ["should_stream"]


def should_stream(paths: Sequence[str | Path], *, threshold: int = STREAM_THRESHOLD_BYTES) -> bool:
    """Return whether the inputs together are larger than ``threshold`` bytes.

    A whole-file run holds every input in memory at once (the checked frames and the
    issues), so the inputs' total decides, not the largest one's size. An input that
    cannot be stat'ed (missing, ``-``) does not count: its reader reports it.

    Example:
        >>> should_stream(["no-such-file.csv"])
        False
        >>> should_stream([__file__], threshold=0)
        True
    """
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += Path(path).stat().st_size
            if total > threshold:
                return True
    return False
