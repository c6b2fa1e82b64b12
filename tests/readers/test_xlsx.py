"""Workbooks read right or reported: the xlsx corpus, lines, numbers, formulas, headers, sheets.

The corpus (``tests/data/corpus/xlsx``, written by ``make_xlsx.py``) holds the shapes a
naive read of calamine's output gets wrong; beside each workbook its truth gives the
table a correct read yields and the codes that must be reported.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import Result

from activity_schema.errors import InputError
from activity_schema.readers import LINE, ROW, ReadOptions, read_bytes, read_path
from activity_schema.readers.xlsx_scan import (
    MAX_LISTED_FORMULAS,
    column_index,
    open_archive,
    scan_sheet,
    sheet_parts,
)

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
XLSX = CORPUS / "xlsx"
TRUTHS = sorted(XLSX.glob("*.truth.json"))
LOUD = {"warning", "error"}
UNREADABLE = 3


def _input(truth: Path) -> Path:
    return truth.with_name(truth.name.removesuffix(".truth.json"))


def _records(frame: pl.DataFrame) -> list[list[str | None]]:
    return [list(row) for row in frame.drop(ROW, LINE).rows()]


def _codes(issues: pl.DataFrame, severities: set[str] = LOUD) -> set[str]:
    return set(issues.filter(pl.col("severity").is_in(list(severities)))["code"].to_list())


def _issue(issues: pl.DataFrame, code: str) -> dict[str, Any]:
    rows = issues.filter(pl.col("code") == code).to_dicts()
    assert rows, f"no {code} issue in {issues['code'].to_list()}"
    return rows[0]


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_xlsx", CORPUS / "make_xlsx.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_generator_reproduces_the_committed_files() -> None:
    committed = {p.name: p.read_bytes() for p in XLSX.iterdir()}
    assert _generator().files() == committed


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: _input(p).name)
def test_corpus_workbook_is_exact_and_reported_as_its_truth_says(truth: Path) -> None:
    expected = json.loads(truth.read_text(encoding="utf-8"))
    path = _input(truth)
    if expected.get("refuse"):
        with pytest.raises(InputError):
            read_path(path)
        return
    table = read_path(path)
    loud = _codes(table.issues)
    exact = list(table.headers) == expected["header"] and _records(table.frame) == [
        list(r) for r in expected["records"]
    ]
    if expected.get("loud"):
        assert loud & set(expected["loud"]), loud
    else:
        # Read exactly, and nothing to report: a false alarm teaches users to ignore them.
        assert exact, (table.headers, _records(table.frame))
        assert not loud, table.issues.to_dicts()


# --- lines are the sheet's rows -------------------------------------------------------------


def test_records_carry_the_sheet_row_when_empty_rows_stand_above_the_header() -> None:
    table = read_path(XLSX / "blank_rows_above_header.xlsx")
    assert table.header_line == 4
    assert table.frame[LINE].to_list() == [5, 6]
    assert table.frame[ROW].to_list() == [1, 2]


def test_a_table_away_from_a1_keeps_its_rows_and_columns() -> None:
    table = read_path(XLSX / "table_not_in_column_a.xlsx")
    assert table.header_line == 2
    assert table.frame[LINE].to_list() == [3]
    assert table.headers == ("EmailAddress", "activityId", "ActivityType", "AssetName")


def test_a_blank_row_between_records_keeps_the_lines_after_it(
    make_xlsx: Callable[..., Path],
) -> None:
    book = make_xlsx(
        {"S": [[None], ["email", "type"], ["a@b.co", "x"], [None, None], ["c@d.co", "y"]]}
    )
    table = read_path(book)
    assert table.frame.select(ROW, LINE).rows() == [(1, 3), (2, 5)]
    assert table.blank_rows == 1


def test_lint_points_at_the_sheet_row(cli: Callable[..., Result]) -> None:
    result = cli("lint", "--format", "json", XLSX / "formula_without_value.xlsx")
    issues = json.loads(result.stdout)["issues"]
    formula = next(i for i in issues if i["code"] == "formula-without-value")
    assert (formula["line"], formula["row"]) == (3, 2)


# --- numbers keep their digits --------------------------------------------------------------


def test_numbers_keep_full_precision_and_text_keeps_its_spelling() -> None:
    numbers = read_path(XLSX / "full_precision.xlsx").frame["AssetName"].to_list()
    assert numbers == [
        "0.30000000000000004",
        "0.0000000001",
        "45000.12345678912",
        "1.0000000001234568",
    ]
    text = read_path(XLSX / "text_that_looks_numeric.xlsx").frame
    assert text["activityId"].to_list() == ["007", "0008", "+1"]
    assert text["AssetName"].to_list() == ["1.50", "1e5", "0.30000000000000004"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-10, "0.0000000001"),
        (123456789012, "123456789012"),
        (2.5, "2.5"),
        (-0.000123456789012, "-0.000123456789012"),
        (1 / 3, "0.3333333333333333"),
        (1e20, "100000000000000000000"),
        (7.0, "7"),
    ],
)
def test_a_number_cell_reads_as_its_shortest_exact_digits(
    value: float, shown: str, make_xlsx: Callable[..., Path]
) -> None:
    book = make_xlsx({"S": [["email", "score"], ["a@b.co", value]]})
    # xlsxwriter stores 16 significant digits; Excel stores 17: write them as Excel does.
    raw = _patch_sheet(
        book.read_bytes(), lambda xml: xml.replace(f"<v>{value:.16G}</v>", f"<v>{value!r}</v>")
    )
    assert read_bytes(raw, name="s.xlsx").frame["score"].to_list() == [shown]


def _patch_sheet(raw: bytes, change: Callable[[str], str]) -> bytes:
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(info, data)
    return out.getvalue()


# --- formulas without a saved value ---------------------------------------------------------


def test_a_formula_without_a_value_is_a_warning_naming_the_cell() -> None:
    table = read_path(XLSX / "formula_without_value.xlsx")
    issue = _issue(table.issues, "formula-without-value")
    assert issue["severity"] == "warning"
    assert issue["value"] == "Data!B3"
    assert issue["column"] == "activityId"
    assert "Data!B3" in issue["message"] and "read as empty" in issue["message"]
    assert table.frame["activityId"].to_list() == ["1", None]


def test_many_formulas_without_values_are_counted_past_the_listed_ones(
    make_xlsx: Callable[..., Path],
) -> None:
    count = MAX_LISTED_FORMULAS + 200
    book = make_xlsx({"S": [["email", "n"]]})
    # Formula cells as openpyxl writes them: the formula, no saved value.
    body = "".join(
        f'<row r="{i + 2}"><c r="A{i + 2}" t="inlineStr"><is><t>u{i}@b.co</t></is></c>'
        f'<c r="B{i + 2}"><f>1+1</f><v/></c></row>'
        for i in range(count)
    )
    raw = _patch_sheet(book.read_bytes(), lambda xml: _replace_rows(xml, body))
    issues = read_bytes(raw, name="f.xlsx").issues.filter(pl.col("code") == "formula-without-value")
    assert issues.height == MAX_LISTED_FORMULAS
    assert f"{count:,} such cells in the sheet" in issues["message"][0]


def _replace_rows(xml: str, body: str) -> str:
    start = xml.index("<sheetData>") + len("<sheetData>")
    first_row_end = xml.index("</row>", start) + len("</row>")
    end = xml.index("</sheetData>")
    return xml[:first_row_end] + body + xml[end:]


# --- the header and the sheet ---------------------------------------------------------------


def test_a_title_row_is_skipped_and_named() -> None:
    table = read_path(XLSX / "title_row.xlsx")
    assert table.header_line == 3
    issue = _issue(table.issues, "preamble-skipped")
    assert issue["severity"] == "warning" and issue["line"] == 3
    assert "row 3 was taken as the header" in issue["message"]
    assert "Q4 Webinar Report" in issue["message"]


def test_a_summary_first_sheet_is_reported_with_the_other_sheets() -> None:
    table = read_path(XLSX / "summary_first_sheet.xlsx")
    issue = _issue(table.issues, "header-guessed")
    assert issue["severity"] == "warning"
    assert "'2'" in issue["message"] and "'Data'" in issue["message"]
    assert "--sheet Data" in issue["fix"]
    note = _issue(table.issues, "sheet-chosen")
    assert note["severity"] == "info" and "'Data'" in note["message"]


def test_the_named_sheet_is_read_exactly_and_quietly() -> None:
    path = XLSX / "summary_first_sheet.xlsx"
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text(encoding="utf-8"))
    table = read_path(path, ReadOptions(sheet="Data"))
    assert _records(table.frame) == truth["records"]
    assert table.issues.height == 0


def test_an_empty_first_sheet_names_the_others(cli: Callable[..., Result]) -> None:
    with pytest.raises(InputError) as caught:
        read_path(XLSX / "empty_first_sheet.xlsx")
    line = caught.value.one_line()
    assert "sheet 'Notes' is empty" in line and "'Data'" in line and "--sheet Data" in line
    result = cli("lint", XLSX / "empty_first_sheet.xlsx")
    assert result.exit_code == UNREADABLE
    assert result.stderr.count("\n") == 1 and "--sheet Data" in result.stderr


def test_a_first_sheet_with_a_header_only_names_the_others(make_xlsx: Callable[..., Path]) -> None:
    book = make_xlsx({"Cover": [["Report"]], "Q4 Leads": [["email"], ["a@b.co"]]})
    with pytest.raises(InputError) as caught:
        read_path(book)
    assert "'Q4 Leads'" in caught.value.one_line()
    assert "--sheet 'Q4 Leads'" in caught.value.one_line()


def test_a_single_sheet_workbook_gets_no_sheet_note(make_xlsx: Callable[..., Path]) -> None:
    book = make_xlsx({"S": [["email", "type"], ["a@b.co", "x"]]})
    assert read_path(book).issues.height == 0


# --- the scan of the sheet's XML ------------------------------------------------------------


@pytest.mark.parametrize(
    ("letters", "index"), [("A", 1), ("Z", 26), ("AA", 27), ("AZ", 52), ("XFD", 16384)]
)
def test_column_index(letters: str, index: int) -> None:
    assert column_index(letters) == index


@pytest.mark.parametrize(
    ("name", "first_row", "last_row", "columns", "cells"),
    [
        ("blank_rows_above_header.xlsx", 4, 6, (1, 4), 12),
        ("table_not_in_column_a.xlsx", 2, 3, (3, 6), 8),
        ("prefixed_tags_no_positions.xlsx", 1, 3, (None, 0), 12),
    ],
)
def test_the_scan_measures_the_range_calamine_builds(
    name: str, first_row: int, last_row: int, columns: tuple[int | None, int], cells: int
) -> None:
    archive = open_archive((XLSX / name).read_bytes())
    scan = scan_sheet(archive, sheet_parts(archive)["Data"])
    assert (scan.first_row, scan.last_row) == (first_row, last_row)
    assert (scan.min_column, scan.max_column) == columns
    assert scan.cells == cells
    assert scan.formulas_without_value_count == 0


def test_the_scan_follows_the_workbook_relationships() -> None:
    archive = open_archive((XLSX / "summary_first_sheet.xlsx").read_bytes())
    assert sheet_parts(archive) == {
        "Summary": "xl/worksheets/sheet1.xml",
        "Data": "xl/worksheets/sheet2.xml",
    }


@pytest.mark.parametrize(
    ("name", "long_numbers"),
    [("full_precision.xlsx", True), ("blank_rows_above_header.xlsx", False)],
)
def test_the_scan_tells_whether_a_number_has_more_than_nine_decimals(
    name: str, long_numbers: bool
) -> None:
    # Only then are the numbers read a second time, as floats.
    archive = open_archive((XLSX / name).read_bytes())
    assert scan_sheet(archive, sheet_parts(archive)["Data"]).long_numbers is long_numbers
