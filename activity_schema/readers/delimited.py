"""Read delimited text (CSV, TSV, any sniffed dialect) into text columns with positions.

The structure of the file (where records start, on which physical line, how many cells
each has, whether a quote is left open) is found by vectorized passes over the bytes with
numpy (:mod:`.scan`, which holds the one quote rule: a quote means something only at the
start of a cell, as Excel and Python's ``csv`` module read it). The cells are then parsed
by polars' CSV reader. Files where a quote is read as text (``Monitor 27"``, a space
before or after a quoted cell) are parsed by the ``csv`` module instead, whose reading
the rule copies, and each such line gets a ``literal-quote`` warning. The cell counts are
the scan's own, never polars': polars pads short records, and tolerates some long ones
(a trailing delimiter on a last line without a newline).

Lines above the header that are not the header (Excel's ``sep=;`` line, ``#`` comments,
a title row) are skipped and reported (``preamble-skipped``), and a DOS end-of-file byte
(0x1A) at the very end is dropped with a note.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from ..defaults import MAX_PREAMBLE_RECORDS
from ..errors import InputError
from ..issues.codes import IssueCode, Severity
from ..issues.records import conform_issues, empty_issues, file_issue, issue_frame
from .bounds import check_column_count
from .scan import NO_QUOTE, Structure, scan
from .sniff import Dialect
from .table import LINE, ROW, SourceTable, unique_names

__all__ = ["read_delimited"]

#: Ragged rows (and rows with a literal quote) whose raw text is kept in the report.
MAX_RAW_VALUES = 1000
#: Above this share of records holding a literal quote, the csv module reads the whole
#: file; below it, polars reads the rest and the csv module only those.
MAX_PATCHED_SHARE = 0.1
_NONE = np.zeros(0, dtype=np.intp)
#: Excel's first line naming the delimiter (``sep=;``), which is not the header.
SEP_LINE = re.compile(r'"?sep=(.)"?[ \t]*', re.IGNORECASE)
#: The DOS end-of-file mark some old tools append.
_DOS_EOF = b"\x1a"


def _normalize_newlines(data: bytes) -> bytes:
    if b"\r" not in data:
        return data
    # CRLF and lone CR (old Mac exports) both end a line; cells keep a plain LF.
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _reader(text: str, dialect: Dialect) -> Iterator[list[str]]:
    """Return the csv module's reader with the dialect, as the quote rule reads it."""
    # The module stops at cells over 128 KiB; the documented cell limit is MAX_CELL_BYTES,
    # enforced (as a row error) by readers.limits, so the module must read any cell. The
    # limit is the module's global; it is only ever raised, never lowered.
    if csv.field_size_limit() <= len(text):
        csv.field_size_limit(len(text) + 1)
    if dialect.quotechar == NO_QUOTE:
        return csv.reader(
            io.StringIO(text, newline=""), delimiter=dialect.delimiter, quoting=csv.QUOTE_NONE
        )
    return csv.reader(
        io.StringIO(text, newline=""),
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        strict=False,
    )


def _parse_record(data: bytes, start: int, end: int, dialect: Dialect, path: str) -> list[str]:
    text = data[start:end].decode("utf-8")
    try:
        return next(_reader(text, dialect), [])
    except csv.Error as err:
        raise _csv_error(err, path) from None


def _parse_header(data: bytes, start: int, end: int, dialect: Dialect, path: str) -> list[str]:
    headers = [cell.strip() for cell in _parse_record(data, start, end, dialect, path)]
    check_column_count(len(headers), path)
    return headers


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
            quote_char=dialect.quotechar or None,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    return frame


def _parse_python(data: bytes, dialect: Dialect, path: str) -> list[list[str]]:
    reader = _reader(data.decode("utf-8"), dialect)
    try:
        return [row for row in reader if row]
    except csv.Error as err:
        raise _csv_error(err, path) from None


def _literal_records(structure: Structure) -> np.ndarray:
    """Return the indices of the body records holding a line with a literal quote."""
    if not structure.literal_lines.size:
        return _NONE
    owner = np.searchsorted(structure.lines, structure.literal_lines, side="right") - 1
    found: np.ndarray = np.unique(owner[owner >= 1])
    return found


def _parse_patched(
    data: bytes,
    structure: Structure,
    records: np.ndarray,
    dialect: Dialect,
    names: list[str],
    header_end: int,
    name: str,
) -> pl.DataFrame | None:
    """Parse with polars, the records holding a literal quote with the csv module.

    Those records are blanked (spaces, so that polars reads one row for each, whatever
    quotes and line breaks they held), and their cells put back from the csv module's
    reading. Every other record has only RFC 4180 quotes, which both read alike.
    """
    blanked = bytearray(data)
    parsed: list[list[str]] = []
    for k in records.tolist():
        start, end = int(structure.starts[k]), int(structure.ends[k])
        blanked[start:end] = b" " * (end - start)
        parsed.append(_parse_record(data, start, end, dialect, name))
    frame = _parse_polars(bytes(blanked), dialect, names, header_end)
    if frame is None or frame.height != structure.starts.size - 1:
        return None
    rows = pl.Series(records - 1)
    return frame.with_columns(
        frame.get_column(col)
        .scatter(rows, pl.Series([r[i] if i < len(r) else None for r in parsed], dtype=pl.String))
        .alias(col)
        for i, col in enumerate(names)
    )


def _find_header(
    data: bytes, structure: Structure, dialect: Dialect, name: str
) -> tuple[int, pl.DataFrame]:
    """Return the index of the header record, and the issue naming what was skipped.

    Skipped above the header: Excel's ``sep=`` first line (certain: an info note), then
    ``#`` comment lines whose cell count is not the file's, and title rows (at most one
    non-empty cell where records have several), at most ``MAX_PREAMBLE_RECORDS``. Those
    are guesses: a warning names the line taken as the header.
    """
    records = structure.starts.size
    look = min(records, MAX_PREAMBLE_RECORDS + 1)
    texts = [
        data[int(structure.starts[i]) : int(structure.ends[i])].decode("utf-8", errors="replace")
        for i in range(look)
    ]
    index = 1 if SEP_LINE.fullmatch(texts[0]) else 0
    sep = index
    # The records' usual cell count, from the records after the candidates.
    sample = structure.cells[index : index + 1000]
    width = int(np.bincount(sample).argmax()) if sample.size else 1
    kinds: list[str] = []
    while index < look - 1:
        text = texts[index]
        cells = int(structure.cells[index])
        if text.startswith("#") and cells != width:
            kinds.append("a # comment")
        elif width >= 2:
            values = _parse_record(
                data, int(structure.starts[index]), int(structure.ends[index]), dialect, name
            )
            if sum(1 for v in values if v.strip()) > 1:
                break
            kinds.append("a title row")
        else:
            break
        index += 1
    else:
        # Every record looked at is a candidate: nothing here looks like a header.
        index, kinds = sep, []
    if not index:
        return 0, empty_issues()
    header_line = int(structure.lines[index])
    first = int(structure.lines[0])
    last = int(structure.lines[index - 1])
    skipped = f"line {first}" if index == 1 else f"lines {first}-{last}"
    verb = "was" if index == 1 else "were"
    if not kinds:
        return index, file_issue(
            IssueCode.PREAMBLE_SKIPPED,
            Severity.INFO,
            f"Excel's {texts[0].strip()!r} line was skipped; line {header_line} is the header",
            file=name,
            line=header_line,
            value=texts[0].strip(),
        )
    if sep:
        kinds.insert(0, "Excel's sep= line")
    what = ", ".join(dict.fromkeys(kinds))
    return index, file_issue(
        IssueCode.PREAMBLE_SKIPPED,
        Severity.WARNING,
        f"line {header_line} was taken as the header; {skipped} above it ({what}) {verb} skipped",
        file=name,
        line=header_line,
        value=texts[index - 1][:200],
        fix=f"check that line {header_line} is the header; remove the lines above it "
        "to silence this",
    )


def _literal_issues(data: bytes, structure: Structure, name: str) -> pl.DataFrame:
    """Return a warning for each line where a quote was read as text."""
    lines = structure.literal_lines
    # The record holding each line (0 is the header; before it, a skipped line).
    owner = np.searchsorted(structure.lines, lines, side="right") - 1
    body = owner >= 1
    shown = np.flatnonzero(body)[:MAX_RAW_VALUES]
    raw: list[str | None] = [None] * lines.size
    for i in shown.tolist():
        k = int(owner[i])
        raw[i] = data[int(structure.starts[k]) : int(structure.ends[k])][:800].decode(
            "utf-8", errors="ignore"
        )[:200]
    frame = pl.DataFrame(
        {
            ROW: pl.Series(np.where(body, owner, 0), dtype=pl.Int64),
            LINE: pl.Series(lines, dtype=pl.Int64),
            "raw": pl.Series(raw, dtype=pl.String),
            "body": body,
        }
    ).with_columns(pl.when(pl.col("body")).then(pl.col(ROW)).alias(ROW))
    issues = issue_frame(
        frame,
        code=IssueCode.LITERAL_QUOTE,
        severity=Severity.WARNING,
        message="a quote in the middle of a cell was read as text, as Excel and Python's "
        "csv module read it (only a quote at the start of a cell quotes it)",
        file=name,
        value=pl.col("raw"),
        fix="check the row's cells; to quote a cell, start it with the quote and double "
        "the quotes inside; pass --no-quote if the file has no quoting",
    )
    return issues.pipe(conform_issues)


def _ragged_issues(data: bytes, structure: Structure, width: int, name: str) -> pl.DataFrame:
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
) -> tuple[Structure, tuple[int, pl.DataFrame | None] | None]:
    """Scan the structure and, when the header is a plain first line, parse meanwhile.

    The scan runs on one core; polars' parse, on another thread, overlaps it. Returns
    the structure and ``(header_end, frame)`` of the early parse (None when the header
    line holds a quote, or starts later, and the parse must wait for the scan).
    """
    first_line = data.find(b"\n")
    quoted = dialect.quotechar != NO_QUOTE and dialect.quotechar.encode() in data[:first_line]
    if first_line <= 0 or quoted:
        return scan(data, dialect.delimiter, dialect.quotechar), None
    names = unique_names(_parse_header(data, 0, first_line, dialect, name))
    with ThreadPoolExecutor(max_workers=1) as pool:
        parsed = pool.submit(_parse_polars, data, dialect, names, first_line + 1)
        structure = scan(data, dialect.delimiter, dialect.quotechar)
        return structure, (first_line + 1, parsed.result())


def read_delimited(
    data: bytes, dialect: Dialect, *, name: str, find_header: bool = True
) -> SourceTable:
    """Read UTF-8 delimited text into a :class:`SourceTable`.

    Args:
        data: UTF-8 bytes without a BOM.
        dialect: The delimiter and quote character (``""``: no quoting).
        name: The input's display name, for messages.
        find_header: Whether to look for lines above the header (``sep=``, ``#``
            comments, title rows); without it the first record is the header.

    Returns:
        The table, with ``ragged-row``, ``literal-quote``, ``preamble-skipped`` and
        ``blank-rows`` issues attached.

    Raises:
        InputError: The input is empty, has an unclosed quote, or has no header.

    Example:
        >>> dialect = Dialect(",", '"', "")
        >>> t = read_delimited(b"email,type\\na@b.co,Registered\\n", dialect, name="x")
        >>> t.frame.row(0)
        (1, 2, 'a@b.co', 'Registered')
    """
    data = _normalize_newlines(data)
    # A DOS end-of-file byte is not text: it would be read as a record of its own.
    dos_eof = data.endswith(_DOS_EOF)
    if dos_eof:
        data = data[:-1]
    if not data or data.isspace():  # as `not data.strip()`, without copying the data
        raise InputError(
            "the file is empty", path=name, hint="export the data again with a header row"
        )
    structure, early = _scan_and_parse(data, dialect, name)
    if structure.open_line:
        raise InputError(
            f"unclosed quote: a quoted cell opened on line {structure.open_line} never "
            "closes, so every line after it would merge into one cell",
            path=name,
            line=structure.open_line,
            hint=f"close the quote, or double a literal quote as {dialect.quotechar * 2}; "
            "pass --no-quote if the file has no quoting",
        )
    skip, preamble = (
        _find_header(data, structure, dialect, name) if find_header else (0, empty_issues())
    )
    structure = structure.drop_leading(skip)
    headers = _parse_header(data, int(structure.starts[0]), int(structure.ends[0]), dialect, name)
    width = len(headers)
    names = unique_names(headers)
    header_end = int(structure.ends[0]) + 1
    body_lines = structure.lines[1:]
    count = body_lines.size
    # Records holding a quote read as text: polars reads quotes RFC 4180's way, the csv
    # module the way the scan does.
    literal = _literal_records(structure) if count else _NONE

    frame: pl.DataFrame | None
    if count == 0:
        # Header only: polars would return a frame without the named columns.
        frame = pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    elif literal.size > count * MAX_PATCHED_SHARE:
        frame = None
    elif literal.size:
        frame = _parse_patched(data, structure, literal, dialect, names, header_end, name)

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

    issues = [preamble, _ragged_issues(data, structure, width, name)]
    if structure.literal_lines.size:
        issues.append(_literal_issues(data, structure, name))
    if structure.blank:
        issues.append(
            file_issue(
                IssueCode.BLANK_ROWS,
                Severity.INFO,
                f"{structure.blank} blank line(s) skipped",
                file=name,
            )
        )
    if dos_eof:
        issues.append(
            file_issue(
                IssueCode.NORMALIZED,
                Severity.INFO,
                "a DOS end-of-file byte (0x1A) at the end of the file was dropped",
                file=name,
                line=data.count(b"\n") + 1,
                value="0x1A",
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
