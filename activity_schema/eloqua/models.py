"""Turn Eloqua's JSON answers into frozen value objects.

Every parser here raises :class:`~activity_schema.errors.ProtocolError` when a
response does not have the documented shape, so callers never see a ``KeyError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ..errors import ProtocolError

__all__ = [
    "ImportDataResult",
    "ImportDefinition",
    "Reject",
    "Sync",
    "SyncLog",
    "SyncStatus",
    "import_id_of",
    "parse_import_definition",
    "parse_reject",
    "parse_sync",
    "parse_sync_log",
    "sync_id_of",
]

_SYNC_ID = re.compile(r"(?:^|/)syncs/(\d+)/?$")
_IMPORT_ID = re.compile(r"(?:^|/)activities/imports/(\d+)/?$")


class SyncStatus(StrEnum):
    """Name the states of an Eloqua sync."""

    PENDING = "pending"
    ACTIVE = "active"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"

    @property
    def is_final(self) -> bool:
        """Return True for ``success``, ``warning`` and ``error``."""
        return self in (SyncStatus.SUCCESS, SyncStatus.WARNING, SyncStatus.ERROR)


@dataclass(frozen=True)
class Sync:
    """Describe one sync (also the body of a 201 ``ActivityImportDataResponse``).

    Attributes:
        uri: ``/syncs/N``.
        status: Where the sync is; ``warning`` syncs can still have rejected rows.
        synced_instance_uri: ``/activities/imports/N``.
        created_at: When the sync was created.
        created_by: The login that created it.
        sync_started_at: When Eloqua started it.
        sync_ended_at: When Eloqua finished it.
        callback_url: The URL Eloqua calls when it finishes.
    """

    uri: str
    status: SyncStatus
    synced_instance_uri: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    sync_started_at: datetime | None = None
    sync_ended_at: datetime | None = None
    callback_url: str | None = None

    @property
    def id(self) -> int:
        """Return the numeric id taken from :attr:`uri`."""
        return sync_id_of(self.uri)


@dataclass(frozen=True)
class ImportDataResult:
    """Describe the outcome of one accepted data POST.

    Attributes:
        import_id: The activity import definition id.
        status_code: 204 (staged, no sync) or 201 (a sync was started).
        sync: The sync Eloqua started, for definitions with ``isSyncTriggeredOnImport``.
        part: The caller's name for the posted part, when given.
    """

    import_id: int
    status_code: int
    sync: Sync | None = None
    part: str | None = None


@dataclass(frozen=True)
class ImportDefinition:
    """Describe an activity import definition as Eloqua stores it.

    Attributes:
        uri: ``/activities/imports/N``.
        name: Its name.
        fields: Field name -> markup statement (``{{Activity.Type}}``).
        is_sync_triggered_on_import: Whether every data POST starts a sync.
        auto_delete_duration: ISO-8601 time until Eloqua deletes the definition.
        data_retention_duration: ISO-8601 time unsynced staged data is kept.
    """

    uri: str
    name: str
    fields: Mapping[str, str]
    is_sync_triggered_on_import: bool = False
    auto_delete_duration: str | None = None
    data_retention_duration: str | None = None

    @property
    def id(self) -> int:
        """Return the numeric id taken from :attr:`uri`."""
        return import_id_of(self.uri)


@dataclass(frozen=True)
class Reject:
    """Describe one row Eloqua rejected in a sync.

    Attributes:
        record_index: 1-based index over all rows of the sync, in post order.
        field_values: The rejected row as Eloqua echoes it.
        message: Eloqua's explanation.
        status_code: Eloqua's code, e.g. ``ELQ-00002`` (invalid email address).
        invalid_fields: The fields Eloqua blamed.
    """

    record_index: int
    field_values: Mapping[str, str | None] = field(default_factory=dict)
    message: str = ""
    status_code: str = ""
    invalid_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class SyncLog:
    """Describe one entry of a sync's log (``ELQ-00001 records processed`` and so on)."""

    status_code: str
    message: str
    count: int | None = None
    severity: str | None = None
    created_at: datetime | None = None


def sync_id_of(sync: str | int) -> int:
    """Return the numeric id of a sync given as ``384``, ``"384"``, ``"/syncs/384"`` or a URL.

    Raises:
        ProtocolError: The value names no sync.

    Example:
        >>> sync_id_of("/syncs/384")
        384
    """
    if isinstance(sync, int):
        return sync
    text = sync.strip()
    if text.isdigit():
        return int(text)
    match = _SYNC_ID.search(text)
    if match is None:
        raise ProtocolError(f"not a sync uri: {sync!r}", hint="expected '/syncs/<id>'")
    return int(match.group(1))


def import_id_of(uri: str) -> int:
    """Return the id of an import definition given as ``/activities/imports/N``.

    Raises:
        ProtocolError: The value names no import definition.

    Example:
        >>> import_id_of("/activities/imports/2900")
        2900
    """
    match = _IMPORT_ID.search(uri.strip())
    if match is None:
        raise ProtocolError(
            f"not an import definition uri: {uri!r}", hint="expected '/activities/imports/<id>'"
        )
    return int(match.group(1))


def _expect_object(data: object, what: str) -> Mapping[str, object]:
    if not isinstance(data, dict):
        raise ProtocolError(f"expected a JSON object for {what}, got {type(data).__name__}")
    return data


def _opt_str(data: Mapping[str, object], key: str, what: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ProtocolError(f"{what}: '{key}' should be a string, got {type(value).__name__}")


def _opt_datetime(data: Mapping[str, object], key: str, what: str) -> datetime | None:
    text = _opt_str(data, key, what)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ProtocolError(f"{what}: '{key}' is not an ISO-8601 date-time: {text!r}") from None


def parse_sync(data: object) -> Sync:
    """Parse a sync (or ``ActivityImportDataResponse``) JSON object.

    Raises:
        ProtocolError: ``uri`` or ``status`` is missing or wrong.

    Example:
        >>> parse_sync({"uri": "/syncs/7", "status": "pending"}).id
        7
    """
    what = "sync"
    obj = _expect_object(data, what)
    uri = _opt_str(obj, "uri", what)
    if not uri:
        raise ProtocolError("sync: 'uri' is missing")
    sync_id_of(uri)
    status = _opt_str(obj, "status", what)
    try:
        parsed_status = SyncStatus(status or "")
    except ValueError:
        raise ProtocolError(f"sync {uri}: unknown status {status!r}") from None
    return Sync(
        uri=uri,
        status=parsed_status,
        synced_instance_uri=_opt_str(obj, "syncedInstanceUri", what),
        created_at=_opt_datetime(obj, "createdAt", what),
        created_by=_opt_str(obj, "createdBy", what),
        sync_started_at=_opt_datetime(obj, "syncStartedAt", what),
        sync_ended_at=_opt_datetime(obj, "syncEndedAt", what),
        callback_url=_opt_str(obj, "callbackUrl", what),
    )


def parse_import_definition(data: object) -> ImportDefinition:
    """Parse an ``ActivityImportIndividual`` JSON object (the answer to its creation).

    Raises:
        ProtocolError: ``uri`` or ``fields`` is missing or wrong.

    Example:
        >>> parse_import_definition(
        ...     {"uri": "/activities/imports/5", "name": "n", "fields": {"T": "{{Activity.Type}}"}}
        ... ).id
        5
    """
    what = "import definition"
    obj = _expect_object(data, what)
    uri = _opt_str(obj, "uri", what)
    if not uri:
        raise ProtocolError("import definition: 'uri' is missing")
    import_id_of(uri)
    fields = obj.get("fields")
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise ProtocolError(f"import definition {uri}: 'fields' should be an object of strings")
    return ImportDefinition(
        uri=uri,
        name=_opt_str(obj, "name", what) or "",
        fields={str(k): str(v) for k, v in fields.items()},
        is_sync_triggered_on_import=obj.get("isSyncTriggeredOnImport") is True,
        auto_delete_duration=_opt_str(obj, "autoDeleteDuration", what),
        data_retention_duration=_opt_str(obj, "dataRetentionDuration", what),
    )


def _field_values(value: object) -> dict[str, str | None]:
    # Eloqua documents an object of name -> value; accept a list of {name, value} too.
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): None if v is None else str(v) for k, v in value.items()}
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return {
            str(item.get("name")): None if item.get("value") is None else str(item.get("value"))
            for item in value
        }
    raise ProtocolError("reject: 'fieldValues' should be an object")


def parse_reject(data: object) -> Reject:
    """Parse one item of ``GET /syncs/{id}/rejects``.

    Raises:
        ProtocolError: ``recordIndex`` is missing or the item has the wrong shape.

    Example:
        >>> parse_reject({"recordIndex": 3, "statusCode": "ELQ-00002"}).record_index
        3
    """
    what = "reject"
    obj = _expect_object(data, what)
    index = obj.get("recordIndex")
    if not isinstance(index, int) or isinstance(index, bool) or index < 1:
        raise ProtocolError(f"reject: 'recordIndex' should be a positive integer, got {index!r}")
    invalid = obj.get("invalidFields") or []
    if not isinstance(invalid, list):
        raise ProtocolError("reject: 'invalidFields' should be a list")
    return Reject(
        record_index=index,
        field_values=_field_values(obj.get("fieldValues")),
        message=_opt_str(obj, "message", what) or "",
        status_code=_opt_str(obj, "statusCode", what) or "",
        invalid_fields=tuple(str(name) for name in invalid),
    )


def parse_sync_log(data: object) -> SyncLog:
    """Parse one item of ``GET /syncs/{id}/logs``.

    Example:
        >>> parse_sync_log({"statusCode": "ELQ-00001", "message": "ok", "count": 2}).count
        2
    """
    what = "sync log"
    obj = _expect_object(data, what)
    count = obj.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
        raise ProtocolError(f"sync log: 'count' should be an integer, got {count!r}")
    return SyncLog(
        status_code=_opt_str(obj, "statusCode", what) or "",
        message=_opt_str(obj, "message", what) or "",
        count=count,
        severity=_opt_str(obj, "severity", what),
        created_at=_opt_datetime(obj, "createdAt", what),
    )
