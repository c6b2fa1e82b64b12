"""Upload a converted folder to an Eloqua activity import without staging a row twice.

:func:`upload` takes an :class:`~activity_schema.eloqua.EloquaClient` and a folder that
``convert`` wrote (parts + ``manifest.json``), posts every part not yet accepted, syncs
in batches of at most 500 POSTs, waits for the syncs, and maps the rows Eloqua rejected
back to their source lines (``eloqua-rejects.csv``). What was posted is recorded in
``upload-state.json`` (see :mod:`activity_schema.upload_state`) before and after every
POST, so ``resume=True`` continues an interrupted upload where it stopped.

Why data POSTs are retried less than other requests
---------------------------------------------------
Eloqua does not de-duplicate activities: every staged row becomes an activity, and a
body posted twice is staged twice. A POST whose answer is lost (the connection dropped
after the body was sent, a read timed out, a 5xx such as Eloqua's 503 "there was a
timeout processing the request") may or may not have been staged; there is no API to
ask which. So a data POST is retried automatically only when the body surely did not
reach Eloqua:

- the connection could not be made (refused, DNS, TLS handshake, connect timeout);
- 429 (throttled: refused before any processing), honouring ``Retry-After``.

Any other failure after the body may have left makes the part ``unknown`` in the state
and stops the run (exit 4) without resending anything. Eloqua can delete what is staged
and not yet synced (``DELETE /api/bulk/2.0/activities/imports/{id}/data``), so the
safe way on is ``--resume --clear-staged``: it deletes the staged rows and posts again
every part no sync holds yet. (If the definition syncs on import, first check in Eloqua
that no sync started with the unknown part's rows.) A 4xx is a verdict that stages
nothing: the part is ``failed`` and posted again by ``--resume``. GETs and sync creation
use the client's full retry policy: repeating them cannot duplicate rows (a second sync
finds nothing staged, or 409 while the first runs).

Other rules: a part is never posted twice in one run; a part whose bytes no longer match
the manifest is not posted; a sync is always finished before more data is posted (409
otherwise), so only the last sync is left running without ``wait``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, cast

from .defaults import MAX_POSTS_PER_SYNC
from .eloqua import ContentType, EloquaClient, RetryPolicy, Sync
from .eloqua.constants import DEFAULT_POLL_INTERVAL, DEFAULT_SYNC_TIMEOUT, IMPORT_DATA_PATH
from .errors import (
    AuthenticationError,
    InputError,
    UnreachableError,
    UploadError,
    UsageError,
)
from .upload_manifest import ManifestPart, UploadManifest, load_manifest
from .upload_rejects import (
    ELOQUA_REJECTS_NAME,
    MappedReject,
    map_rejects,
    write_rejects,
)
from .upload_state import STATE_NAME, PartRecord, PartStatus, SyncRecord, UploadState

__all__ = [
    "DATA_POST_RETRY",
    "ELOQUA_REJECTS_NAME",
    "STATE_NAME",
    "UploadEvent",
    "UploadOptions",
    "UploadResult",
    "upload",
]

#: The retry policy of data POSTs: only failures where the body surely never arrived.
DATA_POST_RETRY: Final = RetryPolicy(retry_sent=False, retry_status_codes=frozenset({429}))


@dataclass(frozen=True)
class UploadOptions:
    """How to upload a folder.

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
        data_retry: The retry policy of data POSTs (see the module docstring).
    """

    import_id: int
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

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_POSTS_PER_SYNC:
            raise UsageError(f"batch_size must be between 1 and {MAX_POSTS_PER_SYNC}")


@dataclass(frozen=True)
class UploadEvent:
    """Progress of an upload, for a display (the core never prints).

    Attributes:
        kind: ``skip``, ``posted``, ``cleared``, ``sync`` (created or polled) or ``rejects``.
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
class UploadResult:
    """What an upload did (or, with ``dry_run``, would do).

    Attributes:
        folder: The converted folder.
        import_id: The definition.
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
    """

    folder: Path
    import_id: int
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

    @property
    def complete(self) -> bool:
        """Return True when every sync seen ended in ``success`` and nothing was rejected."""
        return (
            self.blocked is None
            and not self.rejects
            and not self.rows_rejected_locally
            and all(s.status == "success" for s in self.syncs)
        )


def upload(
    client: EloquaClient,
    folder: Path,
    options: UploadOptions,
    on_event: EventHook | None = None,
) -> UploadResult:
    """Post the parts of a converted folder to an Eloqua activity import.

    Args:
        client: The Eloqua client (its own retry policy applies to every call but the
            data POSTs, which use ``options.data_retry``).
        folder: A folder that ``convert`` wrote (``manifest.json`` + parts).
        options: What to do.
        on_event: Called with progress events.

    Returns:
        What was posted, synced and rejected.

    Raises:
        UsageError: Bad options, a state from another upload, or an unwritable folder.
        InputError: The manifest or a part is unreadable or changed since ``convert``.
        UploadError: Eloqua failed; the state says what it holds.

    Example:
        >>> with EloquaClient.from_env(os.environ) as client:  # doctest: +SKIP
        ...     result = upload(client, Path("out"), UploadOptions(2900, sync=True, wait=True))
        >>> result.complete  # doctest: +SKIP
        True
    """
    return _Run(client, load_manifest(folder), options, on_event).execute()


@dataclass
class _Run:
    client: EloquaClient
    manifest: UploadManifest
    options: UploadOptions
    on_event: EventHook | None
    state: UploadState = field(init=False)
    posted: list[ManifestPart] = field(default_factory=list)
    sent: set[str] = field(default_factory=set)  # every part this run put on the wire
    syncs: dict[str, SyncRecord] = field(default_factory=dict)
    rejects: list[MappedReject] = field(default_factory=list)
    rejects_written: bool = False
    cleared: list[str] = field(default_factory=list)
    running: str | None = None  # the sync that must finish before more data is posted

    def __post_init__(self) -> None:
        self.state = UploadState(self.manifest.folder / STATE_NAME, self.options.import_id)

    def execute(self) -> UploadResult:
        opts, manifest = self.options, self.manifest
        if opts.fail_on_errors and manifest.rows_rejected:
            return self._result(
                blocked=f"{manifest.rows_rejected:,} row(s) have errors (see rejects.csv); "
                "nothing was uploaded because of --fail-on-errors"
            )
        self.state = self._open_state()
        if opts.clear_staged:
            self._clear_staged()
        self._refuse_unknown()
        pending = [p for p in manifest.parts if self.state.status(p.file) != PartStatus.ACCEPTED]
        staged = len(self.state.staged())
        if not opts.sync and staged + len(pending) > opts.batch_size:
            raise UsageError(
                f"{staged + len(pending)} parts must be staged, more than the "
                f"{opts.batch_size} POSTs one sync takes",
                hint="pass --sync to sync after every batch",
            )
        if opts.dry_run:
            return self._result(posted=tuple(pending))
        # Discover the base URL now, so that a bad password fails before any part is sent.
        _ = self.client.base_url
        for name in self._skipped(pending):
            self._event("skip", f"skip {name}: accepted by an earlier run")
        self._finish_earlier_syncs(bool(pending))
        for part in pending:
            if opts.sync and len(self.state.staged()) >= opts.batch_size:
                self._create_sync()
            self._await_running()
            self._post(part)
        if opts.sync and self.state.staged():
            self._create_sync()
        if opts.wait:
            self._await_running()
        return self._result(posted=tuple(self.posted))

    # --- state ------------------------------------------------------------------------

    def _open_state(self) -> UploadState:
        path = self.manifest.folder / STATE_NAME
        state = UploadState.load(path)
        import_id = self.options.import_id
        if state is None or not (
            state.syncs or any(p.status is not PartStatus.FAILED for p in state.parts.values())
        ):
            return UploadState(path, import_id)  # nothing of it reached Eloqua
        if not self.options.resume:
            raise UsageError(
                f"the folder holds the state of an earlier upload ({len(state.parts)} part(s) "
                "posted)",
                where=str(path),
                hint="pass --resume to continue it without posting any part twice",
            )
        if state.import_id != import_id:
            raise UsageError(
                f"the earlier upload went to import {state.import_id}, not {import_id}",
                where=str(path),
                hint=f"pass --import-id {state.import_id}, or convert again into a new folder",
            )
        by_name = {p.file: p for p in self.manifest.parts}
        for record in state.parts.values():
            part = by_name.get(record.file)
            if part is None or part.sha256 != record.sha256:
                raise UsageError(
                    f"{record.file} was posted with other contents than the folder now holds "
                    "(it was converted again)",
                    where=str(path),
                    hint="upload the new conversion from a new folder",
                )
        return state

    def _save(self) -> None:
        self.state.save(redact=self.client.redactor)

    def _clear_staged(self) -> None:
        if self.options.dry_run:  # plan on a copy of the state that is never saved
            self.cleared = self.state.forget_staged()
            return
        self.client.clear_staged_data(self.options.import_id)
        self.cleared = self.state.forget_staged()
        self._save()
        self._event(
            "cleared",
            f"deleted the staged data of import {self.options.import_id}; "
            f"{len(self.cleared)} part(s) will be posted again",
        )

    def _refuse_unknown(self) -> None:
        unsure = [p for p in self.state.parts.values() if p.status.maybe_staged]
        if not unsure:
            return
        part = unsure[0]
        waiting = len(self.state.staged()) + len(unsure)
        raise UploadError(
            f"Eloqua may already hold the rows of {part.file} ({part.status}: "
            f"{part.error or 'the run stopped while it was being sent'}); to avoid staging "
            "them twice, nothing more is posted",
            import_id=self.options.import_id,
            part=part.file,
            hint=self._unknown_hint(waiting),
        )

    def _unknown_hint(self, waiting: int) -> str:
        path = IMPORT_DATA_PATH.format(import_id=self.options.import_id)
        return (
            f"rerun with --resume --clear-staged to delete the data staged for the import "
            f"(DELETE {path}) and post the {waiting} part(s) no sync holds again; if the "
            "definition syncs on import, first check in Eloqua that no sync took those rows"
        )

    # --- posting ----------------------------------------------------------------------

    def _post(self, part: ManifestPart) -> None:
        if part.file in self.sent:
            raise AssertionError(f"{part.file} would be posted twice in one run (this is a bug)")
        body = self._read(part)
        record = PartRecord(
            file=part.file,
            sha256=part.sha256,
            rows=part.rows,
            bytes=len(body),
            import_id=self.options.import_id,
            status=PartStatus.SENDING,
            seq=self.state.next_seq(),
        )
        self.state.set_part(record)
        self._save()  # on disk before the first byte leaves: a kill now reads as unknown
        self.sent.add(part.file)
        try:
            result = self.client.post_data(
                self.options.import_id,
                body,
                cast(ContentType, self.manifest.content_type),
                part=part.file,
                retry=self.options.data_retry,
            )
        except UploadError as err:
            staged = not _surely_not_staged(err)
            status = PartStatus.UNKNOWN if staged else PartStatus.FAILED
            self.state.set_part(
                replace(record, status=status, http_status=err.status_code, error=err.message)
            )
            self._save()
            if not staged:
                raise
            raise UploadError(
                f"{err.message}; Eloqua may have staged its {part.rows} row(s), so it was not "
                "sent again",
                status_code=err.status_code,
                import_id=err.import_id,
                part=err.part,
                url=err.url,
                hint=self._unknown_hint(len(self.state.staged()) + 1),
            ) from None
        except UsageError:
            self.state.set_part(replace(record, status=PartStatus.FAILED, error="not sent"))
            self._save()
            raise
        sync = result.sync.uri if result.sync else None
        self.state.set_part(
            replace(record, status=PartStatus.ACCEPTED, http_status=result.status_code, sync=sync)
        )
        if result.sync is not None:  # the definition syncs on import: this part alone
            self._track(result.sync, (part.file,), part.rows)
        self._save()
        self.posted.append(part)
        self._event("posted", f"posted {part.file} ({part.rows:,} row(s), {len(body):,} bytes)")

    def _read(self, part: ManifestPart) -> bytes:
        path = self.manifest.path(part)
        try:
            body = path.read_bytes()
        except OSError as err:
            raise InputError(
                f"cannot read the part: {err.strerror or err}", path=str(path)
            ) from None
        if hashlib.sha256(body).hexdigest() != part.sha256:
            raise InputError(
                "the part's bytes differ from the SHA-256 in manifest.json; it was changed "
                "after convert wrote it",
                path=str(path),
                hint="convert the input again into a new folder",
            )
        return body

    # --- syncs ------------------------------------------------------------------------

    def _create_sync(self) -> None:
        self._await_running()
        staged = self.state.staged()
        sync = self.client.create_sync(self.options.import_id)
        for record in staged:
            self.state.set_part(replace(record, sync=sync.uri))
        self._track(sync, tuple(p.file for p in staged), sum(p.rows for p in staged))
        self._save()

    def _track(self, sync: Sync, parts: tuple[str, ...], rows: int) -> None:
        record = SyncRecord(sync.uri, str(sync.status), parts, rows)
        self.state.set_sync(record)
        self.syncs[sync.uri] = record
        self.running = sync.uri
        self._event("sync", f"sync {sync.uri} {sync.status}: {len(parts)} part(s), {rows:,} row(s)")

    def _await_running(self) -> None:
        if self.running is not None:
            self._await(self.running)
            self.running = None

    def _finish_earlier_syncs(self, more_to_post: bool) -> None:
        for record in list(self.state.syncs):
            unfinished = not record.is_final or (
                record.status != "success" and record.rejects is None
            )
            if unfinished and (more_to_post or self.options.wait):
                self._await(record.uri)

    def _await(self, uri: str) -> None:
        def polled(sync: Sync) -> None:
            self._event("sync", f"sync {sync.uri}: {sync.status}")

        sync = self.client.wait_for_sync(
            uri,
            poll_interval=self.options.poll_interval,
            timeout=self.options.sync_timeout,
            on_poll=polled,
        )
        record = self.state.sync(uri) or SyncRecord(uri, str(sync.status), (), 0)
        record = replace(record, status=str(sync.status))
        if record.status != "success" and record.rejects is None:
            found = self._fetch_rejects(sync, record)
            record = replace(record, rejects=len(found))
        self.state.set_sync(record)
        self.syncs[uri] = record
        self._save()
        if record.status == "error":
            raise UploadError(
                f"sync {uri} ended in error; {record.rejects or 0:,} rejected row(s) are in "
                f"{ELOQUA_REJECTS_NAME}",
                import_id=self.options.import_id,
                hint="read the sync's logs in Eloqua; its rows were not all imported",
            )

    def _fetch_rejects(self, sync: Sync, record: SyncRecord) -> list[MappedReject]:
        by_name = {p.file: p for p in self.manifest.parts}
        parts = [by_name[name] for name in record.parts if name in by_name]
        found = list(
            map_rejects(self.client.iter_rejects(sync), parts, self.manifest.inputs, sync.uri)
        )
        if found:
            path = self.manifest.folder / ELOQUA_REJECTS_NAME
            # Appends to an earlier run's file when resuming; a new upload starts it anew.
            write_rejects(path, found, append=self.rejects_written or self.options.resume)
            self.rejects_written = True
            self.rejects.extend(found)
            self._event("rejects", f"sync {sync.uri}: Eloqua rejected {len(found):,} row(s)")
        return found

    # --- reporting --------------------------------------------------------------------

    def _skipped(self, pending: list[ManifestPart]) -> list[str]:
        names = {p.file for p in pending}
        return [p.file for p in self.manifest.parts if p.file not in names]

    def _event(self, kind: str, message: str) -> None:
        if self.on_event is None:
            return
        done = sum(1 for p in self.state.parts.values() if p.status is PartStatus.ACCEPTED)
        sent = sum(p.bytes for p in self.posted)
        self.on_event(UploadEvent(kind, message, done, len(self.manifest.parts), sent))

    def _result(
        self, *, posted: tuple[ManifestPart, ...] = (), blocked: str | None = None
    ) -> UploadResult:
        manifest = self.manifest
        return UploadResult(
            folder=manifest.folder,
            import_id=self.options.import_id,
            dry_run=self.options.dry_run,
            parts_total=len(manifest.parts),
            posted=posted,
            skipped=tuple(self._skipped(list(posted))) if blocked is None else (),
            rows_posted=sum(p.rows for p in posted),
            bytes_posted=sum(p.bytes for p in posted),
            rows_rejected_locally=manifest.rows_rejected,
            syncs=tuple(self.syncs.values()),
            rejects=tuple(self.rejects),
            rejects_path=manifest.folder / ELOQUA_REJECTS_NAME if self.rejects_written else None,
            cleared=tuple(self.cleared),
            blocked=blocked,
        )


def _surely_not_staged(err: UploadError) -> bool:
    """Return True when a failed data POST cannot have staged anything."""
    if isinstance(err, UnreachableError | AuthenticationError):
        return True
    return err.status_code is not None and 400 <= err.status_code < 500
