"""Progress: long runs show one status line on stderr (rows, MB/s) when it is a terminal.

The display (:mod:`activity_schema.render.progress`) is tested with an injected clock;
the command line with the ``{"progress": True}`` seam (CliRunner's stderr is not a
terminal, so without it nothing may appear), and ``convert_stream``'s ``on_progress``
with real, small batches. Whatever the progress line draws, the report and the output
are the bytes a run without it writes.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from activity_schema.cli import main
from activity_schema.jobs.progress import ProgressEvent, input_sizes
from activity_schema.jobs.seams import Seams
from activity_schema.jobs.stream import convert_stream
from activity_schema.readers.batches import open_batches
from activity_schema.readers.encoding_blocks import choose_encoding, decode_blocks
from activity_schema.render.progress import ERASE, ProgressDisplay, format_line

DATA = Path(__file__).parents[1] / "data"

#: One drawn line ("\r", the text, clear to the end of the line) or the final erase.
_DRAWN = re.compile(r"\r[^\r\n\x1b]*\x1b\[K")


def _rows(count: int, *, start: int = 0) -> str:
    """Return CSV records; every 40th has an invalid email (a reject), every 25th a fix."""
    lines = []
    for i in range(start, start + count):
        email = f"user{i}@example" if i % 40 == 7 else f"user{i}@example.com"
        kind = " Registered " if i % 25 == 3 else "Registered"
        lines.append(f"{i + 1},{email},{kind}\n")
    return "".join(lines)


def _csv(path: Path, count: int, *, start: int = 0, tail: str = "") -> Path:
    path.write_text("activityId,email,type\n" + _rows(count, start=start) + tail, "utf-8")
    return path


def _strip_progress(text: str) -> str:
    return _DRAWN.sub("", text)


def _drawn(text: str) -> list[str]:
    """Return the lines the display drew (without the erases)."""
    return [m.group(0)[1:-3] for m in _DRAWN.finditer(text) if m.group(0) != ERASE]


def _firsts(lines: list[str]) -> list[str]:
    """Return the first line of each stage and input (the clock's redraws left out)."""
    return [next(group) for _, group in itertools.groupby(lines, lambda x: x.split()[1:3])]


def _stages(lines: list[str]) -> list[str]:
    return [line.split()[1] for line in _firsts(lines)]


class _Clock:
    """A clock that moves only when told (or by ``step`` on every reading)."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 100.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the CLI in ``tmp_path``; keyword arguments are the context object's seams."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")  # the line's width, when stderr is no terminal
    monkeypatch.delenv("NO_COLOR", raising=False)

    def invoke(*args: str | Path, **seams: Any) -> Result:
        return CliRunner().invoke(
            main,
            [str(a) for a in args],
            obj=Seams(**seams) if seams else None,
            catch_exceptions=False,
        )

    return invoke


# --- the line ------------------------------------------------------------------------------


def test_line_shows_stage_input_rows_megabytes_bar_rate_and_time() -> None:
    event = ProgressEvent("checking", "big.csv", 1_234_567, 2_150_000_000, 5_000_000_000)
    assert format_line(event, 25.6) == (
        "activity-schema: checking big.csv  1,234,567 rows  2,150.0/5,000.0 MB  "
        "[####......] 43%  84.0 MB/s  0:25"
    )


@pytest.mark.parametrize(
    ("event", "elapsed", "expected"),
    [
        # Nothing counted yet: no rows, no rate (no bytes done), no bar (no total).
        (ProgressEvent("reading", "a.csv"), 0.0, "activity-schema: reading a.csv  0:00"),
        # A total but nothing done: an empty bar, no rate.
        (
            ProgressEvent("reading", "a.csv", None, 0, 3_000_000),
            1.0,
            "activity-schema: reading a.csv  0.0/3.0 MB  [..........] 0%  0:01",
        ),
        # Bytes without a total: no bar.
        (
            ProgressEvent("converting", None, 10, 2_000_000),
            4000.0,
            "activity-schema: converting  10 rows  2.0 MB  0.0 MB/s  1:06:40",
        ),
        # More done than the total (a file that grew): capped at 100%.
        (
            ProgressEvent("writing", None, 5, 12, 10),
            0.0,
            "activity-schema: writing  5 rows  0.0/0.0 MB  [##########] 100%  0:00",
        ),
    ],
)
def test_line_leaves_out_what_is_unknown(
    event: ProgressEvent, elapsed: float, expected: str
) -> None:
    assert format_line(event, elapsed) == expected


def test_line_fits_a_narrow_terminal_keeping_rows_and_rate() -> None:
    event = ProgressEvent(
        "converting", "exports/2026/webinar-export.csv", 47_000_000, 512_000_000, 5_000_000_000
    )
    for width in (120, 100, 79, 70):
        line = format_line(event, 6.09, width)
        assert len(line) <= width
        assert "47,000,000 rows" in line
        assert "84.1 MB/s" in line
        assert "webinar-export.csv" in line or "…" in line
    assert format_line(event, 6.09, 79) == (
        "activity-schema: converting …ebinar-export.csv  47,000,000 rows  10%  84.1 MB/s"
    )
    assert len(format_line(event, 6.09, 30)) == 30


# --- the display ---------------------------------------------------------------------------


def test_display_throttles_redraws_but_draws_every_stage_change() -> None:
    out, clock = io.StringIO(), _Clock()
    display = ProgressDisplay(out, clock=clock, width=200)

    def send(seconds: float, event: ProgressEvent) -> None:
        clock.now += seconds
        display(event)

    send(0.00, ProgressEvent("converting", "a.csv", 100, 1_000_000, 10_000_000))  # first: drawn
    send(0.05, ProgressEvent("converting", "a.csv", 200, 2_000_000, 10_000_000))  # too soon
    send(0.04, ProgressEvent("converting", "a.csv", 300, 3_000_000, 10_000_000))  # too soon
    send(0.02, ProgressEvent("converting", "b.csv", 400, 4_000_000, 10_000_000))  # new input
    send(0.01, ProgressEvent("writing", None, 400, 10_000_000, 10_000_000))  # new stage
    send(0.05, ProgressEvent("writing", None, 400, 10_000_000, 10_000_000))  # too soon
    send(0.10, ProgressEvent("writing", None, 400, 10_000_000, 10_000_000))  # 0.1 s: drawn
    display.close()
    display(ProgressEvent("reporting", None, 400))  # closed: never drawn
    text = out.getvalue()
    assert _drawn(text) == [
        "activity-schema: converting a.csv  100 rows  1.0/10.0 MB  [#.........] 10%  0:00",
        "activity-schema: converting b.csv  400 rows  4.0/10.0 MB  [####......] 40%  36.4 MB/s"
        "  0:00",
        "activity-schema: writing  400 rows  10.0/10.0 MB  [##########] 100%  83.3 MB/s  0:00",
        "activity-schema: writing  400 rows  10.0/10.0 MB  [##########] 100%  37.0 MB/s  0:00",
    ]
    # Each redraw overwrites the line in place; the end erases it (no newline is left).
    assert text.endswith("\x1b[K" + ERASE)
    assert "\n" not in text


def test_clear_erases_once_and_the_next_event_draws_again() -> None:
    out, clock = io.StringIO(), _Clock()
    display = ProgressDisplay(out, clock=clock, width=200)
    display.clear()  # nothing drawn: nothing to erase
    assert out.getvalue() == ""
    display(ProgressEvent("reading", "a.csv"))
    display.clear()
    display.clear()
    assert out.getvalue().count(ERASE) == 1
    display(ProgressEvent("reading", "a.csv"))  # same stage, same instant: drawn again
    assert len(_drawn(out.getvalue())) == 2


def test_a_disabled_display_writes_nothing_and_never_reads_the_clock() -> None:
    out = io.StringIO()

    def clock() -> float:
        raise AssertionError("a disabled display reads no clock")

    with ProgressDisplay(out, enabled=False, clock=clock) as display:
        display(ProgressEvent("reading", "a.csv", 1, 2, 3))
        display.clear()
    assert out.getvalue() == ""


def test_a_broken_stderr_turns_the_display_off() -> None:
    out = io.StringIO()
    display = ProgressDisplay(out, clock=_Clock(), width=80)
    out.close()
    display(ProgressEvent("reading", "a.csv"))  # no exception
    assert not display.enabled


def test_input_sizes_counts_what_it_can_stat(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 123)
    assert input_sizes([path, tmp_path / "missing.csv"]) == [123, 0]


# --- the streamed convert ------------------------------------------------------------------


def _converting(events: list[ProgressEvent]) -> list[ProgressEvent]:
    return [e for e in events if e.stage == "converting"]


def _assert_grows(events: list[ProgressEvent]) -> None:
    rows = [e.rows or 0 for e in events]
    done = [e.bytes_done for e in events]
    assert rows == sorted(rows)
    assert done == sorted(done)


def test_stream_reports_rows_and_bytes_after_every_batch(tmp_path: Path) -> None:
    first = _csv(tmp_path / "first.csv", 700)
    # Blank lines at the end: the last batch comes out before they are read.
    second = _csv(tmp_path / "second.csv", 500, start=700, tail="\n\n\n")
    total = first.stat().st_size + second.stat().st_size
    events: list[ProgressEvent] = []
    done = convert_stream(
        [first, second],
        tmp_path / "out",
        batch_bytes=3_000,
        block_bytes=1_000,
        on_progress=events.append,
    )
    assert [e.stage for e in events if e.stage != "converting"] == ["reading", "reading", "writing"]
    assert events[0] == ProgressEvent("reading", str(first), 0, 0, total)
    assert events[-1] == ProgressEvent("writing", None, 1_200, total, total)
    _assert_grows(events)
    assert {e.bytes_total for e in events} == {total}
    converting = _converting(events)
    assert len(converting) >= done.batches > 10
    assert converting[-1].rows == done.summary.rows == done.result.rows_in == 1_200
    assert converting[-1].bytes_done == total
    # Each input's last event has read all of it; the second starts after the first.
    ends = {e.path: e.bytes_done for e in converting}
    assert ends == {str(first): first.stat().st_size, str(second): total}
    reading_second = next(e for e in events if e.stage == "reading" and e.path == str(second))
    assert reading_second.bytes_done == first.stat().st_size
    assert reading_second.rows == 700


def test_stream_progress_counts_json_inputs_whole(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text('[{"activityId": 1, "email": "a@example.com", "type": "Registered"}]')
    events: list[ProgressEvent] = []
    convert_stream([path], tmp_path / "out", batch_bytes=10, on_progress=events.append)
    size = path.stat().st_size
    assert [(e.stage, e.rows, e.bytes_done) for e in events] == [
        ("reading", 0, 0),
        ("converting", 1, size),
        ("writing", 1, size),
    ]


def test_stream_without_a_callback_writes_the_same_folder(tmp_path: Path) -> None:
    path = _csv(tmp_path / "in.csv", 300)
    events: list[ProgressEvent] = []
    convert_stream([path], tmp_path / "a", batch_bytes=2_000, block_bytes=500)
    convert_stream(
        [path], tmp_path / "b", batch_bytes=2_000, block_bytes=500, on_progress=events.append
    )
    for file in sorted((tmp_path / "a").iterdir()):
        assert (tmp_path / "b" / file.name).read_bytes() == file.read_bytes()
    assert events


@pytest.mark.parametrize("name", ["utf8_bom.csv", "utf16le_bom.tsv", "cp1252.csv", "crlf.csv"])
def test_blocks_and_batches_end_at_the_files_size(name: str) -> None:
    path = DATA / name
    size = path.stat().st_size
    choice = choose_encoding(path, name=name, block_bytes=16)
    offsets = [b.end_offset for b in decode_blocks(path, choice, name=name, block_bytes=16)]
    assert offsets == sorted(offsets)
    assert offsets[0] > choice.skip
    assert offsets[-1] == size
    reader = open_batches(path, batch_bytes=40, block_bytes=16)
    assert reader is not None
    seen = []
    for _ in reader.batches():
        seen.append(reader.bytes_read)
    assert seen == sorted(seen)
    assert reader.bytes_read == size


# --- the command line ----------------------------------------------------------------------


def _bad_input(tmp_path: Path) -> Path:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    return [_csv(tmp_path / "a.csv", 400), _csv(tmp_path / "b.csv", 300, start=400)]


def test_lint_draws_progress_and_prints_the_same_report(
    run: Callable[..., Result], inputs: list[Path]
) -> None:
    plain = run("lint", *inputs)
    shown = run("lint", *inputs, progress=True)
    assert shown.exit_code == plain.exit_code == 1
    assert shown.stdout_bytes == plain.stdout_bytes
    assert "\r" not in plain.stderr and "MB/s" not in plain.stderr
    lines = _firsts(_drawn(shown.stderr))
    assert _stages(lines) == ["reading", "reading", "checking", "reporting"]
    assert "a.csv" in lines[0] and "b.csv" in lines[1]
    assert "700 rows" in lines[2] and "MB/s" in lines[2] and "100%" in lines[2]
    assert shown.stderr.endswith(ERASE)  # erased before the report
    assert _strip_progress(shown.stderr) == plain.stderr == ""


def test_lint_report_file_and_json_are_unchanged(
    run: Callable[..., Result], inputs: list[Path], tmp_path: Path
) -> None:
    plain = run("lint", *inputs, "--format", "json", "--output", tmp_path / "plain.json")
    shown = run(
        "lint", *inputs, "--format", "json", "--output", tmp_path / "shown.json", progress=True
    )
    assert shown.stdout_bytes == plain.stdout_bytes
    assert (tmp_path / "shown.json").read_bytes() == (tmp_path / "plain.json").read_bytes()
    assert "MB/s" in shown.stderr


def test_an_error_message_is_printed_on_an_erased_line(
    run: Callable[..., Result], inputs: list[Path], tmp_path: Path
) -> None:
    bad = _bad_input(tmp_path)
    plain = run("lint", inputs[0], bad, inputs[1])
    shown = run("lint", inputs[0], bad, inputs[1], progress=True)
    assert shown.exit_code == plain.exit_code == 3
    assert shown.stdout_bytes == plain.stdout_bytes
    assert _strip_progress(shown.stderr) == plain.stderr
    assert plain.stderr.startswith("activity-schema: error: ")
    assert ERASE + "activity-schema: error: " in shown.stderr


def test_convert_draws_progress_and_writes_the_same_report_and_folder(
    run: Callable[..., Result], inputs: list[Path], tmp_path: Path
) -> None:
    plain = run("convert", *inputs, "-o", tmp_path / "plain")
    shown = run("convert", *inputs, "-o", tmp_path / "shown", progress=True)
    assert shown.exit_code == plain.exit_code == 1
    assert shown.stdout_bytes == plain.stdout_bytes == b""
    assert "\r" not in plain.stderr and "MB/s" not in plain.stderr
    stages = _stages(_drawn(shown.stderr))
    assert stages == ["reading", "reading", "checking", "writing", "reporting"]
    assert all("700 rows" in line and "MB/s" in line for line in _drawn(shown.stderr)[2:])
    # The report and the closing line come after the erased progress line, unchanged.
    stripped = _strip_progress(shown.stderr).replace("shown", "plain")
    assert stripped == plain.stderr
    assert "wrote 1 part(s) with 682 rows" in plain.stderr
    assert shown.stderr.index(ERASE) < shown.stderr.index("wrote 1 part(s)")
    for file in sorted((tmp_path / "plain").iterdir()):
        assert (tmp_path / "shown" / file.name).read_bytes() == file.read_bytes()


def test_convert_to_stdout_writes_the_same_bytes(
    run: Callable[..., Result], inputs: list[Path]
) -> None:
    plain = run("convert", *inputs, "-o", "-", "--to", "csv")
    shown = run("convert", *inputs, "-o", "-", "--to", "csv", progress=True)
    assert shown.stdout_bytes == plain.stdout_bytes
    assert len(shown.stdout_bytes) > 10_000
    assert _strip_progress(shown.stderr) == plain.stderr
    assert "MB/s" in shown.stderr


def test_convert_stream_draws_a_bar_per_batch(
    run: Callable[..., Result], inputs: list[Path], tmp_path: Path
) -> None:
    small = {"batch_bytes": 2_000, "block_bytes": 700}
    plain = run("convert", *inputs, "-o", tmp_path / "plain", "--stream", **small)
    # A clock that moves 1 s at every reading: no redraw is throttled away.
    shown = run(
        "convert",
        *inputs,
        "-o",
        tmp_path / "shown",
        "--stream",
        progress=True,
        clock=_Clock(step=1.0),
        **small,
    )
    assert shown.exit_code == plain.exit_code == 1
    batches = int(re.findall(r"in (\d+) batch\(es\)", plain.stderr)[0])
    assert batches > 10
    lines = _drawn(shown.stderr)
    converting = [line for line in lines if line.split()[1] == "converting"]
    assert len(converting) >= batches
    assert all("rows" in line and "MB/s" in line and "%" in line for line in converting)
    percents = [int(re.findall(r"(\d+)%", line)[0]) for line in converting]
    assert percents == sorted(percents) and percents[-1] == 100
    assert "700 rows" in converting[-1]
    assert _stages([line for line in lines if "converting" not in line]) == [
        "reading",
        "reading",
        "writing",
        "reporting",
    ]
    assert _strip_progress(shown.stderr).replace("shown", "plain") == plain.stderr
    for file in sorted((tmp_path / "plain").iterdir()):
        assert (tmp_path / "shown" / file.name).read_bytes() == file.read_bytes()


def test_lint_stream_draws_a_bar_per_batch_and_prints_the_same_report(
    run: Callable[..., Result], inputs: list[Path]
) -> None:
    small = {"batch_bytes": 2_000, "block_bytes": 700}
    plain = run("lint", *inputs, "--stream", **small)
    shown = run("lint", *inputs, "--stream", progress=True, clock=_Clock(step=1.0), **small)
    assert shown.exit_code == plain.exit_code == 1
    assert shown.stdout_bytes == plain.stdout_bytes
    checking = [line for line in _drawn(shown.stderr) if line.split()[1] == "checking"]
    assert len(checking) > 10
    assert all("rows" in line and "MB/s" in line and "%" in line for line in checking)
    percents = [int(re.findall(r"(\d+)%", line)[0]) for line in checking]
    assert percents == sorted(percents) and percents[-1] == 100
    assert "700 rows" in checking[-1]
    quiet = run("lint", *inputs, "--stream", "--quiet", progress=True, **small)
    assert "\r" not in quiet.stderr and quiet.stdout_bytes == plain.stdout_bytes


def test_nothing_progress_like_without_a_terminal(
    run: Callable[..., Result], inputs: list[Path], tmp_path: Path
) -> None:
    results = [
        run("lint", *inputs),
        run("convert", *inputs, "-o", tmp_path / "whole"),
        run("convert", *inputs, "-o", tmp_path / "streamed", "--stream", batch_bytes=2_000),
    ]
    for result in results:
        assert "\r" not in result.stderr
        assert "\x1b" not in result.stderr
        assert "MB/s" not in result.stderr


@pytest.mark.parametrize("flag", ["-q", "--quiet"])
def test_quiet_lint_shows_no_progress_even_when_forced(
    run: Callable[..., Result], inputs: list[Path], flag: str
) -> None:
    plain = run("lint", *inputs)
    quiet = run("lint", *inputs, flag, progress=True)
    assert quiet.exit_code == plain.exit_code
    assert quiet.stdout_bytes == plain.stdout_bytes
    assert quiet.stderr == plain.stderr == ""


@pytest.mark.parametrize("stream", [False, True])
def test_quiet_convert_drops_progress_and_the_closing_line(
    run: Callable[..., Result], inputs: list[Path], tmp_path: Path, stream: bool
) -> None:
    extra = ["--stream"] if stream else []
    plain = run("convert", *inputs, "-o", tmp_path / "plain", *extra, batch_bytes=2_000)
    quiet = run(
        "convert", *inputs, "-o", tmp_path / "plain", "--force", "-q", *extra,
        progress=True, batch_bytes=2_000,
    )  # fmt: skip
    assert quiet.exit_code == plain.exit_code == 1
    closing = plain.stderr.splitlines()[-1]
    assert closing.startswith("wrote 1 part(s)")
    # The report is still there; only the closing line is not.
    assert quiet.stderr == plain.stderr[: -len(closing) - 1]
    assert "error invalid-email" in quiet.stderr
    assert "\r" not in quiet.stderr and "MB/s" not in quiet.stderr


def test_quiet_convert_still_prints_errors(
    run: Callable[..., Result], inputs: list[Path], tmp_path: Path
) -> None:
    result = run("convert", inputs[0], _bad_input(tmp_path), "-o", tmp_path / "out", "-q")
    assert result.exit_code == 3
    assert result.stderr.startswith("activity-schema: error: ")
    assert "nothing was written" in result.stderr


def test_progress_events_feed_the_display_as_a_callback(tmp_path: Path) -> None:
    path = _csv(tmp_path / "in.csv", 200)
    out, clock = io.StringIO(), _Clock(step=1.0)
    with ProgressDisplay(out, clock=clock, width=200) as display:
        convert_stream([path], tmp_path / "out", batch_bytes=1_500, on_progress=display)
    lines = _drawn(out.getvalue())
    assert lines[0].startswith(f"activity-schema: reading {path}  0 rows  0.0/0.0 MB")
    assert lines[-1].startswith("activity-schema: writing  200 rows")
    assert out.getvalue().endswith(ERASE)


def test_the_clock_moves_between_events_until_the_line_is_cleared() -> None:
    out, clock = io.StringIO(), _Clock(step=1.0)
    display = ProgressDisplay(out, width=200, clock=clock)
    display(ProgressEvent("checking", "a.csv", 5, 10, 10))
    display.refresh(1.0)
    display.refresh(1.0)
    lines = _drawn(out.getvalue())
    assert len(lines) == 3  # the event, then two refreshes with a later time
    assert {line.split("  ")[:3] == lines[0].split("  ")[:3] for line in lines} == {True}
    assert len({line.rsplit("  ", 1)[-1] for line in lines}) == 3  # the time moved
    display.clear()
    cleared = out.getvalue()
    display.refresh(1.0)
    assert out.getvalue() == cleared  # a cleared line is not redrawn by the clock
    display.close()
    display.refresh(1.0)
    assert out.getvalue() == cleared


def test_the_ticker_thread_stops_with_the_display() -> None:
    display = ProgressDisplay(io.StringIO(), width=200, tick=3600.0)
    ticker = display._ticker
    assert ticker is not None and ticker.is_alive()
    display.close()  # joins the thread: it wakes from its wait at once
    assert not ticker.is_alive()
    assert ProgressDisplay(io.StringIO(), enabled=False, tick=1.0)._ticker is None
