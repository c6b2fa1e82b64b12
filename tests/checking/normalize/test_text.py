"""Tests for activity_schema.checking.normalize.text."""

from __future__ import annotations

import doctest
import re
from collections.abc import Callable

import polars as pl
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from activity_schema.checking.normalize import clean_text, collapse_whitespace, repair_mojibake
from activity_schema.checking.normalize import text as module
from activity_schema.checking.normalize.text import MOJIBAKE_PATTERN


def apply(fn: Callable[[pl.Expr], pl.Expr], values: list[str | None]) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    out = frame.select(fn(pl.col("v")))
    assert out.columns == ["v"]
    return out["v"].to_list()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("  padded\t", "padded"),
        ("a\u00a0b", "a b"),
        ("a\u2007b\u202fc\u2003d\u3000e", "a b c d e"),
        ("zero\u200bwidth\u200c\u200d\u2060\ufeff", "zerowidth"),
        ("\ufeffBOM at start", "BOM at start"),
        ("line1\r\nline2\rline3\nline4", "line1\nline2\nline3\nline4"),
        ("tab\tinside", "tab\tinside"),
        ("bell\x07 nul\x00 del\x7f c1\x85\x9f", "bell nul del c1"),
        ("Cafe\u0301", "Café"),
        ("e\u200b\u0301", "é"),
        ("", None),
        ("   ", None),
        ("\u00a0\u200b\r\n", None),
        (None, None),
    ],
)
def test_clean_text(raw: str | None, expected: str | None) -> None:
    assert apply(clean_text, [raw]) == [expected]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mary  Ann", "Mary Ann"),
        (" Mary \t\n Ann ", "Mary Ann"),
        ("single", "single"),
        ("", ""),
        (None, None),
    ],
)
def test_collapse_whitespace(raw: str | None, expected: str | None) -> None:
    assert apply(collapse_whitespace, [raw]) == [expected]


@pytest.mark.parametrize(
    ("raw", "expected", "status"),
    [
        ("CafÃ©", "Café", "fixed"),
        ("donâ€™t", "don’t", "fixed"),
        ("Ã\u00a0 la carte", "à la carte", "fixed"),
        ("GrÃ¼ÃŸe aus MÃ¼nchen", "Grüße aus München", "fixed"),
        ("CafÃƒÂ©", "Café", "fixed"),  # encoded twice
        ("ZoÃ« and Zoë", "Zoë and Zoë", "fixed"),  # a correct character elsewhere is kept
        ("Ã(", "Ã(", None),  # no continuation character: not mojibake
        ("Ã©\u4e2d", "é\u4e2d", "fixed"),
        # Issue 12: Latin-1 misreadings show C1 controls, which must repair, not vanish.
        ("StraÃ\x9fe", "Straße", "fixed"),
        ("Ã\x85ngstrÃ¶m", "Ångström", "fixed"),
        ("â\x80\x9cquotedâ\x80\x9d", "“quoted”", "fixed"),
        # Bytes lost to U+FFFD or dropped: never a partial repair.
        ("Å\ufffdÃ³dÅº", "Å\ufffdÃ³dÅº", "suspect"),
        ("â€œquotedâ€\ufffd", "â€œquotedâ€\ufffd", "suspect"),
        ("â€œquotedâ€ here", "â€œquotedâ€ here", "suspect"),
        ("ÅÃ³dÅº", "ÅÃ³dÅº", "suspect"),
        ("Â€", "Â€", "suspect"),  # would decode to a C1 control
        # What cleaning removes anyway (a stray C1 control, a zero-width character) is
        # left out first, so that cleaning the output again finds nothing new.
        ("Ã©\x81", "é", "fixed"),
        ("Ã\u200b©", "é", "fixed"),
        ("\u00e0\u20ac\u20ac", "\u00e0\u20ac\u20ac", "suspect"),  # E0 80 80 is overlong
        # Correct text whose characters happen to spell a UTF-8 sequence: left alone.
        ("“CAFÉ”", "“CAFÉ”", None),
        ("CHLOË’S PARTY", "CHLOË’S PARTY", None),
        ("„GROß“", "„GROß“", None),
        ("Café", "Café", None),
        ("naïve résumé", "naïve résumé", None),
        ("", "", None),
        (None, None, None),
    ],
)
def test_repair_mojibake(raw: str | None, expected: str | None, status: str | None) -> None:
    values, statuses, _ = repair_mojibake(pl.Series("c", [raw], dtype=pl.String))
    assert values.to_list() == [expected]
    assert statuses.to_list() == [status]
    assert values.name == statuses.name == "c"


@pytest.mark.parametrize(
    ("raw", "suspected"),
    [
        ("Å\ufffdÃ³dÅº", "\ufffdódź"),  # the lost character is shown as U+FFFD
        ("â€œquotedâ€\ufffd", "“quoted\ufffd"),
        ("×©×œ×•× ×¢×•×œ×", "שלו× עול×"),  # the cut-short characters stay as they were
    ],
)
def test_suspect_values_come_with_what_they_probably_read(raw: str, suspected: str) -> None:
    values, statuses, guesses = repair_mojibake(pl.Series("c", [raw, "ok"]))
    assert values.to_list() == [raw, "ok"]
    assert statuses.to_list() == ["suspect", None]
    assert guesses.to_list() == [suspected, None]


def test_repair_mojibake_leaves_clean_series_alone() -> None:
    series = pl.Series("c", ["a", None, "b"], dtype=pl.String)
    values, statuses, suspected = repair_mojibake(series)
    assert values.to_list() == ["a", None, "b"]
    assert statuses.dtype == suspected.dtype == pl.String
    assert statuses.null_count() == suspected.null_count() == 3


def test_repair_mojibake_keeps_positions() -> None:
    series = pl.Series("c", ["ok", "CafÃ©", None, "Â€", "fine", "â€œhiâ€\u009d", "CafÃ©"])
    values, statuses, _ = repair_mojibake(series)
    assert values.to_list() == ["ok", "Café", None, "Â€", "fine", "“hi”", "Café"]
    assert statuses.to_list() == [None, "fixed", None, "suspect", None, "fixed", "fixed"]


def test_each_distinct_candidate_is_judged_once(monkeypatch: pytest.MonkeyPatch) -> None:
    judged: list[str] = []
    real = module._repair_one

    def counting(value: str) -> tuple[str, str | None, str | None]:
        judged.append(value)
        return real(value)

    monkeypatch.setattr(module, "_repair_one", counting)
    values, _, _ = repair_mojibake(pl.Series("c", ["CafÃ©", "plain", "CafÃ©", "Ã¼"] * 50))
    assert sorted(judged) == ["CafÃ©", "Ã¼"]
    assert values.to_list() == ["Café", "plain", "Café", "ü"] * 50


texts = st.lists(st.one_of(st.none(), st.text()), max_size=20)


@given(texts)
def test_clean_text_never_raises_and_is_idempotent(values: list[str | None]) -> None:
    once = apply(clean_text, values)
    assert apply(clean_text, once) == once
    assert apply(collapse_whitespace, apply(collapse_whitespace, once)) == apply(
        collapse_whitespace, once
    )


@given(texts)
def test_repair_mojibake_never_raises(values: list[str | None]) -> None:
    repaired, statuses, suspected = repair_mojibake(pl.Series(values, dtype=pl.String))
    assert repaired.len() == statuses.len() == suspected.len() == len(values)
    assert set(statuses.drop_nulls().to_list()) <= {"fixed", "suspect"}


@given(st.text())
def test_repair_mojibake_undoes_cp1252_misreading(text: str) -> None:
    # Text that itself looks like mojibake ("Î¿") cannot be told from text garbled twice.
    assume(not re.search(MOJIBAKE_PATTERN, text))
    try:
        garbled = text.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return  # bytes cp1252 leaves undefined: not the misreading under test
    if repair_mojibake(pl.Series([text], dtype=pl.String))[1][0] is not None:
        return  # the text itself looks garbled; repairing it twice is then right
    values, statuses, _ = repair_mojibake(pl.Series([garbled], dtype=pl.String))
    if statuses[0] == "fixed":
        # Controls and zero-width characters are judged as cleaning leaves them.
        assert apply(clean_text, [values[0]]) == apply(clean_text, [text])


def test_docstring_examples() -> None:
    assert doctest.testmod(module, raise_on_error=False).failed == 0


def test_package_all_is_honest() -> None:
    import activity_schema.checking.normalize as package

    assert sorted(package.__all__) == sorted(set(package.__all__))
    for name in package.__all__:
        assert hasattr(package, name), name
    public = {
        name
        for name in dir(package)
        if not name.startswith("_")
        and name not in {"annotations", "dates", "emails", "numbers", "text"}
    }
    assert public == set(package.__all__)


def test_expressions_work_on_literals() -> None:
    assert pl.select(clean_text(pl.lit(" x "))).item() == "x"
