"""Overlap a streamed run's stages: read the next batch, and finish the last, on threads.

A streamed run alternates reading a batch (decoding, the structure scan, polars' parse)
and checking and writing it. Neither waits on the other's results, and on two cores
one alone leaves a core idle much of the time, so :class:`ReadAhead` runs the reading on
a thread, one batch ahead: the memory of one more batch buys the overlap. The reader's
exceptions (an unreadable record, a quote that never closes) reach the consumer at the
point of the sequence where they happened, after the batches before them.

:class:`WorkBehind` is the other side: work on a batch that the next batch's checks do
not need (encoding and writing its parts) runs on a thread, in batch order, while the
caller goes on; one job at a time, so memory holds one batch more.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

__all__ = ["ReadAhead", "WorkBehind"]

T = TypeVar("T")

#: How often a producer blocked on a full queue looks whether the consumer went away.
_POLL_SECONDS = 0.05


class _End:
    """The producer's last word: the source is exhausted, or raised ``error``."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    """Iterate ``source`` on a thread, at most ``depth`` items ahead of the consumer.

    Use it as a context manager: leaving the block early (an error in the consumer, an
    interrupt) stops the thread before the next item, and waits for it.

    Example:
        >>> with ReadAhead(iter(range(3))) as items:
        ...     list(items)
        [0, 1, 2]
        >>> def failing():
        ...     yield 1
        ...     raise ValueError("bad record")
        >>> with ReadAhead(failing()) as items:
        ...     next(items), next(items)
        Traceback (most recent call last):
        ...
        ValueError: bad record
    """

    def __init__(self, source: Iterator[T], *, depth: int = 1, name: str = "read-ahead") -> None:
        self._queue: queue.Queue[T | _End] = queue.Queue()
        # An item is read only with a slot free: at most ``depth`` items are read and not
        # yet taken (a queue's bound alone would let one more be read while it waits).
        self._slots = threading.Semaphore(depth)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(
            target=self._produce, args=(source,), name=name, daemon=True
        )
        self._thread.start()

    def _produce(self, source: Iterator[T]) -> None:
        try:
            while self._wait_for_slot():
                try:
                    item = next(source)
                except StopIteration:
                    self._queue.put(_End())
                    return
                self._queue.put(item)
        except BaseException as error:  # handed to the consumer, raised there
            self._queue.put(_End(error))
        finally:
            # Closed here, on the thread that ran it (a generator's cleanup runs now).
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def _wait_for_slot(self) -> bool:
        while not self._stop.is_set():
            if self._slots.acquire(timeout=_POLL_SECONDS):
                return not self._stop.is_set()
        return False

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        item = self._queue.get()
        self._slots.release()  # the reader may read the next one
        if isinstance(item, _End):
            self._done = True
            self._thread.join()
            if item.error is not None:
                raise item.error
            raise StopIteration
        return item

    def close(self) -> None:
        """Stop the producer (it finishes the item it is reading) and wait for it."""
        self._stop.set()
        self._thread.join()
        self._done = True

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
