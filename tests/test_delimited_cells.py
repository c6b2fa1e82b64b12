"""Cells per record in the delimited reader: exact, whatever the rows do to each other.

The structure scan counts each record's delimiters outside quoted spans. These tests hold
it to a byte-by-byte reference, and pin the cases a shortcut would get wrong: rows whose
extra and missing cells cancel out, rows polars accepts although they are long, quoted
delimiters, and segments too long for the narrow sums the scan uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from activity_schema.errors import InputError
from activity_schema.readers.delimited import _scan, read_delimited
from activity_schema.sniff import Dialect

COMMA = Dialect(",", '"', "")
_NL = 10


@dataclass(frozen=True)
class Record:
    start: int
    end: int
    line: int
    cells: int


@dataclass(frozen=True)
class Reference:
    records: list[Record]
    blank: int
    stray_quotes: bool


class UnclosedQuoteError(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def reference_scan(data: bytes, delimiter: str, quotechar: str) -> Reference:
    """Scan byte by byte, with the reader's rule for which quotes are syntax."""
    d, q, n = ord(delimiter), ord(quotechar), len(data)
    records: list[Record] = []
    blank = 0
    stray = False
    inside = False
    cells, start, line, start_line = 1, 0, 1, 1
    quotes_on_line: dict[int, int] = {}

    def close(end: int) -> None:
        nonlocal blank
        if end == start:
            blank += 1
        else:
            records.append(Record(start, end, start_line, cells))

    for i, byte in enumerate(data):
        if byte == q:
            prev = data[i - 1] if i > 0 else _NL
            nxt = data[i + 1] if i < n - 1 else _NL
            syntax = prev in (_NL, d, q) or nxt in (_NL, d, q)
            # When the quote character is the delimiter too (--quotechar can make it so),
            # a closing quote, and a literal one outside quotes, also count as delimiters.
            if d == q and inside == syntax:
                cells += 1
            if syntax:
                inside = not inside
                quotes_on_line[line] = quotes_on_line.get(line, 0) + 1
            else:
                stray = True
        elif byte == d and not inside:
            cells += 1
        elif byte == _NL:
            if not inside:
                close(i)
                cells, start, start_line = 1, i + 1, line + 1
            line += 1
    if inside:
        raise UnclosedQuoteError(max(k for k, v in quotes_on_line.items() if v % 2))
    if start < n:
        close(n)
    return Reference(records, blank, stray)


def scan_as_reference(data: bytes, delimiter: str, quotechar: str) -> Reference:
    s = _scan(data, delimiter, quotechar, "x")
    assert s.cells.dtype == np.int64
    assert s.lines.dtype == np.int64
    rows = zip(s.starts.tolist(), s.ends.tolist(), s.lines.tolist(), s.cells.tolist(), strict=True)
    return Reference([Record(*row) for row in rows], s.blank, s.stray_quotes)


def ragged(data: bytes, dialect: Dialect = COMMA) -> list[tuple[int, int, str, str | None]]:
    issues = read_delimited(data, dialect, name="x").issues
    return (
        issues.filter(pl.col("code") == "ragged-row")
        .select("row", "line", "message", "value")
        .rows()
    )


# --- ragged rows that a count of the whole file cannot see ----------------------------


def test_an_extra_cell_and_a_missing_one_are_both_reported() -> None:
    # 3 + 1 = 2 + 2 delimiters in the body: the file's total is right, two rows are not.
    data = b"a,b,c\n1,2,3,4\n5,6\n7,8,9\n"
    assert ragged(data) == [
        (1, 2, "record has 4 cells, the header has 3", "1,2,3,4"),
        (2, 3, "record has 2 cells, the header has 3", "5,6"),
    ]


def test_a_trailing_delimiter_on_an_unterminated_last_line_is_reported() -> None:
    # polars accepts `7,8,9,` here (even with truncate_ragged_lines=False), and pads
    # `4,5`; only the scan's own counts find both.
    data = b"a,b,c\n1,2,3\n4,5\n7,8,9,"
    table = read_delimited(data, COMMA, name="x")
    assert table.frame.select("a", "b", "c").rows() == [
        ("1", "2", "3"),
        ("4", "5", None),
        ("7", "8", "9"),
    ]
    assert ragged(data) == [
        (2, 3, "record has 2 cells, the header has 3", "4,5"),
        (3, 4, "record has 4 cells, the header has 3", "7,8,9,"),
    ]


def test_a_trailing_delimiter_row_is_reported() -> None:
    assert ragged(b"a,b,c\n1,2,3,\n4,5,6\n") == [
        (1, 2, "record has 4 cells, the header has 3", "1,2,3,"),
    ]


def test_crlf_and_blank_lines_keep_the_same_rows_and_lines() -> None:
    lf = b"a,b,c\n\n1,2,3,4\n5,6\n\n7,8,9\n"
    expected = [
        (1, 3, "record has 4 cells, the header has 3", "1,2,3,4"),
        (2, 4, "record has 2 cells, the header has 3", "5,6"),
    ]
    assert ragged(lf) == expected
    assert ragged(lf.replace(b"\n", b"\r\n")) == expected


def test_a_ragged_row_beside_a_stray_quote_is_reported() -> None:
    # The stray quote sends the cells to Python's csv module; the counts stay the scan's.
    data = b'a,b\n5" screen,x\n1,2,3\n4\n'
    table = read_delimited(data, COMMA, name="x")
    assert table.frame.get_column("a").to_list() == ['5" screen', "1", "4"]
    assert ragged(data) == [
        (2, 3, "record has 3 cells, the header has 2", "1,2,3"),
        (3, 4, "record has 1 cells, the header has 2", "4"),
    ]


# --- quoted spans ---------------------------------------------------------------------


def test_quoted_delimiters_are_not_cells() -> None:
    assert ragged(b'a,b,c\n1,"2,x",3\n"4,5,6",7,8\n') == []
    assert ragged(b'a,b,c\n"x,y",z\n') == [
        (1, 2, "record has 2 cells, the header has 3", '"x,y",z'),
    ]


def test_a_quoted_line_break_keeps_the_lines_of_later_records() -> None:
    data = b'a,b\n"multi\nline, with comma",1\n2,3,4\n'
    assert ragged(data) == [(2, 4, "record has 3 cells, the header has 2", "2,3,4")]


@pytest.mark.parametrize(
    ("data", "cells"),
    [
        (b'"a",b\n"c",d\n', [2, 2]),  # a quote at the start of the file and of a record
        (b'x,y\n"",""\n""\n', [2, 2, 1]),  # empty quoted cells
        (b'x,y\n"a"",b",c\n', [2, 2]),  # a doubled quote inside a quoted cell
        (b'x,y\n"""",c\n', [2, 2]),  # a cell that is one literal quote
        (b'x,y\n""",""",c\n', [2, 2]),  # a quoted delimiter between literal quotes
        (b"x,y\n,\n,,\n", [2, 2, 3]),  # empty cells only
    ],
)
def test_quote_edge_cases(data: bytes, cells: list[int]) -> None:
    assert [r.cells for r in scan_as_reference(data, ",", '"').records] == cells
    assert scan_as_reference(data, ",", '"') == reference_scan(data, ",", '"')


# --- segments longer than the narrow sums hold ----------------------------------------


@pytest.mark.parametrize("count", [254, 255, 256, 65_535, 65_536, 70_000])
def test_long_runs_of_delimiters_are_counted_exactly(count: int) -> None:
    run = b"," * count
    data = b"h\n" + run + b"\n" + b'"' + run + b'",x\n' + b"a" + run + b'"' + run + b'"\n'
    assert [r.cells for r in scan_as_reference(data, ",", '"').records] == [
        1,
        count + 1,
        2,
        count + 1,
    ]


def test_a_long_record_among_short_ones() -> None:
    data = b"a,b\n" + b"1,2\n" * 50 + b"x" * 300 + b",y,z\n" + b"3,4\n" * 50
    # The record is longer than 255 bytes, so every segment is summed in 16 bits.
    assert ragged(data) == [(51, 52, "record has 3 cells, the header has 2", "x" * 200)]


# --- the scan against the byte-by-byte reference --------------------------------------

PIECES = [
    b"a",
    b"b c",
    "é".encode(),
    b",",
    b";",
    b"\t",
    b'"',
    b"'",
    b'""',
    b"\n",
    b"\n\n",
    b",\n",
    b'",',
    b',"',
    b"x" * 300,
    b"," * 300,
]
DIALECTS = [(",", '"'), (";", "'"), ("\t", '"'), (",", ",")]


@given(st.lists(st.sampled_from(PIECES), max_size=40), st.sampled_from(DIALECTS))
@example([b'h1,h2,h3\na","x,y,w,v",z"\np,q\n'], (",", '"'))
@example([b'"', b"a", b",", b'"', b"\n", b'"', b",", b'"'], (",", '"'))
def test_scan_matches_the_reference(pieces: list[bytes], dialect: tuple[str, str]) -> None:
    data = b"".join(pieces)
    delimiter, quotechar = dialect
    try:
        expected = reference_scan(data, delimiter, quotechar)
    except UnclosedQuoteError as err:
        with pytest.raises(InputError, match="unclosed quote") as info:
            _scan(data, delimiter, quotechar, "x")
        assert info.value.line == err.line
        return
    assert scan_as_reference(data, delimiter, quotechar) == expected


ROW_CELLS = st.lists(
    st.sampled_from(["", "1", "x y", '"q,d"', '"q""d"', '"multi\nline"', "é"]),
    min_size=1,
    max_size=5,
)


@given(st.lists(ROW_CELLS, min_size=1, max_size=12), st.booleans())
# polars accepts the long last row (its trailing delimiter is dropped) and pads the short.
@example([["1", "2", "3"], ["4", "5"], ["7", "8", "9", ""]], False)
# polars reads the first row as 3 cells (`a"`, `x,y,w,v`, `z"`); the scan pairs the quotes
# in order (the first, literal to polars, opens a span that the second closes): 4 cells.
@example([['a"', '"x,y,w,v"', 'z"'], ["p", "q"]], True)
def test_ragged_rows_are_the_records_whose_count_differs(
    rows: list[list[str]], final_newline: bool
) -> None:
    header = b"a,b,c\n"
    body = "\n".join(",".join(row) for row in rows).encode() + (b"\n" if final_newline else b"")
    data = header + body
    reference = reference_scan(data, ",", '"')
    expected = [
        (row, record.line, f"record has {record.cells} cells, the header has 3")
        for row, record in enumerate(reference.records[1:], start=1)
        if record.cells != 3
    ]
    assert [issue[:3] for issue in ragged(data)] == expected
