"""Work a streamed run does behind its batch loop, on threads: its errors fail the run.

Rewrites are summarised, rejects spilled and parts written on threads, one batch behind
the checks. A failure there must reach the caller (at the next batch, or when the input
or the run ends), never leave a report or a folder that silently misses a batch.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from activity_schema.checking.rewritten import RewrittenCells
from activity_schema.jobs.stream import convert_stream
from activity_schema.output.plan import ConvertPlan


def _input(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    rows = "\n".join(f"{i},U{i}@EXAMPLE.COM,Registered" for i in range(2_000))
    path.write_text("activityId,email,type\n" + rows + "\nx,bad,Registered\n", encoding="utf-8")
    return path


def _broken(*_: object, **__: object) -> None:
    raise RuntimeError("failed behind the loop")


@pytest.mark.parametrize("batch_bytes", [10_000, 10_000_000], ids=["many-batches", "one-batch"])
@pytest.mark.parametrize(
    ("owner", "name"),
    [(RewrittenCells, "summary"), (ConvertPlan, "rejects")],
    ids=["summary", "rejects"],
)
def test_an_error_behind_the_batch_loop_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_bytes: int, owner: type, name: str
) -> None:
    path = _input(tmp_path)
    monkeypatch.setattr(owner, name, _broken)
    with pytest.raises(RuntimeError, match="failed behind the loop"):
        convert_stream([path], tmp_path / "out", batch_bytes=batch_bytes, block_bytes=4_000)
    assert not (tmp_path / "out").exists()
    left = {"summaries", "rejects", "parts"}
    assert not any(t.name.split("_")[0] in left for t in threading.enumerate())
