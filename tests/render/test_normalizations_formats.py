"""Report version 2's summarised normalizations in every CI format, and stable fingerprints.

A mechanical rewrite is one result per field and code (SARIF, GitLab) or one line in its
file's test case (JUnit), placed at its first example; with ``--no-fix`` the rewrites are
only suggested, so they are warnings and JUnit fails the case.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import polars as pl
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from activity_schema.issues.records import ISSUE_SCHEMA
from activity_schema.render.sarif import issue_fingerprint, issue_fingerprints

MESSY = (
    "activityId,email,type,CampaignId\n"
    '1,A@EXAMPLE.COM,Registered,"1,024"\n'
    '2,b@example.com,Registered,"1,024"\n'
    "3,c@example.com,Registered,7\n"
)


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(MESSY, encoding="utf-8")
    return path


def test_sarif_has_one_result_per_summarised_field(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(tmp_path)
    log = json.loads(cli("lint", path, "--format", "sarif").stdout)
    results = [r for r in log["runs"][0]["results"] if r["ruleId"] == "normalized"]
    by_field = {r["properties"]["field"]: r for r in results}
    assert set(by_field) == {"email", "CampaignId"}
    campaign = by_field["CampaignId"]
    assert campaign["level"] == "note"
    assert campaign["message"]["text"] == (
        "CampaignId: 2 cells normalized in all inputs: '1,024' -> '1024' x2"
    )
    assert campaign["properties"]["count"] == 2
    region = campaign["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 2  # the first example
    again = json.loads(cli("lint", path, "--format", "sarif").stdout)
    assert [r["partialFingerprints"] for r in again["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in log["runs"][0]["results"]
    ]


def test_gitlab_has_one_entry_per_summarised_field(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(tmp_path)
    found = json.loads(cli("lint", path, "--format", "gitlab").stdout)
    entries = [e for e in found if e["check_name"] == "normalized"]
    assert len(entries) == 2
    assert {e["severity"] for e in entries} == {"info"}
    assert len({e["fingerprint"] for e in found}) == len(found)
    suggested = json.loads(cli("lint", path, "--format", "gitlab", "--no-fix").stdout)
    assert {e["severity"] for e in suggested if e["check_name"] == "normalized"} == {"minor"}


def test_junit_lists_rewrites_and_fails_suggested_ones(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = _write(tmp_path)

    def case(*extra: str) -> ET.Element:
        root = ET.fromstring(cli("lint", path, "--format", "junit", *extra).stdout)
        (found,) = [c for c in root.iter("testcase") if c.get("name") == "normalized"]
        return found

    fixed = case()
    assert fixed.find("failure") is None
    out = fixed.find("system-out")
    assert out is not None and "'1,024' -> '1024' x2" in (out.text or "")
    suggested = case("--no-fix")
    failure = suggested.find("failure")
    assert failure is not None and failure.get("type") == "warning"
    assert "CampaignId: 2 cells normalized" in (failure.text or "")


_SCALAR = st.one_of(st.none(), st.text(), st.integers(min_value=-(2**63), max_value=2**63))


@given(st.fixed_dictionaries(dict.fromkeys(("file", "field", "column", "value"), _SCALAR)), _SCALAR)
def test_fingerprint_recipe_is_the_json_text_of_the_key(
    fields: dict[str, object], row: object
) -> None:
    # Code scanning tracks alerts by this hash: its recipe must never drift.
    import hashlib

    issue = {**fields, "code": "invalid-email", "row": row}
    key = [issue[k] for k in ("file", "code", "field", "column", "row", "value")]
    expected = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()
    assert issue_fingerprint(issue) == expected


_CELL = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=["Cs"])),
    st.sampled_from(['say "hi"', "a\\b", "tab\there", "\x00\x1f\x7f", "\u2028é€😀", ""]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "file": _CELL,
                "code": st.sampled_from(["invalid-email", "ragged-row"]),
                "field": _CELL,
                "column": _CELL,
                "row": st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1)),
                "value": _CELL,
            }
        ),
        max_size=20,
    )
)
def test_fingerprints_of_a_frame_are_those_of_each_issue(issues: list[dict[str, object]]) -> None:
    # SARIF and GitLab build a run's keys with polars; each must hash as the recipe says.
    frame = pl.DataFrame(issues, schema=ISSUE_SCHEMA)
    expected = [issue_fingerprint(issue) for issue in frame.iter_rows(named=True)]
    assert issue_fingerprints({"issues": frame}) == expected
    assert issue_fingerprints({"issues": issues}) == [issue_fingerprint(i) for i in issues]
