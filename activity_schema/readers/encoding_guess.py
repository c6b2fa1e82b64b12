"""Guess a legacy (non-UTF) encoding with chardet, and say when the guess is doubtful.

chardet judges the lines that hold non-ASCII bytes, and its answer is read as the true
superset of what it names (Latin-1 as cp1252, Shift_JIS as cp932). A detector never sees
only the first 200 KB of a file whose first non-ASCII byte comes later. Close candidates
are compared on the values they read differently; a guess that stays in doubt carries a
:class:`Doubt`, which the reader reports as a warning.

:func:`~activity_schema.readers.encoding.decode` asks for a guess last, for input that
is neither marked, UTF-16 nor UTF-8.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

from ..defaults import CHARDET_SAMPLE_BYTES, SUPERSET_ENCODINGS, TIE_BREAK_RATIO, WEAK_CONFIDENCE

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "Detector",
    "Doubt",
    "Guess",
    "describe_doubt",
    "detect_legacy",
    "detector_sample",
]

#: Distinct non-ASCII values the detector compares readings on (the first ones).
MAX_DETECTOR_VALUES = 2000
#: Differing values a doubtful guess quotes.
MAX_DOUBT_VALUES = 3
#: Non-ASCII values that let chardet's cp1252 reading beat look-alike Latin readings.
MIN_WESTERN_VALUES = 3
#: chardet's candidates beyond its close calls that are tried when none reads plausibly.
MAX_EXTRA_CANDIDATES = 8


def _non_ascii_lines(
    raw: bytes,
    budget: int,
    buf: NDArray[np.uint8],
    high: NDArray[np.intp],
    *,
    first: int | None = None,
) -> bytes:
    """Return the first lines that hold a non-ASCII byte, up to ``budget`` bytes in all.

    Vectorized: the lines are found from the positions of high bytes (``high``, indices
    into ``buf``, the bytes as an array) and newlines, so a large file with few accented
    letters costs array scans, not a regex per line. The scans cover a growing start of
    the file (``first`` bytes, default four budgets, then four times more each round)
    until the lines picked there can no longer change: a file whose first megabyte
    fills the budget is not scanned to its end.
    """
    import numpy as np

    size = first if first is not None else 4 * budget
    while True:
        size = min(size, len(raw))
        picked, closed = _lines_with(raw, budget, buf[:size], high[: np.searchsorted(high, size)])
        if closed or size >= len(raw):
            return picked
        size *= 4


def _lines_with(
    raw: bytes, budget: int, buf: NDArray[np.uint8], high: NDArray[np.intp]
) -> tuple[bytes, bool]:
    """Pick the lines of ``buf`` (a start of ``raw``) with a high byte, up to ``budget``.

    Returns the lines joined, and whether the pick is final: some line was left out for
    the budget, so that no line past ``buf``'s end (nor the rest of its last one) could
    change it.
    """
    import numpy as np

    if not high.size:  # none yet: look further
        return b"", False
    newlines = np.flatnonzero(buf == 10)
    # Sorted already: dropping repeats is cheaper than np.unique's hashing.
    lines = np.searchsorted(newlines, high)
    lines = lines[np.concatenate(([True], lines[1:] != lines[:-1]))]
    starts = np.concatenate(([0], newlines + 1))[lines]
    ends = np.append(newlines + 1, len(buf))[lines]
    within = np.cumsum(ends - starts) <= budget
    within[0] = True  # at least one line, cut to the budget below
    picked = zip(starts[within].tolist(), ends[within].tolist(), strict=True)
    return b"".join(raw[a:b] for a, b in picked)[:budget], not bool(within[-1])


@dataclass(frozen=True)
class Doubt:
    """Encodings that read the input differently from the chosen one and are as plausible.

    Attributes:
        candidates: Python codec names, the chosen one first.
        values: Up to ``MAX_DOUBT_VALUES`` non-ASCII values that the candidates read
            differently, each as its reading under every candidate (in that order).
        differing: How many distinct non-ASCII values of the sample read differently.
        values_seen: How many distinct non-ASCII values the sample holds.
    """

    candidates: tuple[str, ...]
    values: tuple[tuple[str, ...], ...]
    differing: int
    values_seen: int


class Guess(NamedTuple):
    """A detector's answer: the codec, its confidence, the evidence, and any doubt."""

    codec: str
    confidence: float
    evidence: str
    doubt: Doubt | None = None


#: A detector takes bytes and returns a :class:`Guess` (or a plain
#: ``(codec, confidence, evidence)`` tuple).
Detector = Callable[[bytes], "Guess | tuple[str, float, str]"]


def describe_doubt(encoding: str, doubt: Doubt) -> tuple[str, str]:
    """Return the message and the fix of the warning for a doubtful guess.

    Example:
        >>> doubt = Doubt(("cp1250", "cp1252"), (("Győri", "Gyõri"),), 1, 4)
        >>> print(describe_doubt("cp1250", doubt)[0])  # doctest: +NORMALIZE_WHITESPACE
        encoding guessed as cp1250, but cp1252 is as plausible and reads 1 of 4
        non-ASCII values differently: "Győri" (cp1250) / "Gyõri" (cp1252)
    """
    others = [c for c in doubt.candidates if c != encoding]
    shown = "; ".join(
        " / ".join(
            f'"{_shown(value)}" ({codec})'
            for value, codec in zip(values, doubt.candidates, strict=True)
        )
        for values in doubt.values
    )
    if others:
        message = (
            f"encoding guessed as {encoding}, but {' and '.join(others)} "
            f"{'is' if len(others) == 1 else 'are'} as plausible and read"
            f"{'s' if len(others) == 1 else ''} {doubt.differing} of {doubt.values_seen} "
            f"non-ASCII values differently: {shown}"
        )
        fix = f"check these values, then pass --encoding {encoding} to confirm, or " + " or ".join(
            f"--encoding {c}" for c in others
        )
    else:
        message = f"encoding guessed as {encoding}, but no encoding reads values as letters"
        fix = "pass --encoding with the file's encoding"
    return message, fix


def _shown(value: str, limit: int = 40) -> str:
    """Return a value for a message: control characters escaped, long ones cut."""
    cut = value if len(value) <= limit else value[: limit - 1] + "…"
    return "".join(
        ch
        if unicodedata.category(ch)[0] != "C"
        else f"\\x{ord(ch):02x}"
        if ord(ch) < 256
        else f"\\u{ord(ch):04x}"
        for ch in cut
    )


def detect_legacy(raw: bytes) -> Guess:
    """Guess a legacy (non-UTF) encoding with chardet, and say when the guess is doubtful.

    chardet ranks every encoding it knows (modern Windows code pages, the ISO-8859
    sets, DOS and Mac code pages, East Asian encodings) on the lines that hold non-ASCII
    bytes, so a file whose first accented letter comes after megabytes of ASCII is judged
    on that letter. Its close calls are then compared on what decides them for a reader:
    the distinct non-ASCII values of the sample, decoded by each. A reading that turns
    letters into symbols (``gę¶l±``, ``C½ur``, ``¶ννα``), mixes scripts inside a word or
    writes Latin words in accented letters only is implausible; when one reading alone is
    plausible, it is chosen. When several plausible readings differ, chardet's ranking
    chooses and the guess carries a :class:`Doubt` naming them, which the reader reports
    as a warning.

    Args:
        raw: The input bytes (not valid UTF-8), or a sample of them.

    Returns:
        The guess.

    Example:
        >>> detect_legacy("Café, Zoë, Müller".encode("cp1252")).codec
        'cp1252'
        >>> detect_legacy("Gęślą jaźń, Łódź, Wiśniewska\\n".encode("iso8859-2")).codec
        'iso8859-2'
    """
    import chardet

    sample = detector_sample(raw)
    ranked: dict[str, tuple[float, str]] = {}
    for cand in chardet.detect_all(sample, compat_names=False, max_bytes=len(sample)):
        name = cand.get("encoding")
        if not name:
            continue
        codec = _superset(str(name), sample)
        if codec and codec not in ranked and _decodes(sample, codec):
            ranked[codec] = (float(cand.get("confidence") or 0.0), str(name))
    cells = _cells(sample)
    if not ranked:
        return Guess("cp1252", 0.0, "chardet had no answer; cp1252 assumed")
    order = list(ranked)
    top = order[0]
    top_conf = ranked[top][0]
    pool = [c for c in order if ranked[c][0] >= TIE_BREAK_RATIO * top_conf]
    if top_conf < WEAK_CONFIDENCE and "cp1252" not in pool and _decodes(sample, "cp1252"):
        # chardet's weak calls are near coin flips; the usual Windows export encoding
        # is always among the readings compared.
        pool.append("cp1252")
    readings = _readings(pool, cells)
    thin = False
    if next(r for r in readings if top in r.codecs).odd:
        # chardet's best guess reads the values implausibly (a short sample can rank
        # EBCDIC or Greek first): its ranking says little, so more of its list is read.
        extra = [c for c in ("cp1252", *order) if c not in pool][:MAX_EXTRA_CANDIDATES]
        pool += [c for c in extra if _decodes(sample, c)]
        readings = _readings(pool, cells)
        thin = True
    # The most plausible readings; the input itself may hold a few odd characters
    # (mojibake such as "CafÃ©"), so a reading with a few is still plausible when every
    # other reading has clearly more.
    least = min(r.odd for r in readings)
    clean = [r for r in readings if r.odd == least]
    close = [r for r in readings if least < r.odd <= 2 * least]
    most = max(r.letters for r in clean)
    best = [r for r in clean if r.letters == most]
    if len(best) > 1 and all(r.alphabets for r in best):
        # Latin readings: one whose accented letters fit one or two languages ("Şükrü
        # Yılmaz": Turkish) beats one that needs two more ("Žükrü Yżlmaz": Estonian,
        # Polish, Latvian). Not by less: exports mix names ("Crème", "Øst": French and
        # Danish, where cp1250 reads Czech "Crčme", "Řst").
        fewest = min(r.alphabets for r in best)
        best = [r for r in best if r.alphabets <= fewest + 1]
    # Equally plausible readings: see _first.
    chosen = _first(best, top, ranked)
    rivals = [r for r in best if r is not chosen] + close[:2]
    if "cp1252" in chosen.codecs and _close_call("cp1252", top, ranked):
        rivals = [r for r in rivals if not _western_over(chosen, r)]
    if thin and not rivals and not any(_common(c) for c in chosen.codecs):
        # A DOS or Mac code page alone reads a few bytes as letters ("ñ 20" for "€ 20"):
        # too little to choose it silently when chardet's own answer was implausible.
        rivals = [r for r in readings if r is not chosen][:2]
    return _guess(top, ranked, readings, chosen, rivals)


def _western_over(western: _Reading, other: _Reading) -> bool:
    """Tell whether chardet's cp1252 reading beats an equally plausible ``other`` reading.

    Western European names ("Åsa", "Núñez") also read as letters in other Latin code
    pages ("Ċsa", "Nśńez"), and chardet's confidences for them are near ties. When
    cp1252's reading is chosen and is one of chardet's close calls, and the other
    reading needs letters cp1252 lacks in every
    value they differ on, and the sample holds ``MIN_WESTERN_VALUES`` non-ASCII values
    or more, the other reading is a look-alike, not a rival.
    """
    if len(western.texts) < MIN_WESTERN_VALUES:
        return False
    differ = [i for i, text in enumerate(western.texts) if text != other.texts[i]]
    return all(
        _encodes(western.texts[i], "cp1252") and not _encodes(other.texts[i], "cp1252")
        for i in differ
    )


def _encodes(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class _Reading:
    """Codecs that decode the sample's non-ASCII values alike, and how plausibly.

    ``odd`` and ``letters`` count over the values that the compared readings differ on;
    ``alphabets`` is how many Latin alphabets their accented letters need (0 for none).
    """

    codecs: tuple[str, ...]
    texts: tuple[str, ...]
    odd: int = 0
    letters: int = 0
    alphabets: int = 0


def _readings(pool: list[str], cells: list[bytes]) -> list[_Reading]:
    """Group the codecs of ``pool`` by how they read ``cells``, and score each reading."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for codec in pool:
        texts = tuple(cell.decode(codec, errors="replace") for cell in cells)
        groups.setdefault(texts, []).append(codec)
    readings = list(groups.items())
    # Only the values that the readings differ on decide between them.
    differ = [i for i in range(len(cells)) if len({texts[i] for texts, _ in readings}) > 1]
    found = []
    for texts, codecs_ in readings:
        differing = [texts[i] for i in differ]
        odd, letters = _plausibility(differing)
        # Identical readings: name the one an exporter most likely wrote.
        codecs_.sort(key=lambda c: (c != "cp1252", not c.startswith("cp125")))
        found.append(_Reading(tuple(codecs_), texts, odd, letters, _alphabets(differing)))
    return found


def _first(readings: list[_Reading], top: str, ranked: dict[str, tuple[float, str]]) -> _Reading:
    """Return the reading to choose among equally plausible ones.

    cp1252, the usual Windows export encoding, when it is one of chardet's close calls;
    else chardet's best guess when it is a current encoding; else
    the first current encoding in chardet's order (on a short sample chardet may rank a
    rare code page, Kazakh or HP Roman-8, first). The choice is reported as doubtful.
    """
    for reading in readings:
        if "cp1252" in reading.codecs and _close_call("cp1252", top, ranked):
            return reading
    for reading in readings:
        if top in reading.codecs and top in _MODERN_WEB:
            return reading
    for reading in readings:
        if "cp1252" in reading.codecs:
            return reading
    modern = [r for r in readings if any(c in _MODERN_WEB for c in r.codecs)]
    return (modern or readings)[0]


def _close_call(codec: str, top: str, ranked: dict[str, tuple[float, str]]) -> bool:
    """Tell whether chardet ranks ``codec`` nearly as high as its best guess."""
    return ranked.get(codec, (0.0, ""))[0] >= TIE_BREAK_RATIO * ranked[top][0]


def _common(codec: str) -> bool:
    """Tell whether a codec is a current or an ISO-8859 encoding (not DOS, Mac, HP...)."""
    return codec in _MODERN_WEB or codec.startswith("iso8859-")


#: The encodings of chardet's "modern web" era: what current software writes.
_MODERN_WEB = frozenset(
    {"big5hkscs", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256",
     "cp1257", "cp1258", "cp874", "cp932", "cp949", "euc_jis_2004", "euc_kr", "gb18030",
     "koi8-r", "koi8-u", "shift_jis_2004", "tis-620"}
)  # fmt: skip


def _guess(
    top: str,
    ranked: dict[str, tuple[float, str]],
    readings: list[_Reading],
    chosen: _Reading,
    rivals: list[_Reading],
) -> Guess:
    """Word the guess: chardet's answer, and why another reading won or is doubted."""
    codec = chosen.codecs[0]
    top_conf, top_name = ranked[top]
    confidence = ranked.get(codec, (0.0, codec))[0]
    if top in chosen.codecs:
        evidence = f"chardet: {top_name} (confidence {top_conf:.2f})"
        if codec != top:
            evidence += f", read as {codec}, which reads every value alike"
        elif codecs.lookup(top_name).name != codec:
            evidence += f", read as its superset {codec}"
    else:
        evidence = (
            f"chardet's best guess {top_name} ({top_conf:.2f}) reads non-ASCII values as "
            f"symbols, in mixed scripts or with fewer letters; {codec} reads them as letters"
        )
    worse = [r.codecs[0] for r in readings if r is not chosen and r not in rivals]
    if worse:
        evidence += f"; {', '.join(worse[:3])} read some values less plausibly"
    doubt = _doubt(chosen, rivals) if rivals else None
    return Guess(codec, confidence, evidence, doubt)


def _doubt(chosen: _Reading, rivals: list[_Reading]) -> Doubt:
    differing = [
        (chosen.texts[i], *(r.texts[i] for r in rivals))
        for i in range(len(chosen.texts))
        if any(r.texts[i] != chosen.texts[i] for r in rivals)
    ]
    return Doubt(
        candidates=(chosen.codecs[0], *(r.codecs[0] for r in rivals)),
        values=tuple(differing[:MAX_DOUBT_VALUES]),
        differing=len(differing),
        values_seen=len(chosen.texts),
    )


#: Bytes that end a value in any delimited layout; none is a trail byte of the East
#: Asian multi-byte encodings, so a value's bytes decode alone as inside the file.
_CELL_END = re.compile(rb'[\t\n\r,;"|]+')
#: Non-letters that real names and titles hold: quotes, dashes, currency and the like.
_TYPOGRAPHIC = frozenset("–—‐‑‘’‚‛“”„«»‹›…•·†‡‰€£¥¢₪₽₴₹₩₺₫©®™°§¡¿\u00a0\u202f")
#: Characters inside a word that only apostrophes and hyphens legitimately are.
_IN_WORD = frozenset("’‘‐‑–·")
#: Characters no legacy-encoded name or title holds: a misread byte.
_ALWAYS_ODD = frozenset("¤¶¦¨¯´¸¬\ufffd")
#: Letters that are really symbols when they sit inside a word (ordinals, micro).
_ODD_LETTERS = frozenset("ªºµ")


def _cells(sample: bytes) -> list[bytes]:
    """Return the distinct values of ``sample`` that hold non-ASCII bytes (bounded).

    Values that are valid UTF-8 are left out when others remain: UTF-8 text in a legacy
    file (mojibake such as "CafÃ©", repaired and reported later) reads as garbage in
    every legacy encoding, and would only blur the comparison.
    """
    seen: dict[bytes, None] = {}
    utf8: dict[bytes, None] = {}
    for cell in _CELL_END.split(sample):
        if not cell.isascii():
            value = cell.strip(b" ")
            (utf8 if _decodes(value, "utf-8") else seen).setdefault(value, None)
            if len(seen) >= MAX_DETECTOR_VALUES:
                break
    return list(seen or utf8)


def _script(ch: str) -> str:
    if ch.isascii():
        return "LATIN"
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0]
    if first in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "HALFWIDTH", "FULLWIDTH", "IDEOGRAPHIC"):
        return "CJK"
    return first


def _plausibility(texts: list[str]) -> tuple[int, int]:
    """Return (implausible characters or words, non-ASCII letters) over ``texts``."""
    odd = letters = 0
    for text in texts:
        size = len(text)
        for i, ch in enumerate(text):
            if ch.isascii():
                continue
            cat = unicodedata.category(ch)
            before = text[i - 1].isalpha() if i else False
            after = text[i + 1].isalpha() if i + 1 < size else False
            if ch in _ODD_LETTERS:
                odd += before or after
            elif cat[0] in "LM":
                letters += 1
            elif ch in _ALWAYS_ODD or cat in ("Cc", "Cn", "Co", "Cs"):
                odd += 1
            elif cat[0] == "Z":
                continue  # a no-break or other space: junk in a value, not a misread
            elif ch in _TYPOGRAPHIC:
                odd += before and after and ch not in _IN_WORD
            else:
                odd += before or after
        for word in _WORD.findall(text):
            if word.isascii():
                continue
            scripts = {_script(ch) for ch in word if unicodedata.category(ch)[0] == "L"}
            # An accented capital after a small letter ("LefŹvre", "пЕРЕДЮВЮ") is a misread.
            odd += sum(1 for a, b in pairwise(word) if a.islower() and b.isupper() and b > "\x7f")
            # ...and so is one before or between a capital and a small letter ("CĹur" for
            # "Cœur", "ĞCrecimiento" for "«Crecimiento").
            odd += sum(
                1
                for a, b, c in zip(word, word[1:], word[2:], strict=False)
                if a.isupper() and b.isupper() and c.islower() and max(a, b) > "\x7f"
            )
            if len(scripts) > 1:
                odd += 1
            elif scripts == {"LATIN"}:
                odd += not _latin_word(word)
                # A lone accented letter is a word in few languages ("à", "é", "ó").
                odd += len(word) == 1 and word.lower() not in _ONE_LETTER_WORDS
        # A lone letter of a script written in words ("ν 20" for "€ 20") is a misread.
        counts = Counter(_script(ch) for ch in text if not ch.isascii() and ch.isalpha())
        odd += sum(1 for script, n in counts.items() if n == 1 and script not in ("LATIN", "CJK"))
    return odd, letters


_WORD = re.compile(r"[^\W\d_]+")
#: Accented letters that are words of their own in some language.
_ONE_LETTER_WORDS = frozenset("àáâäåèéêëìíîïòóôöøùúûüýçñ")
#: The letters beyond ASCII of the languages written in Latin script, one string each.
_LATIN_ALPHABETS = tuple(
    frozenset(letters)
    for letters in (
        "àâæçéèêëîïôœùûüÿ",  # French
        "äöüß",  # German
        "áéíñóúüç",  # Spanish, Galician
        "àçéèíïòóúü",  # Catalan
        "àèéìíîòóù",  # Italian
        "áâãàçéêíóôõú",  # Portuguese
        "éëïèóöüáúí",  # Dutch, Afrikaans
        "åäöéü",  # Swedish, Finnish
        "æøåéóüäö",  # Danish, Norwegian
        "áðéíóúýþæö",  # Icelandic
        "áðíóúýæø",  # Faroese
        "äöüõšž",  # Estonian
        "ąćęłńóśźż",  # Polish
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "áéíóöőúüű",  # Hungarian
        "ăâîșțşţ",  # Romanian
        "čćđšž",  # Croatian, Bosnian, Serbian, Slovene
        "çë",  # Albanian
        "çğıöşüâîû",  # Turkish
        "çəğıöşü",  # Azerbaijani
        "āčēģīķļņšūž",  # Latvian
        "ąčęėįšųūž",  # Lithuanian
        "ĉĝĥĵŝŭ",  # Esperanto
        "âêîôûŵŷ",  # Welsh
        "ċġħżàèìòù",  # Maltese
        "áàâãçéêíóôõúü",  # Brazilian Portuguese
        "ñ",  # Filipino, Basque
    )
)


def _alphabets(texts: list[str]) -> int:
    """Return how many Latin alphabets cover the accented Latin letters of ``texts``.

    A greedy cover: enough to tell one language's letters from a medley of several.
    """
    letters = {
        ch.lower()[0]
        for text in texts
        for ch in text
        if ch > "\x7f" and ch.isalpha() and _script(ch) == "LATIN"
    }
    letters.discard("i")
    count = 0
    while letters:
        covered = max((alphabet & letters for alphabet in _LATIN_ALPHABETS), key=len)
        if not covered:
            return count + len(letters)
        letters -= covered
        count += 1
    return count


def _latin_word(word: str) -> bool:
    """Tell whether a Latin-script word's letters could belong to one language.

    Latin words are mostly ASCII letters (``Àëåêñàíäð`` is Cyrillic misread), and their
    accented letters come from one alphabet (``Þükrü`` is Turkish misread).
    """
    accented = {ch.lower()[0] for ch in word if not ch.isascii()}
    accented.discard("i")  # "İ".lower() is "i" and a combining dot
    if len(word) >= 3 and len(accented) and not any(ch.isascii() for ch in word):
        return False
    return not accented or any(accented <= alphabet for alphabet in _LATIN_ALPHABETS)


def detector_sample(raw: bytes) -> bytes:
    """Return what the detector judges: the first non-ASCII lines, and every byte value.

    The lines that hold non-ASCII bytes, up to ``CHARDET_SAMPLE_BYTES``, then a line of
    the non-ASCII byte values found only past them: a codec decodes the sample exactly
    when it decodes every byte of the file, and each byte value's reading is judged.
    A sample is its own sample, so the streamed reader can pass one instead of the file.
    """
    import numpy as np

    buf = np.frombuffer(raw, dtype=np.uint8)
    high = np.flatnonzero(buf >= 0x80)
    if high.size == 0:
        return raw[:CHARDET_SAMPLE_BYTES]
    sample = _non_ascii_lines(raw, CHARDET_SAMPLE_BYTES, buf, high)
    values = np.flatnonzero(np.bincount(buf[high], minlength=256)).tolist()
    missing = bytes(sorted(set(values) - set(sample)))
    return sample + b"\n" + missing if missing else sample


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _superset(name: str, sample: bytes) -> str | None:
    """Return the codec to read chardet's answer ``name`` with (None if unknown)."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    superset = SUPERSET_ENCODINGS.get(codec)
    # A superset reads every character of its subset alike; it also decodes bytes
    # the subset leaves undefined (or as C1 control characters).
    return superset if superset and _decodes(sample, superset) else codec
