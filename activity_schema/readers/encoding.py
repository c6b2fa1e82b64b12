"""Turn an input's bytes into UTF-8, saying which encoding was used and why.

The order is fixed: an explicit encoding; a byte-order mark; UTF-16 without a BOM (its
NUL pattern, or a strict decode into lines of text, is unmistakable); a strict UTF-8
decode of the *whole* input; UTF-8 with a few undecodable bytes (CESU-8 surrogates count
as UTF-8); then the legacy-encoding guess of :mod:`.encoding_guess` (chardet on the lines
that hold non-ASCII bytes). A guess that stays in doubt carries a
:class:`~activity_schema.readers.encoding_guess.Doubt`, which the reader reports as a
warning.

Nothing is replaced silently: bytes that do not decode become visible ``\\xNN`` text and
are returned as :class:`BadByte` records, which the reader turns into row errors. A file
that mixes UTF-8 lines with lines in a legacy encoding is never decoded half wrong: the
lines that are not in the chosen encoding are returned as :class:`BadByte` records too
(except UTF-8 lines in a cp1252 file: the classic mojibake, which cleaning repairs and
reports).
A byte-order mark in the middle of the text (two exports joined together) is removed and
counted, so that it never hides inside a value.

Line numbers count LF, CRLF and a lone CR as line ends, as the readers do.

The helpers that the block decoder (:mod:`.encoding_blocks`) shares are public, so that
the whole-file and the block-by-block paths cannot drift apart.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass

from ..defaults import MAX_REPORTED_BAD_BYTES, UTF8_CHECK_BYTES
from ..errors import InputError, UsageError
from .encoding_guess import Detector, Doubt, Guess, detect_legacy

__all__ = [
    "BOMS",
    "MOJIBAKE_SAFE",
    "BadByte",
    "Decoded",
    "cesu8_sequences",
    "decode",
    "decode_in_pieces",
    "decode_recording",
    "find_utf8_lines",
    "finish_decoded",
    "is_utf8",
    "needs_cleaning",
    "python_codec",
    "utf8_with_errors",
    "utf16_without_bom",
]

#: Byte-order marks: the mark, the codec it selects, and its name for messages.
BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its LE BOM starts with UTF-16 LE's.
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE"),
)

_VALID_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


@dataclass(frozen=True)
class BadByte:
    """A byte sequence that is not valid in the chosen encoding.

    Attributes:
        offset: The 0-based byte offset in the file (byte-order mark included).
        line: The 1-based physical line.
        raw: The bytes.
        utf8: The bytes are valid UTF-8 on a line that is all UTF-8, in a file decoded
            with a legacy encoding: two encodings are mixed, and decoding this line as
            the rest would garble it.
    """

    offset: int
    line: int
    raw: bytes
    utf8: bool = False


@dataclass(frozen=True)
class Decoded:
    """An input decoded to UTF-8.

    Attributes:
        data: The text as UTF-8 bytes, without a BOM.
        encoding: The Python codec name of the source encoding (``utf-8``, ``cp1252``...).
        reason: Why that encoding was chosen, for humans.
        confidence: The detector's confidence, when a detector chose.
        bom: Whether the input started with a byte-order mark.
        bad_bytes: Every undecodable byte sequence, with its offset and line.
        nul_count: How many NUL characters were removed.
        nul_lines: The lines of the first removed NUL characters.
        stray_bom_count: How many byte-order marks (U+FEFF) after the start were removed.
        stray_bom_lines: The lines of the first removed byte-order marks.
        doubt: Other encodings that read the input differently and are as plausible,
            when a detector chose (reported as a warning).
    """

    data: bytes
    encoding: str
    reason: str
    confidence: float | None = None
    bom: bool = False
    bad_bytes: tuple[BadByte, ...] = ()
    nul_count: int = 0
    nul_lines: tuple[int, ...] = ()
    stray_bom_count: int = 0
    stray_bom_lines: tuple[int, ...] = ()
    doubt: Doubt | None = None


# The codec error handler below records where decoding failed; the list it appends to
# lives in a context variable so that concurrent decodes never share state.
_FAILURES: ContextVar[list[tuple[int, bytes]] | None] = ContextVar("_FAILURES", default=None)


def _record_and_escape(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):
        raise err  # only decoding registers this handler; let any other error through
    bad = err.object[err.start : err.end]
    failures = _FAILURES.get()
    if failures is not None:
        failures.append((err.start, bytes(bad)))
    return "".join(f"\\x{b:02x}" for b in bad), err.end


codecs.register_error("activity_schema.escape", _record_and_escape)


def decode_recording(raw: bytes, encoding: str) -> tuple[str, list[tuple[int, bytes]]]:
    """Decode ``raw``, escaping each undecodable sequence and recording it.

    Returns:
        The text, with every undecodable byte written as visible ``\\xNN`` text, and the
        (offset in ``raw``, bytes) of each such sequence.
    """
    failures: list[tuple[int, bytes]] = []
    token = _FAILURES.set(failures)
    try:
        text = raw.decode(encoding, errors="activity_schema.escape")
    finally:
        _FAILURES.reset(token)
    return text, failures


def python_codec(name: str) -> str:
    """Return Python's name for the text encoding ``name``.

    Raises:
        UsageError: ``name`` is not a codec, or not one that decodes text.
    """
    hint = "use a Python codec name such as utf-8, cp1252, utf-16, shift_jis"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise UsageError(f"unknown encoding {name!r}", hint=hint) from None
    try:
        # Codecs such as hex, base64 or idna exist but do not decode text files.
        b"a,b\n".decode(codec, errors="activity_schema.escape")
    except (LookupError, UnicodeError):
        raise UsageError(f"{name!r} is not a text encoding", hint=hint) from None
    return codec


def utf16_without_bom(raw: bytes) -> str | None:
    """Return ``utf-16-le`` or ``utf-16-be`` when ``raw`` is UTF-16 text without a BOM.

    Latin text in UTF-16 has a NUL in every other byte. Cyrillic, Greek or CJK text
    has few, but its ASCII parts (line ends, delimiters, e-mail addresses) still put NULs
    on one side only; then the sample must decode strictly into lines of letters.
    """
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    if even_nuls == odd_nuls == 0:
        return None
    codec = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    few, many = sorted((even_nuls, odd_nuls))
    # CJK characters such as U+4E00 put a NUL on the other side too, rarely.
    if many < max(4, 0.02 * half) or few > 0.01 * half:
        return None
    return codec if _utf16_text(sample[: len(sample) // 2 * 2], codec) else None


#: Characters of text: letters, marks, digits, spaces, punctuation and symbols.
_TEXT_CATEGORIES = frozenset(["L", "M", "N", "Z", "P", "S"])


def _utf16_text(sample: bytes, codec: str) -> bool:
    """Tell whether ``sample`` decodes as ``codec`` into lines of text."""
    try:
        text = sample.decode(codec)
    except UnicodeDecodeError:
        # The sample may end inside a surrogate pair: drop its last code unit.
        try:
            text = sample[:-2].decode(codec)
        except UnicodeDecodeError:
            return False
    if "\n" not in text and "\r" not in text and len(sample) >= 4096:
        return False
    plain = sum(
        1 for ch in text if ch in "\t\r\n" or unicodedata.category(ch)[0] in _TEXT_CATEGORIES
    )
    return plain >= 0.98 * len(text)


def _lines_of(raw: bytes, offsets: list[int], unit: int, big_endian: bool) -> list[int]:
    """Return the 1-based line of each byte offset; LF, CRLF and a lone CR end a line."""
    if not offsets:
        return []
    import numpy as np

    dtype = {1: "u1", 2: ">u2" if big_endian else "<u2", 4: ">u4" if big_endian else "<u4"}[unit]
    units = np.frombuffer(raw, dtype=dtype, count=len(raw) // unit)
    lf = units == 10
    cr = units == 13
    lone_cr = cr & ~np.concatenate((lf[1:], [False]))
    ends = np.flatnonzero(lf | lone_cr) * unit
    return (np.searchsorted(ends, np.array(offsets, dtype=np.int64)) + 1).tolist()  # type: ignore[no-any-return]


def _text_lines(text: str, positions: list[int]) -> list[int]:
    """Return the 1-based line of each (ascending) position in ``text``."""
    lines: list[int] = []
    line, prev = 1, 0
    for pos in positions:
        # A position is never between the CR and LF of one line end.
        crlf = text.count("\r\n", prev, pos)
        line += text.count("\n", prev, pos) + text.count("\r", prev, pos) - crlf
        lines.append(line)
        prev = pos
    return lines


def is_utf8(raw: bytes, *, chunk_bytes: int = UTF8_CHECK_BYTES) -> bool:
    """Tell whether ``raw`` is strict UTF-8, in bounded memory.

    Decoding a whole file to validate it would build a text object of up to four times
    its size; this decodes ``chunk_bytes`` at a time (:func:`decode_in_pieces`).

    Example:
        >>> is_utf8("Zoë".encode("utf-8") * 3), is_utf8("Zoë".encode("cp1252"))
        (True, False)
    """
    if raw.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decode_in_pieces(decoder, raw, chunk_bytes=chunk_bytes)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def decode_in_pieces(
    decoder: codecs.IncrementalDecoder, data: bytes, *, chunk_bytes: int = UTF8_CHECK_BYTES
) -> None:
    """Feed ``data`` to ``decoder`` ``chunk_bytes`` at a time, dropping the text.

    Validation in bounded memory, whole-file or block by block (the decoder carries a
    character cut between pieces, and between blocks). Small pieces on purpose: see
    :data:`~activity_schema.defaults.UTF8_CHECK_BYTES`.

    Raises:
        UnicodeDecodeError: ``data`` is not UTF-8 (what is still buffered at the end is
            checked by ``decoder.decode(b"", final=True)``).
    """
    view = memoryview(data)
    for start in range(0, len(view), chunk_bytes):
        decoder.decode(view[start : start + chunk_bytes])


def needs_cleaning(utf8: bytes) -> bool:
    """Tell whether valid UTF-8 holds a NUL or a byte-order mark, which decoding removes.

    Text without either is its own UTF-8 as it is. A BOM's first byte is rare in text:
    looking for it alone is a memchr, where looking for the three bytes is a slower
    substring search (68 ms against 5 ms per 105 MB).

    Example:
        >>> needs_cleaning("Zoë".encode()), needs_cleaning(b"a\\xef\\xbb\\xbfb")
        (False, True)
    """
    return b"\x00" in utf8 or (b"\xef" in utf8 and codecs.BOM_UTF8 in utf8)


def _remove(text: str, char: str) -> tuple[str, int, tuple[int, ...]]:
    """Remove every ``char`` from ``text``; return the count and the first lines."""
    count = text.count(char)
    if not count:
        return text, 0, ()
    positions: list[int] = []
    pos = text.find(char)
    while pos != -1 and len(positions) < MAX_REPORTED_BAD_BYTES:
        positions.append(pos)
        pos = text.find(char, pos + 1)
    return text.replace(char, ""), count, tuple(_text_lines(text, positions))


def finish_decoded(
    raw: bytes,
    text: str,
    failures: list[tuple[int, bytes]],
    *,
    encoding: str,
    reason: str,
    confidence: float | None = None,
    bom: bool = False,
    skipped: int = 0,
    utf8_lines: list[tuple[int, bytes]] | None = None,
    doubt: Doubt | None = None,
) -> Decoded:
    """Build the :class:`Decoded` of a decode: NULs and stray BOMs out, bad bytes placed.

    Args:
        raw: The bytes that were decoded (after any byte-order mark).
        text: Their text, from :func:`decode_recording`.
        failures: The undecodable sequences :func:`decode_recording` recorded.
        encoding: The codec used.
        reason: Why it was chosen.
        confidence: The detector's confidence, when a detector chose.
        bom: Whether a byte-order mark was skipped.
        skipped: Bytes skipped before ``raw`` (the mark), added to every offset.
        utf8_lines: Sequences of UTF-8 lines in a legacy file (:func:`find_utf8_lines`),
            reported as bad bytes.
        doubt: The detector's doubt, if any.
    """
    text, nul_count, nul_lines = _remove(text, "\x00")
    # A BOM after the start is the first character of a second file joined to this one.
    text, bom_count, bom_lines = _remove(text, "\ufeff")
    marked = [(off, b, False) for off, b in failures]
    marked += [(off, b, True) for off, b in utf8_lines or ()]
    marked.sort()
    unit = 4 if encoding.startswith("utf-32") else 2 if encoding.startswith("utf-16") else 1
    lines = _lines_of(raw, [off for off, _, _ in marked], unit, encoding.endswith("be"))
    bad = tuple(
        # Offsets count from the start of the file, byte-order mark included.
        BadByte(offset=off + skipped, line=line, raw=b, utf8=utf8)
        for (off, b, utf8), line in zip(marked, lines, strict=True)
    )
    # A strict UTF-8 input without NULs or stray BOMs is its own UTF-8: no second copy.
    same = encoding == "utf-8" and not failures and not skipped and not nul_count and not bom_count
    return Decoded(
        data=raw if same else text.encode("utf-8"),
        encoding=encoding,
        reason=reason,
        confidence=confidence,
        bom=bom,
        bad_bytes=bad,
        nul_count=nul_count,
        nul_lines=nul_lines,
        stray_bom_count=bom_count,
        stray_bom_lines=bom_lines,
        doubt=doubt,
    )


_LINE_END = re.compile(rb"[\r\n]")
#: Legacy encodings whose reading of UTF-8 text the mojibake repair undoes.
MOJIBAKE_SAFE = frozenset({"utf-8", "cp1252"})


def find_utf8_lines(raw: bytes) -> list[tuple[int, bytes]]:
    """Return the multi-byte sequences of the lines that are entirely valid UTF-8.

    Only called for input that is not valid UTF-8 as a whole. A line that holds non-ASCII
    bytes and decodes as UTF-8 is, in a legacy-encoded file, almost always a UTF-8 line
    pasted in (or text garbled once before); a genuine cp1252 line rarely is: its
    accented letters are lone high bytes, which UTF-8 forbids.
    """
    found: list[tuple[int, bytes]] = []
    checked: set[int] = set()
    for match in _VALID_MULTIBYTE.finditer(raw):
        pos = match.start()
        start = max(raw.rfind(b"\n", 0, pos), raw.rfind(b"\r", 0, pos)) + 1
        if start in checked:
            continue
        checked.add(start)
        end_match = _LINE_END.search(raw, pos)
        end = end_match.start() if end_match else len(raw)
        line = raw[start:end]
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        found.extend((start + m.start(), m.group(0)) for m in _VALID_MULTIBYTE.finditer(line))
    return found


def decode(
    raw: bytes,
    *,
    encoding: str | None = None,
    path: str = "<bytes>",
    detector: Detector = detect_legacy,
) -> Decoded:
    """Decode an input to UTF-8, choosing the encoding in the documented order.

    Args:
        raw: The input's bytes.
        encoding: An encoding to use instead of detecting one.
        path: The input's name, for messages.
        detector: The legacy-encoding detector (injectable for tests and other tools).

    Returns:
        The decoded input with its encoding and the evidence for it.

    Raises:
        InputError: The input cannot be decoded at all (truncated UTF-16).
        UsageError: ``encoding`` is not a known codec.

    Example:
        >>> decode("Café".encode("cp1252")).encoding
        'cp1252'
    """
    if encoding:
        codec = python_codec(encoding)
        bom, skipped = False, 0
        family = codec.split("-")[0] + "-" + codec.split("-")[1] if "-" in codec else codec
        for mark, bom_codec, _label in BOMS:
            if raw.startswith(mark) and bom_codec.startswith(family):
                # A BOM of the named family also tells the byte order.
                raw, bom, codec = raw[len(mark) :], True, bom_codec
                skipped = len(mark)
                break
        if codec in ("utf-16", "utf-32"):
            # The BOM-less generic codecs assume the machine's byte order; decide it.
            codec = utf16_without_bom(raw) or f"{codec}-le"
        _check_unit_size(raw, codec, path)
        text, failures = decode_recording(raw, codec)
        return finish_decoded(
            raw,
            text,
            failures,
            encoding=codec,
            reason=f"given with --encoding {encoding}",
            bom=bom,
            skipped=skipped,
        )

    for mark, codec, label in BOMS:
        if raw.startswith(mark):
            body = raw[len(mark) :]
            _check_unit_size(body, codec, path)
            text, failures = decode_recording(body, codec)
            return finish_decoded(
                body,
                text,
                failures,
                encoding=codec,
                reason=f"{label} byte-order mark",
                bom=True,
                skipped=len(mark),
            )

    utf16 = utf16_without_bom(raw)
    if utf16:
        _check_unit_size(raw, utf16, path)
        text, failures = decode_recording(raw, utf16)
        return finish_decoded(
            raw,
            text,
            failures,
            encoding=utf16,
            reason="no BOM, but every other byte is NUL: UTF-16 "
            + ("little-endian" if utf16.endswith("le") else "big-endian"),
        )

    if is_utf8(raw):
        reason = (
            "pure ASCII (read as UTF-8)"
            if raw.isascii()
            else "strict UTF-8 decode of the whole input"
        )
        if not needs_cleaning(raw):
            # Its own UTF-8 as it is: no text object of the whole input is ever built.
            return Decoded(data=raw, encoding="utf-8", reason=reason)
        return finish_decoded(raw, raw.decode("utf-8"), [], encoding="utf-8", reason=reason)

    # Counted at C speed first: a legacy file has a bad byte per accented letter, and
    # recording each one through the error handler would cost seconds.
    ignored = raw.decode("utf-8", errors="ignore")
    bad_count = len(raw) - len(ignored.encode("utf-8"))
    valid_multibyte = len(ignored) - len(ignored.encode("ascii", errors="ignore"))
    if utf8_with_errors(valid_multibyte, bad_count, cesu8_sequences(raw)):
        text, failures = decode_recording(raw, "utf-8")
        return finish_decoded(
            raw,
            text,
            failures,
            encoding="utf-8",
            reason=f"UTF-8 ({valid_multibyte} valid multi-byte characters) "
            f"with {len(failures)} undecodable byte sequence(s)",
        )

    guess = detector(raw)
    codec, confidence, evidence = guess[0], guess[1], guess[2]
    text, failures = decode_recording(raw, codec)
    # UTF-8 read as cp1252 is the classic mojibake, which cleaning repairs exactly and
    # reports (``mojibake``); read as any other legacy encoding it would be garbled past
    # repair, so those lines are reported here and their rows rejected.
    utf8_lines = find_utf8_lines(raw) if valid_multibyte and codec not in MOJIBAKE_SAFE else []
    if utf8_lines:
        evidence += (
            f"; {len(utf8_lines)} UTF-8 sequence(s) on lines that are all UTF-8 are "
            "reported, not decoded as " + codec
        )
    return finish_decoded(
        raw,
        text,
        failures,
        encoding=codec,
        reason=evidence,
        confidence=confidence,
        utf8_lines=utf8_lines,
        doubt=guess.doubt if isinstance(guess, Guess) else None,
    )


_CESU8 = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")


def cesu8_sequences(raw: bytes) -> int:
    """Count UTF-16 surrogates encoded as 3-byte UTF-8 (CESU-8, Java's "modified UTF-8").

    They are not UTF-8, but are written by UTF-8 encoders that mishandle characters
    outside the Basic Multilingual Plane (emoji): a sign of UTF-8, not of cp1252.
    """
    return len(_CESU8.findall(raw)) if _CESU8.search(raw) else 0


def utf8_with_errors(valid_multibyte: int, bad_bytes: int, cesu8: int) -> bool:
    """Tell whether input that is not strict UTF-8 is UTF-8 with some undecodable bytes.

    It is when it holds valid multi-byte sequences (CESU-8 surrogates count as such) and
    no more undecodable bytes than those (each surrogate is 3 undecodable bytes).
    """
    utf8_like = valid_multibyte + cesu8
    return bool(utf8_like) and bad_bytes - 3 * cesu8 <= utf8_like


def _check_unit_size(raw: bytes, codec: str, path: str) -> None:
    unit = 4 if codec.startswith("utf-32") else 2 if codec.startswith("utf-16") else 1
    if len(raw) % unit:
        raise InputError(
            f"{codec.upper()} input has {len(raw)} bytes, not a multiple of {unit}: "
            "the file is truncated",
            path=path,
            offset=len(raw) - 1,
            hint=f"export the file again, or pass --encoding if it is not {codec.upper()}",
        )
