"""Run an upload: post the parts, sync them, heal what is unknown, map the rejects.

:func:`upload` is the entry point (re-exported by :mod:`activity_schema.upload`, whose
docstring says why data POSTs are retried less, how unknown outcomes are healed and why
syncs are never requested twice). Every step is recorded in the folder's state file
before and after it happens, so a run killed at any of :data:`STEPS` is resumed without
posting a row twice.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, cast

from ..eloqua import ContentType, EloquaClient, Sync, import_id_of
from ..eloqua.constants import IMPORT_DATA_PATH
from ..errors import (
    AuthenticationError,
    InputError,
    OutputError,
    UnreachableError,
    UploadError,
    UsageError,
)
from ..output.durable import exclusive_lock
from ..output.manifest import ManifestPart, UploadManifest, load_manifest
from .import_fields import import_body
from .options import EventHook, Heal, UploadEvent, UploadOptions, UploadResult
from .rejects import (
    ELOQUA_REJECTS_NAME,
    MappedReject,
    map_rejects,
    write_rejects,
)
from .state import (
    LOCK_NAME,
    STATE_NAME,
    CreatedImport,
    PartRecord,
    PartStatus,
    SyncIntent,
    SyncRecord,
    UploadState,
    now_precise,
)

__all__ = ["STEPS", "Checkpoint", "upload"]

#: The points between steps where a ``checkpoint`` hook is called (fault injection: a
#: hook that raises or exits there shows what a crash at that instant leaves behind).
STEPS: Final = (
    "import-created",  # the definition was created, not yet recorded
    "part-saved",  # the part is recorded as being sent, not yet posted
    "part-answered",  # the POST got its answer (or failed), not yet recorded
    "staged-deleted",  # a heal deleted the staged data, not yet recorded
    "sync-intent-saved",  # the sync intent is recorded, the request not yet sent
    "sync-answered",  # the sync exists, not yet recorded
    "rejects-written",  # a finished sync's rejects are in the file, not yet recorded
)
Checkpoint = Callable[[str], None]


def upload(
    client: EloquaClient,
    folder: Path,
    options: UploadOptions,
    on_event: EventHook | None = None,
    *,
    checkpoint: Checkpoint | None = None,
) -> UploadResult:
    """Post the parts of a converted folder to an Eloqua activity import.

    Args:
        client: The Eloqua client (its own retry policy applies to every call but the
            data POSTs, which use ``options.data_retry``, and bounds the heals).
        folder: A folder that ``convert`` wrote (``manifest.json`` + parts).
        options: What to do.
        on_event: Called with progress events.
        checkpoint: Called with each of :data:`STEPS` as the run passes it; a seam for
            fault injection (raise or exit there to simulate a crash).

    Returns:
        What was posted, synced and rejected.

    Raises:
        UsageError: Bad options, a state from another upload, or a mode that cannot heal.
        LockedError: Another upload holds the folder's lock (exit 4).
        InputError: The manifest or a part is unreadable or changed since ``convert``.
        OutputError: The state cannot be written (full disk, no permission).
        UploadError: Eloqua failed; the state says what it holds.

    Example (against a live instance; tests/upload runs it against a local fake)::

        with EloquaClient.from_env(os.environ) as client:
            result = upload(client, Path("out"), UploadOptions(2900, sync=True, wait=True))
        result.complete  # True
    """
    run = _Run(client, load_manifest(folder), options, on_event, checkpoint)
    return run.execute()


class _UnknownOutcomeError(Exception):
    """A data POST whose outcome is unknown (its rows may be staged)."""

    def __init__(self, error: UploadError, reason: str) -> None:
        super().__init__(error.message)
        self.error = error  # raised as it is when the run cannot heal
        self.reason = reason  # the failure itself, for the heal's summary


@dataclass
class _Run:
    client: EloquaClient
    manifest: UploadManifest
    options: UploadOptions
    on_event: EventHook | None
    checkpoint: Checkpoint | None
    state: UploadState = field(init=False)
    posted: list[ManifestPart] = field(default_factory=list)
    sent: set[str] = field(default_factory=set)  # parts on the wire in this run, not deleted
    syncs: dict[str, SyncRecord] = field(default_factory=dict)
    rejects: list[MappedReject] = field(default_factory=list)
    rejects_written: bool = False
    cleared: list[str] = field(default_factory=list)
    heals: list[Heal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    heals_in_batch: int = 0
    running: str | None = None  # the sync that must finish before more data is posted

    def __post_init__(self) -> None:
        self.state = UploadState(self.manifest.folder / STATE_NAME, self.options.import_id or 0)

    @property
    def import_id(self) -> int:
        return self.state.import_id

    @property
    def owner(self) -> bool:
        """Return True when this run may delete the import's staged data to heal."""
        return self.options.exclusive or self.state.created_import is not None

    def execute(self) -> UploadResult:
        opts, manifest = self.options, self.manifest
        if opts.fail_on_errors and manifest.rows_rejected:
            return self._result(
                blocked=f"{manifest.rows_rejected:,} row(s) have errors (see rejects.csv); "
                "nothing was uploaded because of --fail-on-errors"
            )
        with self._locked():
            return self._execute()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self.options.dry_run:  # reads the state, writes nothing
            yield
            return
        path = self.manifest.folder / LOCK_NAME
        try:
            lock = exclusive_lock(path, what="upload", exit_code=4)
            lock.__enter__()
        except OSError as err:
            raise OutputError(
                f"cannot create the upload lock: {err.strerror or err}",
                path=str(path),
                errno=err.errno,
                hint="the folder must be writable: the upload records its state there",
            ) from None
        try:
            yield
        finally:
            lock.__exit__(None, None, None)

    def _execute(self) -> UploadResult:
        opts, manifest = self.options, self.manifest
        self.state = self._open_state()
        if opts.dry_run:
            return self._plan()
        # Discover the base URL now, so that a bad password fails before any part is sent.
        _ = self.client.base_url
        self._ensure_import()
        self._resolve_sync_intent()
        if opts.clear_staged:
            self._clear_staged()
        elif self.owner and self._unsure():
            first = self._unsure()[0]
            self._heal(
                f"{first.file} was being sent when the earlier run stopped "
                f"({first.error or 'no answer recorded'})",
                wait=False,
            )
        self._refuse_unknown()
        pending = [p for p in manifest.parts if self.state.status(p.file) != PartStatus.ACCEPTED]
        self._check_batch(len(pending))
        for name in self._skipped(pending):
            self._event("skip", f"skip {name}: accepted by an earlier run")
        self._finish_earlier_syncs(bool(pending))
        queue = deque(pending)
        while queue:
            part = queue.popleft()
            if opts.sync and len(self.state.staged()) >= opts.batch_size:
                self._create_sync()
            self._await_running()
            try:
                self._post(part)
            except _UnknownOutcomeError as unknown:
                if not self.owner:
                    raise unknown.error from None
                again = self._heal(f"{part.file}: {unknown.reason}", wait=True)
                queue.extendleft(reversed(again))
        if opts.sync and self.state.staged():
            self._create_sync()
        if opts.wait:
            self._await_running()
        return self._result(posted=tuple(self.posted))

    def _plan(self) -> UploadResult:
        if self.options.clear_staged or self.owner:
            self.cleared = self.state.forget_staged()  # on a copy that is never saved
        self._refuse_unknown()
        pending = [
            p for p in self.manifest.parts if self.state.status(p.file) != PartStatus.ACCEPTED
        ]
        self._check_batch(len(pending))
        return self._result(posted=tuple(pending))

    def _check_batch(self, pending: int) -> None:
        staged = len(self.state.staged())
        if not self.options.sync and staged + pending > self.options.batch_size:
            raise UsageError(
                f"{staged + pending} parts must be staged, more than the "
                f"{self.options.batch_size} POSTs one sync takes",
                hint="pass --sync to sync after every batch",
            )

    def _step(self, name: str) -> None:
        if self.checkpoint is not None:
            self.checkpoint(name)

    # --- state ------------------------------------------------------------------------

    def _open_state(self) -> UploadState:
        opts = self.options
        path = self.manifest.folder / STATE_NAME
        state = UploadState.load(path)
        if state is None or not (
            state.syncs
            or state.sync_intent
            or any(p.status is not PartStatus.FAILED for p in state.parts.values())
        ):
            # Nothing of it reached Eloqua; a definition it created is reused if it fits.
            created = state.created_import if state is not None else None
            new = opts.create_import
            if created is not None and new is not None and created.fields == dict(new.fields):
                return UploadState(path, import_id_of(created.uri), created_import=created)
            return UploadState(path, opts.import_id or 0)
        if not opts.resume:
            raise UsageError(
                f"the folder holds the state of an earlier upload ({len(state.parts)} part(s) "
                "posted)",
                where=str(path),
                hint="pass --resume to continue it without posting any part twice",
            )
        if opts.create_import is not None:
            if state.created_import is None:
                raise UsageError(
                    f"the earlier upload went to import {state.import_id}, which it did not create",
                    where=str(path),
                    hint=f"pass --import-id {state.import_id} instead of --create-import",
                )
            if state.created_import.fields != dict(opts.create_import.fields):
                raise UsageError(
                    f"the earlier upload created import {state.import_id} with other fields",
                    where=str(path),
                    hint="resume with the --definition or --config of the earlier run",
                )
        elif state.import_id != opts.import_id:
            raise UsageError(
                f"the earlier upload went to import {state.import_id}, not {opts.import_id}",
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

    def _ensure_import(self) -> None:
        new = self.options.create_import
        if new is not None and self.state.created_import is None:
            body = import_body(
                new.name, dict(new.fields), auto_delete=new.auto_delete, retention=new.retention
            )
            created = self.client.create_import(body)
            self._step("import-created")
            self.state.import_id = created.id
            self.state.created_import = CreatedImport(
                created.uri, new.name, dict(new.fields), new.auto_delete, new.retention
            )
            self._save()
            self._event(
                "import",
                f"created import {created.uri} ({len(new.fields)} fields, deleted by Eloqua "
                f"after {new.auto_delete})",
            )
        elif self.options.exclusive and self.state.created_import is None:
            definition = self.client.get_import_definition(self.import_id)
            if definition.get("isSyncTriggeredOnImport") is True:
                raise UsageError(
                    f"import {self.import_id} syncs on every POST, so a lost POST's rows may "
                    "already be synced: --exclusive cannot heal it",
                    where="--exclusive",
                    hint="use --create-import, or a definition with isSyncTriggeredOnImport false",
                )

    def _resolve_sync_intent(self) -> None:
        """Find the sync an interrupted run asked for, before anything else touches staging."""
        intent = self.state.sync_intent
        if intent is None:
            return
        found = self.client.find_syncs(
            self.import_id, since=intent.requested, exclude={s.uri for s in self.state.syncs}
        )
        if len(found) > 1:
            raise UploadError(
                f"the earlier run asked for a sync at {intent.requested_at} and "
                f"{len(found)} syncs of import {self.import_id} appeared since: "
                + ", ".join(s.uri for s in found),
                import_id=self.import_id,
                hint="another client syncs this definition too; check those syncs in Eloqua",
            )
        if found:
            self._adopt_sync(found[0], intent)
            self.notes.append(
                f"the earlier run stopped while asking for a sync; found {found[0].uri} in "
                f"Eloqua ({len(intent.parts)} part(s)), not asked again"
            )
        else:
            self.notes.append(
                "the earlier run stopped while asking for a sync; Eloqua has none, so its "
                f"{len(intent.parts)} staged part(s) are synced by this run"
            )
        self.state.sync_intent = None
        self._save()

    def _adopt_sync(self, sync: Sync, intent: SyncIntent) -> None:
        staged = [p for p in self.state.staged() if p.file in intent.parts]
        for record in staged:
            self.state.set_part(replace(record, sync=sync.uri))
        self._track(sync, tuple(p.file for p in staged), sum(p.rows for p in staged))

    def _delete_staged(self) -> None:
        """Delete the staged data; a crash midway leaves its parts ``unknown``, never lost.

        Before the DELETE, the parts it may remove are recorded as maybe staged: a run
        killed after the DELETE but before the state says so must not sync them as if
        they were still staged (their rows would be silently missing).
        """
        for record in self.state.staged():
            self.state.set_part(
                replace(
                    record, status=PartStatus.UNKNOWN, error="its staged data was being deleted"
                )
            )
        self._save()
        self.client.clear_staged_data(self.import_id)

    def _clear_staged(self) -> None:
        self._delete_staged()
        self._step("staged-deleted")
        self.cleared = self.state.forget_staged()
        self._save()
        self._event(
            "cleared",
            f"deleted the staged data of import {self.import_id}; "
            f"{len(self.cleared)} part(s) will be posted again",
        )

    def _unsure(self) -> list[PartRecord]:
        return [p for p in self.state.parts.values() if p.status.maybe_staged]

    def _refuse_unknown(self) -> None:
        unsure = self._unsure()
        if not unsure:
            return
        part = unsure[0]
        waiting = len(self.state.staged()) + len(unsure)
        raise UploadError(
            f"Eloqua may already hold the rows of {part.file} ({part.status}: "
            f"{part.error or 'the run stopped while it was being sent'}); to avoid staging "
            "them twice, nothing more is posted",
            import_id=self.import_id,
            part=part.file,
            hint=self._unknown_hint(waiting),
        )

    def _unknown_hint(self, waiting: int) -> str:
        path = IMPORT_DATA_PATH.format(import_id=self.import_id)
        return (
            f"rerun with --resume --clear-staged to delete the data staged for the import "
            f"(DELETE {path}) and post the {waiting} part(s) no sync holds again; if the "
            "definition syncs on import, first check in Eloqua that no sync took those rows "
            "(--exclusive, when this upload is the import's only writer, heals this itself)"
        )

    # --- healing ----------------------------------------------------------------------

    def _heal(self, reason: str, *, wait: bool) -> list[ManifestPart]:
        """Delete the staged data and return the parts to post again, in manifest order."""
        policy = self.client.retry_policy
        self.heals_in_batch += 1
        url = IMPORT_DATA_PATH.format(import_id=self.import_id)
        if self.heals_in_batch > policy.max_attempts:
            raise UploadError(
                f"gave up after {policy.max_attempts} unknown outcomes of data POSTs in one "
                f"batch (last: {reason})",
                import_id=self.import_id,
                hint="rerun with --resume later: it deletes the staged data and posts the "
                "parts since the last sync again",
            )
        if wait:
            delay = policy.backoff(self.heals_in_batch, self.client.random)
            self.client.wait_to_retry(
                self.heals_in_batch, f"healing: {reason}", delay, method="DELETE", url=url
            )
        self._delete_staged()
        self._step("staged-deleted")
        names = self.state.forget_staged()
        self._save()
        self.sent -= set(names)
        self.posted = [p for p in self.posted if p.file not in names]
        order = {p.file: i for i, p in enumerate(self.manifest.parts)}
        names.sort(key=lambda n: order.get(n, len(order)))
        self.heals.append(Heal(reason, tuple(names)))
        self._event(
            "healed",
            f"{reason}; deleted the staged data of import {self.import_id}, "
            f"posting {len(names)} part(s) again",
        )
        by_name = {p.file: p for p in self.manifest.parts}
        return [by_name[n] for n in names if n in by_name]

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
            import_id=self.import_id,
            status=PartStatus.SENDING,
            seq=self.state.next_seq(),
        )
        self.state.set_part(record)
        self._save()  # on disk before the first byte leaves: a kill now reads as unknown
        self._step("part-saved")
        self.sent.add(part.file)
        try:
            result = self.client.post_data(
                self.import_id,
                body,
                cast(ContentType, self.manifest.content_type),
                part=part.file,
                retry=self.options.data_retry,
            )
        except UploadError as err:
            self._step("part-answered")
            staged = not _surely_not_staged(err)
            status = PartStatus.UNKNOWN if staged else PartStatus.FAILED
            self.state.set_part(
                replace(record, status=status, http_status=err.status_code, error=err.message)
            )
            self._save()
            if not staged:
                raise
            raise _UnknownOutcomeError(
                UploadError(
                    f"{err.message}; Eloqua may have staged its {part.rows} row(s), so it was "
                    "not sent again",
                    status_code=err.status_code,
                    import_id=err.import_id,
                    part=err.part,
                    url=err.url,
                    hint=self._unknown_hint(len(self.state.staged()) + 1),
                ),
                err.message,
            ) from None
        except UsageError:
            self.state.set_part(replace(record, status=PartStatus.FAILED, error="not sent"))
            self._save()
            raise
        self._step("part-answered")
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
        intent = SyncIntent(
            now_precise(), tuple(p.file for p in staged), sum(p.rows for p in staged)
        )
        self.state.sync_intent = intent
        self._save()  # a kill from here on is resolved by looking the sync up
        self._step("sync-intent-saved")
        lost: list[str] = []
        sync = self.client.create_sync(
            self.import_id,
            known={s.uri for s in self.state.syncs},
            on_lookup=lambda error, found: lost.append(error.message),
        )
        self._step("sync-answered")
        self._adopt_sync(sync, intent)
        self.state.sync_intent = None
        self._save()
        self.heals_in_batch = 0
        if lost:
            self.notes.append(
                f"the answer creating {sync.uri} was lost ({lost[-1]}); found it in Eloqua "
                "instead of asking for another sync"
            )

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
            self._step("rejects-written")
            record = replace(record, rejects=len(found))
        self.state.set_sync(record)
        self.syncs[uri] = record
        self._save()
        if record.status == "error":
            raise UploadError(
                f"sync {uri} ended in error; {record.rejects or 0:,} rejected row(s) are in "
                f"{ELOQUA_REJECTS_NAME}",
                import_id=self.import_id,
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
        created = self.state.created_import
        return UploadResult(
            folder=manifest.folder,
            import_id=self.import_id or None,
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
            created_import=created.uri if created is not None else None,
            heals=tuple(self.heals),
            notes=tuple(self.notes),
        )


def _surely_not_staged(err: UploadError) -> bool:
    """Return True when a failed data POST cannot have staged anything."""
    if isinstance(err, UnreachableError | AuthenticationError):
        return True
    return err.status_code is not None and 400 <= err.status_code < 500
