"""Manifest version 2 gives each part's record sources as ranges; version 1 still reads.

The uploader's guarantee does not change with the layout: every record of every part maps
back to its input, row and line exactly, from a version 2 manifest and from the version 1
(0.1) one, whose folders still upload and still map Eloqua's rejects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import polars as pl
import pytest
from fake_eloqua import FakeEloqua, definition
from hypothesis import given
from hypothesis import strategies as st

from activity_schema import schemas
from activity_schema.eloqua import EloquaClient, RetryPolicy
from activity_schema.errors import InputError
from activity_schema.jobs.stream import convert_stream
from activity_schema.jobs.whole import prepare
from activity_schema.output.manifest import (
    MANIFEST_NAME,
    RANGE_SOURCE,
    RECORD_SOURCE,
    ManifestPart,
    load_manifest,
    record_ranges,
)
from activity_schema.output.write import convert
from activity_schema.schema.definition import schema_from_definition
from activity_schema.upload import UploadOptions, upload

FIELDS = {
    "activityId": "{{Activity.Id}}",
    "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
    "type": "{{Activity.Type}}",
}
IMPORT_ID = 2900
REJECTED_DOMAIN = "@reject.example"  # passes our checks, rejected by the fake's sync

Triple = tuple[int, int, int]
triples = st.lists(
    st.tuples(st.integers(0, 2), st.integers(1, 12), st.integers(1, 16)), max_size=60
)


def _expand(ranges: Sequence[Sequence[int]]) -> list[Triple]:
    return [(i, r + k, li + k) for i, r, li, n in ranges for k in range(n)]


def _manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    return data


def _write_manifest(folder: Path, data: dict[str, Any]) -> None:
    (folder / MANIFEST_NAME).write_text(json.dumps(data, indent=2), encoding="utf-8")


def _as_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """Lay a version 2 manifest out as 0.1 wrote it: a triple per record."""
    old = {k: v for k, v in data.items() if k not in ("range_source", "parts")}
    old["manifest_version"] = 1
    old["record_source"] = list(RECORD_SOURCE)
    old["parts"] = [
        {k: v for k, v in part.items() if k != "ranges"}
        | {"records": [list(t) for t in _expand(part["ranges"])]}
        for part in data["parts"]
    ]
    # 0.1 put record_source before parts, as here.
    order = [k for k in data if k != "range_source"]
    order.insert(order.index("parts"), "record_source")
    return {k: old[k] for k in order}


def _write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("activityId,email,type\n" + "".join(f"{x}\n" for x in lines), "utf-8")
    return path


# --- finding the ranges ---------------------------------------------------------------------


@given(triples)
def test_ranges_give_back_every_record_and_are_as_few_as_can_be(records: list[Triple]) -> None:
    frame = pl.DataFrame(records, schema=["i", "r", "l"], orient="row")
    ranges = record_ranges(frame, "i", "r", "l")
    assert ranges.columns == list(RANGE_SOURCE)
    rows = [tuple(r) for r in ranges.rows()]
    assert _expand(rows) == records
    assert all(n >= 1 for *_, n in rows)
    # No range could take the next one's first record: each starts where a record does
    # not follow on (another input, or a row or line that skips).
    for (i, r, li, n), (j, s, m, _) in pairwise(rows):
        assert (j, s, m) != (i, r + n, li + n)


@given(triples, st.data())
def test_a_part_maps_each_index_to_its_source_by_bisecting(
    records: list[Triple], data: st.DataObject
) -> None:
    frame = pl.DataFrame(records, schema=["i", "r", "l"], orient="row")
    ranges = tuple((i, r, li, n) for i, r, li, n in record_ranges(frame, "i", "r", "l").rows())
    part = ManifestPart("part-00001.json", len(records), 1, "0" * 64, ranges)
    assert [part.source(k) for k in range(len(records))] == records
    assert list(part.sources()) == records
    outside = data.draw(st.one_of(st.integers(max_value=-1), st.integers(min_value=len(records))))
    with pytest.raises(IndexError):
        part.source(outside)


def test_a_clean_input_needs_one_range_a_part(tmp_path: Path) -> None:
    source = _write_csv(
        tmp_path / "in.csv", [f"{i},u{i}@example.com,Registered" for i in range(1, 201)]
    )
    convert(prepare(source), tmp_path / "out", max_bytes=2_000)
    parts = _manifest(tmp_path / "out")["parts"]
    assert len(parts) > 3
    first = 1
    for part in parts:
        # Row r of a file with one header line is on line r + 1.
        assert part["ranges"] == [[0, first, first + 1, part["rows"]]]
        first += part["rows"]
    assert first == 201


def test_ranges_break_where_rows_or_lines_skip_and_map_back_exactly(tmp_path: Path) -> None:
    first = _write_csv(
        tmp_path / "a.csv",
        [
            "1,a@example.com,Registered",  # row 1, line 2
            "2,b@example.com,Registered",  # row 2, line 3
            "3,not-an-email,Registered",  # row 3, line 4: rejected
            "4,d@example.com,Registered",  # row 4, line 5
            '5,e@example.com,"Regis',  # row 5, lines 6-7: one record over two lines
            'tered"',
            "6,f@example.com,Registered",  # row 6, line 8
            "",  # line 9: blank, skipped
            "7,g@example.com,Registered",  # row 7, line 10
        ],
    )
    second = _write_csv(tmp_path / "b.csv", ["8,h@example.com,Registered"])
    convert(prepare([first, second]), tmp_path / "out")
    (part,) = _manifest(tmp_path / "out")["parts"]
    assert part["ranges"] == [
        [0, 1, 2, 2],
        [0, 4, 5, 2],  # a record's line is its first: row 5 follows on, row 6 does not
        [0, 6, 8, 1],
        [0, 7, 10, 1],
        [1, 1, 2, 1],
    ]
    (read,) = load_manifest(tmp_path / "out").parts
    body = json.loads((tmp_path / "out" / read.file).read_bytes())
    texts = {0: first.read_text("utf-8").splitlines(), 1: second.read_text("utf-8").splitlines()}
    for index, record in enumerate(body):
        source, _, line = read.source(index)
        assert texts[source][line - 1].startswith(record["activityId"] + ",")


def test_streamed_ranges_run_across_batches_as_a_whole_runs_do(tmp_path: Path) -> None:
    lines = [
        f"{i},u{i}@example.com,Registered" if i % 37 else f"{i},bad,Registered"
        for i in range(1, 400)
    ]
    source = _write_csv(tmp_path / "in.csv", lines)
    convert(prepare(source), tmp_path / "whole", max_bytes=3_000)
    convert_stream(
        [source], tmp_path / "streamed", max_bytes=3_000, batch_bytes=1_000, block_bytes=300
    )
    whole = (tmp_path / "whole" / MANIFEST_NAME).read_bytes()
    assert (tmp_path / "streamed" / MANIFEST_NAME).read_bytes() == whole
    parts = json.loads(whole)["parts"]
    # Ranges run over many 1,000-byte batches; a rejected row (every 37th) ends one.
    assert max(n for part in parts for *_, n in part["ranges"]) > 30
    assert sum(len(part["ranges"]) for part in parts) < 400 // 37 + len(parts) + 1


# --- reading --------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    lines = [f"{i},u{i}@example.com,Registered" for i in range(1, 13)]
    lines[4] = "5,bad,Registered"
    out = tmp_path / "out"
    convert(prepare(_write_csv(tmp_path / "in.csv", lines)), out, max_bytes=300)
    return out


def test_a_version_1_folder_reads_as_its_version_2_twin(folder: Path) -> None:
    data = _manifest(folder)
    assert data["manifest_version"] == 2
    assert data["range_source"] == list(RANGE_SOURCE)
    assert "record_source" not in data
    current = load_manifest(folder)
    _write_manifest(folder, _as_version_1(data))
    assert load_manifest(folder) == current
    assert [list(p.sources()) for p in load_manifest(folder).parts] == [
        _expand(p["ranges"]) for p in data["parts"]
    ]


def test_the_schema_takes_both_versions_each_in_its_own_layout(folder: Path) -> None:
    validator = jsonschema.Draft202012Validator(schemas.load("manifest"))
    current = _manifest(folder)
    old = _as_version_1(current)
    assert list(validator.iter_errors(current)) == []
    assert list(validator.iter_errors(old)) == []
    assert not validator.is_valid(old | {"manifest_version": 2})  # triples under version 2
    assert not validator.is_valid(current | {"manifest_version": 1})  # ranges under 1
    empty = json.loads(json.dumps(current))
    empty["parts"][0]["ranges"][0][3] = 0
    assert not validator.is_valid(empty)


def _damaged(folder: Path, change: Any) -> str:
    data = _manifest(folder)
    change(data)
    _write_manifest(folder, data)
    with pytest.raises(InputError) as caught:
        load_manifest(folder)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_ranges_that_do_not_add_up_to_the_rows_are_refused(folder: Path) -> None:
    def shorten(data: dict[str, Any]) -> None:
        data["parts"][0]["ranges"][-1][3] -= 1

    message = _damaged(folder, shorten)
    part = _manifest(folder)["parts"][0]
    assert f"part-00001.json: {part['rows']} rows but its source ranges hold" in message
    assert "convert the input again" in message


def test_an_empty_range_is_refused(folder: Path) -> None:
    def empty(data: dict[str, Any]) -> None:
        data["parts"][0]["ranges"].append([0, 99, 100, 0])

    assert "counts fewer than 1 record" in _damaged(folder, empty)


def test_a_version_2_manifest_without_range_source_is_refused(folder: Path) -> None:
    def drop(data: dict[str, Any]) -> None:
        del data["range_source"]

    assert "range_source must be [input, first_row, first_line, count]" in _damaged(folder, drop)


def test_a_version_1_manifest_whose_triples_miss_a_row_is_refused(folder: Path) -> None:
    def shorten(data: dict[str, Any]) -> None:
        old = _as_version_1(data)
        old["parts"][0]["records"].pop()
        data.clear()
        data.update(old)

    assert "rows but" in _damaged(folder, shorten)


# --- a version 1 folder still uploads ----------------------------------------------------------


def _eloqua_rule(row: dict[str, str | None]) -> tuple[str, str, list[str]] | None:
    if (row.get("email") or "").endswith(REJECTED_DOMAIN):
        return ("ELQ-00002", "Invalid email address.", ["email"])
    return None


@pytest.fixture
def client() -> Iterator[EloquaClient]:
    with FakeEloqua({IMPORT_ID: definition(FIELDS)}, reject_rule=_eloqua_rule) as fake:
        made = EloquaClient(
            fake.credentials,
            base_url=fake.url,
            login_url=fake.url,
            retry=RetryPolicy(jitter=False),
            transport=httpx.HTTPTransport(),  # no proxy from the environment
            sleep=lambda _: None,
        )
        with made:
            yield made
        assert fake.server_errors == []


@pytest.mark.parametrize("version", [1, 2])
def test_a_folder_of_either_version_uploads_and_maps_rejects_to_their_lines(
    tmp_path: Path, client: EloquaClient, version: int
) -> None:
    lines = [f"{i},u{i}@example.com,Registered" for i in range(1, 21)]
    lines[2] = "3,not-an-email,Registered"  # line 4: rejected by convert
    lines[6] = f"7,g{REJECTED_DOMAIN},Registered"  # line 8: rejected by Eloqua
    lines[9] = '10,j@example.com,"Regis\ntered"'  # lines 11-12: one record
    lines[15] = f"16,p{REJECTED_DOMAIN},Registered"  # line 18 (one more after the record)
    source = _write_csv(tmp_path / "in.csv", lines)
    spec = schema_from_definition({"name": "t", "fields": FIELDS}, source="test")
    out = tmp_path / "out"
    convert(prepare(source, spec=spec), out, max_bytes=300)
    if version == 1:
        _write_manifest(out, _as_version_1(_manifest(out)))
    assert _manifest(out)["manifest_version"] == version
    result = upload(client, out, UploadOptions(IMPORT_ID, sync=True, wait=True, poll_interval=1))
    assert result.rows_posted == 19
    assert [(r.file, r.row, r.line, r.status_code) for r in result.rejects] == [
        (str(source), 7, 8, "ELQ-00002"),
        (str(source), 16, 18, "ELQ-00002"),
    ]
    text = source.read_text("utf-8").splitlines()
    assert text[8 - 1].startswith("7,") and text[18 - 1].startswith("16,")
