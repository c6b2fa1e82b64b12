"""Tell an input's format and CSV dialect from its content (the extension is a hint).

Formats: ``csv`` (any delimiter), ``json`` (an array of objects), ``ndjson`` (one object
per line) and ``xlsx``. Binary files that are not activity data are refused by their
magic numbers before any decoding is attempted.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from .defaults import (
    BINARY_CONTROL_RATIO,
    BINARY_SIGNATURES,
    CANDIDATE_DELIMITERS,
    SNIFF_LINES,
)
from .errors import InputError

__all__ = [
    "FORMATS",
    "Dialect",
    "Format",
    "format_from_extension",
    "sniff_binary",
    "sniff_dialect",
    "sniff_text_format",
]

Format = Literal["csv", "tsv", "json", "ndjson", "xlsx"]
FORMATS: tuple[str, ...] = ("csv", "tsv", "json", "ndjson", "xlsx")

_EXTENSIONS: dict[str, Format] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class Dialect:
    """A CSV dialect: delimiter, quote character, and how it was found."""

    delimiter: str
    quotechar: str
    evidence: str

    @property
    def delimiter_name(self) -> str:
        """Return the delimiter's name (``comma``, ``tab``...)."""
        return _DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))


def format_from_extension(name: str) -> Format | None:
    """Return the format an extension suggests, if any.

    Example:
        >>> format_from_extension("scans.TSV")
        'tsv'
    """
    dot = name.rfind(".")
    return _EXTENSIONS.get(name[dot:].lower()) if dot != -1 else None


def sniff_binary(raw: bytes, *, path: str) -> Literal["xlsx"] | None:
    """Return ``"xlsx"`` for an Excel workbook, None for text; refuse other binaries.

    Raises:
        InputError: The input is a binary file that is not an .xlsx workbook.
    """
    if raw.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except zipfile.BadZipFile:
            raise InputError(
                "the file is a damaged ZIP archive, not activity data",
                path=path,
                hint="export the data as CSV, JSON or .xlsx",
            ) from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise InputError(
            "the file is a ZIP archive, not activity data",
            path=path,
            hint="unzip it and pass the CSV, JSON or .xlsx inside",
        )
    for signature, what in BINARY_SIGNATURES:
        if raw.startswith(signature):
            raise InputError(
                f"the file is {what}, not activity data",
                path=path,
                hint="pass a CSV, TSV, JSON, NDJSON or .xlsx file",
            )
    head = raw[:8192]
    # UTF-16/32 text is full of NUL bytes; leave those to the decoder.
    if head and not head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        controls = sum(1 for b in head if b < 9 or 13 < b < 32)
        nuls = head.count(0)
        looks_utf16 = nuls and (
            head[0::2].count(0) < 0.05 * len(head) / 2 or head[1::2].count(0) < 0.05 * len(head) / 2
        )
        if controls - (nuls if looks_utf16 else 0) > BINARY_CONTROL_RATIO * len(head):
            raise InputError(
                "the file is binary (it is full of control bytes), not activity data",
                path=path,
                hint="pass a CSV, TSV, JSON, NDJSON or .xlsx file",
            )
    return None


def sniff_text_format(data: bytes) -> Literal["csv", "json", "ndjson"]:
    """Tell JSON, NDJSON and CSV apart from the first characters of UTF-8 text.

    Example:
        >>> sniff_text_format(b'{"a": 1}\\n{"a": 2}\\n')
        'ndjson'
    """
    stripped = data.lstrip()
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        lines = [ln for ln in stripped[:65536].split(b"\n") if ln.strip()]
        if (
            len(lines) > 1
            and lines[1].lstrip().startswith(b"{")
            and lines[0].rstrip().endswith(b"}")
        ):
            return "ndjson"
        return "json"
    return "csv"


def _counts_outside_quotes(line: str, delimiter: str, quote: str) -> int:
    count, in_quotes = 0, False
    for ch in line:
        if ch == quote:
            in_quotes = not in_quotes
        elif ch == delimiter and not in_quotes:
            count += 1
    return count


def sniff_dialect(text: str, *, hint: str | None = None) -> Dialect:
    """Find the delimiter and quote character of CSV text.

    The delimiter is the candidate whose count (outside quotes) is the same on the most
    of the first lines, and not zero; ties go to the order ``,`` ``;`` tab ``|``.

    Args:
        text: The start of the decoded text.
        hint: A delimiter the extension suggests (tab for .tsv), preferred on a tie.

    Example:
        >>> sniff_dialect("a;b;c\\n1;2;3\\n").delimiter
        ';'
    """
    lines = [ln for ln in text.splitlines()[:SNIFF_LINES] if ln.strip()]
    quote = '"'
    if '"' not in text[:65536] and re.search(r"(^|[,;\t|])'[^']*'([,;\t|]|$)", text[:65536], re.M):
        quote = "'"
    if not lines:
        return Dialect(hint or ",", quote, "empty input: default delimiter")
    candidates = list(CANDIDATE_DELIMITERS)
    if hint in candidates:
        candidates.remove(hint)
        candidates.insert(0, hint)
    best: tuple[float, int, str] | None = None
    for delim in candidates:
        counts = [_counts_outside_quotes(ln, delim, quote) for ln in lines]
        mode, freq = Counter(counts).most_common(1)[0]
        if mode == 0:
            continue
        score = freq / len(counts)
        if best is None or score > best[0]:
            best = (score, mode, delim)
    if best is None:
        return Dialect(hint or ",", quote, "no delimiter found: one column")
    score, mode, delim = best
    return Dialect(
        delim,
        quote,
        f"{_DELIMITER_NAMES[delim]}: {mode + 1} cells on {score:.0%} "
        f"of the first {len(lines)} lines",
    )
