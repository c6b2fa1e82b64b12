"""Project configuration: find it, validate it, and merge it into the effective schema.

Precedence, highest first: command-line flags > config file > import definition >
built-in default. The config file is ``activity_schema.toml`` (or
``.activity_schema.toml``) or the ``[tool.activity-schema]`` table of ``pyproject.toml``,
found in the current folder or the nearest parent that has one, as ruff finds its own;
``--config`` names one explicitly.

Example ``activity_schema.toml``::

    timezone = "America/New_York"
    date_order = "auto"            # auto | mdy | dmy
    definition = "definition.json" # relative to this file

    [aliases]
    "Registrant Email" = "email"

    [fields.type]
    allowed = ["Registered", "Attended"]

    [activity_types]               # allowed types per asset type
    Webinar = ["Registered", "Attended"]
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..defaults import DEFAULT_DATE_FORMAT, DEFAULT_DATE_ORDER, DEFAULT_TIMEZONE
from ..errors import ConfigError
from .definition import parse_definition, schema_from_definition
from .fields import DEFAULT_SCHEMA, FieldSpec, Kind, SchemaSpec

__all__ = ["CONFIG_FILENAMES", "Settings", "find_config", "load_settings", "settings_from_mapping"]

CONFIG_FILENAMES = ("activity_schema.toml", ".activity_schema.toml")
PYPROJECT_TABLE = "activity-schema"
#: A date column's day/month order: month-first (Eloqua's own) or day-first.
DateOrder = Literal["mdy", "dmy"]
#: The ``date_order`` setting: an order, or ``auto`` (decided per column from its values).
DateOrderSetting = Literal["auto", "mdy", "dmy"]
DATE_ORDERS: tuple[DateOrderSetting, ...] = ("auto", "mdy", "dmy")


@dataclass(frozen=True)
class Settings:
    """Run-wide settings (everything but the fields themselves).

    Attributes:
        timezone: Zone that dates with an offset are converted to.
        date_format: strftime format of output dates.
        date_order: ``auto`` (decide per column), ``mdy`` or ``dmy``.
        default_date_order: Order for columns whose slash dates are all ambiguous.
        strict: Treat warnings as errors for the exit code.
        fix: Apply safe fixes (``--no-fix`` turns them into errors/warnings only).
        aliases: Explicit ``{header: field}`` mappings.
        activity_types: Allowed activity types per asset type.
        source: Where the settings came from (config path or ``defaults``).
    """

    timezone: str = DEFAULT_TIMEZONE
    date_format: str = DEFAULT_DATE_FORMAT
    date_order: DateOrderSetting = "auto"
    default_date_order: DateOrder = DEFAULT_DATE_ORDER
    strict: bool = False
    fix: bool = True
    aliases: dict[str, str] = field(default_factory=dict)
    activity_types: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "defaults"


_SETTING_TYPES: dict[str, type] = {
    "timezone": str,
    "date_format": str,
    "date_order": str,
    "default_date_order": str,
    "strict": bool,
    "fix": bool,
}
_TOP_KEYS = {*_SETTING_TYPES, "definition", "aliases", "fields", "activity_types"}
_FIELD_KEYS = {"allowed", "required", "max_length", "aliases", "kind"}


def find_config(start: Path) -> Path | None:
    """Return the nearest config file at or above ``start``, or None.

    A ``pyproject.toml`` counts only when it has a ``[tool.activity-schema]`` table.
    """
    for folder in (start.resolve(), *start.resolve().parents):
        for name in CONFIG_FILENAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
                continue
            if PYPROJECT_TABLE in data.get("tool", {}):
                return pyproject
    return None


def _read_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("config file not found", where=str(path)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read the config file: {err}", where=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"invalid TOML: {err}", where=str(path)) from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get(PYPROJECT_TABLE)
        if table is None:
            raise ConfigError(
                f"pyproject.toml has no [tool.{PYPROJECT_TABLE}] table", where=str(path)
            )
        return dict(table)
    return data


def _expect(cond: bool, where: str, key: str, expected: str, got: object) -> None:
    if not cond:
        raise ConfigError(f"{key} must be {expected}, got {got!r}", where=where)


def _string_list(value: object, where: str, key: str) -> tuple[str, ...]:
    # Checked inline (not through _expect) so that mypy sees the list narrowed.
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ConfigError(f"{key} must be a list of strings, got {value!r}", where=where)
    return tuple(value)


def settings_from_mapping(
    data: Mapping[str, Any], *, source: str, schema: SchemaSpec
) -> tuple[SchemaSpec, Settings]:
    """Validate a config mapping and apply it to ``schema``.

    Args:
        data: The parsed config table.
        source: Its file name, for messages.
        schema: The schema the config refines (from a definition or the default).

    Raises:
        ConfigError: An unknown key, a bad value, or a rule for a field that does not exist.
    """
    for key in data:
        if key not in _TOP_KEYS:
            raise ConfigError(
                f"unknown key {key!r}",
                where=source,
                hint=f"expected one of: {', '.join(sorted(_TOP_KEYS))}",
            )
    values: dict[str, Any] = {}
    for key, kind in _SETTING_TYPES.items():
        if key in data:
            _expect(isinstance(data[key], kind), source, key, f"a {kind.__name__}", data[key])
            values[key] = data[key]
    for key in ("date_order", "default_date_order"):
        choices = DATE_ORDERS if key == "date_order" else DATE_ORDERS[1:]
        if key in values:
            _expect(values[key] in choices, source, key, f"one of {choices}", values[key])
    if "timezone" in values:
        _check_timezone(values["timezone"], source)

    field_names = set(schema.names)
    aliases: dict[str, str] = {}
    raw_aliases = data.get("aliases", {})
    _expect(isinstance(raw_aliases, dict), source, "aliases", "a table", raw_aliases)
    for header, target in raw_aliases.items():
        _expect(isinstance(target, str), source, f"aliases.{header}", "a field name", target)
        if target not in field_names:
            raise ConfigError(
                f"aliases.{header} names the field {target!r}, which the schema does not have",
                where=source,
                hint=f"fields are: {', '.join(schema.names)}",
            )
        aliases[header] = target

    raw_fields = data.get("fields", {})
    _expect(isinstance(raw_fields, dict), source, "fields", "a table", raw_fields)
    for name, rules in raw_fields.items():
        if name not in field_names:
            raise ConfigError(
                f"fields.{name}: the schema has no field {name!r}",
                where=source,
                hint=f"fields are: {', '.join(schema.names)}",
            )
        _expect(isinstance(rules, dict), source, f"fields.{name}", "a table", rules)
        schema = schema.replace_field(_apply_field_rules(schema.field(name), rules, source))

    activity_types: dict[str, tuple[str, ...]] = {}
    raw_types = data.get("activity_types", {})
    _expect(isinstance(raw_types, dict), source, "activity_types", "a table", raw_types)
    for asset_type, types in raw_types.items():
        activity_types[asset_type] = _string_list(types, source, f"activity_types.{asset_type}")
    if activity_types and not {"AssetType", "type"} <= field_names and not _has_kinds(schema):
        raise ConfigError(
            "activity_types needs the schema to have an asset type and an activity type field",
            where=source,
        )
    settings = Settings(**values, aliases=aliases, activity_types=activity_types, source=source)
    return schema, settings


def _has_kinds(schema: SchemaSpec) -> bool:
    statements = {f.statement for f in schema.fields}
    return {"{{Activity.Type}}", "{{Activity.Asset.Type}}"} <= statements


def _apply_field_rules(spec: FieldSpec, rules: Mapping[str, Any], source: str) -> FieldSpec:
    where = f"fields.{spec.name}"
    changes: dict[str, Any] = {"origin": f"config {source}"}
    for key, value in rules.items():
        if key not in _FIELD_KEYS:
            raise ConfigError(
                f"unknown key {where}.{key}",
                where=source,
                hint=f"expected one of: {', '.join(sorted(_FIELD_KEYS))}",
            )
        if key == "allowed":
            changes["allowed"] = _string_list(value, source, f"{where}.allowed")
        elif key == "aliases":
            changes["aliases"] = (*spec.aliases, *_string_list(value, source, f"{where}.aliases"))
        elif key == "required":
            _expect(isinstance(value, bool), source, f"{where}.required", "true or false", value)
            changes["required"] = value
        elif key == "max_length":
            _expect(
                isinstance(value, int) and not isinstance(value, bool) and value > 0,
                source,
                f"{where}.max_length",
                "a positive integer",
                value,
            )
            changes["max_length"] = value
        elif key == "kind":
            kinds = [k.value for k in Kind]
            _expect(value in kinds, source, f"{where}.kind", f"one of {kinds}", value)
            changes["kind"] = Kind(value)
    return spec.with_rules(**changes)


def _check_timezone(name: str, source: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone {name!r} is not a known IANA time zone",
            where=source,
            hint="use a name such as America/New_York or UTC",
        ) from None


def _load_definition(path: Path) -> SchemaSpec:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("definition file not found", where=str(path)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read the definition: {err}", where=str(path)) from None
    return schema_from_definition(parse_definition(text, source=str(path)), source=str(path))


def load_settings(
    *,
    definition: Path | None = None,
    config: Path | None = None,
    cwd: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    schema: SchemaSpec | None = None,
) -> tuple[SchemaSpec, Settings]:
    """Resolve the effective schema and settings from every source, by precedence.

    Args:
        definition: An import definition file (``--definition``).
        config: A config file (``--config``); otherwise one is searched from ``cwd``.
        cwd: Where to start searching for a config file (None: no search).
        flags: Settings given on the command line; None values are ignored.
        schema: A schema to start from instead of the built-in default.

    Returns:
        The effective schema and settings.

    Raises:
        ConfigError: Any source is invalid.
    """
    config_path = config or (find_config(cwd) if cwd is not None else None)
    data: dict[str, Any] = _read_config(config_path) if config_path else {}
    base = schema or DEFAULT_SCHEMA
    if definition is not None:
        base = _load_definition(definition)
    elif config_path is not None and "definition" in data:
        # A config's definition path is relative to the config file's folder.
        target = data["definition"]
        _expect(isinstance(target, str), str(config_path), "definition", "a path", target)
        base = _load_definition(config_path.parent / target)
    data.pop("definition", None)
    spec, settings = settings_from_mapping(
        data, source=str(config_path) if config_path else "defaults", schema=base
    )
    overrides = {k: v for k, v in (flags or {}).items() if v is not None}
    if overrides:
        unknown = set(overrides) - set(_SETTING_TYPES)
        if unknown:
            raise ConfigError(f"unknown setting(s) {sorted(unknown)}")
        if "timezone" in overrides:
            _check_timezone(overrides["timezone"], "--timezone")
        settings = replace(settings, **overrides)
    return spec, settings
