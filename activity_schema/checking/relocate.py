"""Content coercion: values typed into the wrong field, fixed where it is safe.

- ``misplaced-email``: an address in a name or text field while the row's email field is
  empty is moved there (fixed); while the email field is filled, it is a warning.
- ``swapped-values``: a name in the email field and an address in a name field are
  swapped back (fixed).
- ``swapped-columns``: when most values of the email column look like names and most
  of a name column look like addresses, the two columns are swapped (fixed).

Every rule is a polars expression over whole columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ..issues.codes import IssueCode, Severity
from ..issues.records import collect_issues, empty_issues, file_issue, issue_frame
from ..schema.fields import Kind, SchemaSpec
from .decisions import SwapDecision
from .fastpath import evaluate_where, in_parallel
from .normalize import clean_text, collapse_whitespace, looks_like_email, normalize_email
from .normalize.emails import EMAIL_LIKE

__all__ = ["SWAP_COLUMNS_MIN_VALUES", "SWAP_COLUMNS_SHARE", "Coerced", "coerce_content"]

#: Share of a column's values that must look misplaced before whole columns are swapped.
SWAP_COLUMNS_SHARE = 0.6
#: Fewest values both columns need before a whole-column swap is considered (with fewer,
#: row-by-row swaps decide).
SWAP_COLUMNS_MIN_VALUES = 3


@dataclass(frozen=True)
class Coerced:
    """The frame after content coercion, and what was moved.

    Attributes:
        frame: The coerced values.
        issues: What was moved, as an issue frame.
        swap: The whole-column swap decision (None when there was nothing to decide,
            or too few values to decide on).
    """

    frame: pl.DataFrame
    issues: pl.DataFrame
    swap: SwapDecision | None = None


def _email_like(frame: pl.DataFrame, name: str, *, mostly_addresses: bool = False) -> pl.Series:
    """Tell which cells of a column look like an email address.

    The full expression runs only where it must: in most columns, on the cells with an
    "@"; in a column of addresses (``mostly_addresses``), on the cells that do not
    match EMAIL_LIKE as they are (a bare address needs no trimming).
    """
    col = pl.col(name)
    if mostly_addresses:
        # Matched once and kept: both the cheap answer and the cells left to check use it.
        frame = frame.select(col, col.str.contains(EMAIL_LIKE).fill_null(False).alias("__bare"))
        bare = pl.col("__bare")
        needed = col.str.contains("@", literal=True) & ~bare
    else:
        bare, needed = pl.lit(False), col.str.contains("@", literal=True)
    return evaluate_where(
        frame, needed, looks_like_email(col).fill_null(False), otherwise=bare
    ).fill_null(False)


def _decide_swap(
    frame: pl.DataFrame,
    email: str,
    others: list[str],
    like: dict[str, pl.Series],
    sources: dict[str, str],
) -> SwapDecision | None:
    """Decide whether the email column and another whole column are swapped.

    Returns None when no column has enough values to judge (a later batch of the same
    input may have them).
    """
    email_like = _email_like(frame, email, mostly_addresses=True)
    email_wrong = int((frame.get_column(email).is_not_null() & ~email_like).sum())
    email_present = frame.height - frame.get_column(email).null_count()
    judged = True
    for other in others:
        other_like = int(like[other].sum())
        other_present = frame.height - frame.get_column(other).null_count()
        enough = min(email_present, other_present) >= SWAP_COLUMNS_MIN_VALUES
        judged = judged and enough
        if (
            enough
            and email_wrong >= SWAP_COLUMNS_SHARE * email_present
            and other_like >= SWAP_COLUMNS_SHARE * other_present
        ):
            return SwapDecision(
                other,
                f"{email_wrong:,} of {email_present:,} values of {sources[email]!r} are not "
                f"email addresses and {other_like:,} of {other_present:,} of "
                f"{sources[other]!r} are",
            )
    if not judged:
        return None
    return SwapDecision(
        None,
        f"{email_present - email_wrong:,} of {email_present:,} values of {sources[email]!r} "
        "are email addresses",
    )


def coerce_content(
    frame: pl.DataFrame,
    spec: SchemaSpec,
    *,
    file: str,
    sources: dict[str, str],
    originals: pl.DataFrame | None = None,
    fix: bool = True,
    decided_swap: SwapDecision | None = None,
) -> Coerced:
    """Move email addresses typed into other fields back to the email field.

    Args:
        frame: Normalized values: ``_row``, ``_line`` and one column per field.
        spec: The schema (its first email field is the target).
        file: The input's display name.
        sources: ``{field: source header}``.
        originals: The values before normalization (same rows and columns); a name
            found in the email field is moved with its own spacing, not the email
            normalizer's. Defaults to ``frame``.
        fix: Apply the fixes; when False they are reported as warnings only.
        decided_swap: A whole-column decision taken earlier (on the first rows of a batched
            input), applied instead of deciding from these rows.

    Returns:
        The coerced frame and its issues.
    """
    email_fields = [f.name for f in spec.fields if f.kind is Kind.EMAIL]
    if not email_fields:
        return Coerced(frame, empty_issues())
    email = email_fields[0]
    others = [
        f.name
        for f in spec.fields
        if f.kind in (Kind.NAME, Kind.TEXT) and f.allowed is None and f.name in sources
    ]
    if not others:
        return Coerced(frame, empty_issues())
    issues: list[pl.DataFrame | pl.LazyFrame] = []
    before = originals if originals is not None else frame
    frame = frame.with_columns(before.get_column(email).alias("__original_email"))
    e = pl.col(email)
    fixed = Severity.FIXED if fix else Severity.WARNING

    # Which cells hold an address; the full pattern runs only where an "@" is.
    like = dict(zip(others, in_parallel(lambda n: _email_like(frame, n), others), strict=True))

    # Whole columns first, so that a swapped export is one finding, not one per row.
    decision = decided_swap
    if email in sources and decision is None:
        decision = _decide_swap(frame, email, others, like, sources)
    swapped_with = decision.other if decision is not None and email in sources else None
    if swapped_with is not None and swapped_with in others:
        other = swapped_with
        issues.append(
            file_issue(
                IssueCode.SWAPPED_COLUMNS,
                fixed,
                f"column {sources[email]!r} holds names and {sources[other]!r} holds "
                "email addresses",
                file=file,
                field=email,
                column=sources[email],
                fix=f"swapped {email} and {other}" if fix else f"swap {email} and {other}",
            )
        )
        if fix:
            # The names go back with their own spacing (the email normalizer has
            # squeezed them), the addresses through the email normalizer.
            o = pl.col(other)
            frame = frame.with_columns(
                normalize_email(o).alias(email),
                collapse_whitespace(clean_text(pl.col("__original_email"))).alias(other),
                # What the email column now holds came from the other column.
                o.alias("__original_email"),
            )
            like[other] = _email_like(frame, other)

    # Row by row, on the few rows where some other field holds an address: the
    # expressions below (and the email normalizer) then run on those rows only.
    any_like = pl.DataFrame(like).select(pl.any_horizontal(pl.all()))
    candidates = any_like.select(pl.arg_where(pl.all())).to_series()
    if candidates.len() == 0:
        return Coerced(frame.drop("__original_email"), collect_issues(issues), decision)
    sub = frame[candidates]
    for other in others:
        o = pl.col(other)
        other_email = looks_like_email(o).fill_null(False)
        email_ok = looks_like_email(e).fill_null(False)
        move = e.is_null() & other_email
        swap = e.is_not_null() & ~email_ok & other_email
        extra = email_ok & other_email
        findings: list[tuple[pl.Expr, IssueCode, Severity, str | pl.Expr, str]] = [
            (
                move,
                IssueCode.MISPLACED_EMAIL,
                fixed,
                f"email address in {other} while {email} is empty",
                f"moved to {email}" if fix else f"move it to {email}",
            ),
            (
                swap,
                IssueCode.SWAPPED_VALUES,
                fixed,
                pl.format(
                    f"{email} holds '{{}}' and {other} holds an email address",
                    pl.col("__original_email").str.strip_chars(),
                ),
                f"swapped {email} and {other}" if fix else f"swap {email} and {other}",
            ),
            (
                extra,
                IssueCode.MISPLACED_EMAIL,
                Severity.WARNING,
                f"{other} holds an email address; {email} is already filled",
                f"check which address is right; {other} should hold a name",
            ),
        ]
        for mask, code, severity, message, fix_text in findings:
            issues.append(
                issue_frame(
                    sub.filter(mask),
                    code=code,
                    severity=severity,
                    message=message,
                    fix=fix_text,
                    file=file,
                    field_name=other,
                    column=sources[other],
                    value=o,
                )
            )
        if fix:
            as_name = collapse_whitespace(clean_text(pl.col("__original_email")))
            sub = sub.with_columns(
                pl.when(move | swap).then(normalize_email(o)).otherwise(e).alias(email),
                pl.when(move).then(None).when(swap).then(as_name).otherwise(o).alias(other),
            )
    if fix:
        frame = frame.with_columns(
            frame.get_column(name).clone().scatter(candidates, sub.get_column(name))
            for name in (email, *others)
        )
    return Coerced(frame.drop("__original_email"), collect_issues(issues), decision)
