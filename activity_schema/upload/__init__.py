"""Upload a converted folder to an Eloqua activity import without staging a row twice.

:func:`upload` takes an :class:`~activity_schema.eloqua.EloquaClient` and a folder that
``convert`` wrote (parts + ``manifest.json``), posts every part not yet accepted, syncs
in batches of at most 500 POSTs, waits for the syncs, and maps the rows Eloqua rejected
back to their source lines (``eloqua-rejects.csv``). What was posted is recorded in
``upload-state.json`` (see :mod:`activity_schema.upload.state`) before and after every
POST and every sync request, so ``resume=True`` continues an interrupted upload where it
stopped. One run at a time: the folder's ``.upload.lock`` is held for the whole run and
a second run refuses at once, naming the holder's pid and start time.

Why data POSTs are retried less than other requests
---------------------------------------------------
Eloqua does not de-duplicate activities: every staged row becomes an activity, and a
body posted twice is staged twice. A POST whose answer is lost (the connection dropped
after the body was sent, a read timed out, a 5xx such as Eloqua's 503 "there was a
timeout processing the request") may or may not have been staged; there is no API to
ask which. So a data POST is retried as such only when the body surely did not reach
Eloqua: the connection could not be made, or 429 (throttled: refused before any
processing, ``Retry-After`` honoured). A 4xx is a verdict that stages nothing: the part
is ``failed`` and posted again by ``--resume``.

Healing an unknown outcome
--------------------------
Eloqua can delete what is staged and not yet synced (``DELETE
/api/bulk/2.0/activities/imports/{id}/data``), which turns "maybe staged" back into
"surely not staged". Doing so is safe only for the one writer of that staging area: a
run that created its own definition (``create_import``) or whose user says no one else
posts to it (``exclusive``). Such a run heals a lost data POST itself: it waits (the
client's backoff), deletes the staged data, and posts again every part since the last
sync, at most ``max_attempts`` times per batch (the client's retry policy); the result
lists each heal and why. A resumed run finding a part that was being sent when the last
run died heals it the same way. Without either mode the run stops (exit 4) with the
``--resume --clear-staged`` instruction, as someone else's staged rows would be deleted
too.

Syncs are never requested twice
-------------------------------
A sync takes every staged row; a second request after a lost answer would create an
empty sync that reports success and hides the first one's rejects. The state records the
intent (the parts, and when) before the request; the client looks a lost answer up
(:meth:`~activity_schema.eloqua.EloquaClient.create_sync`), and a resumed run that finds
an intent on disk looks the sync up in Eloqua before anything else, so that the parts
it took are never cleared or posted again.

Other rules: a part is posted at most once per run except after a heal deleted it; a
part whose bytes no longer match the manifest is not posted; a sync is always finished
before more data is posted (409 otherwise), so only the last sync is left running
without ``wait``.

Layout: :mod:`.options` holds what a run is given and what it gives back (options, events,
results, the checks of a new definition), :mod:`.run` the run itself, :mod:`.state` the
state file and its lock, and :mod:`.rejects` Eloqua's rejects mapped back to source lines
(through the ``manifest.json`` that ``convert`` writes, read by
:mod:`activity_schema.output.manifest`).
"""

from __future__ import annotations

from .options import (
    DATA_POST_RETRY,
    EventHook,
    Heal,
    NewImport,
    UploadEvent,
    UploadOptions,
    UploadResult,
    check_import_durations,
    default_import_name,
    duration_seconds,
)
from .rejects import ELOQUA_REJECTS_NAME
from .run import STEPS, Checkpoint, upload
from .state import LOCK_NAME, STATE_NAME

__all__ = [
    "DATA_POST_RETRY",
    "ELOQUA_REJECTS_NAME",
    "LOCK_NAME",
    "STATE_NAME",
    "STEPS",
    "Checkpoint",
    "EventHook",
    "Heal",
    "NewImport",
    "UploadEvent",
    "UploadOptions",
    "UploadResult",
    "check_import_durations",
    "default_import_name",
    "duration_seconds",
    "upload",
]
