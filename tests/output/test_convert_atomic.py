"""Convert's output folder: one writer at a time, and the old run or the new, never half.

The faults are real: a convert in a child process ``os._exit``s at each step of the
commit (the ``on_step`` seam), and the folder is then checked byte for byte (every
part's SHA-256, counts that add up); a second convert runs while the first is paused
at a step (it reads a line from its stdin before going on), and a full disk and a
read-only file system are small tmpfs mounts when the test may mount (root).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from activity_schema.errors import LockedError, OutputError
from activity_schema.jobs.whole import prepare
from activity_schema.output.durable import exclusive_lock
from activity_schema.output.folder import COMMIT_STEPS, OutputFolder, is_run_file
from activity_schema.output.plan import MANIFEST_NAME, REJECTS_NAME
from activity_schema.output.write import convert

Cli = Callable[..., Result]

HEADER = "activityId,email,type\n"


def rows(n: int, start: int = 0) -> str:
    """``n`` valid rows and one rejected row."""
    body = "".join(f"{i},user{i}@example.com,Registered\n" for i in range(start, start + n))
    return HEADER + body + f"{start + n},nope,x\n"


#: The earlier run (41 rows) and the new one (61 rows): told apart by rows_in.
OLD, NEW = rows(40), rows(60, start=1000)
MAX_BYTES = 600


def complete_run(folder: Path) -> dict[str, Any]:
    """Check that ``folder`` holds one complete run and return its manifest.

    The run's files are exactly the manifest's parts, rejects.csv and manifest.json;
    every part has the manifest's size, SHA-256 and record count; the counts add up.
    """
    manifest = json.loads((folder / MANIFEST_NAME).read_bytes())
    names = {p.name for p in folder.iterdir() if is_run_file(p.name)}
    assert names == {MANIFEST_NAME, REJECTS_NAME, *(p["file"] for p in manifest["parts"])}
    for part in manifest["parts"]:
        body = (folder / part["file"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == part["sha256"], part["file"]
        assert len(body) == part["bytes"]
        assert len(json.loads(body)) == part["rows"] == sum(r[3] for r in part["ranges"])
    assert manifest["rows_out"] == sum(p["rows"] for p in manifest["parts"])
    assert manifest["rows_in"] == (
        manifest["rows_out"] + manifest["rows_rejected"] + manifest["rows_dropped"]
    )
    with (folder / REJECTS_NAME).open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.reader(handle))) - 1 == manifest["rejects"]["rows"]
    return manifest  # type: ignore[no-any-return]


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".convert-" in p.name)


# The child: convert SOURCE into OUT with --force, and at STEP either die (os._exit, as
# kill -9 would: no cleanup runs) or pause until its stdin says go.
_CHILD = textwrap.dedent(
    """
    import errno, os, sys
    from activity_schema.output import folder as output_folder
    from activity_schema.output.write import convert
    from activity_schema.jobs.whole import prepare
    from activity_schema.jobs.stream import convert_stream

    mode, source, out, step, action = sys.argv[1:]
    reached = []

    def hook(name):
        # Only the first time: "staging" comes after every staged file.
        if name != step or reached:
            return
        reached.append(name)
        if action == "die":
            os._exit(9)
        print("paused", flush=True)
        sys.stdin.readline()

    if mode == "fallback":
        def no_exchange(a, b):
            raise OSError(errno.ENOSYS, "no exchange here")
        output_folder.exchange = no_exchange
    if mode == "stream":
        convert_stream([source], out, max_bytes=600, force=True, on_step=hook, batch_bytes=300)
    else:
        convert(prepare(source), out, max_bytes=600, force=True, on_step=hook)
    """
)


def child(mode: str, source: Path, out: Path, step: str, action: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, mode, str(source), str(out), step, action],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextlib.contextmanager
def paused(mode: str, source: Path, out: Path, step: str) -> Iterator[subprocess.Popen[str]]:
    """Run a child convert until it reaches ``step``; let it finish on leaving."""
    proc = child(mode, source, out, step, "pause")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "paused", proc.stderr
        yield proc
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
        assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    return old, new


# --- kill -9 at every step ----------------------------------------------------------------

_EXCHANGE_STEPS = [s for s in COMMIT_STEPS if s != "set-aside"]
_CASES = [
    *[("whole", s) for s in _EXCHANGE_STEPS],
    *[("stream", s) for s in _EXCHANGE_STEPS],
    *[("fallback", s) for s in ("synced", "set-aside", "exchanged", "committed")],
]


@pytest.mark.slow  # kill -9 of a real convert at each step
@pytest.mark.parametrize(("mode", "step"), _CASES, ids=[f"{m}-{s}" for m, s in _CASES])
def test_a_kill_at_any_step_leaves_one_complete_run_and_the_next_run_cleans_up(
    tmp_path: Path, inputs: tuple[Path, Path], mode: str, step: str
) -> None:
    old, new = inputs
    out = tmp_path / "out"
    convert(prepare(old), out, max_bytes=MAX_BYTES)
    (out / "upload-state.json").write_text('{"kept": true}')
    proc = child(mode, new, out, step, "die")
    assert proc.wait() == 9, proc.stderr.read() if proc.stderr else ""  # it reached the step
    if mode == "fallback" and step == "set-aside":
        # The one gap of the fallback: the folder is missing, the old run is aside.
        assert not out.exists()
        (aside,) = (p for p in tmp_path.iterdir() if ".convert-old-" in p.name)
        assert complete_run(aside)["rows_in"] == 41
        with OutputFolder(out, force=True) as claimed:  # the next run puts it back first
            assert claimed.removed == [aside.name] or aside.name in claimed.removed
        assert complete_run(out)["rows_in"] == 41
    else:
        swapped = COMMIT_STEPS.index(step) >= COMMIT_STEPS.index("exchanged")
        assert complete_run(out)["rows_in"] == (61 if swapped else 41)
        # What is not the run's own survives either way.
        assert (out / "upload-state.json").read_text() == '{"kept": true}'
        if step not in ("locked", "removed"):  # before staging, after cleaning
            assert leftovers(tmp_path), "a killed run leaves its staging folder"
    # The next convert removes every leftover and commits a complete run.
    convert(prepare(new), out, max_bytes=MAX_BYTES, force=True)
    assert complete_run(out)["rows_in"] == 61
    assert leftovers(tmp_path) == []
    assert (out / "upload-state.json").read_text() == '{"kept": true}'


@pytest.mark.slow
def test_a_kill_during_the_first_run_leaves_no_folder(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    _, new = inputs
    out = tmp_path / "out"
    assert child("whole", new, out, "synced", "die").wait() == 9
    assert not out.exists() and leftovers(tmp_path)
    convert(prepare(new), out, max_bytes=MAX_BYTES)
    assert complete_run(out)["rows_in"] == 61 and leftovers(tmp_path) == []


# --- one writer at a time ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["whole", "stream"])
def test_a_second_convert_refuses_at_once_naming_the_first(
    cli: Cli, tmp_path: Path, inputs: tuple[Path, Path], mode: str
) -> None:
    old, _ = inputs
    out = tmp_path / "out"
    with paused(mode, old, out, "staging") as first:
        second = cli("convert", "-o", "out", "--force", "new.csv")
        assert second.exit_code == LockedError.exit_code == 2
        (line,) = second.stderr.splitlines()
        assert line.startswith("activity-schema: error: ")
        assert f"another convert run is using this folder (pid {first.pid}, started 20" in line
        assert ".out.convert.lock" in line
        streamed = cli("convert", "-o", "out", "--force", "--stream", "new.csv")
        assert streamed.exit_code == 2 and f"pid {first.pid}" in streamed.stderr
        assert not out.exists()  # the first has not committed yet; the second wrote nothing
    # The first run finished as if alone; the refused ones left nothing.
    assert complete_run(out)["rows_in"] == 41
    assert leftovers(tmp_path) == []


def test_convert_a_and_b_into_one_folder_never_mixes_them(
    cli: Cli, tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    # The issue's `convert a.csv -o D & convert b.csv -o D`: b must not put its
    # manifest over a's parts. Paused at its commit, a holds the folder; b refuses.
    old, _ = inputs
    out = tmp_path / "out"
    with paused("whole", old, out, "synced"):
        assert cli("convert", "-o", "out", "new.csv").exit_code == 2
    manifest = complete_run(out)
    assert manifest["inputs"][0]["path"].endswith("old.csv")


def test_convert_refuses_a_folder_an_upload_is_using(
    cli: Cli, tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    old, _ = inputs
    out = tmp_path / "out"
    convert(prepare(old), out, max_bytes=MAX_BYTES)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    before[".upload.lock"] = b""  # the holder writes its pid there
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from activity_schema.output.durable import "
            "exclusive_lock\nwith exclusive_lock(Path(sys.argv[1]), what='upload', exit_code=4):"
            "\n    print('locked', flush=True); sys.stdin.readline()",
            str(out / ".upload.lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = cli("convert", "-o", "out", "--force", "new.csv")
        assert result.exit_code == 2
        assert f"another upload run is using this folder (pid {holder.pid}" in result.stderr
        after = {p.name: p.read_bytes() for p in out.iterdir()}
        assert after.keys() == before.keys()
        assert all(after[n] == before[n] for n in after if n != ".upload.lock")
    finally:
        holder.kill()
        holder.wait()
    # Released (the kernel drops the lock of a dead process): convert goes ahead.
    assert cli("convert", "-o", "out", "--force", "new.csv").exit_code == 1
    assert complete_run(out)["rows_in"] == 61


def test_a_caller_holding_the_upload_lock_may_convert_into_its_folder(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    old, new = inputs
    out = tmp_path / "out"
    convert(prepare(old), out, max_bytes=MAX_BYTES)
    with exclusive_lock(out / ".upload.lock", what="upload"):
        convert(prepare(new), out, max_bytes=MAX_BYTES, force=True)
    assert complete_run(out)["rows_in"] == 61


# --- what the swap keeps ------------------------------------------------------------------


def test_files_that_are_not_the_runs_own_are_carried_over_unchanged(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    old, new = inputs
    out = tmp_path / "out"
    convert(prepare(old), out, max_bytes=MAX_BYTES)
    (out / "upload-state.json").write_text('{"parts": {}}')
    (out / "eloqua-rejects.csv").write_text("file,row\n")
    (out / "notes").mkdir()
    (out / "notes" / "todo.txt").write_text("mine")
    (out / "link").symlink_to("notes/todo.txt")
    inode = (out / "upload-state.json").stat().st_ino
    convert(prepare(new), out, max_bytes=MAX_BYTES, force=True)
    assert complete_run(out)["rows_in"] == 61
    assert (out / "upload-state.json").read_text() == '{"parts": {}}'
    assert (out / "upload-state.json").stat().st_ino == inode  # a hard link, not a copy
    assert (out / "eloqua-rejects.csv").read_text() == "file,row\n"
    assert (out / "notes" / "todo.txt").read_text() == "mine"
    assert (out / "link").is_symlink() and (out / "link").read_text() == "mine"


def test_the_folder_keeps_its_permissions(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    old, new = inputs
    out = tmp_path / "out"
    convert(prepare(old), out, max_bytes=MAX_BYTES)
    out.chmod(0o750)
    convert(prepare(new), out, max_bytes=MAX_BYTES, force=True)
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    umask = os.umask(0)
    os.umask(umask)
    convert(prepare(new), tmp_path / "fresh", max_bytes=MAX_BYTES)
    assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o777 & ~umask


def test_a_symlinked_folder_stays_a_symlink(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    old, new = inputs
    real = tmp_path / "real"
    convert(prepare(old), real, max_bytes=MAX_BYTES)
    (tmp_path / "link").symlink_to("real")
    convert(prepare(new), tmp_path / "link", max_bytes=MAX_BYTES, force=True)
    assert (tmp_path / "link").is_symlink()
    assert complete_run(real)["rows_in"] == 61


# --- a real full disk and a read-only file system -------------------------------------------


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount small tmpfs file systems (root only); unmounted at the end."""
    mounted: list[Path] = []

    def mount(name: str, size: str) -> Path:
        where = tmp_path / name
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(where)
        return where

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_full_disk_exits_5_and_keeps_the_earlier_run(
    cli: Cli, tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    disk = tmpfs("disk", "64k")
    (tmp_path / "small.csv").write_text(rows(5), encoding="utf-8")
    (tmp_path / "big.csv").write_text(rows(3000), encoding="utf-8")  # ~170 KB of parts
    assert cli("convert", "-o", disk / "out", "small.csv").exit_code == 1
    before = {p.name: p.read_bytes() for p in (disk / "out").iterdir()}
    result = cli("convert", "-o", disk / "out", "--force", "big.csv")
    assert result.exit_code == OutputError.exit_code == 5
    (line,) = result.stderr.splitlines()
    assert "cannot write the output: No space left on device" in line
    assert "free some space" in line
    assert {p.name: p.read_bytes() for p in (disk / "out").iterdir()} == before
    assert leftovers(disk) == []  # the staging folder was removed: the space is back
    assert cli("convert", "-o", disk / "out", "--force", "small.csv").exit_code == 1


def test_a_read_only_file_system_exits_5_before_any_work(
    cli: Cli, tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    disk = tmpfs("ro", "1m")
    (tmp_path / "small.csv").write_text(rows(5), encoding="utf-8")
    assert cli("convert", "-o", disk / "out", "small.csv").exit_code == 1
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    result = cli("convert", "-o", disk / "out", "--force", "small.csv")
    assert result.exit_code == 5
    assert "Read-only file system" in result.stderr and len(result.stderr.splitlines()) == 1
    report = cli("convert", "-o", "elsewhere", "--report", disk / "r.json", "small.csv")
    assert report.exit_code == 5
    assert "cannot write the report: the file system is read-only" in report.stderr
    assert not (tmp_path / "elsewhere").exists()  # refused before any work


def test_an_enospc_at_the_write_layer_through_the_api(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    # Where no tmpfs can be mounted, the same path is taken through the seam: the
    # error raised while staging is mapped to OutputError with its errno.
    old, new = inputs
    convert(prepare(old), tmp_path / "out", max_bytes=MAX_BYTES)

    def full(step: str) -> None:
        if step == "staging":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OutputError) as caught:
        convert(prepare(new), tmp_path / "out", max_bytes=MAX_BYTES, force=True, on_step=full)
    assert caught.value.errno == errno.ENOSPC and caught.value.exit_code == 5
    assert complete_run(tmp_path / "out")["rows_in"] == 41


def test_a_failed_flush_of_a_part_fails_the_commit_and_keeps_the_earlier_run(
    tmp_path: Path, inputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parts are flushed on a thread while the next is written; a flush that fails (an
    # I/O error the disk reports late) must still stop the run before the swap.
    old, new = inputs
    convert(prepare(old), tmp_path / "out", max_bytes=MAX_BYTES)
    real_fsync = os.fsync

    def failing(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OutputError) as caught:
        convert(prepare(new), tmp_path / "out", max_bytes=MAX_BYTES, force=True)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert caught.value.errno == errno.EIO and caught.value.exit_code == 5
    assert complete_run(tmp_path / "out")["rows_in"] == 41
    assert leftovers(tmp_path) == []


def test_the_commit_steps_are_the_documented_ones() -> None:
    # The fault tests cover every step; a new step must be added to them.
    assert COMMIT_STEPS == (
        "locked",
        "staging",
        "staged",
        "carried",
        "synced",
        "set-aside",
        "exchanged",
        "committed",
        "removed",
    )
    assert "on_step" in (OutputFolder.__doc__ or "")


@pytest.mark.slow
def test_the_command_says_when_it_removed_a_killed_runs_leftovers(
    cli: Cli, tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    old, new = inputs
    convert(prepare(old), tmp_path / "out", max_bytes=MAX_BYTES)
    assert child("whole", new, tmp_path / "out", "exchanged", "die").wait() == 9
    result = cli("convert", "-o", "out", "--force", "--max-bytes", str(MAX_BYTES), "new.csv")
    assert result.exit_code == 1
    assert (
        "activity-schema: removed 1 leftover(s) of an interrupted convert beside out"
        in result.stderr
    )
    assert complete_run(tmp_path / "out")["rows_in"] == 61 and leftovers(tmp_path) == []
    quiet = cli("convert", "-o", "out", "--force", "-q", "new.csv")
    assert "leftover" not in quiet.stderr


@pytest.mark.parametrize("output", [".", ".."])
def test_the_current_folder_or_one_above_it_is_refused(
    cli: Cli, tmp_path: Path, inputs: tuple[Path, Path], output: str
) -> None:
    (tmp_path / "sub").mkdir()
    os.chdir(tmp_path / "sub")  # the cli fixture restores the folder
    result = cli("convert", "-o", output, "../new.csv")
    assert result.exit_code == 2
    assert "the output folder is the current folder, or holds it" in result.stderr
    assert leftovers(tmp_path) == [] and leftovers(tmp_path.parent) == []


def test_staging_or_committing_an_unclaimed_folder_is_a_runtime_error(tmp_path: Path) -> None:
    """Misuse is a caller's bug: a RuntimeError naming the folder, even under ``python -O``."""
    folder = OutputFolder(tmp_path / "out")
    with pytest.raises(RuntimeError, match=r"claim .*out before staging"):
        folder.stage("part-00001.json", [b"[]"])
    with pytest.raises(RuntimeError, match="claim"):
        folder.commit()
    with pytest.raises(RuntimeError, match="claim"):
        _ = folder.work
    with OutputFolder(tmp_path / "out") as claimed:
        claimed.stage("part-00001.json", [b"[]"])
        claimed.commit()
        with pytest.raises(RuntimeError, match="claim"):
            claimed.stage("part-00002.json", [b"[]"])
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["part-00001.json"]
