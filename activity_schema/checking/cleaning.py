"""Normalize every field's values by kind, recording each change as a fix.

Input: a working frame with ``_row``, ``_line`` and one ``String`` column per schema field
(the mapped source values). Output: the same frame with normalized values, and the
issues that normalization found (``normalized``, ``null-string``, ``mojibake``,
``invalid-date``, ``ambiguous-date``, ``day-first-dates``). Validity of emails and
integers is checked later, after content coercion may have moved values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import polars as pl

from ..defaults import NULL_STRINGS
from ..issues.codes import IssueCode, Severity
from ..issues.records import collect_issues, file_issue, issue_frame
from ..readers import LINE, ROW
from ..schema.config import Settings
from ..schema.fields import Kind, SchemaSpec
from .decisions import DateDecision
from .fastpath import (
    CLEAN_EMAIL,
    CLEAN_INTEGER,
    CLEAN_NAME,
    CLEAN_TEXT,
    by_distinct_value,
    evaluate_where,
    in_parallel,
)
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
    normalize_padded_email,
    parse_dates,
    repair_mojibake,
)
from .normalize.dates import DateCache
from .normalize.emails import PADDED_EMAIL
from .rewritten import RewrittenCells, shown

__all__ = ["Cleaned", "clean_fields", "derive_fields"]


@dataclass(frozen=True)
class Cleaned:
    """Normalized values and what normalization found.

    Attributes:
        frame: ``_row``, ``_line`` and the fields' normalized text.
        issues: Issue frame, without the rewritten cells (see ``rewrites``).
        date_orders: Per datetime field, the day/month order used and why.
        date_decisions: Per datetime field, the order decision (to pass back as
            ``date_decisions`` for more rows of the same input).
        rewrites: The ``null-string`` and ``normalized`` cells, as masks (their issue
            rows are built only when asked for: :meth:`RewrittenCells.rows`).
    """

    frame: pl.DataFrame
    issues: pl.DataFrame
    date_orders: dict[str, tuple[str | None, str]]
    rewrites: RewrittenCells
    date_decisions: dict[str, DateDecision] = field(default_factory=dict)


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


def _shortcut(kind: Kind, col: pl.Expr) -> tuple[pl.Expr, pl.Expr] | None:
    # Padded or upper-case addresses are most of what needs the email normalizer.
    if kind is Kind.EMAIL:
        return col.str.contains(PADDED_EMAIL), normalize_padded_email(col)
    return None


def _derive(kind: Kind, values: pl.Series) -> pl.DataFrame:
    """Return what cleaning makes of each value: the per-value part of :func:`clean_fields`.

    Mojibake is repaired first, on the raw text (cleaning would turn the no-break space
    of a garbled "à" into a plain space and make it unrepairable); then the kind's
    normalizer runs, on the values that need it only (see
    :mod:`~activity_schema.checking.fastpath`); then null strings are found, on the
    normalized text (so that "null" hidden behind invisible characters is caught too, and
    converting the output again finds nothing new).

    Every column depends on the value alone, so the frame may be computed on distinct
    values and mapped back (:func:`~activity_schema.checking.fastpath.by_distinct_value`).

    Returns:
        For a text or name field ``__moji_`` and ``__mojiwas_`` (the mojibake status and
        what a suspect value probably read), then for
        every kind ``__new_`` (the normalized text) and ``__null_`` (a null string),
        each suffixed with the field's name.
    """
    name = values.name
    columns: list[pl.Series] = []
    source = values
    text_like = kind in (Kind.TEXT, Kind.NAME)
    if text_like:
        source, status, suspected = repair_mojibake(values)
    new = _normalized(kind, source.alias(name))
    if text_like:
        # A value whose garbled part is exact only once cleaned (a no-break space before
        # "Ã©" makes the raw bytes invalid UTF-8) is repaired from its cleaned text, so
        # that converting the output again finds nothing new.
        retry = (status.ne_missing(MOJIBAKE_FIXED) & new.ne(source)).fill_null(False)
        if retry.any():
            at = retry.arg_true()
            again, again_status, _ = repair_mojibake(new.gather(at))
            exact = again_status.eq_missing(MOJIBAKE_FIXED)
            if exact.any():
                at, again = at.filter(exact), again.filter(exact)
                # scatter writes in place: on copies, never on the caller's series.
                new = new.clone().scatter(at, _normalized(kind, again.alias(name)))
                status = status.clone().scatter(at, MOJIBAKE_FIXED)
                suspected = suspected.clone().scatter(at, None)
        columns += [status.alias(f"__moji_{name}"), suspected.alias(f"__mojiwas_{name}")]
    null = new.str.strip_chars().is_in(list(NULL_STRINGS)).fill_null(False)
    columns += [new.alias(f"__new_{name}"), null.alias(f"__null_{name}")]
    return pl.DataFrame(columns)


def _normalized(kind: Kind, values: pl.Series) -> pl.Series:
    """Return ``values`` normalized by ``kind``, running the normalizer only where needed."""
    value = pl.col(values.name)
    return evaluate_where(
        values.to_frame(),
        value.is_not_null() & ~value.str.contains(_ALREADY_CLEAN[kind]),
        _normalizer(kind, value),
        otherwise=value,
        shortcut=_shortcut(kind, value),
    )


def derive_fields(
    work: pl.DataFrame, spec: SchemaSpec, sources: Mapping[str, str]
) -> list[pl.DataFrame]:
    """Return what cleaning makes of each present field's values, one frame per field.

    The per-value part of :func:`clean_fields` (mojibake, each kind's normalizer, null
    strings: see ``_derive``), once per distinct value on columns whose values repeat.
    It needs no column decision, so it can run before the decisions are known.

    Args:
        work: ``_row``, ``_line`` and one String column per field of ``spec``.
        spec: The schema.
        sources: ``{field: source header}`` for the fields that have a column.

    Returns:
        One frame per field of ``spec`` that is in ``sources``, in the spec's order.
    """
    present = [f for f in spec.fields if f.name in sources]
    return in_parallel(
        lambda f: by_distinct_value(work.get_column(f.name), partial(_derive, f.kind)), present
    )


def clean_fields(
    work: pl.DataFrame,
    spec: SchemaSpec,
    settings: Settings,
    *,
    file: str,
    sources: dict[str, str],
    date_decisions: Mapping[str, DateDecision] | None = None,
    derived: Sequence[pl.DataFrame] | None = None,
    date_cache: DateCache | None = None,
) -> Cleaned:
    """Normalize each field of ``work`` by its kind.

    Mojibake is repaired first, on the raw text (cleaning would turn the no-break space
    of a garbled "à" into a plain space and make it unrepairable); then null strings are
    emptied; then each kind's normalizer runs, on the cells that need it only (see
    :mod:`~activity_schema.checking.fastpath`); then dates are parsed, one order per column.

    Args:
        work: ``_row``, ``_line`` and one String column per field of ``spec``.
        spec: The schema.
        settings: Date order, time zone, output format, and whether fixes apply.
        file: The input's display name, for issues.
        sources: ``{field: source header}`` for the fields that have a column.
        date_decisions: Day/month orders decided earlier (on the first rows of a
            batched input), applied instead of deciding from these rows.
        derived: :func:`derive_fields` of ``work``, when already computed (a batched
            run computes it on its reader's thread, ahead of the checks).
        date_cache: Date values parsed for earlier batches of the same input, under
            ``date_decisions`` (see :class:`~.normalize.dates.DateCache`).

    Returns:
        The normalized frame, its issues, and the date-order decisions.
    """
    present = [f for f in spec.fields if f.name in sources]
    # With --no-fix the engine keeps the original values: a fix is only a suggestion.
    fixed = Severity.FIXED if settings.fix else Severity.WARNING
    changed_to = "changed to '{}'" if settings.fix else "change to '{}'"
    # 1-3. Mojibake, each kind's normalizer and null strings: per value (see _derive).
    if derived is None:
        derived = derive_fields(work, spec, sources)
    staged = work.with_columns(
        column
        for f, frame in zip(present, derived, strict=True)
        for column in frame.iter_columns()
        # No columns of nulls when no mojibake was found.
        if not column.name.startswith("__moji")
        or frame.get_column(f"__moji_{f.name}").null_count() < frame.height
    )

    # 4. Dates, one day/month order per column.
    date_orders: dict[str, tuple[str | None, str]] = {}
    decided: dict[str, DateDecision] = {}
    date_settings = DateSettings(
        order=settings.date_order,
        default_order=settings.default_date_order,
        timezone=settings.timezone,
        output_format=settings.date_format,
    )
    issues: list[pl.DataFrame | pl.LazyFrame] = []
    for f in present:
        if f.kind is not Kind.DATETIME:
            continue
        result = parse_dates(
            staged.get_column(f"__new_{f.name}"),
            date_settings,
            (date_decisions or {}).get(f.name),
            date_cache,
            f.name,
        )
        date_orders[f.name] = (result.order_used, result.order_reason)
        if result.decision is not None:
            decided[f.name] = result.decision
        invalid = result.problem == DATE_INVALID
        staged = staged.with_columns(
            # An invalid date keeps its text so that rejects and reports show it.
            pl.Series(f"__new_{f.name}", result.values).zip_with(
                ~invalid.fill_null(False), staged.get_column(f"__new_{f.name}")
            ),
            result.problem.alias(f"__dprob_{f.name}"),
            result.detail.alias(f"__ddetail_{f.name}"),
        )
        if result.order_used == "dmy" and settings.date_order == "auto":
            issues.append(
                file_issue(
                    IssueCode.DAY_FIRST_DATES,
                    Severity.WARNING,
                    f"column read day-first: {result.order_reason}",
                    file=file,
                    field=f.name,
                    column=sources[f.name],
                    fix='check a few values; set date_order = "mdy" if this is wrong',
                )
            )
    # rechunk: polars 2.1 panics in pl.format on a filtered frame whose first chunk is
    # empty, and the attached series may come in several chunks.
    staged = staged.rechunk()
    lazy = staged.lazy()

    masks: dict[str, tuple[pl.Expr, pl.Expr]] = {}
    for f in present:
        source = sources[f.name]
        original = pl.col(f.name)
        new = pl.col(f"__new_{f.name}")
        is_null_string = pl.col(f"__null_{f.name}")
        moji = pl.col(f"__moji_{f.name}") if f"__moji_{f.name}" in staged.columns else None
        where = {"file": file, "field_name": f.name, "column": source}
        if moji is not None:
            issues.append(
                issue_frame(
                    lazy.filter(moji == MOJIBAKE_FIXED),
                    code=IssueCode.MOJIBAKE,
                    severity=fixed,
                    message="double-encoded text repaired"
                    if settings.fix
                    else "double-encoded text can be repaired",
                    value=original,
                    fix=pl.format(changed_to, shown(new)),
                    **where,
                )
            )
            issues.append(
                issue_frame(
                    lazy.filter(moji == MOJIBAKE_SUSPECT),
                    code=IssueCode.MOJIBAKE,
                    severity=Severity.WARNING,
                    message="text looks double-encoded (UTF-8 read as cp1252 or Latin-1) but "
                    "cannot be repaired exactly: kept as it is",
                    value=original,
                    # What it probably read; U+FFFD marks a character whose byte was lost.
                    fix=pl.when(pl.col(f"__mojiwas_{f.name}").str.contains("\ufffd", literal=True))
                    .then(
                        pl.format(
                            "fix the text at its source; it probably read '{}' "
                            "(\ufffd stands for a character whose byte was lost)",
                            shown(pl.col(f"__mojiwas_{f.name}")),
                        )
                    )
                    .when(pl.col(f"__mojiwas_{f.name}").is_not_null())
                    .then(
                        pl.format(
                            "fix the text at its source; it probably read '{}'",
                            shown(pl.col(f"__mojiwas_{f.name}")),
                        )
                    )
                    .otherwise(pl.lit("fix the text at its source")),
                    **where,
                )
            )
        changed = (
            original.is_not_null()
            # An empty string (from JSON or records) is already empty: nothing to report.
            & (original != "")
            & ~is_null_string
            & (new.is_null() | (new != original))
        )
        if moji is not None:
            changed = changed & moji.is_null()
        if f.kind is Kind.DATETIME:
            problem = pl.col(f"__dprob_{f.name}")
            issues.append(
                issue_frame(
                    lazy.filter((problem == DATE_INVALID) & ~is_null_string),
                    code=IssueCode.INVALID_DATE,
                    severity=Severity.ERROR,
                    message=pl.coalesce(
                        pl.col(f"__ddetail_{f.name}"), pl.lit("not a date in any accepted form")
                    ),
                    value=original,
                    fix="use YYYY-MM-DD HH:MM:SS",
                    **where,
                )
            )
            order = "day-first" if date_orders[f.name][0] == "dmy" else "month-first"
            issues.append(
                issue_frame(
                    lazy.filter(problem == DATE_AMBIGUOUS),
                    code=IssueCode.AMBIGUOUS_DATE,
                    severity=Severity.WARNING,
                    message=pl.format(
                        "could be month-first or day-first; read " + order + " as '{}'", new
                    ),
                    value=original,
                    fix="use YYYY-MM-DD, or set date_order in the config",
                    **where,
                )
            )
            changed = changed & problem.fill_null("").ne(DATE_INVALID)
        masks[f.name] = (is_null_string, changed)

    frame = staged.select(
        pl.col(ROW),
        pl.col(LINE),
        *(
            pl.when(pl.col(f"__null_{f.name}"))
            .then(None)
            .otherwise(pl.col(f"__new_{f.name}"))
            .alias(f.name)
            if f.name in sources
            else pl.col(f.name)
            for f in spec.fields
        ),
    )
    return Cleaned(
        frame=frame,
        issues=collect_issues(issues),
        date_orders=date_orders,
        date_decisions=decided,
        rewrites=RewrittenCells.of(
            staged, masks, frame, file=file, sources=sources, applied=settings.fix
        ),
    )
