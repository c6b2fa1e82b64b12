"""The bad-input catalogue: what the tool does with every kind of input it meets.

One row per case, through the real CLI (``lint`` or ``convert``): the input, the expected
exit code, and a fragment of the one line that says what happened. Exit 2 and 3 are
refusals (a one-line ``activity-schema: error:`` on stderr); exit 0 and 1 are inputs
that are read, with the problem reported as an issue line of the report and the row
rejected or fixed. No case may print a traceback or an internal error.

The README links this module as the list of what the tool handles.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
import xlsxwriter
from click.testing import Result

from activity_schema.defaults import MAX_CELL_BYTES, MAX_RECORD_BYTES

Cli = Callable[..., Result]
#: Writes a case's files into the folder and returns the CLI arguments naming them.
Build = Callable[[Path], list[str]]

OK, REJECTED, USAGE, UNREADABLE = 0, 1, 2, 3
HEADER = b"activityId,email,type\n"
GOOD = b"1,a@example.com,Registered\n"


@dataclass(frozen=True)
class Case:
    """One catalogue row.

    Attributes:
        what: The input, and what the tool does with it (the test id).
        build: Writes the input and returns the arguments after the command.
        exit_code: The expected exit code.
        fragment: Text of the line that reports it (``{file}`` is the input's name).
        command: ``lint`` or ``convert`` (``convert`` writes to ``out/``).
        output: Text the first part must contain (``convert`` cases).
    """

    what: str
    build: Build
    exit_code: int
    fragment: str
    command: Literal["lint", "convert"] = "lint"
    output: str | None = None


# --- builders ------------------------------------------------------------------------------


def raw(data: bytes, name: str = "input.csv", *args: str) -> Build:
    def build(folder: Path) -> list[str]:
        (folder / name).write_bytes(data)
        return [*args, name]

    return build


def with_file(extra: str, text: str, flag: str, data: bytes = HEADER + GOOD) -> Build:
    """A good CSV plus a definition or config file passed with ``flag``."""

    def build(folder: Path) -> list[str]:
        (folder / extra).write_text(text, encoding="utf-8")
        (folder / "input.csv").write_bytes(data)
        return [flag, extra, "input.csv"]

    return build


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def patch_zip(
    data: bytes, member: str, *, size: int | None = None, version: int | None = None
) -> bytes:
    """Rewrite what the central directory declares for ``member`` (a lying archive)."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46 : pos + 46 + name_len].decode() == member:
            if size is not None:
                struct.pack_into("<I", out, pos + 24, size)
            if version is not None:  # the version needed to extract it
                struct.pack_into("<B", out, pos + 6, version)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def workbook(fill: Callable[[xlsxwriter.Workbook], None], *args: str) -> Build:
    def build(folder: Path) -> list[str]:
        book = xlsxwriter.Workbook(str(folder / "book.xlsx"))
        fill(book)
        book.close()
        return [*args, "book.xlsx"]

    return build


def sheets(book: xlsxwriter.Workbook) -> None:
    first = book.add_worksheet("Registrations")
    for r, row in enumerate([["activityId", "email", "type"], ["1", "a@b.co", "Registered"]]):
        first.write_row(r, 0, row)
    second = book.add_worksheet("Attendees")
    for r, row in enumerate(
        [["activityId", "email", "type"], ["2", "c@d.co", "Attended"], ["3", "e@f.co", "Attended"]]
    ):
        second.write_row(r, 0, row)


def merged(book: xlsxwriter.Workbook) -> None:
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["activityId", "email", "type", "AssetName"])
    sheet.write_row(1, 0, ["1", "a@b.co", "Registered"])
    sheet.write_row(2, 0, ["2", "c@d.co", "Registered"])
    # Excel keeps a merged range's value in its first cell; the others are empty.
    sheet.merge_range(1, 3, 2, 3, "Spring webinar")


def formulas(book: xlsxwriter.Workbook) -> None:
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["activityId", "email", "type"])
    # Formulas with the values Excel cached when it last calculated them.
    sheet.write_formula(1, 0, "=40+2", None, 42)
    sheet.write_formula(1, 1, '="a"&"@b.co"', None, "a@b.co")
    sheet.write_formula(1, 2, '=UPPER("attended")', None, "ATTENDED")


def dates(book: xlsxwriter.Workbook) -> None:
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["activityId", "email", "type", "ActivityDate"])
    sheet.write_row(1, 0, ["1", "a@b.co", "Registered"])
    sheet.write_datetime(
        1, 3, dt.datetime(2024, 3, 5, 14, 30), book.add_format({"num_format": "dd/mm/yy hh:mm"})
    )


def bomb(*, lie: bool) -> Build:
    """An .xlsx with a member that inflates 1000:1, or that declares 3 GB."""

    def build(folder: Path) -> list[str]:
        workbook(sheets)(folder)
        book = zipfile.ZipFile(folder / "book.xlsx")
        members = {i.filename: book.read(i) for i in book.infolist()}
        members["xl/media/image1.png"] = bytes(5_000_000)
        data = zipped(members)
        if lie:
            data = patch_zip(data, "xl/media/image1.png", size=3_000_000_000)
        (folder / "book.xlsx").write_bytes(data)
        return ["book.xlsx"]

    return build


def big_cell(folder: Path) -> list[str]:
    (folder / "input.csv").write_bytes(
        HEADER + b"1,a@example.com," + b"x" * 10_000_000 + b"\n" + GOOD
    )
    return ["input.csv"]


def big_quoted_cell(folder: Path) -> list[str]:
    # Just over the limit: the report of a cell of many lines is slow to render (see the
    # unquoted case for 10 MB).
    cell = b'"' + b'x,"",\n' * (MAX_CELL_BYTES // 5 + 1) + b'"'
    (folder / "input.csv").write_bytes(HEADER + b"1,a@example.com," + cell + b"\n" + GOOD)
    return ["input.csv"]


def big_record(folder: Path) -> list[str]:
    width = MAX_RECORD_BYTES // MAX_CELL_BYTES + 1
    header = HEADER.rstrip(b"\n") + b"".join(b",Note%d" % i for i in range(width)) + b"\n"
    cells = b"".join(b"," + b"n" * MAX_CELL_BYTES for _ in range(width))
    row = GOOD.rstrip(b"\n") + cells + b"\n"
    (folder / "input.csv").write_bytes(header + row + GOOD.rstrip(b"\n") + b"," * width + b"\n")
    return ["input.csv"]


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


DEFINITION_OK = {"fields": {"email": "{{Activity.Contact.Field(C_EmailAddress)}}"}}

CATALOGUE: list[Case] = [
    # --- empty and structureless -------------------------------------------------------
    Case("empty file: refused", raw(b""), UNREADABLE, "input.csv: the file is empty"),
    Case("only blank lines: refused", raw(b"\n \r\n\t\n"), UNREADABLE, "the file is empty"),
    Case("header only: refused", raw(HEADER), UNREADABLE, "has a header but no records"),
    Case(
        "header only, convert: nothing written",
        raw(HEADER),
        UNREADABLE,
        "no records (export the data again; nothing here can be uploaded); nothing was written",
        command="convert",
    ),
    # --- binary files ----------------------------------------------------------------------
    Case("PDF: refused", raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), UNREADABLE, "is a PDF document"),
    Case("PNG: refused", raw(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), UNREADABLE, "a PNG image"),
    Case(
        "ZIP of a CSV: refused",
        raw(zipped({"export.csv": HEADER + GOOD})),
        UNREADABLE,
        "is a ZIP archive, not activity data (unzip it",
    ),
    Case(
        "ZIP needing a newer unzip version: refused",
        raw(patch_zip(zipped({"export.csv": HEADER + GOOD}), "export.csv", version=255)),
        UNREADABLE,
        "a damaged ZIP archive",
    ),
    Case(
        "control bytes: refused",
        raw(bytes(range(1, 9)) * 100),
        UNREADABLE,
        "full of control bytes",
    ),
    # --- encodings ---------------------------------------------------------------------
    Case(
        "truncated UTF-16: refused",
        raw(codecs.BOM_UTF16_LE + (HEADER + GOOD).decode().encode("utf-16-le") + b"\x00"),
        UNREADABLE,
        "UTF-16-LE input has",
    ),
    Case(
        "truncated UTF-32: refused",
        raw(codecs.BOM_UTF32_LE + (HEADER + GOOD).decode().encode("utf-32-le")[:-2]),
        UNREADABLE,
        "not a multiple of 4",
    ),
    Case(
        "UTF-8 file with one cp1252 line: that row rejected",
        raw(
            HEADER
            + "1,zoë@example.com,Café\n".encode()
            + "2,b@example.com,Caf\xe9\n".encode("cp1252")
        ),
        REJECTED,
        "input.csv:3 'e9': byte(s) e9 at offset",
    ),
    Case(
        "cp1252 file with one UTF-8 line: repaired as mojibake and reported",
        raw(
            HEADER
            + "1,a@example.com,Café\n2,b@example.com,Crème brûlée\n".encode("cp1252")
            + "3,c@example.com,Zoë\n".encode()
        ),
        OK,
        "input.csv:4 type 'ZoÃ«': double-encoded text repaired -> changed to 'Zoë'",
    ),
    Case(
        "cp1250 file with one UTF-8 line: that row rejected, never garbled",
        raw(
            b"activityId,email,type,LastName\n"
            + "".join(
                f"{i},u{i}@example.com,Registered,{name}\n"
                for i, name in enumerate(["Małgorzata Wąsik", "Łódź Żółć", "Gęślą jaźń"])
            ).encode("cp1250")
            + "9,z@example.com,Registered,Zoë\n".encode()
        ),
        REJECTED,
        "input.csv:5 'c3 ab': byte(s) c3 ab at offset 182 are UTF-8 in a file read as CP1250",
    ),
    Case(
        "NUL bytes: removed and reported",
        raw(HEADER + b"1,a@example.com\x00,Registered\n"),
        OK,
        "1 NUL byte(s) removed",
    ),
    Case(
        "a BOM in the middle (two files joined): removed, reported, second header rejected",
        raw(codecs.BOM_UTF8 + HEADER + GOOD + codecs.BOM_UTF8 + HEADER + GOOD),
        REJECTED,
        "input.csv:3 'U+FEFF': a byte-order mark (U+FEFF) in the middle of the file was removed",
    ),
    # --- line ends ---------------------------------------------------------------------------
    Case(
        "CR, LF and CRLF line ends mixed: each ends a line",
        raw(HEADER.replace(b"\n", b"\r") + GOOD + b"2,not-an-email,Attended\r\n" + GOOD),
        REJECTED,
        "input.csv:3 email 'not-an-email'",
    ),
    Case(
        "CR-only line ends with a bad byte: the right row rejected",
        raw(b"activityId,email,type\r1,a@example.com,Caf\xc3\xa9\r2,b@example.com,Caf\xe9\r"),
        REJECTED,
        "input.csv:3 'e9'",
    ),
    # --- CSV structure -------------------------------------------------------------------------
    Case(
        "unclosed quote: refused with its line",
        raw(HEADER + GOOD + b'2,"b@example.com,Attended\n' + GOOD),
        UNREADABLE,
        "input.csv:3: unclosed quote: a quoted cell opened on line 3 never closes",
    ),
    Case(
        "ragged row, too many cells: rejected",
        raw(HEADER + GOOD + b"2,b@example.com,Attended,extra\n"),
        REJECTED,
        "input.csv:3 '2,b@example.com,Attended,extra': record has 4 cells, the header has 3",
    ),
    Case(
        "ragged row, too few cells: rejected",
        raw(HEADER + GOOD + b"2,b@example.com\n"),
        REJECTED,
        "record has 2 cells, the header has 3",
    ),
    Case(
        "duplicate headers: every row rejected, both named",
        raw(b"activityId,email,type,E-mail\n1,a@example.com,Registered,b@example.com\n"),
        REJECTED,
        "'email' and 'E-mail'",
    ),
    Case(
        "blank header: a warning, the column is not uploaded",
        raw(b"activityId,email,,type\n1,a@example.com,x,Registered\n"),
        OK,
        "input.csv:1 column 3: column 3 has no header",
    ),
    Case(
        "10 MB cell: the row rejected, the rest read",
        big_cell,
        REJECTED,
        f"cell of 10000000 bytes in column 'type' is over the {MAX_CELL_BYTES:,}-byte limit",
    ),
    Case(
        "10 MB cell, convert: the other row written",
        big_cell,
        REJECTED,
        "wrote 1 part(s) with 1 rows to out; 1 rejected",
        command="convert",
        output='"email":"a@example.com"',
    ),
    Case(
        "over-limit quoted cell of commas, quotes and newlines: the row rejected",
        big_quoted_cell,
        REJECTED,
        "is over the 1,048,576-byte limit of one cell",
    ),
    Case(
        "record over the record limit: rejected",
        big_record,
        REJECTED,
        f"over the {MAX_RECORD_BYTES:,}-byte limit of one record",
    ),
    # --- JSON --------------------------------------------------------------------------------
    Case(
        "JSON object instead of an array: refused",
        raw(b'{"email": "a@b.co"}', "input.json"),
        UNREADABLE,
        "the JSON top level is an object, expected an array of objects",
    ),
    Case(
        "JSON array of numbers: refused",
        raw(b"[1, 2, 3]", "input.json"),
        UNREADABLE,
        "record 1 is a number, expected an object",
    ),
    Case(
        "invalid JSON: refused with line and column",
        raw(b'[\n  {"email": "a@b.co"},\n  {"email" "c@d.co"}\n]', "input.json"),
        UNREADABLE,
        "input.json:3: invalid JSON at line 3, column 12: Expecting ':' delimiter",
    ),
    Case(
        "invalid JSON with CR line ends: the line counts CRs",
        raw(b'[{"email": "a@b.co"},\r{"email": "c@d.co",}]', "input.json"),
        UNREADABLE,
        "invalid JSON at line 2, column 20",
    ),
    Case(
        "value nested 10,000 levels: that row rejected",
        raw(
            b'[{"activityId": "1", "email": "a@b.co", "type": "x", "Extra": '
            + nested(10_000)
            + b'}, {"activityId": "2", "email": "c@d.co", "type": "y"}]',
            "input.json",
        ),
        REJECTED,
        "'Extra' holds a value nested too deeply to read",
    ),
    Case(
        "record nested 10,000 levels: refused",
        raw(b"[" + nested(10_000) + b"]", "input.json"),
        UNREADABLE,
        "record 1 is a value nested too deeply, expected an object",
    ),
    Case(
        "NDJSON line nested 10,000 levels: that row rejected",
        raw(
            b'{"activityId": "1", "email": "a@b.co", "type": "x", "Extra": '
            + nested(10_000)
            + b'}\n{"activityId": "2", "email": "c@d.co", "type": "y"}\n',
            "input.ndjson",
        ),
        REJECTED,
        "holds a value nested too deeply to read",
    ),
    Case(
        "huge numbers: kept as text, too long for an id",
        raw(
            b'[{"activityId": ' + b"9" * 5000 + b', "email": "a@b.co", "type": "x"}]',
            "input.json",
        ),
        REJECTED,
        "activityId '99999999999999999999",
    ),
    Case(
        "huge numbers in text fields: written exactly",
        raw(
            b'[{"activityId": 1, "email": "a@b.co", "type": "x", "AssetName": 1e400,'
            b' "AssetType": 123456789012345678901234567890.50}]',
            "input.json",
        ),
        OK,
        "wrote 1 part(s) with 1 rows",
        command="convert",
        output='"AssetType":"123456789012345678901234567890.50","AssetName":"1e400"',
    ),
    # --- xlsx --------------------------------------------------------------------------------
    Case("xlsx, several sheets: the first", workbook(sheets), OK, "1 rows: 1 valid"),
    Case(
        "xlsx, several sheets: --sheet picks one",
        workbook(sheets, "--sheet", "Attendees"),
        OK,
        "2 rows: 2 valid",
    ),
    Case(
        "xlsx, --sheet names no sheet: refused with the sheets",
        workbook(sheets, "--sheet", "Nope"),
        UNREADABLE,
        "no sheet 'Nope' (use --sheet with one of: Registrations, Attendees)",
    ),
    Case(
        "xlsx, merged cells: the value on the range's first row",
        workbook(merged),
        OK,
        "wrote 1 part(s) with 2 rows",
        command="convert",
        output='{"activityId":"1","email":"a@b.co","type":"Registered","AssetName":"Spring '
        'webinar"},\n{"activityId":"2","email":"c@d.co","type":"Registered"}',
    ),
    Case(
        "xlsx, formulas: their cached values",
        workbook(formulas),
        OK,
        "wrote 1 part(s) with 1 rows",
        command="convert",
        output='{"activityId":"42","email":"a@b.co","type":"ATTENDED"}',
    ),
    Case(
        "xlsx, date cells: YYYY-MM-DD HH:MM:SS whatever their display format",
        workbook(dates),
        OK,
        "wrote 1 part(s) with 1 rows",
        command="convert",
        output='"ActivityDate":"2024-03-05 14:30:00"',
    ),
    Case(
        "xlsx zip bomb (a member inflating 1000:1): refused",
        bomb(lie=False),
        UNREADABLE,
        "workbook member xl/media/image1.png is compressed",
    ),
    Case(
        "xlsx declaring 3 GB unpacked: refused",
        bomb(lie=True),
        UNREADABLE,
        "over the limit of 2,000,000,000",
    ),
    Case(
        "xlsx that is a ZIP but no workbook: refused",
        raw(zipped({"xl/workbook.xml": b"garbage"}), "book.xlsx"),
        UNREADABLE,
        "cannot open the workbook",
    ),
    # --- definition and config files --------------------------------------------------------
    Case(
        "definition that is not JSON: refused",
        with_file("def.json", "{oops", "--definition"),
        USAGE,
        "def.json: the definition is not valid JSON (line 1, column 2",
    ),
    Case(
        "definition without fields: refused",
        with_file("def.json", '{"name": "Webinar"}', "--definition"),
        USAGE,
        "def.json: the definition has no `fields` object",
    ),
    Case(
        "definition with an unknown statement: refused",
        with_file("def.json", '{"fields": {"X": "{{Activity.Nope}}"}}', "--definition"),
        USAGE,
        "unknown statement",
    ),
    Case(
        "definition that is a list: refused",
        with_file("def.json", "[]", "--definition"),
        USAGE,
        "the definition must be a JSON object",
    ),
    Case(
        "good definition: its fields are the schema",
        with_file("def.json", json.dumps(DEFINITION_OK), "--definition"),
        OK,
        "activityId: column 'activityId' matches no field",
    ),
    Case(
        "config with an unknown key: refused",
        with_file("rules.toml", 'colour = "red"\n', "--config"),
        USAGE,
        "rules.toml: unknown key 'colour'",
    ),
    Case(
        "config with an unknown field rule: refused",
        with_file("rules.toml", '[fields.type]\nallowd = ["x"]\n', "--config"),
        USAGE,
        "unknown key fields.type.allowd",
    ),
    Case(
        "config that is not TOML: refused",
        with_file("rules.toml", "not toml\n", "--config"),
        USAGE,
        "rules.toml: invalid TOML",
    ),
]


def run_case(cli: Cli, folder: Path, case: Case) -> Result:
    args = case.build(folder)
    if case.command == "convert":
        return cli("convert", "-o", "out", *args)
    return cli("lint", *args)


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.what for c in CATALOGUE])
def test_catalogue(cli: Cli, tmp_path: Path, case: Case) -> None:
    result = run_case(cli, tmp_path, case)
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert "internal error" not in output
    assert result.exit_code == case.exit_code, output[-2000:]
    if case.exit_code >= USAGE:
        lines = result.stderr.splitlines()
        # One line per unreadable input, then (convert) one saying nothing was written.
        assert lines and all(ln.startswith("activity-schema: error: ") for ln in lines), lines
        assert any(case.fragment in ln for ln in lines), (case.fragment, lines)
    else:
        assert any(case.fragment in ln for ln in output.splitlines()), (case.fragment, output)
    if case.output is not None:
        body = (tmp_path / "out" / "part-00001.json").read_text(encoding="utf-8")
        assert case.output in body


def test_catalogue_ids_are_unique() -> None:
    whats = [c.what for c in CATALOGUE]
    assert len(whats) == len(set(whats))


def test_refused_convert_leaves_no_output(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "good.csv").write_bytes(HEADER + GOOD)
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7\n")
    result = cli("convert", "-o", "out", "good.csv", "bad.pdf")
    assert result.exit_code == UNREADABLE
    assert not (tmp_path / "out").exists()
