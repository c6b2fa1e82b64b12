"""Mojibake is repaired exactly for the whole value, or kept and reported (issue 12).

The corpus in ``tests/data/corpus/mojibake/`` (written by ``make_mojibake.py``) holds UTF-8
text misread as cp1252 or Latin-1 in every way real tools misread it, text whose bytes were
lost on the way (U+FFFD, dropped bytes), and correct text that resembles mojibake. Each
file goes through the real CLI: ``convert`` must write what each cell meant, and ``lint``
must report each repair as a fix and each impossible repair as a warning.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest
from click.testing import Result

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
FOLDER = CORPUS / "mojibake"
TRUTHS = sorted(FOLDER.glob("*.csv.truth.json"))


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_mojibake", CORPUS / "make_mojibake.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _truth(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _input(truth: Path) -> Path:
    return truth.with_name(truth.name.removesuffix(".truth.json"))


def _converted(cli: Callable[..., Result], source: Path, out: Path, *flags: str) -> list[Any]:
    result = cli("convert", source, "--output", out, *flags)
    assert result.exit_code == 0, result.output[-2000:]
    parts = sorted(out.glob("part-*.json"))
    return [r["AssetName"] for p in parts for r in json.loads(p.read_text(encoding="utf-8"))]


def _mojibake_issues(cli: Callable[..., Result], source: Path) -> list[dict[str, Any]]:
    result = cli("lint", source, "--format", "json")
    assert result.exit_code == 0, result.output[-2000:]
    issues = json.loads(result.stdout)["issues"]
    return [i for i in issues if i["code"] == "mojibake"]


def test_the_generator_reproduces_the_committed_files() -> None:
    made = _generator().files()
    committed = {p.name: p.read_bytes() for p in FOLDER.iterdir()}
    assert made == committed


def test_the_corpus_covers_every_class() -> None:
    names = {_input(t).stem for t in TRUTHS}
    assert {
        "cp1252_double",
        "cp1252_undefined_bytes",
        "latin1_double",
        "triple",
        "mixed",
        "initials",
        "replacement_char",
        "dropped_bytes",
        "negatives",
    } <= names


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: _input(p).name)
def test_convert_writes_what_each_cell_meant(
    cli: Callable[..., Result], tmp_path: Path, truth: Path
) -> None:
    expected = _truth(truth)
    assert _converted(cli, _input(truth), tmp_path / "out") == expected["meant"]["AssetName"]


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: _input(p).name)
def test_lint_reports_each_repair_or_its_impossibility(
    cli: Callable[..., Result], truth: Path
) -> None:
    expected = _truth(truth)
    issues = _mojibake_issues(cli, _input(truth))
    cells = [r[4] for r in expected["records"]]
    meant = expected["meant"]["AssetName"]
    if "loud" in expected:
        # Never a fix, and a warning for every cell whose damage shows.
        assert {i["severity"] for i in issues} == {"warning"}
        assert all(i["row"] is not None for i in issues)
        assert len(issues) >= len(cells) - 2  # two dropped-byte texts leave no trace
        assert all("cannot be repaired exactly" in i["message"] for i in issues)
    else:
        changed = [
            n + 1 for n, (cell, new) in enumerate(zip(cells, meant, strict=True)) if cell != new
        ]
        assert sorted(i["row"] for i in issues) == changed
        assert {i["severity"] for i in issues} <= {"fixed"}


def test_a_suspect_cell_comes_with_what_it_probably_read(cli: Callable[..., Result]) -> None:
    issues = _mojibake_issues(cli, FOLDER / "replacement_char.csv")
    first = next(i for i in issues if i["row"] == 1)
    assert first["value"] == "Å\ufffdÃ³dÅº Forum"
    assert "it probably read '\ufffdódź Forum'" in first["fix"]
    assert "stands for a character whose byte was lost" in first["fix"]


def test_no_fix_reports_the_repair_as_a_suggestion(cli: Callable[..., Result]) -> None:
    result = cli("lint", FOLDER / "latin1_double.csv", "--format", "json", "--no-fix")
    issues = [i for i in json.loads(result.stdout)["issues"] if i["code"] == "mojibake"]
    assert issues and {i["severity"] for i in issues} == {"warning"}
    assert any(i["fix"] == "change to 'Straße der Einheit'" for i in issues)


@pytest.mark.parametrize("name", ["latin1_double.csv", "replacement_char.csv", "negatives.csv"])
def test_the_streamed_convert_cleans_the_same_way(
    cli: Callable[..., Result], tmp_path: Path, name: str
) -> None:
    whole = _converted(cli, FOLDER / name, tmp_path / "whole")
    streamed = _converted(cli, FOLDER / name, tmp_path / "streamed", "--stream")
    assert streamed == whole


@pytest.mark.parametrize("raw", ["\xa0Ã©", "Ã©\u200b", " \xa0RenÃ©\xa0"])
def test_mojibake_exact_only_once_cleaned_is_repaired_in_one_pass(raw: str) -> None:
    # The raw bytes of "\xa0Ã©" are not UTF-8 (a lone continuation byte first), but the
    # cleaned value is: repairing it then keeps a second conversion from finding more.
    from activity_schema.jobs.whole import prepare

    first = prepare([[{"activityId": "1", "email": "a@b.co", "type": "T", "FirstName": raw}]])
    name = first.clean["FirstName"][0]
    assert name in ("é", "René")
    codes = first.issues.filter(pl.col("code") == "mojibake")["severity"].to_list()
    assert codes == ["fixed"]
    again = prepare([[{"activityId": "1", "email": "a@b.co", "type": "T", "FirstName": name}]])
    assert again.issues.height == 0
