"""The fast-path patterns are only shortcuts: each must imply what it claims."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activity_schema.checking.fastpath import (
    CLEAN_EMAIL,
    CLEAN_INTEGER,
    CLEAN_NAME,
    CLEAN_TEXT,
    VALID_EMAIL,
    evaluate_where,
)
from activity_schema.checking.normalize import (
    clean_text,
    collapse_whitespace,
    email_problem,
    integer_problem,
    looks_like_email,
    normalize_email,
    normalize_integer,
)
from activity_schema.checking.normalize.emails import (
    EMAIL_LIKE,
    PADDED_EMAIL,
    normalize_padded_email,
)


def _apply(expr_of: object, values: list[str]) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(expr_of(pl.col("v"))).to_series().to_list()  # type: ignore[operator]


IDENTITIES = [
    (CLEAN_TEXT, clean_text),
    (CLEAN_NAME, lambda e: collapse_whitespace(clean_text(e))),
    (CLEAN_EMAIL, normalize_email),
    (CLEAN_INTEGER, lambda e: normalize_integer(clean_text(e))),
]


@pytest.mark.parametrize(("pattern", "normalizer"), IDENTITIES)
@settings(max_examples=200)
@given(data=st.data())
def test_already_clean_values_are_left_unchanged(
    pattern: str, normalizer: object, data: st.DataObject
) -> None:
    values = data.draw(st.lists(st.from_regex(pattern, fullmatch=True), min_size=1, max_size=20))
    assert _apply(normalizer, values) == values


@settings(max_examples=300)
@given(st.lists(st.from_regex(VALID_EMAIL, fullmatch=True), min_size=1, max_size=20))
def test_valid_email_pattern_implies_no_problem(values: list[str]) -> None:
    values = [v for v in values if len(v) <= 100]
    assert _apply(email_problem, values) == [None] * len(values)


@settings(max_examples=100)
@given(st.lists(st.from_regex(PADDED_EMAIL, fullmatch=True), min_size=1, max_size=20))
def test_padded_email_shortcut_equals_the_full_normalizer(values: list[str]) -> None:
    assert _apply(normalize_padded_email, values) == _apply(normalize_email, values)


def test_evaluate_where_takes_the_shortcut_only_where_it_applies() -> None:
    frame = pl.DataFrame({"v": ["a@b.co", "  A@B.CO ", "<x@Y.CO>", None]})
    v = pl.col("v")
    result = evaluate_where(
        frame,
        v.str.contains("[A-Z <]"),
        normalize_email(v),
        otherwise=v,
        shortcut=(v.str.contains(PADDED_EMAIL), normalize_padded_email(v)),
    )
    assert result.to_list() == ["a@b.co", "A@b.co", "x@y.co", None]


@settings(max_examples=100)
@given(st.lists(st.from_regex(EMAIL_LIKE, fullmatch=True), min_size=1, max_size=20))
def test_email_like_pattern_implies_looks_like_email(values: list[str]) -> None:
    assert _apply(looks_like_email, values) == [True] * len(values)


@settings(max_examples=200)
@given(st.lists(st.from_regex(r"(?:0|[1-9][0-9]{0,18})", fullmatch=True), min_size=1))
def test_clean_integer_pattern_implies_no_problem(values: list[str]) -> None:
    assert _apply(integer_problem, values) == [None] * len(values)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["a", " b ", None, "c "], ["a", "b", None, "c"]),
        (["a", "b"], ["a", "b"]),
        ([" a", " b"], ["a", "b"]),
    ],
)
def test_evaluate_where_only_changes_the_needed_rows(
    values: list[str | None], expected: list[str | None]
) -> None:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    v = pl.col("v")
    result = evaluate_where(frame, v.str.contains(r"^ | $"), v.str.strip_chars(), otherwise=v)
    assert result.to_list() == expected


def test_evaluate_where_broadcasts_literals() -> None:
    frame = pl.DataFrame({"v": ["ok", "x", "x"]})
    result = evaluate_where(
        frame,
        pl.col("v") == "x",
        pl.lit("bad"),
        otherwise=pl.lit(None, dtype=pl.String),
    )
    assert result.to_list() == [None, "bad", "bad"]


def test_evaluate_where_once_per_distinct_value_keeps_row_order() -> None:
    values = [" 1,024 ", "7", None, " 2,048 "] * 1000
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    v = pl.col("v")
    result = evaluate_where(
        frame, ~v.str.contains(CLEAN_INTEGER), normalize_integer(v), otherwise=v
    )
    assert result.to_list() == ["1024", "7", None, "2048"] * 1000
