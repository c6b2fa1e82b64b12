"""Faults while converting: a folder that cannot be written, a full disk, an interruption.

Each gives one clear line and its exit code, leaves no file that looks like a finished
part, and a rerun completes with the same output as an undisturbed run (no duplicates).
The tests run as root, where ``chmod`` does not stop writes, so faults are injected by
patching the file-system calls ``convert`` makes (``Path.open``, ``Path.replace``).
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from activity_schema.convert import convert
from activity_schema.errors import UsageError
from activity_schema.pipeline import prepare
from activity_schema.plan import MANIFEST_NAME, REJECTS_NAME

Cli = Callable[..., Result]

HEADER = "activityId,email,type\n"
#: 40 valid rows and one rejected row; at --max-bytes 600 they make several parts.
ROWS = "".join(f"{i},user{i}@example.com,Registered\n" for i in range(40)) + "41,nope,x\n"
ARGS = ("--max-bytes", "600")

ENOSPC = OSError(errno.ENOSPC, "No space left on device")
_real_open = Path.open
_real_replace = Path.replace


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def finished_looking(folder: Path) -> list[str]:
    """Names a reader could take for a complete run's file."""
    names = [p.name for p in folder.iterdir()] if folder.exists() else []
    return [n for n in names if n.startswith("part-") or n in (MANIFEST_NAME, REJECTS_NAME)]


@pytest.fixture
def good_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The files of an undisturbed run, to compare reruns with."""
    folder = tmp_path_factory.mktemp("reference")
    (folder / "input.csv").write_text(HEADER + ROWS, encoding="utf-8")
    convert(prepare(folder / "input.csv"), folder / "out", max_bytes=600)
    files = snapshot(folder / "out")
    assert len([n for n in files if n.startswith("part-")]) > 2
    return files


def same_run(files: dict[str, bytes], reference: dict[str, bytes]) -> bool:
    """The same files, and the same parts byte for byte (rejects and manifest name the
    input by the path given, which differs)."""
    parts = {n: b for n, b in files.items() if n.startswith("part-")}
    expected = {n: b for n, b in reference.items() if n.startswith("part-")}
    manifest = json.loads(files[MANIFEST_NAME])
    return (
        sorted(files) == sorted(reference)
        and parts == expected
        and (manifest["rows_out"], manifest["rows_rejected"]) == (40, 1)
    )


def fail_open(match: str, error: BaseException) -> Callable[..., Any]:
    def fake_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if match in self.name and "w" in (args[0] if args else kwargs.get("mode", "r")):
            raise error
        return _real_open(self, *args, **kwargs)

    return fake_open


def fail_write(match: str, error: BaseException, after: int) -> Callable[..., Any]:
    """Open normally, but fail once ``after`` bytes were written (a disk filling up)."""

    class Failing:
        def __init__(self, handle: Any) -> None:
            self.handle, self.written = handle, 0

        def write(self, data: bytes) -> int:
            if self.written + len(data) > after:
                raise error
            self.written += len(data)
            return int(self.handle.write(data))

        def __enter__(self) -> Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    def fake_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        handle = _real_open(self, *args, **kwargs)
        return Failing(handle) if match in self.name else handle

    return fake_open


def fail_replace(match: str, error: BaseException) -> Callable[..., Any]:
    def fake_replace(self: Path, target: Any) -> Path:
        if match in Path(target).name:
            raise error
        return _real_replace(self, target)

    return fake_replace


# (id, what to patch, the fault, fragment of the one-line message)
DISK_FAULTS: list[tuple[str, str, Callable[..., Any], str]] = [
    (
        "no space opening the second part",
        "open",
        fail_open(".part-00002", ENOSPC),
        "cannot write the output: No space left on device",
    ),
    (
        "disk fills up inside the third part",
        "open",
        fail_write(".part-00003", ENOSPC, after=100),
        "No space left on device",
    ),
    (
        "disk fills up writing rejects.csv",
        "open",
        fail_write(".rejects.csv", ENOSPC, after=10),
        "No space left on device",
    ),
    (
        "read-only file system at the manifest",
        "open",
        fail_open(".manifest.json", OSError(errno.EROFS, "Read-only file system")),
        "Read-only file system",
    ),
    (
        "permission denied renaming the first part",
        "replace",
        fail_replace("part-00001", PermissionError(errno.EACCES, "Permission denied")),
        "Permission denied",
    ),
    (
        "I/O error renaming the manifest, after every part",
        "replace",
        fail_replace(MANIFEST_NAME, OSError(errno.EIO, "Input/output error")),
        "Input/output error",
    ),
]


@pytest.mark.parametrize(
    ("where", "fault", "fragment"),
    [c[1:] for c in DISK_FAULTS],
    ids=[c[0] for c in DISK_FAULTS],
)
def test_disk_faults_are_one_line_and_leave_nothing_finished(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    good_run: dict[str, bytes],
    where: str,
    fault: Callable[..., Any],
    fragment: str,
) -> None:
    (tmp_path / "input.csv").write_text(HEADER + ROWS, encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(Path, where, fault)
        result = cli("convert", "-o", "out", *ARGS, "input.csv")
    assert result.exit_code == UsageError.exit_code
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("activity-schema: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert snapshot(tmp_path / "out") == {}
    # The fault is gone: a rerun needs no --force and writes what an undisturbed run does.
    rerun = cli("convert", "-o", "out", *ARGS, "input.csv")
    assert rerun.exit_code == 1  # one row is rejected
    assert same_run(snapshot(tmp_path / "out"), good_run)


def test_output_under_a_regular_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "input.csv").write_text(HEADER + ROWS, encoding="utf-8")
    result = cli("convert", "-o", "input.csv/out", "input.csv")
    assert result.exit_code == UsageError.exit_code
    (line,) = result.stderr.splitlines()
    assert "input.csv/out: cannot use the output folder: Not a directory" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.csv"]


def test_output_folder_that_cannot_be_created(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    (tmp_path / "input.csv").write_text(HEADER + ROWS, encoding="utf-8")
    monkeypatch.setattr(Path, "mkdir", denied)
    result = cli("convert", "-o", "out", "input.csv")
    assert result.exit_code == UsageError.exit_code
    (line,) = result.stderr.splitlines()
    assert "out: cannot use the output folder: Permission denied" in line


@pytest.mark.parametrize("at", [".part-00002", ".rejects.csv", ".manifest.json"])
def test_interrupted_convert_leaves_nothing_and_reruns_cleanly(
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    good_run: dict[str, bytes],
    at: str,
) -> None:
    (tmp_path / "input.csv").write_text(HEADER + ROWS, encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(Path, "open", fail_write(at, KeyboardInterrupt(), after=5))
        result = cli("convert", "-o", "out", *ARGS, "input.csv")
    assert result.exit_code == 130
    assert result.stderr == "activity-schema: interrupted\n"
    assert snapshot(tmp_path / "out") == {}
    rerun = cli("convert", "-o", "out", *ARGS, "input.csv")
    assert rerun.exit_code == 1
    assert same_run(snapshot(tmp_path / "out"), good_run)


def test_an_exception_mid_write_through_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, good_run: dict[str, bytes]
) -> None:
    source = tmp_path / "input.csv"
    source.write_text(HEADER + ROWS, encoding="utf-8")
    prepared = prepare(source)
    with monkeypatch.context() as patch:
        patch.setattr(Path, "open", fail_write(".part-00003", RuntimeError("bug"), after=1))
        with pytest.raises(RuntimeError, match="bug"):
            convert(prepared, tmp_path / "out", max_bytes=600)
    assert finished_looking(tmp_path / "out") == []
    assert list((tmp_path / "out").iterdir()) == []
    convert(prepared, tmp_path / "out", max_bytes=600)
    assert same_run(snapshot(tmp_path / "out"), good_run)


def test_a_failed_forced_run_keeps_the_earlier_complete_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, good_run: dict[str, bytes]
) -> None:
    source = tmp_path / "input.csv"
    source.write_text(HEADER + ROWS, encoding="utf-8")
    convert(prepare(source), tmp_path / "out", max_bytes=600)
    before = snapshot(tmp_path / "out")
    with monkeypatch.context() as patch:
        patch.setattr(Path, "open", fail_write(".part-00002", ENOSPC, after=50))
        with pytest.raises(UsageError, match="No space left on device"):
            convert(prepare(source), tmp_path / "out", max_bytes=2000, force=True)
    assert snapshot(tmp_path / "out") == before


def test_a_failed_rename_in_a_forced_run_leaves_no_mix_of_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "input.csv"
    source.write_text(HEADER + ROWS, encoding="utf-8")
    convert(prepare(source), tmp_path / "out", max_bytes=600)
    with monkeypatch.context() as patch:
        patch.setattr(Path, "replace", fail_replace("part-00002", OSError(errno.EIO, "I/O")))
        with pytest.raises(UsageError):
            convert(prepare(source), tmp_path / "out", max_bytes=2000, force=True)
    # Neither run is complete, so no file may look finished.
    assert finished_looking(tmp_path / "out") == []


def test_broken_pipe_on_stdout_is_quiet(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `convert -o - | head` closes the pipe early; that is not an error.
    from activity_schema import convert as convert_module

    def broken(*args: object, **kwargs: object) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    (tmp_path / "input.csv").write_text(HEADER + ROWS, encoding="utf-8")
    monkeypatch.setattr(convert_module, "write_stream", broken)
    result = cli("convert", "-o", "-", "input.csv")
    assert result.exit_code == 0
    assert result.stderr == ""
