"""Every corpus file is read exactly, or the run says it may not be: never silently wrong.

``tests/data/corpus/<area>/`` holds inputs that nobody here wrote the way a user would
meet them: legacy encodings, literal quotes, header oddities, mojibake, odd JSON and
workbooks. Beside each input, ``<name>.truth.json`` gives what a correct read yields
(``header`` and ``records``, text cells, null for empty) and, where an exact read is
impossible by design, the codes that must be reported instead (``loud``). The
``make_<area>.py`` scripts in that folder write the inputs and their truths.

The rule checked here is the one that matters most to a user who uploads the output: a
file whose read differs from its truth must carry at least one warning or error, so that
``lint`` does not exit 0 with a clean report over corrupted data. And no input, however
odd, ends in an internal error (exit 70).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from activity_schema import prepare
from activity_schema.errors import InputError
from activity_schema.issues.codes import Severity
from activity_schema.readers import LINE, ROW, ReadOptions, read_path

# Slow: the whole encoding corpus.
pytestmark = pytest.mark.slow

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
TRUTHS = sorted(CORPUS.glob("*/*.truth.json"))
LOUD = {Severity.WARNING.value, Severity.ERROR.value}


def _input(truth: Path) -> Path:
    return truth.with_name(truth.name.removesuffix(".truth.json"))


def _load(truth: Path) -> dict[str, Any]:
    return json.loads(truth.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _options(expected: dict[str, Any]) -> ReadOptions | None:
    given = expected.get("read_options")
    return ReadOptions(**given) if given else None


def _records(frame: pl.DataFrame) -> list[list[str | None]]:
    return [list(row) for row in frame.drop(ROW, LINE).rows()]


def _loud_codes(path: Path, options: ReadOptions | None) -> set[str]:
    """Return the codes the checked run reports at warning or error level."""
    issues = prepare(path, read_options=options).issues
    loud = issues.filter(pl.col("severity").is_in(list(LOUD)))
    return set(loud["code"].to_list())


def test_the_corpus_is_there() -> None:
    # What a reader meets in the wild: encodings, quotes, headers, mojibake, JSON, workbooks.
    areas = {truth.parent.name for truth in TRUTHS}
    assert len(TRUTHS) >= 60, f"only {len(TRUTHS)} corpus files"
    assert {"encodings", "quotes", "headers", "mojibake", "json", "xlsx"} <= areas, areas


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: f"{p.parent.name}/{_input(p).name}")
def test_exact_or_loud(truth: Path) -> None:
    expected = _load(truth)
    path, options = _input(truth), _options(expected)
    assert path.exists(), f"{truth.name} has no input beside it"
    if expected.get("refuse"):
        with pytest.raises(InputError):
            read_path(path, options)
        return
    table = read_path(path, options)
    exact = list(table.headers) == expected["header"] and _records(table.frame) == [
        list(r) for r in expected["records"]
    ]
    wanted = set(expected.get("loud", ()))
    if exact and not wanted:
        return
    loud = _loud_codes(path, options)
    if wanted:
        assert loud & wanted, f"expected one of {sorted(wanted)} at warning/error, got {loud}"
    else:
        assert loud, (
            f"{path.name} is read differently from its truth and nothing is reported at "
            f"warning or error level: header {list(table.headers)}, "
            f"first records {_records(table.frame)[:3]}"
        )


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: f"{p.parent.name}/{_input(p).name}")
def test_lint_never_crashes(truth: Path, cli: Any) -> None:
    expected = _load(truth)
    args: list[str | Path] = ["lint", "-q", _input(truth)]
    for key, flag in (("encoding", "--encoding"), ("delimiter", "--delimiter")):
        if (expected.get("read_options") or {}).get(key):
            args += [flag, expected["read_options"][key]]
    result = cli(*args)
    # 0 clean, 1 bad rows, 3 an unreadable input: a user's file never gets 70.
    assert result.exit_code in (0, 1, 3), result.output[-2000:]
