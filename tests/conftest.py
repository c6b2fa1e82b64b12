"""Shared fixtures: the golden-file folder, generated large inputs, workbooks, the CLI."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from activity_schema.cli import main

DATA = Path(__file__).parent / "data"

# Property tests never assert on time: this machine is shared and noisy. In CI the
# examples are derandomized so that a run is reproducible from its commit alone.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
# The fast local loop (README, Development): HYPOTHESIS_PROFILE=fast pytest -m "not slow".
FAST_EXAMPLES = 10
settings.register_profile("fast", deadline=None, max_examples=FAST_EXAMPLES)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under the ``fast`` profile, cap the examples of tests that set their own count.

    A test's ``@settings(max_examples=300)`` wins over any profile, so the cap is applied
    to each collected property test. Hypothesis reads these settings when the test runs;
    should that private attribute go, the tests simply run their full count.
    """
    if os.environ.get("HYPOTHESIS_PROFILE") != "fast":
        return
    for item in items:
        test = getattr(item, "obj", None)
        chosen = getattr(test, "_hypothesis_internal_use_settings", None)
        if isinstance(chosen, settings) and chosen.max_examples > FAST_EXAMPLES:
            test._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
                chosen, max_examples=FAST_EXAMPLES
            )


#: Where the first non-ASCII byte of the "late" inputs sits: past chardet's old 200 KB
#: window and past any sample a detector might take from the head of a file.
LATE_OFFSET = 300 * 1024

#: A cell value: text, a number, a date, a boolean, or None for an empty cell.
Cell = str | int | float | bool | dt.datetime | dt.date | None
#: ``{sheet name: rows}``, in sheet order.
Sheets = dict[str, Sequence[Sequence[Cell]]]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Return the folder of committed golden inputs."""
    return DATA


def _late_bytes(last_line: str, encoding: str) -> bytes:
    header = b"email,FirstName,type\n"
    filler = b"plain@example.com,Plain,Registered\n"
    count = LATE_OFFSET // len(filler) + 1
    return header + filler * count + last_line.encode(encoding) + b"\n"


@pytest.fixture(scope="session")
def late_bytes() -> Callable[[str, str], bytes]:
    """Return ``f(last_line, encoding)``: a CSV whose only non-ASCII line comes after 300 KB."""
    return _late_bytes


@pytest.fixture(scope="session")
def late_utf8_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write a UTF-8 CSV whose first non-ASCII byte comes after 300 KB (not committed)."""
    path = tmp_path_factory.mktemp("late") / "late_utf8.csv"
    path.write_bytes(_late_bytes("zoe@example.com,Zoë Ñandú,Attended", "utf-8"))
    return path


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Return a function that writes an .xlsx workbook with xlsxwriter into ``tmp_path``.

    Text is written as text (so ``00123`` stays text), numbers as numbers, dates as
    date cells with a date format, booleans as booleans; None leaves the cell empty.
    """
    import xlsxwriter

    def write(sheets: Sheets, name: str = "book.xlsx") -> Path:
        path = tmp_path / name
        workbook = xlsxwriter.Workbook(str(path))
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for sheet_name, rows in sheets.items():
            sheet = workbook.add_worksheet(sheet_name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, bool):
                        sheet.write_boolean(r, c, value)
                    elif isinstance(value, dt.date):
                        sheet.write_datetime(r, c, value, date_format)
                    elif isinstance(value, int | float):
                        sheet.write_number(r, c, value)
                    else:
                        sheet.write_string(r, c, value)
        workbook.close()
        return path

    return write


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Return a function that runs the CLI in-process from an empty folder.

    The folder is ``tmp_path``, so no config file of the repository is discovered.
    """
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke
