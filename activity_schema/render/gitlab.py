"""Render a lint report as a GitLab Code Quality report (``--format gitlab``).

GitLab reads a JSON array of Code Climate issues from the ``codequality`` report of a
job and shows them in the merge request. Each issue has a ``description``, a
``check_name`` (the issue code), a ``fingerprint`` that must be unique and stable across
runs (GitLab compares the fingerprints of the two pipelines to tell new problems from
fixed ones), a ``severity`` (``info``, ``minor``, ``major``, ``critical`` or
``blocker``) and a ``location`` with the ``path`` relative to the repository root and
the first line.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO, Any

import orjson

from .lint import issue_rows, normalization_message, paused_gc, write_utf8
from .sarif import issue_fingerprints, issue_message

__all__ = ["GITLAB_SEVERITY", "build_gitlab", "gitlab_path", "render_gitlab"]

#: Our severities on GitLab's scale: an error blocks the upload of its row (major), a
#: warning is worth a look (minor), a fix or a note is information.
GITLAB_SEVERITY = {"error": "major", "warning": "minor", "fixed": "info", "info": "info"}
#: The check name of an input that could not be read at all (it is not an issue code:
#: nothing of the file was checked, so it is the worst a report can say).
UNREADABLE_CHECK = "unreadable-input"


@lru_cache(maxsize=1024)
def gitlab_path(file: str, base: str | None = None) -> str:
    """Return ``file`` as GitLab wants it: slashes, relative to ``base`` when inside it.

    Example:
        >>> gitlab_path("/repo/exports/a.csv", base="/repo")
        'exports/a.csv'
        >>> gitlab_path("exports\\\\b.csv")
        'exports/b.csv'
    """
    path = PureWindowsPath(file) if "\\" in file else PurePosixPath(file)
    text = path.as_posix()
    if base is not None and path.is_absolute():
        root = (PureWindowsPath(base) if "\\" in base else PurePosixPath(base)).as_posix()
        if text == root or text.startswith(root.rstrip("/") + "/"):
            text = os.path.relpath(text, root) if "\\" not in file else text[len(root) + 1 :]
    return text.removeprefix("./")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def build_gitlab(report: dict[str, Any], *, base: str | None = None) -> list[dict[str, Any]]:
    """Return the report's issues (and unreadable inputs) as GitLab Code Quality issues.

    The fingerprint hashes the file, code, field, column, row and value (not the line,
    which moves when an earlier record changes shape) and the occurrence, so that two
    identical issues stay two and a rerun gives the same fingerprints.
    """
    found: list[dict[str, Any]] = []
    for item in report.get("inputs") or []:
        if item.get("error"):
            path = gitlab_path(str(item.get("path") or ""), base)
            found.append(
                {
                    "description": str(item["error"]),
                    "check_name": UNREADABLE_CHECK,
                    "fingerprint": _digest(UNREADABLE_CHECK, path),
                    "severity": "blocker",
                    "location": {"path": path, "lines": {"begin": 1}},
                }
            )
    seen: dict[str, int] = {}
    for issue, key in zip(issue_rows(report), issue_fingerprints(report), strict=True):
        seen[key] = seen.get(key, 0) + 1
        found.append(
            {
                "description": issue_message(issue),
                "check_name": str(issue["code"]),
                "fingerprint": _digest(key, str(seen[key])),
                "severity": GITLAB_SEVERITY.get(str(issue.get("severity")), "info"),
                "location": {
                    "path": gitlab_path(str(issue.get("file") or ""), base),
                    "lines": {"begin": int(issue.get("line") or 1)},
                },
            }
        )
    for entry in report.get("normalizations") or []:
        first = (entry.get("examples") or [{}])[0]
        path = gitlab_path(str(first.get("file") or ""), base)
        found.append(
            {
                "description": normalization_message(entry),
                "check_name": str(entry["code"]),
                "fingerprint": _digest("normalizations", str(entry["code"]), entry["field"]),
                "severity": GITLAB_SEVERITY.get(str(entry["severity"]), "info"),
                "location": {"path": path, "lines": {"begin": int(first.get("line") or 1)}},
            }
        )
    return found


def render_gitlab(report: dict[str, Any], stream: IO[str], *, base: str | None = None) -> None:
    """Write the report as a GitLab Code Quality JSON array (see :func:`build_gitlab`)."""
    with paused_gc():
        issues = build_gitlab(report, base=base)
    write_utf8(stream, orjson.dumps(issues) + b"\n")
