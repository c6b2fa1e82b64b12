"""Tests for activity_schema.output.encode: encoding records and cutting parts."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Mapping, Sequence
from typing import BinaryIO, cast, get_args

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity_schema.errors import UsageError
from activity_schema.output.encode import (
    Chunk,
    OutputFormat,
    encode_chunks,
    encode_document,
    encode_records,
    oversized_records,
    part_framing,
    part_overhead,
    part_ranges,
)
from activity_schema.output.write import HashingWriter, write_part

FIELDS = ["activityId", "email", "type"]

#: Values that break naive writers, each with the trouble it brings.
NASTY = [
    "comma, inside",
    'a "quoted" word',
    '"',
    "line\nbreak",
    "cr\ronly",
    "crlf\r\nend",
    "emoji 😀👍🏽",
    "中文 日本語 한국어",
    "עברית ومرحبا",
    "rtl mark \u200f and override \u202e",
    "control \x01\x08\x0b\x0c\x1f\x7f",
    "tab\tinside",
    "\u2028\u2029 separators",
    "back\\slash \\u0041",
    "  spaces  ",
    "null",
    "NULL",
    "=1+2",
    "\ufeffbom inside",
]


def frame_of(rows: Sequence[Mapping[str, str | None]], fields: list[str] = FIELDS) -> pl.DataFrame:
    """Build a clean-like frame: source columns, then the fields as text."""
    n = len(rows)
    data: dict[str, list[object]] = {
        "_file": ["in.csv"] * n,
        "_row": list(range(1, n + 1)),
        "_line": list(range(2, n + 2)),
    }
    for f in fields:
        data[f] = [r.get(f) for r in rows]
    schema = {
        "_file": pl.String,
        "_row": pl.Int64,
        "_line": pl.Int64,
        **dict.fromkeys(fields, pl.String),
    }
    return pl.DataFrame(data, schema=schema)


def nasty_frame() -> pl.DataFrame:
    rows: list[dict[str, str | None]] = [
        {"activityId": str(i), "email": f"u{i}@example.com", "type": value}
        for i, value in enumerate(NASTY)
    ]
    rows.append({"activityId": "99", "email": None, "type": ""})
    return frame_of(rows)


def expected_rows(frame: pl.DataFrame, fields: list[str] = FIELDS) -> list[dict[str, str]]:
    """The records as a reader should see them: empty values absent."""
    return [{f: r[f] for f in fields if r[f]} for r in frame.iter_rows(named=True)]


def read_json(chunks: list[Chunk]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for chunk in chunks:
        data = json.loads(chunk.body.decode("utf-8"))
        assert isinstance(data, list)
        out.extend(data)
    return out


def read_csv_stdlib(chunks: list[Chunk], fields: list[str] = FIELDS) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for chunk in chunks:
        rows = list(csv.reader(io.StringIO(chunk.body.decode("utf-8"), newline="")))
        assert rows[0] == fields
        out.extend({f: v for f, v in zip(fields, row, strict=True) if v} for row in rows[1:])
    return out


def read_csv_polars(chunks: list[Chunk], fields: list[str] = FIELDS) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for chunk in chunks:
        frame = pl.read_csv(chunk.body, infer_schema=False)
        assert frame.columns == fields
        out.extend({f: v for f, v in r.items() if v} for r in frame.iter_rows(named=True))
    return out


# --- records ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "json_text", "csv_text"),
    [
        (
            {"activityId": "1", "email": "a@b.co", "type": "T"},
            '{"activityId":"1","email":"a@b.co","type":"T"}',
            "1,a@b.co,T",
        ),
        ({"activityId": "1", "email": None, "type": "T"}, '{"activityId":"1","type":"T"}', "1,,T"),
        ({"activityId": "1", "email": "", "type": None}, '{"activityId":"1"}', "1,,"),
        ({"activityId": None, "email": None, "type": None}, "{}", ",,"),
        (
            {"activityId": "a,b", "email": 'x"y', "type": "l\nm"},
            '{"activityId":"a,b","email":"x\\"y","type":"l\\nm"}',
            '"a,b","x""y","l\nm"',
        ),
        (
            {"activityId": "café", "email": "😀", "type": "中"},
            '{"activityId":"café","email":"😀","type":"中"}',
            "café,😀,中",
        ),
        (
            {"activityId": "\x01", "email": "\t", "type": "null"},
            '{"activityId":"\\u0001","email":"\\t","type":"null"}',
            "\x01,\t,null",
        ),
    ],
)
def test_record_text(row: dict[str, str | None], json_text: str, csv_text: str) -> None:
    frame = frame_of([row])
    assert encode_records(frame, FIELDS, to="json").to_list() == [json_text]
    assert encode_records(frame, FIELDS, to="csv").to_list() == [csv_text]


def test_json_keeps_schema_order_not_frame_order() -> None:
    frame = frame_of([{"activityId": "1", "email": "a@b.co", "type": "T"}]).select(
        "_file", "_row", "_line", "type", "email", "activityId"
    )
    assert (
        encode_records(frame, FIELDS, to="json").item()
        == '{"activityId":"1","email":"a@b.co","type":"T"}'
    )


def test_single_empty_csv_cell_is_not_a_blank_line() -> None:
    frame = frame_of([{"email": None}, {"email": ""}, {"email": "a@b.co"}], ["email"])
    body = b"".join(encode_document(frame, ["email"], to="csv"))
    assert body == b'email\r\n""\r\n""\r\na@b.co\r\n'
    assert list(csv.reader(io.StringIO(body.decode(), newline=""))) == [
        ["email"],
        [""],
        [""],
        ["a@b.co"],
    ]


def test_header_is_quoted_when_needed() -> None:
    fields = ["a,b", 'c"d', "plain"]
    frame = frame_of([{"a,b": "1", 'c"d': "2", "plain": "3"}], fields)
    body = b"".join(encode_document(frame, fields, to="csv"))
    assert body.split(b"\r\n")[0] == b'"a,b","c""d",plain'


def test_missing_field_column_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no column 'type'"):
        encode_records(frame_of([{}], ["email"]), ["email", "type"], to="json")


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown output format"):
        list(encode_chunks(nasty_frame(), FIELDS, to="xml"))  # type: ignore[arg-type]


# --- round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("max_bytes", [300, 1000, 32_000_000])
def test_json_round_trip_through_stdlib(max_bytes: int) -> None:
    frame = nasty_frame()
    chunks = list(encode_chunks(frame, FIELDS, to="json", max_bytes=max_bytes))
    assert read_json(chunks) == expected_rows(frame)


@pytest.mark.parametrize("max_bytes", [300, 1000, 32_000_000])
def test_json_round_trip_through_polars(max_bytes: int) -> None:
    frame = nasty_frame()
    chunks = list(encode_chunks(frame, FIELDS, to="json", max_bytes=max_bytes))
    read = pl.concat(
        [pl.read_json(c.body, schema=dict.fromkeys(FIELDS, pl.String)) for c in chunks]
    )
    expected = frame.select(pl.col(f).replace("", None) for f in FIELDS)
    assert read.equals(expected)


@pytest.mark.parametrize("max_bytes", [300, 1000, 32_000_000])
def test_csv_round_trip_through_stdlib_and_polars(max_bytes: int) -> None:
    frame = nasty_frame()
    chunks = list(encode_chunks(frame, FIELDS, to="csv", max_bytes=max_bytes))
    assert read_csv_stdlib(chunks) == expected_rows(frame)
    assert read_csv_polars(chunks) == expected_rows(frame)


def test_json_is_utf8_without_escapes_bom_or_null() -> None:
    frame = nasty_frame()
    body = b"".join(c.body for c in encode_chunks(frame, FIELDS, to="json"))
    assert not body.startswith(b"\xef\xbb\xbf")
    assert "😀👍🏽".encode() in body and "中文".encode() in body and "עברית".encode() in body
    assert b"\\ud83d" not in body.lower() and b"\\u4e2d" not in body.lower()
    parsed = json.loads(body)
    assert all(v is not None for record in parsed for v in record.values())
    assert b":null" not in body


def test_literal_null_text_is_kept_as_given() -> None:
    # The normalizer empties "null" texts; the writer writes whatever it is given.
    frame = frame_of([{"activityId": "1", "email": None, "type": "null"}])
    assert json.loads(b"".join(encode_document(frame, FIELDS, to="json"))) == [
        {"activityId": "1", "type": "null"}
    ]


text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.fixed_dictionaries({f: st.none() | text for f in FIELDS}), max_size=30),
    to=st.sampled_from(get_args(OutputFormat)),
    max_bytes=st.integers(min_value=260, max_value=2000),
    max_rows=st.none() | st.integers(min_value=1, max_value=7),
)
def test_any_text_round_trips_in_parts_under_the_limit(
    rows: list[dict[str, str | None]], to: OutputFormat, max_bytes: int, max_rows: int | None
) -> None:
    frame = frame_of(rows)
    too_big = oversized_records(frame, FIELDS, to=to, max_bytes=max_bytes)
    fits = frame.join(too_big.select("_row"), on="_row", how="anti", maintain_order="left")
    chunks = list(encode_chunks(fits, FIELDS, to=to, max_bytes=max_bytes, max_rows=max_rows))
    assert all(0 < c.size <= max_bytes for c in chunks)
    assert all(c.rows <= (max_rows or c.rows) for c in chunks)
    assert sum(c.rows for c in chunks) == fits.height
    read = read_json(chunks) if to == "json" else read_csv_stdlib(chunks)
    assert read == expected_rows(fits)
    sources = (
        pl.concat([c.sources for c in chunks]) if chunks else fits.select("_file", "_row", "_line")
    )
    assert sources.equals(fits.select("_file", "_row", "_line"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.fixed_dictionaries({f: st.none() | st.sampled_from(NASTY) | text for f in FIELDS}),
        min_size=1,
        max_size=30,
    ),
    to=st.sampled_from(get_args(OutputFormat)),
    max_bytes=st.integers(min_value=400, max_value=3000),
)
def test_a_part_written_to_a_file_is_the_chunk_s_body(
    rows: list[dict[str, str | None]], to: OutputFormat, max_bytes: int
) -> None:
    # The writers write each part straight from polars into the file (write_part); the
    # bytes, size and SHA-256 must be encode_chunks' body's, whatever the text.
    frame = frame_of(rows)
    too_big = oversized_records(frame, FIELDS, to=to, max_bytes=max_bytes)
    fits = frame.join(too_big.select("_row"), on="_row", how="anti", maintain_order="left")
    chunks = list(encode_chunks(fits, FIELDS, to=to, max_bytes=max_bytes))
    records, ranges = part_ranges(fits, FIELDS, to=to, max_bytes=max_bytes)
    assert [stop - start for start, stop in ranges] == [c.rows for c in chunks]
    for chunk, (start, stop) in zip(chunks, ranges, strict=True):
        out = io.BytesIO()
        part = records.slice(start, stop - start)
        size, sha256 = write_part(out, part, part_framing(FIELDS, to=to))
        assert out.getvalue() == chunk.body
        assert (size, sha256) == (chunk.size, chunk.sha256)


class _FullDisk(io.RawIOBase):
    """A raw file that takes a few bytes, then fails as a full disk does."""

    def __init__(self, room: int) -> None:
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        view = memoryview(data)  # type: ignore[arg-type]
        if self.room <= 0:
            raise OSError(28, "No space left on device")
        taken = min(self.room, view.nbytes)
        self.room -= taken
        return taken


@pytest.mark.parametrize("room", [0, 1, 5000])
def test_a_part_s_write_error_keeps_its_errno(room: int) -> None:
    # polars calls the writer and re-raises what it raised without the errno; the
    # caller needs it to say "the disk is full" (exit 5) rather than a bare message.
    frame = frame_of([{"activityId": str(i), "email": "a@b.co", "type": "T"} for i in range(900)])
    records, _ = part_ranges(frame, FIELDS, to="json", max_bytes=10**6)
    with pytest.raises(OSError) as caught:
        write_part(cast(BinaryIO, _FullDisk(room)), records, part_framing(FIELDS, to="json"))
    assert caught.value.errno == 28


def test_a_short_write_is_completed() -> None:
    # A raw file may take fewer bytes than offered; the writer offers the rest again.
    class Short(io.BytesIO):
        def write(self, data: object) -> int:
            return super().write(bytes(memoryview(data)[:3]))  # type: ignore[arg-type]

    out = Short()
    writer = HashingWriter(out)
    assert writer.write(b"0123456789") == 10
    assert out.getvalue() == b"0123456789" and writer.size == 10


# --- parts -----------------------------------------------------------------------------


@pytest.mark.parametrize("to", ["json", "csv"])
def test_each_part_is_a_standalone_document_under_the_limit(to: OutputFormat) -> None:
    rows = [
        {"activityId": str(i), "email": f"user{i}@example.com", "type": "Registered"}
        for i in range(40)
    ]
    frame = frame_of(rows)
    chunks = list(encode_chunks(frame, FIELDS, to=to, max_bytes=300))
    assert len(chunks) > 1
    assert [c.index for c in chunks] == list(range(1, len(chunks) + 1))
    for chunk in chunks:
        assert chunk.size <= 300
        if to == "json":
            assert chunk.content_type == "application/json"
            assert len(json.loads(chunk.body)) == chunk.rows
        else:
            assert chunk.content_type == "text/csv"
            assert chunk.body.startswith(b"activityId,email,type\r\n")
            assert (
                len(list(csv.reader(io.StringIO(chunk.body.decode(), newline=""))))
                == chunk.rows + 1
            )
    # Greedy: no part could have taken the next part's first record.
    for this, following in itertools.pairwise(chunks):
        first = encode_records(frame.slice(int(following.sources["_row"][0]) - 1, 1), FIELDS, to=to)
        assert this.size + first.str.len_bytes().item() + 2 > 300


def test_part_size_is_known_before_building_it() -> None:
    frame = nasty_frame()
    for to in get_args(OutputFormat):
        records = encode_records(frame, FIELDS, to=to)
        (chunk,) = encode_chunks(frame, FIELDS, to=to)
        expected = part_overhead(FIELDS, to=to) + int((records.str.len_bytes() + 2).sum())
        assert chunk.size == expected


def test_max_rows_limits_records_per_part() -> None:
    frame = frame_of([{"activityId": str(i)} for i in range(10)])
    chunks = list(encode_chunks(frame, FIELDS, to="json", max_rows=4))
    assert [c.rows for c in chunks] == [4, 4, 2]
    assert chunks[1].sources["_row"].to_list() == [5, 6, 7, 8]


def test_sha256_matches_the_body() -> None:
    import hashlib

    (chunk,) = encode_chunks(nasty_frame(), FIELDS, to="json")
    assert chunk.sha256 == hashlib.sha256(chunk.body).hexdigest()


def test_output_is_deterministic() -> None:
    def run() -> list[bytes]:
        return [c.body for c in encode_chunks(nasty_frame(), FIELDS, to="csv", max_bytes=300)]

    assert run() == run()


def test_empty_frame_gives_no_parts_and_an_empty_document() -> None:
    frame = frame_of([])
    assert list(encode_chunks(frame, FIELDS, to="json")) == []
    assert b"".join(encode_document(frame, FIELDS, to="json")) == b"[]\n"
    assert b"".join(encode_document(frame, FIELDS, to="csv")) == b"activityId,email,type\r\n"


@pytest.mark.parametrize("to", ["json", "csv"])
def test_document_in_batches_equals_one_part(to: OutputFormat) -> None:
    frame = nasty_frame()
    (chunk,) = encode_chunks(frame, FIELDS, to=to)
    assert b"".join(encode_document(frame, FIELDS, to=to, batch_rows=3)) == chunk.body


# --- oversized records -----------------------------------------------------------------


@pytest.mark.parametrize("to", ["json", "csv"])
def test_oversized_record_is_reported_not_truncated(to: OutputFormat) -> None:
    rows = [
        {"activityId": "1", "email": "a@b.co", "type": "T"},
        {"activityId": "2", "email": "a@b.co", "type": "x" * 400},
        {"activityId": "3", "email": "a@b.co", "type": "T"},
    ]
    frame = frame_of(rows)
    found = oversized_records(frame, FIELDS, to=to, max_bytes=300)
    assert found.columns == ["_file", "_row", "_line", "bytes"]
    assert found.rows() == [("in.csv", 2, 3, found["bytes"][0])]
    assert found["bytes"][0] > 300
    with pytest.raises(UsageError, match=r"record 2 of in\.csv"):
        list(encode_chunks(frame, FIELDS, to=to, max_bytes=300))


def test_record_exactly_at_the_limit_fits() -> None:
    frame = frame_of([{"activityId": "1", "email": "a@b.co", "type": "T"}])
    (chunk,) = encode_chunks(frame, FIELDS, to="json")
    assert oversized_records(frame, FIELDS, to="json", max_bytes=chunk.size).height == 0
    assert oversized_records(frame, FIELDS, to="json", max_bytes=chunk.size - 1).height == 1
    (exact,) = encode_chunks(frame, FIELDS, to="json", max_bytes=chunk.size)
    assert exact.body == chunk.body


@pytest.mark.parametrize(("max_bytes", "max_rows"), [(5, None), (20, None), (1000, 0)])
def test_impossible_limits_are_usage_errors(max_bytes: int, max_rows: int | None) -> None:
    with pytest.raises(UsageError):
        list(encode_chunks(nasty_frame(), FIELDS, to="csv", max_bytes=max_bytes, max_rows=max_rows))
