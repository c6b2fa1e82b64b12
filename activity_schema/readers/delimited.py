"""Read delimited text (CSV, TSV, any sniffed dialect) into text columns with positions.

The structure of the file (where records start, on which physical line, how many cells
each has, whether a quote is left open) is found by vectorized passes over the bytes with
numpy: the positions of quotes and newlines give the records, and one segmented sum over
a delimiter mask gives each record's cell count, without listing the delimiters. The cells
are then parsed by polars' CSV reader. Files that polars cannot parse (a quote in the
middle of an unquoted cell) fall back to Python's ``csv`` module, which is slower but
forgiving. The cell counts are the scan's own, never polars': polars pads short records,
and tolerates some long ones (a trailing delimiter on a last line without a newline).
"""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..codes import IssueCode, Severity
from ..errors import InputError
from ..report import empty_issues, file_issue, issue_frame
from ..sniff import Dialect
from .table import LINE, ROW, SourceTable, unique_names

__all__ = ["read_delimited"]

_NL = 10
#: Ragged rows whose raw text is kept in the report.
MAX_RAW_VALUES = 1000


@dataclass(frozen=True)
class _Structure:
    starts: np.ndarray  # byte offset of each non-blank record (header included)
    ends: np.ndarray  # byte offset one past each record (before its newline)
    lines: np.ndarray  # 1-based physical line of each record
    cells: np.ndarray  # cells per record
    blank: int  # blank records skipped
    stray_quotes: bool  # quotes in the middle of unquoted cells


def _normalize_newlines(data: bytes) -> bytes:
    if b"\r" not in data:
        return data
    # CRLF and lone CR (old Mac exports) both end a line; cells keep a plain LF.
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _scan(data: bytes, delimiter: str, quotechar: str, path: str) -> _Structure:
    buf = np.frombuffer(data, dtype=np.uint8)
    n = buf.size
    qb, db = ord(quotechar), ord(delimiter)
    # bytes.find is a memchr: files without any quote skip the quote pass entirely.
    has_quotes = data.find(quotechar.encode()) != -1
    # One mask, filled for each byte looked for: a fresh array each time would cost a
    # page fault per 4 KB of input, three times over.
    mask = np.empty(n, dtype=bool)
    quotes = (
        np.flatnonzero(np.equal(buf, qb, out=mask)) if has_quotes else np.zeros(0, dtype=np.intp)
    )
    # A quote that neither touches a cell boundary nor another quote is literal text
    # (`5" screen`); RFC 4180 only gives quotes meaning at the edges of a cell.
    stray = np.zeros(0, dtype=bool)
    if quotes.size:
        prev = np.where(quotes > 0, buf[np.maximum(quotes - 1, 0)], _NL)
        nxt = np.where(quotes < n - 1, buf[np.minimum(quotes + 1, n - 1)], _NL)
        at_edge = (prev == _NL) | (prev == db) | (nxt == _NL) | (nxt == db)
        doubled = (prev == qb) | (nxt == qb)
        stray = ~(at_edge | doubled)
        quotes = quotes[~stray]
    newlines = np.flatnonzero(np.equal(buf, _NL, out=mask))
    if quotes.size % 2:
        # The state is "inside quotes" at the end; the last line with an odd number of
        # quotes is where it was opened.
        per_line = np.bincount(np.searchsorted(newlines, quotes), minlength=newlines.size + 1)
        culprit = int(np.flatnonzero(per_line % 2)[-1]) + 1
        raise InputError(
            f"unclosed quote: a quoted cell opened on line {culprit} never closes, "
            "so every line after it would merge into one cell",
            path=path,
            line=culprit,
            hint=f"close the quote, or double a literal quote as {quotechar * 2}",
        )
    # A newline ends a record when an even number of quotes comes before it.
    quotes_before = np.searchsorted(quotes, newlines)
    outside = quotes_before % 2 == 0
    record_ends = newlines[outside]
    starts = np.concatenate(([0], record_ends + 1))
    ends = np.concatenate((record_ends, [n]))
    # Where each record's quotes begin in `quotes` (it may hold none).
    first_quote = np.concatenate(([0], quotes_before[outside]))
    if starts[-1] >= n:  # file ends with a newline: no record after it
        starts, ends, first_quote = starts[:-1], ends[:-1], first_quote[:-1]
    blank_mask = starts == ends
    if record_ends.size == newlines.size:  # no quoted line breaks: record i is on line i + 1
        lines = np.arange(1, starts.size + 1)
    else:
        lines = np.searchsorted(newlines, starts) + 1
    cells = _count_cells(np.equal(buf, db, out=mask), starts, quotes, first_quote)
    blank = int(blank_mask.sum())
    if blank:
        keep = ~blank_mask
        starts, ends, lines, cells = starts[keep], ends[keep], lines[keep], cells[keep]
    return _Structure(
        starts=starts,
        ends=ends,
        lines=lines,
        cells=cells,
        blank=blank,
        stray_quotes=bool(stray.any()),
    )


def _count_cells(
    is_delimiter: np.ndarray, starts: np.ndarray, quotes: np.ndarray, first_quote: np.ndarray
) -> np.ndarray:
    """Return each record's cells: one more than its delimiters outside quoted spans.

    The record starts and the quotes (paired: opening, closing) cut the bytes into
    segments, each wholly inside or wholly outside a quoted span. One ``reduceat`` over
    the delimiter mask counts every segment's delimiters, and a record's count is the
    sum of its outside segments. No list of delimiter positions is built: a CSV has
    several delimiters per record, and listing and binary-searching them is slower.
    """
    n = is_delimiter.size
    if quotes.size:
        # The sorted bounds hold each record's start, then that record's quotes.
        start_at = np.arange(starts.size) + first_quote
        is_quote = np.ones(starts.size + quotes.size, dtype=bool)
        is_quote[start_at] = False
        quote_at = np.flatnonzero(is_quote)
        bounds = np.empty(is_quote.size, dtype=np.intp)
        bounds[start_at] = starts
        bounds[quote_at] = quotes
    else:
        bounds = starts
    lengths = np.diff(bounds, append=n)
    # reduceat sums in the dtype it is given, the narrower the faster (8 bits twice as fast
    # as 16, 16 bits several times as fast as 64): take the narrowest that cannot overflow,
    # a segment of k bytes holding at most k delimiters.
    longest = int(lengths.max(initial=0))
    dtype = np.uint8 if longest < 2**8 else np.uint16 if longest < 2**16 else np.int64
    counts = np.add.reduceat(is_delimiter.view(np.uint8), bounds, dtype=dtype)
    # reduceat gives an empty segment (a quote at a record's start) the byte at its bound.
    counts[lengths == 0] = 0
    if not quotes.size:
        return counts.astype(np.int64) + 1
    counts[quote_at[0::2]] = 0  # a segment that an opening quote starts is quoted text
    return np.add.reduceat(counts, start_at, dtype=np.int64) + 1


def _parse_header(data: bytes, start: int, end: int, dialect: Dialect, path: str) -> list[str]:
    text = data[start:end].decode("utf-8")
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar=dialect.quotechar
    )
    try:
        row = next(reader, [])
    except csv.Error as err:
        raise _csv_error(err, path) from None
    return [cell.strip() for cell in row]


def _csv_error(err: csv.Error, path: str) -> InputError:
    return InputError(
        f"cannot parse the file as delimited text: {err}",
        path=path,
        hint="check the quoting; pass --input-format and --delimiter to be explicit",
    )


def _parse_polars(
    data: bytes, dialect: Dialect, names: list[str], header_end: int
) -> pl.DataFrame | None:
    try:
        frame = pl.read_csv(
            data,
            # Lines, not records: the header's raw line ends (a quoted line break
            # included), so the 100 MB body is never copied into a slice.
            skip_lines=data.count(b"\n", 0, header_end),
            has_header=False,
            new_columns=names,
            separator=dialect.delimiter,
            quote_char=dialect.quotechar,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    return frame


def _parse_python(data: bytes, dialect: Dialect, path: str) -> list[list[str]]:
    reader = csv.reader(
        io.StringIO(data.decode("utf-8"), newline=""),
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        strict=False,
    )
    try:
        return [row for row in reader if row]
    except csv.Error as err:  # e.g. a cell over the csv module's field size limit
        raise _csv_error(err, path) from None


def _ragged_issues(data: bytes, structure: _Structure, width: int, name: str) -> pl.DataFrame:
    cells = structure.cells[1:]
    ragged = np.flatnonzero(cells != width)
    if not ragged.size:
        return empty_issues()
    # Ragged rows are usually few; when a whole file is ragged (a wrong delimiter), only
    # the first ones carry their raw text, which is all a reader of the report needs.
    shown = ragged[:MAX_RAW_VALUES]
    # The data is valid UTF-8; cutting it may split the last character, which is dropped
    # (a replacement character would be an invented value).
    raw = [
        data[int(structure.starts[i + 1]) : int(structure.ends[i + 1])][:800].decode(
            "utf-8", errors="ignore"
        )[:200]
        for i in shown.tolist()
    ] + [None] * (ragged.size - shown.size)
    got = cells[ragged]
    frame = pl.DataFrame(
        {
            ROW: ragged + 1,
            LINE: structure.lines[1:][ragged],
            "got": got,
            "raw": pl.Series(raw, dtype=pl.String),
        }
    )
    return issue_frame(
        frame,
        code=IssueCode.RAGGED_ROW,
        severity=Severity.ERROR,
        message=pl.format("record has {} cells, the header has " + str(width), pl.col("got")),
        file=name,
        value=pl.col("raw"),
        fix=pl.when(pl.col("got") > width)
        .then(pl.lit("quote cells that contain the delimiter, or remove the extra delimiters"))
        .otherwise(pl.lit("add the missing cells (an empty cell still needs its delimiter)")),
    )


def _scan_and_parse(
    data: bytes, dialect: Dialect, name: str
) -> tuple[_Structure, tuple[int, pl.DataFrame | None] | None]:
    """Scan the structure and, when the header is a plain first line, parse meanwhile.

    The scan runs on one core; polars' parse, on another thread, overlaps it. Returns
    the structure and ``(header_end, frame)`` of the early parse (None when the header
    line holds a quote, or starts later, and the parse must wait for the scan).
    """
    first_line = data.find(b"\n")
    if first_line <= 0 or dialect.quotechar.encode() in data[:first_line]:
        return _scan(data, dialect.delimiter, dialect.quotechar, name), None
    names = unique_names(_parse_header(data, 0, first_line, dialect, name))
    with ThreadPoolExecutor(max_workers=1) as pool:
        parsed = pool.submit(_parse_polars, data, dialect, names, first_line + 1)
        structure = _scan(data, dialect.delimiter, dialect.quotechar, name)
        return structure, (first_line + 1, parsed.result())


def read_delimited(data: bytes, dialect: Dialect, *, name: str) -> SourceTable:
    """Read UTF-8 delimited text into a :class:`SourceTable`.

    Args:
        data: UTF-8 bytes without a BOM.
        dialect: The delimiter and quote character.
        name: The input's display name, for messages.

    Returns:
        The table, with ``ragged-row`` and ``blank-rows`` issues attached.

    Raises:
        InputError: The input is empty, has an unclosed quote, or has no header.

    Example:
        >>> dialect = Dialect(",", '"', "")
        >>> t = read_delimited(b"email,type\\na@b.co,Registered\\n", dialect, name="x")
        >>> t.frame.row(0)
        (1, 2, 'a@b.co', 'Registered')
    """
    data = _normalize_newlines(data)
    if not data or data.isspace():  # as `not data.strip()`, without copying the data
        raise InputError(
            "the file is empty", path=name, hint="export the data again with a header row"
        )
    structure, early = _scan_and_parse(data, dialect, name)
    headers = _parse_header(data, int(structure.starts[0]), int(structure.ends[0]), dialect, name)
    width = len(headers)
    names = unique_names(headers)
    header_end = int(structure.ends[0]) + 1
    body_lines = structure.lines[1:]
    count = body_lines.size

    frame: pl.DataFrame | None
    if count == 0:
        # Header only: polars would return a frame without the named columns.
        frame = pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    elif structure.stray_quotes:
        frame = None
    elif early is not None and early[0] == header_end:
        frame = early[1]
    else:
        frame = _parse_polars(data, dialect, names, header_end)
    if frame is not None:
        # Polars keeps blank lines as all-null rows; drop exactly those we counted blank.
        if frame.height != count:
            frame = frame.filter(~pl.all_horizontal(pl.all().is_null()))
        # A quoted empty cell ("") is as empty as an unquoted one, as in the csv path.
        frame = frame.with_columns(pl.all().replace("", None)) if frame.height == count else None
    if frame is None:
        rows = _parse_python(data[header_end:], dialect, name)
        if len(rows) != count:
            raise InputError(
                f"could not parse the file consistently ({len(rows)} records parsed, "
                f"{count} found by line scan)",
                path=name,
                hint="check the quoting; pass --input-format and --delimiter to be explicit",
            )
        columns = {
            col: [r[i] if i < len(r) and r[i] != "" else None for r in rows]
            for i, col in enumerate(names)
        }
        frame = pl.DataFrame(columns, schema=dict.fromkeys(names, pl.String))

    frame = frame.with_columns(
        pl.Series(ROW, np.arange(1, count + 1), dtype=pl.Int64),
        pl.Series(LINE, body_lines, dtype=pl.Int64),
    ).select(ROW, LINE, *names)

    issues = [_ragged_issues(data, structure, width, name)]
    if structure.blank:
        issues.append(
            file_issue(
                IssueCode.BLANK_ROWS,
                Severity.INFO,
                f"{structure.blank} blank line(s) skipped",
                file=name,
            )
        )
    return SourceTable(
        name=name,
        frame=frame,
        headers=tuple(headers),
        format="tsv" if dialect.delimiter == "\t" else "csv",
        dialect={
            "delimiter": dialect.delimiter,
            "quotechar": dialect.quotechar,
            "evidence": dialect.evidence,
        },
        issues=pl.concat(issues),
        blank_rows=structure.blank,
        header_line=int(structure.lines[0]),
    )
