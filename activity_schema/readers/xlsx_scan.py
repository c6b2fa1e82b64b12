"""Look at a worksheet's XML before calamine reads it: its size, its first row, its formulas.

calamine (through fastexcel) builds the whole used range of a sheet in memory, one
value per cell of the rectangle from the first to the last filled cell, and copies a
shared string into every cell that refers to it. A small workbook can therefore need
gigabytes. This scan streams the sheet's XML once, in chunks, and measures what reading
it would cost, so that an oversized sheet is refused before it is read.

It also finds what calamine does not tell: the sheet row where the used range starts
(the line numbers of records), and formula cells that carry no cached value (calamine
reads them as empty cells, which would silently lose the value).

The scan counts bytes with ``bytes.count`` and C-level regular expressions; Python work is
done per row tag, per formula cell without a value, and per distinct column name only.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

import numpy as np

__all__ = ["SheetScan", "column_index", "open_archive", "scan_sheet", "sheet_parts"]

#: Decompressed bytes scanned at a time.
_CHUNK = 1 << 20
#: Shared strings at most this long are counted at this length (no exact sum needed).
_SHORT_STRING = 32
#: Formula cells without a value that are itemised (the rest are counted).
MAX_LISTED_FORMULAS = 1000
#: The largest part read whole (workbook.xml and its relationships).
_MAX_SMALL_PART = 64 << 20

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass
class SheetScan:
    """What a worksheet's XML holds, measured without building its cells.

    Attributes:
        first_row: The 1-based sheet row of the first cell with a value (the first row
            of the range calamine reads); None for a sheet without values.
        last_row: The 1-based sheet row of the last row element.
        max_column: The 1-based index of the rightmost cell.
        min_column: The 1-based index of the leftmost cell (where calamine's range
            starts), when cells name their position.
        cells: Cell elements in the sheet (filled or not).
        xml_bytes: The sheet's uncompressed XML size.
        shared_cells: Cells that refer to a shared string.
        shared_text_bytes: The UTF-8 bytes of the shared strings all cells refer to
            (a string referred to twice counts twice: calamine copies it per cell).
        formulas_without_value: Cell references (``C5``) of formula cells whose cached
            value is missing, at most :data:`MAX_LISTED_FORMULAS`.
        formulas_without_value_count: How many such cells there are.
        long_numbers: Whether a value has more than 9 decimals or a negative exponent
            (the numbers fastexcel's text rounds).
    """

    first_row: int | None = None
    last_row: int = 0
    max_column: int = 0
    min_column: int | None = None
    cells: int = 0
    xml_bytes: int = 0
    shared_cells: int = 0
    shared_text_bytes: int = 0
    formulas_without_value: list[str] = field(default_factory=list)
    formulas_without_value_count: int = 0
    long_numbers: bool = False

    @property
    def used_cells(self) -> int:
        """Return the cells of the rectangle calamine builds (first to last filled cell)."""
        if self.first_row is None:
            return 0
        width = self.max_column - (self.min_column or 1) + 1
        return (self.last_row - self.first_row + 1) * max(width, 0)


def column_index(letters: str) -> int:
    """Return the 1-based index of a column name.

    Example:
        >>> column_index("A"), column_index("Z"), column_index("AA"), column_index("XFD")
        (1, 26, 27, 16384)
    """
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Return each sheet's name mapped to its XML member, in workbook order.

    Returns an empty mapping when the workbook's structure cannot be followed (calamine
    then reports the damage itself).
    """
    try:
        root = _small_xml(archive, "_rels/.rels")
        book = next(
            (
                r.get("Target", "")
                for r in root.iter(f"{{{_PKG_REL_NS}}}Relationship")
                if r.get("Type", "").endswith("/officeDocument")
            ),
            "xl/workbook.xml",
        ).lstrip("/")
        folder = posixpath.dirname(book)
        rels_name = posixpath.join(folder, "_rels", posixpath.basename(book) + ".rels")
        targets = {
            r.get("Id"): r.get("Target", "")
            for r in _small_xml(archive, rels_name).iter(f"{{{_PKG_REL_NS}}}Relationship")
        }
        parts: dict[str, str] = {}
        for sheet in _small_xml(archive, book).iter(f"{{{_MAIN_NS}}}sheet"):
            target = targets.get(sheet.get(f"{{{_REL_NS}}}id"), "")
            if not target:
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            parts[sheet.get("name", "")] = posixpath.normpath(path)
        return parts
    except (KeyError, ElementTree.ParseError, ValueError):
        return {}


def _small_xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    info = archive.getinfo(name)
    if info.file_size > _MAX_SMALL_PART:
        raise ValueError(name)
    return ElementTree.fromstring(archive.read(info))


def shared_string_lengths(archive: zipfile.ZipFile) -> np.ndarray:
    """Return the UTF-8 length of each shared string, in index order (empty when none)."""
    name = next((n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")), None)
    if name is None:
        return np.zeros(0, dtype=np.int64)
    lengths: list[int] = []
    item = f"{{{_MAIN_NS}}}si"
    text = f"{{{_MAIN_NS}}}t"
    with archive.open(name) as member:
        for _, element in ElementTree.iterparse(member, events=("end",)):
            if element.tag == item:
                # Rich text keeps its runs' <t> elements; phonetic runs (<rPh>) are not shown.
                lengths.append(sum(len((t.text or "").encode()) for t in element.iter(text)))
                element.clear()
    return np.array(lengths, dtype=np.int64)


def scan_sheet(
    archive: zipfile.ZipFile,
    part: str,
    *,
    max_cells: int | None = None,
    max_text_bytes: int | None = None,
) -> SheetScan:
    """Measure a worksheet's XML in one streamed pass.

    Args:
        archive: The open workbook.
        part: The sheet's XML member (from :func:`sheet_parts`).
        max_cells: Stop as soon as the sheet is known to span more cells than this
            (the scan's figures are then partial, and already over the limit).
        max_text_bytes: Stop as soon as the sheet's text is known to exceed this.

    Raises:
        KeyError: The member is missing.
        ElementTree.ParseError: The shared strings are not XML.
    """
    scan = SheetScan()
    lengths = shared_string_lengths(archive)
    with archive.open(part) as member:
        buffer = b""
        patterns: _Patterns | None = None
        rows_seen = 0
        while True:
            chunk = member.read(_CHUNK)
            scan.xml_bytes += len(chunk)
            buffer += chunk
            if patterns is None:
                found = re.search(rb"<(\w+:)?sheetData\b", buffer)
                if found is None:
                    if not chunk:
                        break
                    continue
                patterns = _Patterns(found.group(1) or b"")
                buffer = buffer[found.end() :]
            # Work on whole elements: cut after the last closed cell or row.
            cut = len(buffer) if not chunk else patterns.last_boundary(buffer)
            if cut > 0:
                work, buffer = buffer[:cut], buffer[cut:]
                rows_seen = _scan_part(work, patterns, scan, rows_seen, lengths)
            if not chunk or _over(scan, max_cells, max_text_bytes):
                break
    return scan


def _over(scan: SheetScan, max_cells: int | None, max_text_bytes: int | None) -> bool:
    if max_cells is not None and max(scan.cells, scan.used_cells) > max_cells:
        return True
    text = scan.xml_bytes + scan.shared_text_bytes
    return max_text_bytes is not None and text > max_text_bytes


class _Patterns:
    """The byte patterns of one sheet's tags (their namespace prefix differs by writer)."""

    def __init__(self, prefix: bytes) -> None:
        p = re.escape(prefix)
        self.row_open = b"<" + prefix + b"row"
        # Every cell with content closes with </c> (one with attributes only, <c .../>,
        # holds no value: calamine leaves it out of the range).
        self.cell_tags = (b"</" + prefix + b"c>",)
        self.boundaries = (b"</" + prefix + b"c>", b"</" + prefix + b"row>", b"/>")
        self.row = re.compile(rb"<" + p + rb"row\b([^>]*)>")
        self.row_number = re.compile(rb'\br="(\d+)"')
        # A cell with a value, as calamine counts one: a non-empty <v>, an inline
        # string, or a formula's (possibly empty) string result.
        self.value = re.compile(
            rb"<" + p + rb"v>[^<]|<" + p + rb"is>|<" + p + rb'c\b[^>]*\bt="str"'
        )
        # Inside sheetData only cells name a column in r="..." (rows give a number).
        # (r=" is no suffix of another attribute of theirs: ref=", spans=" differ).
        self.wide_column = re.compile(rb'r="([A-Z]{2,3})\d')
        #: (first, last) -> a search for a one-letter column between those letters.
        self.letters = {
            (a, b): re.compile(rb'r="([' + bytes([64 + a]) + b"-" + bytes([64 + b]) + rb"])\d")
            for a in range(1, 27)
            for b in range(a, 27)
        }
        self.shared = re.compile(rb'\st="s"[^>]*>\s*<' + p + rb"v>(\d+)</" + p + rb"v>")
        self.formula = b"<" + prefix + b"f"
        self.long_number = re.compile(rb"<" + p + rb"v>-?\d*(?:\.\d{10}|(?:\.\d+)?[Ee]-)")
        # A formula cell whose only children are the formula and an empty value.
        self.bare_formula = re.compile(
            rb"<" + p + rb"c\b([^>]*)>\s*<" + p + rb"f\b[^>]*(?:/>|>[^<]*</" + p + rb"f>)\s*"
            rb"(<" + p + rb"v\s*/>|<" + p + rb"v>\s*</" + p + rb"v>)?\s*</" + p + rb"c>"
        )
        self.cell_ref = re.compile(rb'\br="([A-Z]+\d+)"')
        self.cell_type = re.compile(rb'\bt="(\w+)"')

    def last_boundary(self, buffer: bytes) -> int:
        """Return the end of the last closed element in ``buffer`` (0 when none)."""
        ends = [buffer.rfind(tag) for tag in self.boundaries]
        best = max(ends)
        if best < 0:
            return 0
        return best + len(self.boundaries[ends.index(best)])


def _scan_part(
    work: bytes, patterns: _Patterns, scan: SheetScan, rows_seen: int, lengths: np.ndarray
) -> int:
    """Add one run of whole elements to ``scan``; return the rows seen so far."""
    scan.cells += sum(work.count(tag) for tag in patterns.cell_tags)
    # Row numbers: only the first row with a value and the last row matter.
    if scan.first_row is None:
        value = patterns.value.search(work)
        limit = value.start() if value is not None else len(work)
        number = rows_seen
        for row in patterns.row.finditer(work, 0, limit):
            explicit = patterns.row_number.search(row.group(1))
            number = int(explicit.group(1)) if explicit else number + 1
        if value is not None:
            scan.first_row = max(number, 1)
    last = work.rfind(patterns.row_open)
    if last >= 0:
        tag = patterns.row.match(work, last)
        explicit = patterns.row_number.search(tag.group(1)) if tag else None
        # Rows without r="..." follow the one before: only then are the tags counted.
        number = int(explicit.group(1)) if explicit else rows_seen + len(patterns.row.findall(work))
        scan.last_row = max(scan.last_row, number)
        rows_seen = number
    _scan_columns(work, patterns, scan)
    if not scan.long_numbers:
        scan.long_numbers = patterns.long_number.search(work) is not None
    _scan_shared(work, patterns, scan, lengths)
    if patterns.formula in work:
        _scan_formulas(work, patterns, scan)
    return rows_seen


def _scan_columns(work: bytes, patterns: _Patterns, scan: SheetScan) -> None:
    """Widen the scan's first and last column to the cells of ``work``.

    Sheets wider than Z are rare: their two- and three-letter columns are listed. The
    single letters are found by searching for a letter past the widest seen so far (and
    before the first), a scan or two per chunk instead of one match per cell.
    """
    letters = set(patterns.wide_column.findall(work))
    found: set[int] = set()
    if letters:
        # Column names order by length, then alphabetically: no need to convert each.
        found = {
            column_index(min(letters, key=_column_order).decode()),
            column_index(max(letters, key=_column_order).decode()),
        }
    low, high = scan.min_column or 27, scan.max_column
    while high < 26:
        beyond = patterns.letters[(high + 1, 26)].search(work)
        if beyond is None:
            break
        high = column_index(beyond.group(1).decode())
        found.add(high)
    while low > 1:
        before = patterns.letters[(1, min(low - 1, 26))].search(work)
        if before is None:
            break
        low = column_index(before.group(1).decode())
        found.add(low)
    if found:
        scan.max_column = max(scan.max_column, *found)
        least = min(found)
        scan.min_column = least if scan.min_column is None else min(scan.min_column, least)


def _column_order(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters


def _scan_shared(work: bytes, patterns: _Patterns, scan: SheetScan, lengths: np.ndarray) -> None:
    """Add the text of the shared strings the cells of ``work`` refer to."""
    shared = work.count(b' t="s"')
    if not shared or not lengths.size:
        return
    scan.shared_cells += shared
    longest = int(lengths.max())
    if longest <= _SHORT_STRING:
        # Short strings cannot matter much: each reference is counted at the longest.
        scan.shared_text_bytes += shared * longest
        return
    refs = np.array([int(r) for r in patterns.shared.findall(work)], dtype=np.int64)
    refs = refs[refs < lengths.size]
    scan.shared_text_bytes += int(lengths[refs].sum())


def _scan_formulas(work: bytes, patterns: _Patterns, scan: SheetScan) -> None:
    """Record the formula cells of ``work`` that carry no cached value."""
    for cell in patterns.bare_formula.finditer(work):
        attributes, empty_value = cell.group(1), cell.group(2)
        kind = patterns.cell_type.search(attributes)
        if empty_value and kind and kind.group(1) == b"str":
            continue  # a cached empty-string result ("" from =IF(...)) is a value
        scan.formulas_without_value_count += 1
        if len(scan.formulas_without_value) < MAX_LISTED_FORMULAS:
            ref = patterns.cell_ref.search(attributes)
            scan.formulas_without_value.append(ref.group(1).decode() if ref else "?")


def open_archive(raw: bytes) -> zipfile.ZipFile:
    """Return the workbook's bytes as an open ZIP archive."""
    return zipfile.ZipFile(io.BytesIO(raw))
