"""Tests for activity_schema.schema.config: validation, discovery and precedence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from activity_schema.defaults import DEFAULT_DATE_ORDER, DEFAULT_TIMEZONE
from activity_schema.errors import ConfigError
from activity_schema.schema.config import Settings, find_config, load_settings
from activity_schema.schema.fields import DEFAULT_SCHEMA, Kind

DEFINITION = {
    "name": "Webinar attendance",
    "fields": {
        "EmailAddress": "{{Activity.Contact.Field(C_EmailAddress)}}",
        "AssetType": "{{Activity.Asset.Type}}",
        "AssetName": "{{Activity.Asset.Name}}",
        "ActivityType": "{{Activity.Type}}",
        "ActivityDate": "{{Activity.CreatedAt}}",
    },
}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, toml: str) -> ConfigError:
    path = write(tmp_path / "activity_schema.toml", toml)
    with pytest.raises(ConfigError) as info:
        load_settings(config=path)
    err = info.value
    assert err.exit_code == 2
    assert str(err).startswith(f"{path}: "), "the message names the file"
    return err


@pytest.mark.parametrize(
    ("toml", "key", "message"),
    [
        ('colour = "red"', "colour", "unknown key 'colour'"),
        ('timezone = "Mars/Olympus"', "timezone", "not a known IANA time zone"),
        ("timezone = 5", "timezone", "timezone must be a str, got 5"),
        ('date_order = "ymd"', "date_order", "date_order must be one of"),
        ('default_date_order = "auto"', "default_date_order", "must be one of ('mdy', 'dmy')"),
        ('strict = "yes"', "strict", "strict must be a bool"),
        ("aliases = 3", "aliases", "aliases must be a table"),
        (
            '[aliases]\n"Registrant" = "registrant_email"',
            "aliases.Registrant",
            "the schema does not have",
        ),
        ("[aliases]\nRegistrant = 1", "aliases.Registrant", "must be a field name"),
        ('[fields.nope]\nallowed = ["x"]', "fields.nope", "the schema has no field 'nope'"),
        ("[fields.type]\ncolour = 1", "fields.type.colour", "unknown key fields.type.colour"),
        ('[fields.type]\nallowed = "Registered"', "fields.type.allowed", "a list of strings"),
        ("[fields.type]\nallowed = [1, 2]", "fields.type.allowed", "a list of strings"),
        ("[fields.type]\nrequired = 1", "fields.type.required", "true or false"),
        ("[fields.type]\nmax_length = 0", "fields.type.max_length", "a positive integer"),
        ("[fields.type]\nmax_length = true", "fields.type.max_length", "a positive integer"),
        ('[fields.type]\nkind = "money"', "fields.type.kind", "one of ["),
        ("fields = 1", "fields", "fields must be a table"),
        ('[activity_types]\nWebinar = "Registered"', "activity_types.Webinar", "a list of strings"),
        ("definition = 3", "definition", "definition must be a path"),
        ("timezone = ", None, "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(
    tmp_path: Path, toml: str, key: str | None, message: str
) -> None:
    err = config_error(tmp_path, toml)
    assert message in str(err)
    if key is not None:
        assert key in str(err)


def test_unknown_key_lists_the_known_ones(tmp_path: Path) -> None:
    err = config_error(tmp_path, 'timezon = "UTC"')
    assert "timezone" in (err.hint or "")


def test_rule_for_a_field_of_another_schema_is_an_error(tmp_path: Path) -> None:
    # `type` exists in the default schema, not in this definition (it says ActivityType).
    write(tmp_path / "def.json", json.dumps(DEFINITION))
    err = config_error(tmp_path, 'definition = "def.json"\n[fields.type]\nallowed = ["Registered"]')
    assert "fields.type" in str(err)
    assert "ActivityType" in (err.hint or "")


def test_valid_config_applies(tmp_path: Path) -> None:
    path = write(
        tmp_path / "activity_schema.toml",
        """
timezone = "Europe/Paris"
date_order = "dmy"
strict = true

[aliases]
"Registrant Email" = "email"

[fields.type]
allowed = ["Registered", "Attended"]

[fields.FirstName]
required = true
max_length = 40
aliases = ["Vorname"]

[fields.AssetName]
kind = "name"

[activity_types]
Webinar = ["Registered", "Attended"]
""",
    )
    schema, settings = load_settings(config=path)
    assert settings.timezone == "Europe/Paris"
    assert settings.date_order == "dmy"
    assert settings.strict is True
    assert settings.aliases == {"Registrant Email": "email"}
    assert settings.activity_types == {"Webinar": ("Registered", "Attended")}
    assert settings.source == str(path)
    assert schema.field("type").allowed == ("Registered", "Attended")
    first = schema.field("FirstName")
    assert (first.required, first.max_length) == (True, 40)
    assert first.aliases[-1] == "Vorname"
    assert "C_FirstName" in first.aliases
    assert first.origin == f"config {path}"
    assert schema.field("AssetName").kind is Kind.NAME
    assert schema.field("email") == DEFAULT_SCHEMA.field("email")


# --- discovery ----------------------------------------------------------------------------


def test_pyproject_table_is_found_from_a_nested_folder(tmp_path: Path) -> None:
    pyproject = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.activity-schema]\ntimezone = "UTC"\n',
    )
    nested = tmp_path / "exports" / "2024" / "march"
    nested.mkdir(parents=True)
    assert find_config(nested) == pyproject
    _, settings = load_settings(cwd=nested)
    assert settings.timezone == "UTC"
    assert settings.source == str(pyproject)


def test_pyproject_without_the_table_is_skipped(tmp_path: Path) -> None:
    outer = write(tmp_path / "activity_schema.toml", 'timezone = "UTC"\n')
    write(tmp_path / "inner" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    assert find_config(tmp_path / "inner") == outer


def test_nearest_config_wins(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.activity-schema]\ntimezone = "UTC"\n')
    inner = write(tmp_path / "team" / ".activity_schema.toml", 'timezone = "Asia/Tokyo"\n')
    assert find_config(tmp_path / "team") == inner
    _, settings = load_settings(cwd=tmp_path / "team")
    assert settings.timezone == "Asia/Tokyo"


def test_dedicated_file_beats_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.activity-schema]\ntimezone = "UTC"\n')
    dedicated = write(tmp_path / "activity_schema.toml", 'timezone = "Asia/Tokyo"\n')
    assert find_config(tmp_path) == dedicated


def test_no_config_anywhere_gives_defaults(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None
    schema, settings = load_settings(cwd=tmp_path)
    assert schema is DEFAULT_SCHEMA
    assert settings == Settings()
    assert (settings.timezone, settings.default_date_order) == (
        DEFAULT_TIMEZONE,
        DEFAULT_DATE_ORDER,
    )


def test_pyproject_named_explicitly_without_the_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    with pytest.raises(ConfigError, match=r"no \[tool.activity-schema\] table"):
        load_settings(config=path)


def test_config_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(config=tmp_path / "missing.toml")


# --- precedence: flag > config > definition > default ----------------------------------


def test_precedence(tmp_path: Path) -> None:
    definition = write(tmp_path / "defs" / "def.json", json.dumps(DEFINITION))
    # default
    schema, settings = load_settings()
    assert schema is DEFAULT_SCHEMA
    assert settings.timezone == DEFAULT_TIMEZONE
    # definition > default
    schema, _ = load_settings(definition=definition)
    assert schema.names == tuple(DEFINITION["fields"])
    assert schema.field("ActivityDate").required is True
    # config > definition; the config's definition path is relative to the config file
    config = write(
        tmp_path / "activity_schema.toml",
        """
definition = "defs/def.json"
timezone = "Europe/Paris"

[fields.ActivityDate]
required = false

[fields.AssetType]
allowed = ["Webinar"]
""",
    )
    schema, settings = load_settings(config=config, cwd=tmp_path / "defs")
    assert schema.names == tuple(DEFINITION["fields"])
    assert schema.field("ActivityDate").required is False
    assert schema.field("AssetType").allowed == ("Webinar",)
    assert settings.timezone == "Europe/Paris"
    # flag > config; flags left unset (None) do not override
    _, settings = load_settings(
        config=config, flags={"timezone": "UTC", "date_order": None, "strict": True}
    )
    assert (settings.timezone, settings.date_order, settings.strict) == ("UTC", "auto", True)


def test_definition_flag_beats_the_configs_definition(tmp_path: Path) -> None:
    write(tmp_path / "config_def.json", json.dumps({"fields": {"A": "{{Activity.Type}}"}}))
    flag_def = write(tmp_path / "flag_def.json", json.dumps(DEFINITION))
    config = write(tmp_path / "activity_schema.toml", 'definition = "config_def.json"\n')
    schema, _ = load_settings(config=config, definition=flag_def)
    assert schema.names == tuple(DEFINITION["fields"])


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"colour": "red"}, "unknown setting(s) ['colour']"),
        ({"timezone": "Nowhere/City"}, "--timezone: timezone 'Nowhere/City'"),
    ],
)
def test_bad_flags(flags: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(flags=flags)
    assert message in str(info.value)
