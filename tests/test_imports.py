"""The CLI starts fast, and the public surface stays honest (httpx/click habits)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import activity_schema

HEAVY = ("polars", "pandera", "httpx", "numpy", "chardet")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["lint", "--help"]])
def test_help_does_not_import_heavy_libraries(args: list[str]) -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['activity-schema', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('activity_schema', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_all_names_resolve() -> None:
    for name in activity_schema.__all__:
        assert getattr(activity_schema, name) is not None


def test_all_is_complete() -> None:
    public = set(activity_schema._LAZY) | {"__version__"}
    assert set(activity_schema.__all__) == public


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError):
        _ = activity_schema.no_such_name  # type: ignore[attr-defined]
