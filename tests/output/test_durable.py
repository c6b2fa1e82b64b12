"""Atomic writes and the one-writer lock: a second process holding the lock makes us refuse."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from activity_schema.errors import ActivitySchemaError, LockedError
from activity_schema.output.durable import atomic_write_bytes, exclusive_lock, fsync_dir, read_lock

# The holder takes the lock, says so on stdout, then waits for a line on stdin: the test
# decides when it lets go, so nothing depends on timing.
_HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from activity_schema.output.durable import exclusive_lock

    with exclusive_lock(Path(sys.argv[1]), what=sys.argv[2]):
        print("locked", flush=True)
        if sys.stdin.readline().strip() == "die":
            import os
            os._exit(9)
    print("released", flush=True)
    """
)


@contextmanager
def _holder(lock: Path, what: str = "convert") -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(lock), what],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _release(proc: subprocess.Popen[str], how: str = "go") -> None:
    assert proc.stdin is not None
    proc.stdin.write(how + "\n")
    proc.stdin.flush()
    proc.wait()


def test_a_second_process_holding_the_lock_makes_us_refuse_at_once(tmp_path: Path) -> None:
    lock = tmp_path / ".convert.lock"
    with _holder(lock) as proc:
        with pytest.raises(LockedError) as caught, exclusive_lock(lock, what="convert"):
            pytest.fail("the lock was taken twice")
        err = caught.value
        assert err.pid == proc.pid
        assert err.started is not None and err.started.endswith("Z")
        assert err.path == str(lock)
        assert err.exit_code == 2
        line = err.one_line()
        assert "\n" not in line
        assert f"pid {proc.pid}" in line and err.started in line and str(lock) in line
        _release(proc)
    # Released: we may take it now, and the file no longer names the old holder.
    with exclusive_lock(lock, what="convert"):
        assert read_lock(lock)[0] == os.getpid()
    assert read_lock(lock) == (None, None)


def test_the_caller_sets_the_exit_code_of_a_refusal(tmp_path: Path) -> None:
    lock = tmp_path / ".upload.lock"
    with _holder(lock, "upload") as proc:
        with pytest.raises(LockedError) as caught, exclusive_lock(lock, what="upload", exit_code=4):
            pass
        assert caught.value.exit_code == 4
        assert "another upload run" in caught.value.one_line()
        assert isinstance(caught.value, ActivitySchemaError)
        _release(proc)


def test_the_kernel_releases_the_lock_of_a_killed_process(tmp_path: Path) -> None:
    lock = tmp_path / ".convert.lock"
    with _holder(lock) as proc:
        _release(proc, "die")
        assert proc.returncode == 9
    # The dead holder's pid may still be in the file, but the lock is free.
    with exclusive_lock(lock, what="convert"):
        assert read_lock(lock)[0] == os.getpid()


def test_the_lock_is_not_reentrant_within_a_process(tmp_path: Path) -> None:
    # flock locks belong to the open file description: a second open in the same
    # process is a second run as far as the lock is concerned.
    lock = tmp_path / ".lock"
    with exclusive_lock(lock, what="convert"):
        with pytest.raises(LockedError) as caught, exclusive_lock(lock, what="convert"):
            pass
        assert caught.value.pid == os.getpid()


def test_the_lock_file_stays_after_release(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    with exclusive_lock(lock, what="convert"):
        pass
    assert lock.exists() and lock.read_bytes() == b""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", (None, None)),
        (b"garbage", (None, None)),
        (b"[1, 2]", (None, None)),
        (b'{"pid": true, "started": 3}', (None, None)),
        (b'{"pid": 12, "started": "2026-01-01T00:00:00Z"}', (12, "2026-01-01T00:00:00Z")),
    ],
)
def test_read_lock_never_fails_on_what_a_lock_file_holds(
    tmp_path: Path, content: bytes, expected: tuple[int | None, str | None]
) -> None:
    lock = tmp_path / ".lock"
    lock.write_bytes(content)
    assert read_lock(lock) == expected


def test_a_refusal_before_the_holder_wrote_its_pid_still_reads_as_one_line() -> None:
    err = LockedError("convert", path="/x/.lock")
    assert err.pid is None and err.started is None
    assert err.one_line().startswith("/x/.lock: another convert run is using this folder")


def test_atomic_write_replaces_the_content_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_failed_atomic_write_leaves_the_old_content(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    # A write that fails after the temporary file exists: text is not bytes.
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_atomic_write_into_a_read_only_folder_raises_oserror(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError):
            atomic_write_bytes(folder / "x", b"1")
    finally:
        folder.chmod(0o700)


def test_fsync_dir_flushes_a_folder_and_refuses_a_missing_one(tmp_path: Path) -> None:
    fsync_dir(tmp_path)
    with pytest.raises(FileNotFoundError):
        fsync_dir(tmp_path / "missing")
