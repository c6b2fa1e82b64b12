"""Faults while converting: a folder that cannot be written, a full disk, an interruption.

Each gives one clear line and its exit code (5 for a folder that cannot be written, 2
for a path that cannot be a folder), leaves the output folder as it was (no folder, or
the earlier run), no staging folder beside it, and a rerun completes with the same
output as an undisturbed run (no duplicates). The tests run as root, where ``chmod``
does not stop writes, so faults are injected by patching ``Path.open`` (what
``OutputFolder.stage`` writes with) and through the commit's ``on_step`` seam; the
real full disk and read-only file system are in ``test_convert_atomic.py``.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from activity_schema.errors import OutputError, UsageError
from activity_schema.jobs.whole import prepare
from activity_schema.output.folder import COMMIT_STEPS
from activity_schema.output.plan import MANIFEST_NAME, REJECTS_NAME
from activity_schema.output.write import convert

Cli = Callable[..., Result]

HEADER = "activityId,email,type\n"
#: 40 valid rows and one rejected row; at --max-bytes 600 they make several parts.
ROWS = "".join(f"{i},user{i}@example.com,Registered\n" for i in range(40)) + "41,nope,x\n"
ARGS = ("--max-bytes", "600")

ENOSPC = OSError(errno.ENOSPC, "No space left on device")
_real_open = Path.open


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


def beside(tmp_path: Path) -> list[str]:
    """What is in the test's folder besides the input: the output and the lock file."""
    return sorted(p.name for p in tmp_path.iterdir() if p.name != "input.csv")


def fail_open(match: str, error: BaseException) -> Callable[..., Any]:
    def fake_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        mode = args[0] if args else kwargs.get("mode", "r")
        if match in self.name and ("w" in mode or "x" in mode):
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


# (id, what to patch, the fault, fragment of the one-line message)
DISK_FAULTS: list[tuple[str, str, Callable[..., Any], str]] = [
    (
        "no space opening the second part",
        "open",
        fail_open("part-00002", ENOSPC),
        "cannot write the output: No space left on device",
    ),
    (
        "disk fills up inside the third part",
        "open",
        fail_write("part-00003", ENOSPC, after=100),
        "No space left on device",
    ),
    (
        "disk fills up writing rejects.csv",
        "open",
        fail_write(REJECTS_NAME, ENOSPC, after=10),
        "No space left on device",
    ),
    (
        "read-only file system at the manifest",
        "open",
        fail_open(MANIFEST_NAME, OSError(errno.EROFS, "Read-only file system")),
        "Read-only file system",
    ),
    (
        "permission denied at the first part",
        "open",
        fail_open("part-00001", PermissionError(errno.EACCES, "Permission denied")),
        "Permission denied",
    ),
    (
        "I/O error writing the manifest, after every part",
        "open",
        fail_write(MANIFEST_NAME, OSError(errno.EIO, "Input/output error"), after=1),
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
    assert result.exit_code == OutputError.exit_code == 5
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("activity-schema: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert beside(tmp_path) == [".out.convert.lock"]  # no folder, no staging left
    # The fault is gone: a rerun needs no --force and writes what an undisturbed run does.
    rerun = cli("convert", "-o", "out", *ARGS, "input.csv")
    assert rerun.exit_code == 1  # one row is rejected
    assert same_run(snapshot(tmp_path / "out"), good_run)


def test_output_under_a_regular_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "input.csv").write_text(HEADER + ROWS, encoding="utf-8")
    result = cli("convert", "-o", "input.csv/out", "input.csv")
    assert result.exit_code == UsageError.exit_code
    (line,) = result.stderr.splitlines()
    assert "input.csv/out: cannot use the output folder: input.csv is a file" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.csv"]


def test_output_folder_that_cannot_be_created(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    (tmp_path / "input.csv").write_text(HEADER + ROWS, encoding="utf-8")
    monkeypatch.setattr(Path, "mkdir", denied)
    result = cli("convert", "-o", "new/out", "input.csv")
    assert result.exit_code == OutputError.exit_code
    (line,) = result.stderr.splitlines()
    assert "new: cannot write the output: Permission denied" in line
    assert "check the folder's permissions" in line


@pytest.mark.parametrize("at", ["part-00002", REJECTS_NAME, MANIFEST_NAME])
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
    assert beside(tmp_path) == [".out.convert.lock"]
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
        patch.setattr(Path, "open", fail_write("part-00003", RuntimeError("bug"), after=1))
        with pytest.raises(RuntimeError, match="bug"):
            convert(prepared, tmp_path / "out", max_bytes=600)
    assert finished_looking(tmp_path / "out") == []
    assert beside(tmp_path) == [".out.convert.lock"]
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
        patch.setattr(Path, "open", fail_write("part-00002", ENOSPC, after=50))
        with pytest.raises(OutputError, match="No space left on device") as caught:
            convert(prepare(source), tmp_path / "out", max_bytes=300, force=True)
    assert caught.value.errno == errno.ENOSPC
    assert snapshot(tmp_path / "out") == before
    assert beside(tmp_path) == [".out.convert.lock", "out"]


@pytest.mark.parametrize("step", [s for s in COMMIT_STEPS if s != "set-aside"])
def test_an_error_at_any_step_of_a_forced_run_leaves_one_whole_run(
    tmp_path: Path, step: str
) -> None:
    source = tmp_path / "input.csv"
    source.write_text(HEADER + ROWS, encoding="utf-8")
    convert(prepare(source), tmp_path / "out", max_bytes=600)
    old = snapshot(tmp_path / "out")
    new_run = tmp_path / "reference"
    convert(prepare(source), new_run, max_bytes=2000)
    new = snapshot(new_run)
    new_run.joinpath(MANIFEST_NAME).unlink()  # (only its bytes were wanted)
    for path in new_run.iterdir():
        path.unlink()
    new_run.rmdir()

    def fail(name: str) -> None:
        if name == step:
            raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(OutputError, match="Input/output error"):
        convert(prepare(source), tmp_path / "out", max_bytes=2000, force=True, on_step=fail)
    # Before the swap the earlier run is whole, after it the new one; never a mix.
    swapped = COMMIT_STEPS.index(step) >= COMMIT_STEPS.index("exchanged")
    assert snapshot(tmp_path / "out") == (new if swapped else old)
    assert [p for p in beside(tmp_path) if p.endswith(".tmp")] == []


def test_broken_pipe_on_stdout_is_quiet(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `convert -o - | head` closes the pipe early; that is not an error.
    from activity_schema.output import write as convert_module

    def broken(*args: object, **kwargs: object) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    (tmp_path / "input.csv").write_text(HEADER + ROWS, encoding="utf-8")
    monkeypatch.setattr(convert_module, "write_document", broken)
    result = cli("convert", "-o", "-", "input.csv")
    assert result.exit_code == 0
    assert result.stderr == ""
