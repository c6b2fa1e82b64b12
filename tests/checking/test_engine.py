"""The per-input engine: normalization, content coercion and checks, one table per rule.

Each case is one record of the built-in schema (``activityId``, ``email``, ``type`` plus
optional fields) with one value changed; it lists every issue expected on it, so an
extra finding fails as surely as a missing one.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity_schema.checking.engine import check_table
from activity_schema.jobs.whole import prepare, resolve_schema, table_from_records
from activity_schema.schema.config import Settings

BASE = {"activityId": "1", "email": "a@example.com", "type": "Registered"}

Expected = set[tuple[str, str, str | None]]


def _run(record: dict[str, str], **settings: Any) -> tuple[Expected, dict[str, Any] | None, str]:
    """Lint one record; return its issues, its clean values (None if rejected), the messages."""
    # Two clean neighbours (row 1 and 2) keep column-wide decisions (swapped columns, date
    # order) out of the way, and must stay free of issues themselves.
    neighbours = [
        {"activityId": "101", "email": "n1@example.com", "type": "Registered"},
        {"activityId": "102", "email": "n2@example.com", "type": "Attended"},
    ]
    result = prepare([*neighbours, {**BASE, **record}], settings=Settings(**settings))
    found = list(result.issues.iter_rows(named=True))
    assert all(i["row"] in (3, None) for i in found), found
    issues = {(i["code"], i["severity"], i["field"]) for i in found}
    clean = result.clean.filter(pl.col("_row") == 3)
    values = clean.row(0, named=True) if clean.height else None
    text = " | ".join(f"{i['message']} {i['fix']}" for i in found)
    return issues, values, text


# --- normalizers: (field, input, output) and one fix ------------------------------------

NORMALIZED = [
    ("email", " a@example.com ", "a@example.com"),
    ("email", "A.Lee@EXAMPLE.COM", "A.Lee@example.com"),
    ("email", "mailto:a@example.com", "a@example.com"),
    ("email", "MAILTO:a@example.com", "a@example.com"),
    ("email", '"Ann Lee" <a@example.com>', "a@example.com"),
    ("email", "Ann Lee <a@Example.com>", "a@example.com"),
    ("email", "<a@example.com>", "a@example.com"),
    ("email", "a\u00a0@example.com", "a@example.com"),
    ("email", "a\u200b@example.com", "a@example.com"),
    ("email", "a@example.com;", "a@example.com"),
    ("FirstName", "Mary   Ann", "Mary Ann"),
    ("FirstName", "Mary\u00a0Ann", "Mary Ann"),
    ("FirstName", "  Ann\t", "Ann"),
    ("FirstName", "Cafe\u0301", "Café"),
    ("FirstName", "An\u200bn", "Ann"),
    ("FirstName", "Ann\x07", "Ann"),
    ("AssetName", "Q4  Launch ", "Q4  Launch"),  # text keeps inner spacing; names do not
    ("activityId", " 1,000 ", "1000"),
    ("activityId", "1000.0", "1000"),
    ("activityId", "1 000", "1000"),
    ("activityId", "+0012", "12"),
    ("CampaignId", "1,234,567", "1234567"),
    ("ActivityDate", "2024-10-13T14:05:00", "2024-10-13 14:05:00"),
    ("ActivityDate", "2024-10-13T14:05", "2024-10-13 14:05:00"),
    ("ActivityDate", "2024-10-13T18:05:00Z", "2024-10-13 14:05:00"),
    ("ActivityDate", "2024-10-13T20:05:00+02:00", "2024-10-13 14:05:00"),
    ("ActivityDate", "2024-10-13T14:05:00.123456", "2024-10-13 14:05:00"),
    ("ActivityDate", "2024-10-13", "2024-10-13 00:00:00"),
    ("ActivityDate", "2024/10/13 14:05", "2024-10-13 14:05:00"),
    ("ActivityDate", "10/13/2024", "2024-10-13 00:00:00"),
    ("ActivityDate", "10/13/2024 2:05 PM", "2024-10-13 14:05:00"),
    ("ActivityDate", "10/13/2024 02:05:09 pm", "2024-10-13 14:05:09"),
    ("ActivityDate", "10/13/2024 12:00 AM", "2024-10-13 00:00:00"),
    ("ActivityDate", "45578", "2024-10-13 00:00:00"),
    ("ActivityDate", "45578.5", "2024-10-13 12:00:00"),
]


@pytest.mark.parametrize(("field", "value", "expected"), NORMALIZED)
def test_normalized(field: str, value: str, expected: str) -> None:
    issues, values, text = _run({field: value})
    assert issues == {("normalized", "fixed", field)}
    assert values is not None and values[field] == expected
    assert f"changed to '{expected}'" in text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "a@example.com"),
        ("FirstName", "Zoë Ñandú"),
        ("FirstName", "李"),
        ("FirstName", "Ann 😀"),
        ("LastName", "O'Brien-Smith"),
        ("AssetName", 'Q4 Launch: Part 2, "live"'),
        ("activityId", "0"),
        ("activityId", "9223372036854775807"),
        ("ActivityDate", "2024-10-13 14:05:00"),
        ("ActivityDate", "2024-02-29 00:00:00"),
        ("AssetName", ""),
        ("FirstName", ""),
    ],
)
def test_already_clean_values_report_nothing(field: str, value: str) -> None:
    issues, values, _ = _run({field: value})
    assert issues == set()
    assert values is not None and values[field] == (value or None)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("LastName", "CafÃ©", "Café"),
        ("LastName", "MÃ¼ller", "Müller"),
        ("AssetName", "RÃ©sumÃ© workshop", "Résumé workshop"),
        ("LastName", "Ã…berg", "Åberg"),
    ],
)
def test_mojibake_repaired(field: str, value: str, expected: str) -> None:
    issues, values, text = _run({field: value})
    assert issues == {("mojibake", "fixed", field)}
    assert values is not None and values[field] == expected
    assert f"changed to '{expected}'" in text


@pytest.mark.parametrize("value", ["null", "NULL", "None", "N/A", "#N/A", " null "])
def test_null_strings_emptied(value: str) -> None:
    issues, values, _ = _run({"LastName": value})
    assert issues == {("null-string", "fixed", "LastName")}
    assert values is not None and values["LastName"] is None


def test_null_string_in_a_required_field_is_also_missing() -> None:
    issues, values, _ = _run({"type": "NULL"})
    assert issues == {("null-string", "fixed", "type"), ("missing-value", "error", "type")}
    assert values is None


def test_invisible_only_value_is_emptied() -> None:
    issues, values, text = _run({"FirstName": "\u200b\u00a0 "})
    assert issues == {("normalized", "fixed", "FirstName")}
    assert values is not None and values["FirstName"] is None
    assert "emptied" in text


# --- checks: (field, input, code, a fragment of the message) -----------------------------

ERRORS = [
    ("email", "ann", "invalid-email", "no @"),
    ("email", "a@b", "invalid-email", "no dot in the domain"),
    ("email", "a..b@example.com", "invalid-email", "consecutive dots"),
    ("email", "a@@example.com", "invalid-email", "more than one @"),
    ("email", "a@b@example.com", "invalid-email", "more than one @"),
    ("email", "@example.com", "invalid-email", "empty local part"),
    ("email", "a@", "invalid-email", "empty domain"),
    ("email", ".a@example.com", "invalid-email", "starts or ends with a dot"),
    ("email", "a@-example.com", "invalid-email", "hyphen"),
    ("email", "a@example.c", "invalid-email", "at least 2 letters"),
    ("email", "a@example.123", "invalid-email", "numeric top-level domain"),
    ("email", "a@exämple.com", "invalid-email", "punycode"),
    ("email", "a(b)@example.com", "invalid-email", "invalid characters before the @"),
    ("email", "a" * 95 + "@example.com", "invalid-email", "longer than 100 characters"),
    ("activityId", "12abc", "invalid-integer", "not an integer"),
    ("activityId", "1e5", "invalid-integer", "scientific notation"),
    ("activityId", "12.5", "invalid-integer", "fractional part"),
    ("activityId", "1.000", "invalid-integer", "fractional part"),  # German 1000, or 1?
    ("activityId", "$100", "invalid-integer", "not an integer"),
    ("activityId", "-5", "invalid-integer", "negative"),
    ("activityId", "12345678901234567890", "invalid-integer", "more than 19 digits"),
    ("CampaignId", "1,00", "invalid-integer", "not an integer"),
    ("ActivityDate", "2024-02-30", "invalid-date", "no such date"),
    ("ActivityDate", "2023-02-29 10:00:00", "invalid-date", ""),
    ("ActivityDate", "yesterday", "invalid-date", ""),
    ("ActivityDate", "2024-10-13 25:00", "invalid-date", ""),
    ("ActivityDate", "10/13/2024 13:00 PM", "invalid-date", ""),
    ("ActivityDate", "2024-10/13", "invalid-date", ""),
    ("ActivityDate", "60", "invalid-date", ""),  # Excel's fictitious 1900-02-29
    ("type", "x" * 101, "too-long", "longer than 100 characters"),
    ("FirstName", "x" * 101, "too-long", "at most 100 characters"),
    ("type", "", "missing-value", "required field is empty"),
    ("type", "   ", "missing-value", "required field is empty"),
    ("email", "", "missing-value", "required field is empty"),
    ("activityId", "", "missing-value", "required field is empty"),
]


@pytest.mark.parametrize(("field", "value", "code", "fragment"), ERRORS)
def test_error(field: str, value: str, code: str, fragment: str) -> None:
    issues, values, text = _run({field: value})
    # Normalization may note a change on the way (trimming), but only one error.
    assert {i for i in issues if i[1] == "error"} == {(code, "error", field)}
    assert {i[0] for i in issues} <= {code, "normalized"}
    assert values is None  # the row is rejected
    assert fragment in text


def test_errors_in_every_column_are_all_reported() -> None:
    record = {
        "activityId": "x1",
        "email": "nope",
        "type": "",
        "CampaignId": "1.5",
        "ActivityDate": "never",
        "AssetName": "y" * 101,
    }
    issues, _, _ = _run(record)
    assert issues == {
        ("invalid-integer", "error", "activityId"),
        ("invalid-email", "error", "email"),
        ("missing-value", "error", "type"),
        ("invalid-integer", "error", "CampaignId"),
        ("invalid-date", "error", "ActivityDate"),
        ("too-long", "error", "AssetName"),
    }


def test_max_length_is_exact() -> None:
    issues, values, _ = _run({"FirstName": "x" * 100, "email": "a" * 88 + "@example.com"})
    assert issues == set()
    assert values is not None


# --- content coercion: (record, issues, clean values) --------------------------------------

COERCION = [
    (
        {"email": "", "FirstName": "ann@example.com"},
        {("misplaced-email", "fixed", "FirstName")},
        {"email": "ann@example.com", "FirstName": None},
    ),
    (
        {"email": "", "LastName": " Ann@EXAMPLE.com "},
        {("misplaced-email", "fixed", "LastName"), ("normalized", "fixed", "LastName")},
        {"email": "Ann@example.com", "LastName": None},
    ),
    (
        {"email": "", "FirstName": "mailto:ann@example.com"},
        {("misplaced-email", "fixed", "FirstName")},
        {"email": "ann@example.com", "FirstName": None},
    ),
    (
        {"email": "b@example.com", "FirstName": "ann@example.com"},
        {("misplaced-email", "warning", "FirstName")},
        {"email": "b@example.com", "FirstName": "ann@example.com"},
    ),
    (
        {"email": "Ann", "FirstName": "ann@example.com"},
        {("swapped-values", "fixed", "FirstName")},
        {"email": "ann@example.com", "FirstName": "Ann"},
    ),
    (
        {"email": "Mary  Ann", "FirstName": "mary@example.com"},
        {("swapped-values", "fixed", "FirstName")},
        {"email": "mary@example.com", "FirstName": "Mary Ann"},
    ),
    (
        {"email": "", "FirstName": "Ann (ann@example.com)"},
        {("missing-value", "error", "email")},
        None,
    ),
    (
        {"email": "", "AssetName": "ann@example.com"},
        {("misplaced-email", "fixed", "AssetName")},
        {"email": "ann@example.com", "AssetName": None},
    ),
]


@pytest.mark.parametrize(("record", "expected", "values"), COERCION)
def test_content_coercion(
    record: dict[str, str], expected: Expected, values: dict[str, str | None] | None
) -> None:
    issues, clean, _ = _run(record)
    assert issues == expected
    if values is None:
        assert clean is None
    else:
        assert clean is not None
        assert {k: clean[k] for k in values} == values


def test_allowed_values_field_is_never_a_coercion_target() -> None:
    spec, _, _ = resolve_schema()
    spec = spec.replace_field(spec.field("AssetName").with_rules(allowed=("Launch",)))
    result = prepare([{**BASE, "email": "", "AssetName": "ann@example.com"}], spec=spec)
    codes = set(result.issues.get_column("code"))
    assert codes == {"missing-value", "not-allowed"}


def test_swapped_columns_keep_name_spacing_and_report_no_phantom_fixes() -> None:
    rows = [
        {**BASE, "email": "Ann  Lee", "FirstName": "ann@example.com"},
        {**BASE, "email": "Bob Stone", "FirstName": "Bob@EXAMPLE.com"},
        {**BASE, "email": "Cy Young", "FirstName": "cy@example.com", "activityId": "3"},
    ]
    result = prepare(rows)
    assert [(i["code"], i["row"]) for i in result.issues.iter_rows(named=True)] == [
        ("swapped-columns", None)
    ]
    assert result.clean.get_column("FirstName").to_list() == ["Ann Lee", "Bob Stone", "Cy Young"]
    assert result.clean.get_column("email").to_list() == [
        "ann@example.com",
        "Bob@example.com",  # the local part keeps its case
        "cy@example.com",
    ]


def test_duplicate_rows_are_warned_after_normalization() -> None:
    rows = [BASE, {**BASE, "email": " a@EXAMPLE.com"}, BASE, {**BASE, "activityId": "2"}]
    result = prepare(rows)
    found = [
        (i["code"], i["row"], i["message"])
        for i in result.issues.iter_rows(named=True)
        if i["code"] == "duplicate-row"
    ]
    assert found == [
        ("duplicate-row", 2, "same values as row 1"),
        ("duplicate-row", 3, "same values as row 1"),
    ]
    assert result.summary.valid_rows == 4


# --- activity types and allowed values ------------------------------------------------------

TYPES = {"Webinar": ("Registered", "Attended"), "Trade Show": ("Visited",)}


@pytest.mark.parametrize(
    ("asset_type", "activity_type", "expected"),
    [
        ("Webinar", "Registered", set()),
        ("Webinar", "Attended", set()),
        ("Trade Show", "Visited", set()),
        ("Webinar", "Visited", {("not-allowed", "error", "type")}),
        ("Trade Show", "Registered", {("not-allowed", "error", "type")}),
        ("Podcast", "Registered", {("not-allowed", "error", "AssetType")}),
        ("webinar", "Registered", {("not-allowed", "error", "AssetType")}),  # exact
        ("", "Registered", set()),  # no asset type: nothing to check it against
    ],
)
def test_activity_types_per_asset_type(
    asset_type: str, activity_type: str, expected: Expected
) -> None:
    issues, _, _ = _run({"AssetType": asset_type, "type": activity_type}, activity_types=TYPES)
    assert issues == expected


# --- the engine itself ---------------------------------------------------------------------


def test_rows_and_lines_come_from_the_source() -> None:
    data = (
        b"activityId,email,type,AssetName\n"
        b"1,a@example.com,R,x\n"
        b'2,b@example,R,"multi\nline"\n'
        b"\n"
        b"3,c@example.com,,y\n"
    )
    result = prepare(data)
    found = [
        (i["code"], i["row"], i["line"])
        for i in result.issues.iter_rows(named=True)
        if i["row"] is not None
    ]
    assert found == [("invalid-email", 2, 3), ("missing-value", 3, 6)]


def test_multi_chunk_dates_do_not_crash() -> None:
    # polars 2.1 panics in pl.format on a filtered frame whose first chunk is empty;
    # parse_dates hands back multi-chunk series.
    dates = ["x"] * 5 + ["2024-10-13T18:05:00Z", "03/04/2024"]
    result = prepare(
        [{**BASE, "activityId": str(n), "ActivityDate": d} for n, d in enumerate(dates, 1)]
    )
    codes = [(i["code"], i["row"]) for i in result.issues.iter_rows(named=True)]
    assert ("normalized", 6) in codes and ("ambiguous-date", 7) in codes


def test_multi_chunk_input_frame() -> None:
    part = pl.DataFrame({"activityId": ["1"], "email": ["a@example.com"], "type": ["R"]})
    bad = pl.DataFrame({"activityId": ["2"], "email": ["nope"], "type": ["R"]})
    frame = pl.concat([part, part, bad], rechunk=False)
    spec, schema, settings_ = resolve_schema()
    checked = check_table(table_from_records(frame, name="f"), spec, schema, settings_)
    assert checked.rejected.get_column("_row").to_list() == [3]


def test_empty_strings_are_empty_not_normalized() -> None:
    issues, values, _ = _run({"FirstName": "", "AssetName": "", "CampaignId": ""})
    assert issues == set()
    assert values is not None and values["FirstName"] is None


def test_date_order_setting_overrides_detection() -> None:
    issues, values, _ = _run({"ActivityDate": "01/02/2024"}, date_order="dmy")
    assert issues == {("normalized", "fixed", "ActivityDate")}
    assert values is not None and values["ActivityDate"] == "2024-02-01 00:00:00"


def test_timezone_setting_converts_offsets() -> None:
    _, values, _ = _run({"ActivityDate": "2024-10-13T18:05:00Z"}, timezone="UTC")
    assert values is not None and values["ActivityDate"] == "2024-10-13 18:05:00"


# --- no input makes it crash -----------------------------------------------------------------

_fragment = st.one_of(
    st.characters(blacklist_categories=("Cs",)),
    st.sampled_from(
        [
            '"',
            ",",
            "\n",
            "\r\n",
            ";",
            "\t",
            "😀",
            "\u05e9\u05dc\u05d5\u05dd",
            "e\u0301",
            "\u00a0",
            "\u200b",
            "@",
            "Ã©",
            "null",
            "a@b.co",
            "13/10/2024",
        ]
    ),
)
_cell = st.lists(_fragment, max_size=6).map("".join)


@st.composite
def _tables(draw: st.DrawFn) -> list[list[str]]:
    extra = draw(st.lists(_cell, max_size=3))
    header = ["activityId", "email", "type", "FirstName", "ActivityDate", *extra]
    rows = draw(
        st.lists(
            st.lists(_cell, min_size=len(header), max_size=len(header)), min_size=1, max_size=6
        )
    )
    return [header, *rows]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables())
def test_prepare_never_raises_and_counts_add_up(table: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    data = buffer.getvalue().encode("utf-8")
    if not any(cell.strip() for row in table[1:] for cell in row):
        return  # a header and blank lines only is an unreadable input, tested elsewhere
    result = prepare(data)
    summary = result.summary
    assert summary.rows == summary.valid_rows + summary.rejected_rows
    assert summary.rows == result.clean.height + result.rejects.height
    issues = result.issues
    errors = issues.filter(pl.col("severity") == "error")
    file_error = errors.filter(pl.col("row").is_null()).height > 0
    rows_with_errors = set(errors.get_column("row").drop_nulls().to_list())
    for row in result.rejects.get_column("_row").to_list():
        assert file_error or row in rows_with_errors
    assert rows_with_errors <= set(result.rejects.get_column("_row").to_list())


def test_sniffed_csv_with_semicolons_and_a_quoted_cr() -> None:
    data = b'activityId,email,type\r\n1,a@example.com,;\r\n2,"b@example.com\r",";\n;"\r\n'
    assert prepare(data).summary.rows == 2


def test_an_invalid_cell_is_reported_as_the_input_has_it_and_not_as_normalized() -> None:
    # The email normalizer strips junk around an address; when what is left is still
    # invalid, the error shows the file's value and no normalization is claimed.
    prepared = prepare(
        [
            {"activityId": "1", "email": "<b>bold</b>@@example", "type": "Registered"},
            {"activityId": "2", "email": " <ann@EXAMPLE.com> ", "type": "Registered"},
        ]
    )
    issues = prepared.issues.filter(pl.col("field") == "email")
    assert sorted(issues.select("row", "code", "value").rows()) == [
        (1, "invalid-email", "<b>bold</b>@@example"),
        (2, "normalized", " <ann@EXAMPLE.com> "),
    ]
    assert prepared.summary.fixes == 1


def test_staging_apart_checks_to_the_same_result(tmp_path: Path) -> None:
    # A batched run stages its next batch (mapping, per-value cleaning) on its reader's
    # thread and checks it on the main one: the result is check_table's, field by field.
    from activity_schema.checking.decisions import ColumnDecisions
    from activity_schema.checking.engine import check_staged, stage_table
    from activity_schema.readers import read_path

    path = tmp_path / "in.csv"
    path.write_text(
        "E-mail Address,First Name,activityId,type,ActivityDate\n"
        " Zoë@Example.COM ,JosÃ©,1,Registered,13/10/2024\n"
        "bob@example.com,null,1,Attended,10/13/2024\n"
        "Ann Lee,ann@example.com,x,Registered,2024-10-13\n",
        encoding="utf-8",
    )
    spec, schema, run = resolve_schema()
    table = read_path(path)
    for decisions in (None, ColumnDecisions()):
        whole = check_table(table, spec, schema, run, decisions, duplicates=False)
        staged = stage_table(table, spec, run)
        apart = check_staged(staged, schema, run, decisions, duplicates=False)
        assert apart.values.equals(whole.values)
        assert apart.listed.equals(whole.listed)
        assert apart.rejected.equals(whole.rejected)
        assert apart.rewrites.counts() == whole.rewrites.counts()
        assert apart.decisions == whole.decisions
        assert len(staged.derived) == 5  # one frame per mapped field
