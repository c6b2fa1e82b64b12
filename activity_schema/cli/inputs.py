"""Turn the FILES a command is given into the inputs it reads, as ruff does.

``-`` is standard input (read once; ``--stdin-filename`` names it in reports), a file is
read as given, and a directory is walked, sorted so that every run reads the same
inputs in the same order, for the data formats the tool reads by default: the same
list as the pre-commit hook's ``files:`` pattern, so that neither reads a
``package.json`` or a ``tsconfig.json`` that happens to be there. ``--exclude GLOB``
drops walked paths; hidden folders (``.git``, ``.venv``) and Office's lock files
(``~$book.xlsx``) are never walked into.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click

from ..errors import UsageError

__all__ = [
    "STDIN",
    "WALKED_SUFFIXES",
    "exclude_option",
    "expand_inputs",
    "refuse_streamed_stdin",
    "stdin_filename_option",
]

#: The argument that means standard input.
STDIN = "-"
#: The suffixes a walked directory is read for (case-insensitive). ``.json`` is not
#: among them: a repository holds JSON of every kind (package.json, tsconfig.json), so
#: a JSON export is read when it is named; ``.pre-commit-hooks.yaml`` matches the same.
WALKED_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".ndjson", ".jsonl", ".xlsx")

#: Add ``--exclude GLOB`` (repeatable).
exclude_option = click.option(
    "--exclude",
    "excludes",
    metavar="GLOB",
    multiple=True,
    help="Skip paths matching GLOB when walking a directory (repeatable; matched against "
    "the path relative to the directory and against the name).",
)

#: Add ``--stdin-filename NAME``.
stdin_filename_option = click.option(
    "--stdin-filename",
    metavar="NAME",
    help="The name standard input ('-') goes by: in every report and error, and its "
    "extension hints the format (default: <stdin>).",
)


def _excluded(relative: str, name: str, excludes: Sequence[str]) -> bool:
    return any(
        fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(name, pattern)
        for pattern in excludes
    )


def _walk(root: Path, excludes: Sequence[str]) -> Iterator[Path]:
    """Yield the data files under ``root``, hidden folders and excludes pruned."""
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        relative_here = here.relative_to(root)
        kept = []
        for name in sorted(dirs):
            relative = (relative_here / name).as_posix()
            if name.startswith(".") or _excluded(relative, name, excludes):
                continue
            kept.append(name)
        dirs[:] = kept  # os.walk descends into these only, in this (sorted) order
        for name in sorted(names):
            relative = (relative_here / name).as_posix()
            if (
                name.startswith((".", "~$"))  # hidden files and Office's lock files
                or not name.lower().endswith(WALKED_SUFFIXES)
                or _excluded(relative, name, excludes)
            ):
                continue
            yield here / name


def expand_inputs(
    files: Sequence[Path], excludes: Sequence[str] = (), stdin_filename: str | None = None
) -> tuple[Path, ...]:
    """Return the inputs ``files`` name: directories walked, the rest as given.

    Raises:
        UsageError: ``-`` is given twice (standard input is read once), a directory
            holds no file to read, or ``--stdin-filename`` is given without ``-``.

    Example:
        >>> expand_inputs([Path("-")])
        (PosixPath('-'),)
    """
    found: list[Path] = []
    stdin_given = 0
    for given in files:
        if str(given) == STDIN:
            stdin_given += 1
            if stdin_given > 1:
                raise UsageError(
                    "standard input ('-') is given twice", hint="pass - once; it is read once"
                )
            found.append(given)
        elif given.is_dir():
            # By path (its parts), as ruff lists files: a/x.csv before b.csv.
            walked = sorted(_walk(given, excludes))
            if not walked:
                suffixes = " ".join(WALKED_SUFFIXES)
                raise UsageError(
                    f"no {suffixes} file to read in the folder",
                    where=str(given),
                    hint="name the files (a .json export, say) or check --exclude",
                )
            found.extend(walked)
        else:
            found.append(given)
    if stdin_filename is not None and not stdin_given:
        raise UsageError("--stdin-filename names standard input", hint="pass - as a FILE")
    return tuple(found)


def refuse_streamed_stdin(
    inputs: Sequence[Path],
    stream: bool,
    should_stream: Callable[[Sequence[Path]], bool] | None = None,
) -> None:
    """Refuse to stream standard input: batches are read from a file's path.

    Args:
        inputs: The inputs of the run.
        stream: Whether ``--stream`` was given.
        should_stream: Whether a run over these files would stream by itself (inputs
            over the threshold); such a run cannot also read standard input.

    Raises:
        UsageError: ``-`` is among ``inputs`` and the run would stream.
    """
    if not any(str(path) == STDIN for path in inputs):
        return
    if stream:
        raise UsageError(
            "--stream reads files, not standard input",
            hint="save the data to a file, or drop --stream to read standard input whole",
        )
    files = [path for path in inputs if str(path) != STDIN]
    if files and should_stream is not None and should_stream(files):
        raise UsageError(
            "standard input is read whole, but these files are big enough to be checked in batches",
            hint="check standard input and the big files in two runs",
        )
