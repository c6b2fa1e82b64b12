"""Render a lint report as JUnit XML, the test-report format most CI systems display.

One ``testsuite`` per input file and one ``testcase`` per issue code in it: every known
code is a test case, so a clean file shows as all passed. A code with errors or warnings
in that file is a ``failure`` listing the first examples; ``fixed`` and ``info`` issues
pass and are listed in ``system-out``, with the report's ``normalizations`` (each listed
in the suites of the files of its examples; a ``--no-fix`` run's suggested rewrites are
warnings, so they fail). An unreadable input is a test case with an ``error``.
Characters XML 1.0 cannot hold (NUL, most control characters) are written as ``\\xNN``
so that the document is always well-formed.

Example:
    >>> import io
    >>> report = {"inputs": [{"path": "in.csv", "error": None}], "summary": {},
    ...     "issues": []}
    >>> out = io.StringIO(); render_junit(report, out)
    >>> 'failures="0"' in out.getvalue()
    True
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import IO, Any

from ..issues.codes import CODE_INFO, IssueCode
from .lint import issue_rows, normalization_message

__all__ = ["MAX_LISTED", "build_junit", "render_junit"]

_FAILING = ("error", "warning")
#: The most issues listed in one test case's failure text or output.
MAX_LISTED = 100

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except the
# surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: object) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def _line(issue: dict[str, Any]) -> str:
    where = str(issue.get("file") or "")
    if issue.get("line") is not None:
        where += f":{issue['line']}"
    parts = [where]
    if issue.get("field") or issue.get("column"):
        parts.append(str(issue.get("field") or issue.get("column")))
    if issue.get("value") is not None:
        parts.append(repr(issue["value"]))
    text = " ".join(parts) + f": {issue.get('message')}"
    if issue.get("fix"):
        text += f" -> {issue['fix']}"
    return text


def _listing(issues: list[dict[str, Any]], max_listed: int) -> str:
    lines = [_line(i) for i in issues[:max_listed]]
    if len(issues) > max_listed:
        lines.append(f"... and {len(issues) - max_listed:,} more")
    return "\n".join(lines)


def _set(element: ET.Element, **attributes: object) -> None:
    for key, value in attributes.items():
        element.set(key, _xml_text(value))


def build_junit(report: dict[str, Any], *, max_listed: int = MAX_LISTED) -> ET.Element:
    """Return the ``testsuites`` element of a lint report.

    Args:
        report: The report of :func:`~activity_schema.render.lint.build_report`.
        max_listed: The most issues listed per test case.

    Returns:
        The root element; serialize it with :func:`render_junit`.
    """
    issues: list[dict[str, Any]] = list(issue_rows(report))
    files = [str(item.get("path")) for item in report.get("inputs") or []]
    by_file: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for issue in issues:
        name = str(issue.get("file") or "")
        by_file.setdefault(name, {}).setdefault(str(issue["code"]), []).append(issue)
    errors_by_file = {
        str(item.get("path")): str(item["error"])
        for item in report.get("inputs") or []
        if item.get("error")
    }
    known = [str(code) for code in IssueCode]
    # Summarised rewrites, by the files their examples come from.
    summarised: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for entry in report.get("normalizations") or []:
        for file in dict.fromkeys(str(e.get("file") or "") for e in entry.get("examples") or []):
            summarised.setdefault(file, {}).setdefault(str(entry["code"]), []).append(entry)

    root = ET.Element("testsuites")
    _set(root, name="activity-schema")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for name in dict.fromkeys([*files, *by_file]):
        suite = ET.SubElement(root, "testsuite")
        counts = {"tests": 0, "failures": 0, "errors": 0}
        if name in errors_by_file:
            case = ET.SubElement(suite, "testcase")
            _set(case, classname=name, name="read")
            error = ET.SubElement(case, "error")
            _set(error, message=errors_by_file[name], type="unreadable-input")
            error.text = _xml_text(errors_by_file[name])
            counts["tests"] += 1
            counts["errors"] += 1
        else:
            codes = by_file.get(name, {})
            for code in [*known, *(c for c in codes if c not in known)]:
                found = codes.get(code, [])
                entries = summarised.get(name, {}).get(code, [])
                case = ET.SubElement(suite, "testcase")
                _set(case, classname=name, name=code)
                counts["tests"] += 1
                bad = [i for i in found if i.get("severity") in _FAILING]
                others = [i for i in found if i.get("severity") not in _FAILING]
                summary_lines = [normalization_message(e) for e in entries]
                if not bad and any(e["severity"] in _FAILING for e in entries):
                    failure = ET.SubElement(case, "failure")
                    _set(failure, message=f"{code}: suggested rewrites", type="warning")
                    failure.text = _xml_text("\n".join(summary_lines))
                    counts["failures"] += 1
                elif summary_lines:
                    out = ET.SubElement(case, "system-out")
                    out.text = _xml_text("\n".join(summary_lines))
                if bad:
                    n_errors = sum(1 for i in bad if i.get("severity") == "error")
                    summary = (
                        CODE_INFO[IssueCode(code)].summary if code in known else f"issue {code}"
                    )
                    failure = ET.SubElement(case, "failure")
                    _set(
                        failure,
                        message=f"{len(bad):,} x {code} ({n_errors:,} errors, "
                        f"{len(bad) - n_errors:,} warnings): {summary}",
                        type="error" if n_errors else "warning",
                    )
                    failure.text = _xml_text(_listing(bad, max_listed))
                    counts["failures"] += 1
                if others:
                    listed = case.find("system-out")
                    out = listed if listed is not None else ET.SubElement(case, "system-out")
                    out.text = "\n".join(
                        t for t in (out.text, _xml_text(_listing(others, max_listed))) if t
                    )
        _set(suite, name=name, tests=counts["tests"], failures=counts["failures"])
        _set(suite, errors=counts["errors"], skipped=0)
        for key in totals:
            totals[key] += counts[key]
    _set(root, **totals)
    return root


def render_junit(report: dict[str, Any], stream: IO[str], *, max_listed: int = MAX_LISTED) -> None:
    """Write the report as a JUnit XML document (see :func:`build_junit`)."""
    root = build_junit(report, max_listed=max_listed)
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
