"""The CLI starts fast, and the public surface stays honest (httpx/click habits)."""

from __future__ import annotations

import pytest
from imports_of import modules_imported

import activity_schema

HEAVY = ("polars", "pandera", "httpx", "numpy", "chardet", "ftfy")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["lint", "--help"]])
def test_help_does_not_import_heavy_libraries(args: list[str]) -> None:
    imported = modules_imported(args)
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
