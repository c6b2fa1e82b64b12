"""Tests for activity_schema.readers.sniff: formats, binary refusal and CSV dialects."""

from __future__ import annotations

import io
import zipfile

import pytest

from activity_schema.errors import InputError
from activity_schema.readers.sniff import (
    format_from_extension,
    sniff_binary,
    sniff_dialect,
    sniff_text_format,
)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("scans.csv", "csv"),
        ("scans.TXT", "csv"),
        ("scans.tsv", "tsv"),
        ("scans.tab", "tsv"),
        ("scans.json", "json"),
        ("scans.ndjson", "ndjson"),
        ("scans.jsonl", "ndjson"),
        ("scans.xlsx", "xlsx"),
        ("scans.xlsm", "xlsx"),
        ("dir.v2/scans", None),
        ("scans.xls", None),
        ("scans", None),
    ],
)
def test_format_from_extension(name: str, expected: str | None) -> None:
    assert format_from_extension(name) == expected


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"\x1f\x8b\x08\x00", "a gzip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32, "legacy Excel (.xls)"),
        (zip_bytes({"export.csv": b"email\na@b.co\n"}), "a ZIP archive"),
        (b"PK\x03\x04 not really a zip", "a damaged ZIP archive"),
        (bytes(range(32)) * 20, "binary"),
    ],
)
def test_binary_files_are_refused(raw: bytes, what: str) -> None:
    with pytest.raises(InputError) as info:
        sniff_binary(raw, path="upload.csv")
    assert what in str(info.value)
    assert str(info.value).startswith("upload.csv: ")
    assert info.value.exit_code == 3


def test_xlsx_is_recognised_by_its_content() -> None:
    raw = zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<workbook/>"})
    assert sniff_binary(raw, path="export.bin") == "xlsx"


@pytest.mark.parametrize(
    "raw",
    [
        b"email,type\na@b.co,Registered\n",
        "email,type\nzoë@b.co,Registered\n".encode("utf-16"),
        "email,type\nzoë@b.co,Registered\n".encode("utf-16-le"),
        "email,type\nzoë@b.co,Registered\n".encode("utf-16-be"),
        "email,type\n".encode("utf-32"),
        b"email,type\na@b.co\x00,Registered\n",
    ],
)
def test_text_is_not_binary(raw: bytes) -> None:
    assert sniff_binary(raw, path="x") is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'[{"email": "a@b.co"}]', "json"),
        (b'  \n[\n  {"email": "a@b.co"}\n]\n', "json"),
        (b'{"email": "a@b.co"}\n{"email": "c@d.co"}\n', "ndjson"),
        (b'{"email": "a@b.co"}\n\n{"email": "c@d.co"}', "ndjson"),
        (b'{"records": [{"email": "a@b.co"}]}', "json"),
        (b'{\n  "email": "a@b.co"\n}\n', "json"),
        (b"email,type\na@b.co,Registered\n", "csv"),
        (b"", "csv"),
    ],
)
def test_sniff_text_format(data: bytes, expected: str) -> None:
    assert sniff_text_format(data) == expected


@pytest.mark.parametrize(
    ("text", "delimiter", "quotechar"),
    [
        ("email,type\na@b.co,Registered\n", ",", '"'),
        ("email;type;Amount\na@b.co;Registered;1,50\nc@d.co;Attended;2,75\n", ";", '"'),
        ("email\ttype\tNote\na@b.co\tRegistered\tx, y\n", "\t", '"'),
        ("email|type|Note\na@b.co|Registered|x, y; z\n", "|", '"'),
        # Delimiters inside quotes do not count.
        ('email;Note\na@b.co;"x, y, z"\nc@d.co;"1, 2"\n', ";", '"'),
        ("email,type,Note\n'a@b.co','Registered','Hello, world'\n", ",", "'"),
        # An apostrophe inside a word is not a quote character.
        ("email,Note\na@b.co,it's fine\nc@d.co,O'Brien\n", ",", '"'),
        # A consistent count beats a larger, inconsistent one.
        ("a;b;c\n1;2;3\n4;5;6\n7,8;9;10\n", ";", '"'),
        # An apostrophe that starts one cell and one that ends a later cell are not
        # quotes, on one line or several (issue 12: records merged, an activity vanished).
        ("email,type,Asset\na,R,'Tis Q4 Webinar\nb,A,Partners'\nc,R,X\n", ",", '"'),
        ("email,First,Last\na,G,'t Hooft\nb,M,O'Brien\nc,S,Reynolds'\n", ",", '"'),
        ("email,Asset\na,'Tis the season,' she said\n", ",", '"'),
        # ' quoting that changes nothing but the quotes, in a text without ".
        ("email,type\n'a@b.co','Registered'\n'c@d.co','Attended'\n", ",", "'"),
        # Excel's first line names the delimiter.
        ("sep=;\nemail;type\na,b;c\n", ";", '"'),
        # Lines above the header do not decide the delimiter.
        ("Webinar report\n# exported today\nemail;type\na;b\nc;d\n", ";", '"'),
        # A quote that is text does not hide the delimiters after it.
        ('email;Screen;type\na;27";R\nb;24";A\n', ";", '"'),
    ],
)
def test_sniff_dialect(text: str, delimiter: str, quotechar: str) -> None:
    dialect = sniff_dialect(text)
    assert (dialect.delimiter, dialect.quotechar) == (delimiter, quotechar)
    assert dialect.evidence


def test_dialect_evidence_names_the_delimiter() -> None:
    dialect = sniff_dialect("a;b;c\n1;2;3\n")
    assert dialect.delimiter_name == "semicolon"
    assert dialect.evidence == "semicolon: 3 cells in the header and in 100% of the first 2 records"


def test_tie_goes_to_the_hint_then_to_the_comma() -> None:
    text = "a,b\tc\n1,2\t3\n"
    assert sniff_dialect(text).delimiter == ","
    assert sniff_dialect(text, hint="\t").delimiter == "\t"


@pytest.mark.parametrize(("text", "hint", "expected"), [("", None, ","), ("email\n", "\t", "\t")])
def test_no_delimiter_found(text: str, hint: str | None, expected: str) -> None:
    assert sniff_dialect(text, hint=hint).delimiter == expected


def test_a_given_quote_character_is_used_to_find_the_delimiter() -> None:
    # With ' as the quote, the quoted | is text; with " it would split the records unevenly.
    text = "email|Note\na@b.co|'x| y'\nc@d.co|'z'\n"
    assert sniff_dialect(text, quote="'").delimiter == "|"
    assert sniff_dialect(text, quote="'").quotechar == "'"
    assert sniff_dialect('a,b\n"x,y",1\n', quote="").quotechar == ""


def test_a_sample_that_ends_inside_a_quoted_cell_is_sniffed_on_its_whole_records() -> None:
    text = 'a;b\n1;2\n3;4\n5;"cut, here'
    assert sniff_dialect(text).delimiter == ";"
