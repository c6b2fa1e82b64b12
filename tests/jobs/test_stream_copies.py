"""Tests for activity_schema.jobs.stream.copies: later copies of rows, found in bounded memory.

The reference is the plain definition: a row is a copy when an earlier row of the input
has its hash, and it names the first such row. Spilled to disk or kept in memory, in
any number of partitions and batches, the copies found are the reference's, in row order.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from activity_schema.jobs.stream import convert_stream, copies, lint_stream
from activity_schema.jobs.stream.copies import LaterCopies


def _reference(hashes: list[int]) -> list[tuple[int, int, int]]:
    first: dict[int, int] = {}
    found = []
    for row, h in enumerate(hashes, start=1):
        if h in first:
            found.append((row, row * 3, first[h]))
        else:
            first[h] = row
    return found


@settings(max_examples=200, deadline=None)
@example(hashes=[5, 1, 1, 5], cuts=[3], memory_rows=3, partitions=2, chunk_rows=1)
@given(
    hashes=st.lists(st.sampled_from([0, 1, 5, 2**63, 2**64 - 1, 2**62 + 7, 2**40]), max_size=120),
    cuts=st.lists(st.integers(0, 120), max_size=6),
    memory_rows=st.sampled_from([1, 3, 10, 1_000]),
    partitions=st.sampled_from([1, 2, 8]),
    chunk_rows=st.sampled_from([1, 4, 1_000]),
)
def test_copies_are_the_reference_at_any_spill_and_batching(
    tmp_path_factory: pytest.TempPathFactory,
    hashes: list[int],
    cuts: list[int],
    memory_rows: int,
    partitions: int,
    chunk_rows: int,
) -> None:
    work = tmp_path_factory.mktemp("work")
    found = LaterCopies(work, memory_rows=memory_rows, partitions=partitions)
    values = np.array(hashes, dtype=np.uint64)
    rows = np.arange(1, values.size + 1)
    bounds = sorted({0, values.size, *(c for c in cuts if c <= values.size)})
    for lo, hi in itertools.pairwise(bounds):
        found.add(values[lo:hi], rows[lo:hi], rows[lo:hi] * 3)
    chunks = list(found.copies(chunk_rows=chunk_rows))
    got = [tuple(c) for chunk in chunks for c in chunk.tolist()]
    assert got == _reference(hashes)
    assert all(chunk.size <= chunk_rows for chunk in chunks)
    assert found.spilled == (values.size >= memory_rows)
    found.close()
    assert list(work.iterdir()) == []  # the spill folder is gone


def test_nothing_is_written_under_the_memory_limit(tmp_path: Path) -> None:
    found = LaterCopies(tmp_path, memory_rows=10)
    found.add(np.array([3, 3], dtype=np.uint64), np.array([1, 2]), np.array([2, 3]))
    assert not found.spilled and list(tmp_path.iterdir()) == []
    assert [c.tolist() for c in found.copies()] == [[(2, 3, 1)]]


def test_a_spilled_index_lives_in_the_work_folder_until_closed(tmp_path: Path) -> None:
    found = LaterCopies(tmp_path, memory_rows=2, partitions=4)
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, 50, size=500).astype(np.uint64) << np.uint64(58)
    found.add(hashes, np.arange(1, 501), np.arange(2, 502))
    (spill,) = tmp_path.iterdir()
    assert sorted(p.name for p in spill.iterdir())[0].startswith("hash-")
    assert sum(c.size for c in found.copies()) == 500 - np.unique(hashes).size
    found.close()
    assert not spill.exists()


def test_partitions_must_be_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        LaterCopies(partitions=3)


def _duplicated_csv(path: Path, rows: int) -> Path:
    lines = ["activityId,email,type,ActivityDate"]
    for i in range(rows):
        # Every seventh row repeats row i // 2 (its values, its own activityId aside).
        j = i // 2 if i % 7 == 3 else i
        lines.append(f"{j},u{j}@example.com,Registered,2024-05-{1 + j % 28:02d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_streamed_run_that_spills_reports_what_one_in_memory_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _duplicated_csv(tmp_path / "in.csv", 3_000)
    kept = convert_stream([path], tmp_path / "kept", batch_bytes=20_000, block_bytes=5_000)
    checked = lint_stream([path], batch_bytes=20_000, block_bytes=5_000)
    # Spilled twice or more, with rows left in memory at the end.
    monkeypatch.setattr(copies, "MEMORY_ROWS", 1_000)
    spills = []
    spill = LaterCopies._spill
    monkeypatch.setattr(LaterCopies, "_spill", lambda self: spills.append(1) or spill(self))
    spilled = convert_stream([path], tmp_path / "spilled", batch_bytes=20_000, block_bytes=5_000)
    spilled_lint = lint_stream([path], batch_bytes=20_000, block_bytes=5_000)
    warned = kept.issues.filter(pl.col("code") == "duplicate-row")
    assert warned.height == 3_000 // 7 + (3_000 % 7 > 3)
    assert spilled.issues.equals(kept.issues)
    assert spilled_lint.issues.equals(checked.issues)
    assert spilled.summary == kept.summary
    assert len(spills) >= 6  # each run spilled, then spilled the rest at the end
    # The spill went to the output's scratch folder, which the commit removes.
    assert sorted(p.name for p in (tmp_path / "spilled").iterdir()) == sorted(
        p.name for p in (tmp_path / "kept").iterdir()
    )
    manifest = json.loads((tmp_path / "spilled" / "manifest.json").read_text())
    assert manifest["rows_in"] == 3_000


def test_a_streamed_lint_that_cannot_spill_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Any]
) -> None:
    # lint --stream spills to the system's temporary folder: when it cannot be written
    # (here a file stands where the folder should be), the run stops with exit 5 and
    # says where and what to do, not with a traceback.
    import tempfile

    path = _duplicated_csv(tmp_path / "in.csv", 3_000)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setattr(copies, "MEMORY_ROWS", 100)
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))
    result = cli("lint", path, "--stream")
    assert result.exit_code == 5
    line = result.stderr.strip().splitlines()[-1]
    assert "cannot write the streamed run's temporary files" in line
    assert "TMPDIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_converts_spill_failure_is_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # convert spills into its output's scratch folder: its own disk-full handling holds.
    import errno

    from activity_schema.errors import OutputError

    path = _duplicated_csv(tmp_path / "in.csv", 3_000)
    monkeypatch.setattr(copies, "MEMORY_ROWS", 100)

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(copies, "_append_split", full)
    with pytest.raises(OutputError, match="No space left on device") as raised:
        convert_stream([path], tmp_path / "out", batch_bytes=20_000, block_bytes=5_000)
    assert raised.value.exit_code == 5
    assert not (tmp_path / "out").exists()
