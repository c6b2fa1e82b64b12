"""Schemas as pandera polars models: the built-in default and the bridge to specs.

The engine validates typed frames with pandera's polars backend. A schema can come as
a :class:`~activity_schema.schema.fields.SchemaSpec` (built-in, definition, config), turned into
a pandera ``DataFrameSchema`` by :func:`to_pandera`; or as a user's subclass of
:class:`ActivityImportDataItem` with extra rules, turned back into a spec by
:func:`spec_from_model` so that header mapping and normalization know its fields.

Column dtypes are the *typed* forms: integers are ``Int64`` and dates ``Datetime``; the
engine casts them itself (reporting every uncastable cell) before pandera sees them.

Example:
    >>> import pandera.polars as pa
    >>> class Webinar(ActivityImportDataItem):
    ...     @pa.check("type", name="webinar-types")
    ...     def known_type(cls, data: pa.PolarsData) -> pl.LazyFrame:
    ...         return data.lazyframe.select(pl.col(data.key).is_in(["Registered", "Attended"]))
"""

from __future__ import annotations

from typing import Any

import pandera.polars as pa
import polars as pl

from ..defaults import EMAIL_MAX_LENGTH, MAX_INTEGER_DIGITS
from .dtypes import dtype_of
from .fields import DEFAULT_SCHEMA, FieldSpec, Kind, SchemaSpec

__all__ = ["ActivityImportDataItem", "dtype_of", "spec_from_model", "to_pandera"]


def _meta(name: str) -> dict[str, Any]:
    spec = DEFAULT_SCHEMA.field(name)
    return {"kind": spec.kind.value, "aliases": list(spec.aliases)}


class ActivityImportDataItem(pa.DataFrameModel):
    """The built-in default: the reference page's keys plus the usual optional fields.

    Subclass it to add fields or checks; pass the subclass as ``model=`` to the Python
    API. Column metadata carries the field's kind and header aliases.
    """

    activityId: pl.Int64 = pa.Field(nullable=False, ge=0, metadata=_meta("activityId"))
    email: str = pa.Field(
        nullable=False, str_length={"max_value": EMAIL_MAX_LENGTH}, metadata=_meta("email")
    )
    type: str = pa.Field(nullable=False, str_length={"max_value": 100}, metadata=_meta("type"))
    FirstName: str = pa.Field(
        nullable=True, str_length={"max_value": 100}, metadata=_meta("FirstName")
    )
    LastName: str = pa.Field(
        nullable=True, str_length={"max_value": 100}, metadata=_meta("LastName")
    )
    AssetType: str = pa.Field(
        nullable=True, str_length={"max_value": 100}, metadata=_meta("AssetType")
    )
    AssetName: str = pa.Field(
        nullable=True, str_length={"max_value": 100}, metadata=_meta("AssetName")
    )
    AssetId: pl.Int64 = pa.Field(nullable=True, ge=0, metadata=_meta("AssetId"))
    CampaignId: pl.Int64 = pa.Field(nullable=True, ge=0, metadata=_meta("CampaignId"))
    ActivityDate: pl.Datetime = pa.Field(nullable=True, metadata=_meta("ActivityDate"))

    class Config:
        """Extra columns are reported by header mapping, not by pandera."""

        strict = False
        coerce = False


def to_pandera(spec: SchemaSpec) -> pa.DataFrameSchema:
    """Build the pandera schema that checks a typed frame against ``spec``.

    Example:
        >>> to_pandera(DEFAULT_SCHEMA).columns["email"].nullable
        False
    """
    columns: dict[str, pa.Column] = {}
    for f in spec.fields:
        checks: list[pa.Check] = []
        if f.kind is Kind.INTEGER:
            checks.append(pa.Check.ge(0))
        elif f.max_length is not None and f.kind is not Kind.DATETIME:
            checks.append(pa.Check.str_length(max_value=f.max_length))
        if f.allowed is not None:
            checks.append(pa.Check.isin(list(f.allowed)))
        columns[f.name] = pa.Column(
            dtype_of(f.kind),
            checks=checks,
            nullable=not f.required,
            required=False,
            metadata={"kind": f.kind.value},
        )
    return pa.DataFrameSchema(columns, name=spec.name, strict=False, coerce=False)


def _kind_of(column: Any) -> Kind:
    meta = column.metadata or {}
    if "kind" in meta:
        return Kind(meta["kind"])
    dtype = str(column.dtype)
    if dtype.startswith(("Int", "UInt")):
        return Kind.INTEGER
    if dtype.startswith("Datetime") or dtype == "Date":
        return Kind.DATETIME
    return Kind.TEXT


def spec_from_model(model: type[pa.DataFrameModel]) -> tuple[SchemaSpec, pa.DataFrameSchema]:
    """Read a pandera model's fields into a spec, and return its schema too.

    The spec drives header mapping and normalization; the schema (with the model's own
    checks) drives validation.
    """
    schema = model.to_schema()
    fields: list[FieldSpec] = []
    for name, column in schema.columns.items():
        kind = _kind_of(column)
        max_length: int | None = None
        allowed: tuple[str, ...] | None = None
        for check in column.checks:
            stats = check.statistics or {}
            if check.name == "str_length" and stats.get("max_value") is not None:
                max_length = int(stats["max_value"])
            elif check.name == "isin":
                allowed = tuple(str(v) for v in stats.get("allowed_values", ()))
        if kind is Kind.INTEGER:
            max_length = MAX_INTEGER_DIGITS
        meta = column.metadata or {}
        fields.append(
            FieldSpec(
                name=str(name),
                kind=kind,
                required=not column.nullable,
                max_length=max_length,
                allowed=allowed,
                aliases=tuple(meta.get("aliases", ())),
                origin=f"model {model.__name__}",
            )
        )
    return SchemaSpec(
        name=model.__name__, fields=tuple(fields), origin=f"model {model.__name__}"
    ), schema
