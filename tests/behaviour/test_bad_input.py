"""Bad input through the real CLI: one line on stderr, the right exit code, no traceback."""

from __future__ import annotations

import codecs
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity_schema.errors import ActivitySchemaError
from activity_schema.readers import ReadOptions, read_bytes

Cli = Callable[..., Result]

UNREADABLE = 3
USAGE = 2


def zip_of(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(name, data)
    return buf.getvalue()


def assert_one_line(stderr: str, *fragments: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    (line,) = lines
    assert line.startswith("activity-schema: error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


# (id, file name, file bytes, message fragments); each file is unreadable: exit 3.
UNREADABLE_FILES: list[tuple[str, str, bytes, tuple[str, ...]]] = [
    ("empty", "empty.csv", b"", ("the file is empty",)),
    ("blank lines only", "blank.csv", b"\n\r\n  \n", ("the file is empty",)),
    ("header only", "header.csv", b"email,type,activityId\n", ("header but no records",)),
    ("header only utf16", "header16.csv", "email\ttype\r\n".encode("utf-16"), ("no records",)),
    ("pdf", "export.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", ("a PDF document",)),
    ("png", "export.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("a PNG image",)),
    ("zip", "export.csv", zip_of("export.csv", b"email\na@b.co\n"), ("a ZIP archive", "unzip")),
    ("xls", "export.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), (".xls",)),
    ("damaged xlsx", "book.xlsx", b"PK\x03\x04" + bytes(40), ("damaged ZIP",)),
    (
        "truncated utf-16 with bom",
        "export.csv",
        codecs.BOM_UTF16_LE + "email,type\na@b.co,x\n".encode("utf-16-le") + b"a",
        ("UTF-16-LE", "not a multiple of 2", "truncated"),
    ),
    (
        "truncated utf-16 without bom",
        "export.csv",
        "email,type\na@b.co,x\n".encode("utf-16-le")[:-1],
        ("UTF-16-LE", "truncated"),
    ),
    (
        "unclosed quote",
        "export.csv",
        b'email,type,Note\na@b.co,Registered,ok\nc@d.co,Attended,"never closed\ne@f.co,x,y\n',
        ("export.csv:3:", "opened on line 3 never closes"),
    ),
    (
        "invalid json",
        "export.json",
        b'[\n  {"email": "a@b.co",}\n]\n',
        ("export.json:2:", "invalid JSON at line 2, column 22"),
    ),
    ("truncated json", "export.json", b'[{"email": "a@b.co"}', ("invalid JSON at line 1",)),
    ("json object", "export.json", b'{"email": "a@b.co"}', ("top level is an object",)),
    (
        "json array of non-objects",
        "export.json",
        b'[{"email": "a@b.co"}, ["c@d.co"]]',
        ("record 2 is an array, expected an object",),
    ),
    ("json extra data", "export.json", b'[{"email": "a@b.co"}] []', ("extra data",)),
    (
        "ndjson bad line",
        "export.ndjson",
        b'{"email": "a@b.co"}\n{"email": \n',
        ("export.ndjson:2:", "invalid JSON at line 2"),
    ),
    ("ndjson non-object", "export.ndjson", b'{"email": "a@b.co"}\n[1]\n', ("record 2",)),
    ("deep json", "export.json", b"[" * 100_000 + b"]" * 100_000, ("nested too deeply",)),
]


@pytest.mark.parametrize(
    ("name", "raw", "fragments"),
    [case[1:] for case in UNREADABLE_FILES],
    ids=[case[0] for case in UNREADABLE_FILES],
)
def test_unreadable_file(
    cli: Cli, tmp_path: Path, name: str, raw: bytes, fragments: tuple[str, ...]
) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    result = cli("inspect", path)
    assert result.exit_code == UNREADABLE
    assert_one_line(result.stderr, str(path), *fragments)


@pytest.mark.parametrize(
    ("raw", "kind"), [(b'"email"', "a string"), (b"  42", "a number"), (b"null", "null")]
)
def test_json_scalar_top_level(cli: Cli, tmp_path: Path, raw: bytes, kind: str) -> None:
    # Content decides the format, so a scalar is only JSON when the user says so.
    path = tmp_path / "export.json"
    path.write_bytes(raw)
    result = cli("inspect", "--input-format", "json", path)
    assert result.exit_code == UNREADABLE
    assert_one_line(result.stderr, f"the JSON top level is {kind}, expected an array of objects")


def test_missing_file(cli: Cli, tmp_path: Path) -> None:
    result = cli("inspect", tmp_path / "nope.csv")
    assert result.exit_code == UNREADABLE
    assert_one_line(result.stderr, "nope.csv: no such file")


def test_directory(cli: Cli, tmp_path: Path) -> None:
    # A folder is walked for the data files in it (issue 16); with none, it is bad usage.
    (tmp_path / "exports").mkdir()
    result = cli("inspect", tmp_path / "exports")
    assert result.exit_code == USAGE
    assert_one_line(result.stderr, "exports: no .csv .tsv .ndjson .jsonl .xlsx file to read")


def test_unknown_sheet(cli: Cli, make_xlsx: Callable[..., Path]) -> None:
    book = make_xlsx({"Registrations": [["email"], ["a@b.co"]]})
    result = cli("inspect", "--sheet", "Attendees", book)
    assert result.exit_code == UNREADABLE
    assert_one_line(result.stderr, "no sheet 'Attendees'", "Registrations")


# (id, extra arguments, message fragments); each is bad usage: exit 2.
BAD_USAGE: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("unknown codec", ("--encoding", "utf-9"), ("unknown encoding 'utf-9'",)),
    ("not a text codec", ("--encoding", "base64"), ("'base64' is not a text encoding",)),
    ("long delimiter", ("--delimiter", ",,"), ("delimiter must be one character",)),
    ("newline delimiter", ("--delimiter", "\n"), ("ASCII character other than a line break",)),
    ("sheet on csv", ("--sheet", "Sheet1"), ("--sheet applies only to .xlsx",)),
]


@pytest.mark.parametrize(
    ("args", "fragments"), [c[1:] for c in BAD_USAGE], ids=[c[0] for c in BAD_USAGE]
)
def test_bad_usage(
    cli: Cli, data_dir: Path, args: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    result = cli("inspect", *args, data_dir / "utf8.csv")
    assert result.exit_code == USAGE
    assert_one_line(result.stderr, *fragments)


def test_unknown_input_format_is_a_usage_error(cli: Cli, data_dir: Path) -> None:
    result = cli("inspect", "--input-format", "xls", data_dir / "utf8.csv")
    assert result.exit_code == USAGE
    assert_one_line(
        result.stderr,
        "Invalid value for '--input-format': 'xls' is not one of",
        "see activity-schema inspect --help",
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["inspect", "--bogus", "x.csv"], "No such option '--bogus'"),
        (["inspect"], "Missing argument 'FILES...'"),
        (["no-such-command"], "No such command 'no-such-command'"),
    ],
)
def test_click_usage_errors_are_one_line(cli: Cli, args: list[str], fragment: str) -> None:
    result = cli(*args)
    assert result.exit_code == USAGE
    assert_one_line(result.stderr, fragment)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{oops", "not valid JSON (line 1, column 2"),
        ('{"fields": {"X": "{{Activity.Nope}}"}}', "unknown statement"),
        ('{"fields": {}}', "no `fields` object"),
    ],
)
def test_bad_definition(cli: Cli, tmp_path: Path, data_dir: Path, text: str, message: str) -> None:
    definition = tmp_path / "def.json"
    definition.write_text(text, encoding="utf-8")
    result = cli("inspect", "--definition", definition, data_dir / "utf8.csv")
    assert result.exit_code == USAGE
    assert_one_line(result.stderr, f"{definition}: ", message)


def test_bad_config(cli: Cli, tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "activity_schema.toml").write_text('colour = "red"\n', encoding="utf-8")
    result = cli("inspect", data_dir / "utf8.csv")
    assert result.exit_code == USAGE
    assert_one_line(result.stderr, "activity_schema.toml: unknown key 'colour'")


# --- bad data that is still readable: issues, not errors ---------------------------------


def inspect_issues(cli: Cli, path: Path) -> tuple[Result, dict[str, Any]]:
    result = cli("inspect", "--format", "json", path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result, json.loads(result.stdout)["inputs"][0]


def issues_of(entry: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [i for i in entry["issues"] if i["code"] == code]


def test_ragged_rows(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_bytes(b"email,type\na@b.co,Registered\nc@d.co,x,extra\n\ne@f.co\n")
    _, entry = inspect_issues(cli, path)
    assert entry["records"] == 3
    ragged = issues_of(entry, "ragged-row")
    assert [(i["row"], i["line"], i["value"]) for i in ragged] == [
        (2, 3, "c@d.co,x,extra"),
        (3, 5, "e@f.co"),
    ]
    assert "3 cells" in ragged[0]["message"]
    assert "1 cells" in ragged[1]["message"]


def test_duplicate_and_blank_headers(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "headers.csv"
    path.write_bytes(b"email,,Email,type,\na@b.co,1,c@d.co,x,\n")
    _, entry = inspect_issues(cli, path)
    assert [c["header"] for c in entry["columns"]] == ["email", "", "Email", "type", ""]
    (dupe,) = issues_of(entry, "duplicate-column")
    assert "'email' and 'Email'" in dupe["message"]
    blanks = issues_of(entry, "blank-header")
    assert [b["column"] for b in blanks] == ["column 2", "column 5"]


def test_headers_polars_would_misread(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "awkward.csv"
    path.write_bytes(b"*,^e.*$,_row,email\n1,2,3,a@b.co\n")
    _, entry = inspect_issues(cli, path)
    assert [(c["header"], c["samples"]) for c in entry["columns"]] == [
        ("*", ["1"]),
        ("^e.*$", ["2"]),
        ("_row", ["3"]),
        ("email", ["a@b.co"]),
    ]


def test_nul_bytes(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"email,type\na@b.co\x00,Registered\nc@d.co,Attended\x00\n")
    _, entry = inspect_issues(cli, path)
    (nul,) = issues_of(entry, "nul-bytes")
    assert (nul["severity"], nul["line"]) == ("fixed", 2)
    assert "2 NUL byte(s)" in nul["message"]
    assert entry["columns"][0]["samples"] == ["a@b.co", "c@d.co"]


def test_invalid_utf8_bytes(cli: Cli, data_dir: Path) -> None:
    result, entry = inspect_issues(cli, data_dir / "utf8_invalid_bytes.csv")
    assert entry["encoding"] == "utf-8"
    bad = issues_of(entry, "undecodable-bytes")
    assert [(i["row"], i["line"], i["severity"]) for i in bad] == [(2, 3, "error"), (4, 5, "error")]
    assert "\ufffd" not in result.stdout


def test_quotes_never_merge_rows_silently(cli: Cli, tmp_path: Path) -> None:
    # A quote in the middle of a cell is text; the rows stay apart.
    path = tmp_path / "screens.csv"
    path.write_bytes(b'email,Screen\na@b.co,5" wide\nc@d.co,7" wide\ne@f.co,9 in\n')
    _, entry = inspect_issues(cli, path)
    assert entry["records"] == 3
    assert entry["columns"][1]["samples"] == ['5" wide', '7" wide', "9 in"]
    # A quote at the end of a cell is text too (as Excel and the csv module read it),
    # and each line holding one is a warning.
    path.write_bytes(b'email,Screen\na@b.co,5" wide\nc@d.co,7 in\ne@f.co,9"\nx,y\n')
    _, entry = inspect_issues(cli, path)
    assert entry["records"] == 4
    assert entry["columns"][1]["samples"] == ['5" wide', "7 in", '9"']
    literal = issues_of(entry, "literal-quote")
    assert [(i["line"], i["severity"]) for i in literal] == [(2, "warning"), (4, "warning")]
    # A quote at the start of a cell that never closes would swallow the rest: refused.
    path.write_bytes(b'email,Screen\na@b.co,5 wide\nc@d.co,"7 in\ne@f.co,9\nx,y\n')
    result = cli("inspect", path)
    assert result.exit_code == UNREADABLE
    assert_one_line(result.stderr, "screens.csv:3:", "opened on line 3")


# --- the same through a real process --------------------------------------------------------


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "activity_schema", *(str(a) for a in args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        check=False,
    )


@pytest.mark.parametrize(
    ("raw", "args", "code", "fragment"),
    [
        (None, (), UNREADABLE, "no such file"),
        (b"%PDF-1.7\n", (), UNREADABLE, "a PDF document"),
        (b'email,type\n"a@b.co,x\n', (), UNREADABLE, "opened on line 2"),
        (b"[1, 2", (), UNREADABLE, "invalid JSON at line 1, column 6"),
        (b"email,type\na@b.co,x\n", ("--encoding", "no-such-codec"), USAGE, "unknown encoding"),
    ],
    ids=["missing", "pdf", "unclosed quote", "invalid json", "bad codec"],
)
def test_subprocess(
    tmp_path: Path, raw: bytes | None, args: tuple[str, ...], code: int, fragment: str
) -> None:
    path = tmp_path / "input.csv"
    if raw is not None:
        path.write_bytes(raw)
    result = run("inspect", *args, path, cwd=tmp_path)
    assert result.returncode == code
    assert result.stdout == ""
    assert_one_line(result.stderr, fragment)


def test_subprocess_unknown_input_format(tmp_path: Path) -> None:
    result = run("inspect", "--input-format", "xls", "x.csv", cwd=tmp_path)
    assert result.returncode == USAGE
    assert "Traceback" not in result.stderr
    assert "'xls' is not one of" in result.stderr


# --- no input makes it crash ------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        b",",
        b";",
        b"\t",
        b"|",
        b'"',
        b"'",
        b"\n",
        b"\r",
        b"\r\n",
        b"\x00",
        b"a",
        b"1",
        b"e5",
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b'"k":',
        b"null",
        b"true",
        b" ",
        b"\xff",
        b"\xfe",
        b"\xe9",
        b"\xc3\xa9",
        b"\xc3",
        b"\xe2\x82\xac",
        b"\xef\xbb\xbf",
        b"PK\x03\x04",
        b"\x0b",
        b"\x1c",
        b"\xe2\x80\xa8",
        b"*",
        b"^a$",
        b"_row",
    ]
)
OPTIONS = st.sampled_from(
    [
        ReadOptions(),
        ReadOptions(format="json"),
        ReadOptions(format="ndjson"),
        ReadOptions(format="tsv"),
        ReadOptions(format="xlsx"),
        ReadOptions(delimiter=";", quotechar="'"),
        ReadOptions(encoding="utf-16"),
        ReadOptions(encoding="utf-32"),
        ReadOptions(encoding="cp932"),
    ]
)


def read_or_refuse(raw: bytes, name: str, options: ReadOptions) -> None:
    try:
        table = read_bytes(raw, name=name, options=options)
    except ActivitySchemaError as err:
        assert "\n" not in err.one_line()
        return
    assert table.rows > 0
    assert table.frame.height == table.rows


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=512))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    read_or_refuse(raw, "<bytes>", ReadOptions())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(PIECES, max_size=60).map(b"".join),
    OPTIONS,
    st.sampled_from(["<bytes>", "x.tsv", "x.json", "x.ndjson", "x.xlsx"]),
)
def test_csv_and_json_like_bytes_never_crash(raw: bytes, options: ReadOptions, name: str) -> None:
    read_or_refuse(raw, name, options)
