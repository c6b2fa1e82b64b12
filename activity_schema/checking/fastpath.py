"""Run expensive per-cell expressions only on the cells that need them.

Most cells of a real export are already clean: an ASCII name without stray spaces, a
lower-case email domain, a plain integer. For those the normalizers are the identity
and the validity checks find nothing, so a cheap regex that proves "already clean" lets
the expensive expression run on the few remaining cells only. Polars evaluates both
branches of ``when/then``, so the subset is taken with a filter and written back with
``scatter``.

Exports also repeat values: a campaign id, an asset name or a date may take a handful
of values over a million rows. :func:`by_distinct_value` runs a per-value function once
per distinct value of such a column and maps the results back, writing only the columns
that change somewhere.

Each pattern below must imply that the matching normalizer returns its input unchanged
(or that the check finds no problem); ``tests/checking/test_fastpath.py`` checks this on
generated values.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, TypeVar

import polars as pl

T = TypeVar("T")
R = TypeVar("R")

__all__ = [
    "CLEAN_EMAIL",
    "CLEAN_INTEGER",
    "CLEAN_NAME",
    "CLEAN_TEXT",
    "VALID_EMAIL",
    "by_distinct_value",
    "distinct_values",
    "evaluate_where",
    "in_parallel",
]

#: Printable ASCII without leading or trailing spaces: clean_text is the identity.
CLEAN_TEXT: Final = r"^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$"
#: As CLEAN_TEXT with single inner spaces: collapse_whitespace is the identity too.
CLEAN_NAME: Final = r"^[\x21-\x7E]+(?: [\x21-\x7E]+)*$"
#: A bare ASCII address with a lower-case domain: normalize_email is the identity.
CLEAN_EMAIL: Final = r"^[A-Za-z0-9_%+\-][A-Za-z0-9._%+'\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*$"
#: A canonical integer: normalize_integer is the identity.
CLEAN_INTEGER: Final = r"^(?:0|[1-9][0-9]*)$"
#: An address that breaks none of email_problem's rules (length is checked apart).
VALID_EMAIL: Final = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$"
)


#: Below this many rows, evaluating once per distinct value is not worth the join.
DISTINCT_MIN_ROWS: Final = 1000
#: Evaluate once per distinct value when distinct values are fewer than this share.
DISTINCT_SHARE: Final = 0.5
#: Cells looked at, spread over a column, to guess whether its values repeat.
DISTINCT_SAMPLE: Final = 4096


def _evaluate(subset: pl.DataFrame, expr: pl.Expr, roots: list[str]) -> pl.Series:
    """Evaluate a per-cell expression, once per distinct value when values repeat.

    Lazy, not eager: polars shares repeated sub-expressions (the normalizers reuse
    theirs) only in lazy queries.
    """
    if len(roots) == 1 and subset.height >= DISTINCT_MIN_ROWS:
        distinct = subset.get_column(roots[0]).unique()
        if distinct.len() < DISTINCT_SHARE * subset.height:
            mapped = distinct.to_frame().lazy().with_columns(expr.alias("__value")).collect()
            return subset.join(
                mapped, on=roots[0], how="left", nulls_equal=True, maintain_order="left"
            ).get_column("__value")
    return subset.lazy().select(expr.alias("__value")).collect().get_column("__value")


def evaluate_where(
    frame: pl.DataFrame,
    needed: pl.Expr,
    expr: pl.Expr,
    *,
    otherwise: pl.Expr,
    shortcut: tuple[pl.Expr, pl.Expr] | None = None,
) -> pl.Series:
    """Evaluate ``expr`` on the rows where ``needed`` holds, ``otherwise`` elsewhere.

    ``expr`` must be per-cell (no aggregation or window): it may be evaluated once per
    distinct value of the column it reads and mapped back, since exports repeat values.

    Args:
        frame: The frame both expressions run on.
        needed: Boolean expression: the rows that need ``expr`` (null counts as True).
        expr: The expensive per-cell expression.
        otherwise: The cheap expression for the other rows (usually the column itself).
        shortcut: ``(applies, cheaper)``: among the rows that need ``expr``, those where
            ``applies`` holds get ``cheaper``, which must equal ``expr`` on them (a
            second tier, for a common kind of mess with a simple fix).

    Returns:
        A series as long as ``frame`` (named ``__base``: alias it).

    Example:
        >>> df = pl.DataFrame({"v": ["a", " b "]})
        >>> evaluate_where(
        ...     df, pl.col("v").str.contains("^ "), pl.col("v").str.strip_chars(),
        ...     otherwise=pl.col("v"),
        ... ).to_list()
        ['a', 'b']
    """
    # with_columns broadcasts a literal `otherwise` to the frame's length; select would not.
    base = frame.with_columns(otherwise.alias("__base")).get_column("__base")
    indices = frame.select(pl.arg_where(needed.fill_null(True))).to_series()
    if indices.len() == 0:
        return base
    # Gather only the columns the expressions read, not the whole (wide) frame.
    exprs = [expr, *(shortcut or ())]
    names = [name for e in exprs for name in e.meta.root_names()]
    roots = [c for c in dict.fromkeys(names) if c in frame.columns]
    subset = frame.select(roots)[indices] if roots else pl.DataFrame(height=indices.len())
    if shortcut is not None:
        applies, cheaper = shortcut
        values = evaluate_where(subset, ~applies, expr, otherwise=cheaper)
    else:
        values = _evaluate(subset, expr, roots)
    if values.len() != indices.len():  # a literal expression: one value for every row
        values = values.extend_constant(values[0], indices.len() - 1)
    if values.dtype != base.dtype:
        base = base.cast(values.dtype)
    return base.clone().scatter(indices, values)


def distinct_values(s: pl.Series) -> pl.Series | None:
    """Return the distinct values of ``s`` when they are few enough to work on instead.

    A sample spread over the column answers first, so that a column of unique values
    (ids, email addresses) costs a few thousand hashed cells, not a pass over every one.

    Returns:
        The distinct values (null included, when there is one), or None when they are
        not fewer than :data:`DISTINCT_SHARE` of the cells.

    Example:
        >>> sorted(distinct_values(pl.Series(["a", "b"] * 1000)).to_list())
        ['a', 'b']
        >>> distinct_values(pl.Series([str(i) for i in range(2000)])) is None
        True
    """
    if s.len() < DISTINCT_MIN_ROWS:
        return None
    sample = s.gather_every(max(1, s.len() // DISTINCT_SAMPLE))
    if sample.n_unique() >= DISTINCT_SHARE * sample.len():
        return None
    distinct = s.unique()
    if distinct.len() >= DISTINCT_SHARE * s.len():
        return None
    return distinct


def by_distinct_value(s: pl.Series, derive: Callable[[pl.Series], pl.DataFrame]) -> pl.DataFrame:
    """Return ``derive(s)``, computed once per distinct value of ``s`` when values repeat.

    ``derive`` must be per-value: each of its rows depends only on the value at the same
    place in its input (a normalizer, a regex, a lookup), so that computing it on the
    distinct values and mapping the rows back gives the frame ``derive(s)`` gives. A
    derived column that equals the input on every distinct value is the input itself,
    and one that holds a single value is that value repeated: only the columns that
    change somewhere are mapped back, with one join.

    Args:
        s: The values.
        derive: Per-value function of a series, returning a frame as long as its input.

    Returns:
        A frame as long as ``s``, with ``derive``'s columns.

    Example:
        >>> s = pl.Series("v", [" a", "b"] * 1000)
        >>> out = by_distinct_value(s, lambda v: v.str.strip_chars().to_frame("new"))
        >>> out.get_column("new").unique().sort().to_list()
        ['a', 'b']
    """
    distinct = distinct_values(s)
    if distinct is None:
        return derive(s)
    derived = derive(distinct)
    columns: dict[str, pl.Series] = {}
    mapped: list[pl.Series] = []
    for column in derived.iter_columns():
        if column.dtype == s.dtype and column.eq_missing(distinct).all():
            columns[column.name] = s.alias(column.name)
        elif column.n_unique() <= 1:
            value = column[0] if column.len() else None
            columns[column.name] = pl.repeat(value, s.len(), dtype=column.dtype, eager=True).alias(
                column.name
            )
        else:
            mapped.append(column)
    if mapped:
        # The distinct values are unique, so a left join keeps every row, in order.
        table = pl.DataFrame([distinct.alias(_KEY), *mapped])
        joined = (
            s.alias(_KEY)
            .to_frame()
            .join(table, on=_KEY, how="left", nulls_equal=True, maintain_order="left")
        )
        columns.update((c.name, c) for c in joined.drop(_KEY).iter_columns())
    return pl.DataFrame([columns[name] for name in derived.columns])


#: The join key's name in :func:`by_distinct_value` (derived columns never start so).
_KEY: Final = "__distinct_key"


def in_parallel(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """Return ``[function(item) for item in items]``, computed on several threads.

    For per-column work that is a sequence of polars calls (such as
    :func:`evaluate_where`): each polars call runs its column on one core and releases
    the GIL, so columns handled on their own threads use every core.

    Example:
        >>> in_parallel(lambda s: s.str.to_uppercase(), [pl.Series(["a"]), pl.Series(["b"])])[1][0]
        'B'
    """
    work = list(items)
    workers = min(len(work), os.cpu_count() or 1)
    if workers <= 1:
        return [function(item) for item in work]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, work))
