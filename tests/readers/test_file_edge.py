"""Inputs that are not regular files, and file names that hold control characters.

A path can name a device that never ends (``/dev/zero``) or a FIFO whose ``open`` blocks
until a writer comes: both are refused before they are read, with one line and exit 3.
Standard input, given as ``-``, is read. A control character in a file name is shown
escaped wherever the name reaches the terminal.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from activity_schema.errors import InputError, escape_controls
from activity_schema.readers import read_path
from activity_schema.readers.files import not_regular_error

UNREADABLE = 3
CSV = b"email,activityId,type\na@b.co,1,Registered\n"
posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


def run(
    *args: str | Path, cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    # A FIFO that blocked would hang the test run: the timeout turns a hang into a failure.
    return subprocess.run(
        [sys.executable, "-m", "activity_schema", *(str(a) for a in args)],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        check=False,
        timeout=120,
    )


@posix_only
def test_a_fifo_without_writer_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    done = run("lint", fifo, cwd=tmp_path)
    assert done.returncode == UNREADABLE
    err = done.stderr.decode()
    assert "feed.csv: is a named pipe (FIFO), not a regular file" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@posix_only
@pytest.mark.parametrize("command", ["lint", "convert"])
def test_a_fifo_is_refused_by_a_streamed_run_too(command: str, tmp_path: Path) -> None:
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    args = [command, "--stream", fifo] + (["-o", tmp_path / "out"] if command == "convert" else [])
    done = run(*args, cwd=tmp_path)
    assert done.returncode == UNREADABLE
    assert b"is a named pipe (FIFO), not a regular file" in done.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_character_device_is_refused_before_it_is_read(tmp_path: Path) -> None:
    done = run("lint", "/dev/zero", cwd=tmp_path)
    assert done.returncode == UNREADABLE
    assert "/dev/zero: is a character device, not a regular file" in done.stderr.decode()


@posix_only
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(InputError, match="is a socket, not a regular file") as caught:
            read_path(path)
    assert caught.value.exit_code == UNREADABLE


def test_other_files_convert_next_to_a_refused_one(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(CSV)
    done = run("lint", "/dev/null", good, cwd=tmp_path)
    # /dev/null is a character device as well: refused, while good.csv is still linted.
    assert done.returncode == UNREADABLE
    assert b"/dev/null: is a character device" in done.stderr
    assert b"1 rows" in done.stdout


def test_standard_input_is_read_when_given_as_dash(tmp_path: Path) -> None:
    done = run("lint", "-", cwd=tmp_path, stdin=CSV)
    assert done.returncode == 0, done.stderr
    assert b"1 rows: 1 valid" in done.stdout


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_bytes(CSV)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert read_path(link).rows == 1


@pytest.mark.parametrize(
    ("mode", "fragment"),
    [
        (stat.S_IFCHR, "a character device"),
        (stat.S_IFBLK, "a block device"),
        (stat.S_IFIFO, "a named pipe (FIFO)"),
        (stat.S_IFSOCK, "a socket"),
        (stat.S_IFDIR, "a directory"),
    ],
)
def test_every_kind_of_non_regular_file_is_named(mode: int, fragment: str) -> None:
    error = not_regular_error(mode | 0o644, "x.csv")
    assert error is not None and fragment in error.message
    assert not_regular_error(stat.S_IFREG | 0o644, "x.csv") is None


# --- control characters in file names ------------------------------------------------------

NAMES = ["we\x1b[31mird.csv", "bell\x07.csv", "cr\rlf\n.csv", "rtl\u202etxt.csv"]


@pytest.mark.parametrize("name", NAMES)
def test_a_missing_file_name_is_shown_escaped(name: str, tmp_path: Path) -> None:
    done = run("lint", name, cwd=tmp_path)
    err = done.stderr.decode()
    assert done.returncode == UNREADABLE
    assert escape_controls(name) in err
    assert not any(c in err.rstrip("\n") for c in "\x1b\x07\r\u202e")
    assert err.count("\n") == 1


@pytest.mark.parametrize("name", NAMES)
def test_a_report_shows_a_file_name_escaped(
    name: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    path = tmp_path / name
    path.write_bytes(b"email,activityId,type,Extra\na@b.co,1,Registered,x\n")
    result = cli("lint", path)
    shown = result.stdout
    assert escape_controls(str(path)) in shown
    assert not any(c in shown for c in "\x1b\x07\r\u202e")
    inspected = cli("inspect", path).stdout
    assert escape_controls(str(path)) in inspected
    assert not any(c in inspected for c in "\x1b\x07\r\u202e")


def test_escape_controls_keeps_printable_text() -> None:
    assert escape_controls("Zoë Ñandú, 東京.csv") == "Zoë Ñandú, 東京.csv"
    assert escape_controls("a\tb\x00c\x85") == "a\\tb\\x00c\\x85"
    error = InputError("no such file", path="a\x1bb.csv", hint="check the path")
    assert error.one_line() == "a\\x1bb.csv: no such file (check the path)"
