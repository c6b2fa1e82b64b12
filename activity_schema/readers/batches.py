"""Read a big delimited file in record batches, each a table with the file's row numbers.

The file's encoding is decided over the whole file first (:mod:`.encoding_blocks`); the
decoded blocks are then cut into batches at record boundaries. Where a record ends depends
on the quotes before it, so the quote state is carried from block to block with the rule
:func:`~activity_schema.readers.delimited.read_delimited` uses
(:func:`~activity_schema.readers.scan.find_quotes`: a quote means something only at the
start of a cell). Every batch after the first is read with the file's header put back
in front of it (the header the first batch found, lines above it skipped), and its
``_row`` and ``_line`` (and those of its issues) are shifted to the file's numbers, so
that batch ``k`` is the slice of the table a whole-file read would return.

What a whole-file read reports once (blank lines, NUL bytes, a guessed encoding) is
reported once here too, by :meth:`BatchReader.file_issues` after the last batch.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from ..defaults import MAX_PREAMBLE_RECORDS, STREAM_BATCH_BYTES, STREAM_BLOCK_BYTES
from ..errors import InputError, UsageError
from ..issues.codes import IssueCode, Severity
from ..issues.records import empty_issues, file_issue
from . import ReadOptions, attach_decoding, dialect_for, require_rows
from .delimited import read_delimited
from .encoding import BadByte, Decoded
from .encoding_blocks import (
    DecodedBlock,
    EncodingChoice,
    choose_encoding,
    decode_blocks,
    open_input,
)
from .limits import size_issues
from .scan import NL, NO_QUOTE, count_byte, find_quotes
from .sniff import Dialect, format_from_extension, sniff_binary, sniff_text_format
from .table import LINE, ROW, SourceTable

__all__ = ["BatchReader", "open_batches"]

_NL = 10
#: Decoded text the format and dialect are sniffed on (as read_bytes does).
_SNIFF_BYTES = 65_536
_DOS_EOF = b"\x1a"
#: Stretches of the file a streamed run samples for its column decisions, and their size:
#: about 2 MB of text, some twenty thousand rows of a typical export.
SAMPLE_WINDOWS = 32
SAMPLE_WINDOW_BYTES = 65_536
#: The start of the file read to find its header before the first batch is read.
_HEADER_WINDOW = 262_144
#: Records the first batch holds at least (when the file has them).
_FIRST_BATCH_RECORDS = MAX_PREAMBLE_RECORDS + 2


def _normalize_newlines(data: bytes) -> bytes:
    # As read_delimited does; safe per block, since blocks never split a CRLF.
    if b"\r" not in data:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


class _Cutter:
    """Find record boundaries in a growing buffer, carrying the quote state.

    Positions are offsets into :attr:`buf`. Everything before :attr:`scanned` has been
    classified; the last byte, and quotes at the end, are left unscanned until more data
    (or the end) comes: whether a record starts after a line break depends on the byte
    after it, and what a run of quotes does depends on its length.
    """

    def __init__(self, quote: str, delimiter: str) -> None:
        self.buf = bytearray()
        self.quote = ord(quote) if quote != NO_QUOTE else -1
        self.delimiter = ord(delimiter)
        self.scanned = 0
        self.inside = False
        self.last_end = -1  # the last record-ending newline (-1: the buffer's start)
        self.records = 0  # non-blank records ending at or before last_end
        self.cut_at = -1  # the last offset after a record end where a non-blank record starts
        self.cut_records = 0  # non-blank records before cut_at

    def feed(self, data: bytes, *, final: bool = False) -> None:
        """Append decoded, newline-normalized text and classify what can be."""
        self.buf += data
        self._scan(final)

    def _scan(self, final: bool) -> None:
        n = len(self.buf)
        lo, hi = self.scanned, n
        if not final:
            # The last byte waits for the next block: whether a record starts after a line
            # break is known from the byte after it. So does a run of quotes at the end,
            # which may go on in the next block.
            hi -= 1
            while hi > lo and self.buf[hi - 1] == self.quote:
                hi -= 1
        if hi <= lo:
            return
        base = max(lo - 1, 0)
        # A view of the buffer, not a copy (it is let go before the buffer grows again).
        view = np.frombuffer(self.buf, dtype=np.uint8)[base:n]
        first, stop = lo - base, hi - base
        region = view[first:stop]
        if self.quote >= 0:
            found = find_quotes(
                view, self.quote, self.delimiter, start=first, stop=stop, inside=self.inside
            )
            quotes, inside = found.toggles, found.inside
        else:
            quotes, inside = np.zeros(0, dtype=np.intp), False
        newlines = np.flatnonzero(region == _NL) + first
        parity = (np.searchsorted(quotes, newlines) + int(self.inside)) % 2
        ends = newlines[parity == 0] + base
        self.inside = inside
        self.scanned = hi
        if not ends.size:
            return
        starts = np.concatenate(([self.last_end], ends[:-1])) + 1
        nonblank = ends > starts
        counts = np.cumsum(nonblank) + self.records
        # A cut goes where a non-blank record starts, so that blank lines stay with the
        # record before them (their NUL or byte-order-mark findings belong to it).
        follows = ends + 1
        known = follows < self.scanned
        starts_record = np.zeros(ends.size, dtype=bool)
        starts_record[known] = view[follows[known] - base] != _NL
        if starts_record.any():
            j = int(np.flatnonzero(starts_record)[-1])
            self.cut_at, self.cut_records = int(follows[j]), int(counts[j])
        self.last_end, self.records = int(ends[-1]), int(counts[-1])

    def cut(self, *, records_needed: int) -> bytes | None:
        """Remove and return the buffer up to the last usable boundary, if there is one."""
        if self.cut_at <= 0 or self.cut_records < records_needed:
            return None
        at = self.cut_at
        with memoryview(self.buf) as whole:
            data = bytes(whole[:at])  # one copy (a slice of the bytearray would be two)
        del self.buf[:at]
        self.scanned -= at
        self.last_end -= at
        self.records -= self.cut_records
        self.cut_at, self.cut_records = -1, 0
        return data

    def rest(self) -> bytes:
        """Remove and return everything left (after the final feed)."""
        data = bytes(self.buf)
        self.buf.clear()
        return data


@dataclass
class _Pending:
    """Decoding findings not yet given to a batch, in line order."""

    bad_bytes: list[BadByte]
    bom_lines: list[int]

    def take(self, before_line: int | None) -> tuple[tuple[BadByte, ...], tuple[int, ...]]:
        """Remove and return the findings on lines before ``before_line`` (all: None)."""
        if before_line is None:
            bad, boms = tuple(self.bad_bytes), tuple(self.bom_lines)
            self.bad_bytes, self.bom_lines = [], []
            return bad, boms
        nb = sum(1 for b in self.bad_bytes if b.line < before_line)
        nl = sum(1 for line in self.bom_lines if line < before_line)
        bad, boms = tuple(self.bad_bytes[:nb]), tuple(self.bom_lines[:nl])
        del self.bad_bytes[:nb], self.bom_lines[:nl]
        return bad, boms


class BatchReader:
    """Read one delimited file in record batches of about ``batch_bytes`` of text.

    Attributes:
        name: The input's display name.
        choice: The file's encoding, decided over the whole file.
        dialect: The delimiter and quote character, sniffed as ``read_bytes`` does.
        format: ``csv`` or ``tsv``.
        rows: Records read so far.
        blank_rows: Blank lines skipped so far.
        bytes_read: Raw bytes of the file read so far (the byte-order mark included);
            the file's size once :meth:`batches` is exhausted. For progress displays.
    """

    def __init__(
        self,
        name: str,
        choice: EncodingChoice,
        dialect: Dialect,
        fmt: str,
        blocks: Iterator[DecodedBlock],
        head: list[DecodedBlock],
        *,
        batch_bytes: int,
        path: Path | None = None,
    ) -> None:
        self.name = name
        self.path = path
        self.choice = choice
        self.dialect = dialect
        self.format = fmt
        self.rows = 0
        self.blank_rows = 0
        self.bytes_read = choice.skip
        self._blocks = blocks
        self._head = head
        self._batch_bytes = batch_bytes
        self._pending = _Pending([], [])
        self._nul_count = 0
        self._nul_lines: list[int] = []
        self._failures = 0
        self._utf8_sequences = 0
        self._header = b""
        self._header_lines = 0
        self._header_line: int | None = None
        self._header_issues = empty_issues()
        self._line0 = 1  # the file line on which the next batch starts
        self._dos_eof = False  # a DOS end-of-file byte was alone after the last batch

    @property
    def encoding_reason(self) -> str:
        """Return why the encoding was chosen, with the counts of the whole file."""
        return self.choice.final_reason(self._failures, self._utf8_sequences)

    def batches(self) -> Iterator[SourceTable]:
        """Yield the file's records in batches (each with at least one record).

        Raises:
            InputError: The file has no records, or a quote that never closes.
        """
        cutter = _Cutter(self.dialect.quotechar, self.dialect.delimiter)
        first = True
        for block in self._all_blocks():
            cutter.feed(_normalize_newlines(block.data))
            if len(cutter.buf) < self._batch_bytes:
                continue
            # The first batch holds the lines above the header that read_delimited may
            # skip, the header, and records enough to tell them apart.
            data = cutter.cut(records_needed=_FIRST_BATCH_RECORDS if first else 1)
            if data is not None:
                yield self._batch(data, first=first, final=False)
                first = False
        cutter.feed(b"", final=True)
        if first:
            yield self._batch(cutter.rest(), first=True, final=True)
            return
        rest = cutter.rest()
        if rest.strip(b"\n") not in (b"", _DOS_EOF):
            yield self._batch(rest, first=False, final=True)
        else:
            # Only blank lines are left: they are counted, as a whole-file read does.
            self.blank_rows += rest.count(b"\n")
            self._dos_eof = rest.endswith(_DOS_EOF)

    def file_issues(self, first: SourceTable) -> pl.DataFrame:
        """Return the whole file's once-only issues: blank lines, NUL bytes, a guess.

        Call after the last batch; ``first`` is the first batch's table.
        """
        decoded = Decoded(
            data=b"",
            encoding=self.choice.codec,
            reason=self.encoding_reason,
            confidence=self.choice.confidence,
            doubt=self.choice.doubt,
            nul_count=self._nul_count,
            nul_lines=tuple(self._nul_lines),
        )
        shell = replace(first, frame=first.frame.clear(), issues=empty_issues())
        issues = [attach_decoding(shell, decoded, self.name).issues]
        if self.blank_rows:
            # As read_delimited words it, with the whole file's count.
            blank = f"{self.blank_rows} blank line(s) skipped"
            issues.insert(0, file_issue(IssueCode.BLANK_ROWS, Severity.INFO, blank, file=self.name))
        if self._dos_eof:
            # Alone after the last batch; in a batch, read_delimited notes it.
            issues.append(
                file_issue(
                    IssueCode.NORMALIZED,
                    Severity.INFO,
                    "a DOS end-of-file byte (0x1A) at the end of the file was dropped",
                    file=self.name,
                    line=self._line0,
                    value="0x1A",
                )
            )
        return pl.concat(issues)

    def _all_blocks(self) -> Iterator[DecodedBlock]:
        # The blocks read ahead for sniffing, then the rest as they are decoded.
        for block in itertools.chain(self._head, self._blocks):
            self._pending.bad_bytes.extend(block.bad_bytes)
            self._pending.bom_lines.extend(block.bom_lines)
            self._nul_count += block.nul_count
            self._nul_lines.extend(block.nul_lines)
            self._failures += block.failures
            self._utf8_sequences += block.utf8_sequences
            self.bytes_read = block.end_offset
            yield block
        self._head = []

    def _keep_header(self, data: bytes, line: int) -> None:
        """Keep the header record, which starts on physical ``line`` of the first batch."""
        self._header = _header_record(data, line, self.dialect)
        self._header_lines = self._header.count(b"\n")

    def _window(self, handle: BinaryIO, offset: int, size: int) -> bytes:
        """Return the complete lines of ``size`` raw bytes from ``offset``, as UTF-8.

        The lines start after the first line break of the window (the one before it may
        be cut), unless the window starts the file.
        """
        unit = self.choice.unit
        handle.seek(offset)
        raw = handle.read(size // unit * unit)
        text = _normalize_newlines(raw.decode(self.choice.codec, errors="replace").encode("utf-8"))
        start = 0 if offset <= self.choice.skip else text.find(b"\n") + 1
        end = text.rfind(b"\n") + 1
        return text[start:end] if 0 <= start < end else b""

    def _batch(self, data: bytes, *, first: bool, final: bool) -> SourceTable:
        line0 = self._line0
        newlines = count_byte(data, NL)
        self._line0 += newlines
        if first:
            table = require_rows(read_delimited(data, self.dialect, name=self.name))
            self._header_line = table.header_line
            if not final:
                self._keep_header(data, table.header_line or 1)
        else:
            table = self._read_later(data, line0)
        self.blank_rows += table.blank_rows
        bad, boms = self._pending.take(None if final else line0 + newlines)
        decoded = Decoded(
            data=b"",
            encoding=self.choice.codec,
            reason=self.encoding_reason,
            bad_bytes=bad,
            stray_bom_count=len(boms),
            stray_bom_lines=boms,
        )
        read_issues = table.issues.filter(pl.col("code") != str(IssueCode.BLANK_ROWS))
        found = attach_decoding(replace(table, issues=empty_issues()), decoded, self.name)
        decoding = found.issues
        if first:
            # Findings in the header (no row owns them) hold for every batch: an error
            # there rejects every row of the file, as in a whole-file read.
            self._header_issues = decoding.filter(pl.col("row").is_null())
        else:
            decoding = pl.concat([self._header_issues, decoding])
        table = replace(
            found,
            issues=pl.concat([read_issues, decoding]),
            sha256=self.choice.sha256,
            header_line=self._header_line,
            confidence=None,
            encoding_reason=self.encoding_reason,
        )
        sized = size_issues(table)
        if sized.height:
            table = replace(table, issues=pl.concat([table.issues, sized]))
        self.rows += table.rows
        return table

    def sample(
        self, *, windows: int = SAMPLE_WINDOWS, window_bytes: int = SAMPLE_WINDOW_BYTES
    ) -> SourceTable | None:
        """Return records from ``windows`` stretches spread evenly over the whole file.

        For column-level decisions (day/month order, swapped columns) taken before the
        first batch is checked, on rows from all over the input rather than its first
        batch only. It may be called while the batches are read (on another thread): it
        reads the file through its own handle, and finds the header itself until the
        first batch has. The first stretch starts after the header; each other starts
        at the first line break after its offset, and every one ends at its last line
        break. A stretch that cannot be read (it began inside a quoted line break and a
        quote then never closes) is left out. Row and line numbers are the sample's own,
        not the file's: the rows are for deciding, never for reporting.

        Returns:
            The sample (under the file's header), or None when no header is found, the
            reader has no path, or no stretch could be read.
        """
        if self.path is None:
            return None
        unit, skip = self.choice.unit, self.choice.skip
        span = max(self.choice.size - skip, 0)
        with open_input(self.path, self.name) as handle:
            # The file's start, read once: for its header and for the first stretch.
            start = self._window(handle, skip, max(window_bytes, _HEADER_WINDOW))
            header = self._header or self._find_header(start)
            if not header:
                return None
            at = start.find(header)
            first = start[at + len(header) :] if at >= 0 else b""
            stretches = [first[: first.rfind(b"\n", 0, window_bytes) + 1]]
            for k in range(1, windows):
                offset = skip + (span * k // windows) // unit * unit
                stretches.append(self._window(handle, offset, window_bytes))
        stretches = [stretch for stretch in stretches if stretch]
        # Read at once; one by one only when a stretch began inside a quoted line break.
        tables = self._sample_table(header, b"".join(stretches))
        if not tables:
            tables = [t for stretch in stretches for t in self._sample_table(header, stretch)]
        if not tables:
            return None
        frame = pl.concat([t.frame for t in tables], how="vertical_relaxed")
        n = frame.height
        frame = frame.with_columns(
            pl.int_range(1, n + 1).cast(frame.schema[ROW]).alias(ROW),
            pl.int_range(2, n + 2).cast(frame.schema[LINE]).alias(LINE),
        )
        return replace(tables[0], frame=frame, issues=empty_issues(), blank_rows=0)

    def _find_header(self, start: bytes) -> bytes:
        """Return the header record of the file's ``start`` as the first batch will find it.

        For a sample taken before the first batch is read: the lines above the header
        that a whole-file read skips are skipped here too. b"" when none is found.
        """
        if not start:
            return b""
        try:
            table = read_delimited(start, self.dialect, name=self.name)
        except InputError:
            return b""
        return _header_record(start, table.header_line or 1, self.dialect)

    def _sample_table(self, header: bytes, lines: bytes) -> list[SourceTable]:
        if not lines:
            return []
        try:
            table = read_delimited(header + lines, self.dialect, name=self.name, find_header=False)
        except InputError:
            return []
        # Records with the wrong number of cells or a stray quote are most likely the
        # inside of a quoted cell that a stretch started in: they would only blur a
        # decision (the file's own ragged records are rejected anyway).
        suspect = table.issues.filter(
            pl.col("row").is_not_null()
            & pl.col("code").is_in([str(IssueCode.RAGGED_ROW), str(IssueCode.LITERAL_QUOTE)])
        ).get_column("row")
        frame = table.frame.filter(~pl.col(ROW).is_in(suspect.implode()))
        return [replace(table, frame=frame)] if frame.height else []

    def _read_later(self, data: bytes, line0: int) -> SourceTable:
        # Local line l of header + data is file line l + shift.
        shift = line0 - 1 - self._header_lines
        try:
            table = read_delimited(
                self._header + data, self.dialect, name=self.name, find_header=False
            )
        except InputError as err:
            if err.line is None:
                raise
            line = err.line + shift
            raise InputError(
                err.message.replace(f"line {err.line}", f"line {line}", 1),
                path=err.path,
                line=line,
                hint=err.hint,
            ) from None
        rows, lines = pl.col(ROW), pl.col(LINE)
        frame = table.frame.with_columns(rows + self.rows, lines + shift)
        issues = table.issues.with_columns(pl.col("row") + self.rows, pl.col("line") + shift)
        return replace(table, frame=frame, issues=issues)


def _header_record(data: bytes, line: int, dialect: Dialect) -> bytes:
    """Return the header record of ``data``, which starts on physical ``line``, with its LF."""
    start = 0
    for _ in range(line - 1):
        start = data.index(b"\n", start) + 1
    end = data.find(b"\n", start)
    if dialect.quotechar != NO_QUOTE:
        # The first line break outside quotes ends it.
        view = np.frombuffer(data, dtype=np.uint8)
        quote, delimiter = ord(dialect.quotechar), ord(dialect.delimiter)
        toggles = find_quotes(view, quote, delimiter, start=start).toggles
        newlines = np.flatnonzero(view[start:] == _NL) + start
        outside = newlines[np.searchsorted(toggles, newlines) % 2 == 0]
        end = int(outside[0]) if outside.size else -1
    return data[start : end + 1] if end != -1 else data[start:] + b"\n"


def open_batches(
    path: str | Path,
    options: ReadOptions | None = None,
    *,
    batch_bytes: int = STREAM_BATCH_BYTES,
    block_bytes: int = STREAM_BLOCK_BYTES,
) -> BatchReader | None:
    """Prepare to read a delimited file in batches; None when it is not delimited text.

    The encoding is decided here, over the whole file (a first pass that also hashes
    it); the format and dialect are sniffed on the start of the decoded text, as
    :func:`~activity_schema.readers.read_bytes` does. JSON, NDJSON and .xlsx inputs
    return None: read them whole.

    Args:
        path: The file.
        options: Reading options (encoding, format, delimiter, quote character).
        batch_bytes: Decoded text per batch.
        block_bytes: Bytes read from the file at a time.

    Returns:
        A reader whose :meth:`BatchReader.batches` yields the tables, or None.

    Raises:
        InputError: The file is unreadable, binary, empty, or cannot be decoded.
        UsageError: A bad option (``--sheet`` on text input, an unknown encoding).

    Example:
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> path = Path(tmp.name) / "webinar.csv"
        >>> rows = "".join(f"{i},a{i}@b.co,Registered\\n" for i in range(999))
        >>> _ = path.write_text(f"activityId,email,type\\n{rows}999,not-an-email,Attended\\n")
        >>> reader = open_batches(path, batch_bytes=10_000)
        >>> sizes = [t.rows for t in reader.batches()]
        >>> len(sizes) > 1, sum(sizes)
        (True, 1000)
        >>> tmp.cleanup()
    """
    options = options or ReadOptions()
    p = Path(path)
    name = str(path)
    fmt = options.format
    with open_input(p, name) as handle:
        head = handle.read(8192)
    if fmt == "xlsx" or (fmt is None and head.startswith(b"PK\x03\x04")):
        return None
    if fmt in ("json", "ndjson"):
        return None
    if fmt is None and head:
        sniff_binary(head, path=name, encoding=options.encoding)
    if options.sheet is not None:
        raise UsageError("--sheet applies only to .xlsx input", where=name)
    choice = choose_encoding(
        p,
        name=name,
        encoding=options.encoding,
        detector=options.detector,
        block_bytes=block_bytes,
        digest=options.digest,
    )
    # Blocks no larger than a batch, so that batches come out near their size.
    blocks: Generator[DecodedBlock, None, None] = decode_blocks(
        p, choice, name=name, block_bytes=min(block_bytes, batch_bytes)
    )
    buffered: list[DecodedBlock] = []
    size = 0
    for block in blocks:
        buffered.append(block)
        size += len(block.data)
        if size >= 2 * _SNIFF_BYTES and len(b"".join(b.data for b in buffered).lstrip()) >= (
            _SNIFF_BYTES
        ):
            break
    text = b"".join(b.data for b in buffered)
    if fmt is None:
        fmt = sniff_text_format(text)
        if fmt == "csv" and format_from_extension(name) == "tsv":
            fmt = "tsv"
        if fmt != "csv" and fmt != "tsv":
            blocks.close()
            return None
    sample = text[:_SNIFF_BYTES].decode("utf-8", errors="ignore")
    dialect = dialect_for(sample, fmt, options)
    return BatchReader(
        name, choice, dialect, fmt, blocks, buffered, batch_bytes=batch_bytes, path=p
    )
