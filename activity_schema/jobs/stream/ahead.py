"""Read the next batch while this one is checked: an iterator run one item ahead on a thread.

A streamed run alternates reading a batch (decoding, the structure scan, polars' parse)
and checking and writing it. Neither waits on the other's results, and on two cores
one alone leaves a core idle much of the time, so :class:`ReadAhead` runs the reading on
a thread, one batch ahead: the memory of one more batch buys the overlap. The reader's
exceptions (an unreadable record, a quote that never closes) reach the consumer at the
point of the sequence where they happened, after the batches before them.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

__all__ = ["ReadAhead"]

T = TypeVar("T")

#: How often a producer blocked on a full queue looks whether the consumer went away.
_POLL_SECONDS = 0.05


class _End:
    """The producer's last word: the source is exhausted, or raised ``error``."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    """Iterate ``source`` on a thread, ``depth`` items ahead of the consumer.

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
        self._queue: queue.Queue[T | _End] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(
            target=self._produce, args=(source,), name=name, daemon=True
        )
        self._thread.start()

    def _produce(self, source: Iterator[T]) -> None:
        try:
            for item in source:
                if not self._put(item):
                    return
        except BaseException as error:  # handed to the consumer, raised there
            self._put(_End(error))
        else:
            self._put(_End())
        finally:
            # Closed here, on the thread that ran it (a generator's cleanup runs now).
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def _put(self, item: T | _End) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        item = self._queue.get()
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
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=_POLL_SECONDS)
        self._done = True

    def __enter__(self) -> ReadAhead[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
