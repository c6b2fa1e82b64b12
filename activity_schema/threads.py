"""Run work on a thread behind the caller, one job at a time and in order.

Some work a loop produces is not needed by its next step: a streamed run's parts,
rejects and rewrite summaries, the digest of blocks being validated. :class:`WorkBehind`
runs it on one thread while the caller goes on, waiting for the job before each new one,
so at most one job's data is held. Its errors reach the caller at the next job, or at
:meth:`WorkBehind.wait`. It imports nothing from the package: any layer may use it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["WorkBehind"]


class WorkBehind:
    """Run jobs on one thread, in order, while the caller goes on; one job at a time.

    :meth:`submit` first waits for the job before (raising its error, so an error
    reaches the caller at the next job or at :meth:`wait`). Use it as a context manager:
    leaving the block waits for the last job; its error is raised unless the block is
    already leaving on an error of its own.

    Example:
        >>> done = []
        >>> with WorkBehind() as behind:
        ...     for i in range(3):
        ...         behind.submit(done.append, i)
        >>> done
        [0, 1, 2]
        >>> with WorkBehind() as behind:
        ...     behind.submit(int, "x")
        ...     behind.submit(done.append, 3)
        Traceback (most recent call last):
        ...
        ValueError: invalid literal for int() with base 10: 'x'
        >>> done
        [0, 1, 2]
    """

    def __init__(self, *, name: str = "behind") -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._pending: Future[Any] | None = None

    def submit(self, job: Callable[..., Any], *args: Any) -> None:
        """Wait for the job before, then start ``job(*args)`` on the thread."""
        self.wait()
        self._pending = self._pool.submit(job, *args)

    def wait(self) -> None:
        """Wait for the job running, if any; raise its error."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self, *, quiet: bool = False) -> None:
        """Wait for the last job and stop the thread (``quiet``: drop the job's error)."""
        try:
            if quiet:
                with contextlib.suppress(Exception):
                    self.wait()
            else:
                self.wait()
        finally:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> WorkBehind:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(quiet=kind is not None)
