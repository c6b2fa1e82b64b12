"""What an upload is given and what it gives back: options, events, results.

The run itself is in :mod:`.run`; these value objects check themselves when built, so
that a bad option is refused before any request (the CLI checks the durations of a new
definition with :func:`check_import_durations` before it converts anything).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from ..defaults import MAX_POSTS_PER_SYNC
from ..eloqua import RetryPolicy
from ..eloqua.constants import (
    DEFAULT_IMPORT_AUTO_DELETE,
    DEFAULT_IMPORT_RETENTION,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_SYNC_TIMEOUT,
    MAX_DEFINITION_FIELDS,
    MAX_DEFINITION_NAME,
)
from ..errors import UsageError
from ..output.manifest import ManifestPart
from .rejects import MappedReject
from .state import SyncRecord

__all__ = [
    "DATA_POST_RETRY",
    "EventHook",
    "Heal",
    "NewImport",
    "UploadEvent",
    "UploadOptions",
    "UploadResult",
    "check_import_durations",
    "default_import_name",
    "duration_seconds",
]

#: The retry policy of data POSTs: only failures where the body surely never arrived.
DATA_POST_RETRY: Final = RetryPolicy(retry_sent=False, retry_status_codes=frozenset({429}))

_DURATION: Final = re.compile(
    r"^P(?!$)(?:(?P<d>\d+)D)?(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)
_HOUR: Final = 3600
_MAX_RETENTION: Final = 14 * 24 * _HOUR


def duration_seconds(text: str) -> int | None:
    """Return an ISO-8601 duration of days, hours, minutes and seconds in seconds.

    Example:
        >>> duration_seconds("P1DT2H"), duration_seconds("P1Y")
        (93600, None)
    """
    match = _DURATION.match(text)
    if match is None:
        return None
    days, hours, minutes, seconds = (int(match[k] or 0) for k in ("d", "h", "m", "s"))
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


@dataclass(frozen=True)
class NewImport:
    """The activity import definition an upload creates for itself.

    Attributes:
        name: Its name (at most 100 characters).
        fields: Field name -> markup statement (see :mod:`activity_schema.upload.import_fields`).
        auto_delete: ``autoDeleteDuration``: Eloqua deletes the definition after it.
        retention: ``dataRetentionDuration``: how long unsynced staged data is kept
            (PT1H to P14D); at least ``auto_delete``, so that a late resume finds the
            definition gone (a loud 404) rather than its staged rows silently expired.

    Raises:
        UsageError: A rule above is broken.
    """

    name: str
    fields: Mapping[str, str]
    auto_delete: str = DEFAULT_IMPORT_AUTO_DELETE
    retention: str = DEFAULT_IMPORT_RETENTION

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > MAX_DEFINITION_NAME:
            raise UsageError(
                f"the import name must have 1 to {MAX_DEFINITION_NAME} characters, "
                f"not {len(self.name)}",
                where="--import-name",
            )
        if not 1 <= len(self.fields) <= MAX_DEFINITION_FIELDS:
            raise UsageError(
                f"an import definition has 1 to {MAX_DEFINITION_FIELDS} fields, "
                f"not {len(self.fields)}",
                where="--create-import",
            )
        check_import_durations(self.auto_delete, self.retention)


def _checked_duration(value: str, flag: str) -> int:
    """Return ``value`` in seconds, refusing a text that is not a non-zero duration."""
    seconds = duration_seconds(value)
    if not seconds:
        raise UsageError(
            f"{value!r} is not an ISO-8601 duration of days, hours, minutes, seconds",
            where=flag,
            hint="e.g. P7D, PT12H or P1DT6H",
        )
    return seconds


def check_import_durations(auto_delete: str, retention: str) -> None:
    """Check a new definition's ``autoDeleteDuration`` and ``dataRetentionDuration``.

    Raises:
        UsageError: Not ISO-8601 durations, a retention outside PT1H to P14D, or one
            shorter than the auto-delete time.
    """
    auto_seconds = _checked_duration(auto_delete, "--import-auto-delete")
    kept_seconds = _checked_duration(retention, "--import-retention")
    if not _HOUR <= kept_seconds <= _MAX_RETENTION:
        raise UsageError(
            f"Eloqua keeps staged data from PT1H to P14D, not {retention}",
            where="--import-retention",
        )
    if kept_seconds < auto_seconds:
        raise UsageError(
            f"the staged data would expire ({retention}) before the definition is "
            f"deleted ({auto_delete}): a late --resume could sync without them",
            where="--import-retention",
            hint="keep --import-retention at least --import-auto-delete",
        )


@dataclass(frozen=True)
class UploadOptions:
    """How to upload a folder.

    Exactly one of ``import_id`` and ``create_import`` is given.

    Attributes:
        import_id: The activity import definition.
        sync: Create a sync after the parts (and after every ``batch_size`` parts).
        wait: Poll the last sync to its end too and fetch its rejects.
        resume: Continue the upload recorded in the folder's state file.
        clear_staged: Delete the data staged for the definition first, and post again
            every part no sync holds (the way on after an ``unknown`` part).
        dry_run: Plan only: no POST, DELETE or other request.
        fail_on_errors: Upload nothing when ``convert`` rejected any row.
        batch_size: Most POSTs per sync (Eloqua: 500).
        poll_interval: Seconds between sync polls.
        sync_timeout: Seconds to wait for one sync.
        data_retry: The retry policy of data POSTs (see :mod:`activity_schema.upload`).
        create_import: Create this definition and post to it (resumed runs reuse it).
        exclusive: The user states this run is the only writer of ``import_id``'s
            staging area, so a lost data POST may be healed (see :mod:`activity_schema.upload`).
    """

    import_id: int | None = None
    sync: bool = False
    wait: bool = False
    resume: bool = False
    clear_staged: bool = False
    dry_run: bool = False
    fail_on_errors: bool = False
    batch_size: int = MAX_POSTS_PER_SYNC
    poll_interval: float = DEFAULT_POLL_INTERVAL
    sync_timeout: float = DEFAULT_SYNC_TIMEOUT
    data_retry: RetryPolicy = DATA_POST_RETRY
    create_import: NewImport | None = None
    exclusive: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_POSTS_PER_SYNC:
            raise UsageError(f"batch_size must be between 1 and {MAX_POSTS_PER_SYNC}")
        if (self.import_id is None) == (self.create_import is None):
            raise UsageError(
                "pass exactly one of --import-id and --create-import",
                hint="--import-id ID posts to an existing definition; --create-import "
                "creates one for this upload",
            )


@dataclass(frozen=True)
class UploadEvent:
    """Progress of an upload, for a display (the core never prints).

    Attributes:
        kind: ``skip``, ``import``, ``posted``, ``cleared``, ``healed``, ``sync`` (created,
            found or polled) or ``rejects``.
        message: One line for a human.
        parts_done: Parts accepted so far (earlier runs included).
        parts_total: Parts in the folder.
        bytes_sent: Bytes posted in this run.
    """

    kind: str
    message: str
    parts_done: int
    parts_total: int
    bytes_sent: int


EventHook = Callable[[UploadEvent], None]


@dataclass(frozen=True)
class Heal:
    """One unknown outcome healed: the staged data deleted and its parts posted again.

    Attributes:
        reason: What was unknown (the part and the failure).
        parts: The parts deleted from staging and posted again, in post order.
    """

    reason: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class UploadResult:
    """What an upload did (or, with ``dry_run``, would do).

    Attributes:
        folder: The converted folder.
        import_id: The definition (None in a dry run that would create it).
        dry_run: Whether nothing was sent.
        parts_total: Parts in the folder.
        posted: Parts posted in this run (would be posted, in a dry run).
        skipped: Parts accepted by an earlier run and not posted again.
        rows_posted: Records in ``posted``.
        bytes_posted: Bytes in ``posted``.
        rows_rejected_locally: Rows ``convert`` rejected (``rejects.csv``).
        syncs: The syncs this run created, started or waited for, as last seen.
        rejects: Rows Eloqua rejected in the syncs this run saw finish.
        rejects_path: ``eloqua-rejects.csv`` when written in this run.
        cleared: Parts posted again because ``clear_staged`` deleted their rows.
        blocked: Why nothing was uploaded (``fail_on_errors``), else None.
        created_import: The uri of the definition this upload created (this run or the
            one it resumes), else None.
        heals: The unknown outcomes healed in this run, in order.
        notes: Other things healed or found, one line each (a sync found after its
            creation answer was lost).
    """

    folder: Path
    import_id: int | None
    dry_run: bool
    parts_total: int
    posted: tuple[ManifestPart, ...] = ()
    skipped: tuple[str, ...] = ()
    rows_posted: int = 0
    bytes_posted: int = 0
    rows_rejected_locally: int = 0
    syncs: tuple[SyncRecord, ...] = ()
    rejects: tuple[MappedReject, ...] = ()
    rejects_path: Path | None = None
    cleared: tuple[str, ...] = ()
    blocked: str | None = None
    created_import: str | None = None
    heals: tuple[Heal, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def reposted(self) -> int:
        """Return how many part POSTs the heals repeated."""
        return sum(len(h.parts) for h in self.heals)

    @property
    def complete(self) -> bool:
        """Return True when every sync seen ended in ``success`` and nothing was rejected."""
        return (
            self.blocked is None
            and not self.rejects
            and not self.rows_rejected_locally
            and all(s.status == "success" for s in self.syncs)
        )


def default_import_name(source: str, now: datetime | None = None) -> str:
    """Return a definition name naming the source and the time, at most 100 characters.

    Example:
        >>> default_import_name("events.csv", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
        'activity-schema events.csv 2026-01-02T03:04:05Z'
    """
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    room = MAX_DEFINITION_NAME - len("activity-schema  ") - len(stamp)
    return f"activity-schema {source[:room]} {stamp}"
