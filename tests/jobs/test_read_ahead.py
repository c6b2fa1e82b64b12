"""ReadAhead: a streamed run reads its next batch on a thread while this one is checked.

What the run relies on: the items in order, the reader's error after the items before
it, and no thread left behind when the consumer stops early (an error, an interrupt).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from activity_schema.jobs.stream.ahead import ReadAhead
from activity_schema.threads import WorkBehind


def test_items_come_in_order_and_the_thread_ends() -> None:
    with ReadAhead(iter(range(1000))) as items:
        assert list(items) == list(range(1000))
        assert list(items) == []  # exhausted stays exhausted
    assert not any(t.name == "read-ahead" for t in threading.enumerate())


def test_the_readers_error_comes_after_the_items_before_it() -> None:
    def batches() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("a quote opened on line 7 never closes")

    got: list[int] = []
    with ReadAhead(batches()) as items, pytest.raises(ValueError, match="line 7"):
        for item in items:
            got.append(item)
    assert got == [1, 2]


def test_an_interrupt_in_the_reader_reaches_the_consumer_as_itself() -> None:
    def batches() -> Iterator[int]:
        yield 1
        raise KeyboardInterrupt

    with ReadAhead(batches()) as items, pytest.raises(KeyboardInterrupt):
        list(items)


def test_leaving_early_stops_the_reader_and_closes_the_source() -> None:
    produced: list[int] = []
    closed = threading.Event()

    def batches() -> Iterator[int]:
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    with pytest.raises(RuntimeError), ReadAhead(batches(), depth=1, name="early") as items:
        next(items)
        raise RuntimeError("the consumer failed")
    # The reader stopped one item ahead (plus the one it was putting), not at the end.
    assert closed.wait(5)
    assert len(produced) <= 3
    assert not any(t.name == "early" for t in threading.enumerate())


def test_the_reader_runs_while_the_consumer_works() -> None:
    started: list[float] = []

    def batches() -> Iterator[int]:
        for i in range(2):
            started.append(time.monotonic())
            yield i

    with ReadAhead(batches()) as items:
        first = next(items)
        deadline = time.monotonic() + 5
        while len(started) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # the consumer "checks" batch 0; batch 1 is read meanwhile
        assert len(started) == 2
        assert [first, *items] == [0, 1]


# --- WorkBehind: the other side, a job behind the caller --------------------------------------


def test_work_behind_runs_jobs_in_order_one_at_a_time() -> None:
    running: list[int] = []
    overlaps: list[int] = []
    done: list[int] = []

    def job(i: int) -> None:
        running.append(i)
        overlaps.append(len(running))
        time.sleep(0.001)
        running.remove(i)
        done.append(i)

    with WorkBehind(name="behind-test") as behind:
        for i in range(50):
            behind.submit(job, i)
    assert done == list(range(50)) and max(overlaps) == 1
    assert not any(t.name.startswith("behind-test") for t in threading.enumerate())


def test_work_behind_raises_a_jobs_error_at_the_next_submit_and_skips_it() -> None:
    done: list[int] = []
    behind = WorkBehind()
    behind.submit(int, "not a number")
    with pytest.raises(ValueError, match="not a number"):
        behind.submit(done.append, 1)
    assert done == []
    behind.close()


def test_work_behind_keeps_the_callers_own_error() -> None:
    behind_error = OSError(28, "No space left on device")

    def failing() -> None:
        raise behind_error

    with pytest.raises(KeyError), WorkBehind() as behind:
        behind.submit(failing)
        raise KeyError("the caller's error")
