"""Tests for activity_schema.jobs.stream: a batched convert writes the whole-file run's folder.

The contract: with any batch and block size, ``convert_stream`` writes byte for byte the
parts, ``rejects.csv`` and ``manifest.json`` that ``convert(prepare(...))`` writes,
whenever the column-level decisions taken on the first batch hold for the whole file.
Batches here are a few KB (or one record), so every input is cut many times, inside
quoted newlines, CRLF pairs and multi-byte characters.
"""

from __future__ import annotations

import codecs
import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import polars as pl
import pytest

from activity_schema.checking.decisions import ColumnDecisions, DateDecision, SwapDecision
from activity_schema.checking.engine import check_table
from activity_schema.cli import main
from activity_schema.errors import ActivitySchemaError, InputError, UsageError
from activity_schema.issues.codes import IssueCode, Severity
from activity_schema.issues.records import issue_frame
from activity_schema.jobs.report import build_report
from activity_schema.jobs.seams import Seams
from activity_schema.jobs.stream import convert_stream, lint_stream, should_stream
from activity_schema.jobs.stream.index import FirstSeen
from activity_schema.jobs.stream.issues import IssueLog
from activity_schema.jobs.whole import prepare, resolve_schema, table_from_records
from activity_schema.output.write import convert
from activity_schema.readers import ROW
from activity_schema.readers.batches import open_batches
from activity_schema.readers.encoding import decode
from activity_schema.readers.encoding_blocks import choose_encoding
from activity_schema.render.lint import render_text
from activity_schema.schema.config import Settings

ROOT = Path(__file__).parents[2]
DATA = Path(__file__).parents[1] / "data"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "benchmarks_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate_frame: Callable[..., pl.DataFrame] = _load_generator().generate_frame


# --- helpers -----------------------------------------------------------------------------


def _folder(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def _both(
    tmp_path: Path, inputs: list[Path], *, batch_bytes: int, block_bytes: int, **options: Any
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Convert whole and streamed; return both folders' files."""
    whole, streamed = tmp_path / "whole", tmp_path / "streamed"
    convert(prepare(inputs), whole, **options)
    convert_stream(inputs, streamed, batch_bytes=batch_bytes, block_bytes=block_bytes, **options)
    return _folder(whole), _folder(streamed)


def _assert_same(whole: dict[str, bytes], streamed: dict[str, bytes]) -> None:
    assert sorted(streamed) == sorted(whole)
    for name, body in whole.items():
        assert streamed[name] == body, f"{name} differs"


def _messy(rows: int, *, ascii_rows: int = 0, day_first: bool = False) -> pl.DataFrame:
    """Return the benchmark's messy rows with more planted trouble.

    Quoted newlines and quotes in a cell, null strings, a ragged-looking comma inside a
    quoted cell, copies of early rows at the end (duplicates across batches), ASCII-only
    names in the first ``ascii_rows`` rows, and slash dates day-first if asked.
    """
    frame = generate_frame(rows)
    i = pl.int_range(pl.len())
    asset = pl.col("Asset Name")
    frame = frame.with_columns(
        pl.when(i % 37 == 5)
        .then(pl.concat_str(asset, pl.lit('\n"Hall" B\r\nfloor 2')))
        .when(i % 41 == 7)
        .then(pl.lit("N/A"))
        .otherwise(asset)
        .alias("Asset Name")
    )
    if ascii_rows:
        for name in ("First Name", "Last Name"):
            frame = frame.with_columns(
                pl.when(i < ascii_rows).then(pl.lit("Plain")).otherwise(pl.col(name)).alias(name)
            )
    if day_first:
        frame = frame.with_columns(
            pl.col("Activity Date")
            .str.replace(r"^(\d+)/(\d+)/", "${2}/${1}/")
            .alias("Activity Date")
        )
    return pl.concat([frame, frame.slice(3, 40)])


def _write(frame: pl.DataFrame, path: Path, encoding: str = "utf-8", crlf: bool = False) -> Path:
    text = frame.write_csv(line_terminator="\r\n" if crlf else "\n")
    path.write_bytes(text.encode(encoding))
    return path


# --- the contract: same folder as a whole-file run ----------------------------------------


@pytest.mark.parametrize(
    ("encoding", "crlf", "options"),
    [
        ("utf-8", False, {}),
        ("utf-8", True, {"dedupe": True, "max_bytes": 20_000}),
        ("cp1252", False, {"dedupe": True}),
        ("utf-16", True, {"to": "csv", "max_bytes": 30_000, "max_rows": 70}),
    ],
)
def test_streamed_folder_is_the_whole_runs(
    tmp_path: Path, encoding: str, crlf: bool, options: dict[str, Any]
) -> None:
    # cp1252: the first non-ASCII byte comes after 300 KB, past the first batches.
    ascii_rows = 3_000 if encoding == "cp1252" else 0
    path = _write(_messy(3_300, ascii_rows=ascii_rows), tmp_path / "in.csv", encoding, crlf)
    if encoding == "cp1252":
        assert path.read_bytes()[: 300 * 1024].isascii()
    whole, streamed = _both(tmp_path, [path], batch_bytes=40_000, block_bytes=9_000, **options)
    _assert_same(whole, streamed)
    manifest = json.loads(streamed["manifest.json"])
    assert manifest["inputs"][0]["encoding"] == {"utf-16": "utf-16-le"}.get(encoding, encoding)
    assert manifest["rows_in"] == (
        manifest["rows_out"] + manifest["rows_rejected"] + manifest["rows_dropped"]
    )


def test_no_fix_streams_alike(tmp_path: Path) -> None:
    path = _write(_messy(1_200), tmp_path / "in.csv")
    settings = Settings(fix=False)
    convert(prepare(path, settings=settings), tmp_path / "whole", dedupe=True)
    convert_stream(
        [path],
        tmp_path / "streamed",
        settings=settings,
        dedupe=True,
        batch_bytes=20_000,
        block_bytes=9_000,
    )
    _assert_same(_folder(tmp_path / "whole"), _folder(tmp_path / "streamed"))


def test_quoted_newlines_straddle_every_boundary(tmp_path: Path) -> None:
    rows = [
        f'{i},user{i}@example.com,Registered,"Ann\r\n""{i}""\n\nLee",2024-01-02'
        if i % 3 == 0
        else f"{i},user{i}@example.com,Registered,Bob {i},2024-01-03"
        for i in range(1, 40)
    ]
    text = "activityId,email,type,FirstName,ActivityDate\r\n" + "\r\n".join(rows) + "\r\n\r\n"
    path = tmp_path / "quoted.csv"
    path.write_bytes(text.encode("utf-8"))
    for batch, block in [(1, 1), (50, 3), (200, 64)]:
        whole, streamed = _both(tmp_path / f"{batch}", [path], batch_bytes=batch, block_bytes=block)
        _assert_same(whole, streamed)


@pytest.mark.parametrize(
    "name", sorted(p.name for p in DATA.iterdir() if p.suffix in (".csv", ".tsv"))
)
@pytest.mark.parametrize(("batch", "block"), [(1, 1), (64, 7)])
def test_golden_inputs_stream_alike(tmp_path: Path, name: str, batch: int, block: int) -> None:
    path = DATA / name
    whole, streamed = _both(tmp_path, [path], batch_bytes=batch, block_bytes=block)
    _assert_same(whole, streamed)


def test_day_first_dates_are_decided_on_a_sample_of_the_whole_input(tmp_path: Path) -> None:
    path = _write(_messy(2_000, day_first=True), tmp_path / "dmy.csv")
    whole, streamed_files = _both(tmp_path, [path], batch_bytes=30_000, block_bytes=8_000)
    _assert_same(whole, streamed_files)
    done = convert_stream([path], tmp_path / "again", batch_bytes=30_000, block_bytes=8_000)
    assert done.batches > 3
    assert done.decisions[0].dates["ActivityDate"].order == "dmy"
    messages = done.issues.filter(pl.col("code") == "column-decision")["message"].to_list()
    assert any(
        re.match(
            r"date order decided on a sample of [\d,]+ rows spread over the input .*: day-first", m
        )
        for m in messages
    )


def test_a_first_batch_that_disagrees_with_the_rest_does_not_decide(tmp_path: Path) -> None:
    # The export was appended to: 300 month-first rows, then 3,000 day-first ones. A
    # whole-file run reads the column day-first (the majority) and rejects the 300; the
    # first batch alone would have read it month-first and rejected the 3,000. The
    # streamed run decides on rows from all over the input, and writes the same folder.
    head = [f"{i},u{i}@example.com,Registered,12/{1 + i % 28}/2024" for i in range(300)]
    tail = [f"{i},u{i}@example.com,Attended,{1 + i % 28}/11/2024" for i in range(300, 3_300)]
    path = tmp_path / "appended.csv"
    path.write_text("activityId,email,type,ActivityDate\n" + "\n".join(head + tail) + "\n")
    whole, streamed = _both(tmp_path, [path], batch_bytes=10_000, block_bytes=4_000)
    _assert_same(whole, streamed)
    manifest = json.loads(streamed["manifest.json"])
    # The month-first-only values of the first rows (days 13 to 28 of December).
    assert manifest["rows_rejected"] == sum(1 for i in range(300) if 1 + i % 28 > 12)


def test_a_part_spans_two_inputs_as_in_a_whole_run(tmp_path: Path) -> None:
    # Parts fill across inputs; the last part is written only after the last input
    # (PartWriter.seal), not after each one.
    frame = _messy(900)
    first = _write(frame.slice(0, 500), tmp_path / "a.csv")
    second = _write(frame.slice(500), tmp_path / "b.csv")
    whole, streamed = _both(
        tmp_path, [first, second], batch_bytes=9_000, block_bytes=2_000, max_bytes=50_000
    )
    _assert_same(whole, streamed)
    manifest = json.loads(streamed["manifest.json"])
    # ranges: [input, first row, first line, count]; one part holds rows of both inputs.
    inputs_of = [{r[0] for r in part["ranges"]} for part in manifest["parts"]]
    assert {0, 1} in inputs_of


def test_duplicates_across_batches_and_inputs(tmp_path: Path) -> None:
    frame = _messy(600)
    first = _write(frame, tmp_path / "a.csv")
    second = _write(pl.concat([frame.slice(500, 50), frame.slice(10, 30)]), tmp_path / "b.csv")
    whole, streamed = _both(
        tmp_path, [first, second], batch_bytes=9_000, block_bytes=2_000, dedupe=True
    )
    _assert_same(whole, streamed)
    manifest = json.loads(streamed["manifest.json"])
    assert manifest["rows_dropped"] >= 80
    # The warnings name the same first rows as a whole-file lint.
    done = convert_stream([first], tmp_path / "w", batch_bytes=9_000, block_bytes=2_000)
    warned = done.issues.filter(pl.col("code") == "duplicate-row").select("row", "message")
    expected = (
        prepare(first).issues.filter(pl.col("code") == "duplicate-row").select("row", "message")
    )
    assert warned.sort("row").equals(expected.sort("row"))


def test_report_issues_and_summary_match_a_whole_run(tmp_path: Path) -> None:
    path = _write(_messy(1_500), tmp_path / "in.csv")
    done = convert_stream([path], tmp_path / "out", batch_bytes=20_000, block_bytes=5_000)
    prepared = prepare(path)
    assert done.summary == prepared.summary
    cols = ["code", "severity", "row", "line", "field", "message"]
    mine = done.issues.filter(pl.col("code") != "column-decision").select(cols)
    whole = build_report([], prepared.issues, {})
    theirs = whole["issues"].select(cols)
    assert mine.sort(cols, nulls_last=True).equals(theirs.sort(cols, nulls_last=True))
    # The normalizations are summarised as they come, batch after batch, to the same.
    assert done.normalizations == whole["normalizations"]
    assert sum(e["count"] for e in done.normalizations) > 1_000
    assert done.issue_counts is None


def test_streamed_lint_finds_what_a_whole_run_finds(tmp_path: Path) -> None:
    path = _write(_messy(1_500), tmp_path / "in.csv")
    found = lint_stream([path], batch_bytes=20_000, block_bytes=5_000)
    prepared = prepare(path)
    assert found.batches > 1
    assert found.summary == prepared.summary
    mine = found.issues.filter(pl.col("code") != "column-decision")
    # In report order (by line) once sorted as every report is.
    assert build_report([], mine, {})["issues"].equals(
        build_report([], prepared.issues, {})["issues"]
    )
    assert found.issue_counts is None
    # Checking writes nothing: the batch loop runs without parts, rejects or spills.
    assert list(tmp_path.iterdir()) == [path]
    decided = found.issues.filter(pl.col("code") == "column-decision")
    assert decided.height and decided.get_column("severity").unique().to_list() == ["info"]


def test_nul_bytes_and_stray_marks_in_later_blocks_are_cleaned_alike(tmp_path: Path) -> None:
    # Strict UTF-8 blocks go through as they are unless they hold a NUL or a byte-order
    # mark (readers.encoding.needs_cleaning): one in a later block must still be removed
    # and reported, as a whole-file read does.
    lines = _write(_messy(1_200), tmp_path / "clean.csv").read_bytes().split(b"\n")
    lines[700] = lines[700].replace(b"@", b"\x00@", 1)
    lines[900] = codecs.BOM_UTF8 + lines[900]  # two exports joined
    path = tmp_path / "in.csv"
    path.write_bytes(b"\n".join(lines))
    assert path.stat().st_size > 60_000  # the planted bytes are past the first blocks
    whole, streamed = _both(tmp_path, [path], batch_bytes=20_000, block_bytes=5_000)
    _assert_same(whole, streamed)
    assert b"\x00" not in b"".join(streamed.values())
    found = lint_stream([path], batch_bytes=20_000, block_bytes=5_000)
    assert found.batches > 1
    prepared = prepare(path)
    lines_of = found.issues.filter(pl.col("value") == "U+FEFF").get_column("line").to_list()
    assert lines_of == [901]
    assert found.issues.filter(pl.col("code") == "nul-bytes").height == 1
    mine = found.issues.filter(pl.col("code") != "column-decision")
    assert build_report([], mine, {})["issues"].equals(
        build_report([], prepared.issues, {})["issues"]
    )


def test_streamed_lint_agrees_with_the_streamed_convert(tmp_path: Path) -> None:
    path = _write(_messy(900), tmp_path / "in.csv")
    found = lint_stream([path], batch_bytes=9_000, block_bytes=3_000)
    done = convert_stream([path], tmp_path / "out", batch_bytes=9_000, block_bytes=3_000)
    assert found.summary == done.summary
    assert found.inputs == done.inputs
    assert found.issues.equals(done.issues)


def test_json_input_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    records = [{"activityId": str(i), "email": f"u{i}@example.com", "type": "T"} for i in range(9)]
    path.write_text(json.dumps(records), encoding="utf-8")
    assert open_batches(path) is None
    whole, streamed = _both(tmp_path, [path], batch_bytes=10, block_bytes=10)
    _assert_same(whole, streamed)


# --- reading in blocks ------------------------------------------------------------------------


def test_encoding_is_decided_over_the_whole_file(
    tmp_path: Path, late_bytes: Callable[[str, str], bytes]
) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(late_bytes("zoe@example.com,Zoë Ñandú,Attended", "cp1252"))
    choice = choose_encoding(path, name=str(path), block_bytes=4_096)
    assert choice.codec == "cp1252"
    reader = open_batches(path, batch_bytes=50_000, block_bytes=4_096)
    assert reader is not None
    last = list(reader.batches())[-1]
    assert last.frame["FirstName"][-1] == "Zoë Ñandú"


def _legacy_inputs() -> dict[str, bytes]:
    head = "email,FirstName,type\n"
    lines = [f"u{i}@example.com,Małgorzata Żółć {i},Registered\n" for i in range(9_000)]
    polish = "".join(lines)
    return {
        # Over 256 KB of non-ASCII lines: the detector sees a sample of them, and a byte
        # that only comes later still decides whether cp1252 decodes everything.
        "cp1250-long": (head + polish).encode("cp1250") + b"x@y.co,\x8a\x81,T\n",
        "utf8-with-bad-bytes": (head + polish).encode("utf-8") + b"x@y.co,\xff\xfe,T\n",
        "cp1250-with-a-utf8-line": (head + "".join(lines[:900])).encode("cp1250")
        + "z@y.co,Zoë Ñandú,T\n".encode(),
    }


@pytest.mark.parametrize("name", sorted(_legacy_inputs()))
def test_the_encoding_and_its_reason_are_the_whole_files(tmp_path: Path, name: str) -> None:
    raw = _legacy_inputs()[name]
    path = tmp_path / "in.csv"
    path.write_bytes(raw)
    reader = open_batches(path, batch_bytes=60_000, block_bytes=7_000)
    assert reader is not None
    streamed = pl.concat([t.frame for t in reader.batches()])
    whole = decode(raw, path=str(path))
    assert (reader.choice.codec, reader.encoding_reason) == (whole.encoding, whole.reason)
    assert streamed.equals(prepare(path).tables[0].source.frame)


def test_batches_carry_global_rows_and_lines(tmp_path: Path) -> None:
    text = "email,type\n\n" + "".join(f'a{i}@b.co,"T\n{i}"\n' for i in range(1, 30))
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    reader = open_batches(path, batch_bytes=40, block_bytes=16)
    assert reader is not None
    tables = list(reader.batches())
    assert len(tables) > 5
    rows = pl.concat([t.frame for t in tables])
    assert rows["_row"].to_list() == list(range(1, 30))
    assert rows["_line"].to_list() == list(range(3, 60, 2))
    assert reader.blank_rows == 1
    assert {t.headers for t in tables} == {("email", "type")}


def test_an_unclosed_quote_fails_the_run_and_writes_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("email,type\na@b.co,T\n", encoding="utf-8")
    out = tmp_path / "out"
    convert_stream([good], out)
    before = _folder(out)
    bad = tmp_path / "bad.csv"
    bad.write_text("email,type\n" + "a@b.co,T\n" * 50 + 'c@d.co,"T\nx@y.co,T\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        convert_stream([bad], out, force=True, batch_bytes=30, block_bytes=8)
    with pytest.raises(InputError) as whole:
        prepare(bad)
    assert caught.value.one_line() == whole.value.one_line()
    assert _folder(out) == before  # the earlier run is left complete, nothing else


@pytest.mark.parametrize(
    "content",
    [b"", b"email,type\n", b"  \n\n", b"%PDF-1.4 not data"],
    ids=["empty", "header-only", "blank", "pdf"],
)
def test_unreadable_inputs_fail_as_a_whole_run_does(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(ActivitySchemaError) as streamed:
        convert_stream([path], tmp_path / "out", batch_bytes=4, block_bytes=2)
    with pytest.raises(ActivitySchemaError) as whole:
        prepare(path)
    assert streamed.value.one_line() == whole.value.one_line()
    # Nothing committed: no folder, and no staging folder beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.convert.lock", "in.csv"]


# --- decisions in the engine --------------------------------------------------------------


def test_engine_applies_decisions_given_and_returns_those_taken() -> None:
    spec, schema, settings = resolve_schema()
    table = table_from_records(
        [
            {"activityId": "1", "email": "a@b.co", "type": "T", "ActivityDate": "02/03/2024"},
            {"activityId": "2", "email": "c@d.co", "type": "T", "ActivityDate": "04/05/2024"},
        ],
        name="rows",
    )
    taken = check_table(table, spec, schema, settings)
    assert taken.decisions is not None and taken.normalized is None
    assert taken.decisions.dates["ActivityDate"].order == "mdy"
    dmy = ColumnDecisions(dates={"ActivityDate": DateDecision("dmy", "first rows", False)})
    applied = check_table(table, spec, schema, settings, dmy)
    assert applied.values["ActivityDate"].to_list() == [
        "2024-03-02 00:00:00",
        "2024-05-04 00:00:00",
    ]
    assert applied.normalized is not None
    assert not applied.issues.filter(pl.col("code") == "ambiguous-date").height


def test_engine_applies_a_swap_decision() -> None:
    spec, schema, settings = resolve_schema()
    table = table_from_records(
        [{"activityId": "1", "email": "Ann Lee", "type": "T", "FirstName": "ann@b.co"}],
        name="rows",
    )
    swap = ColumnDecisions(swap=SwapDecision("FirstName", "first rows"))
    checked = check_table(table, spec, schema, settings, swap)
    assert checked.values.row(0, named=True)["email"] == "ann@b.co"
    codes = checked.issues["code"].to_list()
    assert "swapped-columns" in codes


def test_decisions_merge_keeps_the_first() -> None:
    first = ColumnDecisions(dates={"D": DateDecision("dmy", "a")})
    later = ColumnDecisions(
        dates={"D": DateDecision("mdy", "b"), "E": DateDecision("mdy", "c")},
        swap=SwapDecision(None, "d"),
    )
    merged = first.merged(later)
    assert merged.dates["D"].order == "dmy" and merged.dates["E"].order == "mdy"
    assert first.new_in(later).dates.keys() == {"E"}
    assert not ColumnDecisions(dates={"D": DateDecision(None, "none")})


# --- small parts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hashes", "payloads", "expected"),
    [
        ([5, 5, 5], [1, 2, 3], [1, 1, 1]),
        ([1, 2, 3], [7, 8, 9], [7, 8, 9]),
        ([2**64 - 1, 0, 2**64 - 1], [1, 2, 3], [1, 2, 1]),
    ],
)
def test_first_seen_within_a_batch(
    hashes: list[int], payloads: list[int], expected: list[int]
) -> None:
    seen = FirstSeen(np.uint32)
    got = seen.first(np.array(hashes, dtype=np.uint64), np.array(payloads))
    assert got.tolist() == expected


def test_first_seen_across_batches_in_every_bucket() -> None:
    rng = np.random.default_rng(7)
    values = rng.integers(0, 2**63, size=3_000, dtype=np.int64).astype(np.uint64) * 2
    seen = FirstSeen(np.int64)
    first = seen.first(values[:2_000], np.arange(2_000))
    again = seen.first(values[1_000:], np.arange(1_000, 3_000))
    assert first.tolist() == list(range(2_000))
    assert again[:1_000].tolist() == list(range(1_000, 2_000))
    assert again[1_000:].tolist() == list(range(2_000, 3_000))
    assert len(seen) == 3_000


def test_issue_log_samples_beyond_its_limit_with_exact_counts() -> None:
    rows = pl.DataFrame({"_row": list(range(1, 51)), "_line": list(range(2, 52))})
    log = IssueLog(max_issues=20, per_code=3)
    for _ in range(4):
        log.add(
            issue_frame(
                rows,
                code=IssueCode.INVALID_EMAIL,
                severity=Severity.ERROR,
                message="m",
                file="f",
            )
        )
    assert log.sampled and log.frame.height == 3
    assert log.counts() == [{"code": "invalid-email", "severity": "error", "count": 200}]
    report = build_report(
        [],
        log.frame,
        dict.fromkeys(
            ("rows", "valid_rows", "rejected_rows", "fixed_rows", "errors", "warnings", "fixes"), 0
        ),
    )
    report["issue_counts"] = log.counts()
    import io

    out = io.StringIO()
    render_text(report, out)
    assert "x200" in out.getvalue() and "197 more" in out.getvalue()


def test_should_stream_by_size(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"a" * 100)
    assert should_stream([path], threshold=99)
    assert not should_stream([path], threshold=100)


# --- the command line ----------------------------------------------------------------------


def test_cli_stream_writes_the_same_folder(tmp_path: Path, cli: Callable[..., Any]) -> None:
    path = _write(_messy(300), tmp_path / "in.csv")
    whole = cli("convert", path, "-o", tmp_path / "whole")
    streamed = cli("convert", path, "-o", tmp_path / "streamed", "--stream")
    assert whole.exit_code == streamed.exit_code == 1  # the file has rejects on purpose
    _assert_same(_folder(tmp_path / "whole"), _folder(tmp_path / "streamed"))
    assert "batch(es)" in streamed.stderr


def test_cli_stream_needs_a_folder(tmp_path: Path, cli: Callable[..., Any]) -> None:
    path = _write(_messy(10), tmp_path / "in.csv")
    result = cli("convert", path, "-o", "-", "--stream")
    assert result.exit_code == UsageError.exit_code
    assert "--stream" in result.stderr


def test_cli_lint_stream_reports_as_a_whole_run(tmp_path: Path) -> None:
    from click.testing import CliRunner

    path = _write(_messy(1_200), tmp_path / "in.csv")
    runner = CliRunner()
    small = Seams(batch_bytes=15_000, block_bytes=4_000)
    whole = runner.invoke(main, ["lint", str(path), "--format", "json"])
    streamed = runner.invoke(main, ["lint", str(path), "--format", "json", "--stream"], obj=small)
    assert whole.exit_code == streamed.exit_code == 1  # the file has errors on purpose
    mine, theirs = json.loads(streamed.stdout), json.loads(whole.stdout)
    assert mine["summary"] == theirs["summary"]
    assert mine["inputs"] == theirs["inputs"]
    listed = [i for i in mine["issues"] if i["code"] != "column-decision"]
    assert listed == theirs["issues"]
    assert any(i["code"] == "column-decision" for i in mine["issues"])


def test_cli_lint_stream_stops_at_an_unreadable_input(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    good = _write(_messy(20), tmp_path / "in.csv")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b'email,type\n"a@b.co,Registered\n')
    result = cli("lint", good, bad, "--stream")
    assert result.exit_code == InputError.exit_code
    assert result.stderr.count("\n") == 1 and "unclosed quote" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_main_is_the_cli() -> None:
    for command in ("convert", "lint"):
        assert "--stream" in [o for p in main.commands[command].params for o in p.opts]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252"])
def test_the_decision_sample_spans_the_file_in_its_encoding(tmp_path: Path, encoding: str) -> None:
    rows = [f"{i},u{i}@example.com,Registered,Zoë {i}" for i in range(4_000)]
    path = tmp_path / "spread.csv"
    path.write_bytes(
        ("activityId,email,type,FirstName\n" + "\n".join(rows) + "\n").encode(encoding)
    )
    reader = open_batches(path, batch_bytes=20_000, block_bytes=4_000)
    assert reader is not None
    batches = reader.batches()
    next(batches)  # the header is known after the first batch
    sample = reader.sample(windows=8, window_bytes=2_000)
    assert sample is not None
    ids = sample.frame.get_column("activityId").cast(pl.Int64)
    # From the start to the end of the file, each row whole and decoded.
    assert ids.min() < 500 and ids.max() > 3_500
    names = sample.frame.get_column("FirstName").to_list()
    assert all(n == f"Zoë {i}" for n, i in zip(names, ids.to_list(), strict=True))
    assert sample.frame.get_column(ROW).to_list() == list(range(1, sample.rows + 1))
    batches.close()


def test_a_sample_stretch_inside_a_quoted_line_break_is_left_out(tmp_path: Path) -> None:
    # One cell holds a thousand lines; a stretch that starts inside it cannot be read
    # (its quote closes a span it never saw open) and is dropped, the others kept.
    note = '"' + "\n".join(f"line {k}, of a long note" for k in range(1_000)) + '"'
    rows = [f"{i},u{i}@example.com,Registered,Bob" for i in range(2_000)]
    rows[1_000] = f"1000,u1000@example.com,Registered,{note}"
    path = tmp_path / "note.csv"
    path.write_text("activityId,email,type,FirstName\n" + "\n".join(rows) + "\n")
    reader = open_batches(path, batch_bytes=5_000, block_bytes=2_000)
    assert reader is not None
    batches = reader.batches()
    next(batches)
    sample = reader.sample(windows=16, window_bytes=1_500)
    assert sample is not None
    emails = sample.frame.get_column("email").to_list()
    assert emails and all(e.startswith("u") and e.endswith("@example.com") for e in emails)
    batches.close()


def test_a_sample_taken_before_the_first_batch_skips_the_lines_above_the_header(
    tmp_path: Path,
) -> None:
    # The sample is read while the first batch is (its reader finds the header itself):
    # a title row and a "sep=" line above the header are skipped as the batches skip them.
    head = [f"{i},u{i}@example.com,Registered,12/{13 + i % 16}/2024" for i in range(200)]
    tail = [f"{i},u{i}@example.com,Attended,{13 + i % 16}/11/2024" for i in range(200, 3_000)]
    text = "sep=,\nWebinar export (December)\nactivityId,email,type,ActivityDate\n"
    path = tmp_path / "titled.csv"
    path.write_text(text + "\n".join(head + tail) + "\n")
    reader = open_batches(path, batch_bytes=8_000, block_bytes=4_000)
    assert reader is not None
    sample = reader.sample(windows=8, window_bytes=4_000)  # before any batch is read
    assert sample is not None
    assert sample.frame.columns[2:] == ["activityId", "email", "type", "ActivityDate"]
    assert sample.frame.get_column("email").str.ends_with("@example.com").all()
    whole, streamed = _both(tmp_path, [path], batch_bytes=8_000, block_bytes=4_000)
    _assert_same(whole, streamed)
