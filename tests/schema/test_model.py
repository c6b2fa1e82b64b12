"""The pandera model: the built-in ``ActivityImportDataItem`` and users' subclasses of it."""

from __future__ import annotations

from pathlib import Path

import pandera.polars as pa
import polars as pl
import pytest

from activity_schema.jobs.whole import prepare, resolve_schema
from activity_schema.schema.fields import DEFAULT_SCHEMA, FieldSpec, Kind
from activity_schema.schema.model import (
    ActivityImportDataItem,
    dtype_of,
    spec_from_model,
    to_pandera,
)


class Webinar(ActivityImportDataItem):
    """A user's rules: known activity types, no test assets, a campaign needs an asset.

    pandera turns check methods into classmethods, so they take ``cls`` (N805 ignored).
    """

    Score: pl.Int64 = pa.Field(nullable=True, ge=0)

    @pa.check("type", name="webinar-types")
    def known_type(cls, data: pa.PolarsData) -> pl.LazyFrame:  # noqa: N805
        return data.lazyframe.select(pl.col(data.key).is_in(["Registered", "Attended"]))

    @pa.check("AssetName", name="no-test-assets")
    def no_test_assets(cls, data: pa.PolarsData) -> pl.LazyFrame:  # noqa: N805
        return data.lazyframe.select(~pl.col(data.key).str.contains("(?i)test"))

    @pa.dataframe_check(name="campaign-needs-asset")
    def campaign_needs_asset(cls, data: pa.PolarsData) -> pl.LazyFrame:  # noqa: N805
        return data.lazyframe.select(
            pl.col("CampaignId").is_null() | pl.col("AssetName").is_not_null()
        )


ROWS = [
    {"activityId": "1", "email": "a@example.com", "type": "Registered", "AssetName": "Launch"},
    {"activityId": "2", "email": "b@example.com", "type": "Visited", "AssetName": "Launch"},
    {"activityId": "3", "email": "c@example.com", "type": "Attended", "AssetName": "TEST asset"},
    {"activityId": "4", "email": "d@example.com", "type": "Bogus", "CampaignId": "7"},
    {"activityId": "5", "email": "e@example.com", "type": "Attended", "Score": "12"},
    {"activityId": "6", "email": "f@example.com", "type": "Attended", "Score": "x"},
]


def test_subclass_checks_become_schema_check_issues_on_their_rows() -> None:
    result = prepare(ROWS, model=Webinar)
    found = {
        (i["row"], i["line"], i["code"], i["field"], i["message"])
        for i in result.issues.iter_rows(named=True)
    }
    assert found == {
        (2, 2, "schema-check", "type", "check 'webinar-types' failed"),
        (4, 4, "schema-check", "type", "check 'webinar-types' failed"),
        (3, 3, "schema-check", "AssetName", "check 'no-test-assets' failed"),
        (4, 4, "schema-check", None, "check 'campaign-needs-asset' failed"),
        (6, 6, "invalid-integer", "Score", "not a valid integer: not an integer"),
    }
    assert all(i == "error" for i in result.issues.get_column("severity"))
    assert result.clean.get_column("_row").to_list() == [1, 5]
    assert result.clean.get_column("Score").to_list() == [None, "12"]
    rejects = result.rejects.select("_row", "codes").rows()
    assert rejects == [
        (2, "schema-check"),
        (3, "schema-check"),
        (4, "schema-check"),
        (6, "invalid-integer"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Registered", []),
        ("Attended", []),
        ("Visited", ["schema-check"]),
        ("registered", ["schema-check"]),  # matching is exact
        (" Registered ", ["normalized"]),  # trimmed (a fix) before the check runs
        ("", ["missing-value"]),  # required: an empty type is missing, not a check failure
    ],
)
def test_subclass_check_sees_normalized_values(value: str, expected: list[str]) -> None:
    row = {"activityId": "1", "email": "a@example.com", "type": value}
    assert prepare([row], model=Webinar).issues.get_column("code").to_list() == expected


def test_subclass_keeps_the_parent_rules() -> None:
    rows = [{"activityId": "-3", "email": "nobody", "type": "Registered", "FirstName": "x" * 101}]
    codes = set(prepare(rows, model=Webinar).issues.get_column("code"))
    assert codes == {"invalid-integer", "invalid-email", "too-long"}


def test_subclass_maps_headers_through_the_parent_aliases() -> None:
    csv = b"Activity ID,E-mail Address,Activity Type,Score\n1,a@example.com,Visited,3\n"
    result = prepare(csv, model=Webinar)
    assert [(i["code"], i["row"]) for i in result.issues.iter_rows(named=True) if i["row"]] == [
        ("schema-check", 1)
    ]


def test_model_wins_over_a_definition(tmp_path: Path) -> None:
    definition = tmp_path / "def.json"
    definition.write_text('{"fields": {"Email": "{{Activity.Contact.Field(C_EmailAddress)}}"}}')
    spec, _, _ = resolve_schema(model=Webinar, definition=definition)
    assert spec.names == (*DEFAULT_SCHEMA.names, "Score")


@pytest.mark.parametrize("field", DEFAULT_SCHEMA.fields, ids=lambda f: f.name)
def test_default_model_matches_the_default_spec(field: FieldSpec) -> None:
    spec, _ = spec_from_model(ActivityImportDataItem)
    derived = spec.field(field.name)
    assert (derived.kind, derived.required, derived.max_length, derived.aliases) == (
        field.kind,
        field.required,
        field.max_length,
        field.aliases,
    )


def test_default_model_has_the_default_fields_in_order() -> None:
    spec, schema = spec_from_model(ActivityImportDataItem)
    assert spec.names == DEFAULT_SCHEMA.names
    assert list(schema.columns) == list(to_pandera(DEFAULT_SCHEMA).columns)


@pytest.mark.parametrize(
    ("kind", "dtype"),
    [
        (Kind.TEXT, pl.String()),
        (Kind.NAME, pl.String()),
        (Kind.EMAIL, pl.String()),
        (Kind.INTEGER, pl.Int64()),
        (Kind.DATETIME, pl.Datetime("us")),
    ],
)
def test_dtype_of(kind: Kind, dtype: pl.DataType) -> None:
    assert dtype_of(kind) == dtype


@pytest.mark.parametrize(
    ("column", "nullable", "dtype"),
    [
        ("activityId", False, pl.Int64()),
        ("email", False, pl.String()),
        ("type", False, pl.String()),
        ("FirstName", True, pl.String()),
        ("CampaignId", True, pl.Int64()),
        ("ActivityDate", True, pl.Datetime("us")),
    ],
)
def test_to_pandera_columns(column: str, nullable: bool, dtype: pl.DataType) -> None:
    schema = to_pandera(DEFAULT_SCHEMA)
    assert schema.columns[column].nullable is nullable
    assert schema.columns[column].dtype.type == dtype


def test_to_pandera_validates_a_typed_frame_lazily() -> None:
    from pandera.errors import SchemaErrors

    schema = to_pandera(DEFAULT_SCHEMA)
    frame = pl.DataFrame(
        {"activityId": [1, -1], "email": ["a@example.com", None], "type": ["R", "x" * 101]},
        schema={"activityId": pl.Int64, "email": pl.String, "type": pl.String},
    )
    with pytest.raises(SchemaErrors) as info:
        schema.validate(frame, lazy=True)
    # Every failing column is collected in one pass, not just the first.
    assert set(info.value.failure_cases.get_column("column")) == {"activityId", "email", "type"}
