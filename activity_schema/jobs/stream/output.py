"""Write a streamed run's parts, ``rejects.csv`` and ``manifest.json`` as they come.

- :class:`PartWriter` packs output records into parts greedily, in record order, as
  :func:`~activity_schema.output.encode.encode_chunks` does, but across batches: the records a
  part could still take are carried to the next batch, and a part is written only once
  no further record fits. Parts are cut from the records' sizes
  (:func:`~activity_schema.output.encode.record_sizes`), and each part's records are
  encoded and written by :func:`~activity_schema.output.write.write_part` when it is
  full, as in a whole-file run, so its bytes are those of a whole-file run.
- :class:`RejectsSpill` spills each batch's rejects to disk and writes ``rejects.csv`` at
  the end, under the columns a whole-file run gives it.
- :class:`DroppedSpill` and :func:`stage_manifest` stream the lists of the manifest
  (each part's source ranges, the dropped copies) from disk into
  :func:`~activity_schema.output.manifest.manifest_text`'s layout. A part's ranges are
  found by :func:`~activity_schema.output.manifest.record_ranges` when the part is
  written, as a whole-file run finds them, so the two manifests are the same bytes.

Everything is staged in the claimed :class:`~activity_schema.output.folder.OutputFolder`
(flushed file by file); the caller commits the folder when the run is complete.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import polars as pl

from ...issues.codes import IssueCode
from ...output.encode import (
    OutputFormat,
    RecordSizes,
    cut_parts,
    encode_document,
    encode_records,
    part_framing,
    part_overhead,
)
from ...output.folder import OutputFolder
from ...output.manifest import (
    MANIFEST_NAME,
    RANGE_SOURCE,
    RawJSON,
    manifest_text,
    record_lines,
    record_ranges,
)
from ...output.plan import (
    INPUT,
    REJECT_COLUMNS,
    REJECTS_NAME,
    ConvertPlan,
    part_name,
)
from ...output.write import ConvertResult, Part, write_part
from ...readers import FILE, LINE, ROW
from ...threads import WorkBehind

__all__ = ["DroppedSpill", "PartWriter", "RejectsSpill", "stage_manifest"]

#: Bytes between two records in a part (``,\n`` in JSON, CRLF in CSV).
_SEPARATOR = 2
_NO_SOURCES = pl.DataFrame(schema={INPUT: pl.Int64, FILE: pl.String, ROW: pl.Int64, LINE: pl.Int64})
_PLACEHOLDER = re.compile("\x00([RD])(\\d*)\x00")


class PartWriter:
    """Pack output records into parts greedily, staging each part once it is full.

    Attributes:
        parts: The parts written so far (their ``sources`` are spilled, not kept).
        spans: Where each part's source ranges are in the spill file.
        sources_path: The spill file of source ranges (``record_lines`` text per part).
    """

    def __init__(
        self,
        folder: OutputFolder,
        work: Path,
        fields: tuple[str, ...],
        *,
        to: OutputFormat,
        max_bytes: int,
        max_rows: int | None,
    ) -> None:
        self.folder, self.fields = folder, fields
        self.to, self.max_bytes, self.max_rows = to, max_bytes, max_rows
        self.framing = part_framing(fields, to=to)
        self.capacity = max_bytes - part_overhead(fields, to=to)
        self.parts: list[Part] = []
        self.spans: list[tuple[int, int]] = []
        self.sources_path = work / "ranges.txt"
        self._sources: BinaryIO = self.sources_path.open("wb")
        self._frame: pl.DataFrame | None = None
        self._sizes: RecordSizes | None = None
        # Parts are encoded and written on a thread while the caller checks the next
        # batch; at most one batch waits to be written.
        self._behind = WorkBehind(name="parts")

    def add(self, frame: pl.DataFrame, sizes: RecordSizes) -> None:
        """Append a batch's records and write every part that can take no more.

        The writing happens on a thread, behind the caller: an error writing the
        batch before is raised here (or by :meth:`finish`).

        Args:
            frame: ``ConvertPlan.frame`` of the batch (``_input`` set to the input).
            sizes: ``ConvertPlan.sizes`` of the batch.
        """
        self._behind.submit(self._add, frame, sizes)

    def _add(self, frame: pl.DataFrame, sizes: RecordSizes) -> None:
        if self._frame is not None and self._sizes is not None and self._frame.height:
            frame = pl.concat([self._frame, frame], how="vertical_relaxed")
            sizes = self._sizes.then(sizes)
        costs = sizes.lengths + _SEPARATOR
        ends = np.cumsum(costs, dtype=np.int64)
        start, n = 0, costs.size
        while start < n:
            # As writers._cuts: each part takes as many records as fit.
            base = int(ends[start - 1]) if start else 0
            stop = int(np.searchsorted(ends, base + self.capacity, side="right"))
            full = self.max_rows is not None and stop - start >= self.max_rows
            if self.max_rows is not None:
                stop = min(stop, start + self.max_rows)
            if stop <= start:
                raise AssertionError(f"record {start + 1} of a batch does not fit (this is a bug)")
            if stop >= n and not full:
                break  # the next batch's first records may still fit in this part
            self._write(frame.slice(start, stop - start), sizes.slice(start, stop))
            start = stop
        self._frame, self._sizes = frame.slice(start), sizes.slice(start)

    def seal(self) -> None:
        """Say that no more records come: the last part is written behind the caller.

        The caller goes on (a streamed run finds its duplicate rows meanwhile);
        :meth:`finish` waits for the part. No :meth:`add` may follow.
        """
        self._behind.submit(self._write_rest)

    def finish(self) -> None:
        """Write the last part (after the batches still being written), if not sealed."""
        self._behind.wait()
        self._write_rest()
        self._sources.close()

    def _write_rest(self) -> None:
        if self._frame is not None and self._sizes is not None and self._frame.height:
            self._write(self._frame, self._sizes)
        self._frame = self._sizes = None

    def close(self) -> None:
        """Stop writing and close the spill file (idempotent).

        A batch still being written is finished first (so that nothing writes into the
        staging folder once the caller goes on to remove it); its error, if any, is
        dropped: close runs after the run's own error or after :meth:`finish`.
        """
        self._behind.close(quiet=True)
        self._sources.close()

    def _write(self, frame: pl.DataFrame, sizes: RecordSizes) -> None:
        ranges = cut_parts(
            frame,
            self.fields,
            to=self.to,
            max_bytes=self.max_bytes,
            max_rows=self.max_rows,
            sizes=sizes,
        )
        if ranges != [(0, frame.height)]:
            raise AssertionError(f"a part was cut into {len(ranges)} (this is a bug)")
        name = part_name(len(self.parts) + 1, self.to)
        # The part's records are encoded now, and only the part's.
        records = encode_records(frame, self.fields, to=self.to, plain=sizes.plain)
        with self.folder.open_staged(name) as handle:
            size, sha256 = write_part(handle, records, self.framing)
        ranges_of = record_ranges(frame, INPUT, ROW, LINE)
        text = record_lines(ranges_of, *RANGE_SOURCE).encode("ascii")
        self.spans.append((self._sources.tell(), len(text)))
        self._sources.write(text)
        self.parts.append(
            Part(name, self.folder.given / name, frame.height, size, sha256, _NO_SOURCES)
        )


class RejectsSpill:
    """Spill each batch's rejects; write them at the end under the whole run's columns.

    Attributes:
        rows: Rejected rows so far.
        by_code: Rejected rows by code (a row with two codes counts under both).
    """

    def __init__(self, work: Path) -> None:
        self.work = work
        self.files: list[Path] = []
        self.rows = 0
        self.by_code: dict[str, int] = {}
        self._checked: list[str] = []
        self._all: list[str] = []
        self._too_large = False
        self._behind = WorkBehind(name="rejects")

    def input_columns(self, columns: Sequence[str], *, checked: bool) -> None:
        """Note an input's columns (``checked``: some of its rows failed the checks)."""
        # A whole run's rejects have the columns of the inputs with rejected rows, then,
        # when a record was too large, every input's (plan._rejects' joins and concat).
        for name in columns:
            if name not in self._all:
                self._all.append(name)
            if checked and name not in self._checked:
                self._checked.append(name)

    def add(
        self,
        rejects: Callable[[], pl.DataFrame],
        *,
        checked: pl.DataFrame,
        too_large: int,
    ) -> None:
        """Spill a batch's rejects and count their codes, on a thread behind the caller.

        Args:
            rejects: Returns the batch's rejects (``ConvertPlan.rejects``); called on the
                thread, in batch order. An error in the batch before is raised here
                (or by :meth:`stage`).
            checked: ``CheckedTable.rejected`` of the batch (rows and codes).
            too_large: How many records were rejected for their size.
        """
        self._behind.submit(self._add, rejects, checked, too_large)

    def _add(
        self, rejects_of: Callable[[], pl.DataFrame], checked: pl.DataFrame, too_large: int
    ) -> None:
        self._too_large = self._too_large or bool(too_large)
        # Few distinct code lists repeat over many rows: count the lists, then split them.
        for codes, n in checked.get_column("codes").value_counts().iter_rows():
            for code in str(codes).split(","):
                self.by_code[code] = self.by_code.get(code, 0) + int(n)
        if too_large:
            key = str(IssueCode.RECORD_TOO_LARGE)
            self.by_code[key] = self.by_code.get(key, 0) + too_large
        rejects = rejects_of()
        if not rejects.height:
            return
        path = self.work / f"rejects-{len(self.files):06d}.arrow"
        rejects.write_ipc(path)
        self.files.append(path)
        self.rows += rejects.height

    def close(self) -> None:
        """Stop the spilling thread (after the batch it is spilling; errors dropped)."""
        self._behind.close(quiet=True)

    def columns(self) -> list[str]:
        """Return the rejects file's columns."""
        names = [*REJECT_COLUMNS, *self._checked]
        if self._too_large:
            names += [c for c in self._all if c not in names]
        return names

    def document(self) -> Iterator[bytes]:
        """Yield ``rejects.csv`` in pieces, laid out as ``encode_document`` lays it out."""
        names = self.columns()
        empty = pl.DataFrame(schema=dict.fromkeys(names, pl.String))
        yield from encode_document(empty, names, to="csv")  # the header line
        for path in self.files:
            frame = pl.read_ipc(path)
            frame = frame.with_columns(
                pl.lit(None, dtype=pl.String).alias(c) for c in names if c not in frame.columns
            )
            records = encode_records(frame, names, to="csv")
            yield (records.str.join("\r\n").item() + "\r\n").encode("utf-8")

    def stage(self, folder: OutputFolder) -> None:
        """Stage ``rejects.csv`` in ``folder`` (once every batch's rejects are spilled)."""
        self._behind.wait()
        folder.stage(REJECTS_NAME, self.document())


class DroppedSpill:
    """The manifest's list of dropped copies, written to disk batch by batch."""

    def __init__(self, work: Path) -> None:
        self.path = work / "dropped.txt"
        self.any = False
        self._handle = self.path.open("w", encoding="ascii")

    def add(self, dropped: pl.DataFrame) -> None:
        """Append dropped copies (``ConvertPlan.dropped``'s columns)."""
        if not dropped.height:
            return
        text = record_lines(dropped, INPUT, ROW, LINE, "kept_input", "kept_row", "kept_line")
        # One list for the run: each batch's "[\n  a,\n  b\n]" without its brackets.
        self._handle.write(("[\n  " if not self.any else ",\n  ") + text[4:-2])
        self.any = True

    def close(self) -> None:
        """Close the spill file (idempotent)."""
        self._handle.close()


def stage_manifest(
    folder: OutputFolder,
    header: ConvertPlan,
    result: ConvertResult,
    *,
    rejected: int,
    inputs: list[dict[str, Any]],
    rejected_by_code: dict[str, int],
    parts: PartWriter,
    dropped: DroppedSpill,
) -> None:
    """Stage ``manifest.json``: convert's layout, with the range lists read from disk.

    Args:
        folder: The claimed output folder (the manifest is staged last).
        header: A plan with the run's settings (format, limits, dedupe, schema).
        result: The run's counts and parts.
        rejected: Rows in ``rejects.csv``.
        inputs: The manifest's ``inputs`` entries.
        rejected_by_code: Rejected rows by code.
        parts: The finished part writer (its source ranges spill).
        dropped: The closed spill of dropped copies.
    """
    text = manifest_text(
        header,
        result,
        rejected,
        inputs=inputs,
        rejected_by_code=dict(sorted(rejected_by_code.items())),
        ranges=[RawJSON(f"\x00R{i}\x00") for i in range(len(parts.parts))],
        dropped=RawJSON("\x00D\x00"),
    )

    def pieces() -> Iterator[bytes]:
        with parts.sources_path.open("rb") as sources, dropped.path.open("rb") as copies:
            at = 0
            for match in _PLACEHOLDER.finditer(text):
                yield text[at : match.start()].encode("utf-8")
                at = match.end()
                line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
                # As manifest_text indents RawJSON text: every line after the first.
                pad = b"\n" + b" " * (len(line) - len(line.lstrip(" ")))
                if match.group(1) == "R":
                    offset, size = parts.spans[int(match.group(2))]
                    sources.seek(offset)
                    yield from (p.replace(b"\n", pad) for p in _read(sources, size))
                elif dropped.any:
                    yield from (p.replace(b"\n", pad) for p in _read(copies, None))
                    yield pad + b"]"
                else:
                    yield b"[]"
            yield text[at:].encode("utf-8")

    folder.stage(MANIFEST_NAME, pieces())


def _read(handle: BinaryIO, size: int | None, block: int = 1 << 22) -> Iterator[bytes]:
    """Yield ``size`` bytes (all: None) from ``handle``, in blocks."""
    left = size
    while left is None or left > 0:
        piece = handle.read(block if left is None else min(block, left))
        if not piece:
            return
        if left is not None:
            left -= len(piece)
        yield piece
