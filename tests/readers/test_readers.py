"""Tests for activity_schema.readers: every golden input, xlsx, JSON, and round trips."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activity_schema.defaults import MAX_CELL_BYTES
from activity_schema.errors import InputError, UsageError
from activity_schema.readers import LINE, ROW, ReadOptions, SourceTable, read_bytes, read_path
from activity_schema.readers.table import unique_names

DATA = Path(__file__).parents[1] / "data"


class Golden(NamedTuple):
    """What one golden file must read as."""

    name: str
    encoding: str | None
    format: str
    delimiter: str | None
    records: int
    headers: tuple[str, ...]
    #: ``{(row, column): value}`` for a few cells.
    cells: dict[tuple[int, str], str | None]
    #: ``{row: physical line}`` where it matters (multi-line records, CR-only files).
    lines: dict[int, int]
    quotechar: str = '"'


# One block per golden file, laid out as a table; the formatter would put each value on
# its own line.
# fmt: off
GOLDEN = [
    Golden(
        "utf8.csv", "utf-8", "csv", ",", 3,
        ("email", "FirstName", "LastName", "type", "activityId", "Zip", "Score"),
        {(1, "FirstName"): "René", (1, "Zip"): "00123", (1, "Score"): "1e5",
         (2, "LastName"): "Ångström", (2, "Score"): "2.50", (3, "type"): "Registered 😀",
         (3, "Zip"): None, (3, "Score"): "-0"},
        {1: 2, 3: 4},
    ),
    Golden(
        "utf8_bom.csv", "utf-8", "csv", ",", 2, ("email", "FirstName", "type"),
        {(1, "email"): "anais@example.fr", (1, "FirstName"): "Anaïs", (2, "FirstName"): "Jürgen"},
        {},
    ),
    Golden(
        "utf16le_bom.tsv", "utf-16-le", "tsv", "\t", 2,
        ("email", "First Name", "Activity Type"),
        {(1, "First Name"): "Chloé", (2, "First Name"): "Björn", (2, "Activity Type"): "Attended"},
        {2: 3},
    ),
    Golden(
        "utf16be_bom.csv", "utf-16-be", "csv", ",", 2, ("email", "FirstName", "type"),
        {(1, "FirstName"): "Åsa", (2, "FirstName"): "Øyvind"}, {},
    ),
    Golden(
        "utf16le_nobom.csv", "utf-16-le", "csv", ",", 2, ("email", "FirstName", "type"),
        {(1, "FirstName"): "Mañana", (2, "FirstName"): "Señor"}, {},
    ),
    Golden(
        "utf32_bom.csv", "utf-32-le", "csv", ",", 2, ("email", "FirstName", "type"),
        {(1, "FirstName"): "Łukasz", (2, "FirstName"): "Inês"}, {},
    ),
    Golden(
        "cp1252.csv", "cp1252", "csv", ",", 3,
        ("email", "FirstName", "LastName", "Company", "Note"),
        {(1, "FirstName"): "François", (1, "Note"): "“Très bien” – 10 €",
         (2, "Note"): "it’s 5 € off", (3, "Company"): "Société Générale"},
        {},
    ),
    Golden(
        "cp1250.csv", "cp1250", "csv", ";", 3, ("email", "FirstName", "LastName", "City"),
        {(1, "FirstName"): "Łukasz", (1, "City"): "Łódź", (2, "LastName"): "Šťastná"}, {},
    ),
    Golden(
        "cp1251.csv", "cp1251", "csv", ";", 3, ("email", "FirstName", "LastName", "City"),
        {(1, "FirstName"): "Иван", (2, "City"): "Санкт-Петербург"}, {},
    ),
    Golden(
        "shift_jis.csv", "cp932", "csv", ",", 3, ("email", "FirstName", "LastName", "Company"),
        {(1, "LastName"): "山田", (1, "Company"): "株式会社サンプル", (3, "Company"): "大阪物産"},
        {},
    ),
    Golden(
        "utf8_invalid_bytes.csv", "utf-8", "csv", ",", 4,
        ("email", "FirstName", "LastName", "type"),
        {(1, "FirstName"): "René", (2, "FirstName"): "Zo\\xeb", (4, "FirstName"): "Bj\\xf6rn"},
        {2: 3, 4: 5},
    ),
    Golden(
        "semicolon.csv", "utf-8", "csv", ";", 2, ("email", "type", "Amount"),
        {(1, "Amount"): "1,50", (2, "Amount"): "2,75"}, {},
    ),
    Golden(
        "tab.tsv", "utf-8", "tsv", "\t", 2, ("email", "type", "Note"),
        {(1, "Note"): "comma, inside", (2, "Note"): "semi; colon"}, {},
    ),
    Golden(
        "pipe.csv", "utf-8", "csv", "|", 2, ("email", "type", "Note"),
        {(1, "Note"): "x, y; z"}, {},
    ),
    Golden(
        "single_quote.csv", "utf-8", "csv", ",", 2, ("email", "type", "Note"),
        {(1, "email"): "a@example.com", (1, "Note"): "Hello, world"}, {},
        quotechar="'",
    ),
    Golden(
        "quoted_newlines.csv", "utf-8", "csv", ",", 4, ("email", "type", "Note"),
        {(1, "Note"): "first line\nsecond line", (3, "Note"): "x\ny\nz",
         (4, "Note"): 'he said "hi"'},
        {1: 2, 2: 4, 3: 5, 4: 8},
    ),
    Golden(
        "crlf.csv", "utf-8", "csv", ",", 2, ("email", "type", "Note"),
        {(1, "Note"): "one\ntwo", (2, "Note"): "three"}, {1: 2, 2: 4},
    ),
    Golden(
        "cr_only.csv", "utf-8", "csv", ",", 2, ("email", "type"),
        {(2, "type"): "Attended"}, {1: 2, 2: 3},
    ),
    Golden(
        "eloqua_example.json", "utf-8", "json", None, 2,
        ("activityId", "email", "type", "FirstName"),
        {(1, "email"): "sean.butler@example.com", (1, "FirstName"): None,
         (2, "email"): None, (2, "FirstName"): "nikita.robertson@example.com",
         (2, "activityId"): "1000"},
        {1: 2, 2: 7},
    ),
    Golden(
        "literals.json", "utf-8", "json", None, 1,
        ("email", "Score", "Zip", "Big", "Ratio", "Flag", "Empty", "Missing"),
        {(1, "Score"): "1e5", (1, "Zip"): "00123", (1, "Big"): "12345678901234567890",
         (1, "Ratio"): "2.50", (1, "Flag"): "false", (1, "Empty"): None, (1, "Missing"): None},
        {1: 2},
    ),
    Golden(
        "records.ndjson", "utf-8", "ndjson", None, 3,
        ("activityId", "email", "type", "Score", "FirstName", "Opted"),
        {(1, "activityId"): "1001", (1, "Score"): "1e5", (2, "activityId"): "00123",
         (2, "FirstName"): "Zoë", (3, "Opted"): "true", (3, "FirstName"): None},
        {1: 1, 2: 2, 3: 4},
    ),
]
# fmt: on


def cell(table: SourceTable, row: int, column: str) -> Any:
    return table.frame.filter(pl.col(ROW) == row).get_column(column).item()


@pytest.mark.parametrize("golden", GOLDEN, ids=[g.name for g in GOLDEN])
def test_golden_file(golden: Golden) -> None:
    table = read_path(DATA / golden.name)
    assert table.encoding == golden.encoding
    assert table.format == golden.format
    if golden.delimiter is None:
        assert table.dialect is None
    else:
        assert table.dialect is not None
        assert table.dialect["delimiter"] == golden.delimiter
        assert table.dialect["quotechar"] == golden.quotechar
    assert table.rows == golden.records
    assert table.headers == golden.headers
    assert table.columns == golden.headers
    assert table.frame.columns[:2] == [ROW, LINE]
    assert set(table.frame.dtypes[2:]) <= {pl.String}
    assert table.frame.get_column(ROW).to_list() == list(range(1, golden.records + 1))
    for (row, column), value in golden.cells.items():
        assert cell(table, row, column) == value, (row, column)
    lines = dict(zip(table.frame[ROW].to_list(), table.frame[LINE].to_list(), strict=True))
    for row, line in golden.lines.items():
        assert lines[row] == line, row
    text = "".join(str(v) for v in table.frame.drop(ROW, LINE).rows())
    assert "\ufffd" not in text


def test_golden_files_match_their_generator() -> None:
    generated: dict[str, bytes] = runpy.run_path(str(DATA / "generate.py"))["GOLDEN"]
    assert {g.name for g in GOLDEN} == set(generated)
    for name, data in generated.items():
        assert (DATA / name).read_bytes() == data, f"{name}: run tests/data/generate.py"


def test_readme_lists_every_golden_file() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([^`]+)` \|", readme, flags=re.M))
    on_disk = {p.name for p in DATA.iterdir() if p.is_file() and p.suffix not in (".md", ".py")}
    assert listed == on_disk


def test_readme_rows_agree_with_the_tests() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    names = {"`,`": ",", "`;`": ";", "tab": "\t", "pipe": "|", "-": None}
    for golden in GOLDEN:
        match = re.search(rf"^\| `{re.escape(golden.name)}` \|(.*)$", readme, flags=re.M)
        assert match, golden.name
        encoding, fmt, delimiter, records = (c.strip() for c in match.group(1).split("|")[:4])
        assert encoding == golden.encoding, golden.name
        assert fmt == golden.format, golden.name
        assert names[delimiter] == golden.delimiter, golden.name
        assert int(records) == golden.records, golden.name


# --- reading issues ---------------------------------------------------------------------


def test_undecodable_bytes_flag_their_rows() -> None:
    table = read_path(DATA / "utf8_invalid_bytes.csv")
    raw = (DATA / "utf8_invalid_bytes.csv").read_bytes()
    issues = table.issues.filter(pl.col("code") == "undecodable-bytes")
    assert issues.select("severity", "row", "line", "value").rows() == [
        ("error", 2, 3, "eb"),
        ("error", 4, 5, "f6"),
    ]
    messages = issues.get_column("message").to_list()
    offset = raw.index(b"\xeb")
    assert f"offset {offset}" in messages[0]
    assert "UTF-8" in messages[0]


def test_bad_byte_in_the_header_belongs_to_no_row() -> None:
    raw = "em\udcffail,FirstName\na@b.co,Zoë\nc@d.co,Chloé\n".encode("utf-8", "surrogateescape")
    table = read_bytes(raw)
    issues = table.issues.filter(pl.col("code") == "undecodable-bytes")
    assert issues.select("row", "line").rows() == [(None, 1)]
    assert table.headers[0] == "em\\xffail"


def test_legacy_guess_is_reported_as_a_guess() -> None:
    table = read_path(DATA / "cp1252.csv")
    guessed = table.issues.filter(pl.col("code") == "encoding-guessed")
    assert guessed.height == 1
    assert "--encoding cp1252" in guessed.item(0, "fix")


def test_explicit_encoding_is_not_a_guess() -> None:
    table = read_path(DATA / "cp1250.csv", ReadOptions(encoding="cp1250"))
    assert table.encoding == "cp1250"
    assert table.encoding_reason == "given with --encoding cp1250"
    assert table.issues.filter(pl.col("code") == "encoding-guessed").height == 0


def test_late_non_ascii_utf8(late_utf8_file: Path) -> None:
    table = read_path(late_utf8_file)
    assert table.encoding == "utf-8"
    assert table.frame.item(-1, "FirstName") == "Zoë Ñandú"
    assert table.issues.height == 0


def test_ragged_rows_are_issues_with_lines() -> None:
    table = read_bytes(b"email,type\na@b.co,Registered,extra\nc@d.co\ne@f.co,Attended\n")
    assert table.rows == 3
    ragged = table.issues.filter(pl.col("code") == "ragged-row")
    assert ragged.select("row", "line", "value").rows() == [
        (1, 2, "a@b.co,Registered,extra"),
        (2, 3, "c@d.co"),
    ]
    assert "3 cells, the header has 2" in ragged.item(0, "message")
    assert "quote cells" in ragged.item(0, "fix")
    assert "add the missing cells" in ragged.item(1, "fix")
    assert cell(table, 2, "type") is None
    assert cell(table, 3, "type") == "Attended"


def test_blank_lines_are_skipped_and_counted() -> None:
    table = read_bytes(b"email,type\n\na@b.co,Registered\n\n\nc@d.co,Attended\n")
    assert table.rows == 2
    assert table.blank_rows == 3
    assert table.frame.get_column(LINE).to_list() == [3, 6]
    assert table.issues.filter(pl.col("code") == "blank-rows").height == 1


def test_nul_bytes_are_removed_and_reported() -> None:
    table = read_bytes(b"email,type\na@b.co\x00,Registered\n")
    assert cell(table, 1, "email") == "a@b.co"
    nul = table.issues.filter(pl.col("code") == "nul-bytes")
    assert nul.select("severity", "line").rows() == [("fixed", 2)]


def test_stray_quote_inside_a_cell_is_text() -> None:
    table = read_bytes(b'email,Screen\na@b.co,5" screen\nc@d.co,"quoted, cell"\n')
    assert cell(table, 1, "Screen") == '5" screen'
    assert cell(table, 2, "Screen") == "quoted, cell"


@pytest.mark.parametrize("size", [140_000, 1_100_000])
def test_a_big_cell_beside_a_literal_quote_is_read_to_the_documented_limit(size: int) -> None:
    # A literal quote sends the file to the csv module, whose cells stop at 128 KiB
    # unless told otherwise; the documented limit is MAX_CELL_BYTES, a row error.
    raw = b'email,Note\na@b.co,5" ' + b"x" * size + b"\nc@d.co,y\n"
    table = read_bytes(raw)
    assert cell(table, 1, "Note") == '5" ' + "x" * size
    assert cell(table, 2, "Note") == "y"
    too_long = table.issues.filter(pl.col("code") == "too-long").get_column("row").to_list()
    assert too_long == ([1] if size + 3 > MAX_CELL_BYTES else [])


@pytest.mark.parametrize(
    ("raw", "headers", "columns"),
    [
        (
            b"email,email,,type\na,b,c,d\n",
            ("email", "email", "", "type"),
            ("email", "email (2)", "column 3", "type"),
        ),
        (
            b"_row,_line,x\n1,2,3\n",
            ("_row", "_line", "x"),
            ("_row (source)", "_line (source)", "x"),
        ),
        # Polars would read these names as a wildcard and a regex.
        (b"*,^a.*$,ab\n1,2,3\n", ("*", "^a.*$", "ab"), ("* (source)", "^a.*$ (source)", "ab")),
    ],
)
def test_awkward_headers_get_safe_column_names(
    raw: bytes, headers: tuple[str, ...], columns: tuple[str, ...]
) -> None:
    table = read_bytes(raw)
    assert table.headers == headers
    assert table.columns == columns
    assert table.frame.row(0)[2:] == tuple(raw.split(b"\n")[1].decode().split(","))


def test_unique_names_example() -> None:
    assert unique_names(["Email", "", "Email", "Email"]) == [
        "Email",
        "column 2",
        "Email (2)",
        "Email (3)",
    ]


def test_quoted_empty_cell_is_empty() -> None:
    table = read_bytes(b'email,type,Note\na@b.co,"",\n')
    assert table.frame.row(0)[2:] == ("a@b.co", None, None)


@pytest.mark.parametrize(
    ("options", "delimiter", "quotechar"),
    [
        (ReadOptions(delimiter=";"), ";", '"'),
        (ReadOptions(delimiter="|", quotechar="'"), "|", "'"),
    ],
)
def test_explicit_dialect(options: ReadOptions, delimiter: str, quotechar: str) -> None:
    raw = b"email;type|Note\n'a;b'|'x|y'\n"
    table = read_bytes(raw, options=options)
    assert table.dialect is not None
    assert (table.dialect["delimiter"], table.dialect["quotechar"]) == (delimiter, quotechar)


def test_tsv_extension_is_a_hint() -> None:
    table = read_bytes(b"email\ttype,x\na@b.co\tRegistered,y\n", name="scans.tsv")
    assert table.format == "tsv"
    assert table.headers == ("email", "type,x")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"format": "xls"}, "unknown format 'xls'"),
        ({"delimiter": ",,"}, "the delimiter must be one character"),
        ({"quotechar": ""}, "the quote character must be one character"),
        ({"quotechar": "é"}, "the quote character must be an ASCII character"),
        ({"delimiter": "\n"}, "other than a line break, got '\\n'"),
        ({"delimiter": ";", "quotechar": ";"}, "the delimiter and the quote character are both"),
        ({"delimiter": '"'}, "the delimiter and the quote character are both '\"'"),
    ],
)
def test_read_options_are_checked(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        ReadOptions(**kwargs)


# --- JSON -------------------------------------------------------------------------------


def test_nested_json_values_are_row_issues() -> None:
    raw = b'[{"email": "a@b.co", "tags": ["x", "y"]}, {"email": "c@d.co", "meta": {"k": 1}}]'
    table = read_bytes(raw)
    nested = table.issues.filter(pl.col("code") == "nested-value")
    assert nested.select("row", "line", "column").rows() == [(1, 1, "tags"), (2, 1, "meta")]
    assert nested.item(0, "value") == '["x", "y"]'
    assert "holds an object" in nested.item(1, "message")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[1, 2]", "record 1 is a number, expected an object"),
        (b'[{"a": 1}, "x"]', "record 2 is a string, expected an object"),
        (b'[{"a": 1},\n null]', "record 2 is null, expected an object"),
        (b'[{"a": 1},\n [true]]', "record 2 is an array, expected an object"),
        (b"3.5", "the JSON top level is a number"),
        (b"true", "the JSON top level is a boolean"),
    ],
)
def test_json_records_must_be_objects(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        read_bytes(raw, options=ReadOptions(format="json"))


def test_one_record_ndjson_file_is_read_by_its_extension(tmp_path: Path) -> None:
    path = tmp_path / "one.ndjson"
    path.write_bytes(b'{"email": "a@b.co", "type": "Registered"}\n')
    table = read_path(path)
    assert (table.format, table.rows) == ("ndjson", 1)


@pytest.mark.parametrize(
    "raw",
    [b'{"a": 1}\n\n{"a": 2}', b'{"a": 1}\n\n{"a": 2}\n', b'{"a": 1}\r\n{"a": 2}\r\n\r\n'],
)
def test_ndjson_blank_lines_are_counted_once(raw: bytes) -> None:
    table = read_bytes(raw, options=ReadOptions(format="ndjson"))
    assert (table.rows, table.blank_rows) == (2, 1)


def test_forced_format() -> None:
    raw = b'{"email": "a@b.co"}\n'
    assert read_bytes(raw, options=ReadOptions(format="ndjson")).format == "ndjson"
    with pytest.raises(InputError, match="top level is an object"):
        read_bytes(raw, options=ReadOptions(format="json"))


# --- xlsx -------------------------------------------------------------------------------

REGISTRATIONS: list[list[Any]] = [
    ["email", "type", "CampaignId", "Zip", "ActivityDate", "Score", "Opted"],
    ["a@b.co", "Registered", 1234, "00123", dt.datetime(2024, 3, 5, 14, 30), 2.5, True],
    [None, None, None, None, None, None, None],
    ["c@d.co", "Attended", 10**15, "00042", dt.date(2024, 12, 31), 100.0, False],
]
ATTENDEES = [["email", "type"], ["x@y.co", "Attended"]]


def test_xlsx_first_sheet_cells_are_text(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx({"Registrations": REGISTRATIONS, "Attendees": ATTENDEES})
    table = read_path(path)
    assert (table.format, table.sheet, table.encoding) == ("xlsx", "Registrations", None)
    assert table.headers == tuple(REGISTRATIONS[0])
    assert table.rows == 2
    assert table.blank_rows == 1
    assert table.frame.get_column(LINE).to_list() == [2, 4]
    assert table.frame.row(0)[2:] == (
        "a@b.co",
        "Registered",
        "1234",
        "00123",
        "2024-03-05 14:30:00",
        "2.5",
        "true",
    )
    assert table.frame.row(1)[2:] == (
        "c@d.co",
        "Attended",
        "1000000000000000",
        "00042",
        "2024-12-31 00:00:00",
        "100",
        "false",
    )


def test_xlsx_named_sheet(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx({"Registrations": REGISTRATIONS, "Attendees": ATTENDEES})
    table = read_path(path, ReadOptions(sheet="Attendees"))
    assert table.sheet == "Attendees"
    assert table.frame.row(0)[2:] == ("x@y.co", "Attended")


def test_xlsx_is_found_by_content_not_extension(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx({"Attendees": ATTENDEES}, name="export.csv")
    assert read_path(path).format == "xlsx"


def test_xlsx_unknown_sheet_lists_the_sheets(make_xlsx: Callable[..., Path]) -> None:
    path = make_xlsx({"Registrations": REGISTRATIONS, "Attendees": ATTENDEES})
    with pytest.raises(InputError) as info:
        read_path(path, ReadOptions(sheet="Nope"))
    assert "no sheet 'Nope'" in str(info.value)
    assert "Registrations, Attendees" in str(info.value)


def test_sheet_option_on_text_input_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"--sheet applies only to \.xlsx"):
        read_bytes(b"email,type\na@b.co,x\n", options=ReadOptions(sheet="Sheet1"))


# --- round trips ------------------------------------------------------------------------

CELL_TEXT = st.text(
    st.one_of(
        st.sampled_from(list(",;|\t\"'\n\r ")),
        st.sampled_from(list("aZé€😀00123e5")),
        # U+FEFF is removed and reported wherever it is (a BOM of a joined file).
        st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="\ufeff"),
    ),
    max_size=12,
)
HEADER = st.text(st.sampled_from(list("abcdefghijXYZ_é")), min_size=1, max_size=8)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    headers = draw(st.lists(HEADER, min_size=1, max_size=5, unique=True))
    rows = draw(
        st.lists(
            st.lists(CELL_TEXT, min_size=len(headers), max_size=len(headers)),
            min_size=1,
            max_size=6,
        )
    )
    return headers, rows


@settings(max_examples=300, deadline=None)
@given(tables(), st.sampled_from([",", ";", "\t", "|"]), st.sampled_from(["\r\n", "\n"]))
def test_csv_module_tables_read_back_exactly(
    table: tuple[list[str], list[list[str]]], delimiter: str, terminator: str
) -> None:
    headers, rows = table
    buf = io.StringIO()
    # QUOTE_ALL: with the csv module's minimal quoting, "\r" stays unquoted under a "\n"
    # terminator, which no reader can tell from a line break.
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=terminator, quoting=csv.QUOTE_ALL)
    writer.writerow(headers)
    writer.writerows(rows)
    read = read_bytes(buf.getvalue().encode("utf-8"), options=ReadOptions(delimiter=delimiter))
    assert read.headers == tuple(headers)
    assert read.rows == len(rows)
    # Line breaks inside cells come back as LF; an empty cell is a missing value.
    expected = [
        tuple(c.replace("\r\n", "\n").replace("\r", "\n") or None for c in row) for row in rows
    ]
    assert [r[2:] for r in read.frame.rows()] == expected


@settings(max_examples=300, deadline=None)
@given(tables())
def test_minimally_quoted_crlf_csv_reads_back_with_a_sniffed_dialect(
    table: tuple[list[str], list[list[str]]],
) -> None:
    headers, rows = table
    buf = io.StringIO()
    csv.writer(buf).writerows([headers, *rows])  # Excel's defaults: ",", CRLF, minimal
    read = read_bytes(buf.getvalue().encode("utf-8"), options=ReadOptions(delimiter=","))
    expected = [
        tuple(c.replace("\r\n", "\n").replace("\r", "\n") or None for c in row) for row in rows
    ]
    assert [r[2:] for r in read.frame.rows()] == expected


def test_a_header_after_blank_lines_with_a_quoted_line_break() -> None:
    # polars skips the header by raw lines: blank ones and the quoted line break count.
    table = read_bytes(b'\n\n"e\nmail",type\n"a\nb@c.co",X\nq@r.co,Y\n', name="x.csv")
    assert table.headers == ("e\nmail", "type")
    assert table.header_line == 3
    assert table.frame.rows() == [(1, 5, "a\nb@c.co", "X"), (2, 7, "q@r.co", "Y")]


@pytest.mark.parametrize(
    "data",
    [
        b'email,type\na@b.co,5" screen\nc@d.co,"x,y"\n',  # a stray quote: the csv module reads it
        b"email,type\na@b.co,X\nc@d.co\n",  # ragged
        b'"email",type\na@b.co,X\n',  # a quoted header: the parse waits for the scan
    ],
)
def test_the_early_parse_gives_what_the_sequential_read_gives(data: bytes) -> None:
    # read_delimited parses with polars while it scans the structure when the header is a
    # plain first line; a leading blank line makes it wait, on the same records.
    early = read_bytes(data, name="x.csv")
    waited = read_bytes(b"\n" + data, name="x.csv")
    assert early.headers == waited.headers
    assert early.frame.drop(LINE).equals(waited.frame.drop(LINE))
    assert (early.frame[LINE] + 1).to_list() == waited.frame[LINE].to_list()
    assert early.issues.drop("line").equals(
        waited.issues.drop("line").filter(pl.col("code") != "blank-rows")
    )
