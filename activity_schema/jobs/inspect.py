"""What ``activity-schema inspect`` shows about each input, as data.

The returned dict is the documented ``--format json`` contract (version 1): renderers
only format it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ..checking.mapping import map_headers
from ..errors import InputError
from ..readers import ReadOptions, SourceTable, read_path
from ..schema.fields import SchemaSpec
from .lint import InputErrorCallback

__all__ = ["INSPECT_FORMAT_VERSION", "InspectResult", "inspect_files", "inspect_table"]

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
        A JSON-ready dict; see "inspect --format json" in docs/commands.md.
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


@dataclass(frozen=True, eq=False)
class InspectResult:
    """What inspect found about every input.

    Attributes:
        inputs: One entry per input given: :func:`inspect_table`'s dict, or
            ``{"path", "error"}`` for an input that cannot be read.
        input_errors: Why each unreadable input could not be read.
    """

    inputs: list[dict[str, Any]]
    input_errors: tuple[InputError, ...]

    @property
    def payload(self) -> dict[str, Any]:
        """Return the ``--format json`` document (versioned)."""
        return {"version": INSPECT_FORMAT_VERSION, "inputs": self.inputs}

    @property
    def exit_code(self) -> int:
        """Return the exit code the unreadable inputs call for (0: all were read)."""
        return max((err.exit_code for err in self.input_errors), default=0)


def inspect_files(
    paths: Sequence[Path],
    schema: SchemaSpec,
    read_options: ReadOptions,
    *,
    aliases: dict[str, str] | None = None,
    on_input_error: InputErrorCallback | None = None,
) -> InspectResult:
    """Describe every input; an unreadable one is told to ``on_input_error`` and listed.

    One unreadable file does not stop the others; a usage error does (it raises).
    """
    inputs: list[dict[str, Any]] = []
    errors: list[InputError] = []
    for path in paths:
        try:
            table = read_path(path, read_options)
        except InputError as err:
            if on_input_error is not None:
                on_input_error(err)
            errors.append(err)
            inputs.append({"path": str(path), "error": err.one_line()})
            continue
        inputs.append(inspect_table(table, schema, aliases=aliases))
    return InspectResult(inputs, tuple(errors))
