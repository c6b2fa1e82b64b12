"""Render a lint report as text (grouped by code, like ruff), JSON, or GitHub annotations.

The JSON report is a documented, stable contract (``REPORT_VERSION``)::

    {"version": 1,
     "inputs": [{"path", "format", "encoding", "encoding_reason", "dialect", "sheet",
                 "rows", "rejected_rows", "error"}],
     "summary": {"rows", "valid_rows", "rejected_rows", "fixed_rows",
                 "errors", "warnings", "fixes"},
     "issues": [{"code", "severity", "file", "row", "line", "field", "column",
                 "value", "message", "fix"}]}
"""

from __future__ import annotations

import json
from typing import IO, Any

import polars as pl
from rich.markup import escape

from ..codes import CODE_INFO, IssueCode
from ..defaults import GITHUB_ANNOTATIONS_PER_SEVERITY
from .console import make_console

__all__ = ["REPORT_VERSION", "build_report", "render_github", "render_json", "render_text"]

REPORT_VERSION = 1
_SEVERITY_ORDER = {"error": 0, "warning": 1, "fixed": 2, "info": 3}
_STYLE = {"error": "bold red", "warning": "yellow", "fixed": "green", "info": "dim"}


def build_report(
    inputs: list[dict[str, Any]], issues: pl.DataFrame, summary: dict[str, int]
) -> dict[str, Any]:
    """Return the JSON-ready report for ``lint --format json``."""
    return {
        "version": REPORT_VERSION,
        "inputs": inputs,
        "summary": summary,
        "issues": _sorted(issues).to_dicts(),
    }


def _sorted(issues: pl.DataFrame) -> pl.DataFrame:
    files = issues.get_column("file").unique(maintain_order=True).to_list()
    return (
        issues.with_columns(
            pl.col("file").replace_strict(files, list(range(len(files))), default=len(files)).alias("__f"),
        )
        .sort(["__f", "line", "row"], nulls_last=False, maintain_order=True)
        .drop("__f")
    )


def render_json(report: dict[str, Any], stream: IO[str]) -> None:
    """Write the report as JSON."""
    json.dump(report, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def _where(issue: dict[str, Any]) -> str:
    where = issue["file"] or ""
    if issue["line"] is not None:
        where += f":{issue['line']}"
    return where


def _example(issue: dict[str, Any]) -> str:
    parts = [_where(issue)]
    if issue["field"] or issue["column"]:
        parts.append(str(issue["field"] or issue["column"]))
    if issue["value"] is not None:
        value = issue["value"] if len(issue["value"]) <= 60 else issue["value"][:57] + "..."
        parts.append(repr(value))
    text = " ".join(parts) + f": {issue['message']}"
    if issue["fix"]:
        text += f" -> {issue['fix']}"
    return text


def render_text(
    report: dict[str, Any], stream: IO[str], *, max_examples: int = 5, show_info: bool = True
) -> None:
    """Write issues grouped by code with counts and the first examples, then a summary."""
    console = make_console(stream)
    issues = pl.DataFrame(report["issues"], schema=_schema(), orient="row") if report["issues"] else None
    if issues is not None:
        groups = (
            issues.group_by(["code", "severity"], maintain_order=True)
            .agg(pl.len().alias("n"), pl.struct(pl.all()).head(max_examples).alias("examples"))
            .with_columns(pl.col("severity").replace_strict(_SEVERITY_ORDER, default=9).alias("__o"))
            .sort("__o", maintain_order=True)
        )
        for group in groups.iter_rows(named=True):
            severity = group["severity"]
            if severity == "info" and not show_info:
                continue
            code = group["code"]
            info = CODE_INFO.get(IssueCode(code)) if code in IssueCode._value2member_map_ else None
            title = f"[{_STYLE.get(severity, '')}]{severity}[/] [bold]{escape(code)}[/bold] x{group['n']:,}"
            if info:
                title += f": {escape(info.summary)}"
            console.print(title)
            for example in group["examples"]:
                console.print(f"  {escape(_example(example))}")
            if group["n"] > len(group["examples"]):
                console.print(f"  ... and {group['n'] - len(group['examples']):,} more")
    for item in report["inputs"]:
        if item.get("error"):
            console.print(f"[bold red]unreadable[/] {escape(item['error'])}")
    s = report["summary"]
    console.print(
        f"[bold]{s['rows']:,} rows[/bold]: {s['valid_rows']:,} valid, "
        f"{s['rejected_rows']:,} rejected, {s['fixed_rows']:,} fixed; "
        f"{s['errors']:,} errors, {s['warnings']:,} warnings, {s['fixes']:,} fixes"
    )


def _schema() -> dict[str, Any]:
    from ..report import ISSUE_SCHEMA

    return dict(ISSUE_SCHEMA)


def _escape_property(value: str) -> str:
    return (
        value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")
    )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(report: dict[str, Any], stream: IO[str], *, max_examples: int = 5) -> None:
    """Write GitHub Actions annotations (10 per severity at most), then the text summary."""
    counts = {"error": 0, "warning": 0}
    for issue in report["issues"]:
        level = {"error": "error", "warning": "warning"}.get(issue["severity"])
        if level is None or counts[level] >= GITHUB_ANNOTATIONS_PER_SEVERITY:
            continue
        counts[level] += 1
        props = [f"file={_escape_property(issue['file'] or '')}"]
        if issue["line"] is not None:
            props.append(f"line={issue['line']}")
        props.append(f"title={_escape_property(issue['code'])}")
        message = issue["message"]
        if issue["value"] is not None:
            message += f" (value {issue['value']!r})"
        if issue["fix"]:
            message += f"; fix: {issue['fix']}"
        stream.write(f"::{level} {','.join(props)}::{_escape_data(message)}\n")
    render_text(report, stream, max_examples=max_examples)
