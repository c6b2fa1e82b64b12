"""Parse date cells in many spellings into one safe format, as polars expressions.

Eloqua reads ``YYYY-MM-DD HH:MM:SS`` safely and does not support day-first dates
(docs/eloqua.md section 2), so every accepted form is rewritten. Which way round ``D/M/YYYY``
and ``M/D/YYYY`` are read is decided once per column from the values themselves
(:func:`parse_dates`), since a single ``04/05/2024`` cannot tell.

Accepted forms:

- ISO 8601 and its relatives: ``2024-10-13``, ``2024-10-13T14:05``, ``...:05``,
  fractional seconds (truncated), ``Z``, ``+02:00``, ``+0200``, ``+02``; a space instead
  of ``T``; ``/`` or ``.`` instead of ``-`` (``2024/10/13 14:05``).
- Month- or day-first: ``10/13/2024``, ``13.10.2024``, ``13-10-2024``, each with an
  optional ``h:mm[:ss]`` and an optional ``AM``/``PM`` (any case, space optional).
- Excel serial numbers (1900 date system): ``45578`` is 2024-10-13, a fraction is the
  time of day. Serial 60 is Excel's fictitious 1900-02-29 and is rejected.

Offsets (and ``Z``) are converted to the target time zone and dropped; naive values are
kept as they are; a date without time gets midnight.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Final

import polars as pl

from ...defaults import DEFAULT_DATE_FORMAT, DEFAULT_TIMEZONE
from ...errors import ConfigError
from ...schema.config import DateOrder, DateOrderSetting
from ..decisions import DateDecision
from .text import clean_text

__all__ = [
    "DATE_AMBIGUOUS",
    "DATE_INVALID",
    "DateCache",
    "DateOrder",
    "DateResult",
    "DateSettings",
    "parse_dates",
]

#: ``problem`` of a non-null value that is not a date.
DATE_INVALID: Final = "invalid"
#: ``problem`` of a date whose day/month order nothing in its column tells.
DATE_AMBIGUOUS: Final = "ambiguous"

_TIME: Final = (
    r"(?:(?:[Tt]|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d+))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)
# Separators are captured so that "2024-10/13" (two different ones) can be rejected:
# the regex engine has no backreferences.
_DATE_RE: Final = (
    r"^(?:(?P<y1>\d{4})(?P<s1>[-/.])(?P<m1>\d{1,2})(?P<s2>[-/.])(?P<d1>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<s3>[-/.])(?P<b>\d{1,2})(?P<s4>[-/.])(?P<y2>\d+))" + _TIME + "$"
)
_SERIAL_RE: Final = r"^\d+(?:\.\d+)?$"
#: Excel's last serial, 9999-12-31.
_SERIAL_MAX: Final = 2_958_465
#: Days from Excel's day 0 (1899-12-30, counting the fake 1900-02-29) to 1970-01-01.
_SERIAL_EPOCH_DAYS: Final = 25_569
_SECONDS_PER_DAY: Final = 86_400

#: A datetime the output format is tried on when settings are made.
_FORMAT_PROBE: Final = dt.datetime(2024, 10, 13, 14, 5, 7)
_ORDER_NAMES: Final[dict[DateOrder, str]] = {"mdy": "month-first", "dmy": "day-first"}


@dataclass(frozen=True)
class DateSettings:
    """How date columns are read and written.

    Attributes:
        order: ``"auto"`` decides the day/month order per column from its values;
            ``"mdy"`` or ``"dmy"`` force it.
        default_order: The order used when ``order="auto"`` and no value tells.
        timezone: The IANA zone that values with an offset are converted to.
        output_format: The ``strftime`` format of the output.

    Example:
        >>> DateSettings(order="dmy").timezone
        'America/New_York'
    """

    order: DateOrderSetting = "auto"
    default_order: DateOrder = "mdy"
    timezone: str = DEFAULT_TIMEZONE
    output_format: str = DEFAULT_DATE_FORMAT

    def __post_init__(self) -> None:
        if self.order not in ("auto", "mdy", "dmy"):
            raise ConfigError(f"unknown date order {self.order!r}", hint="use auto, mdy or dmy")
        if self.default_order not in ("mdy", "dmy"):
            raise ConfigError(
                f"unknown default date order {self.default_order!r}", hint="use mdy or dmy"
            )
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"unknown time zone {self.timezone!r}",
                hint="use an IANA name such as America/New_York or UTC",
            ) from exc
        try:
            pl.select(pl.lit(_FORMAT_PROBE).dt.strftime(self.output_format))
        except pl.exceptions.PolarsError as exc:
            raise ConfigError(
                f"invalid date output format {self.output_format!r}",
                hint="use strftime codes such as %Y-%m-%d %H:%M:%S",
            ) from exc


@dataclass(frozen=True)
class DateResult:
    """What :func:`parse_dates` made of a column.

    Attributes:
        values: The dates as text in the output format; null where the input is null or
            not a date.
        problem: ``"invalid"`` for a non-null value that is not a date, ``"ambiguous"``
            for a date whose day/month order nothing in the column tells, else null.
        order_used: The order applied to month/day-first dates; None if there are none.
        order_reason: Why that order was used, for the report.
        conflicting: True where a value can only be read in the other order than the
            column's (such values are invalid).
        detail: A short human reason per value with a problem, else null.
        decision: The order decision, to pass back as ``decided`` for more values of
            the same column (a batched run).
    """

    values: pl.Series
    problem: pl.Series
    order_used: DateOrder | None
    order_reason: str
    conflicting: pl.Series
    detail: pl.Series
    decision: DateDecision | None = None


def _int(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.Int64, strict=False)


def _valid_ymd(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """Tell whether year, month and day make a real calendar date (null-safe: False)."""
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    days_in_month = (
        pl.when(m == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(m.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    valid = (y >= 1) & m.is_between(1, 12) & d.is_between(1, days_in_month)
    return valid.fill_null(False)


def _excel_serial(v: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Return (datetime, is a serial in range) for Excel 1900-system serial numbers."""
    serial = pl.when(v.str.contains(_SERIAL_RE)).then(v.cast(pl.Float64, strict=False))
    in_range = (serial >= 1) & (serial < _SERIAL_MAX + 1) & ~((serial >= 60) & (serial < 61))
    # Excel serials are floats of days: round to the nearest second, or 14:05 comes out
    # as 14:04:59. Below 60, Excel's day 0 is really 1899-12-31 (there is no 1900-02-29).
    seconds = (serial * _SECONDS_PER_DAY).round(0).cast(pl.Int64)
    seconds = pl.when(serial < 60).then(seconds + _SECONDS_PER_DAY).otherwise(seconds)
    epoch = seconds - _SERIAL_EPOCH_DAYS * _SECONDS_PER_DAY
    value = pl.from_epoch(pl.when(in_range).then(epoch), time_unit="s").cast(pl.Datetime("us"))
    return value, in_range.fill_null(False)


def _parts() -> dict[str, pl.Expr]:
    """Turn the regex groups (already columns) into integers and flags.

    All outputs are computed from the groups at once, so the integer columns may reuse
    the names of the text groups they come from.
    """
    col = pl.col
    hour = _int(col("H"))
    ampm = col("ampm").str.to_lowercase().str.slice(0, 1)
    # With AM/PM the hour must be 1-12; 12 AM is midnight, 12 PM noon.
    hour24 = (
        pl.when(ampm.is_null())
        .then(hour)
        .when(hour.is_between(1, 12))
        .then(hour % 12 + pl.when(ampm == "p").then(12).otherwise(0))
    )
    tz = col("tz")
    tz_field = tz.str.extract_groups(r"^(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2})?$").struct.field
    tz_hh = _int(tz_field("hh"))
    tz_mm = _int(tz_field("mm")).fill_null(0)
    tz_sign = pl.when(tz_field("sign") == "-").then(-1).otherwise(1)
    tz_minutes = (
        pl.when(tz.str.to_uppercase() == "Z")
        .then(0)
        .when((tz_hh <= 23) & (tz_mm <= 59))
        .then((tz_hh * 60 + tz_mm) * tz_sign)
    )
    minute = _int(col("M"))
    second = _int(col("S")).fill_null(0)
    time_valid = hour24.is_between(0, 23) & minute.is_between(0, 59) & second.is_between(0, 59)
    same_separators = (col("s1") == col("s2")) | (col("s3") == col("s4"))
    return {
        "is_year_first": (col("y1").is_not_null() & same_separators).fill_null(False),
        "is_number_first": (col("y2").is_not_null() & same_separators).fill_null(False),
        "y1": _int(col("y1")),
        "m1": _int(col("m1")),
        "d1": _int(col("d1")),
        "a": _int(col("a")),
        "b": _int(col("b")),
        "y2": _int(col("y2")),
        "year_digits": col("y2").str.len_chars(),
        "hour": pl.when(col("H").is_null()).then(0).otherwise(hour24),
        "minute": minute.fill_null(0),
        "second": second,
        "time_valid": col("H").is_null() | time_valid.fill_null(False),
        "has_tz": tz.is_not_null(),
        "tz_minutes": tz_minutes,
    }


# The decision is a public value (decisions.py) so that a batched run can pass it back.
_OrderDecision = DateDecision


def _decide_order(frame: pl.DataFrame, settings: DateSettings) -> _OrderDecision:
    """Choose the column's day/month order from counts of telling values."""
    numbered = frame.filter(pl.col("is_number_first") & (pl.col("year_digits") == 4))
    if numbered.height == 0:
        return _OrderDecision(None, "no month/day-first dates in the column", False)
    if settings.order != "auto":
        name = _ORDER_NAMES[settings.order]
        return _OrderDecision(settings.order, f"configured order {settings.order} ({name})", False)
    only_dmy = numbered.filter(pl.col("only_dmy"))
    only_mdy = numbered.filter(pl.col("only_mdy"))
    # Rows, not distinct values: a column may be parsed once per distinct value.
    n_dmy, n_mdy = int(only_dmy["n"].sum()), int(only_mdy["n"].sum())
    default = settings.default_order
    if n_dmy and n_mdy:
        if n_dmy == n_mdy:
            order: DateOrder = default
            verdict = f"a tie: configured default {default}"
        else:
            order = "dmy" if n_dmy > n_mdy else "mdy"
            verdict = f"the majority is {_ORDER_NAMES[order]}"
        reason = (
            f"{n_dmy} value(s) can only be day-first (e.g. {only_dmy['v'][0]}) and "
            f"{n_mdy} only month-first (e.g. {only_mdy['v'][0]}): {verdict}"
        )
        return _OrderDecision(order, reason, False)
    if n_dmy:
        return _OrderDecision("dmy", f"value {only_dmy['v'][0]} can only be day-first", False)
    if n_mdy:
        return _OrderDecision("mdy", f"value {only_mdy['v'][0]} can only be month-first", False)
    if numbered.filter(pl.col("mdy_ok") & pl.col("dmy_ok") & (pl.col("a") != pl.col("b"))).height:
        reason = f"all slash dates are ambiguous: configured default {default}"
    else:
        reason = f"no slash date tells day from month: configured default {default}"
    return _OrderDecision(default, reason, True)


class DateCache:
    """Distinct date values already parsed, kept across the batches of one input.

    Parsing a value depends on nothing but the value once its column's day/month order
    is decided, so a batched run parses each distinct value of a date column once, not
    once per batch. Only results under a decision passed in are kept (per field, order
    and settings), and at most ``limit`` values per column: a column of timestamps
    rarely repeats, and is parsed batch by batch as before.

    Example:
        >>> cache = DateCache()
        >>> decided = DateDecision("dmy", "13/10/2024 can only be day-first")
        >>> r = parse_dates(pl.Series(["13/10/2024"] * 4), DateSettings(), decided, cache, "D")
        >>> r.values.to_list()[0], len(cache)
        ('2024-10-13 00:00:00', 1)
    """

    def __init__(self, limit: int = 100_000) -> None:
        self._limit = limit
        self._known: dict[tuple[str, DateDecision, DateSettings], pl.DataFrame] = {}

    def __len__(self) -> int:
        return sum(frame.height for frame in self._known.values())

    def get(self, key: tuple[str, DateDecision, DateSettings]) -> pl.DataFrame | None:
        """Return the values known under ``key`` (``v`` and the result columns)."""
        return self._known.get(key)

    def put(self, key: tuple[str, DateDecision, DateSettings], known: pl.DataFrame) -> None:
        """Keep ``known`` under ``key``, unless it holds more than the limit."""
        if known.height <= self._limit:
            self._known[key] = known


#: A column whose distinct values are fewer than this share of its rows is parsed once
#: per distinct value (exports repeat dates a lot), with counts as weights.
DISTINCT_SHARE_FOR_DEDUP: Final = 0.5


def parse_dates(
    s: pl.Series,
    settings: DateSettings,
    decided: DateDecision | None = None,
    cache: DateCache | None = None,
    field: str = "",
) -> DateResult:
    """Parse a column of dates in any accepted form and write them in one format.

    The day/month order of ``D/M/YYYY``-style values is decided for the whole column
    (``settings.order="auto"``): a value that can only be day-first (``13/10/2024``) makes
    the column day-first, one that can only be month-first makes it month-first; if both
    occur the majority wins and the others are invalid and ``conflicting``; if no value
    tells, ``settings.default_order`` is used and each value whose day and month differ
    is marked ``"ambiguous"`` (it is still converted).

    Args:
        s: A ``pl.String`` series.
        settings: Order, time zone and output format.
        decided: An order decided earlier for the same column (``DateResult.decision``
            of its first rows): applied instead of deciding from ``s``.
        cache: Values parsed for earlier batches of the same input (used, and added
            to, only with ``decided``: the results then depend on the values alone).
        field: The column's field, the cache's key.

    Returns:
        A :class:`DateResult`; its series have the name and length of ``s``.

    Example:
        >>> r = parse_dates(pl.Series(["13/10/2024 2:05 PM", "2024-10-13T18:05Z"]), DateSettings())
        >>> r.values.to_list(), r.order_used
        (['2024-10-13 14:05:00', '2024-10-13 14:05:00'], 'dmy')
    """
    # Distinct values in the order they first occur (value_counts' order is arbitrary):
    # the value a decision quotes as its example is then the column's first telling one,
    # as when every row is parsed, and the same on every run.
    text = s.cast(pl.String)
    counts = text.to_frame("v").group_by("v", maintain_order=True).agg(pl.len().alias("n"))
    if counts.height >= DISTINCT_SHARE_FOR_DEDUP * max(s.len(), 1):
        whole = _parse(text, None, settings, decided)
        return DateResult(
            values=whole.values.alias(s.name),
            problem=whole.problem.alias(s.name),
            order_used=whole.order_used,
            order_reason=whole.order_reason,
            decision=whole.decision,
            conflicting=whole.conflicting.alias(s.name),
            detail=whole.detail.alias(s.name),
        )
    # Parse each distinct value once; the order decision counts every row (weights).
    distinct = counts.get_column("v")
    order: tuple[DateOrder | None, str, DateDecision | None]
    if cache is not None and decided is not None:
        mapping = _cached_mapping(distinct, settings, decided, cache, field)
        order = (decided.order, decided.reason, decided)  # what _parse gives with it
    else:
        result = _parse(distinct, counts.get_column("n"), settings, decided)
        mapping = _mapping(distinct, result)
        order = (result.order_used, result.order_reason, result.decision)
    back = text.to_frame("v").join(
        mapping, on="v", how="left", nulls_equal=True, maintain_order="left"
    )
    return DateResult(
        values=back["values"].alias(s.name),
        problem=back["problem"].alias(s.name),
        order_used=order[0],
        order_reason=order[1],
        decision=order[2],
        conflicting=back["conflicting"].alias(s.name),
        detail=back["detail"].alias(s.name),
    )


def _mapping(distinct: pl.Series, result: DateResult) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "v": distinct,
            "values": result.values,
            "problem": result.problem,
            "conflicting": result.conflicting,
            "detail": result.detail,
        }
    )


def _cached_mapping(
    distinct: pl.Series,
    settings: DateSettings,
    decided: DateDecision,
    cache: DateCache,
    field: str,
) -> pl.DataFrame:
    """Return every distinct value mapped, parsing only those ``cache`` does not know.

    With the order decided, a value's result depends on the value alone (the weights
    that decide an order are not needed).
    """
    key = (field, decided, settings)
    known = cache.get(key)
    if known is not None:
        distinct = distinct.filter(
            ~distinct.is_in(known.get_column("v").implode(), nulls_equal=True)
        )
        if not distinct.len():
            return known
    added = _mapping(distinct, _parse(distinct, None, settings, decided))
    known = added if known is None else pl.concat([known, added])
    cache.put(key, known)
    return known


def _parse(
    s: pl.Series,
    weights: pl.Series | None,
    settings: DateSettings,
    decided: DateDecision | None = None,
) -> DateResult:
    v = pl.col("v")
    # Lazy, so that polars shares repeated sub-expressions (eager mode does not).
    frame = (
        pl.LazyFrame(
            {"v": s, "n": weights if weights is not None else pl.repeat(1, s.len(), eager=True)}
        )
        .with_columns(clean_text(v).alias("v"))
        .with_columns(v.str.extract_groups(_DATE_RE).alias("groups"))
        .unnest("groups")
        .with_columns(**_parts())
        .with_columns(
            mdy_ok=_valid_ymd(pl.col("y2"), pl.col("a"), pl.col("b")),
            dmy_ok=_valid_ymd(pl.col("y2"), pl.col("b"), pl.col("a")),
        )
        .with_columns(
            only_mdy=pl.col("mdy_ok") & ~pl.col("dmy_ok"),
            only_dmy=pl.col("dmy_ok") & ~pl.col("mdy_ok"),
        )
        .collect()
    )
    decision = decided if decided is not None else _decide_order(frame, settings)
    order: DateOrder = decision.order or settings.default_order
    first, second = (pl.col("a"), pl.col("b")) if order == "mdy" else (pl.col("b"), pl.col("a"))
    other_only = pl.col("only_dmy") if order == "mdy" else pl.col("only_mdy")
    numbered = pl.col("is_number_first") & (pl.col("year_digits") == 4)
    year = pl.when(pl.col("is_year_first")).then(pl.col("y1")).when(numbered).then(pl.col("y2"))
    month = pl.when(pl.col("is_year_first")).then(pl.col("m1")).otherwise(first)
    day = pl.when(pl.col("is_year_first")).then(pl.col("d1")).otherwise(second)
    date_ok = _valid_ymd(year, month, day)
    tz_ok = ~pl.col("has_tz") | pl.col("tz_minutes").is_not_null()
    usable = date_ok & pl.col("time_valid") & tz_ok
    # pl.datetime raises on impossible components, so invalid rows get a null year first.
    naive = pl.datetime(
        pl.when(usable).then(year), month, day, pl.col("hour"), pl.col("minute"), pl.col("second")
    )
    in_zone = (
        (naive - pl.duration(minutes=pl.col("tz_minutes")))
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(settings.timezone)
        .dt.replace_time_zone(None)
    )
    from_text = pl.when(pl.col("has_tz")).then(in_zone).otherwise(naive)
    serial, serial_ok = _excel_serial(v)
    parsed = pl.coalesce(from_text, serial)

    ambiguous = (
        pl.lit(decision.flag_ambiguous)
        & numbered
        & pl.col("mdy_ok")
        & pl.col("dmy_ok")
        & (pl.col("a") != pl.col("b"))
    )
    conflicting = numbered & other_only
    other: DateOrder = "dmy" if order == "mdy" else "mdy"
    is_serial_like = v.str.contains(_SERIAL_RE)
    detail = (
        pl.when(v.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(parsed.is_not_null() & ambiguous)
        .then(pl.lit(f"day and month could be either way round: read {_ORDER_NAMES[order]}"))
        .when(parsed.is_not_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(conflicting)
        .then(
            pl.lit(
                f"can only be read {_ORDER_NAMES[other]}, but the column is read "
                f"{_ORDER_NAMES[order]}"
            )
        )
        .when(pl.col("is_number_first") & (pl.col("year_digits") != 4))
        .then(pl.lit("use a four-digit year"))
        .when((pl.col("is_year_first") | numbered) & ~date_ok)
        .then(pl.lit("no such date"))
        .when(~pl.col("time_valid"))
        .then(pl.lit("no such time of day"))
        .when(~tz_ok)
        .then(pl.lit("no such UTC offset"))
        .when(is_serial_like & ~serial_ok)
        .then(pl.lit(f"not an Excel date serial (1 to {_SERIAL_MAX}, without 60)"))
        .otherwise(pl.lit("not a recognized date: use YYYY-MM-DD HH:MM:SS"))
    )
    problem = (
        pl.when(v.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(parsed.is_null())
        .then(pl.lit(DATE_INVALID))
        .when(ambiguous)
        .then(pl.lit(DATE_AMBIGUOUS))
    )
    out = (
        frame.lazy()
        .select(
            values=parsed.dt.strftime(settings.output_format),
            problem=problem,
            conflicting=conflicting.fill_null(False),
            detail=detail,
        )
        .collect()
    )
    return DateResult(
        values=out["values"],
        problem=out["problem"],
        order_used=decision.order,
        order_reason=decision.reason,
        decision=decision,
        conflicting=out["conflicting"],
        detail=out["detail"],
    )
