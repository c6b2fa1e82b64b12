"""The field catalog: what an ``ActivityImportDataItem`` field is, and the built-in default.

This module says *what* the fields are (name, kind, required, limits, aliases and where
each rule came from); how a frame is checked against them lives in the engine. The
default schema accepts the Eloqua reference page's example keys exactly as spelled
there (``activityId``, ``email``, ``type``) plus the optional fields of a usable activity.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

from ..defaults import DEFAULT_MAX_LENGTH, EMAIL_MAX_LENGTH, MAX_INTEGER_DIGITS

__all__ = [
    "DEFAULT_SCHEMA",
    "FieldSpec",
    "Kind",
    "SchemaSpec",
    "header_key",
]


class Kind(StrEnum):
    """What a field holds; decides its normalizer and its checks."""

    TEXT = "text"
    NAME = "name"
    EMAIL = "email"
    INTEGER = "integer"
    DATETIME = "datetime"


@dataclass(frozen=True)
class FieldSpec:
    """One field of an import: its exact name, kind and rules.

    Attributes:
        name: The key Eloqua expects, exactly as the definition spells it.
        kind: What the field holds.
        required: Whether every row needs a value.
        max_length: Longest value in characters (None: no limit).
        allowed: The only values accepted (None: any).
        aliases: Other headers that mean this field (matched loosely).
        statement: The Eloqua markup statement, for definition-derived fields.
        description: A short human description.
        origin: Where the field's rules came from (``built-in``, ``definition``,
            ``config``, ``model``), shown by ``activity-schema schema``.
    """

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    max_length: int | None = DEFAULT_MAX_LENGTH
    allowed: tuple[str, ...] | None = None
    aliases: tuple[str, ...] = ()
    statement: str | None = None
    description: str = ""
    origin: str = "built-in"

    def with_rules(self, **changes: object) -> FieldSpec:
        """Return a copy with some rules changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SchemaSpec:
    """A whole import schema: ordered fields and row-level rules.

    Attributes:
        name: A display name.
        fields: The fields, in output order.
        one_of: Groups of fields of which each row needs at least one (a contact key).
        origin: Where the schema came from.
    """

    name: str
    fields: tuple[FieldSpec, ...]
    one_of: tuple[tuple[str, ...], ...] = ()
    origin: str = "built-in"

    @property
    def names(self) -> tuple[str, ...]:
        """Return the field names in order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        """Return the field called ``name``.

        Raises:
            KeyError: No such field.
        """
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def replace_field(self, spec: FieldSpec) -> SchemaSpec:
        """Return a copy with the field of the same name replaced."""
        return replace(self, fields=tuple(spec if f.name == spec.name else f for f in self.fields))


_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    """Return a header's loose matching key: no case, spaces, punctuation or diacritics.

    Example:
        >>> header_key("E-mail Address ")
        'emailaddress'
        >>> header_key("Prénom")
        'prenom'
    """
    text = unicodedata.normalize("NFKD", header).casefold()
    text = _COMBINING.sub("", text).replace("ß", "ss")
    return _NON_ALNUM.sub("", text)


# Eloqua contact fields (docs/eloqua.md section 6): internal name -> (kind, display names).
CONTACT_FIELDS: dict[str, tuple[Kind, tuple[str, ...]]] = {
    "C_EmailAddress": (
        Kind.EMAIL,
        (
            "Email Address",
            "Email",
            "E-mail",
            "E-mail Address",
            "Mail",
            "Contact Email",
            "Work Email",
            "Business Email",
            "Email_Address",
            "EmailAddress",
        ),
    ),
    "C_FirstName": (Kind.NAME, ("First Name", "FirstName", "Given Name", "Forename", "fname")),
    "C_LastName": (Kind.NAME, ("Last Name", "LastName", "Surname", "Family Name", "lname")),
    "C_Company": (
        Kind.TEXT,
        ("Company", "Company Name", "Organization", "Organisation", "Account"),
    ),
    "C_Title": (Kind.TEXT, ("Title", "Job Title")),
    "C_Salutation": (Kind.TEXT, ("Salutation",)),
    "C_Address1": (Kind.TEXT, ("Address 1", "Address", "Street")),
    "C_Address2": (Kind.TEXT, ("Address 2",)),
    "C_Address3": (Kind.TEXT, ("Address 3",)),
    "C_City": (Kind.TEXT, ("City", "Town")),
    "C_State_Prov": (Kind.TEXT, ("State or Province", "State", "Province", "State/Province")),
    "C_Zip_Postal": (
        Kind.TEXT,
        ("Zip or Postal Code", "Zip", "Postal Code", "Postcode", "ZIP Code"),
    ),
    "C_Country": (Kind.TEXT, ("Country",)),
    "C_BusPhone": (Kind.TEXT, ("Business Phone", "Phone", "Work Phone")),
    "C_MobilePhone": (Kind.TEXT, ("Mobile Phone", "Mobile", "Cell Phone")),
    "C_Fax": (Kind.TEXT, ("Fax", "Fax Number")),
    "C_EmailDisplayName": (Kind.TEXT, ("Email Display Name",)),
}

_EMAIL, _FIRST, _LAST = (
    CONTACT_FIELDS[k][1] for k in ("C_EmailAddress", "C_FirstName", "C_LastName")
)

DEFAULT_SCHEMA = SchemaSpec(
    name="ActivityImportDataItem",
    origin="built-in",
    fields=(
        FieldSpec(
            "activityId",
            Kind.INTEGER,
            required=True,
            max_length=MAX_INTEGER_DIGITS,
            aliases=("Activity ID", "ActivityId", "Activity Id", "Activity.Id", "Id"),
            description="Identifier of the activity (an integer, as in the reference example).",
        ),
        FieldSpec(
            "email",
            Kind.EMAIL,
            required=True,
            max_length=EMAIL_MAX_LENGTH,
            aliases=("C_EmailAddress", *_EMAIL),
            description="The contact's email address: the contact key.",
        ),
        FieldSpec(
            "type",
            Kind.TEXT,
            required=True,
            aliases=("ActivityType", "Activity Type", "Activity.Type", "Activity"),
            description="The activity type configured under the external asset type.",
        ),
        FieldSpec("FirstName", Kind.NAME, aliases=("C_FirstName", *_FIRST)),
        FieldSpec("LastName", Kind.NAME, aliases=("C_LastName", *_LAST)),
        FieldSpec("AssetType", Kind.TEXT, aliases=("Asset Type", "Activity.Asset.Type")),
        FieldSpec(
            "AssetName",
            Kind.TEXT,
            aliases=("Asset Name", "Asset", "Activity.Asset.Name", "Event Name", "Webinar Name"),
        ),
        FieldSpec(
            "AssetId",
            Kind.INTEGER,
            max_length=MAX_INTEGER_DIGITS,
            aliases=("Asset ID", "Asset Id", "Activity.Asset.Id"),
        ),
        FieldSpec(
            "CampaignId",
            Kind.INTEGER,
            max_length=MAX_INTEGER_DIGITS,
            aliases=("Campaign ID", "Campaign Id", "CampaignID", "Activity.Campaign.Id"),
        ),
        FieldSpec(
            "ActivityDate",
            Kind.DATETIME,
            max_length=None,
            aliases=(
                "Activity Date",
                "Date",
                "CreatedAt",
                "Created At",
                "Created Date",
                "Timestamp",
                "Activity.CreatedAt",
                "Registration Date",
                "Attended Date",
            ),
        ),
    ),
)
