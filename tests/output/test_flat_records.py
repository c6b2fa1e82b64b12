"""The flat JSON record encoding and the hashing sink write what they replaced, byte for byte.

JSON records were once built by polars' struct JSON writer, one member at a time; they
are now one flat ``concat_str`` with our own escaping. Both must give, for every value,
exactly what ``json.dumps(..., ensure_ascii=False)`` gives (polars escapes the same
characters the same way), or the parts of a run would change.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity_schema.jobs.whole import prepare
from activity_schema.output.encode import (
    OutputFormat,
    encode_chunks,
    encode_records,
    record_sizes,
)
from activity_schema.output.folder import OutputFolder
from activity_schema.output.manifest import load_manifest
from activity_schema.output.write import HashingWriter, convert

#: Every control character, the two JSON specials, and text polars and Python keep as is.
TROUBLE = [chr(c) for c in range(0x20)] + ['"', "\\", "\x7f", "\u2028", "\u2029", "é", "😀", "/"]


def _expected(row: dict[str, str | None], fields: Sequence[str]) -> str:
    present = {f: row[f] for f in fields if row[f] not in (None, "")}
    return json.dumps(present, ensure_ascii=False, separators=(",", ":"))


def _struct_writer(frame: pl.DataFrame, fields: Sequence[str]) -> list[str]:
    # The encoding this module used before: one struct member per present value.
    members = [
        pl.when(pl.col(f).is_not_null() & (pl.col(f) != "")).then(
            pl.struct(pl.col(f)).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")
        )
        for f in fields
    ]
    record = pl.concat_str(
        pl.lit("{"), pl.concat_str(members, separator=",", ignore_nulls=True), pl.lit("}")
    )
    return frame.select(record).to_series().to_list()


@pytest.mark.parametrize("char", TROUBLE)
def test_each_special_character_is_escaped_as_json_and_polars_escape_it(char: str) -> None:
    fields = ["a", "b"]
    rows = [{"a": f"x{char}y", "b": char}, {"a": None, "b": char * 3}, {"a": char, "b": ""}]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(fields, pl.String))
    records = encode_records(frame, fields, to="json").to_list()
    assert records == [_expected(r, fields) for r in rows]
    assert records == _struct_writer(frame, fields)


@pytest.mark.parametrize(
    ("row", "text"),
    [
        ({"a": None, "b": None, "c": None}, "{}"),
        ({"a": "", "b": "", "c": ""}, "{}"),
        ({"a": None, "b": "", "c": "3"}, '{"c":"3"}'),
        ({"a": "1", "b": None, "c": "3"}, '{"a":"1","c":"3"}'),
        ({"a": "", "b": "2", "c": None}, '{"b":"2"}'),
        ({"a": "1", "b": "2", "c": "3"}, '{"a":"1","b":"2","c":"3"}'),
    ],
)
def test_commas_only_between_present_values(row: dict[str, str | None], text: str) -> None:
    frame = pl.DataFrame([row], schema=dict.fromkeys("abc", pl.String))
    assert encode_records(frame, ["a", "b", "c"], to="json").to_list() == [text]


def test_field_names_are_escaped_as_keys() -> None:
    fields = ['say "hi"', "back\\slash", "tab\there", "été"]
    frame = pl.DataFrame([dict.fromkeys(fields, "v")], schema=dict.fromkeys(fields, pl.String))
    (record,) = encode_records(frame, fields, to="json").to_list()
    assert json.loads(record) == dict.fromkeys(fields, "v")
    assert record == _expected(dict.fromkeys(fields, "v"), fields)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.none() | st.text(alphabet=st.sampled_from([*TROUBLE, "a", "1", " "]), max_size=6),
            st.none() | st.text(max_size=5),
            st.none() | st.just(""),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_records_match_the_stdlib_and_the_struct_writer(
    values: list[tuple[str | None, str | None, str | None]],
) -> None:
    fields = ["x", "y", "z"]
    rows = [dict(zip(fields, v, strict=True)) for v in values]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(fields, pl.String))
    records = encode_records(frame, fields, to="json").to_list()
    assert records == [_expected(r, fields) for r in rows]
    assert records == _struct_writer(frame, fields)


def test_the_writer_passes_every_byte_and_hashes_them() -> None:
    # Over a megabyte in one piece, a memoryview, and an empty piece that passes nothing.
    pieces = [b"[\n", bytes(range(256)) * 5_000, memoryview(b""), memoryview(b"\n]\n")]
    out = io.BytesIO()
    writer = HashingWriter(out)
    for piece in pieces:
        writer.write(piece)
    written = out.getvalue()
    assert written == b"".join(bytes(p) for p in pieces)
    assert writer.size == len(written)
    assert writer.hexdigest() == hashlib.sha256(written).hexdigest()


def test_a_chunk_hashes_its_body_when_asked() -> None:
    frame = pl.DataFrame(
        {"_file": ["f"] * 3, "_row": [1, 2, 3], "_line": [2, 3, 4], "a": ["1", "é", '"']}
    )
    chunks = list(encode_chunks(frame, ["a"], to="json", max_bytes=20))
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.sha256 == hashlib.sha256(chunk.body).hexdigest()


@pytest.mark.parametrize("to", ["json", "csv"])
def test_written_parts_carry_the_digest_of_their_bytes(tmp_path: Path, to: OutputFormat) -> None:
    rows = [
        {"activityId": str(i), "email": f"a{i}@b.co", "type": "Registered", "FirstName": "Zoë\t"}
        for i in range(300)
    ]
    with OutputFolder(tmp_path / "out") as folder:
        result = convert(prepare(rows), folder, to=to, max_bytes=4_000)
    assert len(result.parts) > 2
    manifest = load_manifest(tmp_path / "out")
    for part, listed in zip(result.parts, manifest.parts, strict=True):
        body = part.path.read_bytes()
        assert part.bytes == len(body) == listed.bytes
        assert part.sha256 == hashlib.sha256(body).hexdigest() == listed.sha256


_CELLS = st.none() | st.text(alphabet=st.sampled_from([*TROUBLE, ",", "a", "1", " "]), max_size=6)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(1, 3),
    cells=st.lists(_CELLS, min_size=3, max_size=90),
    to=st.sampled_from(["json", "csv"]),
)
def test_record_sizes_are_the_encoded_lengths_and_plain_fields_encode_alike(
    width: int, cells: list[str | None], to: OutputFormat
) -> None:
    # The writers cut parts from these sizes before encoding a record: a size off by one
    # byte would put a part over Eloqua's limit or cut it where a whole-file run does not.
    fields = ['k"1', "k\\2", "k\t3"][:width]
    rows = [cells[i : i + width] for i in range(0, len(cells) - width + 1, width)]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(fields, pl.String), orient="row")
    sizes = record_sizes(frame, fields, to=to)
    records = encode_records(frame, fields, to=to)
    assert sizes.lengths.tolist() == records.str.len_bytes().to_list()
    # A field no value of which needs escaping or quoting is written the same unchecked.
    assert encode_records(frame, fields, to=to, plain=sizes.plain).to_list() == records.to_list()
    for name in sizes.plain:
        special = ['"', "\\", *map(chr, range(0x20))] if to == "json" else [",", '"', "\r", "\n"]
        assert not any(c in (v or "") for v in frame.get_column(name) for c in special)
