"""Tests for activity_schema.output.write: parts, rejects and manifest in OUTDIR."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any, get_args

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity_schema.errors import UsageError
from activity_schema.jobs.whole import Prepared, prepare
from activity_schema.output import write as convert_module
from activity_schema.output.encode import OutputFormat
from activity_schema.output.plan import MANIFEST_NAME, REJECTS_NAME, part_name, plan_convert
from activity_schema.output.write import convert, write_document

#: The request body of the example on Oracle's reference page "Upload data for an activity
#: import definition" (docs/eloqua.md, S1), verbatim: the second record's address is in
#: FirstName.
REFERENCE_BODY = b"""[
{
"activityId": "1000",
"email": "sean.butler@example.com",
"type": "Registered"
},
{
"activityId": "1000",
"FirstName": "nikita.robertson@example.com",
"type": "Registered"
}
]"""

NASTY_NAMES = [
    "Acme, Inc.",
    'The "Best" Webinar',
    "Line one\nline two",
    "Emoji 😀 launch 🚀",
    "中文网络研讨会",
    "وبينار عربي",
    "שלום עולם",
    "Tab\tseparated",
    "Back\\slash",
    "semi;colon|pipe",
]


def good_row(i: int, **extra: str | None) -> dict[str, str | None]:
    return {
        "activityId": str(1000 + i),
        "email": f"user{i}@example.com",
        "type": "Registered",
        **extra,
    }


def files(outdir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(outdir.iterdir())}


def parts_of(outdir: Path, to: str = "json") -> list[Path]:
    return sorted(outdir.glob(f"part-*.{to}"))


def manifest_of(outdir: Path) -> dict[str, Any]:
    data = json.loads((outdir / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def clean_records(prepared: Prepared) -> list[dict[str, str]]:
    """The normalized values as a reader of the output should see them."""
    fields = prepared.spec.names
    return [{f: r[f] for f in fields if r[f]} for r in prepared.clean.iter_rows(named=True)]


def read_rejects(outdir: Path) -> list[dict[str, str]]:
    with (outdir / REJECTS_NAME).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the reference example --------------------------------------------------------------


def test_reference_example_moves_the_email_into_email(tmp_path: Path) -> None:
    result = convert(prepare(REFERENCE_BODY), tmp_path / "out")
    (part,) = parts_of(tmp_path / "out")
    assert json.loads(part.read_bytes()) == [
        {"activityId": "1000", "email": "sean.butler@example.com", "type": "Registered"},
        {"activityId": "1000", "email": "nikita.robertson@example.com", "type": "Registered"},
    ]
    assert (result.rows_in, result.rows_out, result.rows_rejected, result.rows_dropped) == (
        2,
        2,
        0,
        0,
    )
    assert result.fixes == {"misplaced-email": 1}
    assert manifest_of(tmp_path / "out")["fixes"] == {"misplaced-email": 1}


# --- round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("to", ["json", "csv"])
@pytest.mark.parametrize("max_bytes", [300, 32_000_000])
def test_written_parts_read_back_as_the_normalized_values(
    tmp_path: Path, to: OutputFormat, max_bytes: int
) -> None:
    rows = [good_row(i, AssetName=name) for i, name in enumerate(NASTY_NAMES)]
    prepared = prepare(rows)
    assert prepared.summary.valid_rows == len(rows)
    result = convert(prepared, tmp_path / "out", to=to, max_bytes=max_bytes)
    paths = parts_of(tmp_path / "out", to)
    assert [p.name for p in paths] == [p.file for p in result.parts]
    fields = list(prepared.spec.names)
    by_stdlib: list[dict[str, str]] = []
    by_polars: list[dict[str, str]] = []
    for path in paths:
        body = path.read_bytes()
        assert len(body) <= max_bytes
        if to == "json":
            by_stdlib.extend(json.loads(body.decode("utf-8")))
            frame = pl.read_json(body, schema=dict.fromkeys(fields, pl.String))
        else:
            reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
            header = next(reader)
            assert header == fields
            by_stdlib.extend(
                {f: v for f, v in zip(header, row, strict=True) if v} for row in reader
            )
            frame = pl.read_csv(body, infer_schema=False)
        by_polars.extend({f: v for f, v in r.items() if v} for r in frame.iter_rows(named=True))
    expected = clean_records(prepared)
    assert by_stdlib == expected
    assert by_polars == expected
    assert any("😀" in r.get("AssetName", "") for r in expected)


def test_json_parts_have_no_null_no_escapes_no_bom(tmp_path: Path) -> None:
    rows = [good_row(i, AssetName=name, FirstName="null") for i, name in enumerate(NASTY_NAMES)]
    convert(prepare(rows), tmp_path / "out")
    body = b"".join(p.read_bytes() for p in parts_of(tmp_path / "out"))
    assert b"null" not in body
    assert not body.startswith(b"\xef\xbb\xbf")
    assert "中文网络研讨会".encode() in body
    assert b"\\u4e2d" not in body.lower()


def test_write_document_writes_one_document(tmp_path: Path) -> None:
    rows = [good_row(i, AssetName=name) for i, name in enumerate(NASTY_NAMES)]
    prepared = prepare(rows)
    out = io.BytesIO()
    result = write_document(prepared, out)
    assert json.loads(out.getvalue()) == clean_records(prepared)
    assert (result.parts, result.outdir, result.rows_out) == ((), None, len(rows))
    csv_out = io.BytesIO()
    write_document(prepared, csv_out, to="csv")
    assert csv_out.getvalue().startswith(",".join(prepared.spec.names).encode() + b"\r\n")
    assert list(tmp_path.iterdir()) == []


# --- parts and limits ------------------------------------------------------------------


@pytest.mark.parametrize("to", ["json", "csv"])
def test_small_limit_gives_standalone_parts_under_it(tmp_path: Path, to: OutputFormat) -> None:
    prepared = prepare([good_row(i) for i in range(30)])
    result = convert(prepared, tmp_path / "out", to=to, max_bytes=300)
    assert len(result.parts) > 1
    for part in result.parts:
        body = part.path.read_bytes()
        assert len(body) == part.bytes <= 300
        if to == "json":
            assert len(json.loads(body)) == part.rows
        else:
            assert body.startswith(b"activityId,email,type,")
            assert len(pl.read_csv(body, infer_schema=False)) == part.rows
    assert sum(p.rows for p in result.parts) == 30


def test_record_larger_than_the_limit_is_rejected_not_truncated(tmp_path: Path) -> None:
    rows = [good_row(1), good_row(2, AssetName="x" * 90, LastName="y" * 90), good_row(3)]
    prepared = prepare(rows)
    outdir = tmp_path / "out"
    result = convert(prepared, outdir, max_bytes=200)
    assert (result.rows_out, result.rows_rejected) == (2, 1)
    written = [r for p in parts_of(outdir) for r in json.loads(p.read_bytes())]
    assert [r["activityId"] for r in written] == ["1001", "1003"]
    (reject,) = read_rejects(outdir)
    assert reject["_row"] == "2"
    assert reject["codes"] == "record-too-large"
    assert "200-byte limit" in reject["messages"]
    assert reject["AssetName"] == "x" * 90
    issue = result.issues.row(0, named=True)
    assert (issue["code"], issue["severity"], issue["row"]) == ("record-too-large", "error", 2)
    assert manifest_of(outdir)["rejected_by_code"] == {"record-too-large": 1}


def test_more_than_500_parts_is_flagged(tmp_path: Path) -> None:
    result = convert(prepare([good_row(i) for i in range(501)]), tmp_path / "out", max_rows=1)
    assert len(result.parts) == 501
    assert result.exceeds_sync_limit
    assert manifest_of(tmp_path / "out")["exceeds_sync_limit"] is True
    assert part_name(501, "json") in {p.name for p in parts_of(tmp_path / "out")}


# --- rejects ---------------------------------------------------------------------------


def test_rejects_file_explains_every_rejected_row(tmp_path: Path) -> None:
    rows: list[dict[str, str | None]] = [
        good_row(1),
        {"activityId": "12x", "email": "bad@", "type": "Registered", "messages": "keep me"},
        good_row(3),
    ]
    result = convert(prepare(rows), tmp_path / "out")
    rejects = read_rejects(tmp_path / "out")
    assert list(rejects[0])[:5] == ["_file", "_row", "_line", "codes", "messages"]
    (reject,) = rejects
    assert reject["_row"] == "2"
    assert set(reject["codes"].split(",")) == {"invalid-integer", "invalid-email"}
    assert "activityId:" in reject["messages"] and "email:" in reject["messages"]
    # An input column named like the file's own "messages" keeps its values.
    assert (reject["activityId"], reject["email"], reject["messages (source)"]) == (
        "12x",
        "bad@",
        "keep me",
    )
    assert result.rows_rejected == 1


def test_file_level_errors_reject_every_row_with_the_reason(tmp_path: Path) -> None:
    result = convert(prepare([{"email": "a@b.co", "type": "Registered"}] * 2), tmp_path / "out")
    assert (result.rows_out, result.rows_rejected) == (0, 2)
    assert parts_of(tmp_path / "out") == []
    rejects = read_rejects(tmp_path / "out")
    assert [r["codes"] for r in rejects] == ["missing-column", "missing-column"]
    assert all("activityId" in r["messages"] for r in rejects)


# --- counts ----------------------------------------------------------------------------

value = st.one_of(
    st.none(),
    st.sampled_from(
        ["", " ", "null", "N/A", "1", "42", "x1", "a@b.co", "bad@", "Registered", "😀"]
    ),
    st.text(max_size=12),
)
row = st.fixed_dictionaries(
    {"activityId": value, "email": value, "type": value},
    optional={"AssetName": value, "Extra": value},
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    inputs=st.lists(st.lists(row, min_size=1, max_size=12), min_size=1, max_size=3),
    to=st.sampled_from(get_args(OutputFormat)),
    max_bytes=st.sampled_from([120, 300, 32_000_000]),
    dedupe=st.booleans(),
)
def test_counts_always_add_up(
    inputs: list[list[dict[str, str | None]]], to: OutputFormat, max_bytes: int, dedupe: bool
) -> None:
    prepared = prepare(inputs)
    with tempfile.TemporaryDirectory() as tmp:
        outdir = Path(tmp)
        result = convert(prepared, outdir, to=to, max_bytes=max_bytes, dedupe=dedupe)
        manifest = manifest_of(outdir)
        rejects = read_rejects(outdir)
        in_parts = sum(n for part in manifest["parts"] for *_, n in part["ranges"])
    assert result.rows_in == sum(len(rows) for rows in inputs)
    assert result.rows_in == result.rows_out + result.rows_rejected + result.rows_dropped
    assert (
        manifest["rows_in"]
        == manifest["rows_out"] + manifest["rows_rejected"] + manifest["rows_dropped"]
    )
    assert in_parts == result.rows_out == sum(p.rows for p in result.parts)
    assert len(rejects) == result.rows_rejected
    assert len(manifest["dropped"]) == result.rows_dropped
    assert all(p.bytes <= max_bytes for p in result.parts)
    if not dedupe:
        assert result.rows_dropped == 0


# --- the manifest ----------------------------------------------------------------------


def test_manifest_maps_each_record_back_to_its_source(tmp_path: Path) -> None:
    first = (
        b"activityId,email,type\n"
        b"1,a@example.com,Registered\n2,bad@,Registered\n3,c@example.com,Registered\n"
    )
    second = b'[{"activityId": "4", "email": "d@example.com", "type": "Registered"}]'
    (tmp_path / "a.csv").write_bytes(first)
    (tmp_path / "b.json").write_bytes(second)
    prepared = prepare([tmp_path / "a.csv", tmp_path / "b.json"])
    outdir = tmp_path / "out"
    result = convert(prepared, outdir, max_bytes=150)
    manifest = manifest_of(outdir)
    assert [i["path"] for i in manifest["inputs"]] == [
        str(tmp_path / "a.csv"),
        str(tmp_path / "b.json"),
    ]
    assert [i["format"] for i in manifest["inputs"]] == ["csv", "json"]
    import hashlib

    assert manifest["inputs"][0]["sha256"] == hashlib.sha256(first).hexdigest()
    assert manifest["schema"]["fields"] == list(prepared.spec.names)
    assert (manifest["rows_in"], manifest["rows_out"], manifest["rows_rejected"]) == (4, 3, 1)
    assert manifest["part_count"] == len(result.parts) == len(manifest["parts"])
    sources: list[tuple[dict[str, str], list[int]]] = []
    for entry in manifest["parts"]:
        body = (outdir / entry["file"]).read_bytes()
        assert entry["bytes"] == len(body)
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()
        records = json.loads(body)
        assert len(records) == entry["rows"] == sum(n for *_, n in entry["ranges"])
        triples = [(i, r + k, li + k) for i, r, li, n in entry["ranges"] for k in range(n)]
        sources.extend(zip(records, triples, strict=True))
    lines = first.decode().splitlines()
    for record, (index, source_row, line) in sources:
        if index == 0:
            assert lines[line - 1].startswith(record["activityId"] + ",")
            assert source_row == int(record["activityId"])
        else:
            assert (record["activityId"], source_row) == ("4", 1)


def test_dedupe_keeps_the_first_copy_across_inputs(tmp_path: Path) -> None:
    prepared = prepare([[good_row(1), good_row(2), good_row(1)], [good_row(2)]])
    kept = convert(prepared, tmp_path / "a", dedupe=True)
    assert (kept.rows_in, kept.rows_out, kept.rows_dropped) == (4, 2, 2)
    manifest = manifest_of(tmp_path / "a")
    assert manifest["dropped"] == [[0, 3, 3, 0, 1, 1], [1, 1, 1, 0, 2, 2]]
    assert manifest["dedupe"] is True
    assert set(kept.issues.get_column("code")) == {"duplicate-row"}
    every = convert(prepared, tmp_path / "b")
    assert (every.rows_out, every.rows_dropped) == (4, 0)


# --- determinism and the output folder ---------------------------------------------------


@pytest.mark.parametrize("to", ["json", "csv"])
def test_reruns_are_byte_identical(tmp_path: Path, to: OutputFormat) -> None:
    rows = [good_row(i, AssetName=name) for i, name in enumerate(NASTY_NAMES)] + [
        {"activityId": "x"}
    ]
    first = convert(prepare(rows), tmp_path / "one", to=to, max_bytes=300)
    convert(prepare(rows), tmp_path / "two", to=to, max_bytes=300)
    assert len(first.parts) > 1
    assert files(tmp_path / "one") == files(tmp_path / "two")


def test_an_outdir_with_parts_is_refused_without_force(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    convert(prepare([good_row(i) for i in range(20)]), outdir, max_bytes=300)
    assert len(parts_of(outdir)) > 2
    (outdir / "notes.txt").write_text("mine")
    before = files(outdir)
    with pytest.raises(UsageError, match=r"already holds part-00001\.json") as err:
        convert(prepare([good_row(1)]), outdir)
    assert err.value.exit_code == 2
    assert "--force" in str(err.value)
    assert files(outdir) == before
    convert(prepare([good_row(1)]), outdir, force=True)
    assert [p.name for p in parts_of(outdir)] == ["part-00001.json"]
    assert (outdir / "notes.txt").read_text() == "mine"


def test_temporary_files_of_older_versions_are_dropped_not_carried(tmp_path: Path) -> None:
    # Versions before the atomic commit staged parts inside the folder; such a leftover
    # is not a run (nothing to replace), so no --force is needed, and it is not kept.
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / ".part-00001.json.tmp").write_bytes(b"[")
    (outdir / ".stream-abc.tmp").mkdir()
    convert(prepare([good_row(1)]), outdir)
    assert sorted(p.name for p in outdir.iterdir()) == [
        MANIFEST_NAME,
        "part-00001.json",
        REJECTS_NAME,
    ]


def test_an_outdir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        convert(prepare([good_row(1)]), tmp_path / "out")


def test_a_failed_run_leaves_no_finished_looking_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(convert_module, "render_manifest", broken)
    outdir = tmp_path / "out"
    with pytest.raises(RuntimeError, match="disk on fire"):
        convert(prepare([good_row(i) for i in range(20)]), outdir, max_bytes=300)
    # Nothing was committed: no folder, no staging folder; only the lock file stays.
    assert not outdir.exists()
    assert [p.name for p in tmp_path.iterdir()] == [".out.convert.lock"]


def test_impossible_limits_are_refused_before_writing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="too small"):
        convert(prepare([good_row(1)]), tmp_path / "out", to="csv", max_bytes=50)
    with pytest.raises(UsageError, match="row limit"):
        convert(prepare([good_row(1)]), tmp_path / "out", max_rows=0)
    assert not (tmp_path / "out").exists()


def test_a_tiny_limit_rejects_every_record_and_says_why(tmp_path: Path) -> None:
    result = convert(prepare([good_row(1), good_row(2)]), tmp_path / "out", max_bytes=20)
    assert (result.rows_out, result.rows_rejected, result.parts) == (0, 2, ())
    assert [r["codes"] for r in read_rejects(tmp_path / "out")] == ["record-too-large"] * 2


def test_plan_is_the_python_api_for_uploaders() -> None:
    plan = plan_convert(prepare(REFERENCE_BODY), to="csv", max_bytes=1000)
    (chunk,) = plan.chunks()
    assert chunk.content_type == "text/csv"
    assert chunk.sources.get_column("_row").to_list() == [1, 2]
    assert plan.rejects().height == 0


def test_write_stream_is_the_deprecated_name_of_write_document() -> None:
    from activity_schema.output import write

    with pytest.warns(DeprecationWarning, match="use write_document"):
        assert write.write_stream is write.write_document  # type: ignore[attr-defined]
