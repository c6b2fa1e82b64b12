"""Cleaning once per distinct value gives what cleaning every cell gives."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from activity_schema.checking import fastpath
from activity_schema.checking.cleaning import _derive, clean_fields
from activity_schema.checking.fastpath import by_distinct_value, distinct_values
from activity_schema.checking.normalize import DateSettings, parse_dates
from activity_schema.readers import LINE, ROW
from activity_schema.schema.config import Settings
from activity_schema.schema.fields import DEFAULT_SCHEMA, Kind

# Values each normalizer rewrites, keeps, empties or repairs, and the mojibake detector's
# fixed and suspect cases: the kinds of mess cleaning meets.
MESSY = [
    "Ann",
    " Ann ",
    "Ann\u00a0 Lee",
    "Ann\u200bLee",
    "Chlo\u00e9",
    "Chlo\u00c3\u00a9",
    "Caf\u00c3\ufffd",
    "\u201cCAF\u00c9\u201d",
    "NULL",
    " n/a ",
    "\u200bnull",
    "",
    "  ",
    "ann@Example.COM",
    "  ann@example.com ",
    "Ann Lee",
    "ann@@example.com",
    "1,024",
    "0042",
    " 7 ",
    "12abc",
    "1024",
    "8/8/2024 8:30 PM",
    "2024-07-23T06:05:00Z",
]
KINDS = [Kind.TEXT, Kind.NAME, Kind.EMAIL, Kind.INTEGER, Kind.DATETIME]


def _repeated(values: list[str | None], rows: int) -> pl.Series:
    """Return ``rows`` cells cycling through ``values``: enough repeats for the distinct path."""
    return pl.Series("v", [values[i % len(values)] for i in range(rows)], dtype=pl.String)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.sampled_from(MESSY), st.text(max_size=12)),
        min_size=1,
        max_size=12,
    )
)
def test_derived_per_distinct_value_equals_derived_per_cell(
    kind: Kind, values: list[str | None]
) -> None:
    s = _repeated(values, 2 * fastpath.DISTINCT_MIN_ROWS)
    assert distinct_values(s) is not None  # the distinct path is the one under test
    assert_frame_equal(by_distinct_value(s, lambda v: _derive(kind, v)), _derive(kind, s))


def test_derive_sees_each_distinct_value_once() -> None:
    s = _repeated(["a", " b", None, "c "], 4000)
    seen: list[int] = []

    def strip(values: pl.Series) -> pl.DataFrame:
        seen.append(values.len())
        return pl.DataFrame(
            [values.str.strip_chars().alias("new"), values.is_null().alias("missing")]
        )

    result = by_distinct_value(s, strip)
    assert seen == [4]
    assert result.columns == ["new", "missing"]
    assert result.get_column("new").to_list()[:4] == ["a", "b", None, "c"]
    assert result.get_column("missing").sum() == 1000


def test_unchanged_and_constant_columns_come_back_whole() -> None:
    s = _repeated(["x", "y", None], 3000)
    result = by_distinct_value(
        s,
        lambda v: pl.DataFrame(
            [v.alias("same"), pl.repeat(False, v.len(), eager=True).alias("flag")]
        ),
    )
    assert result.get_column("same").equals(s.alias("same"), null_equal=True)
    assert result.get_column("flag").to_list() == [False] * 3000


def test_unique_and_short_columns_are_worked_on_cell_by_cell() -> None:
    assert distinct_values(pl.Series([str(i) for i in range(5000)])) is None
    assert distinct_values(pl.Series(["a", "b"] * 10)) is None
    # A sample can look repetitive when the whole column is not: the count decides.
    mostly_unique = pl.Series(["a"] * 2000 + [str(i) for i in range(8000)])
    assert distinct_values(mostly_unique) is None
    distinct = distinct_values(pl.Series(["a", None, "b"] * 1000))
    assert distinct is not None
    assert set(distinct.to_list()) == {"a", None, "b"}


def _work(rows: int) -> tuple[pl.DataFrame, dict[str, str]]:
    """Return a working frame of repeated messy values in every field but one, by name."""
    columns: dict[str, list[str | None]] = {
        "activityId": ["1", " 2", "0042", "12abc", "1,024"],
        "email": ["  ann@EXAMPLE.com ", "bob@example.com", "NULL", "ann@@example.com", "Ann Lee"],
        "type": ["Registered", " Attended", "Visited\u00a0Booth", ""],
        "FirstName": ["Chlo\u00c3\u00a9", "Ann\u00a0 ", "Caf\u00c3\ufffd", "n/a", None],
        "LastName": ["Lee", " Lee", "\u200bLee", None],
        "AssetName": ["Q4 Tour", "\u201cCAF\u00c9\u201d", "Spring Summit, Paris"],
        "CampaignId": ["1,024", "1024", "0042", "x"],
        "ActivityDate": ["8/8/2024 8:30 PM", "13/10/2024", "2024-07-23", "not a date", "5/6/2024"],
    }
    frame = pl.DataFrame(
        [
            pl.int_range(1, rows + 1, eager=True).alias(ROW),
            pl.int_range(2, rows + 2, eager=True).alias(LINE),
            *(
                _repeated(columns[f.name], rows).alias(f.name)
                if f.name in columns
                else pl.repeat(None, rows, dtype=pl.String, eager=True).alias(f.name)
                for f in DEFAULT_SCHEMA.fields
            ),
        ]
    )
    return frame, {name: f"Source {name}" for name in columns}


@pytest.mark.parametrize("fix", [True, False])
def test_clean_fields_gives_the_same_values_and_issues_either_way(
    fix: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    work, sources = _work(3 * fastpath.DISTINCT_MIN_ROWS)
    spec = DEFAULT_SCHEMA
    run = Settings(fix=fix)
    distinct = clean_fields(work, spec, run, file="f.csv", sources=sources)
    # The per-cell path: no column is long enough to be worked on by distinct value.
    monkeypatch.setattr(fastpath, "DISTINCT_MIN_ROWS", work.height + 1)
    per_cell = clean_fields(work, spec, run, file="f.csv", sources=sources)
    rewritten = distinct.rewrites.rows()
    # every kind of issue is in play
    assert distinct.issues.height + rewritten.height > work.height
    assert_frame_equal(distinct.frame, per_cell.frame)
    assert_frame_equal(distinct.issues, per_cell.issues)
    assert_frame_equal(rewritten, per_cell.rewrites.rows())
    assert distinct.date_orders == per_cell.date_orders


def test_a_date_decision_quotes_the_first_telling_value_either_way() -> None:
    # Month-first only: 12/31 and 11/30 cannot be day-first; 12/31 comes first.
    values = ["2024-01-02", "12/31/2024", "5/6/2024", "11/30/2024", None]
    per_row = parse_dates(pl.Series(values), DateSettings())
    # Repeated, the column is parsed once per distinct value: the same example is quoted
    # (not whichever value a hash table happens to list first).
    repeated = parse_dates(_repeated(list(values), 5000), DateSettings())
    assert per_row.order_reason == "value 12/31/2024 can only be month-first"
    assert repeated.order_reason == per_row.order_reason
    assert repeated.values.to_list()[:5] == per_row.values.to_list()
