"""Per-cell normalizers and checks, each a vectorized polars expression.

- :mod:`~activity_schema.checking.normalize.text`: invisible characters, odd spaces, NFC, mojibake.
- :mod:`~activity_schema.checking.normalize.emails`: email addresses and why they are invalid.
- :mod:`~activity_schema.checking.normalize.numbers`: integer ids.
- :mod:`~activity_schema.checking.normalize.dates`: dates in many spellings, one order per column.
"""

from __future__ import annotations

from .dates import (
    DATE_AMBIGUOUS,
    DATE_INVALID,
    DateOrder,
    DateResult,
    DateSettings,
    parse_dates,
)
from .emails import (
    EMAIL_MAX_LENGTH,
    email_problem,
    looks_like_email,
    normalize_email,
    normalize_padded_email,
)
from .numbers import (
    MAX_INTEGER_DIGITS,
    integer_problem,
    normalize_integer,
)
from .text import (
    MOJIBAKE_FIXED,
    MOJIBAKE_SUSPECT,
    MojibakeStatus,
    clean_text,
    collapse_whitespace,
    repair_mojibake,
)

__all__ = [
    "DATE_AMBIGUOUS",
    "DATE_INVALID",
    "EMAIL_MAX_LENGTH",
    "MAX_INTEGER_DIGITS",
    "MOJIBAKE_FIXED",
    "MOJIBAKE_SUSPECT",
    "DateOrder",
    "DateResult",
    "DateSettings",
    "MojibakeStatus",
    "clean_text",
    "collapse_whitespace",
    "email_problem",
    "integer_problem",
    "looks_like_email",
    "normalize_email",
    "normalize_integer",
    "normalize_padded_email",
    "parse_dates",
    "repair_mojibake",
]
