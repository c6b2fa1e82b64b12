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

from .catalog import Kind, SchemaSpec
from .codes import IssueCode, Severity
from .normalize import clean_text, collapse_whitespace, looks_like_email, normalize_email
from .report import empty_issues, file_issue, issue_frame

__all__ = ["Coerced", "SWAP_COLUMNS_SHARE", "coerce_content"]

#: Share of a column's values that must look misplaced before whole columns are swapped.
SWAP_COLUMNS_SHARE = 0.6


@dataclass(frozen=True)
class Coerced:
    """The frame after content coercion, and what was moved."""

    frame: pl.DataFrame
    issues: pl.DataFrame


def _share(frame: pl.DataFrame, expr: pl.Expr, column: str) -> float:
    present = frame.get_column(column).drop_nulls().len()
    if present == 0:
        return 0.0
    return float(frame.select(expr.fill_null(False).sum()).item()) / present


def coerce_content(
    frame: pl.DataFrame,
    spec: SchemaSpec,
    *,
    file: str,
    sources: dict[str, str],
    originals: pl.DataFrame | None = None,
    fix: bool = True,
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
    issues: list[pl.DataFrame] = []
    before = originals if originals is not None else frame
    frame = frame.with_columns(before.get_column(email).alias("__original_email"))
    e = pl.col(email)
    email_ok = looks_like_email(e).fill_null(False)
    fixed = Severity.FIXED if fix else Severity.WARNING

    # Whole columns first, so that a swapped export is one finding, not one per row.
    if email in sources:
        for other in others:
            o = pl.col(other)
            email_wrong = e.is_not_null() & ~email_ok
            other_email = looks_like_email(o).fill_null(False)
            if (
                _share(frame, email_wrong, email) >= SWAP_COLUMNS_SHARE
                and _share(frame, other_email, other) >= SWAP_COLUMNS_SHARE
            ):
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
                    frame = frame.with_columns(
                        normalize_email(o).alias(email),
                        collapse_whitespace(clean_text(pl.col("__original_email"))).alias(other),
                        # What the email column now holds came from the other column.
                        o.alias("__original_email"),
                    )
                break

    for other in others:
        o = pl.col(other)
        other_email = looks_like_email(o).fill_null(False)
        email_ok = looks_like_email(e).fill_null(False)
        move = e.is_null() & other_email
        swap = e.is_not_null() & ~email_ok & other_email
        extra = email_ok & other_email
        issues.append(
            issue_frame(
                frame.filter(move),
                code=IssueCode.MISPLACED_EMAIL,
                severity=fixed,
                message=pl.format("email address in {} while {} is empty", pl.lit(other), pl.lit(email)),
                file=file,
                field_name=other,
                column=sources[other],
                value=o,
                fix=f"moved to {email}" if fix else f"move it to {email}",
            )
        )
        issues.append(
            issue_frame(
                frame.filter(swap),
                code=IssueCode.SWAPPED_VALUES,
                severity=fixed,
                message=pl.format(
                    "{} holds '{}' and {} holds an email address",
                    pl.lit(email),
                    pl.col("__original_email").str.strip_chars(),
                    pl.lit(other),
                ),
                file=file,
                field_name=other,
                column=sources[other],
                value=o,
                fix=f"swapped {email} and {other}" if fix else f"swap {email} and {other}",
            )
        )
        issues.append(
            issue_frame(
                frame.filter(extra),
                code=IssueCode.MISPLACED_EMAIL,
                severity=Severity.WARNING,
                message=pl.format("{} holds an email address; {} is already filled", pl.lit(other), pl.lit(email)),
                file=file,
                field_name=other,
                column=sources[other],
                value=o,
                fix=f"check which address is right; {other} should hold a name",
            )
        )
        if fix:
            as_name = collapse_whitespace(clean_text(pl.col("__original_email")))
            frame = frame.with_columns(
                pl.when(move | swap).then(normalize_email(o)).otherwise(e).alias(email),
                pl.when(move).then(None).when(swap).then(as_name).otherwise(o).alias(other),
            )
    found = [i for i in issues if i.height]
    frame = frame.drop("__original_email")
    return Coerced(frame, pl.concat(found) if found else empty_issues())
