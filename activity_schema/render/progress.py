"""One status line on stderr while a long run works: stage, rows, MB, a bar, MB/s, time.

The command line builds a :class:`ProgressDisplay` for ``lint`` and ``convert`` and hands
it the run's progress events. Enabled (stderr is a terminal, and no ``--quiet``), it
redraws a single line in place::

    activity-schema: checking in.csv  812,400 rows  96.0/210.5 MB  [####......] 45%  30.2 MB/s  0:03

at most every ``interval`` seconds, but at once when the stage or the input changes (and
every second without events, so that the clock moves), and erases it when the run ends
or before anything else is printed (as cargo and uv do: the report that follows stays
clean). Disabled, it writes nothing, starts no thread, and an event costs one attribute
test. Only the standard library is imported here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from ..errors import escape_controls
from ..jobs.progress import ProgressEvent

__all__ = ["ProgressDisplay", "format_line"]

#: Back to the line's start and clear to its end.
ERASE = "\r\x1b[K"
#: Shortest time between two redraws of the same stage, in seconds.
INTERVAL = 0.1
#: Cells of the bar.
BAR_CELLS = 10
#: Fewest characters an input's name is shortened to.
MIN_NAME = 16
#: The line's prefix (the tool's name, as on every message).
PREFIX = "activity-schema"

_MB = 1_000_000


def _clock_text(seconds: float) -> str:
    """Return ``m:ss`` (or ``h:mm:ss``) for a duration.

    Example:
        >>> _clock_text(6.7), _clock_text(3725)
        ('0:06', '1:02:05')
    """
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _shorten(name: str, room: int) -> str:
    """Return ``name`` in at most ``room`` characters, its start replaced by an ellipsis.

    Example:
        >>> _shorten("exports/2026/big.csv", 8)
        '…big.csv'
    """
    return name if len(name) <= room else "…" + name[len(name) - room + 1 :]


def format_line(event: ProgressEvent, elapsed: float, width: int = 0) -> str:
    """Return the status line for ``event``, ``elapsed`` seconds into the run.

    Pieces that are unknown are left out: the rows before any are counted, the bar
    without a total, the rate before any byte is done. ``width`` (0: no limit) bounds
    the line's length: the input's name is shortened from the left (to no fewer than
    ``MIN_NAME`` characters), then the bar, the clock and the MB done are left out, in
    that order, then the name is shortened further; the rows, the percentage and the
    rate stay longest.

    Example:
        >>> event = ProgressEvent("checking", "big.csv", 1_234_567, 512_000_000, 5_000_000_000)
        >>> format_line(event, 6.09).split("  ")  # doctest: +NORMALIZE_WHITESPACE
        ['activity-schema: checking big.csv', '1,234,567 rows', '512.0/5,000.0 MB',
         '[#.........] 10%', '84.1 MB/s', '0:06']
        >>> format_line(event, 6.09, width=70)
        'activity-schema: checking big.csv  1,234,567 rows  10%  84.1 MB/s'
        >>> format_line(ProgressEvent("reading", "in.csv"), 0.0)
        'activity-schema: reading in.csv  0:00'
    """
    rows = f"{event.rows:,} rows" if event.rows is not None else ""
    done, total = event.bytes_done, event.bytes_total
    amount = bar = percent = ""
    if total:
        share = min(max(done, 0) / total, 1.0)
        cells = int(share * BAR_CELLS)
        amount = f"{done / _MB:,.1f}/{total / _MB:,.1f} MB"
        bar = f"[{'#' * cells}{'.' * (BAR_CELLS - cells)}]"
        percent = f"{int(share * 100)}%"
    elif done:
        amount = f"{done / _MB:,.1f} MB"
    rate = f"{done / _MB / elapsed:,.1f} MB/s" if done > 0 and elapsed > 0 else ""
    clock = _clock_text(elapsed)
    head = f"{PREFIX}: {event.stage}"
    name = escape_controls(event.path or "")

    def build(name: str, drop: int = 0) -> str:
        # drop: how many of the bar, the clock and the amount (in that order) to leave out
        shown = (
            rows,
            amount if drop < 3 else "",
            " ".join(p for p in (bar if drop < 1 else "", percent) if p),
            rate,
            clock if drop < 2 else "",
        )
        return (f"{head} {name}" if name else head) + "".join(f"  {p}" for p in shown if p)

    line = build(name)
    if width <= 0 or len(line) <= width:
        return line
    for drop in range(4):
        rest = len(build("", drop))
        room = width - rest - 1
        if not name and rest <= width:
            return build("", drop)
        if name and room >= min(len(name), MIN_NAME):
            return build(_shorten(name, room), drop)
    # Narrower still: the name goes (then the line is cut).
    rest = len(build("", 3))
    room = width - rest - 1
    return (build(_shorten(name, room), 3) if name and room >= 2 else build("", 3))[:width]


def _terminal_width(stream: TextIO) -> int:
    """Return the columns of the terminal ``stream`` writes to (80 when unknown)."""
    columns = 0
    with contextlib.suppress(AttributeError, OSError, ValueError):
        columns = os.get_terminal_size(stream.fileno()).columns
    return columns or shutil.get_terminal_size((80, 24)).columns or 80


class ProgressDisplay:
    """Redraw one status line on a terminal stream from progress events.

    Call it with each :class:`~activity_schema.jobs.progress.ProgressEvent` (it is a
    :data:`~activity_schema.jobs.progress.ProgressCallback`). A change of stage or input is
    drawn at once; other events at most every ``interval`` seconds. With ``tick``, the
    last event is also redrawn every ``tick`` seconds from a background thread, so that
    the clock moves through a long stage that sends no events (a whole-file check).
    :meth:`clear` erases the line before something else is printed (the next event
    draws it again); :meth:`close` (or leaving a ``with`` block) erases it for good.

    Args:
        stream: Where to draw (stderr).
        enabled: False: draw nothing, ever (and start no thread).
        clock: Seconds, monotonic (injected by tests).
        interval: Shortest time between two redraws of the same stage and input.
        width: Longest line (default: the terminal's columns, less one: a line that
            fills the last column wraps on some terminals and cannot be redrawn).
        tick: Seconds between redraws of the last event when no event comes (None:
            redraw only on events).

    Example:
        >>> import io
        >>> out, now = io.StringIO(), iter([0.0, 0.5, 0.55, 2.0])
        >>> display = ProgressDisplay(out, clock=lambda: next(now), width=200)
        >>> display(ProgressEvent("reading", "in.csv"))
        >>> display(ProgressEvent("reading", "in.csv"))  # 0.05 s later: not drawn
        >>> display.close()
        >>> out.getvalue().split("\\x1b[K")
        ['\\ractivity-schema: reading in.csv  0:00', '\\r', '']
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
        interval: float = INTERVAL,
        width: int | None = None,
        tick: float | None = None,
    ) -> None:
        self.enabled = enabled
        self._stream = stream
        self._clock = clock
        self._interval = interval
        self._width = 0
        self._start = 0.0
        self._drawn = False
        self._last_draw = 0.0
        self._last: ProgressEvent | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if enabled:
            self._width = width if width is not None else _terminal_width(stream) - 1
            self._start = clock()
            if tick is not None and tick > 0:
                self._ticker = threading.Thread(
                    target=self._tick, args=(tick,), name="progress", daemon=True
                )
                self._ticker.start()

    def __call__(self, event: ProgressEvent) -> None:
        """Draw ``event`` unless a line was drawn for its stage less than ``interval`` ago."""
        if not self.enabled:
            return
        with self._lock:
            now = self._clock()
            last = self._last
            same = last is not None and (event.stage, event.path) == (last.stage, last.path)
            self._last = event
            if self._drawn and same and now - self._last_draw < self._interval:
                return
            self._draw(event, now)

    def clear(self) -> None:
        """Erase the line, if one is drawn (before printing something else)."""
        with self._lock:
            if self._drawn:
                self._write(ERASE)
                self._drawn = False

    def close(self) -> None:
        """Erase the line and draw nothing more."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        self.clear()
        self.enabled = False

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _draw(self, event: ProgressEvent, now: float) -> None:
        # Called with the lock held.
        self._last_draw = now
        line = format_line(event, now - self._start, max(self._width, 20))
        self._drawn = self._write(f"\r{line}\x1b[K")

    def refresh(self, seconds: float) -> None:
        """Redraw the last event if its line has stood for ``seconds`` (the clock's tick).

        Only a line on screen is refreshed: a cleared one waits for the next event.
        """
        with self._lock:
            if self.enabled and self._drawn and self._last is not None:
                now = self._clock()
                if now - self._last_draw >= seconds:
                    self._draw(self._last, now)

    def _tick(self, seconds: float) -> None:
        while not self._stop.wait(seconds):
            self.refresh(seconds)

    def _write(self, text: str) -> bool:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            # A closed or broken stderr: progress is not worth failing the run for.
            self.enabled = False
            return False
        return True
