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

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any

import polars as pl

from ..defaults import DEFAULT_MAX_EXAMPLES
from ..issues.codes import CODE_INFO, IssueCode, Severity
from ..issues.records import ISSUE_SCHEMA, Issue
from ..issues.rewrites import RewriteLog, fix_rows, is_summarized, write_fixes

if TYPE_CHECKING:
    from ..checking.result import Prepared, Summary
    from ..output.write import ConvertResult
    from ..readers import SourceTable
    from .stream.convert import StreamedRun

__all__ = [
    "REPORT_VERSION",
    "InputSummary",
    "Normalization",
    "Report",
    "Rewrite",
    "build_report",
    "convert_report",
    "lint_report",
    "streamed_report",
    "write_fix_list",
]

REPORT_VERSION = 2


def build_report(
    inputs: Sequence[InputSummary | dict[str, Any]],
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
        inputs: The inputs (entries of a report already made are taken as they are).
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
        "inputs": [item.to_dict() if isinstance(item, InputSummary) else item for item in inputs],
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


def _with_rejected(inputs: Sequence[InputSummary], rejected: Iterable[int]) -> list[InputSummary]:
    """Return ``inputs`` with each readable one's ``rejected_rows`` (in order)."""
    counts = iter(rejected)
    found = [item if item.error else replace(item, rejected_rows=next(counts)) for item in inputs]
    if next(counts, None) is not None:
        raise ValueError("more rejected counts than readable inputs")
    return found


def report_normalizations(prepared: Prepared) -> list[dict[str, Any]]:
    """Return the report's ``normalizations``: the rewritten cells of every input, summarised.

    It needs the checks' result only: a whole-file convert computes it on a thread while
    its parts are written, and passes it to :func:`convert_report`.
    """
    log = RewriteLog(examples=DEFAULT_MAX_EXAMPLES)
    for checked in prepared.tables:
        log.add_counted(*checked.rewrites.summary(log.examples_per))
    return log.entries()


def lint_report(prepared: Prepared, inputs: Sequence[InputSummary]) -> dict[str, Any]:
    """Return the report of a whole-file check of the inputs ``inputs`` lists."""
    rejected = (checked.rejected.height for checked in prepared.tables)
    return build_report(
        _with_rejected(inputs, rejected),
        prepared.listed,
        prepared.summary.to_dict(),
        normalizations=report_normalizations(prepared),
    )


def convert_report(
    prepared: Prepared,
    inputs: Sequence[InputSummary],
    result: ConvertResult,
    *,
    normalizations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return the report of a whole-file convert: the checks' and the conversion's.

    The conversion's own issues (records too large, dropped copies, formula warnings)
    are in the issues, the summary and each input's ``rejected_rows``, so that every
    format (rendered from this one report) counts what it lists.
    """
    inputs = _with_rejected(inputs, result.rejected_per_input)
    issues = prepared.listed
    if result.issues.height:
        issues = pl.concat([issues, result.issues])
    summary = (result.summary or prepared.summary).to_dict()
    summary["dropped_rows"] = result.rows_dropped
    if normalizations is None:
        normalizations = report_normalizations(prepared)
    return build_report(inputs, issues, summary, normalizations=normalizations)


def streamed_report(found: StreamedRun) -> dict[str, Any]:
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


# --- the report as typed values (the Python API's face of the same contract) ----------


@dataclass(frozen=True)
class InputSummary:
    """One input of a run, as the report's ``inputs`` entry describes it.

    Attributes:
        path: The input's name (``<stdin>``, or ``--stdin-filename``, for standard input).
        format: ``csv``, ``tsv``, ``json``, ``ndjson`` or ``xlsx``; None when unreadable.
        encoding: The encoding it was read in.
        encoding_reason: Why that encoding (a BOM, strict UTF-8, the detector's guess).
        dialect: The CSV dialect (``delimiter``, ``quotechar``, ``evidence``), or None.
        sheet: The sheet read from a workbook.
        rows: Records read.
        rejected_rows: Records rejected.
        error: Why it could not be read (then the other attributes are None).
    """

    path: str
    format: str | None = None
    encoding: str | None = None
    encoding_reason: str | None = None
    dialect: dict[str, Any] | None = None
    sheet: str | None = None
    rows: int | None = None
    rejected_rows: int | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the report's ``inputs`` entry (every key, in the documented order)."""
        return dict(self.__dict__)

    @classmethod
    def of_table(cls, table: SourceTable, **changes: Any) -> InputSummary:
        """Return the summary of an input read as ``table`` (``changes`` override it).

        A batched run reads its input in many tables: it passes the whole input's
        encoding and row count here.
        """
        values: dict[str, Any] = {
            "path": table.name,
            "format": table.format,
            "encoding": table.encoding,
            "encoding_reason": table.encoding_reason,
            "dialect": table.dialect,
            "sheet": table.sheet,
            "rows": table.rows,
        }
        return cls(**(values | changes))

    @classmethod
    def from_dict(cls, entry: dict[str, Any]) -> InputSummary:
        """Return the summary of a report's ``inputs`` entry."""
        values: dict[str, Any] = {name: entry.get(name) for name in cls.__dataclass_fields__}
        return cls(**values)


@dataclass(frozen=True)
class Rewrite:
    """One distinct rewrite of a summarised normalization: ``old`` became ``new``.

    ``new`` is None when the cell was emptied (a ``null`` string, invisible characters).
    """

    old: str | None
    new: str | None
    count: int


@dataclass(frozen=True)
class Normalization:
    """The mechanical rewrites of one field and code, summarised (``normalizations``).

    Attributes:
        code: ``normalized`` or ``null-string``.
        severity: ``fixed`` (``warning`` when fixes are only suggested).
        field: The schema field.
        count: Cells rewritten.
        distinct: Distinct rewrites (all of them when ``complete``).
        complete: False when a streamed run stopped listing new rewrites.
        rewrites: The most frequent rewrites, most frequent first.
        examples: The first cells rewritten, as issues.
    """

    code: IssueCode
    severity: Severity
    field: str
    count: int
    distinct: int
    complete: bool
    rewrites: tuple[Rewrite, ...]
    examples: tuple[Issue, ...]


@dataclass(frozen=True, eq=False)
class Report:
    """What a lint or convert found: the JSON report's contract as typed values.

    Iterating a report yields its listed issues (:class:`~activity_schema.issues.records.Issue`,
    with :class:`~activity_schema.issues.codes.IssueCode` and
    :class:`~activity_schema.issues.codes.Severity` values), in report order; polars
    users take them all at once with :meth:`to_frame`. Mechanical normalizations are
    in :attr:`normalizations`, summarised per field.

    Attributes:
        inputs: Each input, in the order given.
        summary: The run's counts (``rows == valid_rows + rejected_rows``).
        normalizations: The summarised rewrites, per field and code.
        issue_counts: The exact count of each (code, severity) when the listed issues
            are a sample (a streamed run with very many), else None.
        dropped_rows: Rows a convert dropped (copies with ``dedupe``); None for lint.
        version: The report contract's version.

    Example:
        >>> import polars as pl
        >>> from activity_schema.issues.records import empty_issues
        >>> report = Report.from_dict(build_report(
        ...     [{"path": "a.csv", "rows": 0, "error": None}], empty_issues(),
        ...     {"rows": 0, "valid_rows": 0, "rejected_rows": 0, "fixed_rows": 0,
        ...      "errors": 0, "warnings": 0, "fixes": 0}))
        >>> report.ok, len(report), report.inputs[0].path
        (True, 0, 'a.csv')
    """

    inputs: tuple[InputSummary, ...]
    summary: Summary
    normalizations: tuple[Normalization, ...]
    issue_counts: dict[tuple[IssueCode, Severity], int] | None
    dropped_rows: int | None
    _issues: pl.DataFrame
    version: int = REPORT_VERSION

    @classmethod
    def from_dict(cls, report: dict[str, Any]) -> Report:
        """Return the typed report of a report dict (:func:`build_report`'s)."""
        from ..checking.result import Summary

        counts = dict(report["summary"])
        dropped = counts.pop("dropped_rows", None)
        issue_counts = report.get("issue_counts")
        return cls(
            inputs=tuple(InputSummary.from_dict(item) for item in report["inputs"]),
            summary=Summary(**counts),
            normalizations=tuple(
                Normalization(
                    code=IssueCode(entry["code"]),
                    severity=Severity(entry["severity"]),
                    field=entry["field"],
                    count=entry["count"],
                    distinct=entry["distinct"],
                    complete=entry["complete"],
                    rewrites=tuple(
                        Rewrite(r["from"], r["to"], r["count"]) for r in entry["rewrites"]
                    ),
                    examples=tuple(
                        Issue(
                            code=IssueCode(entry["code"]),
                            severity=Severity(entry["severity"]),
                            message=str(CODE_INFO[IssueCode(entry["code"])].summary),
                            field=entry["field"],
                            **example,
                        )
                        for example in entry["examples"]
                    ),
                )
                for entry in report.get("normalizations") or []
            ),
            issue_counts=None
            if issue_counts is None
            else {
                (IssueCode(c["code"]), Severity(c["severity"])): int(c["count"])
                for c in issue_counts
            },
            dropped_rows=dropped,
            _issues=_issue_frame(report["issues"]),
            version=int(report.get("version", REPORT_VERSION)),
        )

    def __iter__(self) -> Iterator[Issue]:
        for row in self._issues.iter_rows(named=True):
            yield Issue(
                **{**row, "code": IssueCode(row["code"]), "severity": Severity(row["severity"])}
            )

    def __len__(self) -> int:
        return self._issues.height

    @property
    def ok(self) -> bool:
        """Return whether no error was found (warnings and fixes allowed)."""
        return self.summary.errors == 0

    @property
    def errors(self) -> list[Issue]:
        """Return the listed error issues."""
        return [issue for issue in self if issue.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        """Return the listed warning issues."""
        return [issue for issue in self if issue.severity is Severity.WARNING]

    def to_frame(self) -> pl.DataFrame:
        """Return the listed issues as a polars frame (``ISSUE_SCHEMA`` columns)."""
        return self._issues

    def to_dict(self) -> dict[str, Any]:
        """Return the report as the JSON contract's dict (issues as a polars frame).

        This is what every renderer formats (:mod:`activity_schema.render`).
        """
        summary = self.summary.to_dict()
        if self.dropped_rows is not None:
            summary = {**summary, "dropped_rows": self.dropped_rows}
        built: dict[str, Any] = {
            "version": self.version,
            "inputs": [item.to_dict() for item in self.inputs],
            "summary": summary,
            "normalizations": [
                {
                    "code": str(n.code),
                    "severity": str(n.severity),
                    "field": n.field,
                    "count": n.count,
                    "distinct": n.distinct,
                    "complete": n.complete,
                    "rewrites": [
                        {"from": r.old, "to": r.new, "count": r.count} for r in n.rewrites
                    ],
                    "examples": [
                        {
                            k: getattr(e, k)
                            for k in ("file", "row", "line", "column", "value", "fix")
                        }
                        for e in n.examples
                    ],
                }
                for n in self.normalizations
            ],
            "issues": self._issues,
        }
        if self.issue_counts is not None:
            built["issue_counts"] = [
                {"code": str(code), "severity": str(severity), "count": n}
                for (code, severity), n in self.issue_counts.items()
            ]
        return built


def _issue_frame(issues: pl.DataFrame | list[dict[str, Any]]) -> pl.DataFrame:
    if isinstance(issues, pl.DataFrame):
        return issues
    return pl.DataFrame(issues, schema=ISSUE_SCHEMA, orient="row")
