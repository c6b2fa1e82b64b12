"""Read the next batch while this one is checked: an iterator run one item ahead on a thread.

A streamed run alternates reading a batch (decoding, the structure scan, polars' parse)
and checking and writing it. Neither waits on the other's results, and on two cores
one alone leaves a core idle much of the time, so :class:`ReadAhead` runs the reading on
a thread, one batch ahead: the memory of one more batch buys the overlap. The reader's
exceptions (an unreadable record, a quote that never closes) reach the consumer at the
point of the sequence where they happened, after the batches before them.

The other side, work on a batch that the next one does not need (its parts, rejects and
summaries), runs behind the loop on :class:`~activity_schema.threads.WorkBehind`.
"""

from __future__ import annotations

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
