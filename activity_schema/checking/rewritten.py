"""The cells cleaning rewrote mechanically, kept as columns rather than as issue rows.

A messy export has about one mechanical rewrite per row (a thousands separator in an
id, an upper-case email domain, ``null`` for empty). Built as issue rows, a million of
them cost a fifth of a million-row lint (each row formats its fix text, then every later
step filters, concatenates, counts and groups them), only for the report to summarise
them again per field (:class:`~activity_schema.issues.rewrites.RewriteLog`). So cleaning
keeps them as what they are: for each field, the input text, the new text and two masks
(``null-string`` and ``normalized``). Counts, fixed rows and the report's summary come
from the masks; the per-cell issue rows are built only when asked for
(:meth:`RewrittenCells.rows`: ``Prepared.issues``, ``--fixes``), and are the rows the
issue list always had.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final, Self

import numpy as np
import polars as pl

from ..issues.codes import IssueCode, Severity
from ..issues.records import collect_issues, empty_issues, issue_frame
from ..readers import LINE, ROW

__all__ = ["FIX_TEXT_CHARS", "RewrittenCells", "interleave", "shown"]

#: Longest new value quoted in a fix's text; the value itself is never shortened.
FIX_TEXT_CHARS: Final = 200

_NEW = "__new_{}"
_NULL = "__null_{}"
_NORM = "__norm_{}"


def shown(value: pl.Expr) -> pl.Expr:
    """Return the value as quoted in a fix text: long values are cut with an ellipsis."""
    return (
        pl.when(value.str.len_chars() > FIX_TEXT_CHARS)
        .then(pl.concat_str(value.str.slice(0, FIX_TEXT_CHARS - 3), pl.lit("...")))
        .otherwise(value)
    )


@dataclass(frozen=True)
class RewrittenCells:
    """The ``null-string`` and ``normalized`` cells of one input, as masks over its rows.

    Attributes:
        frame: ``_row``, ``_line``, then for each field in ``fields``: the input text
            (named as the field), ``__new_<field>`` (the new text, null when emptied),
            ``__null_<field>`` (a null string, emptied) and ``__norm_<field>`` (any other
            change); the two masks never both hold.
        fields: The fields with a column, in schema order.
        file: The input's display name.
        sources: ``{field: source header}``.
        applied: Whether fixes apply (``fixed``), or are only suggested (``warning``,
            ``--no-fix``).
    """

    frame: pl.DataFrame
    fields: tuple[str, ...]
    file: str
    sources: Mapping[str, str]
    applied: bool

    @classmethod
    def of(
        cls,
        staged: pl.DataFrame,
        masks: Mapping[str, tuple[pl.Expr, pl.Expr]],
        cleaned: pl.DataFrame,
        *,
        file: str,
        sources: Mapping[str, str],
        applied: bool,
    ) -> RewrittenCells:
        """Keep the masks (``{field: (null string, normalized)}``) of a cleaned frame.

        ``staged`` holds each field's input text under its name (and whatever the masks
        read); ``cleaned`` the new text. The text columns are the frames' own, not
        copies: only the masks take memory.
        """
        columns: list[pl.Expr] = [pl.col(ROW), pl.col(LINE)]
        for name, (null, norm) in masks.items():
            columns += [
                pl.col(name),
                null.fill_null(False).alias(_NULL.format(name)),
                norm.fill_null(False).alias(_NORM.format(name)),
            ]
        kept = staged.select(columns).with_columns(
            cleaned.get_column(name).alias(_NEW.format(name)) for name in masks
        )
        return cls(
            frame=kept,
            fields=tuple(masks),
            file=file,
            sources=dict(sources),
            applied=applied,
        )

    @property
    def severity(self) -> Severity:
        """Return the rewrites' severity: ``fixed``, or ``warning`` under ``--no-fix``."""
        return Severity.FIXED if self.applied else Severity.WARNING

    def counts(self) -> dict[str, int]:
        """Return the number of rewritten cells by code (codes with none left out)."""
        if not self.fields:
            return {}
        sums = self.frame.select(
            pl.sum_horizontal(pl.col(_NULL.format(f)).sum() for f in self.fields).alias("null"),
            pl.sum_horizontal(pl.col(_NORM.format(f)).sum() for f in self.fields).alias("norm"),
        ).row(0)
        found = {str(IssueCode.NULL_STRING): int(sums[0]), str(IssueCode.NORMALIZED): int(sums[1])}
        return {code: n for code, n in found.items() if n}

    @property
    def total(self) -> int:
        """Return the number of rewritten cells."""
        return sum(self.counts().values())

    def rows_rewritten(self) -> np.ndarray:
        """Return the row numbers (``_row``) that have at least one rewritten cell."""
        if not self.fields:
            return np.zeros(0, dtype=np.int64)
        any_cell = pl.any_horizontal(
            pl.col(mask.format(f)) for f in self.fields for mask in (_NULL, _NORM)
        )
        # Selected, then filtered: a filter of the frame would gather its text columns too.
        return self.frame.select(pl.col(ROW).filter(any_cell)).get_column(ROW).to_numpy()

    def without_normalized(self, cells: pl.DataFrame | None = None, *, field: str) -> Self:
        """Return the cells with ``normalized`` cleared in ``field`` (on ``cells``' rows only).

        Args:
            cells: ``row`` of the cells to clear; None clears the whole field.
            field: The field.
        """
        if field not in self.fields:
            return self
        mask = pl.col(_NORM.format(field))
        if cells is not None:
            mask = mask & ~pl.col(ROW).is_in(cells.get_column("row").implode())
        return replace(self, frame=self.frame.with_columns(mask.alias(_NORM.format(field))))

    def normalized_inputs(self, cells: pl.DataFrame) -> pl.DataFrame:
        """Return ``row``, ``field`` and the input text of the ``normalized`` cells among ``cells``.

        Args:
            cells: ``row`` and ``field`` of some cells.
        """
        found: list[pl.DataFrame] = []
        for name in self.fields:
            rows = cells.filter(pl.col("field") == name).get_column("row")
            if not rows.len():
                continue
            found.append(
                self.frame.lazy()
                .filter(pl.col(_NORM.format(name)) & pl.col(ROW).is_in(rows.implode()))
                .select(
                    pl.col(ROW).cast(pl.Int64).alias("row"),
                    pl.lit(name, dtype=pl.String).alias("field"),
                    pl.col(name).alias("__original"),
                )
                .collect()
            )
        if not found:
            return pl.DataFrame(
                schema={"row": pl.Int64, "field": pl.String, "__original": pl.String}
            )
        return pl.concat(found)

    def summary(self, examples: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Return the rewrites counted and the first cells of each field and code.

        What :meth:`~activity_schema.issues.rewrites.RewriteLog.add` makes of
        :meth:`rows`, made from the masks: the fix text is written once per distinct
        rewrite and per example, not once per cell.

        Returns:
            The arguments of :meth:`~activity_schema.issues.rewrites.RewriteLog.add_counted`.
        """
        lazy = self.frame.lazy()
        counted: list[pl.LazyFrame] = []
        first: list[pl.LazyFrame] = []
        for name in self.fields:
            for code, mask, fix in self._kinds(name):
                cells = lazy.filter(pl.col(mask))
                key = [
                    pl.lit(name, dtype=pl.String).alias("field"),
                    pl.lit(str(code), dtype=pl.String).alias("code"),
                    pl.lit(str(self.severity), dtype=pl.String).alias("severity"),
                ]
                # A value's new text depends on the value alone (within one input).
                counted.append(
                    cells.group_by(name, maintain_order=True)
                    .agg(pl.len().alias("count"), pl.col(_NEW.format(name)).first())
                    .select(*key, pl.col(name).alias("value"), fix.alias("fix"), "count")
                )
                first.append(
                    cells.head(examples).select(
                        *key,
                        pl.lit(self.file, dtype=pl.String).alias("file"),
                        pl.col(ROW).cast(pl.Int64).alias("row"),
                        pl.col(LINE).cast(pl.Int64).alias("line"),
                        pl.lit(self.sources[name], dtype=pl.String).alias("column"),
                        pl.col(name).alias("value"),
                        fix.alias("fix"),
                    )
                )
        done: list[pl.DataFrame] = pl.collect_all([*counted, *first]) if counted else []
        rewrites, examples_found = done[: len(counted)], done[len(counted) :]
        empty = pl.DataFrame(schema={"field": pl.String, "code": pl.String, "severity": pl.String})
        return (
            pl.concat(rewrites) if rewrites else empty,
            pl.concat(examples_found) if examples_found else empty,
        )

    def _kinds(self, name: str) -> list[tuple[IssueCode, str, pl.Expr]]:
        """Return each code's mask column and fix text of field ``name``."""
        fix = self.applied
        new = pl.col(_NEW.format(name))
        emptied = ("emptied" if fix else "empty it") + " (only invisible characters or spaces)"
        changed_to = "changed to '{}'" if fix else "change to '{}'"
        return [
            (
                IssueCode.NULL_STRING,
                _NULL.format(name),
                pl.lit("emptied" if fix else "empty it", dtype=pl.String),
            ),
            (
                IssueCode.NORMALIZED,
                _NORM.format(name),
                pl.when(new.is_null())
                .then(pl.lit(emptied))
                .otherwise(pl.format(changed_to, shown(new))),
            ),
        ]

    def rows(self) -> pl.DataFrame:
        """Return the rewritten cells as issue rows, field by field, null strings first.

        These are the rows cleaning reported before it kept masks: the same codes,
        messages, values and fixes.
        """
        parts = self._row_frames()
        return collect_issues(list(parts)) if parts else empty_issues()

    def _row_frames(self) -> list[pl.LazyFrame]:
        """Return each field's issue rows (lazy), null strings first, fields in order."""
        lazy = self.frame.lazy()
        found: list[pl.LazyFrame] = []
        for name in self.fields:
            original = pl.col(name)
            messages = {
                IssueCode.NULL_STRING: pl.format("'{}' stands for an empty value", original),
                IssueCode.NORMALIZED: pl.lit("value normalized", dtype=pl.String),
            }
            for code, mask, fix in self._kinds(name):
                found.append(
                    issue_frame(
                        lazy.filter(pl.col(mask)),
                        code=code,
                        severity=self.severity,
                        message=messages[code],
                        file=self.file,
                        field_name=name,
                        column=self.sources[name],
                        value=original,
                        fix=fix,
                    )
                )
        return found


def interleave(cleaned: pl.DataFrame, rewrites: RewrittenCells | None) -> pl.DataFrame:
    """Return cleaning's issues with the rewritten cells' rows in their places.

    Cleaning lists its file-level notes first, then field by field each field's issues,
    its rewrites last; ``cleaned`` holds the others in that order.
    """
    if rewrites is None:
        return cleaned
    rows = rewrites.rows()
    if not rows.height:
        return cleaned
    if not cleaned.height:
        return rows
    position = {name: i for i, name in enumerate(rewrites.fields)}

    def ranked(frame: pl.DataFrame, kind: int) -> pl.DataFrame:
        return frame.with_columns(
            pl.when(pl.col("row").is_null())
            .then(-1)
            .otherwise(
                pl.col("field").replace_strict(
                    position, default=len(position), return_dtype=pl.Int64
                )
            )
            .alias("__field"),
            pl.lit(kind, dtype=pl.Int8).alias("__kind"),
        )

    return (
        pl.concat([ranked(cleaned, 0), ranked(rows, 1)])
        .sort(["__field", "__kind"], maintain_order=True)
        .drop("__field", "__kind")
    )
