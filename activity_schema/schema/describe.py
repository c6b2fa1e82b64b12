"""The effective schema as data, with where each rule came from.

``activity-schema schema`` shows which fields an upload has and why: each rule (kind,
required, max_length, allowed, aliases) is attributed to the layer that set it, the
built-in default, an import definition or the config file, by comparing the effective
field with the same field of the *base* schema (the default or the definition) that the
config refined. The returned dict is the ``schema --format json`` contract (version 1)::

    {"version": 1, "name", "origin", "one_of": [[field, ...]],
     "fields": [{"name", "kind", "required", "max_length", "allowed", "aliases",
                 "statement", "description", "origin",
                 "rule_origins": {"kind", "required", "max_length", "allowed", "aliases"}}],
     "settings": {"timezone", "date_format", "date_order", "default_date_order",
                  "strict", "fix", "aliases", "activity_types", "source"},
     "setting_origins": {"timezone", "date_format", "date_order",
                         "default_date_order", "strict", "fix"}}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config import Settings
from .fields import FieldSpec, SchemaSpec

__all__ = ["RULES", "SCHEMA_FORMAT_VERSION", "base_definition_path", "describe_schema"]

SCHEMA_FORMAT_VERSION = 1
#: The rules of a field whose origin is reported, in display order.
RULES = ("kind", "required", "max_length", "allowed", "aliases")
_DEFINITION_PREFIX = "definition "
_SCALAR_SETTINGS = ("timezone", "date_format", "date_order", "default_date_order", "strict", "fix")


def base_definition_path(spec: SchemaSpec) -> Path | None:
    """Return the definition file an effective schema was derived from, if any.

    The config layer keeps the schema's ``origin`` (``definition PATH``), so the base
    schema can be rebuilt from it to tell config rules from definition rules.

    Example:
        >>> from activity_schema.schema.fields import DEFAULT_SCHEMA
        >>> base_definition_path(DEFAULT_SCHEMA) is None
        True
    """
    if spec.origin.startswith(_DEFINITION_PREFIX):
        return Path(spec.origin[len(_DEFINITION_PREFIX) :])
    return None


def _rule_origins(
    effective: FieldSpec, base: FieldSpec | None, base_origin: str, aliases_source: str | None
) -> dict[str, str]:
    config = effective.origin if effective.origin.startswith("config") else "config"
    origins: dict[str, str] = {}
    for rule in RULES:
        value = getattr(effective, rule)
        if base is None:
            origins[rule] = effective.origin
        elif value == getattr(base, rule):
            origins[rule] = base_origin
        elif rule == "aliases" and value[: len(base.aliases)] == base.aliases:
            # A field's config aliases are appended to the base's own.
            origins[rule] = f"{base_origin} + {config}"
        else:
            origins[rule] = config
    if aliases_source and "config" not in origins["aliases"]:
        origins["aliases"] += f" + config {aliases_source}"
    return origins


def describe_schema(
    spec: SchemaSpec, settings: Settings, *, base: SchemaSpec | None = None
) -> dict[str, Any]:
    """Describe the effective schema and settings, with the origin of every rule.

    Args:
        spec: The effective schema (after the config's rules).
        settings: The effective settings.
        base: The schema the config refined (the built-in default or the definition's);
            without it each rule is attributed to its field's origin.

    Returns:
        The JSON-ready description (see the module docstring).

    Example:
        >>> from activity_schema.schema.fields import DEFAULT_SCHEMA
        >>> info = describe_schema(DEFAULT_SCHEMA, Settings(), base=DEFAULT_SCHEMA)
        >>> info["fields"][1]["name"], info["fields"][1]["rule_origins"]["kind"]
        ('email', 'built-in')
    """
    base_fields = {f.name: f for f in base.fields} if base is not None else {}
    base_origin = base.origin if base is not None else spec.origin
    explicit: dict[str, list[str]] = {}
    for header, target in settings.aliases.items():
        explicit.setdefault(target, []).append(header)
    fields: list[dict[str, Any]] = []
    for f in spec.fields:
        base_field = base_fields.get(f.name) if base is not None else None
        config_aliases = explicit.get(f.name, [])
        fields.append(
            {
                "name": f.name,
                "kind": str(f.kind),
                "required": f.required,
                "max_length": f.max_length,
                "allowed": list(f.allowed) if f.allowed is not None else None,
                "aliases": [*f.aliases, *(a for a in config_aliases if a not in f.aliases)],
                "statement": f.statement,
                "description": f.description,
                "origin": base_origin if base_field is not None else f.origin,
                "rule_origins": _rule_origins(
                    f, base_field, base_origin, settings.source if config_aliases else None
                ),
            }
        )
    defaults = Settings()
    setting_origins = {
        key: settings.source if getattr(settings, key) != getattr(defaults, key) else "default"
        for key in _SCALAR_SETTINGS
    }
    return {
        "version": SCHEMA_FORMAT_VERSION,
        "name": spec.name,
        "origin": spec.origin,
        "one_of": [list(group) for group in spec.one_of],
        "fields": fields,
        "settings": {
            **{key: getattr(settings, key) for key in _SCALAR_SETTINGS},
            "aliases": dict(settings.aliases),
            "activity_types": {k: list(v) for k, v in settings.activity_types.items()},
            "source": settings.source,
        },
        "setting_origins": setting_origins,
    }
