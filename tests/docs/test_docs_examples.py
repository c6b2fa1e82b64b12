"""Every Python example of the docs and the README runs, as a reader would run it.

Each page's ```python blocks are executed in order, in one namespace (a later block may
use what an earlier one defined, as a reader following the page would), in a temporary
folder holding a copy of ``samples/``, so an example names ``samples/...`` as it would
from the repository's root. A block that cannot run here (it needs an Eloqua instance)
is marked on the line above it with ``<!-- example: not run (why) -->``; those are
counted and kept to the few listed below.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from docs_markdown import ROOT, Block, blocks, page_id, pages

#: The blocks that are marked not to run, by page: each one deliberate.
NOT_RUN_EXPECTED = {"docs/python-api.md": 1}

_PAGES = [path for path in pages() if blocks(path, "python")]


def test_the_docs_have_python_examples() -> None:
    runnable = [b for path in _PAGES for b in blocks(path, "python") if b.not_run is None]
    assert len(runnable) >= 4, [b.where for b in runnable]


def test_examples_not_run_are_the_few_expected() -> None:
    marked: dict[str, int] = {}
    for path in pages():
        for block in blocks(path, "python"):
            if block.not_run is not None:
                assert block.not_run.strip(), f"{block.where}: say why it is not run"
                marked[page_id(path)] = marked.get(page_id(path), 0) + 1
    assert marked == NOT_RUN_EXPECTED


def _run(block: Block, namespace: dict[str, object]) -> None:
    code = compile(block.body, block.where, "exec")
    exec(code, namespace)


@pytest.mark.parametrize("path", _PAGES, ids=[page_id(p) for p in _PAGES])
def test_python_examples_run(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs_example__"}
    ran = 0
    for block in blocks(path, "python"):
        if block.not_run is not None:
            # Still valid Python: a marked example may not rot into a syntax error.
            compile(block.body, block.where, "exec")
            continue
        _run(block, namespace)
        ran += 1
    assert ran, f"{page_id(path)}: every Python example is marked not to run"
    capsys.readouterr()  # the examples print what a reader would see; not checked here
