"""Whether a run goes in batches is decided without the batch jobs, as it was with them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from activity_schema.jobs import sizing, stream
from activity_schema.jobs.lint import read_inputs
from activity_schema.jobs.seams import Seams
from activity_schema.readers import ReadOptions, read_path

CSV = b"activityId,email,type\n1,a@b.co,Registered\n2,c@d.co,Registered\n"


def test_the_batch_package_still_offers_the_same_decision() -> None:
    assert stream.should_stream is sizing.should_stream


@pytest.mark.parametrize(
    ("threshold", "expected"), [(0, True), (len(CSV) - 1, True), (len(CSV), False)]
)
def test_an_input_streams_only_when_larger_than_the_threshold(
    tmp_path: Path, threshold: int, expected: bool
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(CSV)
    assert sizing.should_stream([path], threshold=threshold) is expected
    assert Seams(stream_threshold=threshold).should_stream([path]) is expected


def test_the_inputs_total_decides_and_missing_ones_do_not_count(tmp_path: Path) -> None:
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_bytes(CSV)
    large.write_bytes(CSV * 3)
    threshold = len(CSV) * 2
    assert sizing.should_stream([small, large], threshold=threshold)
    assert not sizing.should_stream([small, tmp_path / "missing.csv", "-"], threshold=threshold)
    assert not sizing.should_stream([small])
    # Many small inputs held at once weigh what one large one does.
    many = [tmp_path / f"part-{i}.csv" for i in range(3)]
    for path in many:
        path.write_bytes(CSV)
    assert not any(sizing.should_stream([p], threshold=threshold) for p in many)
    assert sizing.should_stream(many, threshold=threshold)


def test_the_digest_is_taken_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(CSV)
    hashed = read_path(path)
    plain = read_path(path, ReadOptions(digest=False))
    assert hashed.sha256 == hashlib.sha256(CSV).hexdigest()
    assert plain.sha256 is None
    assert plain.frame.equals(hashed.frame)
    assert read_inputs([path], ReadOptions(digest=False)).tables[0].sha256 is None


def test_a_batched_read_takes_the_digest_only_when_asked(tmp_path: Path) -> None:
    from activity_schema.readers.batches import open_batches

    path = tmp_path / "in.csv"
    path.write_bytes(CSV)
    hashed = open_batches(path, ReadOptions())
    plain = open_batches(path, ReadOptions(digest=False))
    assert hashed is not None and plain is not None
    assert hashed.choice.sha256 == hashlib.sha256(CSV).hexdigest()
    assert plain.choice.sha256 is None
    # The rows are the same either way.
    (hashed_rows,) = [t.frame for t in hashed.batches()]
    (plain_rows,) = [t.frame for t in plain.batches()]
    assert hashed_rows.equals(plain_rows)
