"""Clean text cells: invisible characters, odd spaces, Unicode form and mojibake.

Every rule is a polars expression over a ``pl.String`` column, so a whole column is
cleaned in one pass. The only per-value Python is :func:`repair_mojibake`'s judgment
(ftfy and a strict round trip), and it runs only on the distinct values of the few cells a
vectorized regex has already picked out.

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
    "named_like",
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

# Mojibake: the UTF-8 bytes of a character decoded as cp1252 or Latin-1. A lead byte C2-F4
# shows as Â..ô in both; a continuation byte 80-BF shows as its cp1252 character (Windows
# turns the five bytes cp1252 leaves undefined into the C1 controls of the same number) or
# as its Latin-1 one (a C1 control for 80-9F), or as U+FFFD where a decoder replaced a byte
# it had no character for (that byte is lost: such text is found, never repaired).
_CP1252_UNDEFINED: Final = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _byte_to_char(byte: int) -> str:
    if byte in _CP1252_UNDEFINED:
        return chr(byte)
    return bytes([byte]).decode("cp1252")


_CHAR_TO_BYTE: Final[dict[str, int]] = {chr(b): b for b in range(0x80, 0x100)} | {
    _byte_to_char(b): b for b in range(0x80, 0x100)
}
_CONTINUATION_CHARS: Final = sorted(
    {_byte_to_char(b) for b in range(0x80, 0xC0)} | {chr(b) for b in range(0x80, 0xC0)}
)
_CONT: Final = "[" + "".join(f"\\u{ord(c):04X}" for c in [*_CONTINUATION_CHARS, "\ufffd"]) + "]"
#: One mis-decoded UTF-8 character: a lead char and as many continuation chars as it needs.
MOJIBAKE_PATTERN: Final = (
    f"(?:[\\u00C2-\\u00DF]{_CONT}|[\\u00E0-\\u00EF]{_CONT}{{2}}|[\\u00F0-\\u00F4]{_CONT}{{3}})+"
)
_MOJIBAKE_RE: Final = re.compile(MOJIBAKE_PATTERN)
# A lead char with fewer continuation chars than it needs, next to real mojibake: a byte of
# the character was dropped (a decoder's errors="ignore"), so no repair can be exact.
_SHORT_RE: Final = re.compile(
    f"[\\u00E0-\\u00EF]{_CONT}(?!{_CONT})|[\\u00F0-\\u00F4]{_CONT}{{1,2}}(?!{_CONT})"
)
#: What clean_text removes that may stand between the characters of a run: zero-width
#: characters and C0 controls (TAB, LF and CR stay).
_INVISIBLE: Final = f"[{ZERO_WIDTH_CLASS}\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]"
_INVISIBLE_RE: Final = re.compile(_INVISIBLE)
_LEAD: Final = frozenset(chr(c) for c in range(0xC2, 0xF5))
#: Capital letters that are mojibake lead chars; alone before a space or at the end of a
#: value that holds mojibake, their continuation byte was lost (or was a no-break space
#: that became a space, as in "Ã la carte").
_LONE_CAPITALS: Final = frozenset(chr(c) for c in range(0xC2, 0xDF)) - {"\u00d7"}
#: Unicode categories a real repair never produces: controls, unassigned, private use.
_IMPLAUSIBLE: Final = frozenset({"Cc", "Cn", "Co", "Cs"})
#: Passes of repair; text encoded twice needs two, three times three.
_MAX_REPAIR_PASSES: Final = 3
#: ftfy's names for the single-byte decodings the pattern above describes.
_FTFY_CP1252: Final = frozenset({"sloppy-windows-1252", "windows-1252", "latin-1"})
#: ftfy steps that undo a misreading without guessing: encode, decode, reread C1 controls
#: as cp1252, or repair each garbled stretch of a value that is only partly garbled.
_FTFY_EXACT_STEPS: Final = frozenset(
    {
        ("decode", "utf-8"),
        # ftfy's decoder for UTF-8 that also takes CESU-8 pairs; the strict round trip it
        # must agree with rules those out.
        ("decode", "utf-8-variants"),
        ("transcode", "fix_c1_controls"),
        ("apply", "decode_inconsistent_utf8"),
    }
)
#: Letters a lone garbled run may stand for when ftfy is unsure (Latin-1 and Extended-A).
_LATIN_FIRST: Final = "\u00c0"
_LATIN_LAST: Final = "\u017f"
_C1: Final = "\x80"
_C1_END: Final = "\x9f"


def named_like(result: pl.Expr, source: pl.Expr) -> pl.Expr:
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


def _decode_run(match: re.Match[str]) -> str:
    """Return the text whose UTF-8 bytes a run of mojibake shows; raise if there is none."""
    raw = _encode_mojibake(match.group(0))
    if raw is None:
        raise UnicodeError("not cp1252")
    decoded = raw.decode("utf-8", errors="strict")
    # A "repair" that yields controls or unassigned code points was not mojibake; C1
    # controls are let through here, as text misread twice shows them after one pass.
    if any(unicodedata.category(c) in _IMPLAUSIBLE and not _C1 <= c <= _C1_END for c in decoded):
        raise UnicodeError("implausible")
    return decoded


def _decode_runs(value: str) -> str | None:
    """Undo the misreading of every run of mojibake in ``value``, or return None.

    Each run must encode back to strict UTF-8; text garbled twice takes two passes. The
    result is exact by construction, but says nothing about whether ``value`` really was
    mojibake: correct text such as ``“CAFÉ”`` has a run too (``É”`` reads as ``ɔ``).
    """
    current = value
    for _ in range(_MAX_REPAIR_PASSES):
        if not _MOJIBAKE_RE.search(current):
            break
        try:
            current = _MOJIBAKE_RE.sub(_decode_run, current)
        except UnicodeError:
            return None
    # A C1 control left over from an inner pass means the bytes were not text; one that
    # stood outside every run (clean_text removes it later) is not the repair's doing.
    if _MOJIBAKE_RE.search(current) or _c1_count(current) > _c1_count(_MOJIBAKE_RE.sub("", value)):
        return None
    return current


def _c1_count(text: str) -> int:
    return sum(_C1 <= c <= _C1_END for c in text)


def _visible(value: str) -> str:
    """Return ``value`` without what :func:`clean_text` removes anyway, runs excepted.

    Zero-width characters and C0 controls go, and C1 controls that are not part of a run
    (inside one they are Latin-1 mojibake). The value is judged as cleaning leaves it, so
    that cleaning the output again finds nothing new: ``Ã\u200b©`` becomes ``Ã©``.
    """
    value = _INVISIBLE_RE.sub("", value)
    if not any(_C1 <= c <= _C1_END for c in value):
        return value
    inside = {i for m in _MOJIBAKE_RE.finditer(value) for i in range(m.start(), m.end())}
    return "".join(c for i, c in enumerate(value) if i in inside or not _C1 <= c <= _C1_END)


def _lost_bytes(value: str) -> tuple[bool, bool]:
    """Tell whether ``value``'s mojibake shows a byte a decoder dropped or replaced.

    Returns:
        ``(sure, likely)``. Sure: a U+FFFD inside a run, or a three- or four-byte
        character cut short. Likely: a lead char alone right next to a run, or a capital
        lead char alone before a space or at the end of a value that holds mojibake (its
        byte was dropped, or was a no-break space that became a space: ``Ã la carte``).
    """
    runs = list(_MOJIBAKE_RE.finditer(value))
    if any("\ufffd" in m.group(0) for m in runs) or _SHORT_RE.search(value):
        return True, True
    edges = {m.start() for m in runs} | {m.end() for m in runs}
    inside = {i for m in runs for i in range(m.start(), m.end())}
    for i, char in enumerate(value):
        if char not in _LEAD or i in inside:
            continue
        if i in edges or i + 1 in edges:
            return False, True
        if char in _LONE_CAPITALS and (i + 1 == len(value) or value[i + 1].isspace()):
            return False, True
    return False, False


def _ftfy_fix(value: str, *, lossy: bool) -> tuple[str, list[tuple[str, str]]]:
    """Return ftfy's repair of ``value``'s encoding and the steps it took.

    Only encoding fixes are enabled. ``lossy`` allows ftfy's guesses (a space read as a
    lost no-break space, a lost byte shown as U+FFFD): for a suggestion, never a fix.
    """
    # Imported here: ftfy costs 50 ms to import, and most runs find no mojibake at all.
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        restore_byte_a0=lossy,
        replace_lossy_sequences=lossy,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
    )
    result = ftfy.fix_and_explain(value, config)
    return result.text, [(step[0], step[1]) for step in result.explanation or []]


def _is_bad(text: str) -> bool:
    from ftfy.badness import is_bad

    return bool(is_bad(text))


def _exact_steps(steps: list[tuple[str, str]]) -> bool:
    return all(
        step in _FTFY_EXACT_STEPS or (step[0] == "encode" and step[1] in _FTFY_CP1252)
        for step in steps
    )


def _repair_one(value: str) -> tuple[str, MojibakeStatus | None, str | None]:
    """Judge one candidate value: repair it exactly, call it suspect, or leave it alone.

    Two repairs must agree for a fix: ftfy's (which judges, from how plausible the text
    is before and after, whether the value is mojibake at all) and the run-by-run
    strict UTF-8 round trip above (which is exact by construction). A value that
    shows lost bytes, or that ftfy repairs with a guess, is suspect; a value ftfy finds
    plausible as it is (``“CAFÉ”``) is left alone.

    Returns:
        ``(value, status, suspected)``: the repaired or unchanged value, ``"fixed"``,
        ``"suspect"`` or None, and for a suspect value what it probably was (or None).
    """
    original, value = value, _visible(value)
    if not _MOJIBAKE_RE.search(value):
        return original, None, None
    fixed, steps = _ftfy_fix(value, lossy=False)
    own = _decode_runs(value)
    sure, likely = _lost_bytes(value)
    if fixed == value:
        # ftfy sees nothing it can undo: suspect if bytes were surely lost or ftfy's
        # measure of implausible character sequences says the text is garbled.
        if sure or _is_bad(value):
            return original, MOJIBAKE_SUSPECT, _suggestion(value, own)
        if own is not None and not likely and _word_initials(value):
            return own, MOJIBAKE_FIXED, None
        return original, None, None
    exact = (
        not likely
        and _exact_steps(steps)
        and fixed == own
        and not _MOJIBAKE_RE.search(fixed)
        and not _is_bad(fixed)
    )
    if exact:
        return fixed, MOJIBAKE_FIXED, None
    return original, MOJIBAKE_SUSPECT, _suggestion(value, own)


def _word_initials(value: str) -> bool:
    """Tell whether every run of mojibake in ``value`` is a garbled letter of a word.

    ftfy finds ``Ã…berg`` plausible as it is (``Ã`` then an ellipsis), so a name whose
    only garbled letter is its first one would stay garbled. Such a run is taken for
    mojibake when it reads as one Latin letter (U+00C0-U+017F) that fits its place: a
    capital where a word starts, a small letter inside a word, either way followed by a
    small ASCII letter. Correct text does not put a symbol between a capital and a small
    letter (``NÃO…``, ``“CAFÉ”`` and ``CAFÉ’s`` read as ``Ý``-less symbols or IPA).
    """
    # A lead char outside the runs is a garbled letter whose byte was dropped (ÅœanÄo):
    # repairing the runs alone would be a partial repair.
    if any(c in _LEAD for c in _MOJIBAKE_RE.sub("", value)):
        return False
    for match in _MOJIBAKE_RE.finditer(value):
        start, end = match.span()
        try:
            letter = _decode_run(match)
        except UnicodeError:
            return False
        if len(letter) != 1 or not _LATIN_FIRST <= letter <= _LATIN_LAST:
            return False
        after = value[end : end + 1]
        if not ("a" <= after <= "z"):
            return False
        inside_word = start > 0 and value[start - 1].isalpha()
        if not (letter.islower() if inside_word else letter.isupper()):
            return False
    return True


def _suggestion(value: str, own: str | None) -> str | None:
    """Return what a suspect value probably read, U+FFFD marking a lost character."""
    guess, _ = _ftfy_fix(value, lossy=True)
    if guess == value:
        guess = own or value
    return None if guess == value else guess


def repair_mojibake(s: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Repair text that was UTF-8 read as cp1252 or Latin-1, when the repair is exact.

    Candidates are found with one vectorized regex; only their distinct values go
    through Python. A candidate is repaired when the whole value is: ftfy (encoding fixes
    only, no guesses) and a strict run-by-run UTF-8 round trip give the same text, no
    byte was lost, and nothing garbled is left. A candidate that shows lost bytes (U+FFFD,
    a character cut short) or that only a guess would repair is kept and marked
    ``"suspect"``, with what it probably read; correct text that merely resembles
    mojibake (``“CAFÉ”``) is left alone.

    Args:
        s: A ``pl.String`` series, before :func:`clean_text`.

    Returns:
        ``(values, status, suspected)``: the repaired values (same name and length as
        ``s``); a ``pl.String`` series that is ``"fixed"``, ``"suspect"`` or null per
        cell; and, for suspect cells, the text they probably read (else null).

    Example:
        >>> values, status, suspected = repair_mojibake(pl.Series(["CafÃ©", "ok"]))
        >>> values.to_list(), status.to_list()
        (['Café', 'ok'], ['fixed', None])
    """
    # A run broken by an invisible character (which cleaning removes) is a candidate too.
    mask = (
        s.str.contains(MOJIBAKE_PATTERN)
        | (s.str.contains(_INVISIBLE) & s.str.contains(f"[\\u00C2-\\u00F4]{_INVISIBLE}*{_CONT}"))
    ).fill_null(False)
    status = pl.repeat(None, s.len(), dtype=pl.String, eager=True).alias(s.name)
    if not mask.any():
        return s, status, status
    indices = mask.arg_true()
    candidates = s.gather(indices)
    # The one sanctioned per-value loop: the distinct values the regex above picked out.
    distinct = candidates.unique(maintain_order=True)
    verdicts = [_repair_one(v) for v in distinct.to_list()]
    lookup = pl.DataFrame(
        {
            "value": distinct,
            "new": [v[0] for v in verdicts],
            "status": [v[1] for v in verdicts],
            "suspected": [v[2] for v in verdicts],
        },
        schema={"value": pl.String, "new": pl.String, "status": pl.String, "suspected": pl.String},
    )
    joined = pl.DataFrame({"value": candidates}).join(
        lookup, on="value", how="left", maintain_order="left"
    )
    values = s.clone().scatter(indices, joined.get_column("new"))
    suspected = status.clone().scatter(indices, joined.get_column("suspected"))
    status = status.scatter(indices, joined.get_column("status"))
    return values, status, suspected
