"""Tests for the jobs the CLI, the uploader and the Python API call: lint, convert, inspect.

Each job chooses how to run (whole-file, or record batches for an input over the
streaming threshold), never prints (unreadable inputs and progress go to callbacks) and
returns a typed result. ``Seams(stream_threshold=...)`` makes a small file "big".
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from activity_schema.cli import main
from activity_schema.errors import InputError, UsageError
from activity_schema.jobs.convert import UnreadableInputsError, convert_files
from activity_schema.jobs.inspect import INSPECT_FORMAT_VERSION, inspect_files
from activity_schema.jobs.lint import LintResult, lint_files, read_inputs
from activity_schema.jobs.progress import ProgressEvent
from activity_schema.jobs.report import REPORT_VERSION
from activity_schema.jobs.seams import Seams
from activity_schema.readers import ReadOptions
from activity_schema.schema.config import Settings
from activity_schema.schema.fields import DEFAULT_SCHEMA

#: Batches of a few hundred bytes, so that a 20 KB input is cut many times.
SMALL = Seams(stream_threshold=1, batch_bytes=2_000, block_bytes=500)


def write_input(path: Path, rows: int = 400, *, bad_every: int = 17) -> Path:
    """Write ``rows`` records; every ``bad_every``-th email is invalid, every 29th row copied."""
    lines = ["activityId,email,type,FirstName,ActivityDate"]
    for i in range(1, rows + 1):
        email = "not-an-email" if bad_every and i % bad_every == 0 else f"user{i}@example.com"
        lines.append(f"{i},{email},Registered,Zoë {i},2024-03-{i % 28 + 1:02d} 10:00:00")
        if i % 29 == 0:
            lines.append(lines[-1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def folder_files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def lint(
    paths: list[Path],
    *,
    settings: Settings | None = None,
    stream: bool | None = None,
    seams: Seams | None = None,
) -> LintResult:
    return lint_files(
        paths,
        spec=DEFAULT_SCHEMA,
        settings=settings or Settings(),
        read_options=ReadOptions(),
        stream=stream,
        seams=seams,
    )


# --- lint ----------------------------------------------------------------------------------


def test_lint_goes_in_batches_over_the_threshold_and_reports_as_a_whole_run(
    tmp_path: Path,
) -> None:
    path = write_input(tmp_path / "in.csv")
    whole = lint([path])
    batched = lint([path], seams=SMALL)
    assert (whole.streamed, batched.streamed) == (False, True)
    assert batched.report["version"] == whole.report["version"] == REPORT_VERSION
    assert batched.report["summary"] == whole.report["summary"]
    assert batched.report["inputs"] == whole.report["inputs"]
    assert (batched.errors, batched.warnings) == (whole.errors, whole.warnings)
    assert whole.errors == 400 // 17
    assert batched.exit_code == whole.exit_code == 1


def test_lint_stays_whole_under_the_threshold_unless_told(tmp_path: Path) -> None:
    path = write_input(tmp_path / "in.csv", rows=20)
    assert not lint([path]).streamed
    assert lint([path], stream=True).streamed
    assert not lint([path], stream=False, seams=SMALL).streamed


def test_lint_tells_unreadable_inputs_and_checks_the_others(tmp_path: Path) -> None:
    good = write_input(tmp_path / "in.csv", rows=16)  # no invalid email below 17
    told: list[InputError] = []
    found = lint_files(
        [tmp_path / "missing.csv", good],
        spec=DEFAULT_SCHEMA,
        settings=Settings(),
        read_options=ReadOptions(),
        on_input_error=told.append,
    )
    assert [str(err.one_line()) for err in found.input_errors] == [told[0].one_line()]
    assert "missing.csv" in told[0].one_line()
    first, second = found.report["inputs"]
    # An unreadable input's entry has every key (null but its path and error), as a
    # readable one's, so that a consumer never needs to ask whether a key is there.
    assert first == {
        "path": str(tmp_path / "missing.csv"),
        "format": None,
        "encoding": None,
        "encoding_reason": None,
        "dialect": None,
        "sheet": None,
        "rows": None,
        "rejected_rows": None,
        "error": told[0].one_line(),
    }
    assert list(second) == list(first)
    assert second["rows"] == 16 and second["error"] is None
    assert found.errors == 0
    assert found.exit_code == told[0].exit_code == 3


def test_strict_settings_fail_on_warnings(tmp_path: Path) -> None:
    path = write_input(tmp_path / "in.csv", rows=30, bad_every=0)  # row 29 copied: a warning
    plain = lint([path])
    strict = lint([path], settings=Settings(strict=True))
    assert plain.warnings == strict.warnings > 0
    assert plain.errors == strict.errors == 0
    assert (plain.exit_code, strict.exit_code) == (0, 1)


def test_a_whole_run_tells_its_stages(tmp_path: Path) -> None:
    paths = [write_input(tmp_path / "a.csv", 20), write_input(tmp_path / "b.csv", 20)]
    events: list[ProgressEvent] = []
    lint_files(
        paths,
        spec=DEFAULT_SCHEMA,
        settings=Settings(),
        read_options=ReadOptions(),
        on_progress=events.append,
    )
    assert [(e.stage, e.path) for e in events] == [
        ("reading", str(paths[0])),
        ("reading", str(paths[1])),
        ("checking", None),
        ("reporting", None),
    ]
    size = sum(p.stat().st_size for p in paths)
    assert events[1].bytes_done == paths[0].stat().st_size
    assert events[-1].bytes_done == events[-1].bytes_total == size
    assert events[-1].rows == 40 + 0  # no copies below row 29


def test_read_inputs_keeps_the_order_given(tmp_path: Path) -> None:
    good = write_input(tmp_path / "in.csv", rows=3)
    inputs = read_inputs([good, tmp_path / "gone.csv", good], ReadOptions())
    assert [e.error is None for e in inputs.entries] == [True, False, True]
    assert len(inputs.tables) == 2 and len(inputs.errors) == 1
    assert inputs.exit_code == 3


# --- convert -------------------------------------------------------------------------------


def test_convert_goes_in_batches_over_the_threshold_and_writes_the_same_folder(
    tmp_path: Path,
) -> None:
    path = write_input(tmp_path / "in.csv")
    whole = convert_files(
        [path],
        tmp_path / "whole",
        spec=DEFAULT_SCHEMA,
        settings=Settings(),
        read_options=ReadOptions(),
        max_bytes=4_000,
        dedupe=True,
    )
    batched = convert_files(
        [path],
        tmp_path / "batched",
        spec=DEFAULT_SCHEMA,
        settings=Settings(),
        read_options=ReadOptions(),
        max_bytes=4_000,
        dedupe=True,
        seams=SMALL,
    )
    assert (whole.streamed, batched.streamed) == (False, True)
    assert whole.batches == 0 and batched.batches > 3
    assert folder_files(tmp_path / "batched") == folder_files(tmp_path / "whole")
    assert batched.report["summary"] == whole.report["summary"]
    assert whole.report["summary"]["dropped_rows"] == 400 // 29 == whole.result.rows_dropped
    assert batched.exit_code == whole.exit_code == 1  # the invalid emails are rejected


def test_convert_to_a_stream_is_never_batched(tmp_path: Path) -> None:
    path = write_input(tmp_path / "in.csv", rows=20)
    out = io.BytesIO()
    done = convert_files(
        [path],
        out,
        spec=DEFAULT_SCHEMA,
        settings=Settings(),
        read_options=ReadOptions(),
        max_bytes=4_000,
        seams=SMALL,
    )
    assert not done.streamed
    assert [r["activityId"] for r in json.loads(out.getvalue())] == [
        str(i) for i in range(1, 21) if i % 17
    ]
    with pytest.raises(UsageError, match="--stream writes to an output folder"):
        convert_files(
            [path],
            io.BytesIO(),
            spec=DEFAULT_SCHEMA,
            settings=Settings(),
            read_options=ReadOptions(),
            max_bytes=4_000,
            stream=True,
        )


def test_convert_refuses_unreadable_inputs_and_writes_nothing(tmp_path: Path) -> None:
    good = write_input(tmp_path / "in.csv", rows=5)
    told: list[InputError] = []
    with pytest.raises(UnreadableInputsError) as info:
        convert_files(
            [good, tmp_path / "a.csv", tmp_path / "b.csv"],
            tmp_path / "out",
            spec=DEFAULT_SCHEMA,
            settings=Settings(),
            read_options=ReadOptions(),
            max_bytes=4_000,
            on_input_error=told.append,
        )
    assert info.value.exit_code == 3
    assert info.value.errors == tuple(told) and len(told) == 2
    message = info.value.one_line()
    assert "a.csv" in message and "1 more unreadable input(s)" in message
    assert "nothing was written" in message
    assert not (tmp_path / "out").exists()


# --- inspect -------------------------------------------------------------------------------


def test_inspect_describes_each_input_and_lists_the_unreadable(tmp_path: Path) -> None:
    good = write_input(tmp_path / "in.csv", rows=4)
    told: list[InputError] = []
    found = inspect_files(
        [tmp_path / "gone.csv", good], DEFAULT_SCHEMA, ReadOptions(), on_input_error=told.append
    )
    assert found.exit_code == 3 and len(told) == 1
    gone, described = found.payload["inputs"]
    assert found.payload["version"] == INSPECT_FORMAT_VERSION
    assert gone == {"path": str(tmp_path / "gone.csv"), "error": told[0].one_line()}
    assert described["records"] == 4
    assert [c["field"] for c in described["columns"]] == [
        "activityId",
        "email",
        "type",
        "FirstName",
        "ActivityDate",
    ]


# --- the seams -----------------------------------------------------------------------------


def test_seams_are_frozen_and_a_context_dict_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AttributeError):
        SMALL.batch_bytes = 1  # type: ignore[misc]
    path = write_input(tmp_path / "in.csv", rows=3)
    result = CliRunner().invoke(main, ["lint", str(path)], obj={"progress": True})
    assert result.exit_code == 70
    assert "the context object must be a Seams, not dict" in result.stderr


def test_the_cli_goes_in_batches_over_the_seams_threshold(tmp_path: Path) -> None:
    path = write_input(tmp_path / "in.csv")
    runner = CliRunner()
    whole = runner.invoke(main, ["convert", str(path), "-o", str(tmp_path / "whole")])
    batched = runner.invoke(main, ["convert", str(path), "-o", str(tmp_path / "b")], obj=SMALL)
    assert whole.exit_code == batched.exit_code == 1
    assert " in 1 batch" not in whole.stderr and " batch(es);" not in whole.stderr
    assert " batch(es); " in batched.stderr
    assert folder_files(tmp_path / "b") == folder_files(tmp_path / "whole")
