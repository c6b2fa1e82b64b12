"""Tests for activity_schema.checking.normalize.numbers."""

from __future__ import annotations

import doctest
from collections.abc import Callable

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from activity_schema.checking.normalize import (
    MAX_INTEGER_DIGITS,
    integer_problem,
    normalize_integer,
)
from activity_schema.checking.normalize import numbers as module


def apply(fn: Callable[[pl.Expr], pl.Expr], values: list[str | None]) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    out = frame.select(fn(pl.col("v")))
    assert out.columns == ["v"]
    return out["v"].to_list()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1000", "1000"),
        (" 1,000 ", "1000"),
        ("1,234,567", "1234567"),
        ("1 234 567", "1234567"),
        ("1\u202f234\u00a0567", "1234567"),  # narrow and no-break spaces
        ("1\u2009000", "1000"),  # thin space
        ("1000.0", "1000"),
        ("1000.00", "1000"),
        ("1,000.00", "1000"),
        ("+42", "42"),
        ("00123", "123"),
        ("0", "0"),
        ("000", "0"),
        ("-0", "0"),
        ("-007", "-7"),
        ("-1,000", "-1000"),
        # Left as they are, for integer_problem to flag:
        ("1e5", "1e5"),
        ("1.5", "1.5"),
        ("12abc", "12abc"),
        ("1,00", "1,00"),
        ("1,0000", "1,0000"),
        ("1,000 000", "1,000 000"),  # mixed separators
        ("1.000", "1.000"),  # a thousand in a German export
        ("12.000", "12.000"),
        ("$100", "$100"),
        ("", None),
        (None, None),
    ],
)
def test_normalize_integer(raw: str | None, expected: str | None) -> None:
    assert apply(normalize_integer, [raw]) == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1000", None),
        ("0", None),
        ("9" * 19, None),
        (None, None),
        ("12abc", "not an integer"),
        ("$100", "not an integer"),
        ("", "not an integer"),
        ("1.5", "not an integer: has a fractional part"),
        (".5", "not an integer: has a fractional part"),
        ("1e5", "not an integer: scientific notation, write out all digits"),
        ("1.2E+10", "not an integer: scientific notation, write out all digits"),
        ("9" * 20, f"more than {MAX_INTEGER_DIGITS} digits"),
        ("-5", "negative"),
    ],
)
def test_integer_problem(value: str | None, expected: str | None) -> None:
    assert apply(integer_problem, [value]) == [expected]


def test_integer_problem_parameters() -> None:
    assert apply(lambda e: integer_problem(e, allow_negative=True), ["-5", "5"]) == [None, None]
    assert apply(lambda e: integer_problem(e, max_digits=3), ["999", "1000"]) == [
        None,
        "more than 3 digits",
    ]


@given(st.lists(st.one_of(st.none(), st.text()), max_size=20))
def test_normalize_integer_never_raises_and_is_idempotent(values: list[str | None]) -> None:
    once = apply(normalize_integer, values)
    assert apply(normalize_integer, once) == once
    assert all(p is None or isinstance(p, str) for p in apply(integer_problem, once))


number_like = st.from_regex(r"\A[ +\-]?[0-9]{0,4}([, .][0-9]{0,3}){0,3}(\.0{0,3})? ?\Z")


@given(st.lists(number_like, max_size=10))
def test_normalize_integer_idempotent_on_number_like_text(values: list[str | None]) -> None:
    once = apply(normalize_integer, values)
    assert apply(normalize_integer, once) == once


@given(st.integers(min_value=0, max_value=10**18))
def test_grouped_integers_round_trip(n: int) -> None:
    assert apply(normalize_integer, [f"{n:,}", f"+{n}.00"]) == [str(n), str(n)]


def test_docstring_examples() -> None:
    assert doctest.testmod(module, raise_on_error=False).failed == 0
