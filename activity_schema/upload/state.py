"""Remember which parts of an output folder were posted to Eloqua, and what came back.

The state lives in ``OUTDIR/upload-state.json`` next to the parts. It is rewritten
atomically (a temporary file, flushed to disk, renamed over the old one, and the folder
flushed: :func:`activity_schema.output.durable.atomic_write_bytes`) just before and just after
every data POST and every sync creation, so that a run killed at any moment leaves a
state that tells the next ``--resume`` exactly what Eloqua may hold. Only one run at a
time writes it: ``upload`` holds ``OUTDIR/.upload.lock`` (:data:`LOCK_NAME`).

Besides the parts and syncs, the state records:

- ``created_import``: the import definition ``upload --create-import`` created, so that
  ``--resume`` posts to it instead of creating another;
- ``sync_intent``: written just before a sync is requested and removed once the answer
  is recorded; found on disk only when the run died while asking, so that ``--resume``
  looks the sync up in Eloqua instead of requesting a second one.

Each part has one status:

- absent: never posted;
- ``sending``: written just before its POST; found on disk only when the process died
  during the POST, so it is read as ``unknown``;
- ``accepted``: Eloqua answered 2xx; the rows are staged (or synced, see ``sync``);
- ``failed``: Eloqua gave a verdict that stages nothing (a 4xx, or the connection
  could not be made): posting it again is safe;
- ``unknown``: the body may have reached Eloqua but no clear answer came back (a
  dropped connection, a read timeout, a 5xx): its rows may be staged.

The file holds no secrets: file names, hashes, counts, HTTP statuses, sync URIs and
one-line error messages (which never carry credentials).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from .._version import __version__
from ..errors import OutputError, UsageError
from ..output.durable import atomic_write_bytes

__all__ = [
    "LOCK_NAME",
    "STATE_NAME",
    "STATE_VERSION",
    "CreatedImport",
    "PartRecord",
    "PartStatus",
    "SyncIntent",
    "SyncRecord",
    "UploadState",
]

#: The state file's name in OUTDIR.
STATE_NAME: Final = "upload-state.json"
#: The lock file one upload holds while it runs (in OUTDIR, next to the state).
LOCK_NAME: Final = ".upload.lock"
#: Bumped when the layout changes incompatibly (2: ``sync_intent``, which an older
#: version would ignore and so request a second sync).
STATE_VERSION: Final = 2
_READABLE_VERSIONS: Final = frozenset({1, 2})
_FINAL_SYNC: Final = frozenset({"success", "warning", "error"})


class PartStatus(StrEnum):
    """Name what Eloqua may hold of one part."""

    SENDING = "sending"
    ACCEPTED = "accepted"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def maybe_staged(self) -> bool:
        """Return True when the part's rows may be in Eloqua without our knowing."""
        return self in (PartStatus.SENDING, PartStatus.UNKNOWN)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_precise() -> str:
    """Return the current UTC time to the microsecond (ISO 8601, ``Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class PartRecord:
    """What happened to one part.

    Attributes:
        file: The part's file name (``part-00001.json``).
        sha256: Hex SHA-256 of the bytes posted.
        rows: Records in the part.
        bytes: Size of the body.
        import_id: The import definition it was posted to.
        status: See :class:`PartStatus`.
        seq: Order of posting across runs (1-based); a sync's record indices follow it.
        http_status: Eloqua's HTTP status, when an answer came.
        sync: The URI of the sync holding its rows, once one was created or started.
        error: The one-line error, for ``failed`` and ``unknown`` parts.
        updated_at: When the record last changed (UTC).
    """

    file: str
    sha256: str
    rows: int
    bytes: int
    import_id: int
    status: PartStatus
    seq: int
    http_status: int | None = None
    sync: str | None = None
    error: str | None = None
    updated_at: str = field(default_factory=_now)


@dataclass(frozen=True)
class SyncRecord:
    """One sync of the upload.

    Attributes:
        uri: ``/syncs/N``.
        status: Its last known status (``pending`` ... ``success``/``warning``/``error``).
        parts: The parts whose rows it holds, in post order.
        rows: Their records; a reject's ``recordIndex`` counts over these.
        rejects: Rows Eloqua rejected, once they were fetched (None before).
        updated_at: When the record last changed (UTC).
    """

    uri: str
    status: str
    parts: tuple[str, ...]
    rows: int
    rejects: int | None = None
    updated_at: str = field(default_factory=_now)

    @property
    def is_final(self) -> bool:
        """Return True once the sync ended (``success``, ``warning`` or ``error``)."""
        return self.status in _FINAL_SYNC


@dataclass(frozen=True)
class CreatedImport:
    """The import definition an ``upload --create-import`` run created.

    Attributes:
        uri: ``/activities/imports/N``.
        name: Its name.
        fields: Field name -> statement, as created.
        auto_delete: Its ``autoDeleteDuration``.
        retention: Its ``dataRetentionDuration``.
        created_at: When it was created (UTC).
    """

    uri: str
    name: str
    fields: dict[str, str]
    auto_delete: str
    retention: str
    created_at: str = field(default_factory=_now)


@dataclass(frozen=True)
class SyncIntent:
    """A sync being requested: on disk before the request, gone once its answer is saved.

    Attributes:
        requested_at: When the request was about to leave (UTC, microseconds).
        parts: The staged parts the sync will take, in post order.
        rows: Their records.
    """

    requested_at: str
    parts: tuple[str, ...]
    rows: int

    @property
    def requested(self) -> datetime:
        """Return :attr:`requested_at` as an aware datetime."""
        return datetime.fromisoformat(self.requested_at)


@dataclass
class UploadState:
    """The upload state of one output folder (mutable: it follows the run).

    Attributes:
        path: The state file.
        import_id: The import definition the folder is uploaded to.
        parts: The records of parts posted at least once, by file name.
        syncs: The syncs, in creation order.
        created_import: The definition ``--create-import`` created, if any.
        sync_intent: A sync request whose answer was not recorded yet.

    Example:
        >>> state = UploadState(Path("upload-state.json"), 2900)
        >>> state.next_seq(), state.staged()
        (1, [])
    """

    path: Path
    import_id: int
    parts: dict[str, PartRecord] = field(default_factory=dict)
    syncs: list[SyncRecord] = field(default_factory=list)
    created_import: CreatedImport | None = None
    sync_intent: SyncIntent | None = None

    @classmethod
    def load(cls, path: Path) -> UploadState | None:
        """Read the state file at ``path``; return None when there is none.

        Raises:
            UsageError: The file exists but cannot be read or understood.
        """
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as err:
            raise _bad_state(path, f"cannot be read: {err}") from None
        try:
            data = json.loads(text)
            if data.get("state_version") not in _READABLE_VERSIONS:
                raise _bad_state(path, f"has state_version {data.get('state_version')!r}")
            parts = [_part(item) for item in data["parts"]]
            syncs = [_sync(item) for item in data["syncs"]]
            import_id = int(data["import_id"])
            created = data.get("created_import")
            created_import = None if created is None else CreatedImport(**created)
            intent = data.get("sync_intent")
            sync_intent = None if intent is None else _intent(intent)
        except UsageError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise _bad_state(path, f"is damaged ({type(err).__name__}: {err})") from None
        return cls(path, import_id, {p.file: p for p in parts}, syncs, created_import, sync_intent)

    def save(self, redact: Callable[[str], str] | None = None) -> None:
        """Write the state atomically: a crash leaves the old file or the new one.

        Args:
            redact: Applied to every text stored (error messages quote Eloqua's answers,
                which a proxy may have filled with the request's headers); the uploader
                passes its client's :attr:`~activity_schema.eloqua.EloquaClient.redactor`.

        Raises:
            OutputError: The folder cannot be written (full disk, no permission).
        """
        data: dict[str, Any] = {
            "state_version": STATE_VERSION,
            "tool": {"name": "activity-schema", "version": __version__},
            "import_id": self.import_id,
            "updated_at": _now(),
            "parts": [_plain(p) for p in sorted(self.parts.values(), key=lambda p: p.seq)],
            "syncs": [_plain(s) for s in self.syncs],
            "created_import": None if self.created_import is None else asdict(self.created_import),
            "sync_intent": None if self.sync_intent is None else _plain_intent(self.sync_intent),
        }
        if redact is not None:
            data = _redacted(data, redact)
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        try:
            atomic_write_bytes(self.path, text.encode("utf-8"))
        except OSError as err:
            raise OutputError(
                f"cannot write the upload state: {err.strerror or err}",
                path=str(self.path),
                errno=err.errno,
                hint="check the folder's permissions and free space, then rerun with --resume",
            ) from err

    def next_seq(self) -> int:
        """Return the sequence number of the next part posted."""
        return max((p.seq for p in self.parts.values()), default=0) + 1

    def status(self, file: str) -> PartStatus | None:
        """Return the status of part ``file``, None if it was never posted."""
        record = self.parts.get(file)
        return record.status if record else None

    def staged(self) -> list[PartRecord]:
        """Return the accepted parts no sync holds yet, in post order."""
        waiting = [
            p for p in self.parts.values() if p.status is PartStatus.ACCEPTED and p.sync is None
        ]
        return sorted(waiting, key=lambda p: p.seq)

    def set_part(self, record: PartRecord) -> None:
        """Add or replace the record of one part."""
        self.parts[record.file] = record

    def set_sync(self, record: SyncRecord) -> None:
        """Add or replace (by ``uri``) the record of one sync."""
        for i, known in enumerate(self.syncs):
            if known.uri == record.uri:
                self.syncs[i] = record
                return
        self.syncs.append(record)

    def sync(self, uri: str) -> SyncRecord | None:
        """Return the record of sync ``uri``, if known."""
        return next((s for s in self.syncs if s.uri == uri), None)

    def forget_staged(self) -> list[str]:
        """Drop the parts whose rows were cleared from staging (staged or maybe staged).

        Returns:
            Their file names; they count as never posted again.
        """
        gone = [p.file for p in self.staged()] + [
            p.file for p in self.parts.values() if p.status.maybe_staged and p.sync is None
        ]
        for name in gone:
            del self.parts[name]
        return gone


def _bad_state(path: Path, what: str) -> UsageError:
    return UsageError(
        f"the upload state {what}",
        where=str(path),
        hint="it records which parts Eloqua already holds; restore it, or delete it only "
        "if you are sure nothing of this folder was staged or synced",
    )


def _plain(record: PartRecord | SyncRecord) -> dict[str, Any]:
    data = asdict(record)
    if isinstance(record, PartRecord):
        data["status"] = str(record.status)
    else:
        data["parts"] = list(record.parts)
    return data


def _part(item: dict[str, Any]) -> PartRecord:
    record = PartRecord(**item)
    name = Path(record.file).name
    if name != record.file or not isinstance(record.seq, int):
        raise ValueError(f"bad part record {record.file!r}")
    return replace(record, status=PartStatus(record.status))


def _plain_intent(intent: SyncIntent) -> dict[str, Any]:
    data = asdict(intent)
    data["parts"] = list(intent.parts)
    return data


def _intent(item: dict[str, Any]) -> SyncIntent:
    intent = SyncIntent(
        str(item["requested_at"]), tuple(map(str, item["parts"])), int(item["rows"])
    )
    _ = intent.requested  # a damaged time fails here, as a damaged state
    return intent


def _sync(item: dict[str, Any]) -> SyncRecord:
    record = SyncRecord(**item)
    return replace(record, parts=tuple(str(p) for p in record.parts))


def _redacted(value: Any, redact: Callable[[str], str]) -> Any:
    """Return ``value`` (JSON-like) with ``redact`` applied to every string in it."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item, redact) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item, redact) for item in value]
    return value
