"""``manifest.json``: written by ``convert``, read by the uploader (one module, one layout).

The manifest names each part's file, size, SHA-256 and where its records came from, which
maps Eloqua's rejects back to the source. Version 2 gives the sources as ranges
(``range_source``): ``[input, first_row, first_line, count]`` is ``count`` consecutive
records whose rows and lines follow on from ``first_row`` and ``first_line``; a new range
starts wherever they do not (a rejected or dropped row skipped, a record over several
lines, the next input). A clean 1M-row file needs a few ranges per part where version 1
listed a million ``[input, row, line]`` triples (``record_source``, 27.9 MB).

- Writing: :func:`render_manifest` renders a whole-file run's manifest;
  :func:`manifest_text` renders the layout from pieces (the streamed convert passes
  :class:`RawJSON` placeholders for the range lists it writes from disk);
  :func:`record_ranges` finds a part's ranges and :func:`record_lines` renders rows of
  integers as those lists.
- Reading: :func:`load_manifest` checks a folder's manifest, version 1 (0.1) or 2, and
  gives an :class:`UploadManifest`; :meth:`ManifestPart.source` maps a record to its
  source by bisecting the ranges.

The module stays light to import: the uploader knows nothing of readers or polars (it
takes the folder as ``convert`` left it), so polars and the converter's modules are
imported only inside the writing functions.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .._version import __version__
from ..defaults import MAX_POSTS_PER_SYNC
from ..errors import InputError, UsageError

if TYPE_CHECKING:
    import polars as pl

    from .plan import ConvertPlan
    from .write import ConvertResult

__all__ = [
    "CONTENT_TYPES",
    "DROPPED_SOURCE",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "RANGE_SOURCE",
    "RECORD_SOURCE",
    "ManifestPart",
    "RawJSON",
    "UploadManifest",
    "load_manifest",
    "manifest_text",
    "record_lines",
    "record_ranges",
    "render_manifest",
]

#: The manifest's file name in OUTDIR.
MANIFEST_NAME: Final = "manifest.json"
#: Bumped when the manifest's layout changes incompatibly.
MANIFEST_VERSION: Final = 2
# Version 1 (0.1) listed a triple per record; its folders still upload.
_SUPPORTED_VERSIONS: Final = frozenset({1, MANIFEST_VERSION})
#: The ``Content-Type`` of a part in each output format. Defined here, where reading a
#: manifest needs no polars; output.encode (the writer) takes it from here.
CONTENT_TYPES: Final[dict[str, str]] = {"json": "application/json", "csv": "text/csv"}
#: What a record's source holds (a version 1 ``parts[].records`` triple, and what
#: :meth:`ManifestPart.source` returns).
RECORD_SOURCE: Final = ("input", "row", "line")
#: What each ``parts[].ranges`` quadruple holds (version 2).
RANGE_SOURCE: Final = ("input", "first_row", "first_line", "count")
#: What each ``dropped`` sextuple holds: the copy, then the record that was kept.
DROPPED_SOURCE: Final = ("input", "row", "line", "kept_input", "kept_row", "kept_line")
# The columns of ConvertPlan.dropped naming the record that was kept.
_KEPT: Final = ("kept_input", "kept_row", "kept_line")
# How to repair a damaged manifest.
_AGAIN: Final = "convert the input again into an empty folder"


class RawJSON(str):
    """Text placed into the manifest as it is (pre-rendered JSON).

    Lines after the first are indented to the depth the text lands at, so that a list
    rendered by :func:`record_lines` reads as the rest of the manifest.
    """

    __slots__ = ()


def render_manifest(
    plan: ConvertPlan, result: ConvertResult, *, rejected: int, hashes: dict[str, str]
) -> str:
    """Render a whole-file run's ``manifest.json``.

    Args:
        plan: The run's plan.
        result: What the run wrote (its parts carry their records' sources).
        rejected: Rows in ``rejects.csv``.
        hashes: Hex SHA-256 of inputs by name, for inputs whose reader did not hash them.
    """
    import polars as pl

    from ..issues.codes import IssueCode
    from ..readers import LINE, ROW
    from .plan import INPUT

    prepared = plan.prepared
    rejected_by_code = (
        pl.concat(
            [
                prepared.rejects.select(pl.col("codes").str.split(",")).explode("codes"),
                pl.DataFrame({"codes": [str(IssueCode.RECORD_TOO_LARGE)] * plan.too_large.height}),
            ]
        )
        .group_by("codes")
        .len()
        .sort("codes")
    )
    # Readers hash the bytes they read; in-memory frames have no bytes to hash.
    inputs = [
        {
            "index": i,
            "path": t.source.name,
            "sha256": hashes.get(t.source.name, t.source.sha256),
            "encoding": t.source.encoding,
            "format": t.source.format,
            "rows": t.source.rows,
            "blank_rows_skipped": t.source.blank_rows,
        }
        for i, t in enumerate(prepared.tables)
    ]
    return manifest_text(
        plan,
        result,
        rejected,
        inputs=inputs,
        rejected_by_code={str(c): int(n) for c, n in rejected_by_code.iter_rows()},
        ranges=[
            RawJSON(record_lines(record_ranges(p.sources, INPUT, ROW, LINE), *RANGE_SOURCE))
            for p in result.parts
        ],
        dropped=RawJSON(record_lines(plan.dropped, INPUT, ROW, LINE, *_KEPT)),
    )


def manifest_text(
    plan: ConvertPlan,
    result: ConvertResult,
    rejected: int,
    *,
    inputs: list[dict[str, Any]],
    rejected_by_code: dict[str, int],
    ranges: list[RawJSON],
    dropped: RawJSON,
) -> str:
    """Render the manifest; the per-input, per-part and dropped pieces are given.

    The streamed convert (:mod:`activity_schema.jobs.stream`) renders its manifest here too,
    with placeholders for the range lists that it writes from disk.

    Args:
        plan: A plan with the run's settings (format, limits, dedupe, schema).
        result: The run's counts and parts.
        rejected: Rows in ``rejects.csv``.
        inputs: The ``inputs`` entries.
        rejected_by_code: Rejected rows by code.
        ranges: Each part's list of source ranges, pre-rendered.
        dropped: The list of dropped copies, pre-rendered.
    """
    from .plan import REJECTS_NAME

    prepared = plan.prepared
    spec = prepared.spec
    manifest: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "activity-schema", "version": __version__},
        "format": plan.to,
        "content_type": CONTENT_TYPES[plan.to],
        "max_bytes": plan.max_bytes,
        "max_rows": plan.max_rows,
        "fix": prepared.settings.fix,
        "dedupe": plan.dedupe,
        "escape_formulas": plan.escape_formulas,
        "schema": {"name": spec.name, "origin": spec.origin, "fields": list(spec.names)},
        "inputs": inputs,
        "rows_in": result.rows_in,
        "rows_out": result.rows_out,
        "rows_rejected": result.rows_rejected,
        "rows_dropped": result.rows_dropped,
        "rejected_by_code": rejected_by_code,
        "fixes": result.fixes,
        "part_count": len(result.parts),
        "max_parts_per_sync": MAX_POSTS_PER_SYNC,
        "exceeds_sync_limit": result.exceeds_sync_limit,
        "rejects": {"file": REJECTS_NAME, "rows": rejected},
        "range_source": list(RANGE_SOURCE),
        "parts": [
            {
                "file": p.file,
                "rows": p.rows,
                "bytes": p.bytes,
                "sha256": p.sha256,
                "ranges": r,
            }
            for p, r in zip(result.parts, ranges, strict=True)
        ],
        "dropped_source": list(DROPPED_SOURCE),
        "dropped": dropped,
    }
    return _dump(manifest) + "\n"


def record_ranges(frame: pl.DataFrame, source: str, row: str, line: str) -> pl.DataFrame:
    """Return the runs of records whose rows and lines follow on, as :data:`RANGE_SOURCE`.

    A run ends where the next record comes from another input, or its row or its line is
    not one more than the record's before it.

    Args:
        frame: The records, in order.
        source: Its column of input indexes.
        row: Its column of rows.
        line: Its column of lines.

    Example:
        >>> import polars as pl
        >>> frame = pl.DataFrame({"i": [0, 0, 0, 0, 1], "r": [1, 2, 4, 5, 1], "l": [2, 3, 5, 7, 2]})
        >>> record_ranges(frame, "i", "r", "l").rows()
        [(0, 1, 2, 2), (0, 4, 5, 1), (0, 5, 7, 1), (1, 1, 2, 1)]
    """
    import polars as pl

    names = dict(zip(RANGE_SOURCE, (source, row, line), strict=False))
    ints = {name: pl.col(column).cast(pl.Int64) for name, column in names.items()}
    follows = pl.all_horizontal(
        ints["input"] == ints["input"].shift(1),
        ints["first_row"] == ints["first_row"].shift(1) + 1,
        ints["first_line"] == ints["first_line"].shift(1) + 1,
    ).fill_null(False)
    at = pl.int_range(pl.len(), dtype=pl.Int64)
    starts = frame.select(
        *(e.alias(n) for n, e in ints.items()), at.alias("_at"), follows.alias("_follows")
    ).filter(~pl.col("_follows"))
    count = pl.col("_at").shift(-1, fill_value=frame.height) - pl.col("_at")
    return starts.select(*ints, count.alias("count"))


def record_lines(frame: pl.DataFrame, *columns: str) -> str:
    """Render rows of integers as a JSON array, one ``[a, b, c]`` per line.

    Example:
        >>> import polars as pl
        >>> print(record_lines(pl.DataFrame({"a": [0, 0], "b": [2, 3]}), "a", "b"))
        [
          [0, 2],
          [0, 3]
        ]
        >>> record_lines(pl.DataFrame({"a": []}), "a")
        '[]'
    """
    import polars as pl

    if not frame.height:
        return "[]"
    template = "[" + ", ".join("{}" for _ in columns) + "]"
    lines = frame.select(pl.format(template, *columns).alias("t")).to_series()
    return "[\n  " + str(lines.str.join(",\n  ").item()) + "\n]"


def _dump(value: Any, indent: int = 0) -> str:
    """Dump JSON with two-space indents, keeping lists of scalars on one line."""
    pad = "  " * (indent + 1)
    if isinstance(value, RawJSON):
        return str(value).replace("\n", "\n" + "  " * indent)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{pad}{json.dumps(k, ensure_ascii=False)}: {_dump(v, indent + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        items = [pad + _dump(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    return json.dumps(value, ensure_ascii=False)


Source = tuple[int, int, int]
SourceRange = tuple[int, int, int, int]


@dataclass(frozen=True)
class ManifestPart:
    """One part file as the manifest lists it.

    Attributes:
        file: The file name inside the folder.
        rows: Records in it.
        bytes: Its size.
        sha256: Hex SHA-256 of its bytes.
        ranges: Where its records came from, as :data:`RANGE_SOURCE` quadruples in
            record order; their counts add up to ``rows``.

    Example:
        >>> part = ManifestPart("part-00001.json", 3, 10, "0" * 64, ((0, 1, 2, 2), (1, 7, 9, 1)))
        >>> part.source(1), part.source(2)
        ((0, 2, 3), (1, 7, 9))
    """

    file: str
    rows: int
    bytes: int
    sha256: str
    ranges: tuple[SourceRange, ...]
    # The index in the part of each range's first record, for source()'s bisect.
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = tuple(accumulate((r[3] for r in self.ranges[:-1]), initial=0))
        object.__setattr__(self, "_starts", starts if self.ranges else ())

    def source(self, index: int) -> Source:
        """Return ``(input, row, line)`` of the record at 0-based ``index`` in the part.

        Raises:
            IndexError: The part has no such record.
        """
        if not 0 <= index < self.rows:
            raise IndexError(f"{self.file} has no record {index} (it has {self.rows})")
        at = bisect_right(self._starts, index) - 1
        source, row, line, _ = self.ranges[at]
        step = index - self._starts[at]
        return source, row + step, line + step

    def sources(self) -> Iterator[Source]:
        """Yield ``(input, row, line)`` of every record, in order."""
        for source, row, line, count in self.ranges:
            for step in range(count):
                yield source, row + step, line + step


@dataclass(frozen=True)
class UploadManifest:
    """What a converted folder holds.

    Attributes:
        folder: The folder.
        content_type: ``application/json`` or ``text/csv``.
        parts: The parts, in order.
        inputs: The input paths, by input index.
        input_hashes: Hex SHA-256 of each input's bytes, when ``convert`` knew it.
        rows_out: Records in the parts.
        rows_rejected: Records ``convert`` rejected (in ``rejects.csv``).
        fields: The schema's field names, the keys the parts may carry (empty when the
            manifest does not list them).
    """

    folder: Path
    content_type: str
    parts: tuple[ManifestPart, ...]
    inputs: tuple[str, ...]
    input_hashes: tuple[str | None, ...]
    rows_out: int
    rows_rejected: int
    fields: tuple[str, ...] = ()

    def path(self, part: ManifestPart) -> Path:
        """Return the full path of ``part``."""
        return self.folder / part.file


def load_manifest(folder: Path) -> UploadManifest:
    """Read and check ``folder/manifest.json``.

    Raises:
        UsageError: The folder has no manifest (it is not a finished ``convert`` output).
        InputError: The manifest is unreadable or inconsistent.

    Example:
        >>> import tempfile
        >>> from activity_schema import prepare
        >>> from activity_schema.output.write import convert
        >>> rows = [{"activityId": "1", "email": "a@b.co", "type": "Registered"}, {"x": "y"}]
        >>> tmp = tempfile.TemporaryDirectory()
        >>> out = Path(tmp.name) / "out"
        >>> _ = convert(prepare(rows), out)
        >>> manifest = load_manifest(out)
        >>> manifest.content_type, manifest.rows_out, manifest.rows_rejected
        ('application/json', 1, 1)
        >>> [(part.file, part.ranges, part.source(0)) for part in manifest.parts]
        [('part-00001.json', ((0, 1, 1, 1),), (0, 1, 1))]
        >>> tmp.cleanup()
    """
    path = folder / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"the folder has no {MANIFEST_NAME}",
            where=str(folder),
            hint="pass an input file to convert, or a folder that `activity-schema convert` "
            "finished writing",
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the manifest: {err}", path=str(path)) from None
    try:
        return _parse(json.loads(text), folder)
    except InputError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as err:
        raise InputError(
            f"the manifest is damaged ({type(err).__name__}: {err})",
            path=str(path),
            hint=_AGAIN,
        ) from None


def _parse(data: dict[str, Any], folder: Path) -> UploadManifest:
    where = str(folder / MANIFEST_NAME)
    version = data.get("manifest_version")
    if version not in _SUPPORTED_VERSIONS:
        raise InputError(
            f"manifest_version {version!r} is not supported",
            path=where,
            hint="convert the input again with this version of activity-schema",
        )
    content_type = str(data["content_type"])
    if content_type not in CONTENT_TYPES.values():
        raise InputError(f"unknown content_type {content_type!r}", path=where)
    if version == 1:
        if tuple(data.get("record_source", [])) != RECORD_SOURCE:
            raise InputError("record_source must be [input, row, line]", path=where)
    elif tuple(data.get("range_source", [])) != RANGE_SOURCE:
        raise InputError("range_source must be [input, first_row, first_line, count]", path=where)
    parts = tuple(_part(item, where, version=version) for item in data["parts"])
    if len({p.file for p in parts}) != len(parts):
        raise InputError("the manifest lists a part twice", path=where)
    return UploadManifest(
        folder=folder,
        content_type=content_type,
        parts=parts,
        inputs=tuple(str(item["path"]) for item in data["inputs"]),
        input_hashes=tuple(
            None if item.get("sha256") is None else str(item["sha256"]) for item in data["inputs"]
        ),
        rows_out=int(data["rows_out"]),
        rows_rejected=int(data["rows_rejected"]),
        fields=tuple(str(name) for name in (data.get("schema") or {}).get("fields", [])),
    )


def _part(item: dict[str, Any], where: str, *, version: int) -> ManifestPart:
    file = str(item["file"])
    if Path(file).name != file or file.startswith("."):
        raise InputError(f"part name {file!r} is not a plain file name", path=where)
    rows = int(item["rows"])
    if version == 1:
        records = [(int(a), int(b), int(c)) for a, b, c in item["records"]]
        if len(records) != rows:
            raise InputError(f"{file}: {rows} rows but {len(records)} record sources", path=where)
        ranges = tuple(_runs(records))
    else:
        ranges = tuple((int(a), int(b), int(c), int(n)) for a, b, c, n in item["ranges"])
        if any(r[3] < 1 for r in ranges):
            raise InputError(
                f"{file}: a source range counts fewer than 1 record", path=where, hint=_AGAIN
            )
        covered = sum(r[3] for r in ranges)
        if covered != rows:
            raise InputError(
                f"{file}: {rows} rows but its source ranges hold {covered}", path=where, hint=_AGAIN
            )
    return ManifestPart(file, rows, int(item["bytes"]), str(item["sha256"]), ranges)


def _runs(records: Iterable[Source]) -> Iterator[SourceRange]:
    """Yield version 1's per-record triples as the ranges version 2 lists."""
    run: list[int] | None = None
    for source, row, line in records:
        if run is not None and (source, row, line) == (run[0], run[1] + run[3], run[2] + run[3]):
            run[3] += 1
            continue
        if run is not None:
            yield run[0], run[1], run[2], run[3]
        run = [source, row, line, 1]
    if run is not None:
        yield run[0], run[1], run[2], run[3]
