"""The value every reader returns: a table of text columns that knows where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ..issues.records import empty_issues

__all__ = ["FILE", "LINE", "RESERVED", "ROW", "SourceTable", "unique_names"]

#: Column holding each record's 1-based index in its input (header excluded).
ROW = "_row"
#: Column holding the physical line where each record starts.
LINE = "_line"
#: Column holding each record's source file in combined frames.
FILE = "_file"
#: Column names the pipeline adds beside source columns (rejects, reports); a source
#: column of the same name is renamed "NAME (source)" so that nothing is overwritten.
RESERVED = frozenset({ROW, LINE, FILE, "codes", "messages"})


@dataclass(frozen=True)
class SourceTable:
    """An input read into text columns.

    Attributes:
        name: The input's display name (its path, ``<stdin>`` or ``<bytes>``).
        frame: ``_row`` and ``_line`` (Int64) then one ``String`` column per source
            column, named by :attr:`columns` made unique.
        headers: The source column names exactly as spelled in the input.
        format: ``csv``, ``tsv``, ``json``, ``ndjson``, ``xlsx`` or ``frame``.
        encoding: The source encoding (None for xlsx and frames).
        encoding_reason: Why that encoding was chosen.
        confidence: The detector's confidence, when a detector chose.
        dialect: For delimited text: ``{"delimiter", "quotechar", "evidence"}``.
        sheet: For xlsx: the sheet read.
        issues: What reading found, as an issue frame (row-level issues carry ``row``
            and ``line``).
        blank_rows: Blank lines or empty records skipped (not counted as rows).
        sha256: Hex SHA-256 of the input's bytes, when it was read from bytes.
        header_line: The physical line of the header (issues about columns point there).
    """

    name: str
    frame: pl.DataFrame
    headers: tuple[str, ...]
    format: str
    encoding: str | None = None
    encoding_reason: str | None = None
    confidence: float | None = None
    dialect: dict[str, str] | None = None
    sheet: str | None = None
    issues: pl.DataFrame = field(default_factory=empty_issues)
    blank_rows: int = 0
    header_line: int | None = None
    sha256: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """Return the frame's data column names, in source order."""
        return tuple(c for c in self.frame.columns if c not in (ROW, LINE))

    @property
    def rows(self) -> int:
        """Return the number of records."""
        return self.frame.height


def unique_names(headers: list[str]) -> list[str]:
    """Return frame-safe column names: blanks named by position, duplicates numbered.

    Example:
        >>> unique_names(["Email", "", "Email"])
        ['Email', 'column 2', 'Email (2)']
    """
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, header in enumerate(headers):
        name = header if header.strip() else f"column {i + 1}"
        # Polars reads "*" and "^...$" column names as a wildcard and a regex.
        if name in RESERVED or name == "*" or (name.startswith("^") and name.endswith("$")):
            name = f"{name} (source)"
        count = seen.get(name, 0) + 1
        seen[name] = count
        candidate = name if count == 1 else f"{name} ({count})"
        while candidate in seen and count > 1:
            count += 1
            candidate = f"{name} ({count})"
        if count > 1:
            seen[candidate] = 1
        out.append(candidate)
    return out
