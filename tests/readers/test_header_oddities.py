"""Lines above the header, and a DOS end-of-file byte: skipped and named, never a record.

Excel writes ``sep=;`` on the first line when asked for a delimiter; report tools put
``#`` comments or a title above the table; DOS tools end a file with 0x1A. Each is
skipped, and the report says what was skipped and which line was taken as the header:
an info note where the skip is certain (``sep=``, 0x1A), a warning where it is a guess.
"""

from __future__ import annotations

import polars as pl
import pytest

from activity_schema.readers import ReadOptions, read_bytes
from activity_schema.readers.delimited import read_delimited
from activity_schema.readers.sniff import Dialect, sniff_dialect

BODY = b"email,type,AssetName\na@b.co,Registered,Q4\nc@d.co,Attended,Summit\n"


def _preamble(raw: bytes) -> list[tuple[str, int, str]]:
    issues = read_bytes(raw).issues.filter(pl.col("code") == "preamble-skipped")
    return issues.select("severity", "line", "message").rows()


def test_excel_sep_line_names_the_delimiter_and_is_skipped() -> None:
    raw = b"sep=;\r\nemail;type\r\na@b.co;Registered\r\n"
    table = read_bytes(raw)
    assert table.dialect["delimiter"] == ";"
    assert table.dialect["evidence"] == "Excel's 'sep=;' first line"
    assert table.headers == ("email", "type")
    assert table.header_line == 2
    assert table.frame.row(0) == (1, 3, "a@b.co", "Registered")
    assert _preamble(raw) == [("info", 2, "Excel's 'sep=;' line was skipped; line 2 is the header")]


def test_excel_sep_line_wins_over_a_sniffed_delimiter() -> None:
    # Every line splits on the comma too; the sep= line says which one is meant.
    assert sniff_dialect("sep=|\na|b,c\n1|2,3\n").delimiter == "|"


@pytest.mark.parametrize(
    ("above", "line", "what"),
    [
        (b"# Exported by Tool 4.2\n# 2024-10-03\n", 3, "lines 1-2 above it (a # comment) were"),
        (b"Q4 Webinar Report,,\n", 2, "line 1 above it (a title row) was"),
        (b"Q4 Webinar Report\n\n", 3, "line 1 above it (a title row) was"),
        (b"sep=,\nAttendees\n", 3, "lines 1-2 above it (Excel's sep= line, a title row) were"),
    ],
)
def test_guessed_lines_above_the_header_are_a_warning(above: bytes, line: int, what: str) -> None:
    table = read_bytes(above + BODY)
    assert table.headers == ("email", "type", "AssetName")
    assert table.header_line == line
    assert table.frame.get_column("email").to_list() == ["a@b.co", "c@d.co"]
    ((severity, at, message),) = _preamble(above + BODY)
    assert (severity, at) == ("warning", line)
    assert message == f"line {line} was taken as the header; {what} skipped"


@pytest.mark.parametrize(
    "raw",
    [
        # A header that starts with # but has the records' width is the header.
        b"#,email,type\n1,a@b.co,Registered\n",
        # One column: nothing can tell a title from the header.
        b"email\na@b.co\n",
        # A header with one blank name is still a header (two names).
        b"email,,type\na@b.co,x,Registered\n",
    ],
)
def test_a_real_header_is_never_skipped(raw: bytes) -> None:
    table = read_bytes(raw)
    assert table.header_line == 1
    assert _preamble(raw) == []


def test_a_file_of_titles_only_keeps_its_first_line_as_the_header() -> None:
    raw = b"Report\nPage 1,\nPage 2,\n"
    assert read_bytes(raw).header_line == 1


def test_lines_above_the_header_are_looked_at_only_so_far() -> None:
    raw = b"".join(b"# note %d\n" % i for i in range(30)) + BODY
    assert read_bytes(raw).header_line == 1


def test_streamed_batches_after_the_first_do_not_look_for_a_header() -> None:
    # A later batch starts with the header put back; a record with one value there is data.
    data = b"email,type,AssetName\nx@y.co,,\nc@d.co,Attended,Summit\n"
    table = read_delimited(data, Dialect(",", '"', ""), name="x", find_header=False)
    assert table.frame.height == 2


@pytest.mark.parametrize(
    "raw",
    [b"email,type\r\na@b.co,Registered\r\n\x1a", b"email,type\na@b.co,Registered\x1a"],
)
def test_a_dos_end_of_file_byte_is_dropped_with_a_note(raw: bytes) -> None:
    table = read_bytes(raw)
    assert table.frame.rows() == [(1, 2, "a@b.co", "Registered")]
    note = table.issues.filter(pl.col("code") == "normalized")
    assert note.select("severity", "message").rows() == [
        ("info", "a DOS end-of-file byte (0x1A) at the end of the file was dropped")
    ]


def test_a_dos_end_of_file_byte_inside_the_text_is_text() -> None:
    table = read_bytes(b"email,Note\na@b.co,x\x1ay\n", options=ReadOptions(encoding="utf-8"))
    assert table.frame.item(0, "Note") == "x\x1ay"
