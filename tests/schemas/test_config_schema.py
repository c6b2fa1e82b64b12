"""``config.schema.json`` accepts the configs the tool accepts and rejects what it rejects.

Validated: every config in ``tests/data`` and ``samples``, the examples of the README and
the docs, and what ``activity-schema init`` writes. Then a table of configs that the loader
(:func:`~activity_schema.schema.config.settings_from_mapping`) and the schema must judge
alike, and the few rules that only the tool can check (which fields the schema has, which
time zones exist), so that the schema's limits are written down.
"""

from __future__ import annotations

import re
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT, SAMPLES

from activity_schema import schemas
from activity_schema.cli import main
from activity_schema.errors import ConfigError
from activity_schema.schema.config import _FIELD_KEYS, _TOP_KEYS, settings_from_mapping
from activity_schema.schema.fields import DEFAULT_SCHEMA, Kind


def _validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(schemas.load("config"))


def _schema_accepts(data: dict[str, Any]) -> bool:
    return bool(_validator().is_valid(data))


def _loader_accepts(data: dict[str, Any]) -> bool:
    data = dict(data)
    data.pop("definition", None)  # read by load_settings, before the mapping is checked
    try:
        settings_from_mapping(data, source="test.toml", schema=DEFAULT_SCHEMA)
    except ConfigError:
        return False
    return True


def _configs() -> list[Path]:
    found = [*DATA.rglob("*.toml"), *SAMPLES.rglob("*.toml")]
    return sorted(p for p in found if p.name != "pyproject.toml")


@pytest.mark.parametrize("path", _configs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_configs_validate(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert list(_validator().iter_errors(data)) == []
    assert _loader_accepts(data)


def test_there_are_committed_configs_to_validate() -> None:
    assert any(p.name == "webinar-rules.toml" for p in _configs())


def _documented_configs() -> list[tuple[str, dict[str, Any]]]:
    """Return the project-rules examples of the README and the docs (TOML code blocks)."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        for _indent, block in re.findall(r"^( *)```toml\n(.*?)^\1```", text, flags=re.S | re.M):
            data = tomllib.loads(textwrap.dedent(block))
            # pyproject.toml snippets hold the config under [tool.activity-schema].
            data = data.get("tool", {}).get("activity-schema", data)
            if set(data) & {"fields", "aliases", "timezone", "activity_types"}:
                found.append((str(page.relative_to(ROOT)), data))
    return found


def test_documented_examples_validate() -> None:
    examples = _documented_configs()
    assert examples
    for where, data in examples:
        assert list(_validator().iter_errors(data)) == [], where


@pytest.mark.parametrize(
    "sample", [SAMPLES / "webinar-export-cp1252.csv", SAMPLES / "eloqua-reference-example.json"]
)
def test_what_init_writes_validates(tmp_path: Path, sample: Path) -> None:
    target = tmp_path / "activity_schema.toml"
    result = CliRunner().invoke(main, ["init", str(sample), "-o", str(target)])
    assert result.exit_code == 0, result.output
    data = tomllib.loads(target.read_text(encoding="utf-8"))
    assert list(_validator().iter_errors(data)) == []
    assert _loader_accepts(data)


#: Configs the loader and the schema must both accept (True) or both reject (False).
CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("empty", {}, True),
    (
        "every key",
        {
            "timezone": "UTC",
            "date_format": "%Y-%m-%d",
            "date_order": "dmy",
            "default_date_order": "mdy",
            "strict": True,
            "fix": False,
            "definition": "d.json",
            "aliases": {"Mail": "email"},
            "fields": {
                "type": {
                    "allowed": ["A"],
                    "required": False,
                    "max_length": 50,
                    "aliases": ["Action"],
                    "kind": "text",
                }
            },
            "activity_types": {"Webinar": ["A"]},
        },
        True,
    ),
    ("unknown top-level key", {"timezon": "UTC"}, False),
    ("unknown field rule", {"fields": {"type": {"alowed": ["A"]}}}, False),
    ("strict as a string", {"strict": "yes"}, False),
    ("fix as an integer", {"fix": 1}, False),
    ("timezone as a number", {"timezone": 5}, False),
    ("date_order not an order", {"date_order": "ymd"}, False),
    ("default_date_order auto", {"default_date_order": "auto"}, False),
    ("aliases not a table", {"aliases": ["email"]}, False),
    ("alias target not a string", {"aliases": {"Mail": 1}}, False),
    ("fields not a table", {"fields": "type"}, False),
    ("field rules not a table", {"fields": {"type": ["A"]}}, False),
    ("allowed not a list", {"fields": {"type": {"allowed": "A"}}}, False),
    ("allowed of numbers", {"fields": {"type": {"allowed": [1, 2]}}}, False),
    ("required as a string", {"fields": {"type": {"required": "no"}}}, False),
    ("max_length zero", {"fields": {"type": {"max_length": 0}}}, False),
    ("max_length a boolean", {"fields": {"type": {"max_length": True}}}, False),
    ("kind unknown", {"fields": {"type": {"kind": "number"}}}, False),
    ("activity types not lists", {"activity_types": {"Webinar": "Registered"}}, False),
]


@pytest.mark.parametrize(("data", "accepted"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_schema_and_loader_agree(data: dict[str, Any], accepted: bool) -> None:
    assert _loader_accepts(data) is accepted
    assert _schema_accepts(data) is accepted


@pytest.mark.parametrize(
    "data",
    [
        {"fields": {"NoSuchField": {"required": True}}},
        {"aliases": {"Mail": "NoSuchField"}},
        {"timezone": "Mars/Olympus_Mons"},
        {"fields": {"type": {"max_length": 10.0}}},
    ],
    ids=["unknown field", "alias to an unknown field", "unknown time zone", "float length"],
)
def test_only_the_tool_checks_what_depends_on_the_run(data: dict[str, Any]) -> None:
    # Which fields exist depends on the definition, time zones on the tz database; and
    # JSON has one number type, so TOML's 10.0 is an integer to any JSON Schema.
    assert _schema_accepts(data) and not _loader_accepts(data)


def test_schema_names_every_key_the_loader_knows() -> None:
    schema = schemas.load("config")
    assert set(schema["properties"]) == _TOP_KEYS
    rules = schema["$defs"]["fieldRules"]
    assert set(rules["properties"]) == _FIELD_KEYS
    assert rules["properties"]["kind"]["enum"] == [k.value for k in Kind]
    assert schema["additionalProperties"] is False and rules["additionalProperties"] is False
