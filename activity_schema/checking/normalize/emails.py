"""Normalize and check email addresses, as polars expressions.

Eloqua rejects invalid addresses with ``ELQ-00002``, and a no-break space inside an
address is enough to make it invalid (docs/eloqua.md section 2). Its exact rule is not
documented, so :func:`email_problem` checks the common syntax rules and Eloqua's
100-character field length, and names the first rule a value breaks.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from ...defaults import EMAIL_MAX_LENGTH
from .text import ZERO_WIDTH_CLASS, named_like

__all__ = [
    "EMAIL_LIKE",
    "EMAIL_MAX_LENGTH",
    "PADDED_EMAIL",
    "email_problem",
    "looks_like_email",
    "normalize_email",
    "normalize_padded_email",
]

# Whitespace of any kind, zero-width characters and controls: none belongs in an address.
_INVISIBLE: Final = rf"[\s\p{{Zs}}{ZERO_WIDTH_CLASS}\p{{Cc}}]"
# What normalization removes from inside an address: no-break and other non-ASCII
# spaces, zero-width characters and controls (docs/eloqua.md section 2: an NBSP makes an address
# invalid, and it is never typed on purpose). A plain space or tab inside an address is
# kept, so that email_problem reports it: "john smith@x.com" is not ours to guess.
_STRIPPED_INSIDE: Final = (
    rf"[{ZERO_WIDTH_CLASS}\p{{Cc}}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]"
)
#: Characters allowed in an unquoted local part (RFC 5322 atext, plus the dot).
_LOCAL_CHARS: Final = r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+$"
#: Characters allowed in a domain (ASCII: internationalized domains must be punycode).
_DOMAIN_CHARS: Final = r"^[A-Za-z0-9.\-]+$"
# The address inside "Name <addr>": the last bracketed part that holds an @.
_BRACKETED: Final = r"<([^<>]*@[^<>]*)>"
_LEADING_JUNK: Final = "<>\"'"
_TRAILING_JUNK: Final = "<>\"'.,;"
_MAILTO: Final = r"^(?i:mailto:)+"


def _strip_junk(e: pl.Expr) -> pl.Expr:
    # Whitespace is junk here too: "< ann@x.com >" unwraps to "ann@x.com".
    return e.str.strip_chars_start(_LEADING_JUNK + " ").str.strip_chars_end(_TRAILING_JUNK + " ")


def normalize_email(e: pl.Expr) -> pl.Expr:
    """Normalize email addresses: no invisible characters, no wrapping, lowercase domain.

    No-break and other non-ASCII spaces, zero-width and control characters are removed
    and surrounding whitespace trimmed; a plain space inside is kept for
    :func:`email_problem` to report. ``Name <addr>`` and ``"Name" <addr>`` give
    ``addr``; a ``mailto:`` prefix (any case), surrounding ``<>`` and quotes, and a
    trailing ``.``, ``,`` or ``;`` are stripped. The domain is lowercased; the local
    part is kept as it is (it may be case sensitive). An empty result becomes null.
    Invalid addresses are left for :func:`email_problem` to explain.

    Args:
        e: A ``pl.String`` expression.

    Returns:
        The normalized ``pl.String`` expression.

    Example:
        >>> pl.select(normalize_email(pl.lit('"Ann" <Ann.Lee@Example.COM>;')).alias("v")).item()
        'Ann.Lee@example.com'
    """
    # NFC after the removals: dropping a space between two combining marks changes their
    # canonical order.
    bare = (
        e.str.replace_all(r"[\t\n\r]", " ")
        .str.replace_all(_STRIPPED_INSIDE, "")
        .str.strip_chars()
        .str.normalize("NFC")
    )
    inner = pl.coalesce(bare.str.extract(_BRACKETED, 1), bare)
    unwrapped = _strip_junk(_strip_junk(inner).str.replace(_MAILTO, ""))
    local = unwrapped.str.extract(r"^(.*)@[^@]*$", 1)
    domain = unwrapped.str.extract(r"@([^@]*)$", 1)
    lowered = pl.concat_str(local, pl.lit("@"), domain.str.to_lowercase())
    # NFC once more: lowercasing can leave a sequence that composes differently.
    result = pl.coalesce(lowered, unwrapped).str.normalize("NFC")
    return named_like(result.replace("", None), e)


#: An ASCII address with nothing around it but spaces or tabs (upper-case letters allowed):
#: :func:`normalize_email` only trims it and lowercases its domain, as
#: :func:`normalize_padded_email` does at a fraction of the cost.
PADDED_EMAIL: Final = (
    r"^[ \t]*[A-Za-z0-9_%+\-][A-Za-z0-9._%+'\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*[ \t]*$"
)


def normalize_padded_email(e: pl.Expr) -> pl.Expr:
    """Normalize addresses that match :data:`PADDED_EMAIL` (others: see normalize_email).

    Example:
        >>> pl.select(normalize_padded_email(pl.lit("  Ann.Lee@Example.COM ")).alias("v")).item()
        'Ann.Lee@example.com'
    """
    parts = e.str.strip_chars(" \t").str.split_exact("@", 1)
    domain = parts.struct.field("field_1").str.to_lowercase()
    return named_like(pl.concat_str(parts.struct.field("field_0"), pl.lit("@"), domain), e)


def email_problem(e: pl.Expr, max_length: int = EMAIL_MAX_LENGTH) -> pl.Expr:
    """Explain why an (already normalized) email address is invalid.

    The first broken rule is named: whitespace, the ``@`` count, empty parts, invalid
    characters (non-ASCII domains must be punycode), dots, hyphens at the ends of a
    domain label, the top-level domain, and the length limit.

    Run it on a column that holds the normalized values (or inside a lazy query): eager
    ``DataFrame.select`` does not share common sub-expressions, so passing
    ``normalize_email(col)`` here would normalize once per rule.

    Args:
        e: A ``pl.String`` expression, normally the output of :func:`normalize_email`.
        max_length: Longest address allowed (Eloqua's contact email field holds 100).

    Returns:
        A ``pl.String`` expression: a short reason, or null for a valid or null address.

    Example:
        >>> pl.select(email_problem(pl.lit("ann@example")).alias("v")).item()
        'no dot in the domain'
    """
    at = e.str.find("@", literal=True)
    local = e.str.extract(r"^([^@]*)@", 1)
    domain = e.str.extract(r"@([^@]*)$", 1)
    tld = domain.str.extract(r"([^.]*)$", 1)
    checks: list[tuple[pl.Expr, str]] = [
        (e.str.contains(_INVISIBLE), "contains whitespace or invisible characters"),
        (at.is_null(), "no @"),
        (e.str.count_matches("@", literal=True) > 1, "more than one @"),
        (local.str.len_chars() == 0, "empty local part (nothing before the @)"),
        (domain.str.len_chars() == 0, "empty domain (nothing after the @)"),
        (~local.str.contains(_LOCAL_CHARS), "invalid characters before the @"),
        (
            ~domain.str.contains(_DOMAIN_CHARS),
            "invalid characters in the domain (international domains must be punycode)",
        ),
        (e.str.contains("..", literal=True), "consecutive dots"),
        (
            local.str.starts_with(".") | local.str.ends_with("."),
            "local part starts or ends with a dot",
        ),
        (
            domain.str.starts_with(".") | domain.str.ends_with("."),
            "domain starts or ends with a dot",
        ),
        (~domain.str.contains(".", literal=True), "no dot in the domain"),
        (
            domain.str.contains(r"(?:^|\.)-|-(?:\.|$)"),
            "a domain label starts or ends with a hyphen",
        ),
        (tld.str.contains(r"^[0-9]+$"), "numeric top-level domain"),
        (
            ~tld.str.contains(r"^(?:[A-Za-z]{2,}|xn--[A-Za-z0-9\-]+)$"),
            "top-level domain must be at least 2 letters",
        ),
        (e.str.len_chars() > max_length, f"longer than {max_length} characters"),
    ]
    # The first rule broken gives the reason: coalesce keeps the first non-null. A null
    # part (say, the domain of an address without @) skips a rule: fill_null(False).
    first_reason = pl.coalesce(pl.when(c.fill_null(False)).then(pl.lit(r)) for c, r in checks)
    return named_like(pl.when(e.is_not_null()).then(first_reason), e)


#: A cell that is nothing but an address: one @, a dotted domain, a letter TLD. A cell
#: matching it as it is (nothing to trim) is :func:`looks_like_email` without more work.
EMAIL_LIKE: Final = (
    r"^(?i:mailto:)?<?[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}>?$"
)


def looks_like_email(e: pl.Expr) -> pl.Expr:
    """Tell whether a cell is clearly an email address (say, one typed into FirstName).

    Surrounding whitespace (any Unicode space) is ignored; nothing else may surround the
    address, so ``"Ann (ann@example.com)"`` does not count.

    Args:
        e: A ``pl.String`` expression.

    Returns:
        A ``pl.Boolean`` expression; null cells give False.

    Example:
        >>> pl.select(looks_like_email(pl.lit(" ann@example.com ")).alias("v")).item()
        True
    """
    trimmed = e.str.replace_all(rf"[\p{{Zs}}{ZERO_WIDTH_CLASS}]", " ").str.strip_chars()
    return named_like(trimmed.str.contains(EMAIL_LIKE).fill_null(False), e)
