"""Write a starter ``activity_schema.toml``: what ``activity-schema init`` generates.

The starter names the import definition (when there is one), lists the settings with
their defaults commented out, and, from a sample export, infers what a user would
otherwise type by hand:

- the column mapping: an ``[aliases]`` entry for each header that reaches its field only
  by loose or alias matching (an explicit alias also silences ``renamed-column``), and a
  commented line for each header that maps to nothing;
- the allowed values of the activity type and asset type fields, when the sample holds
  only a few distinct ones (``MAX_INFERRED_VALUES``); and, commented, the activity types
  seen per asset type.

Everything here is pure: the CLI reads the sample and writes the file.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

import polars as pl

from ..checking.mapping import map_headers
from ..defaults import DEFAULT_DATE_FORMAT, DEFAULT_DATE_ORDER, DEFAULT_TIMEZONE, NULL_STRINGS
from ..readers import SourceTable
from ..schema.fields import FieldSpec, SchemaSpec

__all__ = [
    "MAX_INFERRED_VALUES",
    "Inferred",
    "infer_from_sample",
    "starter_toml",
    "toml_string",
    "value_fields",
]

#: A type-like column with more distinct values than this is not turned into an
#: ``allowed`` list: it is probably not a closed set of types.
MAX_INFERRED_VALUES = 20
#: Statements (and, for the default schema, names) of the fields whose values are a
#: closed set configured in Eloqua: the activity type and the asset type.
_TYPE_STATEMENTS = ("{{Activity.Type}}", "{{Activity.Asset.Type}}")
_TYPE_NAMES = ("type", "AssetType")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Inferred:
    """What a sample export says about the config.

    Attributes:
        sample: The sample's display name.
        rows: Its record count.
        aliases: ``{header: field}`` for headers that map only loosely or by alias.
        duplicates: ``{header: field}`` for further headers mapping to an aliased field.
        unmapped: ``{header: suggestion or None}`` for headers that map to no field.
        allowed: ``{field: values}`` for type-like fields with few distinct values.
        too_many: ``{field: distinct count}`` for type-like fields with too many.
        activity_types: ``{asset type: activity types}`` seen together in the sample.
    """

    sample: str
    rows: int
    aliases: dict[str, str] = field(default_factory=dict)
    duplicates: dict[str, str] = field(default_factory=dict)
    unmapped: dict[str, str | None] = field(default_factory=dict)
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    too_many: dict[str, int] = field(default_factory=dict)
    activity_types: dict[str, tuple[str, ...]] = field(default_factory=dict)


def value_fields(spec: SchemaSpec) -> tuple[str | None, str | None]:
    """Return the names of the activity type and asset type fields (None when absent).

    Example:
        >>> from activity_schema.schema.fields import DEFAULT_SCHEMA
        >>> value_fields(DEFAULT_SCHEMA)
        ('type', 'AssetType')
    """
    found: list[str | None] = []
    for statement, name in zip(_TYPE_STATEMENTS, _TYPE_NAMES, strict=True):
        by_statement = next((f.name for f in spec.fields if f.statement == statement), None)
        found.append(by_statement or (name if name in spec.names else None))
    return found[0], found[1]


def _clean(column: str) -> pl.Expr:
    # The same light touch the normalizer gives text: NFC is applied in Python below.
    text = pl.col(column).str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(text.is_in(list(NULL_STRINGS)) | (text == "")).then(None).otherwise(text)


def infer_from_sample(
    spec: SchemaSpec, table: SourceTable, *, max_values: int = MAX_INFERRED_VALUES
) -> Inferred:
    """Infer aliases and allowed values from a sample export.

    Args:
        spec: The schema the sample's headers are mapped onto.
        table: The sample, as read.
        max_values: The most distinct values turned into an ``allowed`` list.

    Returns:
        What the sample says; see :class:`Inferred`.

    Example:
        >>> from activity_schema.schema.fields import DEFAULT_SCHEMA
        >>> from activity_schema.readers import read_bytes
        >>> table = read_bytes(b"E-mail,activityId,type\\na@b.co,1,Attended\\n", name="s.csv")
        >>> found = infer_from_sample(DEFAULT_SCHEMA, table)
        >>> found.aliases, found.allowed
        ({'E-mail': 'email'}, {'type': ('Attended',)})
    """
    mapping = map_headers(table.headers, table.columns, spec, file=table.name)
    aliases: dict[str, str] = {}
    duplicates: dict[str, str] = {}
    unmapped: dict[str, str | None] = {}
    column_of: dict[str, str] = {}
    for match in mapping.matches:
        if match.field is None:
            if match.header.strip():
                unmapped[match.header] = match.suggestion
            continue
        if match.field in column_of:
            duplicates[match.header] = match.field
            continue
        column_of[match.field] = match.column
        if match.header != match.field:
            aliases[match.header] = match.field

    allowed: dict[str, tuple[str, ...]] = {}
    too_many: dict[str, int] = {}
    type_field, asset_field = value_fields(spec)
    for name in (type_field, asset_field):
        if name is None or name not in column_of:
            continue
        unique = table.frame.select(_clean(column_of[name])).to_series().drop_nulls().unique()
        if unique.len() > max_values:
            too_many[name] = unique.len()
        elif unique.len():
            allowed[name] = tuple(sorted({_nfc(str(v)) for v in unique}))

    activity_types: dict[str, tuple[str, ...]] = {}
    if type_field and asset_field and type_field in column_of and asset_field in column_of:
        pairs = (
            table.frame.select(
                _clean(column_of[asset_field]).alias("asset"),
                _clean(column_of[type_field]).alias("type"),
            )
            .drop_nulls()
            .unique()
        )
        by_asset: dict[str, set[str]] = {}
        if pairs.height <= max_values * max_values:
            for asset, kind in pairs.iter_rows():
                by_asset.setdefault(_nfc(asset), set()).add(_nfc(kind))
        if len(by_asset) <= max_values:
            activity_types = {
                asset: tuple(sorted(kinds)) for asset, kinds in sorted(by_asset.items())
            }
    return Inferred(
        sample=table.name,
        rows=table.rows,
        aliases=aliases,
        duplicates=duplicates,
        unmapped=unmapped,
        allowed=allowed,
        too_many=too_many,
        activity_types=activity_types,
    )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def toml_string(text: str) -> str:
    r"""Return ``text`` as a TOML basic string (also usable as a quoted key).

    Example:
        >>> toml_string('say "hi"\x7f')
        '"say \\"hi\\"\\u007f"'
    """
    # JSON escapes are a subset of TOML's basic-string escapes, except that TOML also
    # forbids a raw DEL, which JSON leaves alone.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else toml_string(name)


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def _describe(spec: FieldSpec) -> str:
    parts = [str(spec.kind)]
    if spec.required:
        parts.append("required")
    if spec.max_length is not None:
        parts.append(f"max_length {spec.max_length}")
    if spec.allowed is not None:
        parts.append(f"allowed {', '.join(spec.allowed)}")
    return ", ".join(parts)


def starter_toml(
    spec: SchemaSpec,
    inferred: Inferred | None = None,
    *,
    definition: str | None = None,
) -> str:
    """Return the text of a starter config for ``spec``.

    Args:
        spec: The schema the config refines (the definition's, or the built-in default).
        inferred: What a sample export says (see :func:`infer_from_sample`).
        definition: The definition's path as the config should name it (relative to
            the config file's folder); None for the built-in default schema.

    Returns:
        TOML text that :func:`~activity_schema.schema.config.load_settings` accepts as it is.

    Example:
        >>> from activity_schema.schema.fields import DEFAULT_SCHEMA
        >>> "[aliases]" in starter_toml(DEFAULT_SCHEMA)
        True
    """
    source = f" from {definition}" if definition else ""
    if inferred is not None:
        source += f"{' and' if definition else ' from'} {inferred.sample} ({inferred.rows:,} rows)"
    lines = [
        "# activity_schema.toml: project rules for activity-schema.",
        f"# Written by `activity-schema init`{source}.",
        "# Review it, then commit it next to your exports.",
        "# Precedence: command-line flags > this file > the import definition > the built-in",
        "# default. `activity-schema schema` shows the effective result.",
        "",
    ]
    if definition:
        lines += [
            f"definition = {toml_string(definition)}  # relative to this file",
            "",
        ]
    lines += [
        f"# timezone = {toml_string(DEFAULT_TIMEZONE)}  # dates with an offset are converted",
        f"# date_format = {toml_string(DEFAULT_DATE_FORMAT)}",
        '# date_order = "auto"  # auto | mdy | dmy',
        f"# default_date_order = {toml_string(DEFAULT_DATE_ORDER)}  # for all-ambiguous columns",
        "# strict = false  # exit 1 on warnings too",
        "",
        f"# The fields of {spec.name} (the keys of the upload):",
    ]
    lines += [f"#   {f.name}: {_describe(f)}" for f in spec.fields]
    lines += ["", "[aliases]  # source header = field"]
    if inferred is None:
        lines.append('# "Registrant Email" = "email"')
    else:
        lines += [f"{toml_string(h)} = {toml_string(f)}" for h, f in inferred.aliases.items()]
        for header, target in inferred.duplicates.items():
            lines.append(
                f"# {toml_string(header)} = {toml_string(target)}  "
                "# another column for the same field: keep one"
            )
        for header, suggestion in inferred.unmapped.items():
            if suggestion:
                lines.append(
                    f"# {toml_string(header)} = {toml_string(suggestion)}  "
                    "# maps to no field; did you mean this one?"
                )
            else:
                lines.append(f"# {toml_string(header)}: maps to no field; it is not uploaded")
    if inferred is not None:
        for name, values in inferred.allowed.items():
            lines += [
                "",
                f"[fields.{_key(name)}]",
                f"# The {len(values)} value(s) seen in {inferred.sample}; add the others your "
                "instance has.",
                f"allowed = {_list(values)}",
            ]
        for name, count in inferred.too_many.items():
            lines += [
                "",
                f"# {name}: {count:,} distinct values in {inferred.sample}, too many to list.",
                f"# [fields.{_key(name)}]",
                '# allowed = ["..."]',
            ]
        if inferred.activity_types:
            lines += [
                "",
                "# Activity types seen per asset type; uncomment to check each pair:",
                "# [activity_types]",
            ]
            lines += [
                f"# {toml_string(asset)} = {_list(kinds)}"
                for asset, kinds in inferred.activity_types.items()
            ]
    else:
        example = value_fields(spec)[0] or spec.fields[0].name
        lines += [
            "",
            f"# [fields.{_key(example)}]",
            '# allowed = ["Registered", "Attended"]',
            "# max_length = 100",
        ]
    return "\n".join(lines) + "\n"
