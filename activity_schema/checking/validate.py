"""Checks on normalized values: cast by kind, then the schema's checks, then row rules.

Casting is done here, column by column with non-strict casts, so that every uncastable
cell of every column is reported (pandera's own coercion stops at the first failing
column; see docs/eloqua.md section 7). The typed frame is then checked against the
schema: the checks a :class:`~activity_schema.schema.fields.SchemaSpec` declares
(required, maximum length, allowed values, non-negative ids; the checks
:func:`~activity_schema.schema.model.to_pandera` gives it) run as polars expressions and
report exactly what pandera's polars backend reports for them, in its order (a property
test holds the two equal); any other check (a model's own ``@pa.check``, a dataframe-level
check) goes through pandera with ``lazy=True``, which collects every failing cell in one
failure-case frame. pandera is imported only then: a run with no such check never loads
it (issue 14). Row rules pandera does not express (a contact key from a group of fields,
activity types per asset type, duplicate rows) are plain polars expressions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from ..issues.codes import IssueCode, Severity
from ..issues.records import collect_issues, empty_issues, issue_frame
from ..readers import LINE, ROW
from ..schema.config import Settings
from ..schema.dtypes import dtype_of
from ..schema.fields import FieldSpec, Kind, SchemaSpec
from .fastpath import CLEAN_INTEGER, VALID_EMAIL, evaluate_where, in_parallel
from .normalize import email_problem, integer_problem

if TYPE_CHECKING:
    import pandera.polars as pa

__all__ = ["SchemaChecks", "check_values"]

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


def _finding(check_name: str, column: str, spec: SchemaSpec) -> tuple[IssueCode, str, str]:
    """Return the code, message and fix of a failed check of ``column``."""
    code, message, fix = _PANDERA_CODES.get(
        check_name, (IssueCode.SCHEMA_CHECK, f"check {check_name!r} failed", "fix the value")
    )
    if column in spec.names:
        if code is IssueCode.TOO_LONG:
            limit = spec.field(column).max_length
            message = f"value is longer than {limit} characters"
            fix = f"shorten it to at most {limit} characters"
        if code is IssueCode.NOT_ALLOWED:
            allowed = spec.field(column).allowed or ()
            fix = "use one of: " + ", ".join(allowed[:10]) + (" ..." if len(allowed) > 10 else "")
    return code, message, fix


def _spec_checks(f: FieldSpec) -> list[tuple[str, pl.Expr]]:
    """Return the field's checks as ``to_pandera`` declares them: (pandera's name, failing).

    In pandera's order: the null check first, then the column's checks; nulls pass every
    check but the first (pandera's ``ignore_na``).
    """
    col = pl.col(f.name)
    checks: list[tuple[str, pl.Expr]] = []
    if f.required:
        checks.append(("not_nullable", col.is_null()))
    if f.kind is Kind.INTEGER:
        checks.append(("greater_than_or_equal_to", col < 0))
    elif f.max_length is not None and f.kind is not Kind.DATETIME:
        checks.append(("str_length", col.str.len_chars() > f.max_length))
    if f.allowed is not None:
        checks.append(("isin", ~col.is_in(list(f.allowed))))
    return checks


def _native_failures(
    typed: pl.DataFrame, spec: SchemaSpec, file: str, sources: dict[str, str]
) -> list[pl.DataFrame | pl.LazyFrame]:
    """Run the spec's own checks as polars expressions, reporting as pandera would.

    A field no column maps to is skipped: its cells are all null (missing-column reports
    that once, at file level) and null passes the other checks.
    """
    frames: list[pl.DataFrame | pl.LazyFrame] = []
    for f in spec.fields:
        if f.name not in sources:
            continue
        for check_name, failing in _spec_checks(f):
            code, message, fix = _finding(check_name, f.name, spec)
            frames.append(
                issue_frame(
                    typed.lazy().filter(failing.fill_null(False)),
                    code=code,
                    severity=Severity.ERROR,
                    message=message,
                    file=file,
                    field_name=f.name,
                    column=sources[f.name],
                    value=pl.col(f.name).cast(pl.String),
                    fix=fix,
                )
            )
    return frames


@dataclass(frozen=True)
class SchemaChecks:
    """How a schema's checks run: the spec's own as polars expressions, the rest by pandera.

    Attributes:
        native: The checks ``to_pandera(spec)`` declares run as polars expressions.
        pandera: What is left for pandera (a model's own checks, dataframe-level checks),
            or the whole schema when it cannot be split (then ``native`` is False);
            None when nothing is.
    """

    native: bool
    pandera: pa.DataFrameSchema | None

    @classmethod
    def of(cls, spec: SchemaSpec, schema: pa.DataFrameSchema | None) -> SchemaChecks:
        """Split ``schema`` (None: the spec's own checks only) into the two parts.

        A column that declares what ``to_pandera(spec)`` declares for its field (dtype,
        nullability, the same built-in checks with the same options) hands those to
        the polars path and keeps its other checks for pandera. Anything else (a
        column or schema setting the spec does not give, a built-in check changed)
        leaves the whole schema to pandera, as before the split.
        """
        if schema is None:
            return cls(native=True, pandera=None)
        import pandera.polars as pa  # loaded already: a schema was given

        from ..schema.model import to_pandera

        whole = cls(native=False, pandera=schema)
        expected = to_pandera(spec)
        if _schema_options(schema) != _schema_options(expected):
            return whole
        if any(name not in schema.columns for name in expected.columns):
            return whole
        rest: dict[str, pa.Column] = {}
        for name, column in schema.columns.items():
            if name not in expected.columns:
                rest[name] = column
                continue
            want = expected.columns[name]
            if _column_options(column) != _column_options(want):
                return whole
            keys = [_check_key(c) for c in column.checks]
            built_in = {_check_key(c) for c in want.checks}
            if not built_in <= set(keys):
                return whole
            own = [c for c, key in zip(column.checks, keys, strict=True) if key not in built_in]
            if own:
                # The null check is the polars path's: pandera sees nulls as allowed.
                rest[name] = pa.Column(
                    column.dtype, checks=own, nullable=True, required=False, name=name
                )
        if not rest and not schema.checks:
            return cls(native=True, pandera=None)
        return cls(
            native=True,
            pandera=pa.DataFrameSchema(
                rest, checks=list(schema.checks), name=schema.name, strict=False, coerce=False
            ),
        )


def _schema_options(schema: pa.DataFrameSchema) -> tuple[object, ...]:
    return (schema.strict, schema.coerce, schema.unique, schema.ordered, schema.add_missing_columns)


def _column_options(column: Any) -> tuple[object, ...]:
    return (
        str(column.dtype),
        column.nullable,
        column.unique,
        column.coerce,
        column.regex,
        column.required,
        column.default,
    )


def _check_key(check: Any) -> tuple[object, ...]:
    stats = tuple(sorted((k, repr(v)) for k, v in (check.statistics or {}).items()))
    return (
        check.name,
        stats,
        check.ignore_na,
        check.element_wise,
        check.raise_warning,
        check.n_failure_cases,
        check.groupby,
    )


def _pandera_failures(
    typed: pl.DataFrame,
    schema: pa.DataFrameSchema,
    spec: SchemaSpec,
    file: str,
    sources: dict[str, str],
) -> pl.DataFrame:
    from pandera.errors import SchemaError, SchemaErrors

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
        code, message, fix = _finding(str(check_name), column, spec)
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


def _schema_failures(
    typed: pl.DataFrame,
    checks: SchemaChecks,
    spec: SchemaSpec,
    file: str,
    sources: dict[str, str],
) -> pl.DataFrame:
    """Return every failed schema check, in pandera's order (column by column)."""
    native = collect_issues(_native_failures(typed, spec, file, sources))
    if checks.pandera is None:
        return native if checks.native else empty_issues()
    extra = _pandera_failures(typed, checks.pandera, spec, file, sources)
    if not checks.native or not native.height:
        return extra
    if not extra.height:
        return native
    # A column's own checks come after its built-in ones, columns in schema order and
    # dataframe-level checks last, as one pandera run over the whole schema gives them.
    order = {name: i for i, name in enumerate(spec.names)}
    ranked = [
        frame.with_columns(
            pl.col("field")
            .replace_strict(order, default=len(order), return_dtype=pl.Int64)
            .fill_null(len(order))
            .alias("__column"),
            pl.lit(rank).alias("__rank"),
        )
        for rank, frame in enumerate((native, extra))
    ]
    return (
        pl.concat(ranked)
        .with_row_index("__seq")
        .sort(["__column", "__rank", "__seq"])
        .drop("__column", "__rank", "__seq")
    )


def _row_rules(
    frame: pl.DataFrame,
    spec: SchemaSpec,
    settings: Settings,
    file: str,
    sources: dict[str, str],
    *,
    duplicates: bool = True,
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
    if fields and duplicates:
        # Group by one 64-bit hash of the row's values instead of by every column:
        # a window over one integer is far faster. Rows that share a hash are then
        # compared by value, so a hash collision never reports a false duplicate.
        # (DataFrame.hash_rows: half the time of hashing a struct of the fields.)
        # A sort of the hashes finds the repeated ones (polars' sort is a parallel radix
        # sort: a fifth of the time of is_duplicated's hash table).
        hashes = frame.select(fields).hash_rows()
        ordered = hashes.sort()
        repeated = ordered.filter(ordered == ordered.shift(1))
        suspect = hashes.is_in(repeated.implode())
        first = pl.col(ROW).min().over(fields)
        copies = (
            frame.filter(suspect)
            .with_columns(first.alias("__first"))
            .filter(pl.col(ROW) != pl.col("__first"))
        )
        issues.append(
            issue_frame(
                copies,
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
    schema: pa.DataFrameSchema | None,
    settings: Settings,
    *,
    file: str,
    sources: dict[str, str],
    duplicates: bool = True,
) -> pl.DataFrame:
    """Check normalized values and return every failure as an issue frame.

    Args:
        frame: ``_row``, ``_line`` and the fields' normalized text.
        spec: The schema spec (kinds, limits).
        schema: The pandera schema to validate the typed frame with; None for the
            spec's own checks (see :class:`SchemaChecks`: only what the spec cannot
            express goes through pandera).
        settings: Activity types per asset type.
        file: The input's display name.
        sources: ``{field: source header}``.
        duplicates: Warn about rows equal to an earlier row of the frame (a batched
            run compares rows across batches itself, and passes False).
    """
    typed, lazy_issues = _cast_problems(frame, spec, settings, file, sources)
    issues = [collect_issues(lazy_issues)]
    checks = SchemaChecks.of(spec, schema)
    failures = _schema_failures(typed, checks, spec, file, sources)
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
    issues.extend(_row_rules(frame, spec, settings, file, sources, duplicates=duplicates))
    return collect_issues(list(issues))
