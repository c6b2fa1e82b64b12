"""Map the rows an Eloqua sync rejected back to their source file, row and line.

Eloqua numbers the rows of a sync 1-based, over every row staged for it, in post order
(``recordIndex``). The upload state knows which parts a sync holds and in which order;
the manifest knows, for each record of each part, its ``(input, row, line)`` (as ranges
of records whose rows and lines follow on; ``ManifestPart.source`` finds one). Together
they turn ``recordIndex 7`` into ``export.csv, row 12, line 13``.
"""

from __future__ import annotations

import csv
import json
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Final

from ..eloqua import Reject
from ..errors import OutputError
from ..output.manifest import ManifestPart

__all__ = [
    "ELOQUA_REJECTS_NAME",
    "REJECT_COLUMNS",
    "CodeSummary",
    "MappedReject",
    "map_rejects",
    "summarize_rejects",
    "write_rejects",
]

#: The file Eloqua's rejects are written to, in OUTDIR.
ELOQUA_REJECTS_NAME: Final = "eloqua-rejects.csv"
#: Its columns.
REJECT_COLUMNS: Final = (
    "file",
    "row",
    "line",
    "statusCode",
    "message",
    "invalidFields",
    "fieldValues",
)
_EXAMPLES: Final = 3


@dataclass(frozen=True)
class MappedReject:
    """One row Eloqua rejected, with where it came from.

    Attributes:
        file: The input file (None when the index is beyond the sync's known rows, e.g.
            rows someone else staged for the same definition).
        row: The 1-based data row in that input.
        line: The 1-based physical line in that input.
        status_code: Eloqua's code, e.g. ``ELQ-00002``.
        message: Eloqua's message.
        invalid_fields: The fields Eloqua blamed.
        field_values: The row as Eloqua echoes it.
        sync: The sync's URI.
        record_index: Eloqua's 1-based index in the sync.
        part: The part file the row was posted in.
    """

    file: str | None
    row: int | None
    line: int | None
    status_code: str
    message: str
    invalid_fields: tuple[str, ...] = ()
    field_values: dict[str, str | None] = field(default_factory=dict)
    sync: str = ""
    record_index: int = 0
    part: str | None = None

    @property
    def where(self) -> str:
        """Return ``file:line`` (or the sync and index when unmapped)."""
        if self.file is None:
            return f"{self.sync} record {self.record_index}"
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class CodeSummary:
    """The rejects of one Eloqua status code."""

    status_code: str
    count: int
    message: str
    examples: tuple[str, ...]


def map_rejects(
    rejects: Iterable[Reject],
    parts: Sequence[ManifestPart],
    inputs: Sequence[str],
    sync: str = "",
) -> Iterator[MappedReject]:
    """Yield each reject with its source, given the sync's parts in post order.

    Example:
        >>> from activity_schema.eloqua import Reject
        >>> part = ManifestPart("part-00001.json", 2, 10, "0" * 64, ((0, 1, 2, 2),))
        >>> [r.where for r in map_rejects([Reject(2, {}, "bad", "ELQ-00002")], [part], ["a.csv"])]
        ['a.csv:3']
    """
    ends = list(accumulate(p.rows for p in parts))
    for reject in rejects:
        index = reject.record_index - 1
        position = bisect_right(ends, index)
        file: str | None = None
        row = line = None
        part = None
        if position < len(parts):
            part = parts[position]
            offset = index - (ends[position - 1] if position else 0)
            source, row, line = part.source(offset)
            file = inputs[source] if 0 <= source < len(inputs) else None
        yield MappedReject(
            file=file,
            row=row if file is not None else None,
            line=line if file is not None else None,
            status_code=reject.status_code,
            message=reject.message,
            invalid_fields=reject.invalid_fields,
            field_values=dict(reject.field_values),
            sync=sync,
            record_index=reject.record_index,
            part=part.file if part else None,
        )


def write_rejects(path: Path, rejects: Sequence[MappedReject], *, append: bool) -> None:
    """Write (or append) ``rejects`` to a CSV file with :data:`REJECT_COLUMNS`.

    When appending, a reject of a source row the file already lists is left out: each
    row is synced once, so it is the same reject fetched again (a run that stopped after
    writing them and before recording so, then resumed).

    Raises:
        OutputError: The file cannot be written.
    """
    new = not append or not path.exists()
    try:
        listed = set() if new else _listed_rows(path)
        with path.open("w" if new else "a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(REJECT_COLUMNS)
            for item in rejects:
                if item.file is not None and (item.file, str(item.row), str(item.line)) in listed:
                    continue
                writer.writerow(
                    [
                        item.file or "",
                        "" if item.row is None else item.row,
                        "" if item.line is None else item.line,
                        item.status_code,
                        item.message,
                        ";".join(item.invalid_fields),
                        json.dumps(item.field_values, ensure_ascii=False, sort_keys=False),
                    ]
                )
    except OSError as err:
        raise OutputError(
            f"cannot write Eloqua's rejects: {err.strerror or err}",
            path=str(path),
            errno=err.errno,
            hint="check the folder's permissions and free space, then rerun with --resume",
        ) from err


def _listed_rows(path: Path) -> set[tuple[str, str, str]]:
    """Return the ``(file, row, line)`` of the rejects a file already lists."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (row.get("file") or "", row.get("row") or "", row.get("line") or "")
            for row in csv.DictReader(handle)
            if row.get("file")
        }


def summarize_rejects(rejects: Iterable[MappedReject]) -> list[CodeSummary]:
    """Group rejects by Eloqua status code, most frequent first, with a few examples.

    Example:
        >>> r = MappedReject("a.csv", 1, 2, "ELQ-00002", "Invalid email address.")
        >>> summarize_rejects([r, r])[0].count
        2
    """
    counts: dict[str, int] = {}
    messages: dict[str, str] = {}
    examples: dict[str, list[str]] = {}
    for item in rejects:
        code = item.status_code or "(no code)"
        counts[code] = counts.get(code, 0) + 1
        messages.setdefault(code, item.message)
        seen = examples.setdefault(code, [])
        if len(seen) < _EXAMPLES:
            seen.append(item.where)
    order = sorted(counts, key=lambda code: (-counts[code], code))
    return [CodeSummary(c, counts[c], messages[c], tuple(examples[c])) for c in order]
