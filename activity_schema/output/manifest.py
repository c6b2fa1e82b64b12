"""Read the ``manifest.json`` that ``convert`` wrote, as the uploader needs it.

The uploader knows nothing of readers or polars: it takes the folder as ``convert`` left
it. The manifest names each part's file, size, SHA-256 and, for every record, the input,
row and line it came from (``record_source``), which maps Eloqua's rejects back to the
source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..errors import InputError, UsageError

__all__ = ["MANIFEST_NAME", "ManifestPart", "UploadManifest", "load_manifest"]

#: The manifest's file name (the same as :data:`activity_schema.output.write.MANIFEST_NAME`,
#: repeated so that the uploader does not import the converter and polars).
MANIFEST_NAME: Final = "manifest.json"
_SUPPORTED_VERSIONS: Final = frozenset({1})
_CONTENT_TYPES: Final = frozenset({"application/json", "text/csv"})

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
        >>> load_manifest(Path("out"))  # doctest: +SKIP
        UploadManifest(folder=PosixPath('out'), content_type='application/json', ...)
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
    if content_type not in _CONTENT_TYPES:
        raise InputError(f"unknown content_type {content_type!r}", path=where)
    if list(data.get("record_source", [])) != ["input", "row", "line"]:
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
