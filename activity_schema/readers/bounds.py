"""Bounds on the shape of an input that keep a small file from needing a lot of memory.

Every column costs polars a few kilobytes whatever it holds (its buffers, its share of
each expression over the frame): a 1 MB header of 100,000 names took 860 MB to read.
No spreadsheet has more columns than Excel's 16,384, and an Eloqua activity import maps
at most a hundred fields, so a wider input is refused before its cells are parsed.
"""

from __future__ import annotations

from ..defaults import MAX_COLUMNS
from ..errors import InputError

__all__ = ["check_column_count"]


def check_column_count(count: int, name: str, *, limit: int = MAX_COLUMNS) -> None:
    """Refuse a header of more than ``limit`` columns.

    Raises:
        InputError: The header is wider than the limit.

    Example:
        >>> check_column_count(20_000, "wide.csv")
        Traceback (most recent call last):
        ...
        activity_schema.errors.InputError: wide.csv: the input has 20,000 columns, ...
    """
    if count > limit:
        raise InputError(
            f"the input has {count:,} columns, over the limit of {limit:,} columns "
            "(Excel's widest sheet)",
            path=name,
            hint="keep only the columns to upload; for CSV, check that the delimiter is right",
        )
