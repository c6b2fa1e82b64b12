"""Turn an input's bytes into UTF-8, saying which encoding was used and why.

The order is fixed (see the foundation issue): an explicit encoding; a byte-order mark;
UTF-16 without a BOM (its NUL pattern is unmistakable); a strict UTF-8 decode of the
*whole* input; then chardet on the lines that hold non-ASCII bytes, preferring the
Windows superset of what it names. A detector never sees only the first 200 KB of a
file whose first non-ASCII byte comes later.

Nothing is replaced silently: bytes that do not decode become visible ``\\xNN`` text and
are returned as :class:`BadByte` records, which the reader turns into row errors. A file
that mixes UTF-8 lines with lines in a legacy encoding is never decoded half wrong: the
lines that are not in the chosen encoding are returned as :class:`BadByte` records too
(except UTF-8 lines in a cp1252 file: the classic mojibake, which cleaning repairs and
reports).
A byte-order mark in the middle of the text (two exports joined together) is removed and
counted, so that it never hides inside a value.

Line numbers count LF, CRLF and a lone CR as line ends, as the readers do.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from .defaults import (
    CHARDET_SAMPLE_BYTES,
    MAX_REPORTED_BAD_BYTES,
    SUPERSET_ENCODINGS,
    TIE_BREAK_RATIO,
    UTF8_CHECK_BYTES,
    WEAK_CONFIDENCE,
)
from .errors import InputError, UsageError

__all__ = ["BadByte", "Decoded", "Detector", "decode", "detect_legacy", "is_utf8"]

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

#: A detector takes bytes and returns (python codec name, confidence, evidence).
Detector = Callable[[bytes], tuple[str, float, str]]


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


# The codec error handler below records where decoding failed; the list it appends to
# lives in a context variable so that concurrent decodes never share state.
_FAILURES: ContextVar[list[tuple[int, bytes]] | None] = ContextVar("_FAILURES", default=None)


def _record_and_escape(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)
    bad = err.object[err.start : err.end]
    failures = _FAILURES.get()
    if failures is not None:
        failures.append((err.start, bytes(bad)))
    return "".join(f"\\x{b:02x}" for b in bad), err.end


codecs.register_error("activity_schema.escape", _record_and_escape)


def _decode_recording(raw: bytes, encoding: str) -> tuple[str, list[tuple[int, bytes]]]:
    failures: list[tuple[int, bytes]] = []
    token = _FAILURES.set(failures)
    try:
        text = raw.decode(encoding, errors="activity_schema.escape")
    finally:
        _FAILURES.reset(token)
    return text, failures


def _python_codec(name: str) -> str:
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


def _utf16_without_bom(raw: bytes) -> str | None:
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
    return None


def _non_ascii_lines(raw: bytes, budget: int) -> bytes:
    """Return the first lines that hold a non-ASCII byte, up to ``budget`` bytes in all.

    Vectorized: the lines are found from the positions of high bytes and newlines, so a
    large file with few accented letters costs two array scans, not a regex per line.
    """
    import numpy as np

    buf = np.frombuffer(raw, dtype=np.uint8)
    high = np.flatnonzero(buf >= 0x80)
    if high.size == 0:
        return b""
    newlines = np.flatnonzero(buf == 10)
    lines = np.unique(np.searchsorted(newlines, high))
    starts = np.concatenate(([0], newlines + 1))[lines]
    ends = np.append(newlines + 1, len(raw))[lines]
    within = np.cumsum(ends - starts) <= budget
    within[0] = True  # at least one line, cut to the budget below
    picked = zip(starts[within].tolist(), ends[within].tolist(), strict=True)
    return b"".join(raw[a:b] for a, b in picked)[:budget]


def detect_legacy(raw: bytes) -> tuple[str, float, str]:
    """Guess a legacy (non-UTF) encoding with chardet, preferring Windows supersets.

    Only lines that contain non-ASCII bytes are shown to chardet, so a file whose first
    accented letter comes after megabytes of ASCII is judged on that letter.

    Args:
        raw: The input bytes (not valid UTF-8).

    Returns:
        The Python codec name, chardet's confidence, and a sentence of evidence.

    Example:
        >>> detect_legacy("Café, Zoë, Müller".encode("cp1252"))[0]
        'cp1252'
    """
    import chardet
    from chardet import EncodingEra

    sample = _non_ascii_lines(raw, CHARDET_SAMPLE_BYTES) or raw[:CHARDET_SAMPLE_BYTES]
    candidates = chardet.detect_all(
        sample, encoding_era=EncodingEra.MODERN_WEB, prefer_superset=True
    )
    ranked: list[tuple[str, float, str]] = []
    for cand in candidates:
        name = cand.get("encoding")
        if not name:
            continue
        codec = _superset(str(name))
        ranked.append((codec, float(cand.get("confidence") or 0.0), str(name)))
    if not ranked:
        return "cp1252", 0.0, "chardet had no answer; cp1252 assumed"
    top_codec, top_conf, top_name = ranked[0]
    if top_codec != "cp1252" and top_codec in _LATIN_SINGLE_BYTE:
        # Close calls between single-byte Latin code pages are near coin flips for
        # chardet (confidences of 0.02-0.07 are common). Marketing exports from Excel
        # on Windows are cp1252 far more often, so cp1252 wins a close or weak call,
        # unless it turns the accented letters into symbols ("Ma³gorzata" for cp1250's
        # "Małgorzata") where the other page gives letters.
        cp1252 = next((conf for codec, conf, _ in ranked if codec == "cp1252"), 0.0)
        close = cp1252 >= TIE_BREAK_RATIO * top_conf or top_conf < WEAK_CONFIDENCE
        if (
            close
            and _decodes(raw, "cp1252")
            and _letter_share(sample, "cp1252") >= _letter_share(sample, top_codec)
        ):
            return (
                "cp1252",
                cp1252,
                f"chardet's best guess {top_name} ({top_conf:.2f}) is weak; cp1252 "
                "decodes every byte into letters as well and is the usual Windows export "
                "encoding",
            )
    if (
        (
            top_codec in _NON_LATIN_SINGLE_BYTE
            # Two-byte East Asian codes read "è m" or "Ç a" as one character; their
            # trail bytes can be ASCII, so Latin-1 letters must also be the reading.
            or (top_codec in _EAST_ASIAN and _latin1_letter_share(sample) >= 0.5)
        )
        and top_conf < WEAK_CONFIDENCE
        and _lone_high_byte_share(sample) >= 0.5
        and _decodes(raw, "cp1252")
    ):
        # Short accented Latin text ("Café Crème") often scores highest as Greek, Arabic
        # or Big5; those scripts write whole words in high bytes, Latin text lone letters.
        return (
            "cp1252",
            next((conf for codec, conf, _ in ranked if codec == "cp1252"), 0.0),
            f"chardet's best guess {top_name} ({top_conf:.2f}) is weak and the non-ASCII "
            "bytes are lone letters inside ASCII words, as in accented Latin text; cp1252 "
            "decodes every byte",
        )
    evidence = f"chardet: {top_name} (confidence {top_conf:.2f})"
    if top_codec != codecs.lookup(top_name).name:
        evidence += f", read as its superset {top_codec}"
    return top_codec, top_conf, evidence


_LATIN_SINGLE_BYTE = frozenset(
    codecs.lookup(n).name
    for n in (
        "cp1250",
        "cp1254",
        "cp1257",
        "cp1258",  # Vietnamese: chardet's pick for short Western text with few accents
        "iso8859-2",
        "iso8859-9",
        "iso8859-13",
        "iso8859-16",
        "mac-roman",
        "cp850",
        "cp437",
    )
)


_NON_LATIN_SINGLE_BYTE = frozenset(
    codecs.lookup(n).name
    for n in ("cp1251", "cp1253", "cp1255", "cp1256", "koi8-r", "cp866", "mac-cyrillic")
)
_EAST_ASIAN = frozenset(
    codecs.lookup(n).name
    for n in ("big5hkscs", "big5", "cp950", "gb18030", "gbk", "cp932", "shift_jis", "euc_jp",
              "euc_jis_2004", "cp949", "euc_kr", "johab")
)  # fmt: skip
_HIGH_RUNS = re.compile(rb"[\x80-\xff]{2,}")
_HIGH = re.compile(rb"[\x80-\xff]")


def _lone_high_byte_share(sample: bytes) -> float:
    high = len(_HIGH.findall(sample))
    if not high:
        return 0.0
    in_runs = sum(len(m) for m in _HIGH_RUNS.findall(sample))
    return (high - in_runs) / high


def _latin1_letter_share(sample: bytes) -> float:
    """Return the share of non-ASCII bytes that are Latin-1 letters (À-ÿ but × and ÷)."""
    high = len(_HIGH.findall(sample))
    if not high:
        return 0.0
    return len(_LATIN1_LETTERS.findall(sample)) / high


_LATIN1_LETTERS = re.compile(rb"[\xc0-\xd6\xd8-\xf6\xf8-\xff]")


def _letter_share(sample: bytes, codec: str) -> float:
    """Return the share of non-ASCII characters that are letters when decoded so."""
    text = sample.decode(codec, errors="replace")
    high = [ch for ch in text if ord(ch) > 0x7F]
    if not high:
        return 0.0
    return sum(ch.isalpha() for ch in high) / len(high)


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _superset(name: str) -> str:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return "cp1252"
    return SUPERSET_ENCODINGS.get(codec, codec)


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
    its size; this decodes ``chunk_bytes`` at a time, each piece cut at a character
    boundary.

    Example:
        >>> is_utf8("Zoë".encode("utf-8") * 3), is_utf8("Zoë".encode("cp1252"))
        (True, False)
    """
    if raw.isascii():
        return True
    view, start, size = memoryview(raw), 0, len(raw)
    # Valid pieces join into valid text, and valid text cut at character boundaries
    # gives valid pieces: so the input is valid if and only if every piece is.
    while start < size:
        end = min(start + chunk_bytes, size)
        cut = end
        # Back over continuation bytes (10xxxxxx) to a character's first byte...
        while start < cut < size and end - cut < 3 and raw[cut] & 0xC0 == 0x80:
            cut -= 1
        if cut == start:
            # ...or, when the piece is shorter than that character, forward past it.
            cut = end
            while cut < size and cut - end < 3 and raw[cut] & 0xC0 == 0x80:
                cut += 1
        end = cut
        try:
            str(view[start:end], "utf-8")
        except UnicodeDecodeError:
            return False
        start = end
    return True


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


def _finish(
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
) -> Decoded:
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
    )


_LINE_END = re.compile(rb"[\r\n]")
#: Legacy encodings whose reading of UTF-8 text the mojibake repair undoes.
_MOJIBAKE_SAFE = frozenset({"utf-8", "cp1252"})


def _utf8_lines(raw: bytes) -> list[tuple[int, bytes]]:
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
        codec = _python_codec(encoding)
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
            codec = _utf16_without_bom(raw) or f"{codec}-le"
        _check_unit_size(raw, codec, path)
        text, failures = _decode_recording(raw, codec)
        return _finish(
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
            text, failures = _decode_recording(body, codec)
            return _finish(
                body,
                text,
                failures,
                encoding=codec,
                reason=f"{label} byte-order mark",
                bom=True,
                skipped=len(mark),
            )

    utf16 = _utf16_without_bom(raw)
    if utf16:
        _check_unit_size(raw, utf16, path)
        text, failures = _decode_recording(raw, utf16)
        return _finish(
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
        # A BOM's first byte is rare in text: looking for it alone is a fast memchr.
        if b"\x00" not in raw and (b"\xef" not in raw or codecs.BOM_UTF8 not in raw):
            # Its own UTF-8 as it is: no text object of the whole input is ever built.
            return Decoded(data=raw, encoding="utf-8", reason=reason)
        return _finish(raw, raw.decode("utf-8"), [], encoding="utf-8", reason=reason)

    # Counted at C speed first: a legacy file has a bad byte per accented letter, and
    # recording each one through the error handler would cost seconds.
    ignored = raw.decode("utf-8", errors="ignore")
    bad_count = len(raw) - len(ignored.encode("utf-8"))
    valid_multibyte = len(ignored) - len(ignored.encode("ascii", errors="ignore"))
    if valid_multibyte and bad_count <= valid_multibyte:
        text, failures = _decode_recording(raw, "utf-8")
        return _finish(
            raw,
            text,
            failures,
            encoding="utf-8",
            reason=f"UTF-8 ({valid_multibyte} valid multi-byte characters) "
            f"with {len(failures)} undecodable byte sequence(s)",
        )

    codec, confidence, evidence = detector(raw)
    text, failures = _decode_recording(raw, codec)
    # UTF-8 read as cp1252 is the classic mojibake, which cleaning repairs exactly and
    # reports (``mojibake``); read as any other legacy encoding it would be garbled past
    # repair, so those lines are reported here and their rows rejected.
    utf8_lines = _utf8_lines(raw) if valid_multibyte and codec not in _MOJIBAKE_SAFE else []
    if utf8_lines:
        evidence += (
            f"; {len(utf8_lines)} UTF-8 sequence(s) on lines that are all UTF-8 are "
            "reported, not decoded as " + codec
        )
    return _finish(
        raw,
        text,
        failures,
        encoding=codec,
        reason=evidence,
        confidence=confidence,
        utf8_lines=utf8_lines,
    )


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
