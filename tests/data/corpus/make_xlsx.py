"""Write the workbook corpus: .xlsx files whose cells a naive read gets wrong.

Each ``xlsx/<name>.xlsx`` is written with xlsxwriter, as a spreadsheet program would
write it (shared strings, styles, merged cells), then some sheets are patched the way
other writers leave them: numbers stored with all 17 significant digits (Excel does;
xlsxwriter rounds to 16), formula cells without a saved value (openpyxl and scripts
write those), rows and cells without position attributes, tags with a namespace prefix
(the .NET OpenXML SDK writes ``<x:c>``). ``<name>.xlsx.truth.json`` beside each gives the
table a correct read yields (``header``, ``records``: text cells, null for empty), and
``loud`` where a warning must be reported (the read is then exact *and* reported), or
``refuse`` where the workbook cannot be read and the error must say why.

The archives are re-written without compression (``ZIP_STORED``) and with fixed dates, so
the bytes depend on neither the zlib version nor the clock. Run
``python tests/data/corpus/make_xlsx.py`` to rewrite the committed files; a test checks
that it reproduces them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "xlsx"

#: A cell: text, a number, a date, a boolean, a formula ``("=1+1", cached)``, or None.
Cell = Any
Rows = Sequence[Sequence[Cell]]

HEADER = ["EmailAddress", "activityId", "ActivityType", "AssetName"]
_FIXED = (1980, 1, 1, 0, 0, 0)


@dataclass
class Case:
    """One workbook of the corpus and what a correct read yields."""

    name: str
    note: str
    sheets: dict[str, Rows]
    header: list[str]
    records: list[list[str | None]]
    loud: list[str] = field(default_factory=list)
    refuse: bool = False
    #: Text replacements applied to ``xl/worksheets/sheetN.xml`` (N from 1).
    patches: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    #: A whole sheet XML written by hand instead of xlsxwriter's (N from 1).
    raw_sheets: dict[int, str] = field(default_factory=dict)
    merge: tuple[int, int, int, int] | None = None


def _workbook(case: Case) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": dt.datetime(2024, 1, 1)})
    dates = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    title = book.add_format({"bold": True, "align": "center"})
    for index, (sheet_name, rows) in enumerate(case.sheets.items()):
        sheet = book.add_worksheet(sheet_name)
        if index == 0 and case.merge is not None:
            r0, c0, r1, c1 = case.merge
            sheet.merge_range(r0, c0, r1, c1, rows[r0][c0], title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or (index == 0 and case.merge and (r, c) == case.merge[:2]):
                    continue
                if isinstance(value, tuple):
                    sheet.write_formula(r, c, value[0], None, value[1])
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, dates)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, value)
    book.close()
    return _rezip(buffer.getvalue(), case)


def _rezip(raw: bytes, case: Case) -> bytes:
    """Return the archive with the sheets patched, stored uncompressed with fixed dates."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            found = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if found:
                number = int(found.group(1))
                if number in case.raw_sheets:
                    data = case.raw_sheets[number].encode()
                for old, new in case.patches.get(number, []):
                    text = data.decode()
                    assert old in text, (case.name, old)
                    data = text.replace(old, new).encode()
            target.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED), data)
    return out.getvalue()


def _rows(*records: Sequence[Cell]) -> list[list[Cell]]:
    return [list(HEADER), *[list(r) for r in records]]


_SHEET_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<x:sheetData>{}</x:sheetData></x:worksheet>"
)


def _inline_row(values: Sequence[str | int]) -> str:
    cells = "".join(
        f"<x:c><x:v>{v}</x:v></x:c>"
        if isinstance(v, int)
        else f'<x:c t="inlineStr"><x:is><x:t>{v}</x:t></x:is></x:c>'
        for v in values
    )
    return f"<x:row>{cells}</x:row>"


def cases() -> list[Case]:
    """Return the corpus, one case per workbook."""
    ann, bob, cy = "ann@example.com", "bob@example.com", "cy@example.com"
    return [
        Case(
            "full_precision.xlsx",
            "Numbers keep every digit Excel stored: 0.1+0.2 is 0.30000000000000004, 1e-10 is "
            "not 0, a 13-decimal score is not cut to 9; large whole numbers have no .0.",
            {
                "Data": _rows(
                    [ann, 1, "Registered", 0.3],
                    [bob, 2, "Attended", 1e-10],
                    [cy, 3, "Attended", 45000.5],
                    ["dee@example.com", 123456789012, "Attended", 1.5],
                )
            },
            HEADER,
            [
                [ann, "1", "Registered", "0.30000000000000004"],
                [bob, "2", "Attended", "0.0000000001"],
                # The shortest digits that read back as the stored double.
                [cy, "3", "Attended", "45000.12345678912"],
                ["dee@example.com", "123456789012", "Attended", "1.0000000001234568"],
            ],
            patches={
                1: [
                    ('<c r="D2"><v>0.3</v>', '<c r="D2"><v>0.30000000000000004</v>'),
                    ('<c r="D4"><v>45000.5</v>', '<c r="D4"><v>45000.123456789123</v>'),
                    ('<c r="D5"><v>1.5</v>', '<c r="D5"><v>1.0000000001234567</v>'),
                ]
            },
        ),
        Case(
            "blank_rows_above_header.xlsx",
            "Three empty rows stand above the header: records keep the sheet's row numbers "
            "as their lines (5 and 6), not the grid's.",
            {
                "Data": [
                    [],
                    [],
                    [],
                    list(HEADER),
                    [ann, 1, "Registered", "Q4 Webinar"],
                    [bob, 2, "Attended", "Q4 Webinar"],
                ]
            },
            HEADER,
            [[ann, "1", "Registered", "Q4 Webinar"], [bob, "2", "Attended", "Q4 Webinar"]],
        ),
        Case(
            "formula_without_value.xlsx",
            "Formula cells saved without a result (as openpyxl writes them) read as empty; "
            "each is reported as a warning naming the cell (Data!B3).",
            {"Data": _rows([ann, 1, "Registered", "Q4"], [bob, ("=B2+1", 2), "Attended", "Q4"])},
            HEADER,
            [[ann, "1", "Registered", "Q4"], [bob, None, "Attended", "Q4"]],
            loud=["formula-without-value"],
            patches={1: [("<f>B2+1</f><v>2</v>", "<f>B2+1</f>")]},
        ),
        Case(
            "formula_with_value.xlsx",
            "Formula cells with a saved result read as that result; a cached empty string "
            '(=IF(...,"")), marked t="str" as Excel writes it, is an empty cell, and nothing '
            "is reported.",
            {
                "Data": _rows(
                    [ann, ("=1", 1), "Registered", ('=IF(B2>5,"big","")', "")],
                    [bob, ("=B2+1", 2), "Attended", ('="Q"&"4"', "Q4")],
                )
            },
            HEADER,
            [[ann, "1", "Registered", None], [bob, "2", "Attended", "Q4"]],
            # Excel marks a string result, the empty one too, with t="str".
            patches={1: [('<c r="D2"><f>IF(', '<c r="D2" t="str"><f>IF(')]},
        ),
        Case(
            "title_row.xlsx",
            "A title merged across the table stands above the header (and a blank row): "
            "row 3 is taken as the header and the title row is reported.",
            {
                "Data": [
                    ["Q4 Webinar Report", None, None, None],
                    [],
                    list(HEADER),
                    [ann, 1, "Registered", "Q4"],
                    [bob, 2, "Attended", "Q4"],
                ]
            },
            HEADER,
            [[ann, "1", "Registered", "Q4"], [bob, "2", "Attended", "Q4"]],
            loud=["preamble-skipped"],
            merge=(0, 0, 0, 3),
        ),
        Case(
            "summary_first_sheet.xlsx",
            "The first sheet is a summary (a label and a number); the records are on sheet "
            "'Data'. Reading the first sheet must warn that its header looks like data and "
            "name the other sheet.",
            {
                "Summary": [["Registrations", 2], ["Attendees", 1], ["Rate", 0.5]],
                "Data": _rows([ann, 1, "Registered", "Q4"], [bob, 2, "Attended", "Q4"]),
            },
            HEADER,
            [[ann, "1", "Registered", "Q4"], [bob, "2", "Attended", "Q4"]],
            loud=["header-guessed"],
        ),
        Case(
            "empty_first_sheet.xlsx",
            "The first sheet is empty: the error names the other sheets and --sheet.",
            {"Notes": [], "Data": _rows([ann, 1, "Registered", "Q4"])},
            HEADER,
            [[ann, "1", "Registered", "Q4"]],
            refuse=True,
        ),
        Case(
            "text_that_looks_numeric.xlsx",
            "Text cells keep their text: leading zeros, trailing zeros, an exponent, a "
            "plus sign. Only number cells are numbers.",
            {
                "Data": _rows(
                    [ann, "007", "Registered", "1.50"],
                    [bob, "0008", "Attended", "1e5"],
                    [cy, "+1", "Attended", "0.30000000000000004"],
                )
            },
            HEADER,
            [
                [ann, "007", "Registered", "1.50"],
                [bob, "0008", "Attended", "1e5"],
                [cy, "+1", "Attended", "0.30000000000000004"],
            ],
        ),
        Case(
            "dates_and_booleans.xlsx",
            "Date cells read as YYYY-MM-DD HH:MM:SS, booleans as true/false.",
            {
                "Data": [
                    ["EmailAddress", "ActivityDate", "Attended"],
                    [ann, dt.datetime(2024, 3, 5, 14, 30, 0), True],
                    [bob, dt.datetime(2023, 12, 31, 0, 0, 0), False],
                ]
            },
            ["EmailAddress", "ActivityDate", "Attended"],
            [[ann, "2024-03-05 14:30:00", "true"], [bob, "2023-12-31 00:00:00", "false"]],
        ),
        Case(
            "table_not_in_column_a.xlsx",
            "The table starts at column C and row 2: nothing shifts.",
            {"Data": [[], [None, None, *HEADER], [None, None, ann, 1, "Registered", "Q4"]]},
            HEADER,
            [[ann, "1", "Registered", "Q4"]],
        ),
        Case(
            "unicode_shared_strings.xlsx",
            "Shared strings in many scripts, and an emoji, come back unchanged.",
            {
                "Data": _rows(
                    ["zoe@example.com", 1, "Registered", "Zoë Ñandú — Straße"],
                    ["tokyo@example.jp", 2, "Attended", "東京ウェビナー"],
                    ["kyiv@example.ua", 3, "Attended", "Вебінар «Київ» 🎉"],
                )
            },
            HEADER,
            [
                ["zoe@example.com", "1", "Registered", "Zoë Ñandú — Straße"],
                ["tokyo@example.jp", "2", "Attended", "東京ウェビナー"],
                ["kyiv@example.ua", "3", "Attended", "Вебінар «Київ» 🎉"],
            ],
        ),
        Case(
            "prefixed_tags_no_positions.xlsx",
            "A sheet as the .NET OpenXML SDK may write it: tags with an x: prefix, rows and "
            "cells without r= positions, inline strings. Read as any other.",
            {"Data": [["placeholder"]]},
            HEADER,
            [[ann, "1", "Registered", "Q4"], [bob, "2", "Attended", "Q4"]],
            raw_sheets={
                1: _SHEET_XML.format(
                    _inline_row(HEADER)
                    + _inline_row([ann, 1, "Registered", "Q4"])
                    + _inline_row([bob, 2, "Attended", "Q4"])
                )
            },
        ),
    ]


def files() -> dict[str, bytes]:
    """Return every corpus file's name and bytes (inputs and truths)."""
    out: dict[str, bytes] = {}
    for case in cases():
        out[case.name] = _workbook(case)
        truth: dict[str, Any] = {"header": case.header, "records": case.records, "note": case.note}
        if case.loud:
            truth["loud"] = case.loud
        if case.refuse:
            truth["refuse"] = True
        out[case.name + ".truth.json"] = (
            json.dumps(truth, ensure_ascii=False, indent=1) + "\n"
        ).encode("utf-8")
    return out


def main(write: Callable[[Path, bytes], object] = Path.write_bytes) -> int:
    OUT.mkdir(exist_ok=True)
    for name, data in files().items():
        write(OUT / name, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
