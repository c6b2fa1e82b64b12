"""Ruff and mypy stay clean: CI runs only the test suite, so the suite runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # ruff and mypy over the whole repository, in subprocesses
@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(command: list[str]) -> None:
    tool = shutil.which(command[0], path=str(Path(sys.executable).parent))
    if tool is None:
        pytest.skip(f"{command[0]} is not installed (it comes with the test extras)")
    result = subprocess.run([tool, *command[1:]], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


PACKAGE = ROOT / "activity_schema"
#: ``assert`` statements not yet replaced, each with its owner's reason. An ``assert`` is
#: gone under ``python -O``, so library code checks with a real error (or with types).
ASSERT_ALLOWED: set[str] = set()


#: Examples still skipped. None: an example that needs a live Eloqua is a literal block
#: (``Example (against a live instance)::``), run by the tests against the local fake,
#: not a doctest that claims to run and never does.
SKIP_ALLOWED: set[str] = set()


def _modules() -> list[tuple[str, str]]:
    return [
        (path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def test_library_code_has_no_assert_statements() -> None:
    """A check that ``python -O`` would drop is no check: raise a real error instead."""
    import ast

    found = [
        f"{name}:{node.lineno}"
        for name, text in _modules()
        if name not in ASSERT_ALLOWED
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Assert)
    ]
    assert found == []


def test_no_docstring_example_is_skipped() -> None:
    """Every docstring example runs as a doctest (on a temporary folder if it writes)."""
    found = [
        f"{name}:{number}"
        for name, text in _modules()
        if name not in SKIP_ALLOWED
        for number, line in enumerate(text.splitlines(), 1)
        if "doctest: +SKIP" in line
    ]
    assert found == []


def test_the_package_imports_itself_relatively() -> None:
    """Inside the package, imports are relative (``from ..errors import``), as elsewhere."""
    import ast

    found = [
        f"{name}:{node.lineno}"
        for name, text in _modules()
        # ``python path/to/__main__.py`` has no package to be relative to.
        if not name.endswith("__main__.py")
        for node in ast.walk(ast.parse(text))
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").split(".")[0] == "activity_schema"
        )
        or (
            isinstance(node, ast.Import)
            and any(alias.name.split(".")[0] == "activity_schema" for alias in node.names)
        )
    ]
    assert found == []
