"""Every delimited file of the corpus reads as Python's csv module reads it.

The reader parses cells with polars (RFC 4180 files) or the csv module (files where a
quote is text), and cuts records with its own vectorized scan; this test holds all of it
to the csv module with each file's known dialect (``strict=False``, as Excel reads). The
differences allowed are the documented normalizations, each reported or stated:

- line breaks: CRLF and lone CR end a line, and a line break inside a quoted cell is
  kept as LF (README, "What it reads");
- blank lines are skipped (``blank-rows``); an empty cell is null; header names are
  stripped of surrounding spaces;
- lines above the header are skipped (``preamble-skipped`` names the header's line);
- a DOS end-of-file byte (0x1A) at the very end is dropped (a ``normalized`` note);
- a record with more or fewer cells than the header is a ``ragged-row`` error: its
  cells past the header's are not in the table, missing ones are null.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from activity_schema.readers import LINE, ROW, ReadOptions, SourceTable, read_path
from activity_schema.readers.delimited import read_delimited
from activity_schema.readers.sniff import Dialect

DATA = Path(__file__).parents[1] / "data"
CORPUS = DATA / "corpus"


class Known(NamedTuple):
    path: Path
    encoding: str
    delimiter: str
    quotechar: str
    skip: int
    options: ReadOptions | None


#: Codecs that drop the byte-order mark tests/data/README.md's encodings carry.
_WITH_BOM = {"utf8_bom.csv": "utf-8-sig", "utf16le_bom.tsv": "utf-16", "utf16be_bom.csv": "utf-16"}
_WITH_BOM["utf32_bom.csv"] = "utf-32"
_DELIMITERS = {"`,`": ",", "`;`": ";", "tab": "\t", "pipe": "|"}


def _golden_files() -> list[Known]:
    """Return tests/data's delimited files, with the dialect its README table gives."""
    table = (DATA / "README.md").read_text(encoding="utf-8")
    row = re.compile(r"^\| `([^`]+)` \| ([\w-]+) \| (csv|tsv) \| (`.`|tab|pipe) \|", re.M)
    found = []
    for name, encoding, _fmt, delimiter in row.findall(table):
        if name == "utf8_invalid_bytes.csv":
            continue  # its two bad bytes are undecodable-bytes errors, not text to compare
        quote = "'" if name == "single_quote.csv" else '"'
        codec = _WITH_BOM.get(name, encoding)
        found.append(Known(DATA / name, codec, _DELIMITERS[delimiter], quote, 0, None))
    return found


def _corpus_files() -> list[Known]:
    """Return the quotes and headers corpus files, with the dialect their truth gives."""
    found = []
    for truth in sorted(
        [*CORPUS.glob("quotes/*.truth.json"), *CORPUS.glob("headers/*.truth.json")]
    ):
        doc: dict[str, Any] = json.loads(truth.read_text(encoding="utf-8"))
        if doc.get("refuse"):
            continue  # refused with its line; the csv module reads it to the end
        dialect = doc["dialect"]
        given = doc.get("read_options")
        found.append(
            Known(
                truth.with_name(truth.name.removesuffix(".truth.json")),
                "utf-8",
                dialect["delimiter"],
                dialect["quotechar"],
                dialect["skip"],
                ReadOptions(**given) if given else None,
            )
        )
    return found


FILES = _golden_files() + _corpus_files()


def _csv_module_rows(known: Known, text: str) -> list[list[str]]:
    stream = io.StringIO(text, newline="")
    if known.quotechar:
        reader = csv.reader(
            stream, delimiter=known.delimiter, quotechar=known.quotechar, strict=False
        )
    else:
        reader = csv.reader(stream, delimiter=known.delimiter, quoting=csv.QUOTE_NONE)
    return [row for row in reader if row]


def _normalized(cell: str) -> str | None:
    cell = cell.replace("\r\n", "\n").replace("\r", "\n")
    return cell or None


def _codes(table: SourceTable) -> set[str]:
    return set(table.issues.get_column("code").to_list())


def test_the_differential_covers_every_delimited_file() -> None:
    names = {k.path.name for k in FILES}
    assert len(FILES) >= 35
    assert {"quoted_newlines.csv", "crlf.csv", "cr_only.csv", "tab.tsv", "pipe.csv"} <= names
    assert {"inch_marks.csv", "excel_sep_line.csv", "dos_eof.csv"} <= names


@pytest.mark.parametrize("known", FILES, ids=lambda k: f"{k.path.parent.name}/{k.path.name}")
def test_records_are_the_csv_modules(known: Known) -> None:
    text = known.path.read_bytes().decode(known.encoding)
    table = read_path(known.path, known.options)
    codes = _codes(table)
    if text.endswith("\x1a"):
        assert "normalized" in codes  # the documented, reported drop of the DOS EOF byte
        text = text[:-1]
    rows = _csv_module_rows(known, text)
    if known.skip:
        assert "preamble-skipped" in codes
        assert table.header_line is not None and table.header_line > 1
    header, body = rows[known.skip], rows[known.skip + 1 :]
    assert list(table.headers) == [cell.strip() for cell in header]
    width = len(header)
    ragged = {i + 1 for i, row in enumerate(body) if len(row) != width}
    flagged = table.issues.filter(pl.col("code") == "ragged-row").get_column("row").to_list()
    assert set(flagged) == ragged
    expected = [
        [_normalized(row[i]) if i < len(row) else None for i in range(width)] for row in body
    ]
    assert [list(r) for r in table.frame.drop(ROW, LINE).rows()] == expected


CELLS = st.sampled_from(
    ["", "x", "a b", '"q,d"', '"q""d"', '"two\nlines"', 'Monitor 27"', ' "sp"', '"cl" ', "'t", "é"]
)


@settings(max_examples=300, deadline=None)
# A literal quote in one record of many (patched from the csv module, whose empty cells
# are ""), in a file with no two quotes side by side.
@example([["x", "x", "x"]] * 10 + [['Monitor 27"', "", "x"]])
@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=1, max_size=40))
def test_any_table_reads_as_the_csv_module_reads_it(rows: list[list[str]]) -> None:
    # Polars reads the records whose quotes are RFC 4180's, the csv module the others
    # (all of them when they are many): every cell is the module's either way.
    text = "a,b,c\n" + "".join(",".join(row) + "\n" for row in rows)
    table = read_delimited(text.encode(), Dialect(",", '"', ""), name="x")
    expected = [
        [row[i] or None if i < len(row) else None for i in range(3)]
        for row in _csv_module_rows(Known(Path("x"), "utf-8", ",", '"', 0, None), text)[1:]
    ]
    assert [list(r) for r in table.frame.drop(ROW, LINE).rows()] == expected
