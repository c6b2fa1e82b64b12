"""The spec's own checks run as polars expressions, and report exactly what pandera reports.

``SchemaChecks`` hands the checks ``to_pandera(spec)`` declares (required, maximum
length, allowed values, non-negative ids) to polars and leaves only a model's own checks
to pandera. These tests hold the two paths equal, issue for issue and in order, on
random typed frames, and check the split itself: what goes where, and when a schema is
left whole to pandera because it says something the spec does not.
"""

from __future__ import annotations

from pathlib import Path

import pandera.polars as pa
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imports_of import modules_imported

from activity_schema.checking.validate import SchemaChecks, _schema_failures
from activity_schema.jobs.whole import prepare, resolve_schema
from activity_schema.readers import LINE, ROW
from activity_schema.schema.dtypes import dtype_of
from activity_schema.schema.fields import FieldSpec, Kind, SchemaSpec
from activity_schema.schema.model import ActivityImportDataItem, to_pandera

SPEC = SchemaSpec(
    name="checks",
    fields=(
        FieldSpec(name="id", kind=Kind.INTEGER, required=True, max_length=19),
        FieldSpec(name="email", kind=Kind.EMAIL, required=True, max_length=6),
        FieldSpec(name="type", kind=Kind.TEXT, required=False, max_length=4, allowed=("ab", "c")),
        FieldSpec(name="note", kind=Kind.TEXT, required=True, max_length=None),
        FieldSpec(name="AssetId", kind=Kind.INTEGER, required=False, max_length=19),
        FieldSpec(name="when", kind=Kind.DATETIME, required=True),
        FieldSpec(name="kind", kind=Kind.TEXT, required=True, allowed=("x", "yy", "zzzzz")),
    ),
)

_texts = st.none() | st.sampled_from(["", "ab", "c", "x", "yy", "zzzzz", "é" * 5, "abcdefg"])
_ints = st.none() | st.integers(min_value=-3, max_value=3)
_dates = st.none() | st.just(0)


def _typed(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    names = SPEC.names
    columns = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    frame = pl.DataFrame(
        {n: columns[n] for n in names},
        schema={
            f.name: dtype_of(f.kind) if f.kind is not Kind.DATETIME else pl.Int64
            for f in SPEC.fields
        },
    )
    return frame.with_columns(pl.col("when").cast(pl.Datetime("us"))).select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW),
        (pl.int_range(1, pl.len() + 1, dtype=pl.Int64) * 2).alias(LINE),
        *names,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(_ints, _texts, _texts, _texts, _ints, _dates, _texts), min_size=0, max_size=25
    ),
    mapped=st.sets(st.sampled_from(SPEC.names)),
)
def test_the_spec_checks_report_what_pandera_reports(
    rows: list[tuple[object, ...]], mapped: set[str]
) -> None:
    sources = {name: f"Source {name}" for name in SPEC.names if name in mapped}
    # As the engine types it: a field no column maps to is all null.
    typed = _typed(rows).with_columns(
        pl.lit(None, dtype=dtype_of(f.kind)).alias(f.name)
        for f in SPEC.fields
        if f.name not in sources
    )
    native = _schema_failures(typed, SchemaChecks.of(SPEC, None), SPEC, "in.csv", sources)
    by_pandera = _schema_failures(
        typed, SchemaChecks(native=False, pandera=to_pandera(SPEC)), SPEC, "in.csv", sources
    )
    # pandera reports a required field no column maps to on every row; the engine drops
    # those (the file-level missing-column error says it once), the polars path never
    # makes them.
    unmapped = [name for name in SPEC.names if name not in sources]
    by_pandera = by_pandera.filter(
        ~(pl.col("field").is_in(unmapped) & (pl.col("code") == "missing-value"))
    )
    assert native.to_dicts() == by_pandera.to_dicts()


def test_the_default_schema_leaves_nothing_to_pandera() -> None:
    spec, schema, _ = resolve_schema()
    assert schema is None
    assert SchemaChecks.of(spec, None) == SchemaChecks(native=True, pandera=None)
    # The schema to_pandera makes splits into the same: nothing is left for pandera.
    assert SchemaChecks.of(spec, to_pandera(spec)) == SchemaChecks(native=True, pandera=None)


class _Webinar(ActivityImportDataItem):
    @pa.check("type", name="webinar-types")
    def known_type(cls, data: pa.PolarsData) -> pl.LazyFrame:  # noqa: N805
        return data.lazyframe.select(pl.col(data.key).is_in(["Registered", "Attended"]))

    @pa.dataframe_check(name="campaign-needs-asset")
    def campaign_needs_asset(cls, data: pa.PolarsData) -> pl.LazyFrame:  # noqa: N805
        return data.lazyframe.select(
            pl.col("CampaignId").is_null() | pl.col("AssetName").is_not_null()
        )


def test_a_model_s_own_checks_alone_go_to_pandera() -> None:
    spec, schema, _ = resolve_schema(model=_Webinar)
    checks = SchemaChecks.of(spec, schema)
    assert checks.native and checks.pandera is not None
    assert list(checks.pandera.columns) == ["type"]
    column = checks.pandera.columns["type"]
    assert [c.name for c in column.checks] == ["webinar-types"]
    assert column.nullable  # the null check is the polars path's
    assert [c.name for c in checks.pandera.checks] == ["campaign-needs-asset"]


ROWS = [
    {"activityId": "1", "email": "a@b.co", "type": "Visited", "AssetName": "y" * 101},
    {"activityId": "2", "email": None, "type": "Registered", "CampaignId": "7"},
    {"activityId": "3", "email": "c@d.co", "type": "Bogus" * 30, "AssetName": "x" * 101},
    {"activityId": None, "email": "e@f.co", "type": None, "CampaignId": "8"},
    {"activityId": "5", "email": "g@h.co", "type": "Attended"},
]


def test_split_and_whole_runs_give_the_same_issues_in_the_same_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    split = prepare(ROWS, model=_Webinar)
    # The same run with the whole schema left to pandera, as before the split.
    monkeypatch.setattr(
        SchemaChecks,
        "of",
        classmethod(lambda cls, spec, schema: cls(native=False, pandera=schema)),
    )
    whole = prepare(ROWS, model=_Webinar)
    codes = set(split.issues.get_column("code"))
    assert {"too-long", "schema-check", "missing-value"} <= codes
    assert split.issues.to_dicts() == whole.issues.to_dicts()
    assert split.rejects.to_dicts() == whole.rejects.to_dicts()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s: s.update_column("email", nullable=True), id="nullability"),
        pytest.param(
            lambda s: s.update_column("email", checks=[pa.Check.str_length(max_value=50)]),
            id="another-limit",
        ),
        pytest.param(
            lambda s: s.update_column(
                "email", checks=[pa.Check.str_length(max_value=100, raise_warning=True)]
            ),
            id="a-warning-only-check",
        ),
        pytest.param(lambda s: s.remove_columns(["type"]), id="a-field-left-unchecked"),
        pytest.param(
            lambda s: pa.DataFrameSchema(s.columns, strict=True, name=s.name), id="strict"
        ),
    ],
)
def test_a_schema_that_says_more_than_the_spec_goes_whole_to_pandera(change: object) -> None:
    spec, _, _ = resolve_schema()
    schema = change(to_pandera(spec))  # type: ignore[operator]
    checks = SchemaChecks.of(spec, schema)
    assert checks == SchemaChecks(native=False, pandera=schema)


def test_an_extra_column_s_checks_go_to_pandera_with_it() -> None:
    spec, _, _ = resolve_schema()
    schema = to_pandera(spec).add_columns({"Score": pa.Column(pl.Int64, pa.Check.le(10))})
    checks = SchemaChecks.of(spec, schema)
    assert checks.native and checks.pandera is not None
    assert list(checks.pandera.columns) == ["Score"]


def test_a_default_lint_never_imports_pandera(tmp_path: Path) -> None:
    # pandera's import took 0.2-0.35 s of a million-row lint; the default schema's
    # checks do not need it. The same run with --stream must not either.
    path = tmp_path / "in.csv"
    path.write_text("activityId,email,type\n1,a@b.co,Registered\n2,c@d.co,Attended\n")
    for extra in ([], ["--stream"]):
        imported = modules_imported(["lint", str(path), "--format", "json", *extra], tmp_path)
        assert "activity_schema.checking.validate" in imported
        assert [m for m in imported if m == "pandera" or m.startswith("pandera.")] == []
