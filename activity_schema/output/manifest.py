"""``manifest.json``: written by ``convert``, read by the uploader (one module, one layout).

The manifest names each part's file, size, SHA-256 and, for every record, the input,
row and line it came from (``record_source``), which maps Eloqua's rejects back to the
source.

- Writing: :func:`render_manifest` renders a whole-file run's manifest;
  :func:`manifest_text` renders the layout from pieces (the streamed convert passes
  :class:`RawJSON` placeholders for the record lists it writes from disk), and
  :func:`record_lines` renders rows of integers as those lists.
- Reading: :func:`load_manifest` checks a folder's manifest and gives an
  :class:`UploadManifest`.

The module stays light to import: the uploader knows nothing of readers or polars (it
takes the folder as ``convert`` left it), so polars and the converter's modules are
imported only inside the writing functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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
    "RECORD_SOURCE",
    "ManifestPart",
    "RawJSON",
    "UploadManifest",
    "load_manifest",
    "manifest_text",
    "record_lines",
    "render_manifest",
]

#: The manifest's file name in OUTDIR.
MANIFEST_NAME: Final = "manifest.json"
#: Bumped when the manifest's layout changes incompatibly.
MANIFEST_VERSION: Final = 1
_SUPPORTED_VERSIONS: Final = frozenset({MANIFEST_VERSION})
#: The ``Content-Type`` of a part in each output format. Defined here, where reading a
#: manifest needs no polars; output.encode (the writer) takes it from here.
CONTENT_TYPES: Final[dict[str, str]] = {"json": "application/json", "csv": "text/csv"}
#: What each ``parts[].records`` triple holds.
RECORD_SOURCE: Final = ("input", "row", "line")
#: What each ``dropped`` sextuple holds: the copy, then the record that was kept.
DROPPED_SOURCE: Final = ("input", "row", "line", "kept_input", "kept_row", "kept_line")
# The columns of ConvertPlan.dropped naming the record that was kept.
_KEPT: Final = ("kept_input", "kept_row", "kept_line")


class RawJSON(str):
    """Text placed into the manifest as it is (pre-rendered JSON).

    Lines after the first are indented to the depth the text lands at, so that a record
    list rendered by :func:`record_lines` reads as the rest of the manifest.
    """

    __slots__ = ()


def render_manifest(
    plan: ConvertPlan, result: ConvertResult, *, rejected: int, hashes: dict[str, str]
) -> str:
    """Render a whole-file run's ``manifest.json``.

    Args:
        plan: The run's plan.
        result: What the run wrote (its parts carry their record sources).
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
        records=[RawJSON(record_lines(p.sources, INPUT, ROW, LINE)) for p in result.parts],
        dropped=RawJSON(record_lines(plan.dropped, INPUT, ROW, LINE, *_KEPT)),
    )


def manifest_text(
    plan: ConvertPlan,
    result: ConvertResult,
    rejected: int,
    *,
    inputs: list[dict[str, Any]],
    rejected_by_code: dict[str, int],
    records: list[RawJSON],
    dropped: RawJSON,
) -> str:
    """Render the manifest; the per-input, per-part and dropped pieces are given.

    The streamed convert (:mod:`activity_schema.jobs.stream`) renders its manifest here too,
    with placeholders for the record lists that it writes from disk.

    Args:
        plan: A plan with the run's settings (format, limits, dedupe, schema).
        result: The run's counts and parts.
        rejected: Rows in ``rejects.csv``.
        inputs: The ``inputs`` entries.
        rejected_by_code: Rejected rows by code.
        records: Each part's record list, pre-rendered.
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
        "record_source": list(RECORD_SOURCE),
        "parts": [
            {
                "file": p.file,
                "rows": p.rows,
                "bytes": p.bytes,
                "sha256": p.sha256,
                "records": r,
            }
            for p, r in zip(result.parts, records, strict=True)
        ],
        "dropped_source": list(DROPPED_SOURCE),
        "dropped": dropped,
    }
    return _dump(manifest) + "\n"


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


@dataclass(frozen=True)
class ManifestPart:
    """One part file as the manifest lists it.

    Attributes:
        file: The file name inside the folder.
        rows: Records in it.
        bytes: Its size.
        sha256: Hex SHA-256 of its bytes.
        records: ``(input, row, line)`` of each record, in order.
    """

    file: str
    rows: int
    bytes: int
    sha256: str
    records: tuple[Source, ...]


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
        >>> from activity_schema import convert, prepare
        >>> rows = [{"activityId": "1", "email": "a@b.co", "type": "Registered"}, {"x": "y"}]
        >>> tmp = tempfile.TemporaryDirectory()
        >>> out = Path(tmp.name) / "out"
        >>> _ = convert(prepare(rows), out)
        >>> manifest = load_manifest(out)
        >>> manifest.content_type, manifest.rows_out, manifest.rows_rejected
        ('application/json', 1, 1)
        >>> [(part.file, part.records) for part in manifest.parts]
        [('part-00001.json', ((0, 1, 1),))]
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
            hint="convert the input again into an empty folder",
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
    if tuple(data.get("record_source", [])) != RECORD_SOURCE:
        raise InputError("record_source must be [input, row, line]", path=where)
    parts = tuple(_part(item, where) for item in data["parts"])
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


def _part(item: dict[str, Any], where: str) -> ManifestPart:
    file = str(item["file"])
    if Path(file).name != file or file.startswith("."):
        raise InputError(f"part name {file!r} is not a plain file name", path=where)
    records = tuple((int(a), int(b), int(c)) for a, b, c in item["records"])
    rows = int(item["rows"])
    if len(records) != rows:
        raise InputError(f"{file}: {rows} rows but {len(records)} record sources", path=where)
    return ManifestPart(file, rows, int(item["bytes"]), str(item["sha256"]), records)
