"""The streamed lint: every input checked in record batches, in bounded memory.

:func:`lint_stream` runs the batch loop of :func:`~.convert.convert_stream` without its
outputs: each CSV/TSV input is read in record batches, every batch is checked by the
engine, with the column-level decisions taken on a sample spread over the input (reported
as ``column-decision``) and duplicate rows found across batches. The report is the one a
whole-file ``lint`` gives for the same data whenever those decisions hold for the whole
input; past ``STREAM_REPORT_MAX_ISSUES`` issues it lists a sample and counts every code
exactly (``issue_counts``). JSON, NDJSON and .xlsx inputs are read whole (one batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ...defaults import (
    STREAM_BATCH_BYTES,
    STREAM_BLOCK_BYTES,
    STREAM_REPORT_ISSUES_PER_CODE,
    STREAM_REPORT_MAX_ISSUES,
)
from ...errors import UsageError
from ...readers import ReadOptions
from ...schema.config import Settings
from ...schema.fields import SchemaSpec
from ..progress import ProgressCallback, input_sizes
from ..whole import resolve_schema
from .convert import BatchRun, StreamedRun

if TYPE_CHECKING:
    import pandera.polars as pa

__all__ = ["StreamedLint", "lint_stream"]


@dataclass(frozen=True, eq=False)
class StreamedLint(StreamedRun):
    """What a streamed lint found (see :class:`~.convert.StreamedRun`)."""


def lint_stream(
    paths: Sequence[str | Path],
    *,
    spec: SchemaSpec | None = None,
    schema: pa.DataFrameSchema | None = None,
    settings: Settings | None = None,
    read_options: ReadOptions | None = None,
    batch_bytes: int = STREAM_BATCH_BYTES,
    block_bytes: int = STREAM_BLOCK_BYTES,
    on_progress: ProgressCallback | None = None,
    fixes: IO[bytes] | None = None,
    max_issues: int = STREAM_REPORT_MAX_ISSUES,
    issues_per_code: int = STREAM_REPORT_ISSUES_PER_CODE,
) -> StreamedLint:
    """Check files in record batches and return what a lint report needs.

    Args:
        paths: The input files, in order.
        spec: The schema (default: the built-in one, or the config's).
        schema: A pandera schema to validate with (default: the spec's own checks).
        settings: Run settings (default: the built-in defaults).
        read_options: How to read the inputs.
        batch_bytes: Decoded text per batch (the column-level decisions are taken on a
            sample spread over each input).
        block_bytes: Bytes read from a file at a time.
        on_progress: Told the rows and raw bytes done after every batch.
        fixes: Where to append every fixed cell as NDJSON (``--fixes FILE``).
        max_issues: The issues the report lists before it lists a sample.
        issues_per_code: The issues of each file and code a sampled report lists.

    Returns:
        The report's pieces and the run's counts.

    Raises:
        InputError: An input cannot be read (the run stops there).
        UsageError: A batch or block size is not positive.

    Example:
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> path = Path(tmp.name) / "webinar.csv"
        >>> rows = "".join(f"{i},a{i}@b.co,Registered\\n" for i in range(999))
        >>> _ = path.write_text(f"activityId,email,type\\n{rows}999,not-an-email,Attended\\n")
        >>> found = lint_stream([path], batch_bytes=10_000)
        >>> found.summary.errors
        1
        >>> tmp.cleanup()
    """
    if spec is None or settings is None:
        spec, _, settings = resolve_schema(spec=spec, settings=settings)
    if batch_bytes < 1 or block_bytes < 1:
        raise UsageError("batch and block sizes must be positive")
    sizes = input_sizes(paths)
    run = BatchRun(
        spec,
        schema,
        settings or Settings(),
        read_options or ReadOptions(),
        None,
        None,
        None,
        dedupe=False,
        escape_formulas=False,
        batch_bytes=batch_bytes,
        block_bytes=block_bytes,
        row_bound=sum(sizes) // 2 + 1,
        sizes=sizes,
        on_progress=on_progress,
        fixes=fixes,
        max_issues=max_issues,
        issues_per_code=issues_per_code,
    )
    try:
        for index, path in enumerate(paths):
            run.check_input(index, path)
    finally:
        run.close()
    return StreamedLint.of(run)
