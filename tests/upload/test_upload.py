"""Test the upload core against the fake Eloqua over real HTTP on 127.0.0.1.

Nothing sleeps for real (the client gets a recording ``sleep`` and a fake clock) and
nothing asserts on time. "Posted exactly once" is checked on the fake's request log:
every part's SHA-256 must appear in exactly one accepted data POST.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_eloqua import FakeEloqua, definition

from activity_schema.eloqua import Credentials, EloquaClient, RetryPolicy
from activity_schema.errors import (
    AuthenticationError,
    ForbiddenError,
    InputError,
    UnreachableError,
    UploadError,
    UsageError,
)
from activity_schema.jobs.whole import prepare
from activity_schema.output.manifest import load_manifest
from activity_schema.output.write import convert
from activity_schema.schema.definition import schema_from_definition
from activity_schema.upload import (
    DATA_POST_RETRY,
    ELOQUA_REJECTS_NAME,
    STATE_NAME,
    UploadEvent,
    UploadOptions,
    UploadResult,
    upload,
)
from activity_schema.upload.state import PartStatus, UploadState

IMPORT_ID = 2900
SYNC_IMPORT_ID = 2901  # isSyncTriggeredOnImport
FIELDS = {
    "activityId": "{{Activity.Id}}",
    "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
    "type": "{{Activity.Type}}",
}
REJECTED_DOMAIN = "@reject.example"  # passes our checks, rejected by the fake's sync


def eloqua_rule(row: dict[str, str | None]) -> tuple[str, str, list[str]] | None:
    if (row.get("email") or "").endswith(REJECTED_DOMAIN):
        return ("ELQ-00002", "Invalid email address.", ["email"])
    if row.get("type") == "Unknown":
        return ("ELQ-00070", "Activity type not found.", ["type"])
    return None


class FakeTime:
    """Record sleeps and advance a fake monotonic clock instead of waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def write_input(path: Path, rows: list[tuple[str, str, str] | None]) -> Path:
    """Write a CSV; None writes a blank line (skipped, so lines and rows drift apart)."""
    lines = ["activityId,email,type"]
    lines += ["" if row is None else ",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good_rows(count: int, start: int = 1) -> list[tuple[str, str, str] | None]:
    return [(str(i), f"user{i}@example.com", "Registered") for i in range(start, start + count)]


def converted(tmp_path: Path, source: Path, max_bytes: int = 200, **options: Any) -> Path:
    spec = schema_from_definition({"name": "t", "fields": FIELDS}, source="test")
    out = tmp_path / "out"
    convert(prepare(source, spec=spec), out, max_bytes=max_bytes, **options)
    return out


@pytest.fixture
def fake() -> Iterator[FakeEloqua]:
    definitions = {
        IMPORT_ID: definition(FIELDS),
        SYNC_IMPORT_ID: definition(FIELDS, sync_on_import=True),
    }
    with FakeEloqua(definitions, reject_rule=eloqua_rule) as server:
        yield server
    assert server.server_errors == []


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


MakeClient = Callable[..., EloquaClient]


@pytest.fixture
def make_client(fake: FakeEloqua, fake_time: FakeTime) -> Iterator[MakeClient]:
    clients: list[EloquaClient] = []

    def make(credentials: Credentials | None = None, **options: Any) -> EloquaClient:
        options.setdefault("base_url", fake.url)
        options.setdefault("login_url", fake.url)
        options.setdefault("retry", RetryPolicy(jitter=False))
        options.setdefault("transport", httpx.HTTPTransport())  # no proxy from the env
        client = EloquaClient(
            credentials or fake.credentials,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            **options,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A converted folder of 12 good rows in several parts."""
    return converted(tmp_path, write_input(tmp_path / "in.csv", good_rows(12)))


def run(client: EloquaClient, folder: Path, **options: Any) -> UploadResult:
    options.setdefault("poll_interval", 1.0)
    return upload(client, folder, UploadOptions(IMPORT_ID, **options))


def accepted_posts(fake: FakeEloqua) -> Counter[str]:
    """Count the body hashes of data POSTs that Eloqua accepted."""
    return Counter(
        r.body_sha256 for r in fake.requests_to("POST", "/data") if r.status in (201, 204)
    )


def assert_each_part_accepted_once(fake: FakeEloqua, folder: Path) -> None:
    shas = [p.sha256 for p in load_manifest(folder).parts]
    assert accepted_posts(fake) == Counter(shas)


def synced_ids(fake: FakeEloqua, import_id: int = IMPORT_ID) -> list[str | None]:
    return [
        row["activityId"]
        for sync in sorted(fake.syncs.values(), key=lambda s: s.id)
        if sync.import_id == import_id
        for row in sync.rows
    ]


def state_of(folder: Path) -> UploadState:
    state = UploadState.load(folder / STATE_NAME)
    assert state is not None
    return state


# --- the happy path ------------------------------------------------------------------------


def test_every_valid_row_is_posted_once_in_parts_under_the_limit(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    manifest = load_manifest(folder)
    assert len(manifest.parts) >= 3
    result = run(make_client(), folder, sync=True, wait=True)
    assert result.complete
    assert [p.file for p in result.posted] == [p.file for p in manifest.parts]
    assert_each_part_accepted_once(fake, folder)
    assert all(r.body_size <= 200 for r in fake.requests_to("POST", "/data"))
    assert synced_ids(fake) == [str(i) for i in range(1, 13)]
    assert [s.status for s in result.syncs] == ["success"]
    state = state_of(folder)
    assert {p.status for p in state.parts.values()} == {PartStatus.ACCEPTED}
    assert not (folder / ELOQUA_REJECTS_NAME).exists()


def test_without_sync_the_parts_stay_staged_and_a_later_resume_syncs_them(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    run(make_client(), folder)
    assert fake.requests_to("POST", "/syncs") == []
    assert len(fake.staged[IMPORT_ID]) == 12
    result = run(make_client(), folder, resume=True, sync=True, wait=True)
    assert result.posted == () and len(result.skipped) == len(load_manifest(folder).parts)
    assert synced_ids(fake) == [str(i) for i in range(1, 13)]
    assert_each_part_accepted_once(fake, folder)


def test_progress_events(make_client: MakeClient, folder: Path) -> None:
    events: list[UploadEvent] = []
    upload(make_client(), folder, UploadOptions(IMPORT_ID, sync=True), events.append)
    posted = [e for e in events if e.kind == "posted"]
    assert [e.parts_done for e in posted] == list(range(1, len(posted) + 1))
    assert posted[-1].bytes_sent == sum(p.bytes for p in load_manifest(folder).parts)
    assert any(e.kind == "sync" for e in events)


# --- faults and the duplicate policy ---------------------------------------------------------


def test_data_post_retries_429_honouring_retry_after(
    fake: FakeEloqua, make_client: MakeClient, fake_time: FakeTime, folder: Path
) -> None:
    fake.fail(status=429, headers={"Retry-After": "2"}, path="/data", skip=1)
    assert run(make_client(), folder, sync=True, wait=True).complete
    assert fake_time.sleeps[0] == 2.0
    assert [r.status for r in fake.requests_to("POST", "/data")][:3] == [204, 429, 204]
    assert_each_part_accepted_once(fake, folder)
    assert synced_ids(fake) == [str(i) for i in range(1, 13)]


@pytest.mark.parametrize("path", ["/syncs", "/activities/imports/2900"])
def test_503_twice_then_success_on_requests_that_cannot_duplicate_rows(
    fake: FakeEloqua, make_client: MakeClient, fake_time: FakeTime, folder: Path, path: str
) -> None:
    fake.fail(status=503, times=2, path=path, method="POST" if path == "/syncs" else "GET")
    client = make_client()
    if path != "/syncs":
        assert client.get_import_definition(IMPORT_ID)["fields"] == FIELDS
    assert run(client, folder, sync=True, wait=True).complete
    assert fake_time.sleeps[:2] == [0.5, 1.0]
    assert_each_part_accepted_once(fake, folder)


@pytest.mark.parametrize(
    ("fault", "options"),
    [
        ("status", {"status": 503}),
        ("status", {"status": 500}),
        ("drop", {}),
        ("drop", {"after_processing": True}),  # Eloqua staged it, then the line broke
        ("drop_mid_body", {"after_processing": True}),
    ],
)
def test_a_data_post_that_may_have_arrived_is_never_resent(
    fake: FakeEloqua,
    make_client: MakeClient,
    folder: Path,
    fault: Any,
    options: dict[str, Any],
) -> None:
    fake.fail(fault, method="POST", path="/data", skip=2, **options)
    with pytest.raises(UploadError, match="may have staged") as info:
        run(make_client(), folder, sync=True, wait=True)
    assert "--resume --clear-staged" in (info.value.hint or "")
    assert len(fake.requests_to("POST", "/data")) == 3  # the third part, sent once
    third = load_manifest(folder).parts[2].file
    assert state_of(folder).status(third) is PartStatus.UNKNOWN
    assert fake.requests_to("POST", "/syncs") == []

    # --resume alone refuses: it cannot know whether Eloqua holds the third part.
    with pytest.raises(UploadError, match="may already hold") as info:
        run(make_client(), folder, resume=True, sync=True, wait=True)
    assert len(fake.requests_to("POST", "/data")) == 3

    # --clear-staged deletes what is staged and posts the batch again, once.
    result = run(make_client(), folder, resume=True, clear_staged=True, sync=True, wait=True)
    assert result.complete and len(result.cleared) == 3
    assert len(fake.requests_to("DELETE", "/data")) == 1
    assert synced_ids(fake) == [str(i) for i in range(1, 13)]  # every row exactly once


def test_a_dropped_connection_on_a_poll_is_retried(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    fake.fail("drop", method="GET", path="/syncs/")
    assert run(make_client(), folder, sync=True, wait=True).complete
    assert next(r.status for r in fake.requests_to("GET", "/syncs/1")) is None


def test_unreachable_eloqua_marks_the_part_failed_not_unknown(
    fake: FakeEloqua, make_client: MakeClient, fake_time: FakeTime, folder: Path
) -> None:
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(UnreachableError, match="after 5 attempts"):
        run(make_client(base_url=f"http://127.0.0.1:{port}"), folder)
    assert len(fake_time.sleeps) == 4  # connect errors are safe to retry, even for data
    first = load_manifest(folder).parts[0].file
    assert state_of(folder).status(first) is PartStatus.FAILED
    # Nothing reached Eloqua, so a plain rerun (no --resume) may start over.
    assert run(make_client(), folder, sync=True, wait=True).complete
    assert_each_part_accepted_once(fake, folder)


def test_401_stops_before_anything_is_staged(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    bad = Credentials.basic(fake.site, fake.user, "wrong")
    with pytest.raises(AuthenticationError):
        run(make_client(bad), folder)
    assert accepted_posts(fake) == Counter()
    assert {p.status for p in state_of(folder).parts.values()} == {PartStatus.FAILED}


def test_bad_credentials_fail_at_discovery_before_any_post(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    bad = Credentials.basic(fake.site, fake.user, "wrong")
    with pytest.raises(AuthenticationError, match="Not authenticated"):
        run(make_client(bad, base_url=None), folder)
    assert fake.requests_to("POST") == []
    assert not (folder / STATE_NAME).exists()


def test_data_post_policy_retries_only_unsent_failures() -> None:
    assert DATA_POST_RETRY.retry_status_codes == frozenset({429})
    assert not DATA_POST_RETRY.retry_sent


# --- resume ---------------------------------------------------------------------------------


def test_resume_after_a_fatal_failure_posts_the_rest_once(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    fake.fail(status=403, method="POST", path="/data", skip=2)
    with pytest.raises(ForbiddenError):
        run(make_client(), folder, sync=True, wait=True)
    parts = load_manifest(folder).parts
    assert state_of(folder).status(parts[2].file) is PartStatus.FAILED
    with pytest.raises(UsageError, match="--resume"):
        run(make_client(), folder, sync=True, wait=True)
    result = run(make_client(), folder, resume=True, sync=True, wait=True)
    assert result.skipped == (parts[0].file, parts[1].file)
    assert [p.file for p in result.posted] == [p.file for p in parts[2:]]
    assert_each_part_accepted_once(fake, folder)
    assert synced_ids(fake) == [str(i) for i in range(1, 13)]


def test_resume_after_a_kill_between_parts(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    def kill_after_two(event: UploadEvent) -> None:
        if event.kind == "posted" and event.parts_done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        upload(make_client(), folder, UploadOptions(IMPORT_ID, sync=True), kill_after_two)
    assert len(fake.requests_to("POST", "/data")) == 2
    run(make_client(), folder, resume=True, sync=True, wait=True)
    shas = Counter(r.body_sha256 for r in fake.requests_to("POST", "/data"))
    assert shas == Counter(p.sha256 for p in load_manifest(folder).parts)  # no part twice
    assert synced_ids(fake) == [str(i) for i in range(1, 13)]


class KillDuringPost(httpx.HTTPTransport):
    """Deliver the n-th data POST to the server, then die as if killed before the answer."""

    def __init__(self, nth: int) -> None:
        super().__init__()
        self.nth = nth
        self.seen = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/data"):
            self.seen += 1
            if self.seen == self.nth:
                response.close()
                raise KeyboardInterrupt
        return response


def test_a_kill_during_a_post_leaves_the_part_unknown_on_disk(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    with pytest.raises(KeyboardInterrupt):
        run(make_client(transport=KillDuringPost(3)), folder, sync=True)
    third = load_manifest(folder).parts[2].file
    assert state_of(folder).status(third) is PartStatus.SENDING
    assert len(fake.staged[IMPORT_ID]) == 3 * 2  # the server did stage it
    with pytest.raises(UploadError, match="being sent"):
        run(make_client(), folder, resume=True, sync=True)
    run(make_client(), folder, resume=True, clear_staged=True, sync=True, wait=True)
    assert synced_ids(fake) == [str(i) for i in range(1, 13)]


def test_resume_refuses_another_import_or_a_reconverted_folder(
    tmp_path: Path, make_client: MakeClient, folder: Path
) -> None:
    run(make_client(), folder)
    with pytest.raises(UsageError, match="import 2900, not 2901"):
        upload(make_client(), folder, UploadOptions(SYNC_IMPORT_ID, resume=True))
    source = write_input(tmp_path / "in.csv", good_rows(12, start=100))
    convert(
        prepare(source, spec=schema_from_definition({"fields": FIELDS}, source="t")),
        folder,
        max_bytes=200,
        force=True,
    )
    with pytest.raises(UsageError, match="converted again"):
        run(make_client(), folder, resume=True)


def test_a_part_changed_after_convert_is_not_posted(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    part = folder / load_manifest(folder).parts[0].file
    part.write_bytes(part.read_bytes().replace(b"user1@", b"userX@"))
    with pytest.raises(InputError, match="SHA-256"):
        run(make_client(), folder)
    assert fake.requests_to("POST") == []


def test_a_damaged_state_file_stops_the_run(make_client: MakeClient, folder: Path) -> None:
    (folder / STATE_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(UsageError, match="damaged"):
        run(make_client(), folder, resume=True)


# --- syncs and batches ----------------------------------------------------------------------


def test_more_parts_than_one_sync_takes_go_in_batches(
    tmp_path: Path, fake: FakeEloqua, make_client: MakeClient
) -> None:
    fake.max_posts_per_sync = 3  # the fake enforces it as Eloqua enforces 500
    folder = converted(tmp_path, write_input(tmp_path / "in.csv", good_rows(7)), max_rows=1)
    parts = load_manifest(folder).parts
    result = run(make_client(), folder, sync=True, wait=True, batch_size=3)
    assert result.complete
    assert [s.parts for s in result.syncs] == [
        tuple(p.file for p in parts[i : i + 3]) for i in (0, 3, 6)
    ]
    assert all(r.status != 400 for r in fake.requests)
    # Each sync was finished before the next batch was posted.
    order = [(r.method, r.path) for r in fake.requests]
    creates = [i for i, (m, p) in enumerate(order) if m == "POST" and p.endswith("/syncs")]
    for sync_id, next_create in zip((1, 2), creates[1:], strict=True):
        polls = [i for i, (m, p) in enumerate(order) if p.endswith(f"/syncs/{sync_id}")]
        first_post_after = min(
            i for i, (m, p) in enumerate(order) if p.endswith("/data") and i > creates[sync_id - 1]
        )
        assert max(polls) < first_post_after < next_create
    assert synced_ids(fake) == [str(i) for i in range(1, 8)]
    assert_each_part_accepted_once(fake, folder)


def test_more_parts_than_one_sync_takes_need_sync(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    with pytest.raises(UsageError, match="--sync"):
        run(make_client(), folder, batch_size=3)
    assert fake.requests == []


def test_without_wait_the_last_sync_is_left_running(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    result = run(make_client(), folder, sync=True)
    assert [s.status for s in result.syncs] == ["pending"]
    assert fake.requests_to("GET", "/syncs/") == []
    later = run(make_client(), folder, resume=True, sync=True, wait=True)
    assert [s.status for s in later.syncs] == ["success"] and later.complete


def test_a_sync_in_error_fails_the_upload(
    fake: FakeEloqua, make_client: MakeClient, folder: Path
) -> None:
    fake.final_status = "error"
    with pytest.raises(UploadError, match="ended in error"):
        run(make_client(), folder, sync=True, wait=True)


def test_definition_that_syncs_on_import(
    tmp_path: Path, fake: FakeEloqua, make_client: MakeClient
) -> None:
    rows = good_rows(6)
    rows[3] = ("4", "four" + REJECTED_DOMAIN, "Registered")
    folder = converted(tmp_path, write_input(tmp_path / "in.csv", rows))
    result = upload(make_client(), folder, UploadOptions(SYNC_IMPORT_ID, sync=True, wait=True))
    assert fake.requests_to("POST", "/syncs") == []  # every data POST started its own
    assert len(result.syncs) == len(load_manifest(folder).parts)
    assert [(r.file, r.row, r.line) for r in result.rejects] == [
        (str(folder.parent / "in.csv"), 4, 5)
    ]
    assert synced_ids(fake, SYNC_IMPORT_ID) == [str(i) for i in range(1, 7)]


# --- rejects mapped back to source lines -----------------------------------------------------


def test_warning_sync_rejects_map_back_to_source_lines(
    tmp_path: Path, fake: FakeEloqua, make_client: MakeClient
) -> None:
    fake.max_posts_per_sync = 3
    rows: list[tuple[str, str, str] | None] = [
        ("1", "a@example.com", "Registered"),  # line 2
        ("2", "no-at-sign", "Registered"),  # line 3: rejected locally
        None,  # line 4: blank, skipped
        ("3", "c" + REJECTED_DOMAIN, "Registered"),  # line 5: ELQ-00002
        ("4", "d@example.com", "Registered"),  # line 6
        ("5", "e@example.com", "Unknown"),  # line 7: ELQ-00070
        *[(str(i), f"u{i}@example.com", "Registered") for i in range(6, 14)],
        ("14", "n" + REJECTED_DOMAIN, "Registered"),  # line 16: ELQ-00002, a later sync
    ]
    source = write_input(tmp_path / "in.csv", rows)
    folder = converted(tmp_path, source)
    result = run(make_client(), folder, sync=True, wait=True, batch_size=3)
    assert len(result.syncs) > 1
    assert not result.complete
    name = str(source)  # as the input was named to convert
    expected = [  # rows count records (the blank line is not one), lines count lines
        (name, 3, "5", "ELQ-00002"),
        (name, 5, "7", "ELQ-00070"),
        (name, 14, "16", "ELQ-00002"),
    ]
    assert [(r.file, r.row, str(r.line), r.status_code) for r in result.rejects] == expected
    lines = source.read_text(encoding="utf-8").splitlines()
    for _, _, line, _ in expected:  # the line numbers point at the right text
        assert lines[int(line) - 1].startswith(("3,", "5,", "14,"))
    with (folder / ELOQUA_REJECTS_NAME).open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert list(written[0]) == [
        "file",
        "row",
        "line",
        "statusCode",
        "message",
        "invalidFields",
        "fieldValues",
    ]
    assert [(w["file"], int(w["row"]), w["line"], w["statusCode"]) for w in written] == expected
    assert json.loads(written[0]["fieldValues"])["email"] == "c" + REJECTED_DOMAIN
    assert written[1]["invalidFields"] == "type"
    assert sum(s.rejects or 0 for s in state_of(folder).syncs) == 3


# --- what is not sent -------------------------------------------------------------------------


def test_dry_run_sends_nothing(fake: FakeEloqua, make_client: MakeClient, folder: Path) -> None:
    result = run(make_client(base_url=None), folder, sync=True, wait=True, dry_run=True)
    assert fake.requests == []  # not even discovery
    assert result.dry_run and len(result.posted) == len(load_manifest(folder).parts)
    assert result.rows_posted == 12
    assert not (folder / STATE_NAME).exists()


def test_fail_on_errors_uploads_nothing(
    tmp_path: Path, fake: FakeEloqua, make_client: MakeClient
) -> None:
    rows = good_rows(4)
    rows[1] = ("2", "no-at-sign", "Registered")
    folder = converted(tmp_path, write_input(tmp_path / "in.csv", rows))
    result = run(make_client(), folder, sync=True, fail_on_errors=True)
    assert result.blocked is not None and "--fail-on-errors" in result.blocked
    assert fake.requests == []
    # Without the flag the valid rows go, and the local reject is counted.
    result = run(make_client(), folder, sync=True, wait=True)
    assert result.rows_rejected_locally == 1 and not result.complete
    assert synced_ids(fake) == ["1", "3", "4"]


def test_options_are_checked() -> None:
    with pytest.raises(UsageError):
        UploadOptions(IMPORT_ID, batch_size=501)


def test_a_folder_without_manifest_is_a_usage_error(
    tmp_path: Path, make_client: MakeClient
) -> None:
    with pytest.raises(UsageError, match=r"manifest\.json"):
        run(make_client(), tmp_path)
