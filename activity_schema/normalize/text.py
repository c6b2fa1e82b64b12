"""Clean text cells: invisible characters, odd spaces, Unicode form and mojibake.

Every rule is a polars expression over a ``pl.String`` column, so a whole column is
cleaned in one pass. The only per-value Python is :func:`repair_mojibake`'s round trip,
and it runs only on the few cells a vectorized regex has already picked out.

Run :func:`repair_mojibake` before :func:`clean_text`: mojibake of characters such as
``à`` (UTF-8 ``C3 A0``) contains a no-break space or a C1 control, which
:func:`clean_text` would replace or remove, making the round trip impossible.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal

import polars as pl

__all__ = [
    "MOJIBAKE_FIXED",
    "MOJIBAKE_PATTERN",
    "MOJIBAKE_SUSPECT",
    "ZERO_WIDTH_CLASS",
    "MojibakeStatus",
    "clean_text",
    "collapse_whitespace",
    "repair_mojibake",
]

MojibakeStatus = Literal["fixed", "suspect"]
#: Status of a value whose mojibake was repaired exactly.
MOJIBAKE_FIXED: Final = "fixed"
#: Status of a value that looks like mojibake but could not be repaired exactly.
MOJIBAKE_SUSPECT: Final = "suspect"

#: Zero-width characters that carry no text: ZWSP, ZWNJ, ZWJ, word joiner, BOM.
ZERO_WIDTH_CLASS: Final = r"\u200B-\u200D\u2060\uFEFF"
#: C0 controls except TAB and LF, DEL, and the C1 controls.
_CONTROL_CLASS: Final = r"\x00-\x08\x0B-\x1F\x7F-\x9F"
_REMOVE: Final = f"[{ZERO_WIDTH_CLASS}{_CONTROL_CLASS}]"
# \p{Zs} covers U+00A0, U+1680, U+2000..U+200A, U+202F, U+205F and U+3000 (and the plain
# space itself, which maps to itself).
_SPACES: Final = r"\p{Zs}"

# Mojibake: the UTF-8 bytes of a character decoded as cp1252 (or latin-1 where cp1252
# leaves a byte undefined). A lead byte C2-F4 shows as Â..ô; a continuation byte 80-BF
# shows as one of the 64 characters below.
_CP1252_UNDEFINED: Final = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _byte_to_char(byte: int) -> str:
    if byte in _CP1252_UNDEFINED:
        return chr(byte)
    return bytes([byte]).decode("cp1252")


_CONTINUATION_CHARS: Final = "".join(_byte_to_char(b) for b in range(0x80, 0xC0))
_CHAR_TO_BYTE: Final[dict[str, int]] = {_byte_to_char(b): b for b in range(0x80, 0x100)} | {
    chr(b): b for b in range(0x80, 0x100)
}
_CONT: Final = "[" + "".join(f"\\u{ord(c):04X}" for c in _CONTINUATION_CHARS) + "]"
#: One mis-decoded UTF-8 character: a lead char and as many continuation chars as it needs.
MOJIBAKE_PATTERN: Final = (
    f"(?:[\\u00C2-\\u00DF]{_CONT}|[\\u00E0-\\u00EF]{_CONT}{{2}}|[\\u00F0-\\u00F4]{_CONT}{{3}})+"
)
_MOJIBAKE_RE: Final = re.compile(MOJIBAKE_PATTERN)
#: Unicode categories a real repair never produces: controls, unassigned, private use.
_IMPLAUSIBLE: Final = frozenset({"Cc", "Cn", "Co", "Cs"})
#: Passes of repair; text encoded twice needs two.
_MAX_REPAIR_PASSES: Final = 3


def _named_like(result: pl.Expr, source: pl.Expr) -> pl.Expr:
    """Give ``result`` the output name of ``source``.

    A when/then takes its name from its first branch and concat_str from its first
    input, so a normalizer would otherwise rename its column (``literal``, ``local``).
    ``name.keep()`` is no help: it raises on an input without a column (``pl.lit``).
    """
    name = source.meta.output_name(raise_if_undetermined=False)
    return result if name is None else result.alias(name)


def clean_text(e: pl.Expr) -> pl.Expr:
    """Clean a text column: invisible characters, odd spaces, line ends, Unicode form.

    CR LF and lone CR become LF; zero-width characters and control characters (all but
    TAB and LF) are removed; no-break and other Unicode spaces become plain spaces; the
    text is put in Unicode NFC and trimmed; an empty result becomes null.

    Args:
        e: A ``pl.String`` expression.

    Returns:
        The cleaned ``pl.String`` expression.

    Example:
        >>> pl.select(clean_text(pl.lit("\\u00a0Cafe\\u0301\\u200b ")).alias("v")).item()
        'Café'
    """
    cleaned = (
        e.str.replace_all("\r\n?", "\n")
        .str.replace_all(_REMOVE, "")
        .str.replace_all(_SPACES, " ")
        # NFC after the removals: removing a zero-width character between a letter and a
        # combining mark creates a new composable pair.
        .str.normalize("NFC")
        .str.strip_chars()
    )
    # replace, not when/then: the chain above is then evaluated once, even in eager mode.
    return cleaned.replace("", None)


def collapse_whitespace(e: pl.Expr) -> pl.Expr:
    """Turn every run of whitespace into one space and trim the ends (for person names).

    Args:
        e: A ``pl.String`` expression, usually already passed through :func:`clean_text`.

    Returns:
        The ``pl.String`` expression with single spaces between words.

    Example:
        >>> pl.select(collapse_whitespace(pl.lit(" Mary \\t Ann  ")).alias("v")).item()
        'Mary Ann'
    """
    return e.str.replace_all(r"\s+", " ").str.strip_chars()


def _encode_mojibake(text: str) -> bytes | None:
    """Return the bytes that cp1252/latin-1 decoding turned into ``text``, if any."""
    out = bytearray()
    for char in text:
        code = ord(char)
        if code < 0x80:
            out.append(code)
        elif char in _CHAR_TO_BYTE:
            out.append(_CHAR_TO_BYTE[char])
        else:
            return None
    return bytes(out)


def _repair_one(value: str) -> tuple[str, MojibakeStatus]:
    """Repair one candidate value, or say it is only suspect."""
    current = value
    for _ in range(_MAX_REPAIR_PASSES):
        if not _MOJIBAKE_RE.search(current):
            break
        failed = False

        def fix(match: re.Match[str]) -> str:
            nonlocal failed
            raw = _encode_mojibake(match.group(0))
            try:
                if raw is None:
                    raise UnicodeError("not cp1252")
                decoded = raw.decode("utf-8", errors="strict")
            except UnicodeError:
                failed = True
                return match.group(0)
            # A "repair" that yields controls or unassigned code points was not mojibake.
            if any(unicodedata.category(c) in _IMPLAUSIBLE for c in decoded):
                failed = True
                return match.group(0)
            return decoded

        current = _MOJIBAKE_RE.sub(fix, current)
        if failed:
            return value, MOJIBAKE_SUSPECT
    if _MOJIBAKE_RE.search(current):
        return value, MOJIBAKE_SUSPECT
    return current, MOJIBAKE_FIXED


def repair_mojibake(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Repair text that was UTF-8 read as cp1252 (or latin-1), when the repair is exact.

    Candidates are found with one vectorized regex; only those cells go through Python.
    A candidate is repaired when every mis-decoded run encodes back to bytes that are
    strict UTF-8 and the result no longer looks like mojibake (text garbled twice is
    repaired in two passes). Otherwise the value is kept and marked ``"suspect"``.

    Args:
        s: A ``pl.String`` series, before :func:`clean_text`.

    Returns:
        ``(values, status)``: the repaired values (same name and length as ``s``), and a
        ``pl.String`` series that is ``"fixed"``, ``"suspect"`` or null per cell.

    Example:
        >>> values, status = repair_mojibake(pl.Series(["CafÃ©", "ok"]))
        >>> values.to_list(), status.to_list()
        (['Café', 'ok'], ['fixed', None])
    """
    mask = s.str.contains(MOJIBAKE_PATTERN).fill_null(False)
    status = pl.repeat(None, s.len(), dtype=pl.String, eager=True).alias(s.name)
    if not mask.any():
        return s, status
    indices = mask.arg_true()
    # The one sanctioned per-value loop: only cells the regex above picked out.
    results = [_repair_one(v) for v in s.gather(indices).to_list()]
    values = s.clone().scatter(indices, pl.Series([r[0] for r in results], dtype=pl.String))
    status = status.scatter(indices, pl.Series([r[1] for r in results], dtype=pl.String))
    return values, status
