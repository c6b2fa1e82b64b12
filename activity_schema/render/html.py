"""Render a lint or convert report as one self-contained HTML page people can share.

The page is for the people who produce the exports (a marketing team) rather than for
the engineer's terminal: a verdict and the totals, a table per input file and per field,
bar charts of the issues by code and by field, the errors and warnings with their
line, value and fix, and the fixes (each field's rewrites with their counts, then the
content repairs cell by cell). It is one file with its style sheet and a small script
inline: nothing is loaded from the network (no CDN, no web font, no image), and a
Content-Security-Policy in the page forbids it, so it opens the same offline, from an
email attachment. Everything is in the HTML; the script only adds filters and sorting.
The only addresses in it are the issue codes' documentation pages, as plain links.

Every value comes from an untrusted file and is escaped (control characters shown as
``\\xNN``, as in the text report). A run can have millions of issues: each table lists
at most ``max_rows`` of them (the most severe first) and says how many more there are,
and every count comes from the report's ``summary`` and ``issue_counts``, never from
what is listed.

Example:
    >>> import io
    >>> report = {"version": 1, "inputs": [{"path": "a.csv", "format": "csv",
    ...     "encoding": "utf-8", "rows": 2, "rejected_rows": 1, "error": None}],
    ...     "summary": {"rows": 2, "valid_rows": 1, "rejected_rows": 1, "fixed_rows": 0,
    ...                 "errors": 1, "warnings": 0, "fixes": 0},
    ...     "issues": [{"code": "invalid-email", "severity": "error", "file": "a.csv",
    ...                 "row": 2, "line": 3, "field": "email", "column": "Email",
    ...                 "value": "<b>@x", "message": "invalid email address",
    ...                 "fix": "correct the address"}]}
    >>> out = io.StringIO()
    >>> render_html(report, out)
    >>> "&lt;b&gt;@x" in out.getvalue(), "<b>@x" in out.getvalue()
    (True, False)
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape
from typing import IO, Any

import polars as pl

from .._version import __version__
from ..defaults import HTML_REPORT_MAX_ROWS, HTML_REPORT_MAX_VALUE_CHARS
from ..issues.codes import CODE_INFO, IssueCode, code_url
from .html_assets import SCRIPT, STYLE
from .lint import issue_frame_of, printable

__all__ = ["render_html"]

_SEVERITIES = ("error", "warning", "fixed", "info")
_RANK = {severity: rank for rank, severity in enumerate(_SEVERITIES)}
_LABEL = {"error": "Errors", "warning": "Warnings", "fixed": "Fixes", "info": "Notes"}
#: Bars drawn per chart; the rest are summed up in a line under it.
_MAX_BARS = 30


def _text(value: object) -> str:
    """Return ``value`` escaped for HTML text or a quoted attribute."""
    return escape(printable(str(value)), quote=True)


def _n(value: int) -> str:
    return f"{value:,}"


def _count(value: int, noun: str) -> str:
    """Return ``value`` and ``noun``, plural unless it is one: ``2 cells``, ``1 cell``."""
    return f"{value:,} {noun}{'' if value == 1 else 's'}"


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


@dataclass(frozen=True)
class _Counts:
    """What the page counts, exact wherever the report allows it.

    Attributes:
        issues: The listed issues (all of them, or a sample when ``sampled``).
        normalizations: The report's ``normalizations``: the cells it does not list one
            by one (version 2; a version 1 report lists them among the issues).
        listed_by_code: The exact count of the issues of each (code, severity) that
            ``issues`` lists or samples.
        by_code: The same with the normalizations' counts added: every issue.
        sampled: Whether ``issues`` is a sample (a streamed run's ``issue_counts``).
    """

    issues: pl.DataFrame
    normalizations: list[dict[str, Any]]
    listed_by_code: dict[tuple[str, str], int]
    by_code: dict[tuple[str, str], int]
    sampled: bool

    @classmethod
    def of(cls, report: dict[str, Any]) -> _Counts:
        """Return the counts of ``report``."""
        normalizations = list(report.get("normalizations") or [])
        issues = issue_frame_of(report)
        counted = report.get("issue_counts")
        listed: dict[tuple[str, str], int] = {}
        if counted is not None:
            for item in counted:
                key = (str(item["code"]), str(item["severity"]))
                listed[key] = listed.get(key, 0) + int(item["count"])
        else:
            for code, severity, n in issues.group_by(["code", "severity"]).len().iter_rows():
                listed[(str(code), str(severity))] = int(n)
        by_code = dict(listed)
        for item in normalizations:
            key = (str(item["code"]), str(item["severity"]))
            by_code[key] = by_code.get(key, 0) + int(item["count"])
        return cls(issues, normalizations, listed, by_code, counted is not None)

    def total(self, severities: Iterable[str], *, summarised: bool = True) -> int:
        """Return the exact number of issues of ``severities``.

        With ``summarised`` false, only those ``issues`` lists one by one (or samples).
        """
        wanted = set(severities)
        found = self.by_code if summarised else self.listed_by_code
        return sum(n for (_, severity), n in found.items() if severity in wanted)

    def by_field(self) -> dict[str | None, dict[str, int]]:
        """Return the number of issues of each field and severity (listed ones if sampled)."""
        found: dict[str | None, dict[str, int]] = {}
        for field, severity, n in self.issues.group_by(["field", "severity"]).len().iter_rows():
            per = found.setdefault(field, {})
            per[str(severity)] = per.get(str(severity), 0) + int(n)
        for item in self.normalizations:
            per = found.setdefault(item.get("field"), {})
            severity = str(item["severity"])
            per[severity] = per.get(severity, 0) + int(item["count"])
        return found


def render_html(
    report: dict[str, Any],
    stream: IO[str],
    *,
    max_rows: int = HTML_REPORT_MAX_ROWS,
    title: str | None = None,
) -> None:
    """Write ``report`` as one self-contained HTML page to ``stream``.

    Args:
        report: A lint or convert report (see
            :func:`~activity_schema.jobs.report.build_report`), version 1 or 2 (without
            ``normalizations``, there are none).
        stream: Where the page is written (text).
        max_rows: Most rows listed per table of issues; the rest are counted.
        title: The page's title (default: the inputs' names).
    """
    counts = _Counts.of(report)
    inputs: list[dict[str, Any]] = list(report.get("inputs") or [])
    if title is None:
        names = [str(item.get("path") or "") for item in inputs]
        title = "activity-schema report"
        if names:
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            title += f": {', '.join(names[:3])}{more}"
    # Defence in depth: even were a value to slip through unescaped, the browser would
    # run no script but ours and load nothing at all.
    policy = (
        f"default-src 'none'; style-src {_hash(STYLE)}; script-src {_hash(SCRIPT)}; "
        "img-src 'none'; form-action 'none'; base-uri 'none'"
    )
    stream.write(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="activity-schema {_text(__version__)}">\n'
        f"<title>{_text(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    )
    sections = (
        _header(report, inputs, counts, title),
        _files(report, inputs, counts),
        _charts(counts),
        _codes(counts),
        _fields(counts),
        _problems(counts, max_rows),
        _fixes(report, counts, max_rows),
    )
    for section in sections:
        stream.write("".join(section))
    stream.write(
        f"<footer>Made by activity-schema {_text(__version__)}. This page loads nothing from "
        "the network; the issue codes link to their documentation pages online. The JSON "
        "report (<code>--format json</code>) lists every issue.</footer>\n"
        f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


# --- Header -----------------------------------------------------------------------------


def _verdict(report: dict[str, Any], inputs: list[dict[str, Any]]) -> tuple[str, str]:
    summary = report["summary"]
    unreadable = sum(1 for item in inputs if item.get("error"))
    rows, rejected = int(summary["rows"]), int(summary["rejected_rows"])
    if unreadable:
        return "bad", f"Not ready: {_count(unreadable, 'file')} could not be read."
    if rejected:
        return "bad", (
            f"Not ready: {_n(rejected)} of {_count(rows, 'row')} have errors and would not be "
            "uploaded. Fix them at the source and export again."
        )
    errors = int(summary["errors"])
    if errors:  # errors that reject no row (the file's, or the conversion's)
        return "bad", f"Not ready: {_count(errors, 'error')} to fix, listed below."
    warnings = int(summary["warnings"])
    if warnings:
        return (
            "warn",
            f"Ready, with {_count(warnings, 'warning')} to check: all {_count(rows, 'row')} "
            "are valid.",
        )
    return "ok", f"Ready to upload: all {_count(rows, 'row')} are valid."


def _header(
    report: dict[str, Any], inputs: list[dict[str, Any]], counts: _Counts, title: str
) -> Iterator[str]:
    kind, verdict = _verdict(report, inputs)
    summary = report["summary"]
    yield f"<header>\n<h1>{_text(title)}</h1>\n"
    yield (
        '<nav><a href="#files">Files</a><a href="#charts">Charts</a><a href="#codes">Codes</a>'
        '<a href="#fields">Fields</a><a href="#problems">Errors and warnings</a>'
        '<a href="#fixes">Fixes</a></nav>\n'
    )
    yield f'<p class="verdict {kind}" id="verdict" data-verdict="{kind}">{_text(verdict)}</p>\n'
    totals = [
        ("rows", "Rows", summary["rows"]),
        ("valid_rows", "Valid rows", summary["valid_rows"]),
        ("rejected_rows", "Rejected rows", summary["rejected_rows"]),
        ("fixed_rows", "Rows with fixes", summary.get("fixed_rows", 0)),
        ("errors", "Errors", summary["errors"]),
        ("warnings", "Warnings", summary["warnings"]),
        ("fixes", "Fixed cells", summary.get("fixes", 0)),
    ]
    if "dropped_rows" in summary:
        totals.append(("dropped_rows", "Dropped rows", summary["dropped_rows"]))
    yield '<dl class="totals" id="totals">'
    for key, label, value in totals:
        yield (
            f'<div data-total="{key}" data-n="{int(value)}"><dt>{label}</dt>'
            f"<dd>{_n(int(value))}</dd></div>"
        )
    yield "</dl>\n"
    if counts.sampled:
        yield (
            '<p class="note" id="sampled">This run was checked in batches, and its report '
            "lists a sample of each code's issues: the totals and the counts by code are "
            "exact; the counts by file and by field marked &ge; count the listed issues "
            "only.</p>\n"
        )
    yield "</header>\n"


# --- Files ------------------------------------------------------------------------------


def _files(report: dict[str, Any], inputs: list[dict[str, Any]], counts: _Counts) -> Iterator[str]:
    listed: dict[tuple[str, str], int] = {
        (str(file), str(severity)): int(n)
        for file, severity, n in counts.issues.group_by(["file", "severity"]).len().iter_rows()
    }
    # A single input's counts are the summary's: exact, sampled or not.
    single = len(inputs) == 1
    yield '<section id="files">\n<h2>Files</h2>\n<div class="scroll">'
    yield (
        '<table class="sortable" id="files-table">\n<thead><tr><th>File</th><th>Format</th>'
        '<th>Encoding</th><th class="n">Rows</th><th class="n">Valid</th>'
        '<th class="n">Rejected</th><th class="n">Errors</th><th class="n">Warnings</th>'
        "</tr></thead>\n<tbody>\n"
    )
    for item in inputs:
        path = str(item.get("path") or "")
        yield f'<tr data-file="{_text(path)}"><td>{_text(path)}</td>'
        if item.get("error"):
            yield (
                '<td colspan="7"><span class="sev error">Could not be read:</span> '
                f"{_text(item['error'])}</td></tr>\n"
            )
            continue
        rows = item.get("rows")
        rejected = int(item.get("rejected_rows") or 0)
        reason = item.get("encoding_reason")
        hint = f' title="{_text(reason)}"' if reason else ""
        yield f"<td>{_text(item.get('format') or '')}{_sheet(item)}</td>"
        yield f"<td{hint}>{_text(item.get('encoding') or '')}</td>"
        yield _number(None if rows is None else int(rows))
        yield _number(None if rows is None else int(rows) - rejected)
        yield _number(rejected)
        for severity, key in (("error", "errors"), ("warning", "warnings")):
            if single:
                yield _number(int(report["summary"][key]))
            else:
                # Sampled issues, or rewrites suggested under --no-fix (warnings that the
                # report summarises per field, not per file): a floor.
                floor = counts.sampled or any(
                    n["severity"] == severity for n in counts.normalizations
                )
                yield _number(listed.get((path, severity), 0), at_least=floor)
        yield "</tr>\n"
    yield "</tbody></table></div>\n</section>\n"


def _sheet(item: dict[str, Any]) -> str:
    sheet = item.get("sheet")
    return f' <span class="muted">(sheet {_text(sheet)})</span>' if sheet else ""


def _number(value: int | None, *, at_least: bool = False) -> str:
    if value is None:
        return '<td class="n"></td>'
    shown = ("&ge; " if at_least else "") + _n(value)
    return f'<td class="n" data-n="{value}">{shown}</td>'


# --- Charts -----------------------------------------------------------------------------

_Bar = tuple[str, list[tuple[str, int]]]


def _charts(counts: _Counts) -> Iterator[str]:
    yield '<section id="charts">\n<h2>Issues at a glance</h2>\n<p class="legend">'
    for severity in _SEVERITIES:
        yield f'<span><span class="swatch {severity}"></span>{_LABEL[severity]}</span>'
    yield "</p>\n"
    codes = [code for code, _ in counts.by_code]
    code_bars: list[_Bar] = [
        (f"{code} ({severity})" if codes.count(code) > 1 else code, [(severity, n)])
        for (code, severity), n in sorted(
            counts.by_code.items(), key=lambda kv: (-kv[1], _RANK.get(kv[0][1], 9), kv[0][0])
        )
        if n
    ]
    yield "<h3>By code</h3>\n"
    yield from _chart("chart-codes", "Issues by code", code_bars)
    field_bars: list[_Bar] = [
        (_field_label(field), [(s, per[s]) for s in _SEVERITIES if per.get(s)])
        for field, per in sorted(
            counts.by_field().items(), key=lambda kv: (-sum(kv[1].values()), str(kv[0]))
        )
    ]
    yield "<h3>By field</h3>\n"
    if counts.sampled:
        yield '<p class="note">These count the listed issues (a sample, see above).</p>\n'
    yield from _chart("chart-fields", "Issues by field", field_bars)
    yield "</section>\n"


def _field_label(field: str | None) -> str:
    return "(no field)" if field is None else field


def _chart(ident: str, label: str, bars: list[_Bar]) -> Iterator[str]:
    """Yield a horizontal bar chart as inline SVG, one stacked bar per label."""
    if not bars:
        yield f'<p class="muted" id="{ident}">No issues.</p>\n'
        return
    drawn = bars[:_MAX_BARS]
    top = max(sum(n for _, n in parts) for _, parts in drawn)
    label_width, bar_width, row = 240, 560, 22
    width, height = label_width + bar_width + 90, row * len(drawn) + 4
    yield (
        f'<svg class="chart" id="{ident}" role="img" aria-label="{_text(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">\n'
    )
    for index, (name, parts) in enumerate(drawn):
        y = index * row + 2
        total = sum(n for _, n in parts)
        short = name if len(name) <= 34 else name[:33] + "\u2026"
        yield f'<g data-label="{_text(name)}" data-count="{total}"><title>{_text(name)}: '
        yield ", ".join(f"{_n(n)} {_LABEL[s].lower()}" for s, n in parts) + "</title>"
        yield (f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{_text(short)}</text>')
        x = float(label_width)
        for severity, n in parts:
            # At least a pixel, so that a count of one among millions is still seen.
            w = max(bar_width * n / top, 1.0)
            yield (
                f'<rect class="bar {severity}" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" '
                f'height="{row - 6}"></rect>'
            )
            x += w
        yield f'<text x="{x + 6:.1f}" y="{y + 15}">{_n(total)}</text></g>\n'
    yield "</svg>\n"
    if len(bars) > len(drawn):
        rest = len(bars) - len(drawn)
        yield f'<p class="more">{_n(rest)} more not drawn: see the table below.</p>\n'


# --- Codes and fields -------------------------------------------------------------------


def _code_link(code: str) -> str:
    info = CODE_INFO.get(IssueCode(code)) if code in IssueCode._value2member_map_ else None
    hint = f' title="{_text(info.summary)}"' if info else ""
    return f'<a href="{_text(code_url(code))}"{hint}>{_text(code)}</a>'


def _codes(counts: _Counts) -> Iterator[str]:
    yield '<section id="codes">\n<h2>Issues by code</h2>\n'
    if not counts.by_code:
        yield '<p class="muted">No issues.</p>\n</section>\n'
        return
    yield (
        '<div class="scroll"><table class="sortable" id="codes-table">\n<thead><tr>'
        '<th>Code</th><th>Severity</th><th class="n">Count</th><th>What it means</th>'
        "<th>How to fix it</th></tr></thead>\n<tbody>\n"
    )
    ordered = sorted(counts.by_code.items(), key=lambda kv: (_RANK.get(kv[0][1], 9), -kv[1]))
    for (code, severity), n in ordered:
        info = CODE_INFO.get(IssueCode(code)) if code in IssueCode._value2member_map_ else None
        yield (
            f'<tr data-code="{_text(code)}" data-severity="{_text(severity)}">'
            f"<td>{_code_link(code)}</td>"
            f'<td class="sev {_text(severity)}">{_text(severity)}</td>{_number(n)}'
            f"<td>{_text(info.summary if info else '')}</td>"
            f"<td>{_text(info.fix if info else '')}</td></tr>\n"
        )
    yield "</tbody></table></div>\n</section>\n"


def _fields(counts: _Counts) -> Iterator[str]:
    yield '<section id="fields">\n<h2>Fields</h2>\n'
    by_field = counts.by_field()
    if not by_field:
        yield '<p class="muted">No issues in any field.</p>\n</section>\n'
        return
    detail = (
        counts.issues.group_by("field", maintain_order=True)
        .agg(
            pl.col("column").drop_nulls().unique(maintain_order=True).head(5).alias("columns"),
            pl.col("code").unique(maintain_order=True).alias("codes"),
        )
        .iter_rows()
    )
    columns: dict[str | None, list[str]] = {}
    codes: dict[str | None, list[str]] = {}
    for field, found_columns, found_codes in detail:
        columns[field], codes[field] = list(found_columns), list(found_codes)
    for item in counts.normalizations:
        field = item.get("field")
        codes.setdefault(field, [])
        if item["code"] not in codes[field]:
            codes[field].append(str(item["code"]))
        for example in item.get("examples") or []:
            column = example.get("column")
            known = columns.setdefault(field, [])
            if column and column not in known and len(known) < 5:
                known.append(str(column))
    if counts.sampled:
        yield '<p class="note">These count the listed issues (a sample, see above).</p>\n'
    yield (
        '<div class="scroll"><table class="sortable" id="fields-table">\n<thead><tr>'
        "<th>Field</th><th>Source column</th>"
        + "".join(f'<th class="n">{_LABEL[s]}</th>' for s in _SEVERITIES)
        + "<th>Codes</th></tr></thead>\n<tbody>\n"
    )
    ordered = sorted(by_field.items(), key=lambda kv: (kv[0] is None, -sum(kv[1].values())))
    for field, per in ordered:
        name = _field_label(field)
        yield f'<tr data-field="{_text(name)}"><td>{_text(name)}</td>'
        yield f"<td>{_text(', '.join(columns.get(field, [])))}</td>"
        for severity in _SEVERITIES:
            yield _number(per.get(severity, 0), at_least=counts.sampled)
        yield "<td>" + ", ".join(_code_link(code) for code in codes.get(field, [])) + "</td></tr>\n"
    yield "</tbody></table></div>\n</section>\n"


# --- Issue tables -----------------------------------------------------------------------


def _value(value: str | None) -> str:
    if value is None:
        return "<td></td>"
    if len(value) > HTML_REPORT_MAX_VALUE_CHARS:
        cut = value[: HTML_REPORT_MAX_VALUE_CHARS - 1] + "\u2026"
        return (
            f'<td><code class="v">{_text(cut)}</code> '
            f'<span class="muted">({_n(len(value))} characters)</span></td>'
        )
    return f'<td><code class="v">{_text(value)}</code></td>'


def _issue_table(
    ident: str, issues: pl.DataFrame, total: int, max_rows: int, noun: str, *, sampled: bool
) -> Iterator[str]:
    """Yield a filterable table of ``issues``: the ``max_rows`` most severe, in report order."""
    listed = (
        issues.with_row_index("__i")
        .with_columns(pl.col("severity").replace_strict(_RANK, default=9).alias("__r"))
        .sort(["__r", "__i"])
        .head(max_rows)
        .sort("__i")
        .drop("__i", "__r")
    )
    rows = listed.height
    more = total - rows
    said = f"{_n(total)} {noun}" if total else f"No {noun}"
    if more > 0:
        said += f", the {_n(rows)} most severe listed"
    yield (
        f'<p class="count" id="{ident}-count" data-listed="{rows}" data-total="{total}">'
        f"{said}.</p>\n"
    )
    if not rows:
        if more > 0:
            yield _more(ident, more, sampled)
        return
    yield f'<form class="filter" data-filter="{ident}-table" hidden>'
    yield (
        f'<input type="search" name="q" placeholder="Search values, messages, fixes" '
        f'aria-label="Search the {noun}">'
    )
    for name in ("severity", "code", "field", "file"):
        found = listed.get_column(name).unique().to_list()
        if name == "field":
            values = sorted({_field_label(v) for v in found})
        else:
            values = sorted(str(v) for v in found if v is not None)
        yield f'<select name="{name}" aria-label="{name.capitalize()}">'
        yield f'<option value="">Any {name}</option>'
        yield "".join(f'<option value="{_text(v)}">{_text(v)}</option>' for v in values)
        yield "</select>"
    yield f'<output data-shown="{rows}">{_n(rows)} listed</output></form>\n'
    yield (
        f'<div class="scroll"><table class="sortable" id="{ident}-table">\n<thead><tr>'
        "<th>Severity</th><th>Code</th><th>Where</th><th>Field</th><th>Value</th>"
        "<th>Message</th><th>Fix</th></tr></thead>\n<tbody>\n"
    )
    for issue in listed.iter_rows(named=True):
        yield _issue_row(issue)
    yield "</tbody></table></div>\n"
    if more > 0:
        yield _more(ident, more, sampled)


def _more(ident: str, more: int, sampled: bool) -> str:
    where = (
        "the JSON report lists a sample of them (a streamed run), the counts above are exact"
        if sampled
        else "see the JSON report (<code>--format json</code>)"
    )
    return (
        f'<p class="more" id="{ident}-more" data-more="{more}">{_n(more)} more not shown, '
        f"{where}.</p>\n"
    )


def _issue_row(issue: dict[str, Any]) -> str:
    severity = str(issue["severity"])
    file = issue["file"] or ""
    line = issue["line"]
    where = file if line is None else f"{file}:{line}"
    order = f"{file}\x00{0 if line is None else line:012d}"
    field = _field_label(issue["field"])
    column = issue["column"]
    field_cell = _text(field)
    if column and column != issue["field"]:
        field_cell += f' <span class="muted">(column {_text(column)})</span>'
    return (
        f'<tr data-severity="{_text(severity)}" data-code="{_text(issue["code"])}" '
        f'data-field="{_text(field)}" data-file="{_text(file)}">'
        f'<td class="sev {_text(severity)}">{_text(severity)}</td>'
        f"<td>{_code_link(str(issue['code']))}</td>"
        f'<td data-sort="{_text(order)}">{_text(where)}</td><td>{field_cell}</td>'
        f"{_value(issue['value'])}<td>{_text(issue['message'] or '')}</td>"
        f"<td>{_text(issue['fix'] or '')}</td></tr>\n"
    )


def _problems(counts: _Counts, max_rows: int) -> Iterator[str]:
    yield '<section id="problems">\n<h2>Errors, warnings and notes</h2>\n'
    yield (
        '<p class="muted">Errors reject their row; warnings keep it but need a look; notes '
        "say how the file was read.</p>\n"
    )
    severities = ("error", "warning", "info")
    issues = counts.issues.filter(pl.col("severity").is_in(severities))
    total = counts.total(severities, summarised=False)
    yield from _issue_table(
        "problems", issues, total, max_rows, "errors, warnings and notes", sampled=counts.sampled
    )
    suggested = counts.total(severities) - total
    if suggested:
        yield (
            f'<p class="note" id="problems-suggested" data-n="{suggested}">And '
            f"{_count(suggested, 'suggested rewrite')} (warnings: --no-fix left the values as "
            'they are), summarised by field under <a href="#fixes">Fixes</a>.</p>\n'
        )
    yield "</section>\n"


# --- Fixes ------------------------------------------------------------------------------


def _fixes(report: dict[str, Any], counts: _Counts, max_rows: int) -> Iterator[str]:
    summary = report["summary"]
    yield '<section id="fixes">\n<h2>Fixes</h2>\n'
    yield (
        f'<p id="fixes-total" data-fixes="{int(summary.get("fixes", 0))}">'
        f"{_count(int(summary.get('fixes', 0)), 'cell')} fixed in "
        f"{_count(int(summary.get('fixed_rows', 0)), 'row')}: the upload gets the fixed values; "
        "fix them at the source to make the next export clean.</p>\n"
    )
    if counts.normalizations:
        yield "<h3>Rewrites by field</h3>\n"
        for item in counts.normalizations:
            yield from _normalization(item)
    yield "<h3>Content repairs, cell by cell</h3>\n"
    repairs = counts.issues.filter(pl.col("severity") == "fixed")
    total = counts.total(("fixed",), summarised=False)
    yield from _issue_table("repairs", repairs, total, max_rows, "repairs", sampled=counts.sampled)
    yield "</section>\n"


def _normalization(item: dict[str, Any]) -> Iterator[str]:
    field = _field_label(item.get("field"))
    code = str(item["code"])
    count, distinct = int(item["count"]), int(item.get("distinct") or 0)
    rewrites: list[dict[str, Any]] = list(item.get("rewrites") or [])
    # A streamed run stops tracking new rewrites past a bound: then "distinct" is a floor.
    complete = item.get("complete", True) is not False
    s = "" if distinct == 1 else "s"
    # With --no-fix, the rewrites are suggested (warnings), not applied.
    done = "rewritten" if item.get("severity") == "fixed" else "to rewrite (not applied)"
    yield (
        f'<div class="rewrites" data-field="{_text(field)}" data-code="{_text(code)}" '
        f'data-severity="{_text(item.get("severity"))}" data-count="{count}">'
        f"<h4>{_text(field)}: {_code_link(code)}</h4>\n"
        f"<p>{_count(count, 'cell')} {done}, {'' if complete else 'at least '}{_n(distinct)} "
        f"distinct rewrite{s}.</p>\n"
    )
    yield (
        '<table class="sortable"><thead><tr><th>From</th><th>To</th><th class="n">Cells</th>'
        "</tr></thead>\n<tbody>\n"
    )
    for rewrite in rewrites:
        after = rewrite.get("to")
        to_cell = '<td class="muted">(emptied)</td>' if after is None else _value(str(after))
        yield f"<tr>{_value(rewrite.get('from'))}{to_cell}{_number(int(rewrite['count']))}</tr>\n"
    yield "</tbody></table>\n"
    cells = count - sum(int(r["count"]) for r in rewrites)
    if cells > 0:
        rest = distinct - len(rewrites)
        others = f"{'' if complete else 'at least '}{_n(rest)} more distinct rewrites"
        yield (
            f'<p class="more" data-more-cells="{cells}">{others} ({_count(cells, "cell")}) not '
            "shown; <code>--fixes FILE</code> lists every fixed cell.</p>\n"
        )
    examples = list(item.get("examples") or [])
    if examples:
        yield "<details><summary>First cells</summary><table><tbody>\n"
        for example in examples:
            line = example.get("line")
            file = str(example.get("file") or "")
            where = file if line is None else f"{file}:{line}"
            yield (
                f"<tr><td>{_text(where)}</td><td>{_text(example.get('column') or '')}</td>"
                f"{_value(example.get('value'))}<td>{_text(example.get('fix') or '')}</td></tr>\n"
            )
        yield "</tbody></table></details>\n"
    yield "</div>\n"
