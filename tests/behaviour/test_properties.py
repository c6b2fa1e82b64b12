"""Properties that prove nothing is lost: generated tables of arbitrary Unicode.

- every input row ends up written, rejected or dropped (``rows_in == rows_out +
  rows_rejected + rows_dropped``), and the folder's files say the same;
- the written parts read back to exactly the normalized values (``prepare(...).clean``);
- converting the output again changes nothing and finds no error (idempotent);
- every input encoding the README claims round-trips the text it can represent.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any, Literal

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity_schema.issues.codes import IssueCode, Severity
from activity_schema.jobs.whole import Prepared, prepare
from activity_schema.output.encode import OutputFormat
from activity_schema.output.plan import MANIFEST_NAME, REJECTS_NAME
from activity_schema.output.write import ConvertResult, convert
from activity_schema.readers import ReadOptions, read_bytes

Table = list[dict[str, str]]
InputFormat = Literal["csv", "json"]

COLUMNS = ("activityId", "email", "type", "AssetName", "FirstName")
#: Pieces the generator favours: CSV and JSON syntax, line ends, emoji (one with a joiner),
#: right-to-left text and marks, combining accents, invisible and non-breaking spaces.
NASTY = [
    '"',
    '""',
    ",",
    ";",
    "\n",
    "\r\n",
    "\t",
    "\\",
    "{",
    "[",
    "😀",
    "👩\u200d💻",
    "مرحبا",
    "שלום",
    "\u200f",
    "e\u0301",
    "\u0915\u094d\u0937",
    "\u00a0",
    "\u200b",
    " ",
    "null",
    "Ã©",
    "=1+1",
]
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

fragment = st.one_of(st.sampled_from(NASTY), st.characters(exclude_categories=["Cs"]))
text = st.lists(fragment, max_size=5).map("".join)
cells: dict[str, st.SearchStrategy[str]] = {
    "activityId": st.integers(0, 10**12).map(str) | text,
    "email": st.integers(0, 50).map(lambda i: f"user{i}@example.com") | text,
    "type": st.sampled_from(["Registered", "Attended"]) | text,
    "AssetName": text,
    "FirstName": text,
}
tables = st.lists(st.fixed_dictionaries(cells), min_size=1, max_size=8)


def encode_table(table: Table, fmt: InputFormat) -> bytes:
    if fmt == "json":
        return json.dumps(table, ensure_ascii=False).encode("utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([row[c] for c in COLUMNS] for row in table)
    return buffer.getvalue().encode("utf-8")


def prepare_table(table: Table, fmt: InputFormat) -> Prepared:
    # The delimiter is given: the sniffer's guesses on tiny random files are tested apart.
    options = ReadOptions(format=fmt, delimiter="," if fmt == "csv" else None)
    return prepare(encode_table(table, fmt), read_options=options)


def field_values(frame: pl.DataFrame, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """Each row's non-empty field values, as a reader of the output sees them."""
    return [{f: r[f] for f in fields if r.get(f)} for r in frame.iter_rows(named=True)]


def read_part(path: Path, to: OutputFormat) -> list[dict[str, str]]:
    body = path.read_bytes().decode("utf-8")
    if to == "json":
        records = json.loads(body)
        assert isinstance(records, list)
        return records
    rows = list(csv.reader(io.StringIO(body, newline="")))
    return [{k: v for k, v in zip(rows[0], row, strict=True) if v} for row in rows[1:]]


def written(result: ConvertResult) -> list[dict[str, str]]:
    return [record for part in result.parts for record in read_part(part.path, result.to)]


# --- counts add up -----------------------------------------------------------------------


@SETTINGS
@given(
    table=tables,
    fmt=st.sampled_from(["csv", "json"]),
    to=st.sampled_from(["json", "csv"]),
    dedupe=st.booleans(),
    max_bytes=st.sampled_from([300, 1000, 32_000_000]),
)
def test_every_row_is_written_rejected_or_dropped(
    table: Table, fmt: InputFormat, to: OutputFormat, dedupe: bool, max_bytes: int
) -> None:
    prepared = prepare_table(table, fmt)
    assert prepared.summary.rows == len(table)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        result = convert(prepared, out, to=to, max_bytes=max_bytes, dedupe=dedupe)
        assert result.rows_in == len(table)
        assert result.rows_in == result.rows_out + result.rows_rejected + result.rows_dropped
        manifest: dict[str, Any] = json.loads((out / MANIFEST_NAME).read_text("utf-8"))
        assert (manifest["rows_in"], manifest["rows_out"]) == (result.rows_in, result.rows_out)
        assert manifest["rows_rejected"] == result.rows_rejected
        assert manifest["rows_dropped"] == result.rows_dropped
        assert sum(p["rows"] for p in manifest["parts"]) == result.rows_out
        assert len(written(result)) == result.rows_out
        with (out / REJECTS_NAME).open(encoding="utf-8", newline="") as handle:
            assert len(list(csv.DictReader(handle))) == result.rows_rejected
        for part in result.parts:
            assert part.path.stat().st_size <= max_bytes


# --- the parts hold exactly the normalized values ------------------------------------------


@SETTINGS
@given(
    table=tables,
    fmt=st.sampled_from(["csv", "json"]),
    to=st.sampled_from(["json", "csv"]),
    max_bytes=st.sampled_from([400, 2000, 32_000_000]),
)
def test_parts_read_back_as_the_normalized_values(
    table: Table, fmt: InputFormat, to: OutputFormat, max_bytes: int
) -> None:
    prepared = prepare_table(table, fmt)
    fields = prepared.spec.names
    with tempfile.TemporaryDirectory() as folder:
        result = convert(prepared, Path(folder) / "out", to=to, max_bytes=max_bytes)
        sources = pl.concat([p.sources for p in result.parts]) if result.parts else None
        clean = prepared.clean
        if sources is not None:
            # Records too large for a part are rejects; the rest keep their order.
            expected = sources.select("_row").join(clean, on="_row", how="left")
        else:
            expected = clean.clear()
        assert written(result) == field_values(expected, fields)


# --- converting the output again changes nothing -------------------------------------------


@SETTINGS
@given(table=tables, fmt=st.sampled_from(["csv", "json"]), to=st.sampled_from(["json", "csv"]))
def test_converting_the_output_again_changes_nothing(
    table: Table, fmt: InputFormat, to: OutputFormat
) -> None:
    first = prepare_table(table, fmt)
    fields = first.spec.names
    with tempfile.TemporaryDirectory() as folder:
        result = convert(first, Path(folder) / "one", to=to)
        if not result.parts:
            return
        (part,) = result.parts
        options = ReadOptions(delimiter=",") if to == "csv" else ReadOptions()
        again = prepare(part.path, read_options=options)
        issues = again.issues
        assert issues.filter(pl.col("severity") == "error").height == 0, issues.to_dicts()
        assert issues.filter(pl.col("severity") == "fixed").height == 0, issues.to_dicts()
        assert field_values(again.clean, fields) == field_values(first.clean, fields)
        second = convert(again, Path(folder) / "two", to=to)
        assert [p.path.read_bytes() for p in second.parts] == [part.path.read_bytes()]


# --- encodings ---------------------------------------------------------------------------

#: (label, codec, byte-order mark written before the text).
UNICODE_ENCODINGS = [
    ("utf-8", "utf-8", b""),
    ("utf-8-sig", "utf-8", codecs.BOM_UTF8),
    ("utf-16-le", "utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", "utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-32-le", "utf-32-le", codecs.BOM_UTF32_LE),
    ("utf-32-be", "utf-32-be", codecs.BOM_UTF32_BE),
]
HEADERS = ("email", "FirstName", "Notes")

#: Characters a cell may hold unchanged by reading: not U+FEFF (removed and reported), not
#: CR (a line end, read as LF inside quoted cells), no surrogates, and no control
#: characters (a file full of them is refused as binary; tab and LF come from NASTY).
readable = st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="\ufeff")
value = st.lists(
    st.one_of(st.sampled_from([n for n in NASTY if "\r" not in n]), readable),
    min_size=1,
    max_size=6,
).map("".join)


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([HEADERS, *rows])
    return buffer.getvalue()


def read_cells(
    raw: bytes, options: ReadOptions | None = None
) -> tuple[str | None, list[list[str]]]:
    table = read_bytes(raw, name="input.csv", options=options or ReadOptions(delimiter=","))
    assert table.headers == HEADERS
    return table.encoding, [list(r) for r in table.frame.select(table.columns).iter_rows()]


rows_of = st.lists(st.lists(value, min_size=3, max_size=3), min_size=1, max_size=6)


@SETTINGS
@given(rows=rows_of, encoding=st.sampled_from(UNICODE_ENCODINGS))
def test_unicode_encodings_round_trip_any_text(
    rows: list[list[str]], encoding: tuple[str, str, bytes]
) -> None:
    label, codec, bom = encoding
    raw = bom + csv_text(rows).encode(codec)
    detected, cells_read = read_cells(raw)
    assert detected == codec, label
    assert cells_read == rows


CP1252_TEXT = st.characters(codec="cp1252", exclude_categories=["Cc"])


@SETTINGS
@given(
    rows=st.lists(
        st.lists(st.text(CP1252_TEXT, min_size=1, max_size=8), min_size=3, max_size=3),
        min_size=1,
        max_size=6,
    )
)
def test_cp1252_round_trips_what_it_can_represent(rows: list[list[str]]) -> None:
    raw = csv_text(rows).encode("cp1252")
    _, cells_read = read_cells(raw, ReadOptions(delimiter=",", encoding="cp1252"))
    assert cells_read == rows


#: Western European words, as marketing exports hold them.
WORDS = ["Café", "Crème", "brûlée", "Müller", "Zoë", "Ñandú", "François", "São", "Ærø", "Øst",
         "Ångström", "Señor", "Straße", "naïve", "façade", "résumé", "Björk", "Ça", "Smith",
         "Webinar", "Q3"]  # fmt: skip
western = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)


@SETTINGS
@given(rows=st.lists(st.lists(western, min_size=3, max_size=3), min_size=1, max_size=6))
def test_cp1252_is_detected_for_western_text(rows: list[list[str]]) -> None:
    # Read right, or never silently wrong: a few short words can read as letters in
    # another code page too ("Crème" as cp1257's "Crčme"); chardet then names that page,
    # and the reading must carry an encoding-ambiguous warning that offers cp1252.
    raw = csv_text(rows).encode("cp1252")
    table = read_bytes(raw, name="input.csv", options=ReadOptions(delimiter=","))
    cells_read = [list(r) for r in table.frame.select(table.columns).iter_rows()]
    if table.encoding == ("utf-8" if raw.isascii() else "cp1252"):
        assert cells_read == rows
        return
    doubts = table.issues.filter(pl.col("code") == IssueCode.ENCODING_AMBIGUOUS.value)
    assert doubts.height, f"{rows} read silently as {table.encoding}"
    assert doubts["severity"].to_list() == [Severity.WARNING.value]
    assert "cp1252" in doubts["message"][0] + doubts["fix"][0]
