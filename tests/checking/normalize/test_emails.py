"""Tests for activity_schema.checking.normalize.emails."""

from __future__ import annotations

import doctest
from collections.abc import Callable

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from activity_schema.checking.normalize import (
    EMAIL_MAX_LENGTH,
    email_problem,
    looks_like_email,
    normalize_email,
)
from activity_schema.checking.normalize import emails as module


def apply(fn: Callable[[pl.Expr], pl.Expr], values: list[str | None]) -> list[object]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    out = frame.select(fn(pl.col("v")))
    assert out.columns == ["v"]
    return out["v"].to_list()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Lee@Example.COM  ", "Ann.Lee@example.com"),
        ("ann@exam\u00a0ple.com", "ann@example.com"),
        # A plain space inside is kept: email_problem reports it, nothing guesses.
        ("a n n@example.com", "a n n@example.com"),
        ("ann\u00a0lee@example.com", "annlee@example.com"),
        ("ann\u200b@example.com\ufeff", "ann@example.com"),
        ("ann@example.com\t\r\n", "ann@example.com"),
        ("mailto:ann@example.com", "ann@example.com"),
        ("MailTo:Ann@Example.com", "Ann@example.com"),
        ("Ann Lee <ann@Example.com>", "ann@example.com"),
        ('"Lee, Ann" <ann@example.com>', "ann@example.com"),
        ("<ann@example.com>", "ann@example.com"),
        ("<mailto:ann@example.com>", "ann@example.com"),
        ('"ann@example.com"', "ann@example.com"),
        ("'ann@example.com'", "ann@example.com"),
        ("ann@example.com.", "ann@example.com"),
        ("ann@example.com;", "ann@example.com"),
        ("ann@example.com,", "ann@example.com"),
        ("ÉLODIE@EXAMPLE.FR", "ÉLODIE@example.fr"),
        ("A@B@C.COM", "A@B@c.com"),  # left for email_problem
        ("not an email", "not an email"),
        ("", None),
        ("  \u00a0", None),
        ("<>", None),
        (None, None),
    ],
)
def test_normalize_email(raw: str | None, expected: str | None) -> None:
    assert apply(normalize_email, [raw]) == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ann@example.com", None),
        ("ann.lee+tag@mail.example.co.uk", None),
        ("o'brien@example.ie", None),
        ("a@xn--bcher-kva.de", None),
        (None, None),
        ("ann lee@example.com", "contains whitespace or invisible characters"),
        ("ann\u00a0@example.com", "contains whitespace or invisible characters"),
        ("ann\u200b@example.com", "contains whitespace or invisible characters"),
        ("annexample.com", "no @"),
        ("ann@lee@example.com", "more than one @"),
        ("@example.com", "empty local part (nothing before the @)"),
        ("ann@", "empty domain (nothing after the @)"),
        ("ann@example", "no dot in the domain"),
        ("ann..lee@example.com", "consecutive dots"),
        ("ann@example..com", "consecutive dots"),
        (".ann@example.com", "local part starts or ends with a dot"),
        ("ann.@example.com", "local part starts or ends with a dot"),
        ("ann@.example.com", "domain starts or ends with a dot"),
        ("ann@-example.com", "a domain label starts or ends with a hyphen"),
        ("ann@example-.com", "a domain label starts or ends with a hyphen"),
        ("ann@mail.example.com-", "a domain label starts or ends with a hyphen"),
        ("ann(x)@example.com", "invalid characters before the @"),
        ("élodie@example.com", "invalid characters before the @"),
        (
            "ann@exämple.com",
            "invalid characters in the domain (international domains must be punycode)",
        ),
        (
            "ann@exa_mple.com",
            "invalid characters in the domain (international domains must be punycode)",
        ),
        ("ann@example.c", "top-level domain must be at least 2 letters"),
        ("ann@example.c0m", "top-level domain must be at least 2 letters"),
        ("ann@10.0.0.1", "numeric top-level domain"),
        ("a" * 88 + "@example.com", None),
        ("a" * 89 + "@example.com", f"longer than {EMAIL_MAX_LENGTH} characters"),
    ],
)
def test_email_problem(value: str | None, expected: str | None) -> None:
    assert apply(email_problem, [value]) == [expected]


def test_email_problem_max_length_is_a_parameter() -> None:
    out = apply(lambda e: email_problem(e, max_length=10), ["ab@example.com", "a@b.co"])
    assert out == ["longer than 10 characters", None]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ann@example.com", True),
        ("  Ann.Lee@Example.COM\u00a0", True),
        ("<ann@example.com>", True),
        ("mailto:ann@example.com", True),
        ("Ann", False),
        ("Ann Lee", False),
        ("Ann ann@example.com", False),
        ("ann (ann@example.com)", False),
        ("ann@example", False),
        ("@example.com", False),
        ("ann@@example.com", False),
        ("", False),
        (None, False),
    ],
)
def test_looks_like_email(value: str | None, expected: bool) -> None:
    assert apply(looks_like_email, [value]) == [expected]


def test_normalized_valid_addresses_have_no_problem() -> None:
    raw = ["Ann <Ann@Example.com>", "mailto:BOB@X.ORG;", " c\u00a0d@e.fg "]
    frame = pl.DataFrame({"v": raw}).select(email_problem(normalize_email(pl.col("v"))))
    assert frame["v"].to_list() == [None, None, None]


@given(st.lists(st.one_of(st.none(), st.text()), max_size=20))
def test_normalize_email_never_raises_and_is_idempotent(values: list[str | None]) -> None:
    once = apply(normalize_email, values)
    assert apply(normalize_email, once) == once  # type: ignore[arg-type]
    problems = apply(email_problem, once)  # type: ignore[arg-type]
    assert all(p is None or isinstance(p, str) for p in problems)
    assert all(isinstance(b, bool) for b in apply(looks_like_email, values))


email_like = st.from_regex(
    r"\A[ \"<]{0,2}(mailto:)?[A-Za-z0-9.]{1,8}@[A-Za-z.\-]{1,8}[>;,. ]{0,2}\Z"
)


@given(st.lists(email_like, max_size=10))
def test_normalize_email_idempotent_on_near_addresses(values: list[str | None]) -> None:
    once = apply(normalize_email, values)
    assert apply(normalize_email, once) == once  # type: ignore[arg-type]


def test_docstring_examples() -> None:
    assert doctest.testmod(module, raise_on_error=False).failed == 0
