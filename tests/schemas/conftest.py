"""Real reports to validate: the CLI run on the samples, the golden files and a bad file.

Every report format is produced by ``lint`` and ``convert``, whole-file and ``--stream``,
on one set of inputs: the two samples, the golden files of ``tests/data``, the messy
webinar exports of ``tests/data/lint`` and a file generated here with one planted
mistake per record (ragged and blank rows, a NUL byte, a blank header, mojibake, a
literal quote, a workflow command hidden in a value...). The whole-file lint also gets
an unreadable input. The streamed runs list a sample of their issues, so that
``issue_counts`` appears: their listing limit is lowered, as it is reached in
production only past a million issues.

Each (command, mode, format) runs once per session, in-process, from a folder of its own.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from activity_schema.cli import main
from activity_schema.jobs.seams import Seams

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
SAMPLES = ROOT / "samples"
VENDOR = Path(__file__).parent / "vendor"
RULES = DATA / "lint" / "webinar-rules.toml"

#: The report formats of lint and convert that are validated here (text is for people).
FORMATS = ("json", "sarif", "junit", "gitlab", "github")
#: (command, streamed) pairs every format is produced by.
MODES = (("lint", False), ("lint", True), ("convert", False), ("convert", True))
#: A value that would be a workflow command if a renderer let its newline through.
INJECTED = "x\n::error file=evil.csv,line=1::injected %0A"
#: The listing limit of the streamed runs here (production lists a million).
STREAM_MAX_ISSUES = 20
STREAM_ISSUES_PER_CODE = 2


def _bad_csv() -> bytes:
    """Return a CSV export with one planted mistake per record (UTF-8, CRLF)."""
    header = [
        "activityId", "email", "FirstName", "LastName", "type", "AssetType", "AssetName",
        "CampaignId", "ActivityDate", "Notes", "",
    ]  # fmt: skip
    when = "2024-10-13 14:05:00"

    def row(n: int, email: str, first: str, last: str, **kw: str) -> list[str]:
        return [
            kw.get("id", str(n)), email, first, last, kw.get("type", "Registered"), "Webinar",
            kw.get("asset", "Q4 Launch"), kw.get("campaign", "5001"), kw.get("date", when),
            "", "",
        ]  # fmt: skip

    rows = [
        row(1, "ann@example.com", "Ann", "Lee"),
        row(2, "bob@example", "Bob", "Stone", date=INJECTED),  # invalid-email, -date
        row(3, "carol@example.com", "Carol", "Reyes", campaign="50x1"),  # invalid-integer
        row(4, "dan@example.com", "Dan", "Brown", campaign="1,000", date="13/02/2024"),
        row(5, "erin@example.com", "Erin", "Cole", date="not a date"),  # invalid-date
        row(6, "frank@example.com", "Frank", "CafÃ©"),  # mojibake
        row(7, "gwen@example.com", "Gwen", "null"),  # null-string
        row(8, "", "hal@example.com", "Ford"),  # misplaced-email
        row(9, "Ida", "ida@example.com", "Moss"),  # swapped-values
        row(10, "jack@example.com", "Jack", "Hill", type="Danced"),  # not-allowed
        row(11, "kim@example.com", "Kim", "Park", asset='=HYPERLINK("http://x")'),
        row(12, "liam@example.com", "Liam", "Ng", asset="A" * 101),  # too-long
        row(13, "mia@example.com", "Mia", "Roth", type=""),  # missing-value
        row(1, "ann@example.com", "Ann", "Lee"),  # duplicate-row
        row(15, "olga@example.com", "Olga", "Ruiz", date="01/02/2024"),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([header, *rows])
    text = out.getvalue()
    # A NUL byte and an inch mark (literal-quote), blank lines, then a ragged record.
    text += '16,pat@exa\x00mple.com,Pat,Monitor 27" wide,Registered,Webinar,Q4,5001,,,\r\n'
    text += "\r\n\r\n"
    text += f"17,quinn@example.com,Quinn,Q,Registered,Webinar,Q4,5001,{when},,,extra\r\n"
    return text.encode("utf-8")


@dataclass(frozen=True)
class Run:
    """One CLI run: its command line, exit code, the report it wrote, and convert's OUTDIR."""

    args: tuple[str, ...]
    exit_code: int
    text: str
    inputs: tuple[str, ...]
    outdir: Path | None = None

    def json(self) -> Any:
        """Return the report parsed as JSON."""
        return json.loads(self.text)


@pytest.fixture(scope="session")
def inputs_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder holding every input of the runs (copied: paths stay relative)."""
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "bad.csv").write_bytes(_bad_csv())
    for source in [
        *sorted(SAMPLES.iterdir()),
        *sorted(DATA.glob("*.csv")),
        *sorted(DATA.glob("*.tsv")),
        *sorted(DATA.glob("*.ndjson")),
        *sorted(DATA.glob("*.json")),
        *sorted((DATA / "lint").glob("*.csv")),
    ]:
        (folder / source.name).write_bytes(source.read_bytes())
    # A damaged workbook: an unreadable input (whole-file runs go on without it).
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return folder


def _inputs(folder: Path, *, command: str, streamed: bool) -> list[str]:
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    # Only a whole-file lint goes on past an unreadable input: a streamed run stops at
    # it, and convert writes nothing when an input cannot be read.
    unreadable_ok = command == "lint" and not streamed
    return [n for n in names if unreadable_ok or n != "broken.xlsx"]


@pytest.fixture(scope="session")
def runs(
    inputs_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, bool, str], Run]:
    """Return every (command, streamed, format) run's report, produced by the CLI."""
    found: dict[tuple[str, bool, str], Run] = {}
    runner = CliRunner()
    for command, streamed in MODES:
        inputs = _inputs(inputs_folder, command=command, streamed=streamed)
        for fmt in FORMATS:
            where = tmp_path_factory.mktemp(f"{command}-{fmt}")
            report = where / "report.out"
            args = [command, *inputs, "--config", str(RULES), "--format", fmt]
            args += ["--report", str(report), "--quiet"]
            if command == "convert":
                args += ["-o", str(where / "out"), "--max-bytes", "300"]
            if streamed:
                args.append("--stream")
            with contextlib.chdir(inputs_folder):
                result = runner.invoke(
                    main,
                    args,
                    obj=Seams(
                        batch_bytes=2_000,
                        max_issues=STREAM_MAX_ISSUES,
                        issues_per_code=STREAM_ISSUES_PER_CODE,
                    ),
                    catch_exceptions=False,
                )
            assert report.is_file(), result.output
            found[(command, streamed, fmt)] = Run(
                tuple(args),
                result.exit_code,
                report.read_text(encoding="utf-8"),
                tuple(inputs),
                where / "out" if command == "convert" else None,
            )
    return found


@pytest.fixture(params=MODES, ids=lambda m: f"{m[0]}-{'stream' if m[1] else 'whole'}")
def mode(request: pytest.FixtureRequest) -> tuple[str, bool]:
    """Return each (command, streamed) pair in turn."""
    command, streamed = request.param
    return str(command), bool(streamed)
