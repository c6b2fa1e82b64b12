"""The report of a lint or convert run, as data: the documented JSON contract.

Every report format (text, JSON, GitHub, SARIF, JUnit) is rendered from the one dict
built here, so that they all count what they list; :mod:`activity_schema.render` only
formats it. The dict is the JSON report (``REPORT_VERSION``)::

    {"version": 2,
     "inputs": [{"path", "format", "encoding", "encoding_reason", "dialect", "sheet",
                 "rows", "rejected_rows", "error"}],
     "summary": {"rows", "valid_rows", "rejected_rows", "fixed_rows",
                 "errors", "warnings", "fixes"},
     "normalizations": [{"code", "severity", "field", "count", "distinct", "complete",
                         "rewrites": [{"from", "to", "count"}],
                         "examples": [{"file", "row", "line", "column", "value", "fix"}]}],
     "issues": [{"code", "severity", "file", "row", "line", "field", "column",
                 "value", "message", "fix"}]}

Mechanical normalizations (``normalized``, ``null-string``) are summarised per field and
code in ``normalizations`` (:mod:`activity_schema.issues.rewrites`) instead of being
listed per cell in ``issues``; ``summary.fixes`` still counts every fixed cell. A
streamed run whose issues are a sample adds ``issue_counts`` (the exact count of each
code and severity listed in ``issues``); a convert adds ``summary.dropped_rows``.
Version 1 listed every normalization in ``issues`` and had no ``normalizations``.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import polars as pl

from ..defaults import DEFAULT_MAX_EXAMPLES
from ..issues.rewrites import RewriteLog, fix_rows, is_summarized, write_fixes

if TYPE_CHECKING:
    from ..checking.result import Prepared
    from ..output.write import ConvertResult
    from .stream import StreamedConvert, StreamedLint

__all__ = [
    "REPORT_VERSION",
    "build_report",
    "convert_report",
    "lint_report",
    "streamed_report",
    "write_fix_list",
]

REPORT_VERSION = 2


def build_report(
    inputs: list[dict[str, Any]],
    issues: pl.DataFrame,
    summary: dict[str, int],
    *,
    normalizations: list[dict[str, Any]] | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
) -> dict[str, Any]:
    """Return the report for every format.

    ``issues`` stays a polars frame (sorted by input, line and row): a run can have
    millions, and renderers read it with
    :func:`~activity_schema.render.lint.issue_rows` or
    :func:`~activity_schema.render.lint.issue_frame_of` instead of building a dict per
    issue.

    Args:
        inputs: The report's ``inputs`` entries.
        issues: Every issue; the summarised ones are taken out into ``normalizations``
            unless ``normalizations`` is given (a streamed run summarised them already).
        summary: The run's counts.
        normalizations: The summary entries, when already made.
        max_examples: The examples kept per summary entry.
    """
    if normalizations is None:
        summarized = is_summarized()
        log = RewriteLog(examples=max_examples)
        # Cleaning lists each field's rewrites in row order, input after input: the
        # first of each field and code are its first examples, with no sort.
        log.add(issues.filter(summarized))
        normalizations = log.entries()
        issues = issues.filter(~summarized)
    return {
        "version": REPORT_VERSION,
        "inputs": inputs,
        "summary": summary,
        "normalizations": normalizations,
        "issues": _sorted(issues),
    }


def write_fix_list(issues: pl.DataFrame, sink: IO[bytes]) -> int:
    """Write every fixed cell among ``issues`` to ``sink`` as NDJSON, in report order.

    This is ``--fixes FILE``: the per-cell list the report summarises. Returns how many.
    """
    return write_fixes(_sorted(fix_rows(issues)), sink)


def _sorted(issues: pl.DataFrame) -> pl.DataFrame:
    files = issues.get_column("file").unique(maintain_order=True).to_list()
    return (
        issues.with_columns(
            pl.col("file")
            .replace_strict(files, list(range(len(files))), default=len(files))
            .alias("__f"),
        )
        .sort(["__f", "line", "row"], nulls_last=False, maintain_order=True)
        .drop("__f")
    )


def lint_report(prepared: Prepared, inputs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the report of a whole-file check of the inputs ``inputs`` lists.

    Each readable input's entry gets its ``rejected_rows`` (in place).
    """
    for item, checked in zip([i for i in inputs if not i["error"]], prepared.tables, strict=True):
        item["rejected_rows"] = checked.rejected.height
    return build_report(inputs, prepared.issues, prepared.summary.to_dict())


def convert_report(
    prepared: Prepared, inputs: list[dict[str, Any]], result: ConvertResult
) -> dict[str, Any]:
    """Return the report of a whole-file convert: the checks' and the conversion's.

    The conversion's own issues (records too large, dropped copies, formula warnings)
    are in the issues, the summary and each input's ``rejected_rows``, so that every
    format (rendered from this one report) counts what it lists.
    """
    readable = [item for item in inputs if not item["error"]]
    for item, rejected in zip(readable, result.rejected_per_input, strict=True):
        item["rejected_rows"] = rejected
    issues = prepared.issues
    if result.issues.height:
        issues = pl.concat([issues, result.issues])
    summary = (result.summary or prepared.summary).to_dict()
    summary["dropped_rows"] = result.rows_dropped
    return build_report(inputs, issues, summary)


def streamed_report(found: StreamedConvert | StreamedLint) -> dict[str, Any]:
    """Return the report of a streamed run (with exact ``issue_counts`` when sampled).

    A streamed convert's summary also gets ``dropped_rows``, as a whole-file one's does.
    """
    from .stream import StreamedConvert

    built = build_report(
        found.inputs, found.issues, found.summary.to_dict(), normalizations=found.normalizations
    )
    if found.issue_counts is not None:
        built["issue_counts"] = found.issue_counts
    if isinstance(found, StreamedConvert):
        built["summary"]["dropped_rows"] = found.result.rows_dropped
    return built
