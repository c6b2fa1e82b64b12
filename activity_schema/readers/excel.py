"""Read the first (or a named) sheet of an .xlsx workbook into text columns.

Cells are read as their canonical text through calamine (via fastexcel): numbers
without a spurious ``.0``, dates as ``YYYY-MM-DD HH:MM:SS``, booleans as ``true``/``false``.
The workbook is checked against zip-bomb limits before it is opened.
"""

from __future__ import annotations

import io
import zipfile

import polars as pl

from ..defaults import (
    DEFLATE_MAX_RATIO,
    XLSX_MAX_COMPRESSION_RATIO,
    XLSX_MAX_UNCOMPRESSED_BYTES,
)
from ..errors import InputError
from ..sniff import ZIP_ERRORS
from .table import LINE, ROW, SourceTable, unique_names

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

    Args:
        raw: The workbook's bytes.
        name: The input's display name.
        sheet: The sheet to read; the first sheet when None.

    Raises:
        InputError: The workbook is damaged, too large, or has no such sheet.
    """
    import fastexcel

    check_zip_limits(raw, name)
    try:
        reader = fastexcel.read_excel(raw)
    except Exception as err:  # fastexcel raises its own hierarchy; all mean "unreadable"
        raise InputError(f"cannot open the workbook: {err}", path=name) from None
    sheets = list(reader.sheet_names)
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
    try:
        loaded = reader.load_sheet(sheet, header_row=None, dtypes="string")
        grid = loaded.to_polars()
    except Exception as err:  # see above
        raise InputError(f"cannot read sheet {sheet!r}: {err}", path=name) from None
    if grid.height == 0:
        raise InputError(f"sheet {sheet!r} is empty", path=name, hint="pick another --sheet")
    header_cells = grid.row(0)
    headers = [str(h).strip() if h is not None else "" for h in header_cells]
    # Trailing columns with neither a header nor any value are formatting, not data.
    while (
        headers
        and not headers[-1]
        and grid.get_column(grid.columns[len(headers) - 1]).slice(1).null_count() == grid.height - 1
    ):
        headers.pop()
    names = unique_names(headers)
    body = grid.slice(1).select(grid.columns[: len(headers)])
    body.columns = names
    frame = body.with_columns(
        pl.int_range(1, body.height + 1, dtype=pl.Int64).alias(ROW),
        # Sheet rows are 1-based and the header is row 1.
        pl.int_range(2, body.height + 2, dtype=pl.Int64).alias(LINE),
    )
    empty = pl.all_horizontal(pl.col(names).is_null()) if names else pl.lit(True)
    blank = int(frame.select(empty.sum()).item())
    frame = frame.filter(~empty).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW)
    )
    return SourceTable(
        name=name,
        frame=frame.select(ROW, LINE, *names),
        headers=tuple(headers),
        format="xlsx",
        header_line=1,
        sheet=sheet,
        blank_rows=blank,
    )
