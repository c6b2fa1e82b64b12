"""Checks on normalized values: cast by kind, then validate with pandera, then row rules.

Casting is done here, column by column with non-strict casts, so that every uncastable
cell of every column is reported (pandera's own coercion stops at the first failing
column; see docs/eloqua.md section 7). The typed frame then goes through pandera's polars
backend with ``lazy=True``, which collects every failing cell in one failure-case frame;
those failures are mapped onto issue codes. Row rules pandera does not express (a
contact key from a group of fields, activity types per asset type, duplicate rows) are
plain polars expressions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaError, SchemaErrors

from ..issues.codes import IssueCode, Severity
from ..issues.records import collect_issues, empty_issues, issue_frame
from ..readers import LINE, ROW
from ..schema.config import Settings
from ..schema.fields import FieldSpec, Kind, SchemaSpec
from ..schema.model import dtype_of
from .fastpath import CLEAN_INTEGER, VALID_EMAIL, evaluate_where, in_parallel
from .normalize import email_problem, integer_problem

__all__ = ["check_values"]

# pandera's built-in check names -> our codes (custom checks map to schema-check).
_PANDERA_CODES = {
    "not_nullable": (IssueCode.MISSING_VALUE, "required field is empty", "fill the value"),
    "str_length": (IssueCode.TOO_LONG, "value is too long", "shorten the value"),
    "isin": (IssueCode.NOT_ALLOWED, "value is not allowed", "use one of the allowed values"),
    "greater_than_or_equal_to": (
        IssueCode.INVALID_INTEGER,
        "id must not be negative",
        "use a positive id",
    ),
}


@dataclass(frozen=True)
class _ValueRule:
    """How cells of one kind are checked before they are typed."""

    code: IssueCode
    clean: str  # a pattern that proves a value fine (see fastpath.py)
    problem: Callable[[pl.Expr, int], pl.Expr]  # (values, limit) -> reason or null
    message: str
    fix: str
    default_limit: int


_VALUE_RULES = {
    Kind.EMAIL: _ValueRule(
        IssueCode.INVALID_EMAIL,
        VALID_EMAIL,
        email_problem,
        "invalid email address: {}",
        "correct the address (one @, no spaces, a dotted domain)",
        10**6,
    ),
    Kind.INTEGER: _ValueRule(
        IssueCode.INVALID_INTEGER,
        CLEAN_INTEGER,
        integer_problem,
        "not a valid integer: {}",
        "use a whole number without letters, decimals or symbols",
        19,
    ),
}


def _cast_problems(
    frame: pl.DataFrame, spec: SchemaSpec, settings: Settings, file: str, sources: dict[str, str]
) -> tuple[pl.DataFrame, list[pl.DataFrame | pl.LazyFrame]]:
    issues: list[pl.DataFrame | pl.LazyFrame] = []
    typed: list[pl.Expr] = []
    ruled = [
        (f, rule) for f in spec.fields if f.name in sources and (rule := _VALUE_RULES.get(f.kind))
    ]

    def problems(item: tuple[FieldSpec, _ValueRule]) -> pl.Series:
        f, rule = item
        col, limit = pl.col(f.name), f.max_length or rule.default_limit
        return evaluate_where(
            frame,
            ~col.str.contains(rule.clean) | (col.str.len_chars() > limit),
            rule.problem(col, limit),
            otherwise=pl.lit(None, dtype=pl.String),
        ).alias(f"__problem_{f.name}")

    frame = frame.with_columns(in_parallel(problems, ruled))
    for f in spec.fields:
        col = pl.col(f.name)
        if f.name not in sources:
            typed.append(pl.lit(None, dtype=dtype_of(f.kind)).alias(f.name))
        elif rule := _VALUE_RULES.get(f.kind):
            problem = pl.col(f"__problem_{f.name}")
            issues.append(
                issue_frame(
                    frame.lazy().filter(problem.is_not_null()),
                    code=rule.code,
                    severity=Severity.ERROR,
                    message=pl.format(rule.message, problem),
                    file=file,
                    field_name=f.name,
                    column=sources[f.name],
                    value=col,
                    fix=rule.fix,
                )
            )
            # Invalid cells are null in the typed frame; they are reported above.
            typed.append(
                pl.when(problem.is_null())
                .then(col.cast(dtype_of(f.kind), strict=False))
                .alias(f.name)
            )
        elif f.kind is Kind.DATETIME:
            # Cleaning wrote valid dates in the output format and left invalid ones as
            # they were; a non-strict parse types the first and nulls the second.
            typed.append(
                col.str.to_datetime(settings.date_format, strict=False, time_unit="us").alias(
                    f.name
                )
            )
        else:
            typed.append(col)
    return frame.select(pl.col(ROW), pl.col(LINE), *typed), issues


def _pandera_failures(
    typed: pl.DataFrame,
    schema: pa.DataFrameSchema,
    spec: SchemaSpec,
    file: str,
    sources: dict[str, str],
) -> pl.DataFrame:
    try:
        schema.validate(typed.drop(ROW, LINE), lazy=True)
    except SchemaErrors as err:
        cases = err.failure_cases
    except SchemaError as err:  # pragma: no cover - lazy=True raises SchemaErrors
        raise AssertionError(str(err)) from err
    else:
        return empty_issues()
    cases = cases.filter(pl.col("index").is_not_null()).with_columns(
        pl.col("check").cast(pl.String).str.extract(r"^([A-Za-z_\-]+)").alias("check_name")
    )
    if cases.height == 0:
        return empty_issues()
    positions = typed.select(ROW, LINE).with_row_index("index")
    cases = cases.with_columns(pl.col("index").cast(pl.UInt32)).join(
        positions, on="index", how="left"
    )
    frames: list[pl.DataFrame] = []
    known = spec.names
    for (column, check_name), group in cases.group_by(
        ["column", "check_name"], maintain_order=True
    ):
        column = str(column)
        check_name = str(check_name)
        code, message, fix = _PANDERA_CODES.get(
            check_name, (IssueCode.SCHEMA_CHECK, f"check {check_name!r} failed", "fix the value")
        )
        if code is IssueCode.TOO_LONG and column in known:
            limit = spec.field(column).max_length
            message = f"value is longer than {limit} characters"
            fix = f"shorten it to at most {limit} characters"
        if code is IssueCode.NOT_ALLOWED and column in known:
            allowed = spec.field(column).allowed or ()
            fix = "use one of: " + ", ".join(allowed[:10]) + (" ..." if len(allowed) > 10 else "")
        frames.append(
            issue_frame(
                group,
                code=code,
                severity=Severity.ERROR,
                message=message,
                file=file,
                field_name=column if column in known else None,
                column=sources.get(column),
                value=pl.col("failure_case"),
                fix=fix,
            )
        )
    return pl.concat(frames) if frames else empty_issues()


def _row_rules(
    frame: pl.DataFrame, spec: SchemaSpec, settings: Settings, file: str, sources: dict[str, str]
) -> list[pl.DataFrame]:
    issues: list[pl.DataFrame] = []
    for group in spec.one_of:
        if not group:
            continue
        empty = pl.all_horizontal(pl.col(g).is_null() for g in group)
        names = " or ".join(group)
        issues.append(
            issue_frame(
                frame.filter(empty),
                code=IssueCode.MISSING_VALUE,
                severity=Severity.ERROR,
                message=f"the row needs a contact key: {names}",
                file=file,
                field_name=group[0],
                column=sources.get(group[0]),
                fix=f"fill {names}",
            )
        )
    type_field = next((f.name for f in spec.fields if f.statement == "{{Activity.Type}}"), None)
    asset_field = next(
        (f.name for f in spec.fields if f.statement == "{{Activity.Asset.Type}}"), None
    )
    type_field = type_field or ("type" if "type" in spec.names else None)
    asset_field = asset_field or ("AssetType" if "AssetType" in spec.names else None)
    if settings.activity_types and type_field and asset_field:
        mapping = pl.DataFrame(
            {
                "__asset": list(settings.activity_types),
                "__types": [list(v) for v in settings.activity_types.values()],
            },
            schema={"__asset": pl.String, "__types": pl.List(pl.String)},
        )
        joined = frame.join(mapping, left_on=asset_field, right_on="__asset", how="left")
        unknown_asset = pl.col(asset_field).is_not_null() & pl.col("__types").is_null()
        bad_type = (
            pl.col("__types").is_not_null()
            & pl.col(type_field).is_not_null()
            & ~pl.col("__types").list.contains(pl.col(type_field))
        )
        assets = ", ".join(settings.activity_types)
        issues.append(
            issue_frame(
                joined.filter(unknown_asset),
                code=IssueCode.NOT_ALLOWED,
                severity=Severity.ERROR,
                message="asset type is not configured",
                file=file,
                field_name=asset_field,
                column=sources.get(asset_field),
                value=pl.col(asset_field),
                fix=f"use one of: {assets}",
            )
        )
        issues.append(
            issue_frame(
                joined.filter(bad_type),
                code=IssueCode.NOT_ALLOWED,
                severity=Severity.ERROR,
                message=pl.format(
                    "activity type not configured for asset type '{}'", pl.col(asset_field)
                ),
                file=file,
                field_name=type_field,
                column=sources.get(type_field),
                value=pl.col(type_field),
                fix=pl.format("use one of: {}", pl.col("__types").list.join(", ")),
            )
        )
    fields = [f for f in spec.names if f in sources]
    if fields:
        # Group by one 64-bit hash of the row's values instead of by every column:
        # a window over one integer is far faster. Rows that share a hash are then
        # compared by value, so a hash collision never reports a false duplicate.
        keyed = frame.with_columns(pl.struct(fields).hash().alias("__hash"))
        suspects = keyed.filter(pl.col("__hash").is_duplicated())
        first = pl.col(ROW).min().over(fields)
        duplicates = (
            suspects.with_columns(first.alias("__first"))
            .filter(pl.col(ROW) != pl.col("__first"))
            .drop("__hash")
        )
        issues.append(
            issue_frame(
                duplicates,
                code=IssueCode.DUPLICATE_ROW,
                severity=Severity.WARNING,
                message=pl.format("same values as row {}", pl.col("__first")),
                file=file,
                fix="remove the copy, or convert with --dedupe "
                "(Eloqua would create two activities)",
            )
        )
    return issues


def check_values(
    frame: pl.DataFrame,
    spec: SchemaSpec,
    schema: pa.DataFrameSchema,
    settings: Settings,
    *,
    file: str,
    sources: dict[str, str],
) -> pl.DataFrame:
    """Check normalized values and return every failure as an issue frame.

    Args:
        frame: ``_row``, ``_line`` and the fields' normalized text.
        spec: The schema spec (kinds, limits).
        schema: The pandera schema to validate the typed frame with.
        settings: Activity types per asset type.
        file: The input's display name.
        sources: ``{field: source header}``.
    """
    typed, lazy_issues = _cast_problems(frame, spec, settings, file, sources)
    issues = [collect_issues(lazy_issues)]
    failures = _pandera_failures(typed, schema, spec, file, sources)
    if failures.height:
        # A cell already reported as invalid is null in the typed frame; pandera's
        # not-nullable finding about it would be a second report of the same problem.
        seen = issues[0].select("row", "field").unique()
        failures = failures.join(seen, on=["row", "field"], how="anti", nulls_equal=True)
        unmapped = [f.name for f in spec.fields if f.name not in sources and f.required]
        failures = failures.filter(
            ~(pl.col("field").is_in(unmapped) & (pl.col("code") == str(IssueCode.MISSING_VALUE)))
        )
    issues.append(failures)
    issues.extend(_row_rules(frame, spec, settings, file, sources))
    return collect_issues(list(issues))
