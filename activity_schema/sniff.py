"""Tell an input's format and CSV dialect from its content (the extension is a hint).

Formats: ``csv`` (any delimiter), ``json`` (an array of objects), ``ndjson`` (one object
per line) and ``xlsx``. Binary files that are not activity data are refused by their
magic numbers before any decoding is attempted.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
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
    "ZIP_ERRORS",
    "Dialect",
    "Format",
    "format_from_extension",
    "sniff_binary",
    "sniff_dialect",
    "sniff_text_format",
]

Format = Literal["csv", "tsv", "json", "ndjson", "xlsx"]

#: What the standard library raises for a damaged or unsupported ZIP archive (besides
#: BadZipFile: an unknown compression method, an undecodable name, an encrypted member).
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    OverflowError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)
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
        except ZIP_ERRORS:
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
    # UTF-16/32 text is full of NUL bytes; leave those to the decoder. (The UTF-32 LE
    # mark starts with UTF-16 LE's; the UTF-32 BE mark needs its own entry.)
    if head and not head.startswith(
        (b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x00\x00\xfe\xff")
    ):
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


def _records(text: str, quote: str, limit: int) -> list[str]:
    """Split the start of ``text`` into records: newlines inside quotes do not count."""
    records: list[str] = []
    start, in_quotes = 0, False
    for pos, ch in enumerate(text):
        if ch == quote:
            in_quotes = not in_quotes
        elif ch in "\r\n" and not in_quotes:
            if pos > start:
                records.append(text[start:pos])
                if len(records) >= limit:
                    return records
            start = pos + 1
    if not in_quotes and start < len(text):
        # The sample may end mid-record; a complete last line is still a record.
        records.append(text[start:])
    return [r for r in records if r.strip()]


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

    Records are split the way a CSV reader would (a newline inside quotes does not end
    one). The delimiter is the candidate that splits the header into more than one cell
    and splits the most of the first records into as many cells as the header; ties go
    to the order ``,`` ``;`` tab ``|``.

    Args:
        text: The start of the decoded text.
        hint: A delimiter the extension suggests (tab for .tsv), preferred on a tie.

    Example:
        >>> sniff_dialect("a;b;c\\n1;2;3\\n").delimiter
        ';'
    """
    quote = '"'
    if '"' not in text[:65536] and re.search(r"(^|[,;\t|])'[^']*'([,;\t|]|$)", text[:65536], re.M):
        quote = "'"
    lines = _records(text, quote, SNIFF_LINES)
    if not lines:
        return Dialect(hint or ",", quote, "empty input: default delimiter")
    candidates = list(CANDIDATE_DELIMITERS)
    if hint in candidates:
        candidates.remove(hint)
        candidates.insert(0, hint)
    best: tuple[float, int, str] | None = None
    for delim in candidates:
        counts = [_counts_outside_quotes(ln, delim, quote) for ln in lines]
        mode = counts[0]
        if mode == 0:
            continue
        score = sum(1 for c in counts if c == mode) / len(counts)
        if best is None or score > best[0]:
            best = (score, mode, delim)
    if best is None:
        return Dialect(hint or ",", quote, "no delimiter found: one column")
    score, mode, delim = best
    return Dialect(
        delim,
        quote,
        f"{_DELIMITER_NAMES[delim]}: {mode + 1} cells in the header and in {score:.0%} "
        f"of the first {len(lines)} records",
    )
