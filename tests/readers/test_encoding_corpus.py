"""The encoding corpus: every file is read exactly or loudly, and never worse than chardet.

The corpus (``tests/data/corpus/encodings``, written by ``make_encodings.py``) holds
activity exports in legacy 8-bit code pages (Windows, ISO-8859, DOS, Mac), East Asian
encodings and UTF-16 without a byte-order mark, plus a CESU-8 case; the sparse inputs
(megabytes of ASCII before the first accented letter) are built at test time.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import chardet
import polars as pl
import pytest

from activity_schema.readers import ROW, SourceTable, read_path
from activity_schema.readers.batches import open_batches
from activity_schema.readers.encoding import decode
from activity_schema.readers.encoding_blocks import choose_encoding

# Slow: the whole encoding corpus.
pytestmark = pytest.mark.slow

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
FOLDER = CORPUS / "encodings"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_encodings", CORPUS / "make_encodings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclasses look their module up while being built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


MAKE = _generator()
#: The delimiter each generated file was written with.
DELIMITERS = {f"{case.name}.csv": case.delimiter for case in MAKE.CASES}
FILES = sorted(p.name for p in FOLDER.iterdir() if not p.name.endswith(".truth.json"))


def _truth(name: str) -> dict[str, Any]:
    return json.loads((FOLDER / f"{name}.truth.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _records(table: SourceTable) -> list[list[str | None]]:
    return [list(row) for row in table.frame.drop(ROW, "_line").rows()]


def _loud(table: SourceTable, codes: list[str]) -> bool:
    issues = table.issues.filter(pl.col("severity").is_in(["warning", "error"]))
    return bool(set(issues.get_column("code").to_list()) & set(codes))


def _exact(table: SourceTable, truth: dict[str, Any]) -> bool:
    return list(table.headers) == truth["header"] and _records(table) == truth["records"]


def _plain_chardet_records(raw: bytes, delimiter: str) -> list[list[str]] | None:
    """Return the records plain ``chardet.detect`` gives: its encoding, then csv."""
    name = chardet.detect(raw)["encoding"]
    try:
        text = raw.decode(name) if name else None
    except (UnicodeDecodeError, LookupError):
        return None
    if text is None:
        return None
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_generator_reproduces_the_committed_corpus() -> None:
    expected = MAKE.files()
    assert sorted(expected) == sorted(p.name for p in FOLDER.iterdir())
    for name, data in expected.items():
        assert (FOLDER / name).read_bytes() == data, name


def test_corpus_covers_the_issue() -> None:
    # At least 24 language/encoding pairs, UTF-16 without a BOM and the CESU-8 case.
    pairs = {(case.language, case.encoding) for case in MAKE.CASES}
    assert len(pairs) >= 24
    assert {"utf-16-le", "utf-16-be"} <= {case.encoding for case in MAKE.CASES}
    assert "cesu8_in_utf8.csv" in FILES


@pytest.mark.parametrize("name", FILES)
def test_every_file_is_exact_or_loud(name: str) -> None:
    truth = _truth(name)
    table = read_path(FOLDER / name)
    if "loud" in truth:
        assert _loud(table, truth["loud"]), table.issues
    else:
        assert _exact(table, truth), (table.encoding, _records(table)[:2])


@pytest.mark.parametrize("name", FILES)
def test_never_worse_than_plain_chardet(name: str) -> None:
    raw = (FOLDER / name).read_bytes()
    truth = _truth(name)
    delimiter = DELIMITERS.get(name, ",")
    plain = _plain_chardet_records(raw, delimiter)
    if plain != [truth["header"], *truth["records"]]:
        pytest.skip("plain chardet does not read this file right")
    decoded = decode(raw, path=name)
    ours = list(
        csv.reader(io.StringIO(decoded.data.decode("utf-8"), newline=""), delimiter=delimiter)
    )
    assert ours == plain
    assert decoded.doubt is None, decoded.doubt


def test_score_against_plain_chardet() -> None:
    # The figures of the issue: exact files, and files chardet alone reads right.
    exact = plain_right = both = 0
    for name in FILES:
        raw = (FOLDER / name).read_bytes()
        truth = _truth(name)
        if "loud" in truth:
            continue
        delimiter = DELIMITERS.get(name, ",")
        ours = _exact(read_path(FOLDER / name), truth)
        plain = _plain_chardet_records(raw, delimiter) == [truth["header"], *truth["records"]]
        exact += ours
        plain_right += plain
        both += ours and plain
    exact_files = sum("loud" not in _truth(name) for name in FILES)
    assert exact == exact_files
    assert both == plain_right


@pytest.mark.parametrize("name", FILES)
def test_streamed_reads_choose_as_whole_file_reads(name: str) -> None:
    path = FOLDER / name
    whole = decode(path.read_bytes(), path=name)
    # Small blocks: the detector's sample is gathered across many blocks.
    choice = choose_encoding(path, name=name, block_bytes=64)
    assert choice.codec == whole.encoding
    assert choice.doubt == whole.doubt


def test_cesu8_sequence_in_a_small_utf8_file_is_reported_not_read_as_cp1252() -> None:
    table = read_path(FOLDER / "cesu8_in_utf8.csv")
    assert table.encoding == "utf-8"
    assert _records(table)[0][1] == "Zoë"
    bad = table.issues.filter(pl.col("code") == "undecodable-bytes")
    assert bad.get_column("severity").unique().to_list() == ["error"]
    assert bad.get_column("row").unique().to_list() == [2]


def test_utf16_without_bom_in_a_non_latin_script_is_text(tmp_path: Path) -> None:
    # Few ASCII characters: the every-other-byte-NUL pattern does not hold.
    name = "russian_utf16le_nobom_native.csv"
    raw = (FOLDER / name).read_bytes()
    half = len(raw[:4096]) // 2
    assert raw[1:4096:2].count(0) < 0.4 * half
    table = read_path(FOLDER / name)
    assert table.encoding == "utf-16-le"
    assert _exact(table, _truth(name))


@pytest.fixture(scope="module")
def sparse_files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict[str, Any]]]:
    """Write the sparse inputs (about 1.5 MB of ASCII, then accented rows)."""
    folder = tmp_path_factory.mktemp("sparse")
    found = []
    for name, data, truth in MAKE.sparse_cases():
        path = folder / name
        path.write_bytes(data)
        found.append((path, truth))
    return found


def test_sparse_files_are_judged_on_their_late_letters(
    sparse_files: list[tuple[Path, dict[str, Any]]],
) -> None:
    for path, truth in sparse_files:
        raw = path.read_bytes()
        first_high = next(i for i, b in enumerate(raw) if b >= 0x80)
        assert first_high > 1_400_000
        table = read_path(path)
        assert _exact(table, truth), (path.name, table.encoding)
        assert not _loud(table, ["encoding-ambiguous"])


def test_sparse_files_streamed_choose_as_whole_file_reads(
    sparse_files: list[tuple[Path, dict[str, Any]]],
) -> None:
    for path, truth in sparse_files:
        choice = choose_encoding(path, name=path.name, block_bytes=256 * 1024)
        assert choice.codec == decode(path.read_bytes()).encoding
        reader = open_batches(path, batch_bytes=512 * 1024)
        assert reader is not None
        tables = list(reader.batches())
        rows = pl.concat([t.frame for t in tables]).drop(ROW, "_line").rows()
        assert [list(r) for r in rows[-6:]] == truth["records"][-6:]


def test_a_doubtful_guess_is_a_warning_in_whole_file_and_streamed_reads(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_bytes("email,LastName\ngy@example.hu,Győri\n".encode("cp1250"))
    table = read_path(path)
    ambiguous = table.issues.filter(pl.col("code") == "encoding-ambiguous")
    assert ambiguous.get_column("severity").to_list() == ["warning"]
    message = ambiguous.item(0, "message")
    assert '"Győri" (cp1250)' in message
    assert '"Gyõri" (cp1252)' in message
    assert "--encoding cp1252" in ambiguous.item(0, "fix")
    # The warning replaces the note that every guess gets.
    assert table.issues.filter(pl.col("code") == "encoding-guessed").height == 0

    reader = open_batches(path, batch_bytes=16)
    assert reader is not None
    first = next(iter(reader.batches()))
    streamed = reader.file_issues(first).filter(pl.col("code") == "encoding-ambiguous")
    assert (
        streamed.select("severity", "message", "fix").rows()
        == ambiguous.select("severity", "message", "fix").rows()
    )


def test_an_unambiguous_guess_keeps_its_note(tmp_path: Path) -> None:
    table = read_path(FOLDER / "polish_iso8859_2.csv")
    assert table.encoding == "iso8859-2"
    codes = table.issues.get_column("code").to_list()
    assert "encoding-ambiguous" not in codes
    assert "encoding-guessed" in codes


@pytest.mark.parametrize(
    "case",
    [c for c in MAKE.CASES if not c.encoding.startswith("utf-")],
    ids=lambda case: case.name,
)
def test_one_record_alone_is_read_right_or_said_to_be_doubtful(case: Any) -> None:
    # The shortest exports are where chardet is weakest: each record of the corpus on
    # its own is read exactly, or the guess carries a doubt (reported as a warning).
    for record in case.records():
        text = ",".join(record[1:5]) + "\n"
        decoded = decode(text.encode(case.encoding))
        assert decoded.data.decode("utf-8") == text or decoded.doubt is not None, text
