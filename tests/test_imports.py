"""The CLI starts fast, and the public surface stays honest (httpx/click habits)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def _small_csv(folder: Path) -> Path:
    path = folder / "small.csv"
    path.write_text(
        "activityId,email,type,ActivityDate\n1,a@b.co,Registered,2024-01-02 03:04:05\n",
        encoding="utf-8",
    )
    return path


def test_lint_json_imports_neither_rich_nor_the_batch_jobs(tmp_path: Path) -> None:
    # A small input is checked whole: deciding so must not load the batch machinery,
    # and a JSON report needs no terminal rendering.
    imported = modules_imported(["lint", str(_small_csv(tmp_path)), "--format", "json"], tmp_path)
    assert "activity_schema.jobs.lint" in imported
    assert "activity_schema.jobs.sizing" in imported
    assert [m for m in imported if m == "rich" or m.startswith("rich.")] == []
    assert [m for m in imported if m.startswith("activity_schema.jobs.stream")] == []


def test_whole_file_convert_does_not_import_the_batch_jobs(tmp_path: Path) -> None:
    # convert into a folder prints nothing on stdout, so the probe's check does not apply.
    out = tmp_path / "out"
    args = ["convert", str(_small_csv(tmp_path)), "-o", str(out), "--quiet"]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "activity_schema", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert (out / "part-00001.json").is_file()
    assert "activity_schema.output.write" in imported
    assert "activity_schema.jobs.sizing" in imported
    assert [m for m in imported if m.startswith("activity_schema.jobs.stream")] == []
