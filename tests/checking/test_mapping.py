"""Tests for activity_schema.checking.mapping: headers onto fields, and every decision reported."""

from __future__ import annotations

import pytest

from activity_schema.checking.mapping import HeaderMapping, map_headers
from activity_schema.issues.codes import IssueCode, Severity
from activity_schema.readers.table import unique_names
from activity_schema.schema.fields import DEFAULT_SCHEMA, FieldSpec, Kind, SchemaSpec, header_key

REQUIRED = ["activityId", "email", "type"]


def mapping(*headers: str, aliases: dict[str, str] | None = None) -> HeaderMapping:
    names = list(headers)
    return map_headers(names, unique_names(names), DEFAULT_SCHEMA, file="in.csv", aliases=aliases)


def codes(m: HeaderMapping, header: str) -> list[str]:
    return [str(i.code) for i in m.issues if i.column == header]


@pytest.mark.parametrize(
    ("header", "field", "how", "renamed"),
    [
        # exact: silent
        ("email", "email", "exact", False),
        ("activityId", "activityId", "exact", False),
        ("type", "type", "exact", False),
        ("FirstName", "FirstName", "exact", False),
        # the same name spelled differently: accepted, never silently
        ("EMAIL", "email", "loose", True),
        ("Email", "email", "loose", True),
        (" email ", "email", "loose", True),
        ("E-mail", "email", "loose", True),
        ("first_name", "FirstName", "loose", True),
        ("First Name", "FirstName", "loose", True),
        ("FIRST-NAME", "FirstName", "loose", True),
        ("Campaign ID", "CampaignId", "loose", True),
        ("activity_id", "activityId", "loose", True),
        ("Activity Date", "ActivityDate", "loose", True),
        # known aliases: Eloqua internal and display names, common export headers
        ("Email Address", "email", "alias", True),
        ("C_EmailAddress", "email", "alias", True),
        ("e-mail address", "email", "alias", True),
        ("Work Email", "email", "alias", True),
        ("C_FirstName", "FirstName", "alias", True),
        ("Given Name", "FirstName", "alias", True),
        ("Surname", "LastName", "alias", True),
        ("C_LastName", "LastName", "alias", True),
        ("Activity Type", "type", "alias", True),
        ("Activity.Type", "type", "alias", True),
        ("Activity.Campaign.Id", "CampaignId", "alias", True),
        ("Created At", "ActivityDate", "alias", True),
        ("Webinar Name", "AssetName", "alias", True),
        ("Asset ID", "AssetId", "loose", True),
        # not a field: reported, never guessed
        ("Prénom", None, "none", False),
        ("Company", None, "none", False),
        ("Emial", None, "none", False),
    ],
)
def test_header_variants_of_the_default_schema(
    header: str, field: str | None, how: str, renamed: bool
) -> None:
    m = mapping(header)
    match = m.matches[0]
    assert (match.header, match.field, match.how) == (header, field, how)
    found = codes(m, header)
    assert ("renamed-column" in found) is renamed
    if field is None:
        assert found == ["unknown-column"]
    elif not renamed:
        assert found == []


def test_renamed_column_is_an_info_naming_both_spellings() -> None:
    (issue,) = [i for i in mapping("EMAIL").issues if i.code == IssueCode.RENAMED_COLUMN]
    assert issue.severity == Severity.INFO
    assert (issue.field, issue.column) == ("email", "EMAIL")
    assert "'EMAIL'" in issue.message
    assert "'email'" in issue.message


@pytest.mark.parametrize(
    ("header", "suggestion"),
    [("Emial", "email"), ("emal", "email"), ("Activty Type", "type"), ("CampainId", "CampaignId")],
)
def test_unknown_column_suggests_the_closest_field(header: str, suggestion: str) -> None:
    m = mapping(header)
    assert m.matches[0].suggestion == suggestion
    (issue,) = [i for i in m.issues if i.code == IssueCode.UNKNOWN_COLUMN]
    assert issue.severity == Severity.WARNING
    assert f"did you mean {suggestion!r}?" in (issue.fix or "")
    assert "not uploaded" in issue.message


def test_unknown_column_without_a_close_field_has_no_suggestion() -> None:
    m = mapping("Prénom")
    assert m.matches[0].suggestion is None
    (issue,) = [i for i in m.issues if i.code == IssueCode.UNKNOWN_COLUMN]
    assert "did you mean" not in (issue.fix or "")


@pytest.mark.parametrize(
    "headers",
    [
        ("E-mail", "EMAIL"),
        ("email", "Email Address"),
        ("C_EmailAddress", "Work Email"),
        ("email", "email"),
    ],
)
def test_two_columns_for_one_field_is_a_duplicate_naming_both(headers: tuple[str, str]) -> None:
    m = mapping(*headers, "activityId", "type")
    dupes = [i for i in m.issues if i.code == IssueCode.DUPLICATE_COLUMN]
    assert len(dupes) == 1
    (issue,) = dupes
    assert issue.severity == Severity.ERROR
    assert issue.field == "email"
    assert repr(headers[0]) in issue.message
    assert repr(headers[1]) in issue.message
    assert repr(headers[0]) in (issue.fix or "")
    # A duplicate is not also reported as a rename, and the first column wins the rename.
    assert not [i for i in m.issues if i.code == IssueCode.RENAMED_COLUMN and i.field == "email"]
    assert list(m.renames.values()).count("email") == 1


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        ((), REQUIRED),
        (("email",), ["activityId", "type"]),
        (("Email Address", "Activity Type"), ["activityId"]),
        (("E-mail", "Activity ID", "Activity"), []),
    ],
)
def test_missing_required_fields(headers: tuple[str, ...], missing: list[str]) -> None:
    m = mapping(*headers)
    assert list(m.missing) == missing
    errors = [i for i in m.issues if i.code == IssueCode.MISSING_COLUMN]
    assert [i.field for i in errors] == missing
    for issue in errors:
        assert issue.severity == Severity.ERROR
        assert issue.file == "in.csv"
        assert repr(issue.field) in issue.message


def test_blank_header_is_reported_by_position() -> None:
    m = mapping("email", "", "type")
    (issue,) = [i for i in m.issues if i.code == IssueCode.BLANK_HEADER]
    assert issue.column == "column 2"
    assert "column 2 has no header" in issue.message


def test_user_aliases_win_and_are_matched_loosely() -> None:
    m = mapping(
        "Registrant E-Mail",
        "Did Attend",
        "Email",
        aliases={"registrant email": "email", "Did Attend": "type", "Email": "FirstName"},
    )
    assert [(x.field, x.how) for x in m.matches] == [
        ("email", "explicit"),
        ("type", "explicit"),
        ("FirstName", "explicit"),
    ]
    # An explicit alias is the user's own decision: no rename note.
    assert not [i for i in m.issues if i.code == IssueCode.RENAMED_COLUMN]
    assert m.missing == ("activityId",)


def test_renames_map_frame_columns_to_fields() -> None:
    m = mapping("E-mail", "Activity Type", "activityId", "Notes", "E-mail")
    assert m.renames == {"E-mail": "email", "Activity Type": "type", "activityId": "activityId"}


def test_definition_schema_keys_are_exact_names() -> None:
    schema = SchemaSpec(
        name="def",
        fields=(
            FieldSpec("EmailAddress", Kind.EMAIL, aliases=("C_EmailAddress", "Email Address")),
            FieldSpec("ActivityType", Kind.TEXT, required=True, aliases=("Activity Type",)),
        ),
    )
    m = map_headers(
        ["Email Address", "activitytype"], ["Email Address", "activitytype"], schema, file="x"
    )
    assert [(x.field, x.how) for x in m.matches] == [
        ("EmailAddress", "loose"),
        ("ActivityType", "loose"),
    ]
    assert {i.code for i in m.issues} == {IssueCode.RENAMED_COLUMN}


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("E-mail Address ", "emailaddress"),
        ("Prénom", "prenom"),
        ("Straße", "strasse"),
        ("ＥＭＡＩＬ", "email"),
        ("C_EmailAddress", "cemailaddress"),
        ("---", ""),
    ],
)
def test_header_key(header: str, key: str) -> None:
    assert header_key(header) == key
