"""The issues of a streamed run for its report: exact counts, a bounded list.

A messy file has about one issue per row, and a streamed file can have tens of millions
of rows, so the issues are not all kept: up to ``STREAM_REPORT_MAX_ISSUES`` are kept
whole (the report is then the one a whole-file run gives), and beyond that the first
``STREAM_REPORT_ISSUES_PER_CODE`` of each file and code, plus every file-level issue.
The counts by code stay exact and go into the report as ``issue_counts``, which the text
report shows instead of the listed ones. The kept issues wait in memory as compressed
Arrow IPC (about 8 bytes an issue, against 200 as a frame: their text repeats), so that
a million of them do not add to every batch's working set; they are unpacked once, for
the report. Mechanical normalizations never take room in
that list: they are summarised as they come (:class:`~activity_schema.issues.rewrites.RewriteLog`),
exactly, and written cell by cell only to a ``--fixes`` file when one is asked for.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Iterator
from typing import IO

import polars as pl

from ...checking.rewritten import RewrittenCells
from ...defaults import (
    DEFAULT_MAX_EXAMPLES,
    STREAM_REPORT_ISSUES_PER_CODE,
    STREAM_REPORT_MAX_ISSUES,
)
from ...issues.records import ISSUE_SCHEMA, empty_issues
from ...issues.rewrites import RewriteLog, fix_rows, is_summarized, write_fixes
from ...threads import WorkBehind

__all__ = ["IssueLog"]

_KEY = ["file", "code", "severity"]


class IssueLog:
    """Collect issue frames batch by batch, keeping counts exact and the list bounded.

    Example:
        >>> from activity_schema.issues.records import issue_frame
        >>> rows = pl.DataFrame({"_row": [1, 2, 3], "_line": [2, 3, 4]})
        >>> log = IssueLog(max_issues=2, per_code=1)
        >>> log.add(issue_frame(rows, code="invalid-email", severity="error",
        ...                     message="bad", file="f.csv"))
        >>> log.frame.height, log.counts()
        (1, [{'code': 'invalid-email', 'severity': 'error', 'count': 3}])
    """

    def __init__(
        self,
        *,
        max_issues: int = STREAM_REPORT_MAX_ISSUES,
        per_code: int = STREAM_REPORT_ISSUES_PER_CODE,
        examples: int = DEFAULT_MAX_EXAMPLES,
        fixes: IO[bytes] | None = None,
    ) -> None:
        self._max = max_issues
        self._per_code = per_code
        self._frames: list[bytes] = []
        self._kept = 0
        self._counts: dict[tuple[str, str, str], int] = {}
        self._listed: dict[tuple[str, str, str], int] = {}
        self.sampled = False
        self._rewrites = RewriteLog(examples=examples)
        self._fixes = fixes
        # Each batch's rewrites are summarised on a thread, in order, behind the batch
        # loop; the lock keeps the log's own additions (--fixes rows) apart from them.
        self._summaries = WorkBehind(name="summaries")
        self._lock = threading.Lock()

    @property
    def rewrites(self) -> RewriteLog:
        """Return the summarised rewrites, once every batch's summary is in."""
        self._summaries.wait()
        return self._rewrites

    def wait(self) -> None:
        """Wait for the batches' summaries; raise the error of one that failed."""
        self._summaries.wait()

    def close(self) -> None:
        """Stop the summaries' thread (after the batch it is summarising; cleanup only:
        :meth:`wait` is where an error is raised)."""
        self._summaries.close(quiet=True)

    @property
    def writes_fixes(self) -> bool:
        """Return whether a ``--fixes`` file is written (every fixed cell, as a row)."""
        return self._fixes is not None

    def add_rewritten(self, rewrites: RewrittenCells) -> None:
        """Summarise a batch's rewritten cells from their masks (no row per cell).

        The summary is taken on a thread; an error in the batch before is raised here.
        """
        self._summaries.submit(self._summarise, rewrites)

    def _summarise(self, rewrites: RewrittenCells) -> None:
        counted = rewrites.summary(self._rewrites.examples_per)
        with self._lock:
            self._rewrites.add_counted(*counted)

    def add(self, issues: pl.DataFrame) -> None:
        """Add a batch's issues (in report order within their file)."""
        if not issues.height:
            return
        issues = issues.select(list(ISSUE_SCHEMA))
        if self._fixes is not None:
            # In the report's order, so that a streamed --fixes file is a whole-file one.
            fixes = fix_rows(issues).sort(["line", "row"], maintain_order=True)
            write_fixes(fixes, self._fixes)
        summarized = is_summarized()
        with self._lock:
            self._rewrites.add(issues.filter(summarized))
        issues = issues.filter(~summarized)
        if not issues.height:
            return
        for file, code, severity, n in issues.group_by(_KEY).len().iter_rows():
            key = (str(file), str(code), str(severity))
            self._counts[key] = self._counts.get(key, 0) + int(n)
        if not self.sampled and self._kept + issues.height <= self._max:
            self._keep(issues)
            return
        if not self.sampled:
            # Sampled frame by frame, in order: the same as sampling them all at once.
            self.sampled = True
            kept, self._frames, self._kept = self._frames, [], 0
            for frame in _unpacked(kept):
                self._keep_sample(frame)
        self._keep_sample(issues)

    def _keep(self, issues: pl.DataFrame) -> None:
        packed = io.BytesIO()
        issues.write_ipc(packed, compression="zstd")
        self._frames.append(packed.getvalue())
        self._kept += issues.height

    def _keep_sample(self, issues: pl.DataFrame) -> None:
        listed = pl.DataFrame(
            [(*k, n) for k, n in self._listed.items()],
            schema={"file": pl.String, "code": pl.String, "severity": pl.String, "__n": pl.Int64},
            orient="row",
        )
        # The rank among the code's cell issues: file-level ones are kept apart.
        cell = pl.col("row").is_not_null()
        rank = (cell.cast(pl.Int64).cum_sum() - 1).over(_KEY)
        marked = issues.with_columns(rank.alias("__rank")).join(
            listed, on=_KEY, how="left", maintain_order="left", nulls_equal=True
        )
        keep = pl.col("row").is_null() | (
            pl.col("__rank") + pl.col("__n").fill_null(0) < self._per_code
        )
        kept = marked.filter(keep).drop("__rank", "__n")
        cells = kept.filter(cell)
        for file, code, severity, n in cells.group_by(_KEY).len().iter_rows():
            key = (str(file), str(code), str(severity))
            self._listed[key] = self._listed.get(key, 0) + int(n)
        if kept.height:
            self._keep(kept)

    @property
    def frame(self) -> pl.DataFrame:
        """Return the kept issues, in the order they were added."""
        frames = list(_unpacked(self._frames))
        return pl.concat(frames) if frames else empty_issues()

    def counts(self) -> list[dict[str, str | int]]:
        """Return the exact number of issues of each code and severity (all files)."""
        total: dict[tuple[str, str], int] = {}
        for (_, code, severity), n in self._counts.items():
            total[(code, severity)] = total.get((code, severity), 0) + n
        return [{"code": c, "severity": s, "count": n} for (c, s), n in total.items()]


def _unpacked(packed: Iterable[bytes]) -> Iterator[pl.DataFrame]:
    for data in packed:
        yield pl.read_ipc(data)
