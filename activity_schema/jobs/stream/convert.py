"""The streamed convert: the same output folder as ``convert``, in bounded memory.

:func:`convert_stream` reads each CSV/TSV input in record batches
(:mod:`~activity_schema.readers.batches`), checks every batch with the engine, and writes
as it goes:

- **parts**: each batch's output records are appended to the records left over from
  the batch before, and every part that can take no more records is written; the last,
  unfinished one is carried on. Packing is greedy in record order, so the parts are the
  ones a whole-file run cuts (:func:`~activity_schema.output.encode.encode_chunks` encodes
  each part, so the bytes are too);
- **rejects**: each batch's rejects (:meth:`~activity_schema.output.plan.ConvertPlan.rejects`)
  are spilled to disk and written at the end under the header a whole-file run gives;
- **manifest**: each part's record sources and the dropped copies are spilled to disk
  and streamed into the layout of :func:`~activity_schema.output.write.convert`'s manifest.

Column-level decisions (day/month order, swapped columns) are taken before the first
batch on a sample of records spread over the whole input
(:meth:`~activity_schema.readers.batches.BatchReader.sample`; a decision the sample cannot
take is taken by the first batch that can) and passed to the engine for every batch
(:class:`~activity_schema.checking.decisions.ColumnDecisions`); each is reported as a
``column-decision`` info issue saying on which rows it was taken. Duplicate-row
warnings and ``--dedupe`` look across batches through a compact index of row hashes
(:mod:`.index`). Everything is written into a staging folder and swapped with the output
folder in one atomic step at the end, by the same
:class:`~activity_schema.output.folder.OutputFolder` as ``convert``: a failed or killed
run leaves the earlier run as it was.

``on_progress`` is told the rows and raw bytes done after every batch, for a progress
display (the core never prints).

The output is byte-identical to a whole-file run whenever the decisions taken on the
sample are the whole input's. JSON, NDJSON and .xlsx inputs are read whole (one
batch). Working files go to a hidden folder in the staging folder, removed before the
commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self

import numpy as np
import polars as pl

from ...checking.decisions import ColumnDecisions
from ...checking.engine import (
    CheckedTable,
    StagedTable,
    check_staged,
    check_table,
    stage_table,
)
from ...checking.normalize.dates import DateCache
from ...checking.result import Prepared, Summary, count_fixed_rows
from ...checking.rewritten import RewrittenCells
from ...defaults import (
    DEFAULT_MAX_BYTES,
    STREAM_BATCH_BYTES,
    STREAM_BLOCK_BYTES,
    STREAM_REPORT_ISSUES_PER_CODE,
    STREAM_REPORT_MAX_ISSUES,
)
from ...errors import UsageError
from ...issues.codes import IssueCode, Severity
from ...issues.records import ISSUE_SCHEMA, empty_issues, file_issue
from ...output.encode import OutputFormat, check_limits
from ...output.folder import OutputFolder, StepHook, output_error
from ...output.plan import INPUT, MANIFEST_NAME, REJECTS_NAME, plan_convert
from ...output.write import ConvertResult
from ...readers import ROW, ReadOptions, SourceTable, read_path
from ...readers.batches import BatchReader, open_batches
from ...schema.config import Settings
from ...schema.fields import SchemaSpec
from ..progress import ProgressCallback, ProgressEvent, input_sizes
from ..report import InputSummary
from ..sizing import should_stream
from ..whole import resolve_schema
from .ahead import ReadAhead
from .duplicates import Deduper, DuplicateWarnings
from .issues import IssueLog
from .output import DroppedSpill, PartWriter, RejectsSpill, stage_manifest

if TYPE_CHECKING:
    import pandera.polars as pa

__all__ = ["StreamedConvert", "StreamedRun", "convert_stream", "should_stream"]


@dataclass(frozen=True, eq=False)
class StreamedRun:
    """What a streamed run found: its report's pieces and its counts.

    Attributes:
        inputs: The report's ``inputs`` entries (with ``rejected_rows``).
        issues: The report's issues: all of them, or a sample (see :attr:`issue_counts`),
            except the summarised normalizations.
        normalizations: The report's ``normalizations`` (exact).
        issue_counts: The exact count of each code and severity when :attr:`issues`
            is a sample, else None.
        summary: The run's counts, as ``Prepared.summary`` gives them.
        decisions: The column-level decisions applied to each input.
        batches: How many batches were checked.
    """

    inputs: list[InputSummary]
    issues: pl.DataFrame
    normalizations: list[dict[str, Any]]
    issue_counts: list[dict[str, str | int]] | None
    summary: Summary
    decisions: tuple[ColumnDecisions, ...]
    batches: int

    @classmethod
    def of(cls, run: BatchRun, **more: Any) -> Self:
        """Return what ``run`` found (``more``: a subclass's own attributes)."""
        return cls(
            inputs=run.inputs,
            issues=run.log.frame,
            normalizations=run.log.rewrites.entries(),
            issue_counts=run.log.counts() if run.log.sampled else None,
            summary=summary_of(run.totals),
            decisions=tuple(run.decisions),
            batches=run.totals.batches,
            **more,
        )


@dataclass(frozen=True, eq=False)
class StreamedConvert(StreamedRun):
    """What a streamed conversion wrote, and its report's pieces (see :class:`StreamedRun`).

    Attributes:
        result: The counts and parts, as :func:`~activity_schema.output.write.convert`
            returns them (the parts' ``sources`` are in the manifest, not in memory;
            ``issues`` is empty: the report's issues are in :attr:`issues`).
    """

    result: ConvertResult


@dataclass
class _Totals:
    """The run's counts, as Prepared.summary and convert's manifest count them."""

    rows: int = 0
    valid: int = 0
    rejected: int = 0
    fixed_rows: int = 0
    errors: int = 0
    warnings: int = 0
    fixes: int = 0
    rows_out: int = 0
    too_large: int = 0
    dropped: int = 0
    batches: int = 0

    def count_issues(self, issues: pl.DataFrame, fixes: dict[str, int]) -> None:
        severity = issues.get_column("severity")
        self.errors += int((severity == str(Severity.ERROR)).sum())
        self.warnings += int((severity == str(Severity.WARNING)).sum())
        fixed = issues.filter(pl.col("severity") == str(Severity.FIXED))
        self.fixes += fixed.height
        for code, n in fixed.group_by("code").len().iter_rows():
            fixes[str(code)] = fixes.get(str(code), 0) + int(n)

    def count_rewrites(self, rewrites: RewrittenCells, fixes: dict[str, int]) -> None:
        """Count a batch's rewritten cells, as :meth:`count_issues` counts their rows."""
        counts = rewrites.counts()
        total = sum(counts.values())
        if not rewrites.applied:
            self.warnings += total
            return
        self.fixes += total
        for code, n in counts.items():
            fixes[code] = fixes.get(code, 0) + n


class BatchRun:
    """One streamed run: its inputs, indexes, counts and (when converting) outputs.

    Without ``parts``, ``rejects`` and ``work`` it only checks: the streamed lint.
    """

    def __init__(
        self,
        spec: SchemaSpec,
        schema: pa.DataFrameSchema | None,
        settings: Settings,
        options: ReadOptions,
        parts: PartWriter | None,
        rejects: RejectsSpill | None,
        work: Path | None,
        *,
        dedupe: bool,
        escape_formulas: bool,
        batch_bytes: int,
        block_bytes: int,
        row_bound: int,
        sizes: list[int],
        on_progress: ProgressCallback | None,
        fixes: IO[bytes] | None = None,
        max_issues: int = STREAM_REPORT_MAX_ISSUES,
        issues_per_code: int = STREAM_REPORT_ISSUES_PER_CODE,
    ) -> None:
        self.spec, self.schema, self.settings, self.options = spec, schema, settings, options
        self.parts, self.rejects = parts, rejects
        self.dedupe, self.escape_formulas = dedupe, escape_formulas
        self.batch_bytes, self.block_bytes = batch_bytes, block_bytes
        self.sizes, self.on_progress = sizes, on_progress
        self.bytes_total = sum(sizes)
        self.bytes_done = 0
        self.payload = np.uint32 if row_bound < 2**32 else np.int64
        self.log = IssueLog(max_issues=max_issues, per_code=issues_per_code, fixes=fixes)
        self.totals = _Totals()
        self.fixes: dict[str, int] = {}
        self.inputs: list[InputSummary] = []
        self.manifest_inputs: list[dict[str, Any]] = []
        self.decisions: list[ColumnDecisions] = []
        self.deduper = Deduper(spec, self.payload)
        self.work = work
        self.dropped = DroppedSpill(work) if work is not None else None
        self.stage = "converting" if parts is not None else "checking"

    def close(self) -> None:
        """Close the spill files and the issue log's thread."""
        self.log.close()
        if self.dropped is not None:
            self.dropped.close()

    def progress(self, stage: str, path: str | None, bytes_done: int) -> None:
        """Tell ``on_progress`` where the run is (bytes never go back)."""
        if self.on_progress is not None:
            self.bytes_done = max(self.bytes_done, min(bytes_done, self.bytes_total))
            self.on_progress(
                ProgressEvent(stage, path, self.totals.rows, self.bytes_done, self.bytes_total)
            )

    def check_input(self, index: int, path: str | Path) -> None:
        """Check one input batch by batch (and, when converting, write its records)."""
        name = str(path)
        before, size = sum(self.sizes[:index]), self.sizes[index]
        self.progress("reading", name, before)
        reader = open_batches(
            path, self.options, batch_bytes=self.batch_bytes, block_bytes=self.block_bytes
        )
        tables: Iterator[tuple[StagedTable, int]]
        with contextlib.ExitStack() as stack:
            warned = stack.enter_context(
                contextlib.closing(DuplicateWarnings(self.spec, self.work))
            )
            if reader is None:
                tables = iter([(self._stage(read_path(path, self.options)), size)])
            else:
                # The next batch is read, mapped and cleaned value by value (what needs
                # no column decision) on a thread while this one is checked.
                staged = ((self._stage(t), reader.bytes_read) for t in reader.batches())
                tables = stack.enter_context(ReadAhead(staged, name=name))
            self._check_batches(index, name, reader, tables, warned)

    def _check_batches(
        self,
        index: int,
        name: str,
        reader: BatchReader | None,
        tables: Iterator[tuple[StagedTable, int]],
        warned: DuplicateWarnings,
    ) -> None:
        """Check an input's batches, each with the input bytes read up to its end."""
        before, size = sum(self.sizes[:index]), self.sizes[index]
        self.deduper.start_input(name, self.totals.rows)
        decisions = ColumnDecisions()
        dates = DateCache()  # each distinct date parsed once per input, once decided
        seen: set[tuple[Any, ...]] = set()
        first: SourceTable | None = None
        rows = rejected = batches = 0
        decided: list[pl.DataFrame] = []
        sampled: tuple[ColumnDecisions, int] | None = None
        # Decide on rows from all over the input when more than one batch will come:
        # surely so when the file holds two batches' worth of text (decided now, while
        # the first batch is read on the reader's thread), else once the first batch
        # shows that more follow.
        early = reader is not None and size // reader.choice.unit > 2 * self.batch_bytes
        if early and reader is not None:
            sampled = self._sample_decisions(reader)
        for staged, read in tables:
            table = staged.table
            if first is None:
                if not early and reader is not None and read < size:
                    sampled = self._sample_decisions(reader)
                if sampled is not None:
                    decisions = sampled[0]
            first = first or table
            batches += 1
            self.totals.batches += 1
            # Copies are found across batches (DuplicateWarnings), not within one.
            checked = check_staged(
                staged,
                self.schema,
                self.settings,
                decisions,
                duplicates=False,
                date_cache=dates,
            )
            if sampled is not None and batches == 1:
                decided.append(_decision_issues(sampled[0], checked, sampled[1], sampled=True))
            taken = checked.decisions or ColumnDecisions()
            new = decisions.new_in(taken)
            decisions = decisions.merged(taken)
            warned.add(checked)
            engine = self._engine_issues(checked, seen)
            if new:
                decided.append(_decision_issues(new, checked, rows + table.rows))
            sized = None
            if self.parts is not None:
                sized = self._plan(index, checked, engine)
            else:
                self.log.add(engine)
            if not self.log.writes_fixes:
                # Summarised from their masks; with --fixes they came as rows in engine.
                self.log.add_rewritten(checked.rewrites)
            self._count(checked, engine, sized)
            rows += table.rows
            rejected += checked.rejected.height + (sized.height if sized is not None else 0)
            self.progress(self.stage, name, before + min(read, size))
        if first is None:
            raise RuntimeError(f"reading {name} yielded no batch (a reader yields at least one)")
        if self.bytes_done < before + size:
            # The last batch came out before the blank lines at the file's end were read.
            self.progress(self.stage, name, before + size)
        if self.parts is not None and index == len(self.sizes) - 1:
            self.parts.seal()  # the last part is written while the copies are found
        self.log.wait()  # every batch's rewrites summarised (raises a summary's error)
        # Copies of earlier rows, found once every row is known, in row order.
        for warnings in warned.warnings():
            self._count(None, warnings)
            self.log.add(warnings)
        once = [reader.file_issues(first)] if reader is not None else []
        if batches > 1:
            # Taken on the first rows only: say so (a single batch saw every row).
            once += decided
        if once:
            self._count(None, pl.concat(once))
            self.log.add(pl.concat(once))
        self.decisions.append(decisions)
        self._describe(index, first, reader, rows, rejected)

    def _stage(self, table: SourceTable) -> StagedTable:
        """Map a batch and clean its values (what needs no column decision)."""
        return stage_table(table, self.spec, self.settings)

    def _sample_decisions(self, reader: BatchReader) -> tuple[ColumnDecisions, int] | None:
        """Take the column decisions on a sample spread over the input, and its rows.

        None when no sample could be read or it decided nothing: the first batch that
        can decide then does, as before.
        """
        sample = reader.sample()
        if sample is None:
            return None
        checked = check_table(
            sample, self.spec, self.schema, self.settings, ColumnDecisions(), duplicates=False
        )
        taken = (checked.decisions or ColumnDecisions()).decided()
        return (taken, sample.rows) if taken else None

    def _engine_issues(self, checked: CheckedTable, seen: set[tuple[Any, ...]]) -> pl.DataFrame:
        """Return a batch's issues as a whole-file run reports them for these rows.

        The rewritten cells are left out (they are summarised from their masks), unless
        a ``--fixes`` file needs each one as a row, in its place.
        """
        issues = checked.issues if self.log.writes_fixes else checked.listed
        # File-level issues (a missing column, the header's bytes) recur in every batch.
        once = []
        for issue in issues.filter(pl.col("row").is_null()).iter_rows():
            if issue not in seen:
                seen.add(issue)
                once.append(issue)
        file_level = pl.DataFrame(once, schema=ISSUE_SCHEMA, orient="row")
        return pl.concat([file_level, issues.filter(pl.col("row").is_not_null())])

    def _count(
        self,
        checked: CheckedTable | None,
        issues: pl.DataFrame,
        sized: pl.DataFrame | None = None,
    ) -> None:
        """Count a batch's rows and issues (``sized``: its records rejected for size)."""
        totals = self.totals
        totals.count_issues(issues, self.fixes)
        if checked is None:
            return
        rewrites = None if self.log.writes_fixes else checked.rewrites
        if rewrites is not None:
            totals.count_rewrites(rewrites, self.fixes)
        rejected = checked.rejected.get_column(ROW).to_numpy()
        if sized is not None and sized.height:
            rejected = np.concatenate([rejected, sized.get_column(ROW).to_numpy()])
        totals.rows += checked.source.rows
        totals.rejected += rejected.size
        totals.valid += checked.source.rows - rejected.size
        fixed = (
            issues.filter((pl.col("severity") == str(Severity.FIXED)) & pl.col("row").is_not_null())
            .get_column("row")
            .to_numpy()
        )
        if rewrites is not None and rewrites.applied:
            fixed = np.concatenate([fixed, rewrites.rows_rewritten()])
        totals.fixed_rows += count_fixed_rows(fixed, rejected)

    def _plan(self, index: int, checked: CheckedTable, engine: pl.DataFrame) -> pl.DataFrame:
        """Write a batch's records; return its records rejected for their size.

        The issues this stage adds (``record-too-large`` errors, dropped copies,
        ``formula-injection`` warnings) are logged and counted with the batch's.
        """
        if self.parts is None or self.rejects is None or self.dropped is None:
            raise RuntimeError("only a converting run (parts, rejects, dropped) plans records")
        kept, dropped = self.deduper.drop_copies(checked) if self.dedupe else (checked, None)
        plan = plan_convert(
            Prepared(self.spec, self.settings, (kept,)),
            to=self.parts.to,
            max_bytes=self.parts.max_bytes,
            max_rows=self.parts.max_rows,
            escape_formulas=self.escape_formulas,
        )
        frame = plan.frame.with_columns(pl.lit(index, dtype=pl.Int64).alias(INPUT))
        self.parts.add(frame, plan.sizes)
        self.rejects.add(plan.rejects, checked=checked.rejected, too_large=plan.too_large.height)
        self.totals.rows_out += frame.height
        self.totals.too_large += plan.too_large.height
        extra = [plan.issues]
        if dropped is not None and dropped.height:
            self.totals.dropped += dropped.height
            extra.append(self.deduper.issues(dropped))
            self.dropped.add(dropped)
        added = pl.concat(extra)
        # Counted here, as a whole-file run's summary counts ConvertPlan.issues.
        self.totals.count_issues(added, self.fixes)
        self.log.add(pl.concat([engine, added]))
        return plan.too_large

    def _describe(
        self,
        index: int,
        first: SourceTable,
        reader: BatchReader | None,
        rows: int,
        rejected: int,
    ) -> None:
        encoding = reader.choice.codec if reader is not None else first.encoding
        reason = reader.encoding_reason if reader is not None else first.encoding_reason
        blank = reader.blank_rows if reader is not None else first.blank_rows
        if self.rejects is not None:
            self.rejects.input_columns(first.columns, checked=bool(rejected))
        self.inputs.append(
            InputSummary.of_table(
                first, encoding=encoding, encoding_reason=reason, rows=rows, rejected_rows=rejected
            )
        )
        self.manifest_inputs.append(
            {
                "index": index,
                "path": first.name,
                "sha256": first.sha256,
                "encoding": encoding,
                "format": first.format,
                "rows": rows,
                "blank_rows_skipped": blank,
            }
        )


def _decision_issues(
    decisions: ColumnDecisions, checked: CheckedTable, rows: int, *, sampled: bool = False
) -> pl.DataFrame:
    """Return one ``column-decision`` info issue per decision taken on some rows.

    Args:
        decisions: The decisions.
        checked: A batch of the input (for its headers).
        rows: How many rows they were taken on.
        sampled: Taken on a sample spread over the input, not on its first rows.
    """
    columns = {field: column for column, field in checked.mapping.renames.items()}
    headers = dict(zip(checked.source.columns, checked.source.headers, strict=False))
    on = (
        f"on a sample of {rows:,} rows spread over the input"
        if sampled
        else f"on the first {rows:,} rows"
    )
    issues = []
    for name, date in decisions.dates.items():
        order = "day-first" if date.order == "dmy" else "month-first"
        issues.append(
            file_issue(
                IssueCode.COLUMN_DECISION,
                Severity.INFO,
                f"date order decided {on} and applied to the whole input: {order} ({date.reason})",
                file=checked.source.name,
                field=name,
                column=headers.get(columns.get(name, "")),
                fix="set date_order in the config if this is wrong for later rows",
            )
        )
    swap = decisions.swap
    if swap is not None:
        what = (
            f"the email column and {swap.other}'s are swapped"
            if swap.other
            else "the email column is not swapped with another"
        )
        issues.append(
            file_issue(
                IssueCode.COLUMN_DECISION,
                Severity.INFO,
                f"decided {on} and applied to the whole input: {what} ({swap.reason})",
                file=checked.source.name,
                fix="fix the export's headers if this is wrong for later rows",
            )
        )
    return pl.concat(issues) if issues else empty_issues()


def convert_stream(
    paths: Sequence[str | Path],
    outdir: str | Path | OutputFolder,
    *,
    spec: SchemaSpec | None = None,
    schema: pa.DataFrameSchema | None = None,
    settings: Settings | None = None,
    read_options: ReadOptions | None = None,
    to: OutputFormat = "json",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int | None = None,
    dedupe: bool = False,
    escape_formulas: bool = False,
    force: bool = False,
    batch_bytes: int = STREAM_BATCH_BYTES,
    block_bytes: int = STREAM_BLOCK_BYTES,
    on_progress: ProgressCallback | None = None,
    on_step: StepHook | None = None,
    fixes: IO[bytes] | None = None,
    max_issues: int = STREAM_REPORT_MAX_ISSUES,
    issues_per_code: int = STREAM_REPORT_ISSUES_PER_CODE,
) -> StreamedConvert:
    """Convert files in record batches into the folder ``convert`` would write.

    The folder is claimed, staged and committed as :func:`~activity_schema.output.write.convert`
    does (one writer at a time; the earlier run or the new one, never half).

    Args:
        paths: The input files, in order.
        outdir: The output folder; created if missing. Or an already claimed
            :class:`~activity_schema.output.folder.OutputFolder` (then ``force`` and
            ``on_step`` are the folder's).
        spec: The schema (default: the built-in one, or the config's).
        schema: A pandera schema to validate with (default: the spec's own checks).
        settings: Run settings (default: the built-in defaults).
        read_options: How to read the inputs.
        to: ``json`` or ``csv``.
        max_bytes: The largest part.
        max_rows: The most records per part.
        dedupe: Drop copies of earlier rows, across batches and inputs.
        escape_formulas: Quote values a spreadsheet would run as a formula.
        force: Replace the output of an earlier run in ``outdir``.
        batch_bytes: Decoded text per batch (the column-level decisions are taken on a
            sample spread over each input).
        block_bytes: Bytes read from a file at a time.
        on_progress: Called with a :class:`~activity_schema.jobs.progress.ProgressEvent`
            as each input starts (``reading``: its encoding is decided over the whole
            file first), after every batch (``converting``: rows so far, and raw bytes
            read so far of the inputs' total size; both only grow, and the last one of
            an input has all its bytes), and before the last files are written
            (``writing``). It runs on the converting thread: keep it cheap.
        on_step: Called with the name of each step of the commit (a seam for
            fault-injection tests).
        fixes: Where to append every fixed cell as NDJSON (``--fixes FILE``).
        max_issues: The issues the report lists before it lists a sample.
        issues_per_code: The issues of each file and code a sampled report lists.

    Returns:
        The counts and parts, and the report's pieces.

    Raises:
        InputError: An input cannot be read (nothing is written).
        UsageError, LockedError, OutputError: As for
            :func:`~activity_schema.output.write.convert`.

    Example:
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> path = Path(tmp.name) / "webinar.csv"
        >>> rows = "".join(f"{i},a{i}@b.co,Registered\\n" for i in range(999))
        >>> _ = path.write_text(f"activityId,email,type\\n{rows}999,not-an-email,Attended\\n")
        >>> done = convert_stream([path], Path(tmp.name) / "out", batch_bytes=10_000)
        >>> r = done.result
        >>> r.rows_in, r.rows_out, r.rows_rejected, r.rows_dropped
        (1000, 999, 1, 0)
        >>> tmp.cleanup()
    """
    if spec is None or settings is None:
        spec, _, settings = resolve_schema(spec=spec, settings=settings)
    settings = settings or Settings()
    check_limits(spec.names, to=to, max_bytes=max_bytes, max_rows=max_rows)
    if batch_bytes < 1 or block_bytes < 1:
        raise UsageError("batch and block sizes must be positive")
    with contextlib.ExitStack() as stack:
        if isinstance(outdir, OutputFolder):
            folder = outdir
        else:
            folder = stack.enter_context(OutputFolder(outdir, force=force, on_step=on_step))
        try:
            run, result = _convert_into(
                folder,
                paths,
                spec=spec,
                schema=schema,
                settings=settings,
                read_options=read_options or ReadOptions(),
                to=to,
                max_bytes=max_bytes,
                max_rows=max_rows,
                dedupe=dedupe,
                escape_formulas=escape_formulas,
                batch_bytes=batch_bytes,
                block_bytes=block_bytes,
                on_progress=on_progress,
                fixes=fixes,
                max_issues=max_issues,
                issues_per_code=issues_per_code,
            )
        except OSError as err:
            raise output_error(err, folder.given) from err
    return StreamedConvert.of(run, result=result)


def _convert_into(
    folder: OutputFolder,
    paths: Sequence[str | Path],
    *,
    spec: SchemaSpec,
    schema: pa.DataFrameSchema | None,
    settings: Settings,
    read_options: ReadOptions,
    to: OutputFormat,
    max_bytes: int,
    max_rows: int | None,
    dedupe: bool,
    escape_formulas: bool,
    batch_bytes: int,
    block_bytes: int,
    on_progress: ProgressCallback | None,
    fixes: IO[bytes] | None = None,
    max_issues: int = STREAM_REPORT_MAX_ISSUES,
    issues_per_code: int = STREAM_REPORT_ISSUES_PER_CODE,
) -> tuple[BatchRun, ConvertResult]:
    """Check and write every input into the claimed ``folder``, then commit it."""
    work = folder.work
    parts = PartWriter(folder, work, spec.names, to=to, max_bytes=max_bytes, max_rows=max_rows)
    rejects = RejectsSpill(work)
    bound = sum(Path(p).stat().st_size for p in paths if Path(p).is_file()) // 2 + 1
    run = BatchRun(
        spec,
        schema,
        settings,
        read_options,
        parts,
        rejects,
        work,
        dedupe=dedupe,
        escape_formulas=escape_formulas,
        batch_bytes=batch_bytes,
        block_bytes=block_bytes,
        row_bound=bound,
        sizes=input_sizes(paths),
        on_progress=on_progress,
        fixes=fixes,
        max_issues=max_issues,
        issues_per_code=issues_per_code,
    )
    try:
        for index, path in enumerate(paths):
            run.check_input(index, path)
        run.progress("writing", None, run.bytes_total)
        parts.finish()
        run.close()
        rejects.stage(folder)
        result = _result(run, parts, folder.given, to)
        header = plan_convert(
            Prepared(spec, settings, ()),
            to=to,
            max_bytes=max_bytes,
            max_rows=max_rows,
            dedupe=dedupe,
            escape_formulas=escape_formulas,
        )
        if run.dropped is None:
            raise RuntimeError("a converting run spills its dropped copies")
        stage_manifest(
            folder,
            header,
            result,
            rejected=rejects.rows,
            inputs=run.manifest_inputs,
            rejected_by_code=rejects.by_code,
            parts=parts,
            dropped=run.dropped,
        )
        folder.commit()
    finally:
        parts.close()
        rejects.close()
        run.close()
    return run, result


def _result(run: BatchRun, parts: PartWriter, out: Path, to: OutputFormat) -> ConvertResult:
    totals = run.totals
    return ConvertResult(
        outdir=out,
        to=to,
        parts=tuple(parts.parts),
        rows_in=totals.rows,
        rows_out=totals.rows_out,
        rows_rejected=totals.rejected,
        rows_dropped=totals.dropped,
        fixes=dict(sorted(run.fixes.items())),
        issues=empty_issues(),
        rejects_path=out / REJECTS_NAME,
        manifest_path=out / MANIFEST_NAME,
        summary=summary_of(totals),
        rejected_per_input=tuple(int(i.rejected_rows or 0) for i in run.inputs),
    )


def summary_of(totals: _Totals) -> Summary:
    """Return a streamed run's counts as ``Prepared.summary`` gives them."""
    return Summary(
        rows=totals.rows,
        valid_rows=totals.valid,
        rejected_rows=totals.rejected,
        fixed_rows=totals.fixed_rows,
        errors=totals.errors,
        warnings=totals.warnings,
        fixes=totals.fixes,
    )
