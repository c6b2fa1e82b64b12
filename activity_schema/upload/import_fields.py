"""Build the body of a new activity import definition from a schema's fields.

``upload --create-import`` creates its own definition (``POST
/api/bulk/2.0/activities/imports``), so each field the parts carry needs the Eloqua
markup statement it maps to (``docs/eloqua.md``, "The import definition"). A field
takes, in order:

1. its own ``statement`` (fields of a definition file carry one);
2. a statement named by the field or one of its aliases (``Activity.Type``,
   ``C_EmailAddress``: the built-in schema lists those as aliases);
3. the activity statement whose usual column name it has (``ActivityDate`` ->
   ``{{Activity.CreatedAt}}``, ``CampaignId`` -> ``{{Activity.Campaign.Id}}``), or, for
   an email field, the contact's email address;
4. ``{{Activity.Field(Name)}}`` for any other plain name.

Two fields mapping to the same statement are refused: Eloqua would get the value twice
and one of them silently wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from ..errors import ConfigError
from ..schema.fields import CONTACT_FIELDS, FieldSpec, Kind, SchemaSpec, header_key

__all__ = ["import_body", "import_statements", "statement_for"]

# Activity statements an import accepts (docs/eloqua.md) and the usual column names of each.
_ACTIVITY_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "Activity.Type": ("ActivityType", "Type"),
    "Activity.CreatedAt": ("ActivityDate", "CreatedAt", "Date"),
    "Activity.Asset.Type": ("AssetType",),
    "Activity.Asset.Name": ("AssetName",),
    "Activity.Asset.Id": ("AssetId",),
    "Activity.Campaign.Id": ("CampaignId",),
    "Activity.Contact.Id": ("ContactId",),
    "Activity.Id": ("ActivityId",),
    "Activity.ExternalId": ("ExternalId",),
}
_BY_KEY: Final = {header_key(n): s for s, names in _ACTIVITY_NAMES.items() for n in names}
_PLAIN_NAME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_STATEMENT: Final = re.compile(r"^\{\{\s*(.+?)\s*\}\}$")


def _wrap(inner: str) -> str:
    return "{{" + inner + "}}"


def statement_for(spec: FieldSpec) -> str:
    """Return the markup statement a field maps to in a new definition.

    Raises:
        ConfigError: The field has no known statement and its name cannot be an
            activity field's (``{{Activity.Field(Name)}}`` takes letters, digits and ``_``).

    Example:
        >>> statement_for(FieldSpec("ActivityDate", Kind.DATETIME))
        '{{Activity.CreatedAt}}'
        >>> statement_for(FieldSpec("email", Kind.EMAIL, aliases=("C_EmailAddress",)))
        '{{Activity.Contact.Field(C_EmailAddress)}}'
    """
    if spec.statement and _STATEMENT.match(spec.statement):
        return spec.statement
    for name in (spec.name, *spec.aliases):
        if name in _ACTIVITY_NAMES:
            return _wrap(name)
        if name in CONTACT_FIELDS:
            return _wrap(f"Activity.Contact.Field({name})")
    by_name = _BY_KEY.get(header_key(spec.name))
    if by_name is not None:
        return _wrap(by_name)
    if spec.kind is Kind.EMAIL:
        return _wrap("Activity.Contact.Field(C_EmailAddress)")
    if _PLAIN_NAME.match(spec.name):
        return _wrap(f"Activity.Field({spec.name})")
    raise ConfigError(
        f"field {spec.name!r} has no Eloqua statement for a new import definition",
        where="--create-import",
        hint="give the statements in a definition file (--definition), or rename the field "
        "to letters, digits and '_'",
    )


def import_statements(spec: SchemaSpec, names: Iterable[str]) -> dict[str, str]:
    """Return ``{field name: statement}`` for the named fields of ``spec``, in that order.

    Args:
        spec: The schema the parts were written with.
        names: The fields the parts carry (the manifest's ``schema.fields``).

    Raises:
        ConfigError: A name is not a field of ``spec``, a field has no statement, or two
            fields map to the same statement.

    Example:
        >>> from activity_schema.schema.fields import DEFAULT_SCHEMA
        >>> import_statements(DEFAULT_SCHEMA, ["type", "ActivityDate"])
        {'type': '{{Activity.Type}}', 'ActivityDate': '{{Activity.CreatedAt}}'}
    """
    fields: dict[str, str] = {}
    taken: dict[str, str] = {}
    for name in names:
        try:
            spec_field = spec.field(name)
        except KeyError:
            raise ConfigError(
                f"the parts carry the field {name!r}, which the schema does not have",
                where="--create-import",
                hint="pass the --definition or --config the folder was converted with",
            ) from None
        statement = statement_for(spec_field)
        if statement in taken:
            raise ConfigError(
                f"fields {taken[statement]!r} and {name!r} both map to {statement}",
                where="--create-import",
                hint="keep one of them, or give the statements in a definition file",
            )
        taken[statement] = name
        fields[name] = statement
    return fields


def import_body(
    name: str, fields: dict[str, str], *, auto_delete: str, retention: str
) -> dict[str, Any]:
    """Return the ``ActivityImportIndividual`` body that creates the definition.

    The definition never syncs on import (the uploader syncs once per batch, and only a
    definition that does not sync on import can have a lost data POST healed by
    deleting its staged data).

    Example:
        >>> import_body("n", {"T": "{{Activity.Type}}"}, auto_delete="P7D", retention="P14D")
        ... # doctest: +NORMALIZE_WHITESPACE
        {'name': 'n', 'fields': {'T': '{{Activity.Type}}'}, 'isSyncTriggeredOnImport': False,
         'autoDeleteDuration': 'P7D', 'dataRetentionDuration': 'P14D'}
    """
    return {
        "name": name,
        "fields": dict(fields),
        "isSyncTriggeredOnImport": False,
        "autoDeleteDuration": auto_delete,
        "dataRetentionDuration": retention,
    }
