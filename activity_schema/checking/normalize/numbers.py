"""Normalize and check integer cells (ids), as polars expressions.

Eloqua numbers hold up to 19 digits and no currency symbols (docs/eloqua.md section 2). Only
unambiguous spellings of a whole number are rewritten; anything else is kept as it is so
that :func:`integer_problem` can say what is wrong with it.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from ...defaults import MAX_INTEGER_DIGITS
from .text import clean_text, named_like

__all__ = ["MAX_INTEGER_DIGITS", "integer_problem", "normalize_integer"]

# sign, digits (plain, or in well-formed groups of three separated consistently by commas
# or by spaces; clean_text has already turned thin and no-break spaces into spaces), and
# an optional all-zero fraction.
_INTEGER_LIKE: Final = (
    r"^(?P<sign>[+-]?)(?P<digits>\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?P<frac>\.0+)?$"
)
# "1.000" and "12.000" are a thousand and twelve thousand in a German export: a fraction
# of exactly three zeros after at most three digits is too ambiguous to drop.
_GROUP_LIKE_FRACTION: Final = r"^[+-]?\d{1,3}\.000$"
_PLAIN_INTEGER: Final = r"^-?\d+$"
_SCIENTIFIC: Final = r"^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$"
_DECIMAL: Final = r"^[+-]?(?:\d+\.\d*|\.\d+)$"


def normalize_integer(e: pl.Expr) -> pl.Expr:
    """Rewrite unambiguous spellings of a whole number as plain digits.

    ``" 1,000 "`` and ``"1 000"`` become ``"1000"``, ``"1000.0"`` becomes ``"1000"``, a
    leading ``+`` and leading zeros are dropped (``"00123"`` becomes ``"123"``, ``"0"``
    stays). Scientific notation (``"1e5"``) and anything else are only cleaned, so that
    :func:`integer_problem` flags them.

    Args:
        e: A ``pl.String`` expression.

    Returns:
        The normalized ``pl.String`` expression.

    Example:
        >>> pl.select(normalize_integer(pl.lit(" +01,000.00 ")).alias("v")).item()
        '1000'
    """
    cleaned = clean_text(e)
    parts = cleaned.str.extract_groups(_INTEGER_LIKE)
    digits = (
        parts.struct.field("digits").str.replace_all(r"[, ]", "").str.replace(r"^0+(\d)", "${1}")
    )
    sign = pl.when((parts.struct.field("sign") == "-") & (digits != "0")).then(pl.lit("-"))
    rewritten = pl.concat_str(sign.otherwise(pl.lit("")), digits)
    keep = digits.is_null() | cleaned.str.contains(_GROUP_LIKE_FRACTION)
    return named_like(pl.when(keep).then(cleaned).otherwise(rewritten), e)


def integer_problem(
    e: pl.Expr,
    max_digits: int = MAX_INTEGER_DIGITS,
    *,
    allow_negative: bool = False,
) -> pl.Expr:
    """Explain why an (already normalized) value is not an acceptable integer.

    Args:
        e: A ``pl.String`` expression, normally the output of :func:`normalize_integer`.
        max_digits: Most digits allowed (Eloqua numbers hold 19).
        allow_negative: Whether negative numbers are acceptable (ids are positive).

    Returns:
        A ``pl.String`` expression: a short reason, or null for a valid or null value.

    Example:
        >>> pl.select(integer_problem(pl.lit("1e5")).alias("v")).item()
        'not an integer: scientific notation, write out all digits'
    """
    significant = e.str.strip_chars_start("-").str.replace(r"^0+(\d)", "${1}")
    checks: list[tuple[pl.Expr, str]] = [
        (e.str.contains(_SCIENTIFIC), "not an integer: scientific notation, write out all digits"),
        (e.str.contains(_DECIMAL), "not an integer: has a fractional part"),
        (~e.str.contains(_PLAIN_INTEGER), "not an integer"),
        (significant.str.len_chars() > max_digits, f"more than {max_digits} digits"),
    ]
    if not allow_negative:
        checks.append((e.str.starts_with("-"), "negative"))
    # The first rule broken gives the reason: coalesce keeps the first non-null.
    first_reason = pl.coalesce(pl.when(c.fill_null(False)).then(pl.lit(r)) for c, r in checks)
    return named_like(pl.when(e.is_not_null()).then(first_reason), e)
