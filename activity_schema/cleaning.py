"""Normalize every field's values by kind, recording each change as a fix.

Input: a working frame with ``_row``, ``_line`` and one ``String`` column per schema field
(the mapped source values). Output: the same frame with normalized values, and the
issues that normalization found (``normalized``, ``null-string``, ``mojibake``,
``invalid-date``, ``ambiguous-date``, ``day-first-dates``). Validity of emails and
integers is checked later, after content coercion may have moved values.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .catalog import Kind, SchemaSpec
from .codes import IssueCode, Severity
from .config import Settings
from .defaults import NULL_STRINGS
from .fastpath import CLEAN_EMAIL, CLEAN_INTEGER, CLEAN_NAME, CLEAN_TEXT, evaluate_where
from .normalize import (
    DATE_AMBIGUOUS,
    DATE_INVALID,
    MOJIBAKE_FIXED,
    MOJIBAKE_SUSPECT,
    DateSettings,
    clean_text,
    collapse_whitespace,
    normalize_email,
    normalize_integer,
    parse_dates,
    repair_mojibake,
)
from .report import empty_issues, file_issue, issue_frame

__all__ = ["Cleaned", "clean_fields"]


@dataclass(frozen=True)
class Cleaned:
    """Normalized values and what normalization found.

    Attributes:
        frame: ``_row``, ``_line`` and the fields' normalized text.
        issues: Issue frame.
        date_orders: Per datetime field, the day/month order used and why.
    """

    frame: pl.DataFrame
    issues: pl.DataFrame
    date_orders: dict[str, tuple[str | None, str]]


# Values matching these are left unchanged by their kind's normalizer (see fastpath.py).
_ALREADY_CLEAN = {
    Kind.TEXT: CLEAN_TEXT,
    Kind.NAME: CLEAN_NAME,
    Kind.EMAIL: CLEAN_EMAIL,
    Kind.INTEGER: CLEAN_INTEGER,
    Kind.DATETIME: CLEAN_TEXT,
}


def _normalizer(kind: Kind, col: pl.Expr) -> pl.Expr:
    if kind is Kind.EMAIL:
        return normalize_email(col)
    if kind is Kind.INTEGER:
        return normalize_integer(clean_text(col))
    if kind is Kind.NAME:
        return collapse_whitespace(clean_text(col))
    return clean_text(col)


def clean_fields(
    work: pl.DataFrame,
    spec: SchemaSpec,
    settings: Settings,
    *,
    file: str,
    sources: dict[str, str],
) -> Cleaned:
    """Normalize each field of ``work`` by its kind.

    Args:
        work: ``_row``, ``_line`` and one String column per field of ``spec``.
        spec: The schema.
        settings: Date order, time zone and output format.
        file: The input's display name, for issues.
        sources: ``{field: source header}`` for the fields that have a column.

    Returns:
        The normalized frame, its issues, and the date-order decisions.
    """
    present = [f for f in spec.fields if f.name in sources]
    # With --no-fix the engine keeps the original values: a fix is only a suggestion.
    fixed = Severity.FIXED if settings.fix else Severity.WARNING
    changed_to = "changed to '{}'" if settings.fix else "change to '{}'"
    emptied = "emptied" if settings.fix else "empty it"
    emptied += " (only invisible characters or spaces)"
    staged = work.with_columns(
        pl.col(f.name)
        .str.strip_chars()
        .is_in(list(NULL_STRINGS))
        .fill_null(False)
        .alias(f"__null_{f.name}")
        for f in present
    )
    staged = staged.with_columns(
        evaluate_where(
            work,
            pl.col(f.name).is_not_null() & ~pl.col(f.name).str.contains(_ALREADY_CLEAN[f.kind]),
            _normalizer(f.kind, pl.col(f.name)),
            otherwise=pl.col(f.name),
        ).alias(f"__new_{f.name}")
        for f in present
    )

    issues: list[pl.DataFrame] = []
    date_orders: dict[str, tuple[str | None, str]] = {}
    replacements: list[pl.Series | pl.Expr] = []
    for f in present:
        new = pl.col(f"__new_{f.name}")
        is_null_string = pl.col(f"__null_{f.name}")
        source = sources[f.name]
        if f.kind in (Kind.TEXT, Kind.NAME):
            repaired, status = repair_mojibake(staged.get_column(f"__new_{f.name}"))
            # rechunk: polars 2.1 panics in pl.format on a filtered frame whose first
            # chunk is empty, and attached series may come in several chunks.
            staged = staged.with_columns(
                repaired.alias(f"__new_{f.name}"), status.alias(f"__moji_{f.name}")
            ).rechunk()
            moji = pl.col(f"__moji_{f.name}")
            issues.append(
                issue_frame(
                    staged.filter(moji == MOJIBAKE_FIXED),
                    code=IssueCode.MOJIBAKE,
                    severity=fixed,
                    message="double-encoded text repaired"
                    if settings.fix
                    else "double-encoded text can be repaired",
                    file=file,
                    field_name=f.name,
                    column=source,
                    value=pl.col(f.name),
                    fix=pl.format(changed_to, new),
                )
            )
            issues.append(
                issue_frame(
                    staged.filter(moji == MOJIBAKE_SUSPECT),
                    code=IssueCode.MOJIBAKE,
                    severity=Severity.WARNING,
                    message="text looks double-encoded but cannot be repaired exactly",
                    file=file,
                    field_name=f.name,
                    column=source,
                    value=pl.col(f.name),
                    fix="fix the text at its source (it was UTF-8 read as cp1252)",
                )
            )
        else:
            moji = pl.lit(None, dtype=pl.String)
        if f.kind is Kind.DATETIME:
            result = parse_dates(
                staged.get_column(f"__new_{f.name}"),
                DateSettings(
                    order=settings.date_order,  # type: ignore[arg-type]
                    default_order=settings.default_date_order,  # type: ignore[arg-type]
                    timezone=settings.timezone,
                    output_format=settings.date_format,
                ),
            )
            date_orders[f.name] = (result.order_used, result.order_reason)
            staged = staged.with_columns(
                result.values.alias(f"__date_{f.name}"),
                result.problem.alias(f"__dprob_{f.name}"),
                result.detail.alias(f"__ddetail_{f.name}"),
            ).rechunk()  # see the mojibake step: parse_dates returns multi-chunk series
            problem = pl.col(f"__dprob_{f.name}")
            issues.append(
                issue_frame(
                    staged.filter((problem == DATE_INVALID) & ~is_null_string),
                    code=IssueCode.INVALID_DATE,
                    severity=Severity.ERROR,
                    message=pl.coalesce(
                        pl.col(f"__ddetail_{f.name}"), pl.lit("not a date in any accepted form")
                    ),
                    file=file,
                    field_name=f.name,
                    column=source,
                    value=pl.col(f.name),
                    fix="use YYYY-MM-DD HH:MM:SS",
                )
            )
            issues.append(
                issue_frame(
                    staged.filter(problem == DATE_AMBIGUOUS),
                    code=IssueCode.AMBIGUOUS_DATE,
                    severity=Severity.WARNING,
                    message=pl.format(
                        "could be month-first or day-first; read {} as '{}'",
                        pl.lit(
                            "month-first" if result.order_used != "dmy" else "day-first"
                        ),
                        pl.col(f"__date_{f.name}"),
                    ),
                    file=file,
                    field_name=f.name,
                    column=source,
                    value=pl.col(f.name),
                    fix="use YYYY-MM-DD, or set date_order in the config",
                )
            )
            if result.order_used == "dmy" and settings.date_order == "auto":
                issues.append(
                    file_issue(
                        IssueCode.DAY_FIRST_DATES,
                        Severity.WARNING,
                        f"column read day-first: {result.order_reason}",
                        file=file,
                        field=f.name,
                        column=source,
                        fix="check a few values; set date_order = \"mdy\" if this is wrong",
                    )
                )
            new = pl.col(f"__date_{f.name}")
            # An invalid date keeps its original text so that rejects show it.
            new = pl.when(problem == DATE_INVALID).then(pl.col(f"__new_{f.name}")).otherwise(new)
            staged = staged.with_columns(new.alias(f"__new_{f.name}"))
            new = pl.col(f"__new_{f.name}")

        original = pl.col(f.name)
        issues.append(
            issue_frame(
                staged.filter(is_null_string),
                code=IssueCode.NULL_STRING,
                severity=fixed,
                message=pl.format("'{}' stands for an empty value", original),
                file=file,
                field_name=f.name,
                column=source,
                value=original,
                fix="emptied" if settings.fix else "empty it",
            )
        )
        changed = (
            original.is_not_null()
            # An empty string (from JSON or records) is already empty: nothing to report.
            & (original != "")
            & ~is_null_string
            & moji.is_null()
            & (new.is_null() | (new != original))
        )
        if f.kind is Kind.DATETIME:
            changed = changed & pl.col(f"__dprob_{f.name}").fill_null("").ne(DATE_INVALID)
        issues.append(
            issue_frame(
                staged.filter(changed),
                code=IssueCode.NORMALIZED,
                severity=fixed,
                message="value normalized",
                file=file,
                field_name=f.name,
                column=source,
                value=original,
                fix=pl.when(new.is_null())
                .then(pl.lit(emptied))
                .otherwise(pl.format(changed_to, new)),
            )
        )
        replacements.append(
            pl.when(is_null_string).then(None).otherwise(new).alias(f.name)
        )

    frame = staged.with_columns(replacements).select(work.columns)
    all_issues = pl.concat([i for i in issues if i.height]) if any(i.height for i in issues) else empty_issues()
    return Cleaned(frame=frame, issues=all_issues, date_orders=date_orders)
