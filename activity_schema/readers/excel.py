"""Read the first (or a named) sheet of an .xlsx workbook into text columns.

Cells are read as their canonical text through calamine (via fastexcel): numbers at full
precision without a spurious ``.0`` (``0.30000000000000004``, ``0.0000000001``), dates as
``YYYY-MM-DD HH:MM:SS``, booleans as ``true``/``false``. The workbook is checked against
zip-bomb limits before it is opened, and the sheet against cell and text limits (calamine
builds the whole sheet in memory) before it is read. Lines are the sheet's own row
numbers. What cannot be read exactly is reported: formula cells without a saved value,
title rows above the header, a header that looks like data.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

import polars as pl

from ..defaults import (
    DEFLATE_MAX_RATIO,
    MAX_PREAMBLE_RECORDS,
    XLSX_MAX_CELLS,
    XLSX_MAX_COMPRESSION_RATIO,
    XLSX_MAX_TEXT_BYTES,
    XLSX_MAX_UNCOMPRESSED_BYTES,
)
from ..errors import InputError
from ..issues.codes import IssueCode, Severity
from ..issues.records import ISSUE_SCHEMA, empty_issues, file_issue
from .sniff import ZIP_ERRORS
from .table import LINE, ROW, SourceTable, unique_names
from .xlsx_scan import SheetScan, column_index, open_archive, scan_sheet, sheet_parts

__all__ = ["check_zip_limits", "read_xlsx"]


_CHUNK = 1 << 20


def check_zip_limits(
    raw: bytes,
    name: str,
    *,
    max_bytes: int = XLSX_MAX_UNCOMPRESSED_BYTES,
    max_ratio: float = XLSX_MAX_COMPRESSION_RATIO,
) -> None:
    """Refuse a workbook that is damaged or would unpack to too much (a zip bomb).

    The sizes a ZIP declares are checked first: the total against ``max_bytes``, each
    member's compression ratio against ``max_ratio``. A ZIP can lie about them, so when
    the file is large enough that the truth could break the limit (deflate expands at
    most 1032:1), every member is also inflated in chunks and refused as soon as it
    yields more than it declared.

    Args:
        raw: The workbook's bytes.
        name: The input's display name.
        max_bytes: The largest total uncompressed size.
        max_ratio: The largest compression ratio of any member.

    Raises:
        InputError: The archive is damaged, or over a limit.

    Example:
        >>> import io, zipfile
        >>> buf = io.BytesIO()
        >>> with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        ...     z.writestr("xl/worksheets/sheet1.xml", b" " * 1_000_000)
        >>> check_zip_limits(buf.getvalue(), "bomb.xlsx")
        Traceback (most recent call last):
        ...
        activity_schema.errors.InputError: bomb.xlsx: workbook member ...
    """
    hint = "export the sheet as CSV instead"
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except ZIP_ERRORS:
        raise InputError("the .xlsx file is damaged (not a valid ZIP)", path=name) from None
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise InputError(
            f"the workbook unpacks to {total:,} bytes, over the limit of {max_bytes:,}",
            path=name,
            hint=hint,
        )
    for info in infos:
        ratio = info.file_size / info.compress_size if info.compress_size else 0
        if ratio > max_ratio:
            raise InputError(
                f"workbook member {info.filename} is compressed {int(ratio)}:1, "
                "which looks like a zip bomb",
                path=name,
                hint=hint,
            )
    if sum(i.compress_size for i in infos) * DEFLATE_MAX_RATIO <= max_bytes:
        return  # even lying sizes cannot unpack to more than the limit
    for info in infos:
        try:
            with archive.open(info) as member:
                produced = 0
                while chunk := member.read(_CHUNK):
                    produced += len(chunk)
                    if produced > info.file_size:
                        raise InputError(
                            f"workbook member {info.filename} unpacks to more than the "
                            f"{info.file_size:,} bytes it declares, which looks like a zip bomb",
                            path=name,
                            hint=hint,
                        )
        except ZIP_ERRORS:
            raise InputError(
                f"the .xlsx file is damaged (member {info.filename} cannot be unpacked)",
                path=name,
            ) from None


def read_xlsx(raw: bytes, *, name: str, sheet: str | None = None) -> SourceTable:
    """Read one sheet of an .xlsx workbook.

    Before calamine reads the sheet, its XML is scanned (:mod:`.xlsx_scan`): a sheet whose
    cells or text are over the limits is refused, and the scan gives the sheet row where
    the data starts (so that lines are the sheet's real rows) and the formula cells that
    carry no saved value (reported: calamine reads them as empty). Numbers keep their
    full precision. A title row above the header is skipped and reported, a header that
    looks like data is reported with the names of the other sheets.

    Args:
        raw: The workbook's bytes.
        name: The input's display name.
        sheet: The sheet to read; the first sheet when None.

    Raises:
        InputError: The workbook is damaged, too large, empty, or has no such sheet.
    """
    import fastexcel

    check_zip_limits(raw, name)
    try:
        reader = fastexcel.read_excel(raw)
    except Exception as err:  # fastexcel raises its own hierarchy; all mean "unreadable"
        raise InputError(f"cannot open the workbook: {err}", path=name) from None
    sheets = list(reader.sheet_names)
    chosen = sheet is None
    if sheet is None:
        if not sheets:
            raise InputError("the workbook has no sheets", path=name)
        sheet = sheets[0]
    elif sheet not in sheets:
        raise InputError(
            f"the workbook has no sheet {sheet!r}",
            path=name,
            hint=f"use --sheet with one of: {', '.join(sheets)}",
        )
    others = [s for s in sheets if s != sheet]
    scan = _scan(raw, name, sheet)
    if scan is not None and scan.first_row is None:
        raise _empty_sheet(sheet, others, name)
    try:
        grid = reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    except Exception as err:  # see above
        raise InputError(f"cannot read sheet {sheet!r}: {err}", path=name) from None
    if grid.height == 0:
        raise _empty_sheet(sheet, others, name)
    grid = _empty_as_null(grid)
    if scan is None or scan.long_numbers:
        # Only numbers with more than 9 decimals lose digits in fastexcel's text.
        grid = _full_precision(reader, sheet, grid)
    first_row = scan.first_row if scan is not None and scan.first_row else 1
    first_column = scan.min_column if scan is not None and scan.min_column else 1
    start, issues = _find_header(grid, name, sheet, first_row)
    header_cells = grid.row(start)
    headers = [str(h).strip() if h is not None else "" for h in header_cells]
    # Trailing columns with neither a header nor any value are formatting, not data.
    below = grid.slice(start + 1)
    grid_columns = grid.columns
    while (
        headers
        and not headers[-1]
        and below.get_column(grid_columns[len(headers) - 1]).null_count() == below.height
    ):
        headers.pop()
    names = unique_names(headers)
    body = below.select(grid_columns[: len(headers)])
    body.columns = names
    header_line = first_row + start
    frame = body.with_columns(
        pl.int_range(1, body.height + 1, dtype=pl.Int64).alias(ROW),
        # The sheet's own row numbers: the header's row, then one per grid row.
        pl.int_range(header_line + 1, header_line + 1 + body.height, dtype=pl.Int64).alias(LINE),
    )
    empty = pl.all_horizontal(pl.col(names).is_null()) if names else pl.lit(True)
    blank = int(frame.select(empty.sum()).item())
    frame = frame.filter(~empty).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW)
    )
    if not frame.height and others:
        listed = ", ".join(repr(s) for s in others)
        raise InputError(
            f"sheet {sheet!r} has a header but no records; the workbook's other sheets: {listed}",
            path=name,
            hint=f"pass --sheet {_shell_word(others[0])} to read one of them",
        )
    if not issues.height:
        issues = _plausibility_issue(headers, name, sheet, others, chosen, header_line)
    if chosen and others:
        issues = pl.concat([issues, _sheet_note(sheet, others, name, header_line)])
    if scan is not None and scan.formulas_without_value_count:
        issues = pl.concat(
            [issues, _formula_issues(scan, frame, headers, names, name, sheet, first_column)]
        )
    return SourceTable(
        name=name,
        frame=frame.select(ROW, LINE, *names),
        headers=tuple(headers),
        format="xlsx",
        header_line=header_line,
        sheet=sheet,
        blank_rows=blank,
        issues=issues,
    )


#: What a workbook whose parts cannot be followed raises (calamine then decides).
_SCAN_ERRORS: tuple[type[Exception], ...] = (*ZIP_ERRORS, KeyError, ElementTree.ParseError)


def _scan(raw: bytes, name: str, sheet: str) -> SheetScan | None:
    """Scan the sheet's XML and refuse it when reading it would take too much memory.

    Returns None when the workbook's parts cannot be followed (calamine then decides).
    """
    try:
        archive = open_archive(raw)
        part = sheet_parts(archive).get(sheet)
        if part is None:
            return None
        scan = scan_sheet(
            archive, part, max_cells=XLSX_MAX_CELLS, max_text_bytes=XLSX_MAX_TEXT_BYTES
        )
    except _SCAN_ERRORS:
        return None
    hint = "export the sheet as CSV, which is read in bounded batches, or split the sheet"
    cells = max(scan.used_cells, scan.cells)
    if cells > XLSX_MAX_CELLS:
        span = (
            f" ({scan.last_row - (scan.first_row or 1) + 1:,} rows x {scan.max_column:,} columns)"
            if scan.used_cells >= scan.cells
            else ""
        )
        raise InputError(
            f"sheet {sheet!r} spans at least {cells:,} cells{span}, over the limit of "
            f"{XLSX_MAX_CELLS:,} cells of one sheet",
            path=name,
            hint=hint,
        )
    text = scan.xml_bytes + scan.shared_text_bytes
    if text > XLSX_MAX_TEXT_BYTES:
        raise InputError(
            f"sheet {sheet!r} holds at least {text:,} bytes of XML and text (shared strings "
            f"counted once per cell), over the limit of {XLSX_MAX_TEXT_BYTES:,} bytes",
            path=name,
            hint=hint,
        )
    return scan


def _empty_sheet(sheet: str, others: list[str], name: str) -> InputError:
    if not others:
        return InputError(
            f"sheet {sheet!r} is empty and the workbook has no other sheet", path=name
        )
    listed = ", ".join(repr(s) for s in others)
    return InputError(
        f"sheet {sheet!r} is empty; the workbook's other sheets: {listed}",
        path=name,
        hint=f"pass --sheet {_shell_word(others[0])} to read one of them",
    )


def _shell_word(text: str) -> str:
    """Return ``text`` quoted for a shell when it needs it (``'Q4 Leads'``)."""
    import shlex

    return shlex.quote(text)


def _empty_as_null(grid: pl.DataFrame) -> pl.DataFrame:
    """Return ``grid`` with empty text cells (a formula's ``""``) as empty cells.

    A cell holding an empty string is as empty as a cell holding nothing, as in the CSV
    reader; only the columns that hold one are touched.
    """
    names = grid.columns
    has_empty = grid.select((pl.all() == "").any()).row(0)
    touched = [names[i] for i, hit in enumerate(has_empty) if hit]
    if not touched:
        return grid
    return grid.with_columns(pl.col(touched).replace("", None))


# --- numbers -------------------------------------------------------------------------------

#: Text that may be a number fastexcel rounded to 9 decimals.
_NUMBER_TEXT = r"^-?\d+(\.\d+)?$"


def _full_precision(reader: Any, sheet: str, grid: pl.DataFrame) -> pl.DataFrame:
    """Return ``grid`` with numbers at full precision instead of fastexcel's 9 decimals.

    fastexcel writes a number cell as text rounded to 9 decimals (``0.30000000000000004``
    becomes ``0.3``, ``1e-10`` becomes ``0``). The columns that hold number-like text are
    read again as floats; where a float has more than 9 decimals and the text is exactly
    its 9-decimal rounding (so the cell was a number, not text), the text becomes the
    float's shortest round-trip digits, written without an exponent.
    """
    names = grid.columns
    looks = grid.select(pl.col(names).str.contains(_NUMBER_TEXT).any()).row(0)
    candidates = [names[i] for i, hit in enumerate(looks) if hit]
    if not candidates:
        return grid
    try:
        # By name: fastexcel's column indices count from column A, not from the range.
        floats = reader.load_sheet(
            sheet, header_row=None, dtypes="float", use_columns=candidates
        ).to_polars()
    except Exception:  # a sheet fastexcel read once but not as floats keeps its text
        return grid
    if floats.height != grid.height or floats.columns != candidates:
        return grid
    # Only columns holding a float with more than 9 decimals need a look.
    lossy_any = floats.select((pl.all().round(9) != pl.all()).any()).row(0)
    updates = []
    for column, lossy_here in zip(candidates, lossy_any, strict=True):
        if not lossy_here:
            continue
        values = floats.get_column(column)
        frame = pl.DataFrame({"f": values, "s": grid.get_column(column)})
        number = pl.col("f")
        lossy = number.is_not_null() & (number.round(9) != number)
        # polars writes floats as their shortest round-trip digits, with an exponent
        # only below 1e-5 or from 1e16; those few values are written by Python instead.
        rounded = number.round(9).cast(pl.String).str.replace(r"\.0$", "")
        full = number.cast(pl.String)
        odd = frame.filter(lossy & (rounded.str.contains("e") | full.str.contains("e")))
        if odd.height:
            numbers = odd.get_column("f").unique().to_list()
            rounded = (
                pl.when(number.is_in(numbers))
                .then(
                    number.replace_strict(
                        numbers, [_nine_decimals(x) for x in numbers], default=None
                    )
                )
                .otherwise(rounded)
            )
            full = (
                pl.when(number.is_in(numbers))
                .then(
                    number.replace_strict(
                        numbers, [_shortest_text(x) for x in numbers], default=None
                    )
                )
                .otherwise(full)
            )
        # A text cell that merely looks like a number ("007", "1.50") differs from the
        # float's 9-decimal rendering, and keeps its text.
        fixed = frame.select(
            pl.when(lossy & (rounded == pl.col("s"))).then(full).otherwise(pl.col("s"))
        ).to_series()
        updates.append(fixed.alias(column))
    return grid.with_columns(updates) if updates else grid


def _nine_decimals(number: float) -> str:
    """Return ``number`` as fastexcel writes it: 9 decimals, trailing zeros dropped."""
    return f"{number:.9f}".rstrip("0").rstrip(".")


def _shortest_text(number: float) -> str:
    """Return the shortest digits that read back as ``number``, without an exponent.

    Example:
        >>> _shortest_text(0.1 + 0.2), _shortest_text(1e-10), _shortest_text(1e20)
        ('0.30000000000000004', '0.0000000001', '100000000000000000000')
    """
    import numpy as np

    return str(np.format_float_positional(number, unique=True, trim="-"))


# --- the header ----------------------------------------------------------------------------

#: A header cell that is a value, not a column name: a number, a date, an email address.
_VALUE_TEXT = re.compile(r"-?\d+([.,]\d+)?|\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d)?|[^@\s]+@[^@\s]+\.\w+")


def _find_header(
    grid: pl.DataFrame, name: str, sheet: str, first_row: int
) -> tuple[int, pl.DataFrame]:
    """Return the grid row of the header, and the issue naming the title rows skipped.

    A title row (at most one filled cell, often merged across the table, where the
    records have several) is not the header; at most ``MAX_PREAMBLE_RECORDS`` are
    skipped, and a warning names the row taken as the header.
    """
    look = grid.head(MAX_PREAMBLE_RECORDS + 2)
    filled = look.select(
        pl.sum_horizontal(pl.col(grid.columns).str.strip_chars().str.len_chars() > 0)
    ).to_series()
    counts = [int(n or 0) for n in filled.to_list()]
    if grid.width < 2 or not counts or counts[0] > 1:
        return 0, empty_issues()
    index = 0
    while index < len(counts) - 1 and index < MAX_PREAMBLE_RECORDS and counts[index] <= 1:
        index += 1
    if counts[index] <= 1 or index == 0:
        return 0, empty_issues()
    titles = [
        str(v)
        for row in look.head(index).iter_rows()
        for v in row
        if v is not None and str(v).strip()
    ]
    header_row = first_row + index
    skipped = f"row {first_row}" if index == 1 else f"rows {first_row}-{header_row - 1}"
    shown = "; ".join(repr(t[:60]) for t in titles) or "blank"
    return index, file_issue(
        IssueCode.PREAMBLE_SKIPPED,
        Severity.WARNING,
        f"sheet {sheet!r}: row {header_row} was taken as the header; {skipped} above it "
        f"(a title: {shown}) were skipped",
        file=name,
        line=header_row,
        value=titles[0][:200] if titles else None,
        fix=f"check that row {header_row} is the header; delete the rows above it to silence this",
    )


def _plausibility_issue(
    headers: list[str], name: str, sheet: str, others: list[str], chosen: bool, line: int
) -> pl.DataFrame:
    """Return a warning when the header row looks like data, naming the other sheets."""
    values = [h for h in headers if h and _VALUE_TEXT.fullmatch(h)]
    named = [h for h in headers if h]
    if not values and (len(named) > 1 or len(headers) <= 1):
        return empty_issues()
    why = (
        f"it holds values ({', '.join(repr(v[:40]) for v in values[:3])}), not column names"
        if values
        else "only one of its cells is filled"
    )
    message = f"sheet {sheet!r}: row {line} was taken as the header, but {why}"
    if others:
        listed = ", ".join(repr(s) for s in others)
        message += f"; the workbook's other sheets: {listed}"
        fix = f"pass --sheet {_shell_word(others[0])} (or another sheet) if the data is there"
        if not chosen:
            fix = "check the sheet: its first filled row should hold the column names"
    else:
        fix = "check the sheet: its first filled row should hold the column names"
    return file_issue(
        IssueCode.HEADER_GUESSED,
        Severity.WARNING,
        message,
        file=name,
        line=line,
        value=" | ".join(headers)[:200],
        fix=fix,
    )


def _sheet_note(sheet: str, others: list[str], name: str, line: int) -> pl.DataFrame:
    listed = ", ".join(repr(s) for s in others)
    return file_issue(
        IssueCode.SHEET_CHOSEN,
        Severity.INFO,
        f"read sheet {sheet!r}, the first of {len(others) + 1}; the others are not read: {listed}",
        file=name,
        line=line,
        fix=f"pass --sheet {_shell_word(others[0])} to read another sheet",
    )


# --- formulas without a value --------------------------------------------------------------


def _formula_issues(
    scan: SheetScan,
    frame: pl.DataFrame,
    headers: list[str],
    names: list[str],
    name: str,
    sheet: str,
    first_column: int,
) -> pl.DataFrame:
    """Return a warning per formula cell that has no saved value (calamine reads it empty)."""
    cells = [_split_ref(ref) for ref in scan.formulas_without_value]
    lines = [line for _, line in cells]
    owners = frame.filter(pl.col(LINE).is_in(lines)).select(LINE, ROW)
    row_of = dict(
        zip(owners.get_column(LINE).to_list(), owners.get_column(ROW).to_list(), strict=True)
    )
    parts = []
    for ref, (column, line) in zip(scan.formulas_without_value, cells, strict=True):
        position = column - first_column
        header = headers[position] if 0 <= position < len(headers) else None
        parts.append(
            {
                "row": row_of.get(line),
                "line": line,
                "column": (header or names[position]) if header is not None else None,
                "value": f"{sheet}!{ref}",
            }
        )
    total = scan.formulas_without_value_count
    note = (
        f" ({total:,} such cells in the sheet, the first {len(cells):,} listed)"
        if total > len(cells)
        else ""
    )
    fix = (
        "open the workbook in Excel or LibreOffice and save it (this calculates the "
        "formulas), or export the sheet as CSV"
    )
    return pl.DataFrame(
        {
            "code": str(IssueCode.FORMULA_WITHOUT_VALUE),
            "severity": str(Severity.WARNING),
            "file": name,
            "row": [p["row"] for p in parts],
            "line": [p["line"] for p in parts],
            "field": None,
            "column": [p["column"] for p in parts],
            "value": [p["value"] for p in parts],
            "message": [
                f"formula cell {p['value']} has no saved value and is read as empty{note}"
                for p in parts
            ],
            "fix": fix,
        },
        schema=ISSUE_SCHEMA,
    )


def _split_ref(ref: str) -> tuple[int, int]:
    """Return the 1-based column and row of a cell reference (``C5`` -> ``(3, 5)``)."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    if match is None:
        return 0, 0
    return column_index(match.group(1)), int(match.group(2))
