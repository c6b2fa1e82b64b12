"""The pipeline: inputs in, checked and normalized rows out. Used by lint and convert.

``prepare`` accepts what uploader tools have at hand (a path, bytes, a polars DataFrame
or a list of dicts, or several of them) and returns a :class:`Prepared` result: the clean
rows, the rejected rows with their reasons, the report, and the counts that add up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from ..checking.engine import check_table
from ..checking.result import Prepared, Summary
from ..errors import UsageError
from ..readers import FILE, LINE, ROW, ReadOptions, SourceTable, read_bytes, read_path
from ..readers.table import unique_names
from ..schema.config import Settings, load_settings
from ..schema.fields import SchemaSpec

if TYPE_CHECKING:
    import pandera.polars as pa

__all__ = [
    "FILE",
    "Prepared",
    "Source",
    "Summary",
    "check_tables",
    "prepare",
    "resolve_schema",
    "table_from_records",
]


Source = str | Path | bytes | pl.DataFrame | list[dict[str, Any]]


def table_from_records(
    records: Sequence[dict[str, Any]] | pl.DataFrame, *, name: str
) -> SourceTable:
    """Wrap in-memory rows (a DataFrame or a list of dicts) as a source table of text.

    Values are turned into text as a reader would: ``None`` stays missing, everything
    else becomes ``str``.

    Example:
        >>> table_from_records([{"email": "a@b.co"}], name="rows").frame.columns
        ['_row', '_line', 'email']
    """
    if isinstance(records, pl.DataFrame):
        frame = records
    else:
        keys: dict[str, None] = {}
        for record in records:
            if not isinstance(record, dict):
                raise UsageError(f"records must be dicts, got {type(record).__name__}", where=name)
            keys.update(dict.fromkeys(str(k) for k in record))
        frame = pl.DataFrame(
            {k: [None if r.get(k) is None else str(r.get(k)) for r in records] for k in keys},
            schema=dict.fromkeys(keys, pl.String),
        )
    headers = [str(c) for c in frame.columns]
    names = unique_names(headers)
    frame = frame.rename(dict(zip(frame.columns, names, strict=True))).select(
        pl.col(names).cast(pl.String)
    )
    frame = frame.with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(LINE),
    ).select(ROW, LINE, *names)
    return SourceTable(name=name, frame=frame, headers=tuple(headers), format="frame")


def _read(source: Source, index: int, options: ReadOptions) -> SourceTable:
    if isinstance(source, str | Path):
        return read_path(source, options)
    if isinstance(source, bytes):
        return read_bytes(source, name=f"<bytes {index + 1}>", options=options)
    if isinstance(source, pl.DataFrame | list):
        return table_from_records(source, name=f"<records {index + 1}>")
    raise UsageError(
        f"cannot read a {type(source).__name__}; pass a path, bytes, a DataFrame or a list of dicts"
    )


def prepare(
    sources: Source | Iterable[Source],
    *,
    spec: SchemaSpec | None = None,
    model: type[pa.DataFrameModel] | None = None,
    settings: Settings | None = None,
    definition: str | Path | None = None,
    read_options: ReadOptions | None = None,
) -> Prepared:
    """Read, map, normalize and check inputs against a schema.

    Args:
        sources: One input or several: paths, bytes, DataFrames or lists of dicts.
        spec: The schema (default: built-in, or the one ``definition`` gives).
        model: A pandera model (e.g. a subclass of ``ActivityImportDataItem``) whose
            fields and custom checks are used instead of ``spec``.
        settings: Run settings (default: the built-in defaults).
        definition: An Eloqua import definition file to derive the schema from.
        read_options: How to read file and bytes inputs.

    Returns:
        The checked result: clean rows, rejects, issues and counts.

    Example:
        >>> result = prepare([{"activityId": "1", "email": "a@b.co", "type": "Registered"}])
        >>> result.summary.valid_rows
        1
    """
    if isinstance(sources, str | Path | bytes | pl.DataFrame) or (
        isinstance(sources, list) and all(isinstance(s, dict) for s in sources)
    ):
        items: list[Source] = [sources]
    else:
        items = list(sources)  # type: ignore[arg-type]
    spec, schema, settings = resolve_schema(
        spec=spec, model=model, settings=settings, definition=definition
    )
    options = read_options or ReadOptions()
    tables = [_read(source, i, options) for i, source in enumerate(items)]
    return check_tables(tables, spec, schema, settings)


def resolve_schema(
    *,
    spec: SchemaSpec | None = None,
    model: type[pa.DataFrameModel] | None = None,
    settings: Settings | None = None,
    definition: str | Path | None = None,
) -> tuple[SchemaSpec, pa.DataFrameSchema | None, Settings]:
    """Return the effective spec, pandera schema and settings for a run.

    A ``model`` wins over ``definition``, which wins over ``spec``; without any, the
    built-in default is used. The schema is None unless a model brings checks of its
    own: the spec's checks run without pandera
    (:class:`~activity_schema.checking.validate.SchemaChecks`).
    """
    if definition is not None and spec is None:
        spec = load_settings(definition=Path(definition))[0]
    settings = settings or Settings()
    if model is not None:
        from ..schema.model import spec_from_model, to_pandera

        spec, model_schema = spec_from_model(model)
        return spec, _with_custom(to_pandera(spec), model_schema), settings
    spec = spec or load_settings()[0]
    return spec, None, settings


def check_tables(
    tables: Sequence[SourceTable],
    spec: SchemaSpec,
    schema: pa.DataFrameSchema | None,
    settings: Settings,
) -> Prepared:
    """Check already-read tables; see :func:`prepare` (``schema``: see :func:`resolve_schema`)."""
    checked = tuple(check_table(t, spec, schema, settings) for t in tables)
    return Prepared(spec=spec, settings=settings, tables=checked)


_BUILTIN_CHECKS = {"str_length", "isin", "greater_than_or_equal_to"}


def _with_custom(base: pa.DataFrameSchema, model_schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """Add a model's own checks (those the spec cannot express) to the spec's schema."""
    import pandera.polars as pa

    columns = dict(base.columns)
    for name, column in model_schema.columns.items():
        custom = [c for c in column.checks if c.name not in _BUILTIN_CHECKS]
        if custom and name in columns:
            columns[name] = columns[name].set_checks([*columns[name].checks, *custom])
    return pa.DataFrameSchema(
        columns,
        checks=list(model_schema.checks),
        name=base.name,
        strict=False,
        coerce=False,
    )
