"""The CLI starts fast, and the public surface stays honest (httpx/click habits)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import activity_schema

HEAVY = ("polars", "pandera", "httpx", "numpy", "chardet")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["lint", "--help"]])
def test_help_does_not_import_heavy_libraries(args: list[str]) -> None:
    # The real process, as a user starts it; -X importtime lists every module imported.
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "activity_schema", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert "activity_schema.cli" in imported
    assert [m for m in HEAVY if m in imported] == []


def test_all_names_resolve() -> None:
    for name in activity_schema.__all__:
        assert getattr(activity_schema, name) is not None


def test_all_is_complete() -> None:
    public = set(activity_schema._LAZY) | {"__version__"}
    assert set(activity_schema.__all__) == public


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError):
        _ = activity_schema.no_such_name  # type: ignore[attr-defined]
