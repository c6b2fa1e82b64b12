"""The typed polars dtype of each field kind: what the engine casts a field's text to.

Kept apart from :mod:`.model` so that the checks can type a frame without importing
pandera (a run whose schema has no pandera-only check never loads it).
"""

from __future__ import annotations

import polars as pl

from .fields import Kind

__all__ = ["dtype_of"]


def dtype_of(kind: Kind) -> pl.DataType:
    """Return the typed polars dtype the engine casts a field of ``kind`` to.

    Example:
        >>> dtype_of(Kind.INTEGER), dtype_of(Kind.DATETIME), dtype_of(Kind.EMAIL)
        (Int64, Datetime(time_unit='us', time_zone=None), String)
    """
    if kind is Kind.INTEGER:
        return pl.Int64()
    if kind is Kind.DATETIME:
        return pl.Datetime("us")
    return pl.String()
