"""Check inputs against the schema and report every problem: the job behind ``lint``.

:func:`lint_files` chooses how to run: inputs read and checked whole, in memory
(:mod:`.whole`), or, for an input over the streaming threshold (or when asked), in
record batches in bounded memory (:mod:`.stream`). Either way it returns the same
report (:mod:`.report`). :func:`read_inputs` reads every input of a whole-file run, for
lint and convert alike. The job never prints: progress and unreadable inputs go to
callbacks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import InputError
from .progress import ProgressCallback, ProgressEvent, input_sizes, whole_run_event
from .seams import Seams

if TYPE_CHECKING:
    from ..readers import ReadOptions, SourceTable
    from ..schema.config import Settings
    from ..schema.fields import SchemaSpec
    from .report import InputSummary

__all__ = ["InputErrorCallback", "Inputs", "LintResult", "lint_files", "read_inputs"]

#: What hears of an input that cannot be read, when the run goes on without it.
InputErrorCallback = Callable[[InputError], None]


@dataclass(frozen=True, eq=False)
class Inputs:
    """Every input of a whole-file run, as read.

    Attributes:
        tables: The readable inputs, in the order given.
        entries: The report's ``inputs`` entries, one per input given (an unreadable
            one has its ``error``).
        errors: Why each unreadable input could not be read, in the order given.
    """

    tables: list[SourceTable]
    entries: list[InputSummary]
    errors: tuple[InputError, ...]

    @property
    def exit_code(self) -> int:
        """Return the exit code the unreadable inputs call for (0: all were read)."""
        return max((err.exit_code for err in self.errors), default=0)


def read_inputs(
    paths: Sequence[Path],
    options: ReadOptions,
    *,
    on_progress: ProgressCallback | None = None,
    on_input_error: InputErrorCallback | None = None,
) -> Inputs:
    """Read every input; an unreadable one is told to ``on_input_error`` and skipped.

    One unreadable file does not stop the others; a usage error does (it raises).
    ``on_progress`` is told which input is being read, and the bytes of those before it.
    """
    from ..readers import read_path
    from .report import InputSummary

    tables: list[SourceTable] = []
    entries: list[InputSummary] = []
    errors: list[InputError] = []
    sizes = input_sizes(paths) if on_progress is not None else [0] * len(paths)
    rows = 0
    for index, path in enumerate(paths):
        if on_progress is not None:
            on_progress(
                ProgressEvent("reading", str(path), rows or None, sum(sizes[:index]), sum(sizes))
            )
        try:
            table = read_path(path, options)
        except InputError as err:
            if on_input_error is not None:
                on_input_error(err)
            errors.append(err)
            # Standard input goes by the name the readers give it, read or not.
            name = (options.stdin_name or "<stdin>") if str(path) == "-" else str(path)
            entries.append(InputSummary(path=name, error=err.one_line()))
            continue
        tables.append(table)
        rows += table.rows
        entries.append(InputSummary.of_table(table))
    return Inputs(tables, entries, tuple(errors))


@dataclass(frozen=True, eq=False)
class LintResult:
    """What a lint found.

    Attributes:
        report: The report (:mod:`activity_schema.jobs.report`), for every format.
        errors: Error issues found (exact, even when the report lists a sample).
        warnings: Warning issues found (exact).
        input_errors: The inputs that could not be read (a whole-file run goes on
            without them; a streamed run stops at the first, raising it).
        streamed: Whether the inputs were checked in record batches.
        exit_code: 0 no errors, 1 errors (or warnings when the settings are strict),
            or the unreadable inputs' exit code when higher.
    """

    report: dict[str, Any]
    errors: int
    warnings: int
    input_errors: tuple[InputError, ...]
    streamed: bool
    exit_code: int


def _exit_code(errors: int, warnings: int, strict: bool, unreadable: int = 0) -> int:
    return max(unreadable, 1 if errors or (strict and warnings) else 0)


def lint_files(
    paths: Sequence[Path],
    *,
    spec: SchemaSpec,
    settings: Settings,
    read_options: ReadOptions,
    stream: bool | None = None,
    on_progress: ProgressCallback | None = None,
    on_input_error: InputErrorCallback | None = None,
    seams: Seams | None = None,
    fixes: IO[bytes] | None = None,
) -> LintResult:
    """Check every input against ``spec`` and return the report.

    Args:
        paths: The inputs.
        spec: The schema.
        settings: The settings (``strict`` decides the exit code of warnings).
        read_options: How to read the inputs.
        stream: True: check CSV/TSV inputs in record batches; False: whole, in memory;
            None: in batches when an input is over the streaming threshold.
        on_progress: Told where the run is.
        on_input_error: Told of each unreadable input of a whole-file run.
        seams: The batch sizes and the streaming threshold a test sets.
        fixes: Where to write every fixed cell as NDJSON (``--fixes FILE``): the
            report summarises mechanical normalizations per field.

    Returns:
        The report and the counts the exit code depends on.
    """
    seams = seams or Seams()
    if stream is None:
        stream = seams.should_stream(paths)
    if stream:
        from .report import streamed_report
        from .stream import lint_stream

        found = lint_stream(
            paths,
            spec=spec,
            schema=None,
            settings=settings,
            # Lint writes no manifest, so the inputs' SHA-256 is not taken.
            read_options=replace(read_options, digest=False),
            on_progress=on_progress,
            fixes=fixes,
            **seams.stream_sizes(),
        )
        if on_progress is not None:
            on_progress(whole_run_event("reporting", paths, found.summary.rows))
        summary = found.summary
        return LintResult(
            streamed_report(found),
            summary.errors,
            summary.warnings,
            (),
            True,
            _exit_code(summary.errors, summary.warnings, settings.strict),
        )
    # Lint writes no manifest, so the inputs' SHA-256 is not taken.
    inputs = read_inputs(
        paths,
        replace(read_options, digest=False),
        on_progress=on_progress,
        on_input_error=on_input_error,
    )
    from .report import lint_report, write_fix_list
    from .whole import check_tables

    rows = sum(table.rows for table in inputs.tables)
    if on_progress is not None:
        on_progress(whole_run_event("checking", paths, rows))
    prepared = check_tables(inputs.tables, spec, None, settings)
    if on_progress is not None:
        on_progress(whole_run_event("reporting", paths, rows))
    if fixes is not None:
        write_fix_list(prepared.issues, fixes)
    summary = prepared.summary
    return LintResult(
        lint_report(prepared, inputs.entries),
        summary.errors,
        summary.warnings,
        inputs.errors,
        False,
        _exit_code(summary.errors, summary.warnings, settings.strict, inputs.exit_code),
    )
