"""Tests for activity_schema.schema.definition: a schema from an Eloqua import definition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from activity_schema.checking.mapping import map_headers
from activity_schema.errors import ConfigError
from activity_schema.schema.config import load_settings
from activity_schema.schema.definition import (
    MAX_DEFINITION_FIELDS,
    parse_definition,
    schema_from_definition,
)
from activity_schema.schema.fields import Kind

#: A definition as ``GET /api/bulk/2.0/activities/imports/{id}`` returns it.
DEFINITION: dict[str, Any] = {
    "name": "Webinar attendance",
    "fields": {
        "EmailAddress": "{{Activity.Contact.Field(C_EmailAddress)}}",
        "ContactId": "{{Activity.Contact.Id}}",
        "FirstName": "{{Activity.Contact.Field(C_FirstName)}}",
        "Region": "{{Activity.Contact.Field(C_Region_Custom1)}}",
        "CampaignId": "{{Activity.Campaign.Id}}",
        "AssetType": "{{Activity.Asset.Type}}",
        "AssetName": "{{Activity.Asset.Name}}",
        "AssetId": "{{ Activity.Asset.Id }}",
        "ActivityType": "{{Activity.Type}}",
        "ActivityDate": "{{Activity.CreatedAt}}",
        "ActivityId": "{{Activity.Id}}",
        "ExternalId": "{{Activity.ExternalId}}",
        "Duration": "{{Activity.Field(Duration)}}",
    },
    "isSyncTriggeredOnImport": False,
    "dataRetentionDuration": "P7D",
    "uri": "/activities/imports/2900",
    "createdBy": "API.User",
    "createdAt": "2024-03-05T14:30:00.0000000Z",
}

# (key, kind, required, max_length)
EXPECTED = [
    ("EmailAddress", Kind.EMAIL, False, 100),
    ("ContactId", Kind.INTEGER, False, 19),
    ("FirstName", Kind.NAME, False, 100),
    ("Region", Kind.TEXT, False, 100),
    ("CampaignId", Kind.INTEGER, False, 19),
    ("AssetType", Kind.TEXT, True, 100),
    ("AssetName", Kind.TEXT, True, 100),
    ("AssetId", Kind.INTEGER, False, 19),
    ("ActivityType", Kind.TEXT, True, 100),
    ("ActivityDate", Kind.DATETIME, True, None),
    ("ActivityId", Kind.INTEGER, False, 19),
    ("ExternalId", Kind.TEXT, False, 100),
    ("Duration", Kind.TEXT, False, 100),
]


def test_realistic_definition_fields_and_kinds() -> None:
    data = parse_definition(json.dumps(DEFINITION), source="def.json")
    schema = schema_from_definition(data, source="def.json")
    assert schema.name == "Webinar attendance"
    assert schema.origin == "definition def.json"
    got = [(f.name, f.kind, f.required, f.max_length) for f in schema.fields]
    assert got == EXPECTED
    assert all(f.origin == "definition" for f in schema.fields)
    assert schema.field("AssetId").statement == "{{ Activity.Asset.Id }}"
    assert schema.one_of == (("EmailAddress", "ContactId"),)


def test_definition_fields_know_their_eloqua_names() -> None:
    schema = schema_from_definition(DEFINITION, source="def.json")
    assert "C_EmailAddress" in schema.field("EmailAddress").aliases
    assert "Email Address" in schema.field("EmailAddress").aliases
    assert "C_Region_Custom1" in schema.field("Region").aliases
    assert "Activity Type" in schema.field("ActivityType").aliases
    # A field never lists its own key as an alias.
    assert "FirstName" not in schema.field("FirstName").aliases


def test_headers_map_onto_definition_keys() -> None:
    schema = schema_from_definition(DEFINITION, source="def.json")
    headers = ["C_EmailAddress", "Activity Type", "Asset Name", "Date", "Webinar"]
    m = map_headers(headers, headers, schema, file="x.csv")
    assert [x.field for x in m.matches] == [
        "EmailAddress",
        "ActivityType",
        "AssetName",
        "ActivityDate",
        None,
    ]
    assert m.missing == ("AssetType",)


def test_eloqua_reference_example_keys_need_a_definition_or_default() -> None:
    # The reference page's keys are not statements; a definition must map them.
    data = {"fields": {"email": "{{Activity.Contact.Field(C_EmailAddress)}}"}}
    schema = schema_from_definition(data, source="d")
    assert schema.fields[0].kind is Kind.EMAIL


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        ('{\n  "fields": {\n    "A": "{{Activity.Type}}",\n  }\n}', "line 4, column 3"),
        ("", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"name": "x"}', "no `fields` object"),
        ('{"fields": {}}', "no `fields` object"),
        ('{"fields": ["EmailAddress"]}', "no `fields` object"),
        ('{"fields": {"X": "{{Activity.Nope}}"}}', "unknown statement '{{Activity.Nope}}'"),
        ('{"fields": {"X": "Activity.Type"}}', "unknown statement 'Activity.Type'"),
        ('{"fields": {"X": 5}}', "expected a markup statement string"),
        (
            json.dumps({"fields": {f"F{i}": "{{Activity.Type}}" for i in range(101)}}),
            f"Eloqua allows {MAX_DEFINITION_FIELDS}",
        ),
    ],
)
def test_bad_definitions_are_config_errors_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "definition.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(definition=path)
    err = info.value
    assert err.exit_code == 2
    assert message in str(err)
    assert str(err).startswith(f"{path}: ")
    assert "\n" not in err.one_line()


def test_unknown_statement_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        schema_from_definition({"fields": {"X": "{{Activity.Nope}}"}}, source="d.json")
    assert "{{Activity.CreatedAt}}" in (info.value.hint or "")
    assert info.value.where == "d.json"


def test_missing_definition_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(definition=tmp_path / "nope.json")
    assert "definition file not found" in str(info.value)
    assert "nope.json" in str(info.value)


def test_definition_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(DEFINITION), encoding="utf-8-sig")
    schema, _ = load_settings(definition=path)
    assert schema.names == tuple(name for name, *_ in EXPECTED)
