"""Derive a schema from an Eloqua activity import definition.

The definition is the JSON that ``GET /api/bulk/2.0/activities/imports/{id}`` returns. Its
``fields`` object maps the keys the upload must use to Eloqua markup statements; the
statement tells the kind (``C_EmailAddress`` -> email, ``{{Activity.CreatedAt}}`` ->
datetime, ``.Id`` statements -> integer id).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..defaults import EMAIL_MAX_LENGTH, MAX_INTEGER_DIGITS
from ..errors import ConfigError
from .fields import CONTACT_FIELDS, FieldSpec, Kind, SchemaSpec

__all__ = ["MAX_DEFINITION_FIELDS", "parse_definition", "schema_from_definition"]

#: Eloqua allows at most 100 fields in a definition (docs/eloqua.md section 1).
MAX_DEFINITION_FIELDS = 100

_STATEMENT = re.compile(r"^\{\{\s*(.+?)\s*\}\}$")
_CONTACT_FIELD = re.compile(r"^Activity\.Contact\.Field\((C_[A-Za-z0-9_]+)\)$")
_ACTIVITY_FIELD = re.compile(r"^Activity\.Field\(([^)]+)\)$")

# statement -> (kind, required, aliases). Required follows docs/eloqua.md section 1 [inferred]:
# activity type, asset type, asset name and date; the contact key is a one-of group.
_ACTIVITY_STATEMENTS: dict[str, tuple[Kind, bool, tuple[str, ...]]] = {
    "Activity.Type": (Kind.TEXT, True, ("Activity Type", "ActivityType", "Type")),
    "Activity.CreatedAt": (
        Kind.DATETIME,
        True,
        ("Activity Date", "ActivityDate", "Date", "Created At", "CreatedAt", "Timestamp"),
    ),
    "Activity.Asset.Type": (Kind.TEXT, True, ("Asset Type", "AssetType")),
    "Activity.Asset.Name": (Kind.TEXT, True, ("Asset Name", "AssetName", "Asset")),
    "Activity.Asset.Id": (Kind.INTEGER, False, ("Asset ID", "AssetId")),
    "Activity.Campaign.Id": (Kind.INTEGER, False, ("Campaign ID", "CampaignId")),
    "Activity.Contact.Id": (Kind.INTEGER, False, ("Contact ID", "ContactId")),
    "Activity.Id": (Kind.INTEGER, False, ("Activity ID", "ActivityId")),
    "Activity.ExternalId": (Kind.TEXT, False, ("External ID", "ExternalId")),
}
_CONTACT_KEYS = ("Activity.Contact.Id", "Activity.Contact.Field(C_EmailAddress)")


def parse_definition(text: str, *, source: str) -> dict[str, Any]:
    """Parse a definition file's text and check its shape.

    Raises:
        ConfigError: Not JSON, not an object, or no ``fields`` object.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(
            f"the definition is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})",
            where=source,
            hint="save the body of GET /api/bulk/2.0/activities/imports/{id}",
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            "the definition must be a JSON object",
            where=source,
            hint='expected {"name": ..., "fields": {...}}',
        )
    fields = data.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise ConfigError(
            "the definition has no `fields` object",
            where=source,
            hint='expected "fields": {"EmailAddress": '
            '"{{Activity.Contact.Field(C_EmailAddress)}}", ...}',
        )
    if len(fields) > MAX_DEFINITION_FIELDS:
        raise ConfigError(
            f"the definition has {len(fields)} fields; Eloqua allows {MAX_DEFINITION_FIELDS}",
            where=source,
        )
    return data


def _field_from_statement(key: str, statement: object, source: str) -> FieldSpec:
    if not isinstance(statement, str):
        raise ConfigError(
            f"field {key!r} maps to {statement!r}, expected a markup statement string",
            where=source,
        )
    match = _STATEMENT.match(statement.strip())
    inner = match.group(1) if match else ""
    if inner in _ACTIVITY_STATEMENTS:
        kind, required, aliases = _ACTIVITY_STATEMENTS[inner]
    elif m := _CONTACT_FIELD.match(inner):
        internal = m.group(1)
        kind, display = CONTACT_FIELDS.get(internal, (Kind.TEXT, ()))
        required, aliases = False, (internal, *display)
    elif m := _ACTIVITY_FIELD.match(inner):
        kind, required, aliases = Kind.TEXT, False, (m.group(1),)
    else:
        known = ", ".join(f"{{{{{s}}}}}" for s in _ACTIVITY_STATEMENTS)
        raise ConfigError(
            f"field {key!r} uses the unknown statement {statement!r}",
            where=source,
            hint=f"use one of {known}, {{{{Activity.Contact.Field(C_...)}}}} or "
            "{{Activity.Field(Name)}}",
        )
    max_length: int | None = 100
    if kind is Kind.EMAIL:
        max_length = EMAIL_MAX_LENGTH
    elif kind is Kind.INTEGER:
        max_length = MAX_INTEGER_DIGITS
    elif kind is Kind.DATETIME:
        max_length = None
    return FieldSpec(
        name=key,
        kind=kind,
        required=required,
        max_length=max_length,
        aliases=tuple(a for a in aliases if a != key),
        statement=statement.strip(),
        origin="definition",
    )


def schema_from_definition(data: dict[str, Any], *, source: str) -> SchemaSpec:
    """Build a schema from a parsed definition.

    Args:
        data: The definition object (see :func:`parse_definition`).
        source: Where it came from, for messages.

    Returns:
        The schema: one field per key of ``fields``, in the definition's order.

    Example:
        >>> spec = schema_from_definition(
        ...     {"fields": {"Email": "{{Activity.Contact.Field(C_EmailAddress)}}"}}, source="d"
        ... )
        >>> spec.fields[0].kind
        <Kind.EMAIL: 'email'>
    """
    fields = tuple(
        _field_from_statement(str(key), statement, source)
        for key, statement in data["fields"].items()
    )
    contact_keys = tuple(
        f.name for f in fields if f.statement and f.statement.strip("{} ") in _CONTACT_KEYS
    )
    return SchemaSpec(
        name=str(data.get("name") or "import definition"),
        fields=fields,
        one_of=(contact_keys,) if contact_keys else (),
        origin=f"definition {source}",
    )
