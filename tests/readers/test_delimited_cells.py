"""Cells per record in the delimited reader: exact, whatever the rows do to each other.

The structure scan counts each record's delimiters outside quoted spans. These tests hold
it to a byte-by-byte reference, and pin the cases a shortcut would get wrong: rows whose
extra and missing cells cancel out, rows polars accepts although they are long, quoted
delimiters, and segments too long for the narrow sums the scan uses.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from activity_schema.errors import InputError
from activity_schema.readers.delimited import read_delimited
from activity_schema.readers.scan import scan
from activity_schema.readers.sniff import Dialect

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
    literal_lines: list[int]


class UnclosedQuoteError(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def reference_scan(data: bytes, delimiter: str, quotechar: str) -> Reference:
    """Scan byte by byte with the state machine of Python's csv module (strict=False).

    A quote opens a quoted cell only at the start of a cell; inside one, a doubled quote
    is a literal quote, and a quote followed by anything but a delimiter or a line break
    ends the quoting while the cell goes on as text. A quote anywhere else is text.
    """
    d, q = ord(delimiter), ord(quotechar)
    records: list[Record] = []
    blank = 0
    literal: set[int] = set()
    state = "start_record"
    cells, start, line, start_line, opened = 1, 0, 1, 1, 0

    def close(end: int) -> None:
        records.append(Record(start, end, start_line, cells))

    for i, byte in enumerate(data):
        if state == "start_record" and byte == _NL:
            blank += 1
            start, start_line = i + 1, line + 1
            line += 1
            continue
        if state == "start_record":
            state = "start_field"
        if state == "in_quoted":
            if byte == q:
                state = "quote_in_quoted"
            elif byte == _NL:
                line += 1
            continue
        if state == "quote_in_quoted" and byte == q:
            state = "in_quoted"  # a doubled quote: one literal quote
            continue
        if byte == _NL:
            close(i)
            state, cells, start, start_line = "start_record", 1, i + 1, line + 1
            line += 1
        elif byte == d:
            cells += 1
            state = "start_field"
        elif byte == q and state == "start_field":
            state, opened = "in_quoted", line
        else:
            if byte == q or state == "quote_in_quoted":
                literal.add(line)  # a quote in an unquoted cell, or text after a closing one
            state = "in_field"
    if state == "in_quoted":
        raise UnclosedQuoteError(opened)
    if start < len(data):
        close(len(data))
    return Reference(records, blank, sorted(literal))


def scan_as_reference(data: bytes, delimiter: str, quotechar: str) -> Reference:
    s = scan(data, delimiter, quotechar)
    assert s.cells.dtype == np.int64
    assert s.lines.dtype == np.int64
    if s.open_line:
        raise UnclosedQuoteError(s.open_line)
    rows = zip(s.starts.tolist(), s.ends.tolist(), s.lines.tolist(), s.cells.tolist(), strict=True)
    return Reference([Record(*row) for row in rows], s.blank, s.literal_lines.tolist())


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


def test_a_ragged_row_beside_a_literal_quote_is_reported() -> None:
    # The literal quote sends the cells to Python's csv module; the counts stay the scan's.
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
DIALECTS = [(",", '"'), (";", "'"), ("\t", '"')]
# Pieces that make quotes literal, and quote runs of every parity at every position.
QUOTE_PIECES = [*PIECES, b' "', b'" ', b'27"', b'"""', b"''", b"'t", b"s'"]


@given(st.lists(st.sampled_from(QUOTE_PIECES), max_size=40), st.sampled_from(DIALECTS))
@example([b'h1,h2,h3\na","x,y,w,v",z"\np,q\n'], (",", '"'))
@example([b'"', b"a", b",", b'"', b"\n", b'"', b",", b'"'], (",", '"'))
@example([b'a,b\n"x" ,y\n"p"q,"r"""\n'], (",", '"'))
def test_scan_matches_the_reference(pieces: list[bytes], dialect: tuple[str, str]) -> None:
    data = b"".join(pieces)
    delimiter, quotechar = dialect
    try:
        expected = reference_scan(data, delimiter, quotechar)
    except UnclosedQuoteError as err:
        with pytest.raises(UnclosedQuoteError) as info:
            scan_as_reference(data, delimiter, quotechar)
        assert info.value.line == err.line
        with pytest.raises(InputError, match="unclosed quote") as refused:
            read_delimited(b"h\n" + data, Dialect(delimiter, quotechar, ""), name="x")
        assert refused.value.line == err.line + 1
        return
    assert scan_as_reference(data, delimiter, quotechar) == expected


@given(st.lists(st.sampled_from(QUOTE_PIECES), max_size=40), st.sampled_from(DIALECTS))
def test_records_and_cells_are_the_csv_modules(
    pieces: list[bytes], dialect: tuple[str, str]
) -> None:
    # The rule is the csv module's: the same records, each with the same cells.
    data = b"".join(pieces)
    delimiter, quotechar = dialect
    s = scan(data, delimiter, quotechar)
    if s.open_line:
        return  # the module reads to the end of the text; the reader refuses it
    reader = csv.reader(
        io.StringIO(data.decode("utf-8"), newline=""),
        delimiter=delimiter,
        quotechar=quotechar,
        strict=False,
    )
    rows = [row for row in reader if row]
    assert s.cells.tolist() == [len(row) for row in rows]


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b'a,b\nMonitor 27",x\n', [2]),  # an inch mark at the end of a cell
        (b'a,b\n1, "x"\n', [2]),  # a space before an opening quote
        (b'a,b\n"x" ,1\n', [2]),  # a space after a closing quote
        (b'a,b\n"x"y,1\n', [2]),  # text after a closing quote
        (b'a,b\n"x\ny" z,1\n', [3]),  # the same, after a quoted line break
        (b'a,b\n"a ""b""",1\n"",2\n', []),  # doubled quotes are RFC 4180
    ],
)
def test_literal_quote_lines(data: bytes, lines: list[int]) -> None:
    assert scan(data, ",", '"').literal_lines.tolist() == lines
    assert reference_scan(data, ",", '"').literal_lines == lines


def test_no_quote_reads_every_quote_as_text() -> None:
    s = scan(b'a,b\n"x,y",1\n', ",", "")
    assert s.cells.tolist() == [2, 3]
    assert s.literal_lines.tolist() == []


ROW_CELLS = st.lists(
    st.sampled_from(["", "1", "x y", '"q,d"', '"q""d"', '"multi\nline"', "é"]),
    min_size=1,
    max_size=5,
)


@given(st.lists(ROW_CELLS, min_size=1, max_size=12), st.booleans())
# polars accepts the long last row (its trailing delimiter is dropped) and pads the short.
@example([["1", "2", "3"], ["4", "5"], ["7", "8", "9", ""]], False)
# The first row is 3 cells (`a"`, `x,y,w,v`, `z"`), as polars and the csv module read it:
# a quote that does not start a cell is text, whatever quotes follow it.
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
