"""The commands as Python functions: ``lint``, ``convert`` and ``inspect``.

For uploader tools and notebooks that want what the command line does, with typed
results instead of exit codes: the same jobs (:mod:`activity_schema.jobs`) run, with the
same schema resolution (``definition``, ``config``, the built-in default) and the same
choice of whole-file or streamed reading. One vocabulary across the two faces: the
keyword arguments are the long options' names (``--date-order`` is ``date_order``).

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> import activity_schema
    >>> tmp = Path(tempfile.mkdtemp())
    >>> path = tmp / "webinar.csv"
    >>> _ = path.write_text("activityId,email,type\\n1,Ann@EXAMPLE.com,Registered\\n"
    ...                     "2,not-an-email,Attended\\n")
    >>> report = activity_schema.lint(path)
    >>> report.ok, report.summary.rejected_rows
    (False, 1)
    >>> [(issue.code, issue.line) for issue in report.errors]
    [(<IssueCode.INVALID_EMAIL: 'invalid-email'>, 3)]
    >>> converted = activity_schema.convert(path, tmp / "out")
    >>> converted.rows_out, [part.path.name for part in converted.parts]
    (1, ['part-00001.json'])
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, overload

from .defaults import DEFAULT_MAX_BYTES
from .jobs.report import Report

if TYPE_CHECKING:
    from .checking.result import Prepared
    from .output.folder import OutputFolder
    from .output.write import ConvertResult, Part
    from .readers import ReadOptions
    from .schema.config import DateOrderSetting, Settings
    from .schema.fields import SchemaSpec

__all__ = ["Converted", "convert", "inspect", "lint"]

#: One input or several: paths as strings or path-like objects (``-`` is stdin).
Paths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


def _paths(paths: Paths) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def _resolve(
    definition: str | os.PathLike[str] | None,
    config: str | os.PathLike[str] | None,
    schema: SchemaSpec | None,
    **flags: Any,
) -> tuple[SchemaSpec, Settings]:
    from .schema.config import load_settings

    return load_settings(
        definition=Path(definition) if definition is not None else None,
        config=Path(config) if config is not None else None,
        cwd=Path.cwd(),
        flags=flags,
        schema=schema,
    )


def lint(
    paths: Paths,
    *,
    definition: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    schema: SchemaSpec | None = None,
    read_options: ReadOptions | None = None,
    fix: bool = True,
    strict: bool | None = None,
    timezone: str | None = None,
    date_order: DateOrderSetting | None = None,
    stream: bool | None = None,
    fixes: IO[bytes] | None = None,
) -> Report:
    """Check inputs against the schema and return the report (``activity-schema lint``).

    Args:
        paths: The input files.
        definition: An Eloqua import definition (JSON) to derive the schema from.
        config: An ``activity_schema.toml``; without one, one is searched upwards from
            the current folder, as the command does.
        schema: A schema to start from instead of the built-in default.
        read_options: How to read the inputs (encoding, format, delimiter, sheet...).
        fix: Apply the safe fixes (False: report them as suggestions, ``--no-fix``).
        strict: Count warnings as failures (``Report.ok`` is unaffected; see settings).
        timezone: The time zone of dates without an offset.
        date_order: ``mdy``, ``dmy`` or ``auto`` for ambiguous dates.
        stream: True: read CSV/TSV in record batches; None: when an input is large.
        fixes: A binary file to write every fixed cell to, as NDJSON.

    Returns:
        The report; unreadable inputs are in ``report.inputs`` with their ``error``.

    Raises:
        ConfigError: The definition or config is invalid.
        InputError: A streamed run met an unreadable input.
    """
    from .jobs.lint import lint_files
    from .readers import ReadOptions

    spec, settings = _resolve(
        definition,
        config,
        schema,
        fix=None if fix else False,
        strict=strict,
        timezone=timezone,
        date_order=date_order,
    )
    found = lint_files(
        _paths(paths),
        spec=spec,
        settings=settings,
        read_options=read_options or ReadOptions(),
        stream=stream,
        fixes=fixes,
    )
    return Report.from_dict(found.report)


@dataclass(frozen=True, eq=False)
class Converted:
    """What :func:`convert` wrote and found.

    Attributes:
        report: The report, as :func:`lint` returns it (plus ``dropped_rows``).
        result: What was written (parts, rejects, manifest paths and the row counts).
        streamed: Whether the inputs were converted in record batches.
    """

    report: Report
    result: ConvertResult
    streamed: bool

    @property
    def parts(self) -> tuple[Part, ...]:
        """Return the parts written, in order (empty for a streamed run's)."""
        return self.result.parts

    @property
    def rows_out(self) -> int:
        """Return the records written to the parts."""
        return self.result.rows_out

    @property
    def rows_rejected(self) -> int:
        """Return the records set aside in ``rejects.csv``."""
        return self.result.rows_rejected

    @property
    def rows_dropped(self) -> int:
        """Return the copies dropped (with ``dedupe``)."""
        return self.result.rows_dropped


@overload
def convert(
    paths: Prepared,
    out: str | os.PathLike[str] | OutputFolder,
    *,
    to: Literal["json", "csv"] = ...,
    max_bytes: int = ...,
    max_rows: int | None = ...,
    dedupe: bool = ...,
    escape_formulas: bool = ...,
    force: bool = ...,
    **legacy: Any,
) -> ConvertResult: ...


@overload
def convert(
    paths: Paths,
    out: str | os.PathLike[str],
    *,
    to: Literal["json", "csv"] = ...,
    max_bytes: int = ...,
    max_rows: int | None = ...,
    dedupe: bool = ...,
    escape_formulas: bool = ...,
    force: bool = ...,
    definition: str | os.PathLike[str] | None = ...,
    config: str | os.PathLike[str] | None = ...,
    schema: SchemaSpec | None = ...,
    read_options: ReadOptions | None = ...,
    fix: bool = ...,
    timezone: str | None = ...,
    date_order: DateOrderSetting | None = ...,
    stream: bool | None = ...,
    fixes: IO[bytes] | None = ...,
) -> Converted: ...


def convert(
    paths: Paths | Prepared,
    out: str | os.PathLike[str] | OutputFolder,
    *,
    to: Literal["json", "csv"] = "json",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int | None = None,
    dedupe: bool = False,
    escape_formulas: bool = False,
    force: bool = False,
    definition: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    schema: SchemaSpec | None = None,
    read_options: ReadOptions | None = None,
    fix: bool = True,
    timezone: str | None = None,
    date_order: DateOrderSetting | None = None,
    stream: bool | None = None,
    fixes: IO[bytes] | None = None,
    **legacy: Any,
) -> Converted | ConvertResult:
    """Write upload-ready parts of the inputs' valid rows into ``out`` (``convert -o``).

    The folder is written as the command writes it: parts under ``max_bytes``,
    ``rejects.csv`` and ``manifest.json``, replaced in one atomic step.

    Passing a :class:`~activity_schema.checking.result.Prepared` as the first argument
    (the 0.1 API, :func:`activity_schema.output.write.convert`) still works, with a
    DeprecationWarning, and returns what it returned.

    Args:
        paths: The input files.
        out: The output folder.
        to: ``json`` or ``csv`` parts.
        max_bytes: The largest part.
        max_rows: The most records per part.
        dedupe: Drop copies of earlier rows (counted).
        escape_formulas: Prefix values a spreadsheet would run as a formula.
        force: Replace the output of an earlier run in ``out``.
        definition: As for :func:`lint`.
        config: As for :func:`lint`.
        schema: As for :func:`lint`.
        read_options: As for :func:`lint`.
        fix: As for :func:`lint`.
        timezone: As for :func:`lint`.
        date_order: As for :func:`lint`.
        stream: As for :func:`lint`.
        fixes: As for :func:`lint`.
        **legacy: The 0.1 API's keywords (``input_hashes``, ``on_step``).

    Returns:
        The report and what was written.

    Raises:
        ConfigError: The definition or config is invalid.
        UnreadableInputsError: An input cannot be read (nothing was written).
        OutputError: The folder cannot be written.
    """
    from .checking import result as checked

    if isinstance(paths, checked.Prepared):
        from .output.write import convert as write_prepared

        warnings.warn(
            "activity_schema.convert(prepared, outdir) is deprecated: call "
            "activity_schema.convert(paths, outdir) (the command's job, returning a typed "
            "report), or activity_schema.output.write.convert(prepared, outdir)",
            DeprecationWarning,
            stacklevel=2,
        )
        return write_prepared(
            paths,
            out if not isinstance(out, os.PathLike) else Path(out),
            to=to,
            max_bytes=max_bytes,
            max_rows=max_rows,
            dedupe=dedupe,
            escape_formulas=escape_formulas,
            force=force,
            **legacy,
        )
    if legacy:
        raise TypeError(f"convert() got unexpected keyword arguments: {', '.join(sorted(legacy))}")
    from .jobs.convert import convert_files
    from .readers import ReadOptions

    spec, settings = _resolve(
        definition,
        config,
        schema,
        fix=None if fix else False,
        timezone=timezone,
        date_order=date_order,
    )
    done = convert_files(
        _paths(paths),
        out if not isinstance(out, (str, os.PathLike)) else Path(out),
        spec=spec,
        settings=settings,
        read_options=read_options or ReadOptions(),
        to=to,
        max_bytes=max_bytes,
        max_rows=max_rows,
        dedupe=dedupe,
        escape_formulas=escape_formulas,
        force=force,
        stream=stream,
        fixes=fixes,
    )
    return Converted(Report.from_dict(done.report), done.result, done.streamed)


def inspect(
    paths: Paths,
    *,
    definition: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    schema: SchemaSpec | None = None,
    read_options: ReadOptions | None = None,
) -> list[dict[str, Any]]:
    """Describe each input as ``activity-schema inspect --format json`` does.

    Returns:
        One entry per input (``inspect``'s JSON contract): the encoding and why, the
        dialect, the records, and each column's field, match and samples; an unreadable
        input's entry has its ``error``.
    """
    from .jobs.inspect import inspect_files
    from .readers import ReadOptions

    spec, settings = _resolve(definition, config, schema)
    found = inspect_files(
        _paths(paths), spec, read_options or ReadOptions(), aliases=settings.aliases
    )
    return found.inputs
