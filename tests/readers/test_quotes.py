"""Quotes nobody here wrote: read the way Excel and the csv module do, or say so.

The corpus in ``tests/data/corpus/quotes/`` and ``headers/`` (written by
``make_quotes.py``) holds the files of issue 12: apostrophes a sniffer could take for
quotes, inch marks, spaces around quotes, TSVs with literal quotes, a big cell beside a
stray quote, and the header oddities. Every file is read exactly or reported at warning
or error level, and ``convert`` accounts for every record: in the parts, in the rejects,
or refused with its line.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest
from click.testing import Result

from activity_schema.errors import InputError
from activity_schema.readers import LINE, ROW, ReadOptions, read_bytes, read_path
from activity_schema.readers.batches import open_batches

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
TRUTHS = sorted([*CORPUS.glob("quotes/*.truth.json"), *CORPUS.glob("headers/*.truth.json")])
LOUD = {"warning", "error"}
Cli = Callable[..., Result]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_quotes", CORPUS / "make_quotes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _input(truth: Path) -> Path:
    return truth.with_name(truth.name.removesuffix(".truth.json"))


def _truth(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _options(truth: dict[str, Any]) -> ReadOptions | None:
    given = truth.get("read_options")
    return ReadOptions(**given) if given else None


def _records(frame: pl.DataFrame) -> list[list[str | None]]:
    return [list(row) for row in frame.drop(ROW, LINE).rows()]


def _flags(truth: dict[str, Any]) -> list[str]:
    return ["--no-quote"] if (truth.get("read_options") or {}).get("no_quote") else []


def test_the_generator_reproduces_the_committed_bytes() -> None:
    files = _generator().files()
    assert len(files) >= 40
    for name, data in files.items():
        assert (CORPUS / name).read_bytes() == data, name
    committed = {f"{p.parent.name}/{p.name}" for p in TRUTHS}
    assert committed == {name for name in files if name.endswith(".truth.json")}


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: f"{p.parent.name}/{_input(p).name}")
def test_exact_or_loud(truth: Path) -> None:
    expected = _truth(truth)
    path, options = _input(truth), _options(expected)
    if expected.get("refuse"):
        with pytest.raises(InputError) as refused:
            read_path(path, options)
        assert refused.value.line is not None
        return
    table = read_path(path, options)
    exact = list(table.headers) == expected["header"] and _records(table.frame) == [
        list(r) for r in expected["records"]
    ]
    loud = set(table.issues.filter(pl.col("severity").is_in(LOUD)).get_column("code"))
    wanted = set(expected.get("loud", ()))
    if wanted:
        assert loud & wanted, f"{path.name}: expected one of {wanted}, got {loud}"
    else:
        assert exact, f"{path.name}: {list(table.headers)} {_records(table.frame)}"


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: f"{p.parent.name}/{_input(p).name}")
def test_streamed_batches_are_the_whole_files_slices(truth: Path) -> None:
    expected = _truth(truth)
    path, options = _input(truth), _options(expected)
    if expected.get("refuse"):
        with pytest.raises(InputError):
            reader = open_batches(path, options, batch_bytes=60, block_bytes=16)
            assert reader is not None
            list(reader.batches())
        return
    whole = read_path(path, options)
    reader = open_batches(path, options, batch_bytes=60, block_bytes=16)
    assert reader is not None
    batches = list(reader.batches())
    assert all(batch.headers == whole.headers for batch in batches)
    assert pl.concat([b.frame for b in batches]).equals(whole.frame)
    codes = {c for b in batches for c in b.issues.get_column("code")}
    codes |= set(reader.file_issues(batches[0]).get_column("code"))
    assert codes == set(whole.issues.get_column("code"))


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: f"{p.parent.name}/{_input(p).name}")
def test_convert_accounts_for_every_record(truth: Path, cli: Cli, tmp_path: Path) -> None:
    expected = _truth(truth)
    path = _input(truth)
    out = tmp_path / "out"
    result = cli("convert", path, "-o", out, "-q", *_flags(expected))
    if expected.get("refuse"):
        assert result.exit_code == 3
        assert f"{path.name}:" in result.stderr
        return
    assert result.exit_code in (0, 1), result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    records = len(expected["records"])
    assert manifest["rows_in"] == records
    assert records == manifest["rows_out"] + manifest["rows_rejected"] + manifest["rows_dropped"]


def test_apostrophes_never_merge_activities(cli: Cli, tmp_path: Path) -> None:
    # Issue 12: read with ' as the quote, 'Tis Q4 Webinar ... Partners' merged two records
    # and convert wrote 2 rows for 3, exit 0.
    source = CORPUS / "quotes" / "apostrophe_asset.csv"
    result = cli("convert", source, "-o", "-", "-q")
    rows = json.loads(result.stdout)
    assert [row["AssetName"] for row in rows] == [
        "'Tis Q4 Webinar",
        "Summit for Partners'",
        "Q4 Product Tour",
    ]
    assert read_path(source).dialect["quotechar"] == '"'


def test_literal_quotes_are_warned_on_their_rows() -> None:
    table = read_path(CORPUS / "quotes" / "inch_marks.csv")
    literal = table.issues.filter(pl.col("code") == "literal-quote")
    assert literal.select("severity", "row", "line", "value").rows() == [
        ("warning", 1, 2, 'ana@example.com,Visited Booth,Monitor 27"'),
        ("warning", 2, 3, 'li@example.com,Visited Booth,5" screen demo'),
    ]
    assert "only a quote at the start of a cell" in literal.item(0, "message")
    assert "--no-quote" in literal.item(0, "fix")


def test_a_space_after_a_closing_quote_is_not_a_ragged_row() -> None:
    table = read_path(CORPUS / "quotes" / "space_after_quote.csv")
    codes = table.issues.get_column("code").to_list()
    assert "ragged-row" not in codes
    assert codes.count("literal-quote") == 2


def test_only_the_ambiguous_row_is_rejected() -> None:
    table = read_path(CORPUS / "quotes" / "space_before_quoted_delimiter.csv")
    errors = table.issues.filter(pl.col("severity") == "error")
    assert errors.select("code", "row", "line").rows() == [("ragged-row", 1, 2)]
    assert table.frame.get_column("AssetName").to_list()[1] == "Q4 Product Tour"


def test_a_quote_in_a_later_cell_of_a_quoted_line_keeps_the_fast_path_honest() -> None:
    # A file that is RFC 4180 except for one literal quote far down is read by the csv
    # module; its other cells are exactly what polars would read.
    body = "".join(f'a{i}@b.co,"Spring Summit, Paris",{i}\n' for i in range(500))
    raw = ("email,AssetName,n\n" + body + 'z@b.co,Monitor 27",500\n').encode()
    table = read_bytes(raw)
    assert table.frame.height == 501
    assert table.frame.get_column("AssetName").to_list()[-2:] == [
        "Spring Summit, Paris",
        'Monitor 27"',
    ]
    rows = list(csv.reader(io.StringIO(raw.decode()), strict=False))[1:]
    assert [r[1] for r in rows] == table.frame.get_column("AssetName").to_list()


# --- --quote and --no-quote -----------------------------------------------------------

READING_COMMANDS = [
    ["inspect"],
    ["lint"],
    ["convert", "-o", "-"],
    ["init", "-o", "-"],
    ["upload", "--import-id", "1", "--dry-run"],
]


@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: c[0])
def test_every_reading_command_takes_quote_options(command: list[str], cli: Cli) -> None:
    help_text = cli(command[0], "--help").stdout
    assert "--quote CHAR" in help_text
    assert "--no-quote" in help_text


# upload asks for credentials before it reads anything.
@pytest.mark.parametrize("command", READING_COMMANDS[:-1], ids=lambda c: c[0])
def test_quote_and_no_quote_contradict(command: list[str], cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_bytes(b"email,type\na@b.co,Registered\n")
    result = cli(*command, source, "--quote", "'", "--no-quote")
    assert result.exit_code == 2
    assert "--quote and --no-quote contradict each other" in result.stderr


def test_no_quote_reads_every_quote_as_text(cli: Cli) -> None:
    source = CORPUS / "quotes" / "tsv_quote_at_cell_start.tsv"
    quoted = cli("inspect", source, "--format", "json")
    plain = cli("inspect", source, "--format", "json", "--no-quote")
    samples = [json.loads(r.stdout)["inputs"][0]["columns"][2]["samples"] for r in (quoted, plain)]
    assert samples == [
        ["Growth webinar", "Q4 Product Tour"],
        ['"Growth" webinar', "Q4 Product Tour"],
    ]
    dialect = json.loads(plain.stdout)["inputs"][0]["dialect"]
    assert dialect["quotechar"] == ""
    assert dialect["evidence"].endswith("; --no-quote")


def test_quote_picks_the_quote_character(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_bytes(b"email|Note\na@b.co|'x| y'\n")
    result = cli("inspect", source, "--format", "json", "--quote", "'")
    entry = json.loads(result.stdout)["inputs"][0]
    assert (entry["dialect"]["delimiter"], entry["dialect"]["quotechar"]) == ("|", "'")
    assert entry["columns"][1]["samples"] == ["x| y"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"quotechar": "'", "no_quote": True}, "--quote and --no-quote contradict"),
        ({"quotechar": "ab"}, "the quote character must be one character"),
    ],
)
def test_read_options_refuse_bad_quotes(options: dict[str, Any], message: str) -> None:
    from activity_schema.errors import UsageError

    with pytest.raises(UsageError, match=message):
        ReadOptions(**options)


def test_no_quote_allows_a_quote_as_the_delimiter() -> None:
    table = read_bytes(
        b'email"type\na@b.co"Registered\n', options=ReadOptions(delimiter='"', no_quote=True)
    )
    assert table.frame.row(0) == (1, 2, "a@b.co", "Registered")


def test_inspect_shows_no_quoting_as_none(cli: Cli) -> None:
    source = CORPUS / "quotes" / "tsv_quote_at_cell_start.tsv"
    assert "delimiter '\\t', quote none" in cli("inspect", source, "--no-quote").stdout
    assert "delimiter '\\t', quote '\"'" in cli("inspect", source).stdout
