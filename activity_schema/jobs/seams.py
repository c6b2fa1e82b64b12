"""Test seams: what a test may change about a run without a terminal, a clock or a network.

The command line reads them from click's context object, so a test passes them with
``CliRunner().invoke(main, args, obj=Seams(progress=True, batch_bytes=2_000))``; the jobs
take them as an argument. A real run uses ``Seams()``: every field left at its default
means "as in production". This module imports nothing heavy, so that ``--help`` stays
fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from ..output.folder import StepHook

__all__ = ["Seams", "StreamSizes"]


class StreamSizes(TypedDict, total=False):
    """The batch jobs' size arguments a test set (absent: the job's default)."""

    max_issues: int
    issues_per_code: int

    batch_bytes: int
    block_bytes: int


@dataclass(frozen=True)
class Seams:
    """What a test changes about a run; the defaults are a real run's.

    Attributes:
        progress: Force the progress line (lint, convert) and the progress notes (upload)
            on or off; None: on when stderr is a terminal.
        clock: The progress line's clock (seconds, like ``time.monotonic``).
        batch_bytes: The size of a streamed run's record batches (None: the default).
        block_bytes: The size of a streamed run's decoded blocks (None: the default).
        stream_threshold: The inputs' total size in bytes over which a run goes in
            batches on its own (None: the default, ``STREAM_THRESHOLD_BYTES``).
        max_issues: The issues a streamed report lists before it lists a sample (None:
            ``STREAM_REPORT_MAX_ISSUES``).
        issues_per_code: The issues of each file and code a sampled report lists (None:
            ``STREAM_REPORT_ISSUES_PER_CODE``).
        on_step: Called at each step of an output folder's commit (to fail at that step).
        sleep: What the Eloqua client waits with between attempts and polls.
        transport: The httpx transport the Eloqua client talks through.
        checkpoint: Called between an upload's steps (to crash at that instant).

    Example:
        >>> Seams(batch_bytes=2_000).stream_sizes()
        {'batch_bytes': 2000}
        >>> Seams().stream_sizes()
        {}
    """

    progress: bool | None = None
    clock: Callable[[], float] | None = None
    batch_bytes: int | None = None
    block_bytes: int | None = None
    stream_threshold: int | None = None
    max_issues: int | None = None
    issues_per_code: int | None = None
    on_step: StepHook | None = None
    sleep: Callable[[float], None] | None = None
    transport: Any = None  # an httpx.BaseTransport; Any keeps httpx out of the import
    checkpoint: Callable[[str], None] | None = None

    def stream_sizes(self) -> StreamSizes:
        """Return the sizes and limits set here, as keyword arguments of the batch jobs."""
        sizes = StreamSizes()
        if self.batch_bytes is not None:
            sizes["batch_bytes"] = self.batch_bytes
        if self.block_bytes is not None:
            sizes["block_bytes"] = self.block_bytes
        if self.max_issues is not None:
            sizes["max_issues"] = self.max_issues
        if self.issues_per_code is not None:
            sizes["issues_per_code"] = self.issues_per_code
        return sizes

    def should_stream(self, paths: Sequence[str | Path]) -> bool:
        """Return whether a run over ``paths`` that was not told goes in batches.

        Example:
            >>> Seams(stream_threshold=0).should_stream([__file__])
            True
            >>> Seams().should_stream([__file__])
            False
        """
        from .sizing import should_stream

        if self.stream_threshold is None:
            return should_stream(paths)
        return should_stream(paths, threshold=self.stream_threshold)

    def client_options(self) -> dict[str, Any]:
        """Return the Eloqua client's keyword arguments set here (``sleep``, ``transport``)."""
        options = {"sleep": self.sleep, "transport": self.transport}
        return {key: value for key, value in options.items() if value is not None}
