"""Read any supported input into a :class:`SourceTable` of UTF-8 text columns.

``read_bytes`` is the pure entry point (bytes in, table out); ``read_path`` adds the file
system edge. Both raise :class:`~activity_schema.errors.InputError` for inputs that cannot
be read at all and return everything else, problems included, as issues on the table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from ..codes import IssueCode, Severity
from ..decoding import Decoded, Detector, decode, detect_legacy
from ..errors import InputError, UsageError
from ..report import ISSUE_SCHEMA, file_issue, issue_frame
from ..sniff import (
    FORMATS,
    Dialect,
    format_from_extension,
    sniff_binary,
    sniff_dialect,
    sniff_text_format,
)
from .delimited import read_delimited
from .excel import read_xlsx
from .jsonlike import read_json, read_ndjson
from .table import FILE, LINE, ROW, SourceTable

__all__ = ["FILE", "LINE", "ROW", "ReadOptions", "SourceTable", "read_bytes", "read_path"]

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
        sheet: The .xlsx sheet to read.
        detector: The legacy-encoding detector.
    """

    encoding: str | None = None
    format: str | None = None
    delimiter: str | None = None
    quotechar: str | None = None
    sheet: str | None = None
    detector: Detector = detect_legacy

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
        # With --delimiter and no quote character, the quote character is '"'.
        if self.delimiter is not None and self.delimiter == (self.quotechar or '"'):
            raise UsageError(f"the delimiter and the quote character are both {self.delimiter!r}")


def read_path(path: str | Path, options: ReadOptions | None = None) -> SourceTable:
    """Read a file; see :func:`read_bytes`.

    Raises:
        InputError: The file is missing, a directory, unreadable, or its content is.

    Example:
        >>> table = read_path("samples/webinar.csv")  # doctest: +SKIP
    """
    p = Path(path)
    name = str(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=name, hint="check the path") from None
    except IsADirectoryError:
        raise InputError(
            "is a directory, not a file", path=name, hint="pass the files inside it"
        ) from None
    except PermissionError:
        raise InputError("permission denied", path=name, hint="check the file's mode") from None
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror}", path=name) from None
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
        binary = sniff_binary(raw, path=name) if fmt is None else "xlsx"
        if binary == "xlsx":
            table = read_xlsx(raw, name=name, sheet=options.sheet)
            return _require_rows(replace(table, sha256=hashlib.sha256(raw).hexdigest()))
    if options.sheet is not None:
        raise UsageError("--sheet applies only to .xlsx input", where=name)

    decoded = decode(raw, encoding=options.encoding, path=name, detector=options.detector)
    data = decoded.data
    if fmt is None:
        fmt = sniff_text_format(data)
        if fmt == "csv" and hinted == "tsv":
            fmt = "tsv"
        elif fmt == "json" and hinted == "ndjson":
            # One NDJSON record looks like a lone JSON object; the extension decides.
            fmt = "ndjson"
    if fmt in ("json", "ndjson"):
        text = data.decode("utf-8")
        table = read_json(text, name=name) if fmt == "json" else read_ndjson(text, name=name)
    else:
        sample = data[:65536].decode("utf-8", errors="ignore")
        if options.delimiter:
            dialect = Dialect(options.delimiter, options.quotechar or '"', "given with --delimiter")
        else:
            dialect = sniff_dialect(sample, hint="\t" if fmt == "tsv" else None)
            if options.quotechar:
                dialect = replace(dialect, quotechar=options.quotechar)
        table = read_delimited(data, dialect, name=name)
    # Rows first: bad bytes are attributed to records, so there must be some.
    table = _attach_decoding(_require_rows(table), decoded, name)
    return replace(table, sha256=hashlib.sha256(raw).hexdigest())


def _require_rows(table: SourceTable) -> SourceTable:
    if table.rows == 0:
        raise InputError(
            "the file has a header but no records",
            path=table.name,
            hint="export the data again; nothing here can be uploaded",
        )
    return table


def _attach_decoding(table: SourceTable, decoded: Decoded, name: str) -> SourceTable:
    issues = [table.issues]
    if decoded.bad_bytes:
        issues.append(_bad_byte_issues(table, decoded, name))
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
    if decoded.confidence is not None and decoded.confidence < LOW_CONFIDENCE:
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


def _bad_byte_issues(table: SourceTable, decoded: Decoded, name: str) -> pl.DataFrame:
    record_lines = table.frame.get_column(LINE).to_numpy()
    bad_lines = np.array([b.line for b in decoded.bad_bytes], dtype=np.int64)
    # A bad byte belongs to the record that starts on or before its line.
    owners = np.searchsorted(record_lines, bad_lines, side="right") - 1
    rows = table.frame.get_column(ROW).to_numpy()[np.clip(owners, 0, None)]
    frame = pl.DataFrame(
        {
            # A bad byte before the first record is in the header: no row owns it.
            ROW: pl.Series(rows).set(pl.Series(owners < 0), None),
            LINE: bad_lines,
            "offset": [b.offset for b in decoded.bad_bytes],
            "raw": [b.raw.hex(" ") for b in decoded.bad_bytes],
        }
    )
    issues = issue_frame(
        frame,
        code=IssueCode.UNDECODABLE_BYTES,
        severity=Severity.ERROR,
        message=pl.format(
            "byte(s) {} at offset {} are not valid " + decoded.encoding.upper(),
            pl.col("raw"),
            pl.col("offset"),
        ),
        file=name,
        value=pl.col("raw"),
        fix="re-save the file as UTF-8 or fix the byte; if the whole file is in another "
        "encoding, pass --encoding",
    )
    return issues.cast(ISSUE_SCHEMA)  # type: ignore[arg-type]
