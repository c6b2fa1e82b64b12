"""Render a lint report as SARIF 2.1.0, the format GitHub code scanning reads.

Each issue becomes a ``result`` whose ``ruleId`` is the issue code and whose location is
the input file (a URI relative to the repository root) and the record's source line.
Every code used gets a ``rule`` with the summary, the reason and the fix from
:data:`~activity_schema.issues.codes.CODE_INFO`, a PascalCase ``name`` and a ``helpUri``
to the code's documentation page (:func:`~activity_schema.issues.codes.code_url`).
Results carry ``partialFingerprints`` computed from the file, code, field, column, row
and value (never the line, which shifts when a quoted cell gains a newline), so code
scanning keeps tracking an alert across runs. Each of the report's ``normalizations``
(mechanical rewrites summarised per field) is one result at its first example.

The log is written compact by orjson: a messy file's tens of thousands of results are
written about as fast as the JSON report.

Example:
    >>> report = {"inputs": [], "summary": {}, "issues": [{"code": "invalid-email",
    ...     "severity": "error", "file": "in.csv", "row": 2, "line": 3, "field": "email",
    ...     "column": "Email", "value": "x@", "message": "not an email", "fix": None}]}
    >>> run = build_sarif(report)["runs"][0]
    >>> run["results"][0]["ruleId"], run["results"][0]["locations"][0][
    ...     "physicalLocation"]["region"]["startLine"]
    ('invalid-email', 3)
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import posixpath
from functools import lru_cache
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import IO, Any
from urllib.parse import quote

import orjson
import polars as pl

from .._version import __version__
from ..issues.codes import CODE_INFO, IssueCode, code_url
from ..output.encode import json_escaped
from .lint import issue_rows, normalization_message, paused_gc, write_utf8

__all__ = [
    "FINGERPRINT_KEY",
    "MAX_SARIF_RESULTS",
    "SARIF_SCHEMA",
    "SARIF_VERSION",
    "build_sarif",
    "issue_fingerprint",
    "issue_fingerprints",
    "issue_message",
    "render_sarif",
    "rule_name",
    "sarif_uri",
]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The key of our own fingerprint in ``partialFingerprints`` (versioned: a change of the
#: recipe must not match old alerts by accident).
FINGERPRINT_KEY = "activitySchemaIssue/v1"
#: GitHub code scanning accepts at most 25,000 results per run; keep the worst ones.
# (Kept here rather than in defaults.py: it is a property of this output format.)
MAX_SARIF_RESULTS = 25_000
#: Where the tool is documented (``tool.driver.informationUri``).
INFORMATION_URI = "https://github.com/activity-schema/activity-schema"

#: The issue keys a fingerprint hashes, in order (never the line: see issue_fingerprint).
_FINGERPRINTED = ("file", "code", "field", "column", "row", "value")
_encode_string = json.encoder.encode_basestring
_LEVEL = {"error": "error", "warning": "warning", "fixed": "note", "info": "note"}
_RANK = {"error": 0, "warning": 1, "note": 2}
#: The issue keys a result's ``properties`` carry, when set.
_PROPERTIES = ("severity", "row", "field", "column", "count")


@lru_cache(maxsize=1024)
def sarif_uri(file: str, base: str | None = None) -> str:
    """Return ``file`` as a SARIF artifact URI, relative to ``base`` when inside it.

    Backslashes become slashes and unsafe characters are percent-encoded; a path outside
    ``base`` (or an absolute one without a ``base``) becomes a ``file://`` URI.

    Args:
        file: The input's display name, as it appears in the report.
        base: The folder results are relative to (the repository root), if known.

    Example:
        >>> sarif_uri("data/my export.csv")
        'data/my%20export.csv'
        >>> sarif_uri("/repo/data/a.csv", base="/repo")
        'data/a.csv'
    """
    path: PurePath = PureWindowsPath(file) if "\\" in file else PurePosixPath(file)
    text = path.as_posix()
    if base is not None and path.is_absolute():
        root = (PureWindowsPath(base) if "\\" in base else PurePosixPath(base)).as_posix()
        if text == root or text.startswith(root.rstrip("/") + "/"):
            text = posixpath.relpath(text, root)
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return "file://" + ("" if text.startswith("/") else "/") + quote(text, safe="/:")
    return quote(posixpath.normpath(text), safe="/")


def issue_fingerprint(issue: dict[str, Any]) -> str:
    """Return the SHA-256 that identifies ``issue`` across runs (SARIF and GitLab use it)."""
    # The line is left out on purpose: it moves when earlier records change shape.
    key = ", ".join(_json_scalar(issue.get(k)) for k in _FINGERPRINTED)
    return hashlib.sha256(f"[{key}]".encode()).hexdigest()


def issue_fingerprints(report: dict[str, Any]) -> list[str]:
    """Return :func:`issue_fingerprint` of each of the report's issues, in report order.

    A frame of issues (what a run reports: up to a million) has its keys' JSON text
    built by polars, column by column; only the SHA-256 runs per issue. A list of
    issue dicts goes one by one.
    """
    issues = report.get("issues")
    if not isinstance(issues, pl.DataFrame) or any(
        issues.schema.get(k) != (pl.Int64 if k == "row" else pl.String) for k in _FINGERPRINTED
    ):
        return [issue_fingerprint(issue) for issue in issue_rows(report)]
    parts = []
    for key in _FINGERPRINTED:
        col = pl.col(key)
        text = (
            col.cast(pl.String)
            if key == "row"
            else pl.concat_str(pl.lit('"'), json_escaped(col), pl.lit('"'))
        )
        parts.append(text.fill_null("null"))
    keys = issues.select(
        pl.concat_str(pl.lit("["), pl.concat_str(parts, separator=", "), pl.lit("]"))
    ).to_series()
    sha256 = hashlib.sha256
    return [sha256(key.encode()).hexdigest() for key in keys]


def _json_scalar(value: object) -> str:
    """Return ``json.dumps(value, ensure_ascii=False)`` for a string, int or None, fast.

    The fingerprint recipe is the JSON text of a list; building it here, without an
    encoder object per issue, makes the same text in a tenth of the time (tested).
    """
    if value is None:
        return "null"
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def issue_message(issue: dict[str, Any]) -> str:
    """Return ``issue`` as one message: where, what, the value and the fix."""
    text = str(issue.get("message") or issue["code"])
    where = issue.get("field") or issue.get("column")
    if where and str(where) not in text:
        text = f"{where}: {text}"
    if issue.get("value") is not None:
        value = str(issue["value"])
        text += f" (value {value if len(value) <= 200 else value[:197] + '...'!r})"
    if issue.get("fix"):
        text += f"; fix: {issue['fix']}"
    return text


def rule_name(code: str) -> str:
    """Return the SARIF rule ``name`` of an issue code: its words in PascalCase.

    SARIF wants a name that is not the id (code scanning shows it as the rule's title);
    ruff names its rules the same way.

    Example:
        >>> rule_name("invalid-email")
        'InvalidEmail'
    """
    return "".join(part[:1].upper() + part[1:] for part in code.split("-") if part)


def _rule(code: str, level: str) -> dict[str, Any]:
    info = CODE_INFO.get(IssueCode(code)) if code in IssueCode._value2member_map_ else None
    summary = info.summary if info else f"Issue {code}."
    why = info.why if info else ""
    fix = info.fix if info else ""
    help_text = " ".join(p for p in (summary, f"Why: {why}" if why else "", f"Fix: {fix}") if p)
    markdown = f"**{code}**: {summary}\n\n" + (f"**Why Eloqua cares:** {why}\n\n" if why else "")
    markdown += f"**How to fix:** {fix}" if fix else ""
    rule: dict[str, Any] = {
        "id": code,
        "name": rule_name(code),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary} {why}".strip()},
        "help": {"text": help_text, "markdown": markdown.strip()},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["eloqua", "data-quality"]},
    }
    if info:
        # Only the known codes have a page; an unknown one would link to a 404.
        rule["helpUri"] = code_url(code)
        rule["help"]["markdown"] += f"\n\n[Documentation]({rule['helpUri']})"
    return rule


def _location(issue: dict[str, Any], base: str | None) -> list[dict[str, Any]]:
    if not issue.get("file"):
        return []
    line = issue.get("line")
    return [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": sarif_uri(str(issue["file"]), base)},
                # SARIF lines are 1-based; a file-level issue points at the file's start.
                "region": {"startLine": line if isinstance(line, int) and line > 0 else 1},
            }
        }
    ]


def build_sarif(
    report: dict[str, Any], *, base: str | None = None, max_results: int = MAX_SARIF_RESULTS
) -> dict[str, Any]:
    """Return the SARIF 2.1.0 log of a lint report.

    Args:
        report: The report of :func:`~activity_schema.render.lint.build_report`.
        base: The folder (normally the repository root) that URIs are made relative to.
        max_results: The most results kept; the most severe are kept first, and a
            notification says how many were left out.

    Returns:
        A JSON-ready dict with one run.
    """
    issues: list[dict[str, Any]] = list(issue_rows(report))
    fingerprints: list[str | None] = [*issue_fingerprints(report)]
    issues += [_summary_issue(entry) for entry in report.get("normalizations") or []]
    fingerprints += [None] * (len(issues) - len(fingerprints))
    # Each issue's level and code, once (30,000 issues are read three times below).
    level_of = [_LEVEL.get(str(issue.get("severity")), "note") for issue in issues]
    code_of = [str(issue["code"]) for issue in issues]
    levels: dict[str, str] = {}
    for code, level in zip(code_of, level_of, strict=True):
        if code not in levels or _RANK[level] < _RANK[levels[code]]:
            levels[code] = level
    rule_index = {code: i for i, code in enumerate(levels)}

    ranked = sorted(range(len(issues)), key=lambda i: _RANK[level_of[i]])
    kept = sorted(ranked[: max(max_results, 0)])
    seen: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for i in kept:
        issue, code = issues[i], code_of[i]
        fingerprint = fingerprints[i] or issue_fingerprint(issue)
        # Identical issues (same cell twice) still need distinct fingerprints.
        seen[fingerprint] = count = seen.get(fingerprint, 0) + 1
        properties = {}
        for key in _PROPERTIES:
            value = issue.get(key)
            if value:
                properties[key] = value
        result: dict[str, Any] = {
            "ruleId": code,
            "ruleIndex": rule_index[code],
            "level": level_of[i],
            "message": {"text": issue.get("summary") or issue_message(issue)},
            "locations": _location(issue, base),
            "partialFingerprints": {FINGERPRINT_KEY: f"{fingerprint}:{count}"},
            "properties": properties,
        }
        if not result["locations"]:
            del result["locations"]
        results.append(result)

    notifications: list[dict[str, Any]] = [
        {"level": "error", "message": {"text": str(item["error"])}}
        for item in report.get("inputs") or []
        if item.get("error")
    ]
    if len(issues) > len(kept):
        notifications.append(
            {
                "level": "warning",
                "message": {
                    "text": f"{len(issues) - len(kept):,} of {len(issues):,} results left out "
                    f"(code scanning accepts {max_results:,} per run); run lint for all"
                },
            }
        )
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(n["level"] == "error" for n in notifications)
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "activity-schema",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(code, level) for code, level in levels.items()],
                    }
                },
                "invocations": [invocation],
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": {"summary": report.get("summary") or {}},
            }
        ],
    }


def _summary_issue(entry: dict[str, Any]) -> dict[str, Any]:
    """Return a ``normalizations`` entry as one issue, placed at its first example."""
    first = (entry.get("examples") or [{}])[0]
    return {
        "code": entry["code"],
        "severity": entry["severity"],
        "file": first.get("file"),
        "line": first.get("line"),
        "field": entry["field"],
        # The fingerprint's row and value: one alert per field and code, run after run.
        "row": None,
        "column": None,
        "value": None,
        "count": entry["count"],
        "summary": normalization_message(entry),
    }


def render_sarif(report: dict[str, Any], stream: IO[str], *, base: str | None = None) -> None:
    """Write the report as a SARIF 2.1.0 log (see :func:`build_sarif`), compact UTF-8.

    orjson writes the 15 MB log of the million-row benchmark in 21 ms (the standard
    library's C encoder: 132 ms).
    """
    with paused_gc():
        log = build_sarif(report, base=base)
    write_utf8(stream, orjson.dumps(log) + b"\n")
