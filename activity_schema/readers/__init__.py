"""Read any supported input into a :class:`SourceTable` of UTF-8 text columns.

``read_bytes`` is the pure entry point (bytes in, table out); ``read_path`` adds the file
system edge. Both raise :class:`~activity_schema.errors.InputError` for inputs that cannot
be read at all and return everything else, problems included, as issues on the table.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from ..errors import InputError, UsageError
from ..issues.codes import IssueCode, Severity
from ..issues.records import conform_issues, file_issue, issue_frame
from .delimited import read_delimited
from .encoding import Decoded, decode
from .encoding_guess import Detector, describe_doubt, detect_legacy
from .excel import read_xlsx
from .files import read_regular_file
from .jsonlike import read_json, read_ndjson
from .limits import size_issues
from .scan import NO_QUOTE
from .sniff import (
    FORMATS,
    Dialect,
    format_from_extension,
    sniff_binary,
    sniff_dialect,
    sniff_text_format,
)
from .table import FILE, LINE, ROW, SourceTable

__all__ = [
    "FILE",
    "LINE",
    "ROW",
    "ReadOptions",
    "SourceTable",
    "attach_decoding",
    "dialect_for",
    "read_bytes",
    "read_path",
    "require_rows",
]

#: chardet confidences below this are reported as a guess.
LOW_CONFIDENCE = 0.5


@dataclass(frozen=True)
class ReadOptions:
    """How to read an input; every field left None is detected.

    Attributes:
        encoding: A Python codec name to use instead of detecting.
        format: ``csv``, ``tsv``, ``json``, ``ndjson`` or ``xlsx``.
        delimiter: The CSV delimiter.
        quotechar: The CSV quote character.
        no_quote: Read delimited text without quoting: every quote is text.
        sheet: The .xlsx sheet to read.
        detector: The legacy-encoding detector.
        stdin_name: The name standard input (``-``) goes by (``--stdin-filename``): in
            every issue and error, and its extension hints the format, as a file's does.
        digest: Take the input's SHA-256 (``SourceTable.sha256``) for a manifest; a run
            that writes none (lint) skips the pass over the bytes.
    """

    encoding: str | None = None
    format: str | None = None
    delimiter: str | None = None
    quotechar: str | None = None
    no_quote: bool = False
    sheet: str | None = None
    detector: Detector = detect_legacy
    stdin_name: str | None = None
    digest: bool = True

    def __post_init__(self) -> None:
        if self.format is not None and self.format not in FORMATS:
            raise UsageError(
                f"unknown format {self.format!r}", hint=f"use one of {', '.join(FORMATS)}"
            )
        for label, char in (("delimiter", self.delimiter), ("quote character", self.quotechar)):
            if char is not None and len(char) != 1:
                raise UsageError(f"the {label} must be one character, got {char!r}")
            # The record scan works on bytes: one ASCII byte that is not a line break.
            if char is not None and (not char.isascii() or char in "\r\n"):
                raise UsageError(
                    f"the {label} must be an ASCII character other than a line break, got {char!r}"
                )
        if self.no_quote and self.quotechar is not None:
            raise UsageError(
                "--quote and --no-quote contradict each other", hint="pass one of them"
            )
        # With --delimiter and no quote character, the quote character is '"'.
        quote = NO_QUOTE if self.no_quote else (self.quotechar or '"')
        if self.delimiter is not None and self.delimiter == quote:
            raise UsageError(f"the delimiter and the quote character are both {self.delimiter!r}")


def read_path(path: str | Path, options: ReadOptions | None = None) -> SourceTable:
    """Read a file, or standard input when ``path`` is ``-``; see :func:`read_bytes`.

    Only regular files are read: a device (``/dev/zero``), a FIFO or a socket is refused
    before it is opened, so it can neither fill memory nor block the run.

    Raises:
        InputError: The file is missing, a directory, not a regular file, unreadable, or
            its content is.

    Example:
        >>> import tempfile
        >>> tmp = tempfile.TemporaryDirectory()
        >>> path = Path(tmp.name) / "webinar.csv"
        >>> _ = path.write_text("activityId,email,type\\n1,a@b.co,Registered\\n"
        ...                     "2,c@d.co,Attended\\n3,e@f.co,Attended\\n")
        >>> table = read_path(path)
        >>> table.frame.height, table.headers
        (3, ('activityId', 'email', 'type'))
        >>> tmp.cleanup()
    """
    if str(path) == "-":
        import sys

        name = (options.stdin_name if options is not None else None) or "<stdin>"
        return read_bytes(sys.stdin.buffer.read(), name=name, options=options)
    name = str(path)
    raw = read_regular_file(Path(path), name)
    return read_bytes(raw, name=name, options=options)


def read_bytes(
    raw: bytes, *, name: str = "<bytes>", options: ReadOptions | None = None
) -> SourceTable:
    """Read an input's bytes into a table of UTF-8 text columns.

    Args:
        raw: The input's bytes.
        name: The display name used in messages and reports.
        options: Overrides for detection.

    Returns:
        The table, its encoding and dialect, and what reading found.

    Raises:
        InputError: The input cannot be read at all.

    Example:
        >>> read_bytes(b"email,type\\na@b.co,Registered\\n").frame.height
        1
    """
    options = options or ReadOptions()
    if not raw:
        raise InputError("the file is empty", path=name, hint="export the data again")
    fmt = options.format
    hinted = format_from_extension(name)
    if fmt is None or fmt == "xlsx":
        binary = sniff_binary(raw, path=name, encoding=options.encoding) if fmt is None else "xlsx"
        if binary == "xlsx":
            table = require_rows(read_xlsx(raw, name=name, sheet=options.sheet))
            if not options.digest:
                return _with_size_issues(table)
            return _with_size_issues(replace(table, sha256=hashlib.sha256(raw).hexdigest()))
    if options.sheet is not None:
        raise UsageError("--sheet applies only to .xlsx input", where=name)

    if not options.digest:
        return _with_size_issues(_read_text(raw, fmt, hinted, name, options))
    # hashlib releases the GIL on large inputs: the digest is taken while the text is read.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(lambda: hashlib.sha256(raw).hexdigest())
        table = _read_text(raw, fmt, hinted, name, options)
        return _with_size_issues(replace(table, sha256=digest.result()))


def _read_text(
    raw: bytes, fmt: str | None, hinted: str | None, name: str, options: ReadOptions
) -> SourceTable:
    decoded = decode(raw, encoding=options.encoding, path=name, detector=options.detector)
    data = decoded.data
    if fmt is None:
        fmt = sniff_text_format(data)
        if fmt == "csv" and hinted == "tsv":
            fmt = "tsv"
        elif fmt == "json" and hinted == "ndjson":
            # One NDJSON record looks like a lone JSON object; the extension decides.
            fmt = "ndjson"
        elif fmt == "csv" and hinted in ("json", "ndjson"):
            # A .json file that starts with neither [ nor { (42, "x", null) is JSON that
            # holds no records, and is reported as such, not read as a one-cell CSV.
            fmt = hinted
    if fmt in ("json", "ndjson"):
        text = data.decode("utf-8")
        table = read_json(text, name=name) if fmt == "json" else read_ndjson(text, name=name)
    else:
        sample = data[:65536].decode("utf-8", errors="ignore")
        table = read_delimited(data, dialect_for(sample, fmt, options), name=name)
    # Rows first: bad bytes are attributed to records, so there must be some.
    return attach_decoding(require_rows(table), decoded, name)


def dialect_for(sample: str, fmt: str, options: ReadOptions) -> Dialect:
    """Return the dialect of delimited text: the options' delimiter and quote, or sniffed.

    Args:
        sample: The start of the decoded text.
        fmt: ``csv`` or ``tsv`` (a tab is then preferred on a tie).
        options: ``delimiter``, ``quotechar`` and ``no_quote`` override the sniffer.

    Example:
        >>> dialect_for("a;b\\n1;2\\n", "csv", ReadOptions(no_quote=True)).quotechar
        ''
    """
    quote = NO_QUOTE if options.no_quote else options.quotechar
    if options.delimiter:
        return Dialect(options.delimiter, '"' if quote is None else quote, "given with --delimiter")
    dialect = sniff_dialect(sample, hint="\t" if fmt == "tsv" else None, quote=quote)
    if quote is not None:
        given = "--no-quote" if quote == NO_QUOTE else f"--quote {quote}"
        dialect = replace(dialect, evidence=f"{dialect.evidence}; {given}")
    return dialect


def _with_size_issues(table: SourceTable) -> SourceTable:
    found = size_issues(table)
    if not found.height:
        return table
    return replace(table, issues=pl.concat([table.issues, found]))


def require_rows(table: SourceTable) -> SourceTable:
    """Return ``table``, or refuse it when it has a header but no records.

    Raises:
        InputError: The table has no rows: nothing in it can be uploaded.
    """
    if table.rows == 0:
        raise InputError(
            "the file has a header but no records",
            path=table.name,
            hint="export the data again; nothing here can be uploaded",
        )
    return table


def attach_decoding(table: SourceTable, decoded: Decoded, name: str) -> SourceTable:
    """Return ``table`` with its encoding and the issues its decoding found.

    Undecodable bytes become row errors on the records that hold them; stray byte-order
    marks, removed NULs and a doubtful or weak encoding guess become file issues.

    Args:
        table: The table read from ``decoded.data`` (with rows: see :func:`require_rows`).
        decoded: The decode that produced its text.
        name: The input's name, for the issues.
    """
    issues = [table.issues]
    if decoded.bad_bytes:
        issues.append(_bad_byte_issues(table, decoded, name))
    if decoded.stray_bom_count:
        issues.append(_stray_bom_issues(table, decoded, name))
    if decoded.nul_count:
        lines = ", ".join(str(n) for n in decoded.nul_lines[:5])
        issues.append(
            file_issue(
                IssueCode.NUL_BYTES,
                Severity.FIXED,
                f"{decoded.nul_count} NUL byte(s) removed (first on line(s) {lines})",
                file=name,
                line=decoded.nul_lines[0] if decoded.nul_lines else None,
                fix="removed; if the file is UTF-16 without a BOM, pass --encoding utf-16",
            )
        )
    if decoded.doubt is not None:
        # Another encoding reads some values as other plausible letters: a warning that
        # quotes both readings, in place of the note below.
        message, fix = describe_doubt(decoded.encoding, decoded.doubt)
        issues.append(
            file_issue(IssueCode.ENCODING_AMBIGUOUS, Severity.WARNING, message, file=name, fix=fix)
        )
    elif decoded.confidence is not None and decoded.confidence < LOW_CONFIDENCE:
        issues.append(
            file_issue(
                IssueCode.ENCODING_GUESSED,
                Severity.INFO,
                f"encoding guessed as {decoded.encoding} ({decoded.reason})",
                file=name,
                fix=f"check accented values, or pass --encoding {decoded.encoding} to confirm",
            )
        )
    return replace(
        table,
        encoding=decoded.encoding,
        encoding_reason=decoded.reason,
        confidence=decoded.confidence,
        issues=pl.concat(issues) if len(issues) > 1 else table.issues,
    )


def _owners(table: SourceTable, lines: list[int]) -> tuple[pl.Series, np.ndarray]:
    """Return the row owning each physical line (null before the first record)."""
    record_lines = table.frame.get_column(LINE).to_numpy()
    found = np.array(lines, dtype=np.int64)
    # A line belongs to the record that starts on or before it.
    owners = np.searchsorted(record_lines, found, side="right") - 1
    rows = table.frame.get_column(ROW).to_numpy()[np.clip(owners, 0, None)]
    # A line before the first record is in the header: no row owns it.
    return pl.Series(rows).set(pl.Series(owners < 0), None), found


def _bad_byte_issues(table: SourceTable, decoded: Decoded, name: str) -> pl.DataFrame:
    rows, lines = _owners(table, [b.line for b in decoded.bad_bytes])
    frame = pl.DataFrame(
        {
            ROW: rows,
            LINE: lines,
            "offset": [b.offset for b in decoded.bad_bytes],
            "raw": [b.raw.hex(" ") for b in decoded.bad_bytes],
            "utf8": [b.utf8 for b in decoded.bad_bytes],
        }
    )
    encoding = decoded.encoding.upper()
    issues = issue_frame(
        frame,
        code=IssueCode.UNDECODABLE_BYTES,
        severity=Severity.ERROR,
        message=pl.when(pl.col("utf8"))
        .then(
            pl.format(
                "byte(s) {} at offset {} are UTF-8 in a file read as " + encoding + ": two "
                "encodings are mixed, and this line would be garbled",
                pl.col("raw"),
                pl.col("offset"),
            )
        )
        .otherwise(
            pl.format(
                "byte(s) {} at offset {} are not valid " + encoding,
                pl.col("raw"),
                pl.col("offset"),
            )
        ),
        file=name,
        value=pl.col("raw"),
        fix="re-save the file as UTF-8 or fix the byte; if the whole file is in another "
        "encoding, pass --encoding",
    )
    return issues.pipe(conform_issues)


def _stray_bom_issues(table: SourceTable, decoded: Decoded, name: str) -> pl.DataFrame:
    rows, lines = _owners(table, list(decoded.stray_bom_lines))
    issues = issue_frame(
        pl.DataFrame({ROW: rows, LINE: lines}),
        code=IssueCode.NORMALIZED,
        severity=Severity.FIXED,
        message="a byte-order mark (U+FEFF) in the middle of the file was removed; "
        "were two files joined together? A second header line would be read as a record",
        file=name,
        value=pl.lit("U+FEFF"),
        fix="removed; check the line for a repeated header or data of another export",
    )
    return issues.pipe(conform_issues)
