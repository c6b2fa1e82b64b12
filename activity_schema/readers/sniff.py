"""Tell an input's format and CSV dialect from its content (the extension is a hint).

Formats: ``csv`` (any delimiter), ``json`` (an array of objects), ``ndjson`` (one object
per line) and ``xlsx``. Binary files that are not activity data are refused by their
magic numbers before any decoding is attempted.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..defaults import (
    BINARY_CONTROL_RATIO,
    BINARY_SIGNATURES,
    CANDIDATE_DELIMITERS,
    SNIFF_LINES,
)
from ..errors import InputError
from .encoding import utf16_without_bom
from .scan import NL, find_quotes, scan

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


def sniff_binary(raw: bytes, *, path: str, encoding: str | None = None) -> Literal["xlsx"] | None:
    """Return ``"xlsx"`` for an Excel workbook, None for text; refuse other binaries.

    Args:
        raw: The input's first bytes (or all of them).
        path: The input's name, for messages.
        encoding: The encoding given with ``--encoding``: UTF-16 and UTF-32 text is full
            of control bytes, so an input said to be in one is never refused as binary.

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
    if encoding and _wide_unicode(encoding):
        return None
    head = raw[:8192]
    # UTF-16/32 text is full of NUL bytes; leave those to the decoder. (The UTF-32 LE
    # mark starts with UTF-16 LE's; the UTF-32 BE mark needs its own entry.)
    if head and not head.startswith(
        (b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x00\x00\xfe\xff")
    ):
        controls = sum(1 for b in head if b < 9 or 13 < b < 32)
        if controls > BINARY_CONTROL_RATIO * len(head) and not utf16_without_bom(head):
            # Cyrillic, Greek or CJK text in UTF-16 without a BOM has control bytes
            # in most code units (U+0410 is 10 04): the decoder's check tells it apart.
            raise InputError(
                "the file is binary (it is full of control bytes), not activity data",
                path=path,
                hint="pass a CSV, TSV, JSON, NDJSON or .xlsx file; if it is UTF-16 or "
                "UTF-32 text, pass --encoding utf-16 (or utf-32)",
            )
    return None


def _wide_unicode(encoding: str) -> bool:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False  # the decoder reports the unknown name
    return name.startswith(("utf-16", "utf-32"))


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


#: Excel's first line naming the delimiter (``sep=;``).
_SEP_LINE = re.compile(r'"?sep=(.)"?[ \t]*', re.IGNORECASE)


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _consistency(
    data: bytes, delimiter: str, quote: str, *, limit: int
) -> tuple[float, int, int, bool]:
    """Return how consistently ``delimiter`` splits the records, with ``quote`` quoting.

    Returns:
        The share of records with the usual cell count, that count, the records looked
        at, and whether the header (the first record, ``#`` comments aside) has it.
    """
    structure = scan(data, delimiter, quote)
    cells = structure.cells
    if structure.open_line and cells.size > 1:
        cells = cells[:-1]  # the sample ends inside a quoted cell: the last record is cut
    cells = cells[:limit]
    if not cells.size:
        return 0.0, 1, 0, False
    starts = structure.starts[: cells.size]
    # Comment lines above the header are not records.
    comment = np.frombuffer(data, dtype=np.uint8)[starts] == ord("#")
    body = cells[~comment] if not comment.all() else cells
    usual = int(np.bincount(body).argmax())
    score = float((body == usual).mean())
    return score, usual, int(body.size), bool(body[0] == usual)


def sniff_dialect(text: str, *, hint: str | None = None, quote: str | None = None) -> Dialect:
    """Find the delimiter and quote character of CSV text.

    Records are cut by the readers' one quote rule (a quote means something only at the
    start of a cell). The delimiter is the candidate that splits the most records into
    the same number of cells, more than one; ties go to the hint, then to the order
    ``,`` ``;`` tab ``|``. Excel's ``sep=;`` first line names it outright. The quote
    character is ``"`` unless ``'`` quotes whole cells only and splits the records more
    consistently, or as consistently in a text without ``"`` and on one line only: an
    apostrophe at the start of one cell and another at the end of a later one
    (``'Tis ... Partners'``) would merge them.

    Args:
        text: The start of the decoded text.
        hint: A delimiter the extension suggests (tab for .tsv), preferred on a tie.
        quote: The quote character when known (``""``: no quoting).

    Example:
        >>> sniff_dialect("a;b;c\\n1;2;3\\n").delimiter
        ';'
    """
    text = _normalize_newlines(text[:65536])
    first = text.split("\n", 1)[0]
    sep = _SEP_LINE.fullmatch(first)
    if sep and sep.group(1) not in "\r\n":
        return Dialect(sep.group(1), quote or '"', f"Excel's {first.strip()!r} first line")
    if not text.strip():
        return Dialect(hint or ",", quote or '"', "empty input: default delimiter")
    data = text.encode("utf-8")
    candidates = list(CANDIDATE_DELIMITERS)
    if hint in candidates:
        candidates.remove(hint)
        candidates.insert(0, hint)
    quotes = [quote] if quote is not None else ['"', "'"] if "'" in text else ['"']
    best: tuple[float, int, int, bool, str, str] | None = None
    for quote in quotes:
        for delim in candidates:
            score, usual, records, header = _consistency(data, delim, quote, limit=SNIFF_LINES)
            if usual < 2:
                continue
            better = best is None or score > best[0]
            if better and quote == "'" and best is not None and best[5] == '"':
                better = _quotes_whole_cells(data, delim, one_line=False)
            elif quote == "'" and best is not None and best[5] == '"' and score == best[0]:
                better = '"' not in text and _quotes_whole_cells(data, delim, one_line=True)
            if better:
                best = (score, usual, records, header, delim, quote)
    if best is None:
        return Dialect(hint or ",", quotes[0], "no delimiter found: one column")
    score, usual, records, header, delim, quote = best
    where = "in the header and in" if header else "in"
    return Dialect(
        delim,
        quote,
        f"{_DELIMITER_NAMES[delim]}: {usual} cells {where} {score:.0%} "
        f"of the first {records} records",
    )


def _quotes_whole_cells(data: bytes, delimiter: str, *, one_line: bool) -> bool:
    """Return whether apostrophes only ever quote whole cells (on one line, if asked).

    An apostrophe read as text where ``'`` quotes (``'Tis the season,' she said``) is
    more likely an apostrophe than a quote. And on a tie with ``"``, a span that holds a
    delimiter or a line break, which changes the records, is more likely an apostrophe
    at the start of one cell and another at the end of a later one than a quoted cell.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    found = find_quotes(buf, ord("'"), ord(delimiter), literals=True)
    toggles = found.toggles
    if not toggles.size or toggles.size % 2 or found.literal.size:
        return False
    if not one_line:
        return True
    breaks = np.cumsum((buf == NL) | (buf == ord(delimiter)))
    return bool((breaks[toggles[1::2]] == breaks[toggles[0::2]]).all())
