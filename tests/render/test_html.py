"""The HTML report: its structure, counts, escaping and truncation, parsed as HTML.

The page is parsed with the standard library's tokenizer (``html_page``); the browser
test (``test_html_browser.py``) renders it in headless Chromium.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import Result
from html_page import BAD, Node, parse_page
from hypothesis import given
from hypothesis import strategies as st

from activity_schema.defaults import HTML_REPORT_MAX_ROWS, HTML_REPORT_MAX_VALUE_CHARS
from activity_schema.issues.codes import IssueCode, code_url
from activity_schema.issues.records import ISSUE_SCHEMA
from activity_schema.render.html import render_html
from activity_schema.render.html_assets import SCRIPT, STYLE
from activity_schema.render.lint import printable

#: Tags that would load something or run code if the page had them.
LOADING_TAGS = {"link", "img", "iframe", "object", "embed", "audio", "video", "source", "base"}


def _write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def _page(report: dict[str, Any], **kwargs: Any) -> tuple[Node, str]:
    out = io.StringIO()
    render_html(report, out, **kwargs)
    text = out.getvalue()
    root, doctype = parse_page(text)
    assert doctype == "DOCTYPE html"
    return root, text


def _issue(**changes: Any) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "code": "invalid-email",
        "severity": "error",
        "file": "a.csv",
        "row": 1,
        "line": 2,
        "field": "email",
        "column": "Email",
        "value": "x@",
        "message": "invalid email address",
        "fix": "correct the address",
    }
    issue.update(changes)
    return issue


def _report(
    *issues: dict[str, Any],
    inputs: list[dict[str, Any]] | None = None,
    **summary: int,
) -> dict[str, Any]:
    counts = Counter(i["severity"] for i in issues)
    base = {
        "rows": 10,
        "valid_rows": 10,
        "rejected_rows": 0,
        "fixed_rows": 0,
        "errors": counts["error"],
        "warnings": counts["warning"],
        "fixes": counts["fixed"],
    }
    base.update(summary)
    return {
        "version": 2,
        "inputs": inputs
        if inputs is not None
        else [{"path": "a.csv", "format": "csv", "encoding": "utf-8", "rows": 10,
               "rejected_rows": base["rejected_rows"], "error": None}],
        "summary": base,
        "issues": list(issues),
    }  # fmt: skip


def _rows(root: Node, ident: str) -> list[Node]:
    """Return the body rows of the table ``ident``."""
    return root.by_id(ident).find_all("tbody")[0].find_all("tr")


def _numbers(row: Node) -> list[int]:
    return [int(str(cell.get("data-n"))) for cell in row.find_all("td") if cell.get("data-n")]


def _by_code(root: Node) -> dict[tuple[str, str], int]:
    return {
        (str(row.get("data-code")), str(row.get("data-severity"))): _numbers(row)[0]
        for row in _rows(root, "codes-table")
    }


def _expected_by_code(report: dict[str, Any]) -> Counter[tuple[str, str]]:
    expected = Counter((i["code"], i["severity"]) for i in report["issues"])
    for item in report.get("normalizations") or []:
        expected[(item["code"], item["severity"])] += item["count"]
    return expected


# --- the command line -------------------------------------------------------------------


def test_lint_html_counts_what_the_json_report_counts(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(tmp_path, "in.csv", BAD)
    report = json.loads(cli("lint", path, "--format", "json").stdout)
    result = cli("lint", path, "--format", "html")
    assert result.exit_code == 1
    root, _ = parse_page(result.stdout)
    for key, value in report["summary"].items():
        assert root.find_all("div", data_total=key)[0].get("data-n") == str(value), key
    [row] = _rows(root, "files-table")
    summary = report["summary"]
    assert _numbers(row) == [
        summary["rows"],
        summary["valid_rows"],
        summary["rejected_rows"],
        summary["errors"],
        summary["warnings"],
    ]
    assert root.by_id("verdict").get("data-verdict") == "bad"
    assert "3 of 6 rows have errors" in root.by_id("verdict").text()
    # Every error, warning and note, in the report's order, with its file and line.
    listed = [i for i in report["issues"] if i["severity"] != "fixed"]
    rows = _rows(root, "problems-table")
    assert [(r.get("data-code"), r.find_all("td")[2].text()) for r in rows] == [
        (i["code"], f"{i['file']}:{i['line']}" if i["line"] else i["file"]) for i in listed
    ]
    assert root.by_id("problems-count").get("data-total") == str(len(listed))
    assert not root.find_all(id="problems-more")
    assert _by_code(root) == _expected_by_code(report)


def test_lint_html_shows_the_fixes_as_rewrites(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, "in.csv", BAD)
    report = json.loads(cli("lint", path, "--format", "json").stdout)
    root, _ = parse_page(cli("lint", path, "--format", "html").stdout)
    fixes = report["summary"]["fixes"]
    assert root.by_id("fixes-total").get("data-fixes") == str(fixes)
    if report.get("normalizations") is None:  # version 1: the fixes are listed per cell
        return
    blocks = {
        (b.get("data-field"), b.get("data-code")): b
        for b in root.find_all("div", **{"class": "rewrites"})
    }
    for item in report["normalizations"]:
        block = blocks[(item["field"], item["code"])]
        assert block.get("data-count") == str(item["count"])
        rewrites = block.find_all("tbody")[0].find_all("tr")
        assert len(rewrites) == len(item["rewrites"])
        for row, rewrite in zip(rewrites, item["rewrites"], strict=True):
            cells = row.find_all("td")
            assert cells[0].text() == rewrite["from"]
            assert cells[1].text() == ("(emptied)" if rewrite["to"] is None else rewrite["to"])
            assert cells[2].get("data-n") == str(rewrite["count"])


def test_html_report_file_and_text_on_stdout(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = cli("lint", _write(tmp_path, "in.csv", BAD), "--format", "html", "--report", target)
    assert result.exit_code == 1
    assert "6 rows: 3 valid, 3 rejected" in result.stdout
    assert "<html" not in result.stdout
    root, doctype = parse_page(target.read_text(encoding="utf-8"))
    assert doctype == "DOCTYPE html"
    assert root.by_id("verdict").get("data-verdict") == "bad"


def test_convert_html_report_counts_the_dropped_rows(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(tmp_path, "in.csv", BAD)
    target = tmp_path / "convert.html"
    result = cli(
        "convert", path, "-o", tmp_path / "out", "--dedupe", "--format", "html", "--report", target
    )
    assert result.exit_code == 1
    root, _ = parse_page(target.read_text(encoding="utf-8"))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    dropped = root.find_all("div", data_total="dropped_rows")[0]
    assert manifest["rows_dropped"] == 1  # the repeated row
    assert dropped.get("data-n") == str(manifest["rows_dropped"])


def test_convert_html_report_goes_to_stderr(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("convert", _write(tmp_path, "in.csv", BAD), "-o", "-", "--format", "html")
    assert json.loads(result.stdout)[0]["activityId"] == "1"  # the parts, on stdout
    start, end = result.stderr.index("<!DOCTYPE"), result.stderr.index("</html>") + 7
    root, _ = parse_page(result.stderr[start:end])
    assert root.by_id("totals")


def test_large_run_lists_the_first_rows_and_counts_the_rest(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    bad = HTML_REPORT_MAX_ROWS + 500
    lines = ["activityId,email,type"] + [f"{i},bad{i}@,Registered" for i in range(1, bad + 1)]
    _write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    result = cli("lint", "big.csv", "--format", "html")  # the current folder is tmp_path
    assert result.exit_code == 1
    root, _ = parse_page(result.stdout)
    rows = _rows(root, "problems-table")
    assert len(rows) == HTML_REPORT_MAX_ROWS
    assert rows[0].find_all("td")[2].text() == "big.csv:2"  # in report order
    assert rows[-1].find_all("td")[2].text() == f"big.csv:{HTML_REPORT_MAX_ROWS + 1}"
    more = root.by_id("problems-more")
    assert more.get("data-more") == "500"
    assert more.text().startswith("500 more not shown, see the JSON report")
    count = root.by_id("problems-count")
    assert (count.get("data-listed"), count.get("data-total")) == (
        str(HTML_REPORT_MAX_ROWS),
        str(bad),
    )
    assert _by_code(root)[("invalid-email", "error")] == bad
    assert root.find_all("div", data_total="errors")[0].get("data-n") == str(bad)


# --- escaping and self-containment ------------------------------------------------------

HOSTILE = '<script>alert("x")</script>'


def test_every_value_is_escaped() -> None:
    issue = _issue(
        file='a"<b>.csv',
        field="<i>f</i>",
        column="Col\" onmouseover=\"alert('c')",
        value=HOSTILE,
        message="<img src=x onerror=alert(1)>",
        fix="</td></tr></table><script>alert(2)</script>",
        code="<not-a-code>",
    )
    inputs = [{"path": 'a"<b>.csv', "format": "<csv>", "encoding": "<e>", "rows": 10,
               "rejected_rows": 1, "error": None}]  # fmt: skip
    root, text = _page(_report(issue, inputs=inputs, rejected_rows=1, valid_rows=9))
    assert "<script>alert" not in text and "<img src=x" not in text and "<i>f</i>" not in text
    assert [s.get("src") for s in root.find_all("script")] == [None]
    assert not root.find_all("img") and not root.find_all("i") and not root.find_all("b")
    [row] = _rows(root, "problems-table")
    # The attributes read back exactly: no quote broke out of one.
    assert row.get("data-file") == 'a"<b>.csv'
    assert row.get("data-field") == "<i>f</i>"
    assert row.get("data-code") == "<not-a-code>"
    assert set(row.attrs) == {"data-severity", "data-code", "data-field", "data-file"}
    cells = [cell.text() for cell in row.find_all("td")]
    assert cells[4] == HOSTILE
    assert cells[5] == "<img src=x onerror=alert(1)>"
    assert cells[6] == "</td></tr></table><script>alert(2)</script>"
    assert "(column Col\" onmouseover=\"alert('c'))" in cells[3]
    assert _rows(root, "files-table")[0].find_all("td")[0].text() == 'a"<b>.csv'


def test_control_characters_are_shown_not_sent() -> None:
    root, text = _page(_report(_issue(value="a\x1b[31mred\x00", file="f\x07.csv")))
    assert "\x1b" not in text and "\x00" not in text and "\x07" not in text
    [row] = _rows(root, "problems-table")
    assert row.find_all("td")[4].text() == "a\\x1b[31mred\\x00"
    assert row.get("data-file") == "f\\x07.csv"


@given(value=st.text(max_size=HTML_REPORT_MAX_VALUE_CHARS), column=st.text(max_size=30))
def test_any_value_reads_back_as_text(value: str, column: str) -> None:
    root, _ = _page(_report(_issue(value=value, column=column, field="email")))
    assert len(root.find_all("script")) == 1
    [row] = _rows(root, "problems-table")
    assert row.find_all("td")[4].text() == printable(value)
    assert len(row.find_all("td")) == 7


def test_the_page_loads_nothing(cli: Callable[..., Result], tmp_path: Path) -> None:
    path = _write(tmp_path, "in.csv", BAD)
    report = json.loads(cli("lint", path, "--format", "json").stdout)
    root, _ = parse_page(cli("lint", path, "--format", "html").stdout)
    assert not [node.tag for node in root.iter() if node.tag in LOADING_TAGS]
    codes = {i["code"] for i in report["issues"]} | {
        n["code"] for n in report.get("normalizations") or []
    }
    links = set()
    for node in root.iter():
        assert node.get("src") is None, node.tag
        assert not any(name.startswith("on") for name in node.attrs), node.attrs
        href = node.get("href")
        if href is not None and not href.startswith("#"):
            links.add(href)
    assert links == {code_url(code) for code in codes}
    [style] = root.find_all("style")
    [script] = root.find_all("script")
    assert style.text() == STYLE and script.text() == SCRIPT
    assert "url(" not in STYLE and "@import" not in STYLE
    assert not re.search(r"\b(fetch|XMLHttpRequest|import\(|WebSocket|src)\b", SCRIPT)
    # The policy allows exactly this style sheet and this script, and nothing else.
    [policy] = [
        m.get("content")
        for m in root.find_all("meta")
        if m.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy is not None and "default-src 'none'" in policy
    for source, kind in ((STYLE, "style-src"), (SCRIPT, "script-src")):
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"{kind} 'sha256-{digest}';" in policy


def test_code_links_point_at_the_code_pages() -> None:
    codes = [str(code) for code in IssueCode][:6]
    root, _ = _page(_report(*(_issue(code=code, line=i + 2) for i, code in enumerate(codes))))
    for row in _rows(root, "codes-table"):
        [link] = row.find_all("a")
        assert link.get("href") == code_url(link.text())
        assert link.get("title")  # the code's summary


# --- counts -----------------------------------------------------------------------------


def test_the_most_severe_issues_are_listed_first_in_report_order() -> None:
    severities = ["info", "warning", "error", "info", "error", "warning", "info"]
    issues = [
        _issue(severity=s, line=i + 2, code="unknown-column" if s != "error" else "invalid-email")
        for i, s in enumerate(severities)
    ]
    root, _ = _page(_report(*issues), max_rows=3)
    rows = _rows(root, "problems-table")
    assert [(r.get("data-severity"), r.find_all("td")[2].text()) for r in rows] == [
        ("warning", "a.csv:3"),
        ("error", "a.csv:4"),
        ("error", "a.csv:6"),
    ]
    assert root.by_id("problems-more").get("data-more") == "4"
    assert root.by_id("problems-count").text() == (
        "7 errors, warnings and notes, the 3 most severe listed."
    )


def test_a_frame_of_issues_is_rendered_as_a_list_would_be() -> None:
    issues = [_issue(line=i + 2, row=i + 1, value=f"v{i}") for i in range(5)]
    as_list = _page(_report(*issues))[1]
    report = _report()
    report["issues"] = pl.DataFrame(issues, schema=ISSUE_SCHEMA, orient="row")
    report["summary"]["errors"] = 5
    assert _page(report)[1] == as_list


def test_sampled_run_counts_from_issue_counts() -> None:
    # A streamed run's report lists a sample of its issues and counts them all.
    listed = [_issue(file=f, line=i + 2) for f in ("a.csv", "b.csv") for i in range(3)]
    inputs = [{"path": f, "format": "csv", "encoding": "utf-8", "rows": 5000,
               "rejected_rows": 2000, "error": None} for f in ("a.csv", "b.csv")]  # fmt: skip
    report = _report(*listed, inputs=inputs, rows=10000, valid_rows=6000, rejected_rows=4000)
    report["summary"]["errors"] = 4000
    report["issue_counts"] = [{"code": "invalid-email", "severity": "error", "count": 4000}]
    root, _ = _page(report)
    assert root.by_id("sampled")
    assert _by_code(root) == {("invalid-email", "error"): 4000}
    for row in _rows(root, "files-table"):
        cells = row.find_all("td")
        assert cells[6].text() == "\u2265 3"  # a floor: the listed ones
    assert root.by_id("problems-more").get("data-more") == str(4000 - 6)
    assert "lists a sample" in root.by_id("problems-more").text()
    bars = root.by_id("chart-codes").find_all("g")
    assert [(g.get("data-label"), g.get("data-count")) for g in bars] == [("invalid-email", "4000")]


def test_one_input_takes_its_counts_from_the_summary_even_sampled() -> None:
    report = _report(_issue(), rejected_rows=7, valid_rows=3, errors=9)
    report["issue_counts"] = [{"code": "invalid-email", "severity": "error", "count": 9}]
    root, _ = _page(report)
    assert _numbers(_rows(root, "files-table")[0])[-2:] == [9, 0]


#: The example of version 2's ``normalizations`` (one field's rewrites, a null string).
NORMALIZATIONS = [
    {"code": "normalized", "severity": "fixed", "field": "CampaignId", "count": 200001,
     "distinct": 13, "complete": True,
     "rewrites": [{"from": "1,024", "to": "1024", "count": 199990}]
     + [{"from": f"{i},000", "to": f"{i}000", "count": 1} for i in range(1, 10)],
     "examples": [{"file": "a.csv", "row": 1, "line": 2, "column": "Campaign ID",
                   "value": "1,024", "fix": "changed to '1024'"}]},
    {"code": "null-string", "severity": "fixed", "field": "type", "count": 3,
     "distinct": 1, "complete": False,
     "rewrites": [{"from": "NULL", "to": None, "count": 3}], "examples": []},
]  # fmt: skip


def test_normalizations_are_rewrites_with_counts() -> None:
    repair = _issue(code="misplaced-email", severity="fixed", field="FirstName", fix="moved")
    report = _report(_issue(), repair, fixes=200005, fixed_rows=200001)
    report["normalizations"] = NORMALIZATIONS
    root, _ = _page(report)
    by_code = _by_code(root)
    assert by_code[("normalized", "fixed")] == 200001
    assert by_code[("null-string", "fixed")] == 3
    campaign = root.find_all("div", data_field="CampaignId", data_code="normalized")[0]
    assert "200,001 cells rewritten, 13 distinct rewrites." in campaign.text()
    assert len(campaign.find_all("tbody")[0].find_all("tr")) == 10
    [more] = campaign.find_all("p", **{"class": "more"})
    assert more.get("data-more-cells") == "2"  # 200001 - 199990 - 9
    assert more.text().startswith("3 more distinct rewrites (2 cells) not shown")
    null = root.find_all("div", data_field="type", data_code="null-string")[0]
    assert "3 cells rewritten, at least 1 distinct rewrite." in null.text()
    assert null.find_all("tbody")[0].find_all("tr")[0].find_all("td")[1].text() == "(emptied)"
    # The per-cell repairs are the listed fixes only; the rewrites are not listed twice.
    assert [r.get("data-code") for r in _rows(root, "repairs-table")] == ["misplaced-email"]
    assert root.by_id("repairs-count").get("data-total") == "1"
    fields = {r.get("data-field"): _numbers(r) for r in _rows(root, "fields-table")}
    assert fields["CampaignId"] == [0, 0, 200001, 0]
    assert fields["email"] == [1, 0, 0, 0]


def test_suggested_rewrites_are_not_said_to_be_applied() -> None:
    report = _report()
    report["normalizations"] = [dict(NORMALIZATIONS[0], severity="warning")]
    root, _ = _page(report)
    block = root.find_all("div", data_code="normalized")[0]
    assert "200,001 cells to rewrite (not applied)" in block.text()
    assert _by_code(root) == {("normalized", "warning"): 200001}
    assert root.by_id("problems-count").get("data-total") == "0"  # not listed there
    assert root.by_id("problems-suggested").get("data-n") == "200001"  # but said


def test_per_file_warnings_are_a_floor_when_rewrites_are_suggested() -> None:
    inputs = [{"path": f, "format": "csv", "encoding": "utf-8", "rows": 5,
               "rejected_rows": 0, "error": None} for f in ("a.csv", "b.csv")]  # fmt: skip
    report = _report(_issue(severity="warning", code="duplicate-row"), inputs=inputs, warnings=4)
    report["normalizations"] = [dict(NORMALIZATIONS[1], severity="warning")]
    root, _ = _page(report)
    warnings = [row.find_all("td")[7].text() for row in _rows(root, "files-table")]
    assert warnings == ["\u2265 1", "\u2265 0"]
    errors = [row.find_all("td")[6].text() for row in _rows(root, "files-table")]
    assert errors == ["0", "0"]


@pytest.mark.parametrize(
    ("issues", "summary", "inputs", "verdict", "said"),
    [
        ([], {}, None, "ok", "Ready to upload: all 10 rows are valid."),
        ([_issue(severity="warning", code="duplicate-row")], {}, None, "warn", "1 warning"),
        ([_issue()], {"rejected_rows": 1, "valid_rows": 9}, None, "bad", "1 of 10 rows"),
        (
            [],
            {"rows": 0, "valid_rows": 0},
            [{"path": "gone.csv", "rows": None, "error": "gone.csv: no such file"}],
            "bad",
            "1 file could not be read",
        ),
    ],
)
def test_verdict(
    issues: list[dict[str, Any]],
    summary: dict[str, int],
    inputs: list[dict[str, Any]] | None,
    verdict: str,
    said: str,
) -> None:
    root, _ = _page(_report(*issues, inputs=inputs, **summary))
    assert root.by_id("verdict").get("data-verdict") == verdict
    assert said in root.by_id("verdict").text()
    if inputs:
        [row] = _rows(root, "files-table")
        assert "Could not be read: gone.csv: no such file" in row.text()


def test_a_clean_report_says_so() -> None:
    root, _ = _page(_report())
    assert root.by_id("chart-codes").text() == "No issues."
    assert root.by_id("problems-count").text() == "No errors, warnings and notes."
    assert not root.find_all(id="problems-table")


def test_charts_draw_every_code_and_field_to_scale() -> None:
    issues = [_issue(line=i + 2) for i in range(4)] + [
        _issue(code="too-long", severity="warning", field="AssetName", line=9)
    ]
    root, _ = _page(_report(*issues))
    bars = root.by_id("chart-codes").find_all("g")
    assert [(g.get("data-label"), g.get("data-count")) for g in bars] == [
        ("invalid-email", "4"),
        ("too-long", "1"),
    ]
    widths = [float(str(g.find_all("rect")[0].get("width"))) for g in bars]
    assert widths[0] == pytest.approx(4 * widths[1])
    fields = root.by_id("chart-fields").find_all("g")
    assert [(g.get("data-label"), g.get("data-count")) for g in fields] == [
        ("email", "4"),
        ("AssetName", "1"),
    ]


def test_a_long_value_is_cut() -> None:
    root, text = _page(_report(_issue(value="x" * 10_000)))
    cell = _rows(root, "problems-table")[0].find_all("td")[4]
    assert cell.find_all("code")[0].text() == "x" * (HTML_REPORT_MAX_VALUE_CHARS - 1) + "\u2026"
    assert "(10,000 characters)" in cell.text()
    assert "x" * HTML_REPORT_MAX_VALUE_CHARS not in text
