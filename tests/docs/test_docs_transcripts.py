"""The terminal transcripts of the docs and the README are what the commands print.

A ```console block whose first line starts with ``$ `` is a transcript: each ``$ `` line
is run (``activity-schema ...`` through the CLI itself, ``ls`` and ``cat`` on the files
it wrote) in a temporary folder holding a copy of ``samples/``, the blocks of one page in
order, and the lines below it are compared with the output, stdout and stderr as a
terminal shows them, trailing spaces aside. A line ``...`` stands for any number of
lines (the page says so); every other line must be printed as shown, in that order.
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from docs_markdown import ROOT, Block, blocks, page_id, pages

from activity_schema.cli import main

ELLIPSIS = "..."


@dataclass(frozen=True)
class Step:
    """One ``$ command`` of a transcript and the lines shown below it."""

    where: str
    command: str
    expected: list[str]


def _steps(block: Block) -> list[Step]:
    steps: list[Step] = []
    for offset, line in enumerate(block.body.rstrip("\n").split("\n")):
        if line.startswith("$ "):
            steps.append(Step(f"{page_id(block.path)}:{block.line + 1 + offset}", line[2:], []))
        else:
            steps[-1].expected.append(line.rstrip())
    return steps


def _transcripts(path: Path) -> list[Block]:
    return [b for b in blocks(path, "console") if b.body.startswith("$ ")]


_PAGES = [path for path in pages() if _transcripts(path)]


def matches(expected: list[str], actual: list[str]) -> bool:
    """Tell whether ``actual`` is ``expected`` with each ``...`` line standing for any lines.

    >>> matches(["a", "...", "d"], ["a", "b", "c", "d"])
    True
    >>> matches(["a", "d"], ["a", "b", "d"])
    False
    """
    segments: list[list[str]] = [[]]
    for line in expected:
        if line == ELLIPSIS:
            segments.append([])
        else:
            segments[-1].append(line)
    if len(segments) == 1:
        return expected == actual
    first, *middle, last = segments
    end = len(actual) - len(last)
    if end < len(first) or actual[: len(first)] != first or actual[end:] != last:
        return False
    position = len(first)
    for segment in middle:
        # The earliest place each segment fits leaves the most room for the next ones.
        while actual[position : position + len(segment)] != segment:
            position += 1
            if position + len(segment) > end:
                return False
        position += len(segment)
    return position <= end


def _run(step: Step, cwd: Path) -> list[str]:
    argv = shlex.split(step.command)
    if argv[0] == "activity-schema":
        result = CliRunner().invoke(main, argv[1:], prog_name="activity-schema")
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{step.where}: {step.command} raised {result.exception!r}"
        )
        text = result.output
    elif argv[0] == "ls" and len(argv) == 2:
        text = "".join(f"{p.name}\n" for p in sorted((cwd / argv[1]).iterdir()))
    elif argv[0] == "cat" and len(argv) == 2:
        text = (cwd / argv[1]).read_text(encoding="utf-8")
    else:
        raise AssertionError(f"{step.where}: the transcripts run only activity-schema, ls, cat")
    return [line.rstrip() for line in text.rstrip("\n").split("\n")]


def test_the_worked_example_and_the_readme_have_transcripts() -> None:
    assert {"docs/worked-example.md", "README.md", "docs/quickstart.md"} <= {
        page_id(p) for p in _PAGES
    }


@pytest.mark.parametrize("path", _PAGES, ids=[page_id(p) for p in _PAGES])
def test_transcripts_are_what_the_commands_print(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR", "ACTIVITY_SCHEMA_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for block in _transcripts(path):
        for step in _steps(block):
            actual = _run(step, tmp_path)
            assert matches(step.expected, actual), (
                f"{step.where}: `{step.command}` printed\n" + "\n".join(actual)
            )
