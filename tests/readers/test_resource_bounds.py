"""Small files never need a lot of memory: what would is refused, or summed up.

The inputs are built at test time (a few MB at most) and run through the CLI in a child
process, which reports its own peak memory (``VmHWM``; ``ru_maxrss`` from ``os.wait4``
where ``/proc`` is missing). A memory bound is not a timing assertion: it holds on a
loaded machine too. The bound asserted is issue
12's: no input under 10 MB needs more than 1 GB.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from activity_schema.checking.mapping import map_headers
from activity_schema.defaults import (
    MAX_COLUMNS,
    MAX_UNKNOWN_COLUMN_ISSUES,
    XLSX_MAX_CELLS,
    XLSX_MAX_TEXT_BYTES,
)
from activity_schema.schema.fields import DEFAULT_SCHEMA

# Slow: each bound is measured in a child process.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 (POSIX)"),
]

#: Issue 12's bound on the peak memory of any input under 10 MB.
ONE_GB_KB = 1024 * 1024
UNREADABLE = 3
SMALL = 10_000_000

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    peak_kb: int


#: The child runs the CLI as ``python -m activity_schema`` does and, as it exits (the CLI
#: ends with ``os._exit``), writes its own peak RSS (``VmHWM``) to the file named by
#: ``ACTIVITY_SCHEMA_PEAK_FILE``. ``ru_maxrss`` from ``wait4`` cannot be used alone on
#: Linux: a child forked from a big test process starts with that process's high-water
#: mark, so the bound would measure pytest, not the CLI.
_CHILD = """
import os, runpy, sys

def _report():
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    except OSError:
        return
    with open(os.environ["ACTIVITY_SCHEMA_PEAK_FILE"], "w", encoding="ascii") as out:
        out.write(peak)

_real_exit = os._exit

def _exit(code):
    _report()
    _real_exit(code)

os._exit = _exit
sys.argv[0] = "activity-schema"
try:
    runpy.run_module("activity_schema", run_name="__main__", alter_sys=True)
finally:
    _report()
"""


def run_cli(*args: str | Path, cwd: Path) -> Run:
    """Run the CLI in a child process; return its exit code, output and peak memory."""
    out, err, peak_file = cwd / "child.out", cwd / "child.err", cwd / "child.peak"
    peak_file.unlink(missing_ok=True)
    env = {**os.environ, "ACTIVITY_SCHEMA_PEAK_FILE": str(peak_file)}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, *(str(a) for a in args)],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if peak_file.exists():  # Linux: the child's own high-water mark
        peak = int(peak_file.read_text("ascii"))
    else:
        peak = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
    return Run(child.returncode, out.read_text("utf-8"), err.read_text("utf-8"), peak)


def workbook(sheet_xml: str, shared: list[str] | None = None) -> bytes:
    """Return a one-sheet .xlsx ("Data") around ``sheet_xml`` (the sheetData's rows)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}"><sheetData>{sheet_xml}'
            "</sheetData></worksheet>"
        ),
    }
    if shared is not None:
        items = "".join(f"<si><t>{s}</t></si>" for s in shared)
        parts["xl/sharedStrings.xml"] = f'<?xml version="1.0"?><sst xmlns="{_MAIN}">{items}</sst>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _header(*names: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{n}</t></is></c>' for i, n in enumerate(names)
    )
    return f'<row r="1">{cells}</row>'


# --- workbooks ------------------------------------------------------------------------------


def test_a_sparse_sheet_spanning_millions_of_cells_is_refused_cheaply(tmp_path: Path) -> None:
    # Two cells, A1 and XFD300: calamine would build 300 x 16,384 cells.
    rows = _header("email") + '<row r="300"><c r="XFD300"><v>1</v></c></row>'
    book = tmp_path / "sparse.xlsx"
    book.write_bytes(workbook(rows))
    done = run_cli("lint", book, cwd=tmp_path)
    assert done.code == UNREADABLE
    cells = 300 * 16_384
    assert f"spans at least {cells:,} cells (300 rows x 16,384 columns)" in done.stderr
    assert f"over the limit of {XLSX_MAX_CELLS:,} cells" in done.stderr
    assert "export the sheet as CSV" in done.stderr
    assert done.peak_kb < ONE_GB_KB


def test_a_small_dense_workbook_over_the_cell_limit_is_refused(tmp_path: Path) -> None:
    # Rows and cells without positions (allowed by the format), one varying value per
    # row so that the archive stays under the zip-bomb ratio: about 2 MB on disk.
    width = 20
    constant = "<c><v>1</v></c>" * (width - 1)
    rows = XLSX_MAX_CELLS // width + 1_000
    body = "".join(f"<row>{constant}<c><v>{r % 97}</v></c></row>" for r in range(rows))
    book = tmp_path / "dense.xlsx"
    book.write_bytes(
        workbook("<row>" + '<c t="inlineStr"><is><t>email</t></is></c>' + "</row>" + body)
    )
    assert book.stat().st_size < SMALL
    done = run_cli("lint", book, cwd=tmp_path)
    assert done.code == UNREADABLE, done.stderr
    assert f"over the limit of {XLSX_MAX_CELLS:,} cells" in done.stderr
    assert done.peak_kb < ONE_GB_KB


def test_shared_strings_copied_into_many_cells_are_refused(tmp_path: Path) -> None:
    # One 2,000-character string referred to by 130,000 cells: 260 MB once read.
    long = "x" * 2_000
    cells = 130_000
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(2, cells + 2)
    )
    book = tmp_path / "amplified.xlsx"
    book.write_bytes(workbook(_header("Notes") + body, shared=[long]))
    assert book.stat().st_size < SMALL
    done = run_cli("lint", book, cwd=tmp_path)
    assert done.code == UNREADABLE, done.stderr
    assert f"over the limit of {XLSX_MAX_TEXT_BYTES:,} bytes" in done.stderr
    assert done.peak_kb < ONE_GB_KB


def test_a_workbook_under_the_limits_is_read(tmp_path: Path) -> None:
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>u{r}@example.com</t></is></c>'
        f'<c r="B{r}"><v>{r}</v></c><c r="C{r}" t="inlineStr"><is><t>Registered</t></is></c></row>'
        for r in range(2, 20_002)
    )
    book = tmp_path / "fine.xlsx"
    book.write_bytes(workbook(_header("email", "activityId", "type") + body))
    done = run_cli("lint", "-q", book, cwd=tmp_path)
    assert done.code == 0, done.stderr
    assert done.peak_kb < ONE_GB_KB


# --- wide inputs ----------------------------------------------------------------------------


def _wide_csv(columns: int, rows: int = 1) -> bytes:
    header = ["email", "activityId", "type"] + [f"x{i:06d}" for i in range(columns - 3)]
    tail = "," * (columns - 3)
    body = "".join(f"a@b.co,{r},Registered{tail}\n" for r in range(1, rows + 1))
    return (",".join(header) + "\n" + body).encode()


def test_a_header_of_100000_columns_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(_wide_csv(100_000))
    done = run_cli("lint", path, cwd=tmp_path)
    assert done.code == UNREADABLE
    assert f"the input has 100,000 columns, over the limit of {MAX_COLUMNS:,}" in done.stderr
    assert done.peak_kb < ONE_GB_KB


def test_json_records_with_too_many_keys_are_refused(tmp_path: Path) -> None:
    record = {"email": "a@b.co"} | {f"k{i}": "" for i in range(MAX_COLUMNS)}
    path = tmp_path / "wide.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    done = run_cli("lint", path, cwd=tmp_path)
    assert done.code == UNREADABLE
    assert f"over the limit of {MAX_COLUMNS:,} columns" in done.stderr


def test_the_widest_allowed_input_is_checked_with_a_summary(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(_wide_csv(MAX_COLUMNS, rows=50))
    done = run_cli("lint", "--format", "json", path, cwd=tmp_path)
    assert done.code == 0, done.stderr[-2000:]
    issues = [i for i in json.loads(done.stdout)["issues"] if i["code"] == "unknown-column"]
    # The first ones itemised, one warning for the rest.
    assert len(issues) == MAX_UNKNOWN_COLUMN_ISSUES + 1
    rest = MAX_COLUMNS - 3 - MAX_UNKNOWN_COLUMN_ISSUES
    assert f"{rest:,} more columns match no field" in issues[-1]["message"]
    assert done.peak_kb < ONE_GB_KB


def test_unknown_columns_past_the_itemised_ones_are_summed_up() -> None:
    headers = ["emial", "activityId", "type"] + [f"col{i}" for i in range(3_000)]
    mapping = map_headers(headers, headers, DEFAULT_SCHEMA, file="w.csv", line=1)
    unknown = [i for i in mapping.issues if i.code == "unknown-column"]
    assert len(unknown) == MAX_UNKNOWN_COLUMN_ISSUES + 1
    # The misspelt column still gets its suggestion; every column still has its match.
    assert "did you mean 'email'" in (unknown[0].fix or "")
    assert len(mapping.matches) == len(headers)
    assert "2,001 more columns match no field and are not uploaded (3,001 in all" in (
        unknown[-1].message
    )
    assert "'col999'" in unknown[-1].message
    assert unknown[-1].line == 1
