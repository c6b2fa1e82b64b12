"""What ``activity-schema inspect`` shows about an input, as data.

The returned dict is the documented ``--format json`` contract (version 1): renderers
only format it.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..checking.mapping import map_headers
from ..readers import SourceTable
from ..schema.fields import SchemaSpec

__all__ = ["INSPECT_FORMAT_VERSION", "inspect_table"]

INSPECT_FORMAT_VERSION = 1
#: How many distinct sample values inspect shows per column.
SAMPLES_PER_COLUMN = 3


def inspect_table(
    table: SourceTable, schema: SchemaSpec, *, aliases: dict[str, str] | None = None
) -> dict[str, Any]:
    """Describe an input: encoding, format, dialect, records, and each column's mapping.

    Args:
        table: The input, as read.
        schema: The schema its columns are mapped onto.
        aliases: Explicit ``{header: field}`` mappings.

    Returns:
        A JSON-ready dict; see the README's "inspect --format json" section.
    """
    mapping = map_headers(
        table.headers,
        table.columns,
        schema,
        file=table.name,
        aliases=aliases,
        line=table.header_line,
    )
    samples = (
        table.frame.select(
            pl.col(c).drop_nulls().unique(maintain_order=True).head(SAMPLES_PER_COLUMN).implode()
            for c in table.columns
        ).row(0)
        if table.columns
        else ()
    )
    columns = [
        {
            "header": m.header,
            "field": m.field,
            "match": m.how,
            "suggestion": m.suggestion,
            "samples": list(values),
        }
        for m, values in zip(mapping.matches, samples, strict=True)
    ]
    issues = [i.to_dict() for i in mapping.issues] + table.issues.to_dicts()
    return {
        "path": table.name,
        "format": table.format,
        "encoding": table.encoding,
        "encoding_reason": table.encoding_reason,
        "confidence": table.confidence,
        "dialect": table.dialect,
        "sheet": table.sheet,
        "records": table.rows,
        "blank_rows": table.blank_rows,
        "schema": schema.name,
        "columns": columns,
        "missing_fields": list(mapping.missing),
        "issues": issues,
    }
