"""Map source column headers onto a schema's field names.

Matching is loose (case, spaces, punctuation and diacritics are ignored) and knows each
field's aliases: Eloqua internal and display names and user-declared ones. Every decision
is reported: an exact match is silent, a loose match is a ``renamed-column`` note (a
header that differs only in case is never accepted silently), two columns for one field
are a ``duplicate-column`` error naming both, an unknown column is a warning with the
closest field suggested, and a required field without a column is ``missing-column``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from ..defaults import MAX_UNKNOWN_COLUMN_ISSUES, SUGGESTION_CUTOFF
from ..issues.codes import IssueCode, Severity
from ..issues.records import Issue
from ..schema.fields import SchemaSpec, header_key

__all__ = ["ColumnMatch", "HeaderMapping", "map_headers"]


@dataclass(frozen=True)
class ColumnMatch:
    """What one source column maps to.

    Attributes:
        column: The frame's column name for this source column.
        header: The header as spelled in the source.
        field: The schema field it maps to, or None.
        how: ``exact``, ``loose`` (same key), ``alias`` (a known alias), ``explicit``
            (a user alias), or ``none``.
        suggestion: For an unmapped column, the closest field name.
    """

    column: str
    header: str
    field: str | None
    how: str
    suggestion: str | None = None


@dataclass(frozen=True)
class HeaderMapping:
    """The mapping of one input's columns, and what it found."""

    matches: tuple[ColumnMatch, ...]
    issues: tuple[Issue, ...]

    @property
    def renames(self) -> dict[str, str]:
        """Return ``{frame column: field}`` for the columns that map to a field, once each."""
        seen: set[str] = set()
        out: dict[str, str] = {}
        for m in self.matches:
            if m.field and m.field not in seen:
                out[m.column] = m.field
                seen.add(m.field)
        return out

    @property
    def missing(self) -> tuple[str, ...]:
        """Return the required fields that no column maps to (set by :func:`map_headers`)."""
        return tuple(i.field for i in self.issues if i.code == IssueCode.MISSING_COLUMN and i.field)


def map_headers(
    headers: tuple[str, ...] | list[str],
    columns: tuple[str, ...] | list[str],
    schema: SchemaSpec,
    *,
    file: str,
    aliases: dict[str, str] | None = None,
    line: int | None = None,
) -> HeaderMapping:
    """Map an input's headers onto ``schema``'s fields.

    Args:
        headers: The headers as spelled in the input.
        columns: The frame's (unique) column names, one per header.
        schema: The schema whose fields are the targets.
        file: The input's display name, for issues.
        aliases: Explicit ``{header: field}`` mappings from the user's config; they win.
        line: The header's physical line, given to every issue (CI annotations need one).

    Returns:
        One match per column, and the mapping issues.

    Example:
        >>> from activity_schema.schema.fields import DEFAULT_SCHEMA
        >>> m = map_headers(["E-mail Address"], ["E-mail Address"], DEFAULT_SCHEMA, file="x")
        >>> m.matches[0].field
        'email'
    """
    exact = {f.name: f.name for f in schema.fields}
    loose: dict[str, str] = {}
    alias_keys: dict[str, str] = {}
    for spec in schema.fields:
        loose.setdefault(header_key(spec.name), spec.name)
        for alias in spec.aliases:
            alias_keys.setdefault(header_key(alias), spec.name)
    explicit = {header_key(k): v for k, v in (aliases or {}).items()}

    # Suggestions cost a fuzzy comparison with every name: they are made once per
    # distinct header, for the first MAX_UNKNOWN_COLUMN_ISSUES unknown columns only.
    candidates = {header_key(n): n for n in schema.names} | alias_keys
    suggested: dict[str, str | None] = {}
    unknown = 0
    matches: list[ColumnMatch] = []
    for header, column in zip(headers, columns, strict=True):
        key = header_key(header)
        if key in explicit:
            matches.append(ColumnMatch(column, header, explicit[key], "explicit"))
        elif header in exact:
            matches.append(ColumnMatch(column, header, header, "exact"))
        elif key and key in loose:
            matches.append(ColumnMatch(column, header, loose[key], "loose"))
        elif key and key in alias_keys:
            matches.append(ColumnMatch(column, header, alias_keys[key], "alias"))
        else:
            unknown += 1
            if key in suggested or unknown > MAX_UNKNOWN_COLUMN_ISSUES:
                suggestion = suggested.get(key)
            else:
                close = difflib.get_close_matches(
                    key, list(candidates), n=1, cutoff=SUGGESTION_CUTOFF
                )
                suggestion = candidates[close[0]] if close and key else None
                suggested[key] = suggestion
            matches.append(ColumnMatch(column, header, None, "none", suggestion))

    issues: list[Issue] = []
    by_field: dict[str, list[ColumnMatch]] = {}
    for m in matches:
        if m.field:
            by_field.setdefault(m.field, []).append(m)
    for field_name, group in by_field.items():
        if len(group) > 1:
            names = " and ".join(repr(g.header) for g in group)
            issues.append(
                Issue(
                    code=IssueCode.DUPLICATE_COLUMN,
                    severity=Severity.ERROR,
                    message=f"columns {names} both map to field {field_name!r}",
                    file=file,
                    field=field_name,
                    column=group[1].header,
                    fix=f"rename or drop all but one of {names}, or map one elsewhere with "
                    "an alias in the config",
                )
            )
    unmapped = 0
    for m in matches:
        if m.field and m.how in ("loose", "alias") and m.header != m.field:
            if len(by_field[m.field]) > 1:
                continue
            issues.append(
                Issue(
                    code=IssueCode.RENAMED_COLUMN,
                    severity=Severity.INFO,
                    message=f"column {m.header!r} is field {m.field!r}",
                    file=file,
                    field=m.field,
                    column=m.header,
                    fix=f"the output uses the exact name {m.field!r}",
                )
            )
        elif m.field is None:
            unmapped += 1
            if unmapped > MAX_UNKNOWN_COLUMN_ISSUES:
                continue
            blank = not m.header.strip()
            issues.append(
                Issue(
                    code=IssueCode.BLANK_HEADER if blank else IssueCode.UNKNOWN_COLUMN,
                    severity=Severity.WARNING,
                    message=(
                        f"{m.column} has no header; it is not uploaded"
                        if blank
                        else f"column {m.header!r} matches no field; it is not uploaded"
                    ),
                    file=file,
                    column=m.header or m.column,
                    fix=(
                        f"did you mean {m.suggestion!r}? rename the column or add an alias"
                        if m.suggestion
                        else "rename it to a field name, add an alias, or ignore it"
                    ),
                )
            )
    if unmapped > MAX_UNKNOWN_COLUMN_ISSUES:
        issues.append(_unmapped_summary(matches, unmapped, file))
    for spec in schema.fields:
        if spec.required and spec.name not in by_field:
            issues.append(
                Issue(
                    code=IssueCode.MISSING_COLUMN,
                    severity=Severity.ERROR,
                    message=f"required field {spec.name!r} has no column",
                    file=file,
                    field=spec.name,
                    fix=f"add a column named {spec.name!r} or declare an alias for it",
                )
            )
    if line is not None:
        issues = [replace(i, line=line) for i in issues]
    return HeaderMapping(tuple(matches), tuple(issues))


def _unmapped_summary(matches: list[ColumnMatch], unmapped: int, file: str) -> Issue:
    """Return the one warning that stands for the unmapped columns past the itemised ones."""
    rest = [m for m in matches if m.field is None][MAX_UNKNOWN_COLUMN_ISSUES:]
    shown = ", ".join(repr(m.header or m.column) for m in rest[:5])
    more = unmapped - MAX_UNKNOWN_COLUMN_ISSUES
    return Issue(
        code=IssueCode.UNKNOWN_COLUMN,
        severity=Severity.WARNING,
        message=f"{more:,} more columns match no field and are not uploaded "
        f"({unmapped:,} in all; the first {MAX_UNKNOWN_COLUMN_ISSUES:,} are listed): {shown}, ...",
        file=file,
        column=rest[0].header or rest[0].column,
        fix="check that the header is the right line; keep only the columns to upload",
    )
