"""Tests for activity_schema.checking.normalize.dates."""

from __future__ import annotations

import datetime as dt
import doctest
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from activity_schema.checking.normalize import DateResult, DateSettings, parse_dates
from activity_schema.checking.normalize import dates as module
from activity_schema.errors import ConfigError

NY = DateSettings()


def parse(values: Sequence[str | None], settings: DateSettings = NY) -> DateResult:
    return parse_dates(pl.Series("d", values, dtype=pl.String), settings)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # ISO 8601 and relatives (naive: kept as they are)
        ("2024-10-13", "2024-10-13 00:00:00"),
        ("2024-10-13T14:05", "2024-10-13 14:05:00"),
        ("2024-10-13T14:05:07", "2024-10-13 14:05:07"),
        ("2024-10-13T14:05:07.9", "2024-10-13 14:05:07"),
        ("2024-10-13T14:05:07.999999999", "2024-10-13 14:05:07"),
        ("2024-10-13 14:05", "2024-10-13 14:05:00"),
        ("2024-10-13 14:05:07", "2024-10-13 14:05:07"),
        ("2024-1-3", "2024-01-03 00:00:00"),
        ("2024/10/13", "2024-10-13 00:00:00"),
        ("2024/10/13 14:05:07", "2024-10-13 14:05:07"),
        ("2024-10-13 2:05 PM", "2024-10-13 14:05:00"),
        # Offsets are converted to America/New_York (EDT, UTC-4, in October)
        ("2024-10-13T18:05:07Z", "2024-10-13 14:05:07"),
        ("2024-10-13T18:05:07.123z", "2024-10-13 14:05:07"),
        ("2024-10-13T20:05:07+02:00", "2024-10-13 14:05:07"),
        ("2024-10-13T20:05:07+0200", "2024-10-13 14:05:07"),
        ("2024-10-13T20:05+02", "2024-10-13 14:05:00"),
        ("2024-10-13T11:35:07-02:30", "2024-10-13 10:05:07"),
        ("2024-10-13 18:05:07 +00:00", "2024-10-13 14:05:07"),
        ("2024-01-13T18:05:07Z", "2024-01-13 13:05:07"),  # EST, UTC-5, in January
        ("2024-10-13T02:00:00Z", "2024-10-12 22:00:00"),  # the day changes too
        # Month-first (the column's only value is ambiguous: default mdy)
        ("10/13/2024", "2024-10-13 00:00:00"),
        ("10/13/2024 2:05 PM", "2024-10-13 14:05:00"),
        ("10/13/2024 2:05:07pm", "2024-10-13 14:05:07"),
        ("10/13/2024 12:05 AM", "2024-10-13 00:05:00"),
        ("10/13/2024 12:05 pm", "2024-10-13 12:05:00"),
        ("10/13/2024 2:05 p.m.", "2024-10-13 14:05:00"),
        ("10/13/2024 14:05", "2024-10-13 14:05:00"),
        ("10-13-2024", "2024-10-13 00:00:00"),
        # Day-first
        ("13/10/2024", "2024-10-13 00:00:00"),
        ("13.10.2024", "2024-10-13 00:00:00"),
        ("13.10.2024 14:05", "2024-10-13 14:05:00"),
        ("13-10-2024 2:05AM", "2024-10-13 02:05:00"),
        ("29/02/2024", "2024-02-29 00:00:00"),
        # Excel serials (1900 date system)
        ("45578", "2024-10-13 00:00:00"),
        ("45578.586805555555", "2024-10-13 14:05:00"),
        ("45578.5", "2024-10-13 12:00:00"),
        ("45292", "2024-01-01 00:00:00"),
        ("1", "1900-01-01 00:00:00"),
        ("59", "1900-02-28 00:00:00"),
        ("61", "1900-03-01 00:00:00"),
        ("2958465", "9999-12-31 00:00:00"),
        # Surrounding whitespace is ignored
        ("  2024-10-13\u00a0", "2024-10-13 00:00:00"),
    ],
)
def test_accepted_forms(raw: str, expected: str) -> None:
    result = parse([raw])
    assert result.values.to_list() == [expected]
    assert result.problem.to_list() == [None]
    assert result.detail.to_list() == [None]


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("2024-02-30", "no such date"),
        ("2023-02-29", "no such date"),
        ("2024-13-01", "no such date"),
        ("2024-00-10", "no such date"),
        ("13/13/2024", "no such date"),
        ("31/02/2024", "no such date"),
        ("00/10/2024", "no such date"),
        ("2024-10-13 25:00", "no such time of day"),
        ("2024-10-13 24:00:00", "no such time of day"),
        ("2024-10-13 14:60", "no such time of day"),
        ("2024-10-13 14:05:60", "no such time of day"),
        ("10/13/2024 13:05 PM", "no such time of day"),
        ("10/13/2024 0:05 AM", "no such time of day"),
        ("2024-10-13T14:05+25:00", "no such UTC offset"),
        ("10/13/24", "use a four-digit year"),
        ("13.10.24", "use a four-digit year"),
        ("10/13/02024", "use a four-digit year"),
        ("60", "not an Excel date serial (1 to 2958465, without 60)"),
        ("60.5", "not an Excel date serial (1 to 2958465, without 60)"),
        ("0", "not an Excel date serial (1 to 2958465, without 60)"),
        ("0.5", "not an Excel date serial (1 to 2958465, without 60)"),
        ("2958466", "not an Excel date serial (1 to 2958465, without 60)"),
        ("20241013", "not an Excel date serial (1 to 2958465, without 60)"),
        ("1e5", "not a recognized date: use YYYY-MM-DD HH:MM:SS"),
        ("-45578", "not a recognized date: use YYYY-MM-DD HH:MM:SS"),
        ("2024-10/13", "not a recognized date: use YYYY-MM-DD HH:MM:SS"),
        ("10/13-2024", "not a recognized date: use YYYY-MM-DD HH:MM:SS"),
        ("Oct 13 2024", "not a recognized date: use YYYY-MM-DD HH:MM:SS"),
        ("2024-10-13T14", "not a recognized date: use YYYY-MM-DD HH:MM:SS"),
        ("10/13/2024 2 PM", "not a recognized date: use YYYY-MM-DD HH:MM:SS"),
        ("yesterday", "not a recognized date: use YYYY-MM-DD HH:MM:SS"),
    ],
)
def test_invalid_values(raw: str, detail: str) -> None:
    result = parse([raw])
    assert result.values.to_list() == [None]
    assert result.problem.to_list() == ["invalid"]
    assert result.detail.to_list() == [detail]


@pytest.mark.parametrize("raw", [None, "", "   ", "\u200b"])
def test_missing_values_have_no_problem(raw: str | None) -> None:
    result = parse([raw])
    assert result.values.to_list() == [None]
    assert result.problem.to_list() == [None]
    assert result.conflicting.to_list() == [False]


@pytest.mark.parametrize(
    ("column", "order", "reason", "values", "problems"),
    [
        (
            ["01/02/2024", "13/10/2024"],
            "dmy",
            "value 13/10/2024 can only be day-first",
            ["2024-02-01 00:00:00", "2024-10-13 00:00:00"],
            [None, None],
        ),
        (
            ["01/02/2024", "10/13/2024"],
            "mdy",
            "value 10/13/2024 can only be month-first",
            ["2024-01-02 00:00:00", "2024-10-13 00:00:00"],
            [None, None],
        ),
        (
            ["01/02/2024", "03/03/2024", "2024-05-06"],
            "mdy",
            "all slash dates are ambiguous: configured default mdy",
            ["2024-01-02 00:00:00", "2024-03-03 00:00:00", "2024-05-06 00:00:00"],
            ["ambiguous", None, None],
        ),
        (
            ["03/03/2024", "13/13/2024"],
            "mdy",
            "no slash date tells day from month: configured default mdy",
            ["2024-03-03 00:00:00", None],
            [None, "invalid"],
        ),
        (
            ["2024-05-06", "45578"],
            None,
            "no month/day-first dates in the column",
            ["2024-05-06 00:00:00", "2024-10-13 00:00:00"],
            [None, None],
        ),
        (
            ["13/10/2024", "14/10/2024", "10/13/2024", "05/06/2024"],
            "dmy",
            "2 value(s) can only be day-first (e.g. 13/10/2024) and 1 only month-first "
            "(e.g. 10/13/2024): the majority is day-first",
            ["2024-10-13 00:00:00", "2024-10-14 00:00:00", None, "2024-06-05 00:00:00"],
            [None, None, "invalid", None],
        ),
        (
            ["13/10/2024", "10/13/2024"],
            "mdy",
            "1 value(s) can only be day-first (e.g. 13/10/2024) and 1 only month-first "
            "(e.g. 10/13/2024): a tie: configured default mdy",
            [None, "2024-10-13 00:00:00"],
            ["invalid", None],
        ),
    ],
)
def test_column_order_auto(
    column: list[str],
    order: str | None,
    reason: str,
    values: list[str | None],
    problems: list[str | None],
) -> None:
    result = parse(column)
    assert result.order_used == order
    assert result.order_reason == reason
    assert result.values.to_list() == values
    assert result.problem.to_list() == problems


def test_conflicting_values_are_marked() -> None:
    result = parse(["13/10/2024", "14/10/2024", "10/13/2024", None, "x"])
    assert result.conflicting.to_list() == [False, False, True, False, False]
    assert result.detail[2] == "can only be read month-first, but the column is read day-first"


def test_default_order_dmy_when_all_ambiguous() -> None:
    result = parse(["01/02/2024", "02/02/2024"], DateSettings(default_order="dmy"))
    assert result.order_used == "dmy"
    assert result.values.to_list() == ["2024-02-01 00:00:00", "2024-02-02 00:00:00"]
    assert result.problem.to_list() == ["ambiguous", None]
    assert result.detail[0] == "day and month could be either way round: read day-first"


@pytest.mark.parametrize(
    ("order", "values", "conflicting"),
    [
        ("mdy", ["2024-01-02 00:00:00", None, "2024-10-13 00:00:00"], [False, True, False]),
        ("dmy", ["2024-02-01 00:00:00", "2024-10-13 00:00:00", None], [False, False, True]),
    ],
)
def test_explicit_order(order: str, values: list[str | None], conflicting: list[bool]) -> None:
    result = parse(["01/02/2024", "13/10/2024", "10/13/2024"], DateSettings(order=order))  # type: ignore[arg-type]
    assert result.order_used == order
    assert result.order_reason.startswith(f"configured order {order}")
    assert result.values.to_list() == values
    assert result.conflicting.to_list() == conflicting
    # An explicit order is never "ambiguous".
    assert "ambiguous" not in result.problem.to_list()


def test_timezone_and_output_format_settings() -> None:
    settings = DateSettings(timezone="Europe/Paris", output_format="%d.%m.%Y %H:%M")
    result = parse(["2024-10-13T12:00:00Z", "2024-10-13 12:00"], settings)
    assert result.values.to_list() == ["13.10.2024 14:00", "13.10.2024 12:00"]


def test_result_series_keep_name_and_length() -> None:
    result = parse_dates(pl.Series("When", ["2024-10-13", None, "x"]), NY)
    for series in (result.values, result.problem, result.conflicting, result.detail):
        assert series.name == "When"
        assert series.len() == 3
    assert result.values.dtype == pl.String
    assert result.problem.dtype == pl.String
    assert result.conflicting.dtype == pl.Boolean


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timezone": "Mars/Olympus"},
        {"timezone": ""},
        {"order": "ymd"},
        {"default_order": "auto"},
        {"output_format": "%Q"},
    ],
)
def test_bad_settings_are_config_errors(kwargs: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        DateSettings(**kwargs)  # type: ignore[arg-type]


@given(st.lists(st.one_of(st.none(), st.text()), max_size=20))
def test_parse_dates_never_raises(values: list[str | None]) -> None:
    result = parse(values)
    assert result.values.len() == len(values)
    problems = set(result.problem.to_list())
    assert problems <= {None, "invalid", "ambiguous"}


datetimes = st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(9998, 12, 31))


@given(datetimes)
def test_naive_forms_round_trip(value: dt.datetime) -> None:
    expected = value.strftime("%Y-%m-%d %H:%M:%S")
    hour12 = value.hour % 12 or 12
    ampm = "AM" if value.hour < 12 else "PM"
    forms = [
        value.isoformat(),
        value.strftime("%Y-%m-%d %H:%M:%S"),
        value.strftime("%Y/%m/%d %H:%M:%S"),
        f"{value.month}/{value.day}/{value.year:04d} {hour12}:{value:%M:%S} {ampm}",
    ]
    assert parse(forms, DateSettings(order="mdy")).values.to_list() == [expected] * 4
    day_first = f"{value.day}.{value.month}.{value.year:04d} {value:%H:%M:%S}"
    assert parse([day_first], DateSettings(order="dmy")).values.to_list() == [expected]


# polars' time zone tables stop applying DST rules in 2100 (zoneinfo goes on), so the
# comparison with Python stays within 1901-2099.
@given(
    st.datetimes(min_value=dt.datetime(1901, 1, 2), max_value=dt.datetime(2099, 12, 30)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_offsets_are_converted(value: dt.datetime, offset_minutes: int) -> None:
    aware = value.replace(microsecond=0, tzinfo=dt.timezone(dt.timedelta(minutes=offset_minutes)))
    expected = aware.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H:%M:%S")
    assert parse([aware.isoformat()]).values.to_list() == [expected]


def test_docstring_examples() -> None:
    assert doctest.testmod(module, raise_on_error=False).failed == 0


@pytest.mark.parametrize(
    ("values", "order", "conflicting"),
    [
        # Repeated values are parsed once each, but the majority counts rows.
        (["13/10/2024"] * 3 + ["10/13/2024"], "dmy", [False, False, False, True]),
        (["13/10/2024"] + ["10/13/2024"] * 3, "mdy", [True, False, False, False]),
        (["01/02/2024"] * 6 + [None] * 2, "mdy", [False] * 8),
    ],
)
def test_repeated_values_count_once_per_row(
    values: list[str | None], order: str, conflicting: list[bool]
) -> None:
    result = parse_dates(pl.Series("d", values, dtype=pl.String), DateSettings())
    assert result.order_used == order
    assert result.conflicting.to_list() == conflicting
    assert result.values.name == "d"
    assert result.values.len() == len(values)


# --- the cache of a batched run ---------------------------------------------------------------

_DATE_TEXTS = st.sampled_from(
    [
        "13/10/2024",
        "10/13/2024",
        "03/04/2024",
        "2024-10-13T18:05Z",
        "2024-02-30",
        "45000",
        "13/10/24",
        "not a date",
        " 01/02/2024 ",
        "31/12/2024 11:59 PM",
    ]
)


# A null first met in a later batch, once the cache knows the column's other values.
@example(batches=[["13/10/2024"], [None, "13/10/2024"]], order="dmy", flag=False, limit=100)
@given(
    batches=st.lists(
        st.lists(st.one_of(st.none(), _DATE_TEXTS), min_size=1, max_size=40), max_size=6
    ),
    order=st.sampled_from(["mdy", "dmy"]),
    flag=st.booleans(),
    limit=st.sampled_from([0, 3, 100]),
)
def test_a_cached_parse_is_the_plain_one_batch_after_batch(
    batches: list[list[str | None]], order: str, flag: bool, limit: int
) -> None:
    # Values repeat in every batch (each is parsed once per distinct value): with the
    # order decided, a value's result is the same in any batch, cached or not.
    decided = module.DateDecision(order, "decided earlier", flag)  # type: ignore[arg-type]
    settings = DateSettings()
    cache = module.DateCache(limit=limit)
    for batch in batches:
        values = pl.Series("D", batch * 30, dtype=pl.String)
        plain = parse_dates(values, settings, decided)
        cached = parse_dates(values, settings, decided, cache, "D")
        for name in ("values", "problem", "conflicting", "detail"):
            assert getattr(cached, name).equals(getattr(plain, name)), name
        assert (cached.order_used, cached.order_reason, cached.decision) == (
            plain.order_used,
            plain.order_reason,
            plain.decision,
        )
    assert len(cache) <= max(limit, 0) or not batches


def test_the_cache_is_not_used_without_a_decision() -> None:
    cache = module.DateCache()
    parse_dates(pl.Series(["13/10/2024"] * 10), DateSettings(), None, cache, "D")
    assert len(cache) == 0
