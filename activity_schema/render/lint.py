"""Render a lint report as text (grouped by code, like ruff), JSON, or GitHub annotations.

The report is built by :mod:`activity_schema.jobs.report` (``build_report`` and
``REPORT_VERSION`` are re-exported here for the callers that know them by this module);
this module only formats it. The JSON report is a documented, stable contract (its
keys are described in :mod:`activity_schema.jobs.report`).
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import re
from collections.abc import Iterator
from typing import IO, Any

import polars as pl

from ..defaults import (
    GITHUB_ANNOTATIONS_PER_FILE,
    GITHUB_ANNOTATIONS_PER_SEVERITY,
    REPORT_JSON_SLICE_ROWS,
)
from ..errors import escape_controls
from ..issues.codes import CODE_INFO, IssueCode
from ..jobs.report import REPORT_VERSION, build_report

__all__ = [
    "REPORT_VERSION",
    "build_report",
    "issue_frame_of",
    "issue_rows",
    "normalization_message",
    "paused_gc",
    "render_github",
    "render_json",
    "render_text",
    "write_utf8",
]

_SEVERITY_ORDER = {"error": 0, "warning": 1, "fixed": 2, "info": 3}
_STYLE = {"error": "bold red", "warning": "yellow", "fixed": "green", "info": "dim"}


def issue_frame_of(report: dict[str, Any]) -> pl.DataFrame:
    """Return a report's issues as a frame (a list of dicts is accepted too)."""
    issues = report.get("issues")
    if isinstance(issues, pl.DataFrame):
        return issues
    from ..issues.records import ISSUE_SCHEMA

    return pl.DataFrame(list(issues or []), schema=ISSUE_SCHEMA, orient="row")


def issue_rows(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield a report's issues as dicts, in report order."""
    issues = report.get("issues")
    if isinstance(issues, pl.DataFrame):
        yield from issues.iter_rows(named=True)
    else:
        yield from issues or []


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector while a report is built as Python objects.

    A SARIF log or a GitLab report of 30,000 issues is some 200,000 dicts and lists,
    none of them in a cycle; each allocation burst sets off collections that walk every
    object the process holds (polars and numpy included). Paused, building the SARIF
    log of the million-row benchmark takes 214 ms instead of 334.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_utf8(stream: IO[str], data: bytes) -> None:
    """Write UTF-8 bytes to a text stream, to its binary buffer when it has one.

    A file or stdout takes the bytes as they are; a stream without a buffer (StringIO)
    gets them decoded.
    """
    binary = getattr(stream, "buffer", None)
    if binary is None:
        stream.write(data.decode("utf-8"))
        return
    stream.flush()
    binary.write(data)
    binary.flush()


def render_json(report: dict[str, Any], stream: IO[str]) -> None:
    """Write the report as JSON; polars serializes the issues (there may be millions).

    The issues are written as bytes to the stream's binary buffer when it has one (a
    file or stdout): a million issues are a quarter of a gigabyte of JSON, and going
    through ``str`` would decode and encode it once more.
    """
    head = {k: v for k, v in report.items() if k != "issues"}
    text = json.dumps(head, ensure_ascii=False, indent=2)
    issues = issue_frame_of(report)
    stream.write(text[: text.rindex("}")].rstrip() + ',\n  "issues": [')
    if issues.height:
        binary = getattr(stream, "buffer", None)
        if binary is not None:
            stream.flush()
        separator = b",\n    "
        # polars writes NDJSON three times faster than a JSON array; commas make it one.
        # Slice by slice, so that the text is never all in memory at once.
        for start in range(0, issues.height, REPORT_JSON_SLICE_ROWS):
            buffer = io.BytesIO()
            issues.slice(start, REPORT_JSON_SLICE_ROWS).write_ndjson(buffer)
            lead = b"\n    " if start == 0 else separator
            items = lead + buffer.getvalue()[:-1].replace(b"\n", separator)
            if binary is not None:
                binary.write(items)
            else:
                stream.write(items.decode("utf-8"))
        if binary is not None:
            binary.flush()
        stream.write("\n  ")
    stream.write("]\n}\n")


def _where(issue: dict[str, Any]) -> str:
    where = escape_controls(issue["file"] or "")
    if issue["line"] is not None:
        where += f":{issue['line']}"
    return where


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    r"""Return ``text`` with control characters shown as ``\xNN``.

    Data and headers come from untrusted files: an escape sequence in a header must not
    reach the terminal (or a CI log) as a command.

    Example:
        >>> printable("\x1b[2JHeader")
        '\\x1b[2JHeader'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


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
    return printable(text)


def render_text(
    report: dict[str, Any], stream: IO[str], *, max_examples: int = 5, show_info: bool = True
) -> None:
    """Write issues grouped by code with counts and the first examples, then a summary."""
    # rich only here: a JSON report (or SARIF, JUnit) is written without importing it.
    from rich.markup import escape

    from .console import make_console

    console = make_console(stream)
    issues = issue_frame_of(report)
    summarized = False
    if issues.height:
        groups = (
            issues.group_by(["code", "severity"], maintain_order=True)
            .agg(pl.len().alias("n"), pl.struct(pl.all()).head(max_examples).alias("examples"))
            .with_columns(
                pl.col("severity").replace_strict(_SEVERITY_ORDER, default=9).alias("__o")
            )
            .sort("__o", maintain_order=True)
        )
        # A streamed convert lists a sample of its issues and gives the exact counts.
        counts = {(c["code"], c["severity"]): c["count"] for c in report.get("issue_counts") or []}
        for group in groups.iter_rows(named=True):
            severity = group["severity"]
            if _SEVERITY_ORDER.get(severity, 9) > _SEVERITY_ORDER["fixed"] and not summarized:
                # The summarised fixes go with the fixes, before the infos.
                summarized = True
                _render_normalizations(report, console, max_examples)
            if severity == "info" and not show_info:
                continue
            code = group["code"]
            info = CODE_INFO.get(IssueCode(code)) if code in IssueCode._value2member_map_ else None
            style = _STYLE.get(severity, "")
            n = counts.get((code, severity), group["n"])
            title = f"[{style}]{severity}[/] [bold]{escape(code)}[/bold] x{n:,}"
            if info:
                title += f": {escape(info.summary)}"
            console.print(title)
            for example in group["examples"]:
                console.print(f"  {escape(_example(example))}")
            if n > len(group["examples"]):
                console.print(f"  ... and {n - len(group['examples']):,} more")
    if not summarized:
        _render_normalizations(report, console, max_examples)
    for item in report["inputs"]:
        if item.get("error"):
            console.print(f"[bold red]unreadable[/] {escape(item['error'])}")
    s = report["summary"]
    console.print(
        f"[bold]{s['rows']:,} rows[/bold]: {s['valid_rows']:,} valid, "
        f"{s['rejected_rows']:,} rejected, {s['fixed_rows']:,} fixed; "
        f"{s['errors']:,} errors, {s['warnings']:,} warnings, {s['fixes']:,} fixes"
    )


def _rewrite(rewrite: dict[str, Any]) -> str:
    def shown(value: str | None) -> str:
        if value is None:
            return "empty"
        return repr(value if len(value) <= 60 else value[:57] + "...")

    return printable(f"{shown(rewrite['from'])} -> {shown(rewrite['to'])} x{rewrite['count']:,}")


def normalization_message(entry: dict[str, Any], rewrites: int = 3) -> str:
    """Return a ``normalizations`` entry as one line: what, how many, the top rewrites.

    SARIF, GitLab and JUnit show each entry as one result with this text.

    Example:
        >>> normalization_message({"code": "normalized", "field": "CampaignId",
        ...     "count": 3, "distinct": 1, "complete": True,
        ...     "rewrites": [{"from": "1,024", "to": "1024", "count": 3}]})
        "CampaignId: 3 cells normalized in all inputs: '1,024' -> '1024' x3"
    """
    verb = "emptied" if entry["code"] == str(IssueCode.NULL_STRING) else "normalized"
    cells = "cell" if entry["count"] == 1 else "cells"
    text = f"{entry['field']}: {entry['count']:,} {cells} {verb} in all inputs: "
    text += ", ".join(_rewrite(r) for r in entry["rewrites"][:rewrites])
    more = entry["distinct"] - min(rewrites, len(entry["rewrites"]))
    if more > 0 or not entry["complete"]:
        text += f", and {'at least ' if not entry['complete'] else ''}{more:,} more"
    return printable(text)


def _render_normalizations(report: dict[str, Any], console: Any, max_examples: int) -> None:
    """Write each field's mechanical rewrites: the count, then the most frequent ones."""
    from rich.markup import escape

    for entry in report.get("normalizations") or []:
        severity, code = entry["severity"], entry["code"]
        info = CODE_INFO.get(IssueCode(code)) if code in IssueCode._value2member_map_ else None
        title = (
            f"[{_STYLE.get(severity, '')}]{severity}[/] [bold]{escape(code)}[/bold] "
            f"x{entry['count']:,} in {escape(printable(entry['field']))}"
        )
        if info:
            title += f": {escape(info.summary)}"
        console.print(title)
        shown = entry["rewrites"][:max_examples]
        for rewrite in shown:
            console.print(f"  {escape(_rewrite(rewrite))}")
        more = entry["distinct"] - len(shown)
        if more > 0 or not entry["complete"]:
            at_least = "" if entry["complete"] else "at least "
            console.print(
                f"  ... and {at_least}{more:,} more distinct rewrite{'' if more == 1 else 's'}"
                " (--fixes FILE lists every cell)"
            )


def _escape_property(value: str) -> str:
    return (
        printable(value)
        .replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(":", "%3A")
        .replace(",", "%2C")
    )


def _escape_data(value: str) -> str:
    return printable(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(report: dict[str, Any], stream: IO[str], *, max_examples: int = 5) -> None:
    """Write GitHub Actions annotations, then the text report.

    GitHub shows at most 10 annotations of each severity per step, so at most that many
    are written, and at most 5 of each severity per file: they are shared out across the
    files, in turn (each file's first, then each file's second, ...), so that a file with
    a thousand errors does not leave the next one without any. A ``::notice::`` says how
    many errors and warnings were left out (exact, from the summary).
    """
    issues = issue_frame_of(report).with_row_index("__i")
    ranked = (
        issues.filter(pl.col("severity").is_in(["error", "warning"]))
        .with_columns(pl.int_range(pl.len()).over(["severity", "file"]).alias("__r"))
        .filter(pl.col("__r") < GITHUB_ANNOTATIONS_PER_FILE)
        .sort(["__r", "__i"])
    )
    picked = ranked.filter(
        pl.int_range(pl.len()).over("severity") < GITHUB_ANNOTATIONS_PER_SEVERITY
    ).sort("__i")
    for issue in picked.iter_rows(named=True):
        level = issue["severity"]
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
    shown = dict(picked.group_by("severity").len().iter_rows())
    summary = report["summary"]
    left = {
        "error": int(summary["errors"]) - int(shown.get("error", 0)),
        "warning": int(summary["warnings"]) - int(shown.get("warning", 0)),
    }
    if any(n > 0 for n in left.values()):
        parts = [f"{n:,} {kind}{'' if n == 1 else 's'}" for kind, n in left.items() if n > 0]
        stream.write(
            f"::notice::{' and '.join(parts)} not annotated (GitHub shows "
            f"{GITHUB_ANNOTATIONS_PER_SEVERITY} per severity, {GITHUB_ANNOTATIONS_PER_FILE} "
            "per file here); the report below counts them all\n"
        )
    render_text(report, stream, max_examples=max_examples)
