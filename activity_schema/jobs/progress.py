"""Progress events: where a long run is, for a display (the core never prints).

:func:`~activity_schema.jobs.stream.convert_stream` sends one after every batch (``on_progress``);
the command line sends them at the stages of a whole-file run and draws them on stderr
with :class:`~activity_schema.render.progress.ProgressDisplay`. This module imports
nothing heavy, so that a display can be built before polars is loaded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ProgressCallback", "ProgressEvent", "input_sizes", "whole_run_event"]


@dataclass(frozen=True)
class ProgressEvent:
    """Where a long run is.

    Attributes:
        stage: What the run is doing: ``reading`` an input, ``checking`` the rows,
            ``converting`` (a streamed batch was checked and its records queued),
            ``writing`` the output or ``reporting``.
        path: The input being worked on; None when the stage spans several inputs.
        rows: Records read so far, over all inputs (None: not counted yet).
        bytes_done: Bytes of the inputs consumed so far (raw file bytes, all inputs).
        bytes_total: Bytes of all inputs (None: unknown).

    Example:
        >>> ProgressEvent("converting", "big.csv", rows=10, bytes_done=512, bytes_total=1024)
        ProgressEvent(stage='converting', path='big.csv', rows=10, bytes_done=512, bytes_total=1024)
    """

    stage: str
    path: str | None = None
    rows: int | None = None
    bytes_done: int = 0
    bytes_total: int | None = None


#: What receives the events, e.g. ``convert_stream(..., on_progress=print)``.
ProgressCallback = Callable[[ProgressEvent], None]


def input_sizes(paths: Iterable[str | Path]) -> list[int]:
    """Return each input's size in bytes (0 for one that cannot be looked at).

    Example:
        >>> input_sizes(["no-such-file.csv"])
        [0]
    """
    sizes = []
    for path in paths:
        size = 0
        with contextlib.suppress(OSError, ValueError):
            size = Path(path).stat().st_size
        sizes.append(size)
    return sizes


def whole_run_event(stage: str, paths: Sequence[str | Path], rows: int) -> ProgressEvent:
    """Return the event of a whole-file run that has read every input and is at ``stage``.

    Example:
        >>> whole_run_event("checking", ["gone.csv"], 3)
        ProgressEvent(stage='checking', path='gone.csv', rows=3, bytes_done=0, bytes_total=0)
    """
    total = sum(input_sizes(paths))
    path = str(paths[0]) if len(paths) == 1 else None
    return ProgressEvent(stage, path, rows, total, total)
