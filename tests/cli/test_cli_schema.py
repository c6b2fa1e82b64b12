"""Schema tooling: ``schema`` (the effective schema), ``init`` (a starter config), ``explain``."""

from __future__ import annotations

import json
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st
from imports_of import modules_imported

from activity_schema.checking.mapping import map_headers
from activity_schema.issues.codes import CODE_INFO, IssueCode
from activity_schema.jobs.starter import infer_from_sample, starter_toml, toml_string, value_fields
from activity_schema.readers import read_bytes
from activity_schema.schema.config import Settings, load_settings
from activity_schema.schema.describe import base_definition_path, describe_schema
from activity_schema.schema.fields import DEFAULT_SCHEMA

DEFINITION = {
    "name": "Webinar attendance",
    "fields": {
        "EmailAddress": "{{Activity.Contact.Field(C_EmailAddress)}}",
        "CampaignId": "{{Activity.Campaign.Id}}",
        "AssetType": "{{Activity.Asset.Type}}",
        "AssetName": "{{Activity.Asset.Name}}",
        "ActivityType": "{{Activity.Type}}",
        "ActivityDate": "{{Activity.CreatedAt}}",
    },
}

SAMPLE = (
    "E-mail Address,Activity Type,Asset Type,Asset Name,Campaign ID,Activity Date,Notes,Emial\n"
    "a@example.com,Registered,Webinar,Q4 Tour,1,2024-10-13,x,y\n"
    "b@example.com, Attended ,Webinar,Q4 Tour,1,2024-10-13,x,y\n"
    "c@example.com,null,Webinar,Q4 Tour,1,2024-10-13,x,y\n"
    "d@example.com,Registered,Demo,Q4 Demo,1,2024-10-13,x,y\n"
)


def _write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def _definition(folder: Path) -> Path:
    return _write(folder, "definition.json", json.dumps(DEFINITION))


def _field(info: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in info["fields"] if f["name"] == name)


# --- schema --------------------------------------------------------------------------------


def test_schema_json_of_the_built_in_default(cli: Callable[..., Result]) -> None:
    result = cli("schema", "--format", "json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["version"] == 1
    assert [f["name"] for f in info["fields"]] == list(DEFAULT_SCHEMA.names)
    email = _field(info, "email")
    assert email["kind"] == "email" and email["required"] is True
    assert email["max_length"] == 100 and email["allowed"] is None
    assert "E-mail Address" in email["aliases"]
    assert set(email["rule_origins"].values()) == {"built-in"}
    assert info["settings"]["timezone"] == "America/New_York"
    assert info["setting_origins"]["timezone"] == "default"


def test_schema_says_where_each_rule_came_from(cli: Callable[..., Result], tmp_path: Path) -> None:
    _definition(tmp_path)
    _write(
        tmp_path,
        "activity_schema.toml",
        'definition = "definition.json"\ntimezone = "UTC"\n'
        '[aliases]\n"Registrant Email" = "EmailAddress"\n'
        '[fields.ActivityType]\nallowed = ["Registered"]\naliases = ["Action"]\n',
    )
    info = json.loads(cli("schema", "--format", "json").stdout)
    definition = f"definition {tmp_path / 'definition.json'}"
    config = f"config {tmp_path / 'activity_schema.toml'}"
    assert info["origin"] == definition
    kind = _field(info, "ActivityType")
    assert kind["allowed"] == ["Registered"]
    assert kind["rule_origins"] == {
        "kind": definition,
        "required": definition,
        "max_length": definition,
        "allowed": config,
        "aliases": f"{definition} + {config}",
    }
    email = _field(info, "EmailAddress")
    assert "Registrant Email" in email["aliases"]
    assert (
        email["rule_origins"]["aliases"]
        == f"{definition} + config {tmp_path / 'activity_schema.toml'}"
    )
    assert email["rule_origins"]["kind"] == definition
    assert info["setting_origins"]["timezone"] == str(tmp_path / "activity_schema.toml")
    assert info["one_of"] == [["EmailAddress"]]


def test_schema_text_names_fields_and_origins(cli: Callable[..., Result], tmp_path: Path) -> None:
    _write(tmp_path, "rules.toml", "[fields.type]\nmax_length = 50\n")
    result = cli("schema", "--config", tmp_path / "rules.toml")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "50" in lines["type"] and "config: max_length" in lines["type"]
    assert "built-in" in lines["email"] and "config" not in lines["email"]
    assert "timezone = America/New_York" in result.stdout


def test_schema_with_a_bad_config_exits_2(cli: Callable[..., Result], tmp_path: Path) -> None:
    _write(tmp_path, "rules.toml", "colour = 1\n")
    result = cli("schema", "--config", tmp_path / "rules.toml")
    assert result.exit_code == 2
    assert "unknown key 'colour'" in result.stderr


def test_describe_schema_without_a_base_uses_field_origins() -> None:
    info = describe_schema(DEFAULT_SCHEMA, Settings())
    assert _field(info, "type")["rule_origins"]["allowed"] == "built-in"
    assert base_definition_path(DEFAULT_SCHEMA) is None


# --- init ----------------------------------------------------------------------------------


def _load(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_init_without_inputs_writes_a_loadable_default(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli("init")
    assert result.exit_code == 0, result.output
    config = tmp_path / "activity_schema.toml"
    assert _load(config) == {"aliases": {}}
    spec, settings = load_settings(config=config)
    assert spec == DEFAULT_SCHEMA and settings.source == str(config)


def test_init_refuses_to_overwrite_without_force(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    config = _write(tmp_path, "activity_schema.toml", "strict = true\n")
    result = cli("init")
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert config.read_text(encoding="utf-8") == "strict = true\n"
    assert cli("init", "--force").exit_code == 0
    assert "strict = true" not in config.read_text(encoding="utf-8")


def test_init_from_definition_and_sample(cli: Callable[..., Result], tmp_path: Path) -> None:
    _definition(tmp_path)
    sample = _write(tmp_path, "export.csv", SAMPLE)
    (tmp_path / "conf").mkdir()
    result = cli("init", "--definition", "definition.json", sample, "-o", "conf/rules.toml")
    assert result.exit_code == 0, result.output
    config = tmp_path / "conf" / "rules.toml"
    data = _load(config)
    assert data["definition"] == "../definition.json"
    assert data["aliases"] == {
        "E-mail Address": "EmailAddress",
        "Activity Type": "ActivityType",
        "Asset Type": "AssetType",
        "Asset Name": "AssetName",
        "Campaign ID": "CampaignId",
        "Activity Date": "ActivityDate",
    }
    assert data["fields"] == {
        "ActivityType": {"allowed": ["Attended", "Registered"]},
        "AssetType": {"allowed": ["Demo", "Webinar"]},
    }
    text = config.read_text(encoding="utf-8")
    assert '# "Emial" = "EmailAddress"' in text  # a suggestion, commented
    assert '# "Notes": maps to no field' in text
    assert '# "Webinar" = ["Attended", "Registered"]' in text
    # The starter is a valid config for the sample: no unknown or renamed column is an error.
    lint = cli("lint", sample, "--config", config, "--format", "json")
    codes = {i["code"] for i in json.loads(lint.stdout)["issues"]}
    assert "renamed-column" not in codes
    assert lint.exit_code == 1  # row 3's type is "null": empty, and required


def test_init_skips_allowed_values_of_a_wide_column(tmp_path: Path) -> None:
    rows = "".join(f"x{i}@example.com,{i},Type {i}\n" for i in range(30))
    table = read_bytes(("email,activityId,type\n" + rows).encode(), name="wide.csv")
    found = infer_from_sample(DEFAULT_SCHEMA, table)
    assert found.allowed == {} and found.too_many == {"type": 30}
    text = starter_toml(DEFAULT_SCHEMA, found)
    assert "30 distinct values" in text and "\nallowed" not in text
    tomllib.loads(text)


def test_init_to_stdout(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("init", "--output", "-", _write(tmp_path, "s.csv", SAMPLE))
    assert result.exit_code == 0
    assert tomllib.loads(result.stdout)["fields"]["type"]["allowed"] == ["Attended", "Registered"]
    assert not (tmp_path / "activity_schema.toml").exists()


def test_init_with_an_unreadable_sample_exits_3(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("init", tmp_path / "missing.csv")
    assert result.exit_code == 3
    assert not (tmp_path / "activity_schema.toml").exists()


def test_value_fields_by_statement_or_name(tmp_path: Path) -> None:
    spec, _ = load_settings(definition=_definition(tmp_path))
    assert value_fields(spec) == ("ActivityType", "AssetType")
    assert value_fields(DEFAULT_SCHEMA) == ("type", "AssetType")


@given(st.text())
def test_toml_string_round_trips(text: str) -> None:
    assert tomllib.loads(f"key = {toml_string(text)}\n")["key"] == text
    assert tomllib.loads(f"{toml_string(text)} = 1\n") == {text: 1}


_HEADER = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20)


#: Headers a sample export might use for the built-in fields, so that aliases get written.
_NEAR_FIELDS = st.sampled_from(["E-mail", "Activity Identifier", "Activity Kind", "Asset"])


@given(st.lists(_HEADER | _NEAR_FIELDS, min_size=1, max_size=5, unique=True))
def test_starter_with_any_headers_loads_as_the_schema_it_suggests(headers: list[str]) -> None:
    # Parsing is not enough: the starter must load as a config, and the schema it gives
    # must map the sample's headers exactly as the starter suggested.
    quoted = ",".join('"' + h.replace('"', '""') + '"' for h in headers)
    table = read_bytes((quoted + "\n" + "," * (len(headers) - 1) + "x\n").encode(), name="h.csv")
    inferred = infer_from_sample(DEFAULT_SCHEMA, table)
    text = starter_toml(DEFAULT_SCHEMA, inferred)
    assert tomllib.loads(text).get("aliases", {}) == inferred.aliases
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "activity_schema.toml"
        config.write_text(text, encoding="utf-8")
        spec, _ = load_settings(config=config)
    assert spec.names == DEFAULT_SCHEMA.names
    mapped = map_headers(table.headers, table.columns, spec, file=table.name)
    fields = {match.header: match.field for match in mapped.matches if match.field is not None}
    assert {h: f for h, f in fields.items() if h in inferred.aliases} == inferred.aliases


# --- explain -------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["invalid-email", "INVALID_EMAIL", " Invalid-Email "])
def test_explain_a_code(cli: Callable[..., Result], spelling: str) -> None:
    result = cli("explain", spelling)
    assert result.exit_code == 0
    info = CODE_INFO[IssueCode.INVALID_EMAIL]
    for text in (info.summary, info.why, info.fix, "Why Eloqua cares", "How to fix"):
        assert text in result.stdout


def test_explain_every_code(cli: Callable[..., Result]) -> None:
    for code in IssueCode:
        result = cli("explain", str(code))
        assert result.exit_code == 0
        assert CODE_INFO[code].fix in result.stdout


def test_explain_unknown_code_exits_2_with_the_list(cli: Callable[..., Result]) -> None:
    result = cli("explain", "invalid-emial")
    assert result.exit_code == 2
    assert "did you mean 'invalid-email'?" in result.stderr
    assert all(str(code) in result.stderr for code in IssueCode)
    assert len(result.stderr.strip().splitlines()) == 1


def test_explain_without_a_code_exits_2(cli: Callable[..., Result]) -> None:
    result = cli("explain")
    assert result.exit_code == 2
    assert "--list" in result.stderr


def test_explain_list(cli: Callable[..., Result]) -> None:
    result = cli("explain", "--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [str(c) for c in IssueCode]


# --- start-up time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["schema", "--help"],
        ["init", "--help"],
        ["explain", "--help"],
        ["explain", "invalid-email"],
        ["explain", "--list"],
        ["schema", "--format", "json"],
    ],
)
def test_schema_tooling_does_not_import_heavy_libraries(args: list[str], tmp_path: Path) -> None:
    imported = modules_imported(args, cwd=tmp_path)
    assert [m for m in ("polars", "pandera", "httpx", "numpy") if m in imported] == []
