"""Test the Eloqua client against the fake Eloqua over real HTTP on 127.0.0.1.

Nothing here touches the internet, and nothing sleeps for real: the client gets a
recording ``sleep`` and a fake clock.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fake_eloqua import (
    DEFAULT_PASSWORD,
    DEFAULT_SITE,
    DEFAULT_TOKEN,
    DEFAULT_USER,
    FakeEloqua,
    definition,
    reject_invalid_email,
)

import activity_schema.eloqua as eloqua
from activity_schema.eloqua import (
    Credentials,
    EloquaClient,
    RetryEvent,
    RetryPolicy,
    SyncStatus,
    parse_retry_after,
    sync_id_of,
)
from activity_schema.errors import (
    ActivitySchemaError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ProtocolError,
    ServerError,
    StorageExceededError,
    TransportError,
    UploadError,
    UsageError,
)

FIELDS = ["activityId", "email", "type"]
IMPORT_ID = 2900
SYNC_IMPORT_ID = 2901  # isSyncTriggeredOnImport = true
PART = "part-0001.json"
BASIC_SECRET = base64.b64encode(f"{DEFAULT_SITE}\\{DEFAULT_USER}:{DEFAULT_PASSWORD}".encode())
SECRETS = (DEFAULT_PASSWORD, DEFAULT_TOKEN, BASIC_SECRET.decode())


def rows_json(count: int, *, bad_email: Callable[[int], bool] = lambda i: False) -> bytes:
    """Return a JSON body of ``count`` rows; ``bad_email(i)`` rows lack an ``@``."""
    rows = [
        {
            "activityId": str(i),
            "email": f"user{i}.example.com" if bad_email(i) else f"user{i}@example.com",
            "type": "Registered",
        }
        for i in range(count)
    ]
    return json.dumps(rows).encode()


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


MakeClient = Callable[..., EloquaClient]


@pytest.fixture
def fake() -> Iterator[FakeEloqua]:
    definitions = {
        IMPORT_ID: definition(FIELDS),
        SYNC_IMPORT_ID: definition(FIELDS, sync_on_import=True),
    }
    with FakeEloqua(definitions, reject_rule=reject_invalid_email("email")) as server:
        yield server
    assert server.server_errors == []


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def events() -> list[RetryEvent]:
    return []


@pytest.fixture
def make_client(
    fake: FakeEloqua, fake_time: FakeTime, events: list[RetryEvent]
) -> Iterator[MakeClient]:
    clients: list[EloquaClient] = []

    def make(credentials: Credentials | None = None, **options: Any) -> EloquaClient:
        options.setdefault("base_url", fake.url)
        options.setdefault("login_url", fake.url)
        options.setdefault("retry", RetryPolicy(jitter=False))
        # An explicit transport also keeps any HTTP(S)_PROXY variable out of the tests.
        options.setdefault("transport", httpx.HTTPTransport())
        client = EloquaClient(
            credentials or fake.credentials,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            on_retry=events.append,
            **options,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# --- discovery and authentication ------------------------------------------------------


@pytest.mark.parametrize(
    ("credentials", "error"),
    [
        (Credentials.basic(DEFAULT_SITE, DEFAULT_USER, DEFAULT_PASSWORD), None),
        (Credentials.bearer(DEFAULT_TOKEN), None),
        (Credentials.basic(DEFAULT_SITE, DEFAULT_USER, "wrong"), AuthenticationError),
        (Credentials.bearer("wrong-token"), AuthenticationError),
    ],
)
def test_discovery(
    fake: FakeEloqua,
    make_client: MakeClient,
    credentials: Credentials,
    error: type[UploadError] | None,
) -> None:
    client = make_client(credentials, base_url=None)
    if error is None:
        assert client.base_url == fake.url
        assert client.base_url == fake.url  # cached: asked once
    else:
        with pytest.raises(error, match=r"Not authenticated\.") as info:
            client.base_url  # noqa: B018  (the property does the request)
        assert info.value.url == fake.url + "/id"
    assert len(fake.requests_to("GET", "/id")) == 1


@pytest.mark.parametrize(
    ("discovery_base", "error"),
    [
        ("http://evil.example.com", ProtocolError),
        ("https://secure.p99.eloqua.com/", None),
    ],
)
def test_discovered_base_url_is_checked(
    make_client: MakeClient, fake: FakeEloqua, discovery_base: str, error: type[Exception] | None
) -> None:
    fake.discovery_base = discovery_base
    client = make_client(base_url=None)
    if error is None:
        assert client.base_url == discovery_base.rstrip("/")
    else:
        with pytest.raises(error, match="plain http"):
            client.base_url  # noqa: B018


@pytest.mark.parametrize(
    ("credentials", "header"),
    [
        (
            Credentials.basic(DEFAULT_SITE, DEFAULT_USER, DEFAULT_PASSWORD),
            "Basic " + BASIC_SECRET.decode(),
        ),
        (Credentials.bearer(DEFAULT_TOKEN), f"Bearer {DEFAULT_TOKEN}"),
    ],
)
def test_authorization_header(
    fake: FakeEloqua, make_client: MakeClient, credentials: Credentials, header: str
) -> None:
    make_client(credentials).get_import_definition(IMPORT_ID)
    (request,) = fake.requests
    assert request.headers["authorization"] == header


def test_wrong_password_on_api_call_is_401_and_not_retried(
    fake: FakeEloqua, make_client: MakeClient, fake_time: FakeTime
) -> None:
    client = make_client(Credentials.basic(DEFAULT_SITE, DEFAULT_USER, "nope"))
    with pytest.raises(AuthenticationError) as info:
        client.get_import_definition(IMPORT_ID)
    assert info.value.status_code == 401
    assert len(fake.requests) == 1
    assert fake_time.sleeps == []


# --- posting data ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("import_id", "content_type", "body", "status", "staged"),
    [
        (IMPORT_ID, "application/json", rows_json(3), 204, 3),
        (IMPORT_ID, "text/csv", b"activityId,email,type\r\n1,a@b.c,Registered\r\n", 204, 1),
        (SYNC_IMPORT_ID, "application/json", rows_json(2), 201, 0),
    ],
)
def test_post_data(
    fake: FakeEloqua,
    make_client: MakeClient,
    import_id: int,
    content_type: Any,
    body: bytes,
    status: int,
    staged: int,
) -> None:
    result = make_client().post_data(import_id, body, content_type, part=PART)
    assert (result.import_id, result.status_code, result.part) == (import_id, status, PART)
    assert len(fake.staged.get(import_id, [])) == staged
    if status == 204:
        assert result.sync is None
    else:
        assert result.sync is not None
        assert result.sync.status is SyncStatus.PENDING
        assert result.sync.synced_instance_uri == f"/activities/imports/{import_id}"
        assert result.sync.created_by == DEFAULT_USER
        assert result.sync.created_at is not None
        assert len(fake.syncs[result.sync.id].rows) == 2
    (request,) = fake.requests
    assert request.headers["content-type"] == content_type


@pytest.mark.parametrize(
    ("content_type", "body", "field"),
    [
        ("application/json", b'[{"activityId": "1", "colour": "red"}]', "colour"),
        ("text/csv", b"activityId,Email\r\n1,a@b.c\r\n", "Email"),
        ("application/json", b'{"activityId": "1"}', "body"),
    ],
)
def test_400_failures_are_parsed(
    fake: FakeEloqua, make_client: MakeClient, content_type: Any, body: bytes, field: str
) -> None:
    with pytest.raises(BadRequestError) as info:
        make_client().post_data(IMPORT_ID, body, content_type, part=PART)
    error = info.value
    assert [failure["field"] for failure in error.failures] == [field]
    assert error.status_code == 400
    assert (error.import_id, error.part) == (IMPORT_ID, PART)
    assert error.url == f"{fake.url}/api/bulk/2.0/activities/imports/{IMPORT_ID}/data"
    assert field in str(error)
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("application/json", b"", "empty"),
        ("application/json", b'[{"email": "caf\xe9"}]', "not valid UTF-8 at byte 15"),
        ("text/plain", b"x", "content type"),
        ("application/json", b"[" + b" " * 64 + b"]", "at most 64"),
    ],
)
def test_post_data_refuses_bad_bodies_before_sending(
    fake: FakeEloqua, make_client: MakeClient, content_type: Any, body: bytes, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        make_client(max_body_bytes=64).post_data(IMPORT_ID, body, content_type, part=PART)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("headers", "body", "field"),
    [
        ({"Content-Type": "text/plain"}, b"x", "Content-Type"),
        ({"Content-Type": "application/json"}, b'[{"email": "caf\xe9"}]', "body"),
    ],
)
def test_fake_enforces_content_type_and_utf8(
    fake: FakeEloqua, headers: dict[str, str], body: bytes, field: str
) -> None:
    headers["Authorization"] = fake.credentials.authorization_header()
    with httpx.Client(transport=httpx.HTTPTransport()) as http:
        url = f"{fake.url}/api/bulk/2.0/activities/imports/{IMPORT_ID}/data"
        response = http.post(url, content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["failures"][0]["field"] == field


def test_oversized_body_gets_404_and_is_not_retried(
    fake: FakeEloqua, make_client: MakeClient
) -> None:
    fake.max_body_bytes = 100
    with pytest.raises(NotFoundError, match="32 MB") as info:
        make_client().post_data(IMPORT_ID, rows_json(10), "application/json", part=PART)
    assert info.value.part == PART
    assert len(fake.requests) == 1


def test_501st_post_before_a_sync_gets_400(fake: FakeEloqua, make_client: MakeClient) -> None:
    fake.max_posts_per_sync = 3
    client = make_client()
    for _ in range(3):
        client.post_data(IMPORT_ID, rows_json(1), "application/json")
    with pytest.raises(BadRequestError, match="At most 3 posts"):
        client.post_data(IMPORT_ID, rows_json(1), "application/json")
    client.create_sync(IMPORT_ID)
    assert client.post_data(IMPORT_ID, rows_json(1), "application/json").status_code == 204


# --- typed errors and retries ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error", "requests"),
    [
        (400, BadRequestError, 1),
        (401, AuthenticationError, 1),
        (403, ForbiddenError, 1),
        (404, NotFoundError, 1),
        (409, ConflictError, 1),
        (410, UploadError, 1),
        (413, StorageExceededError, 1),
        (429, ServerError, 3),
        (500, ServerError, 3),
        (502, ServerError, 3),
        (503, ServerError, 3),
        (504, ServerError, 3),
        (501, ServerError, 1),
    ],
)
def test_status_maps_to_typed_error_and_retries_only_transient(
    fake: FakeEloqua,
    make_client: MakeClient,
    fake_time: FakeTime,
    status: int,
    error: type[UploadError],
    requests: int,
) -> None:
    fake.fail(status=status, times=10, path="/data")
    client = make_client(retry=RetryPolicy(max_attempts=3, jitter=False))
    with pytest.raises(error) as info:
        client.post_data(IMPORT_ID, rows_json(2), "application/json", part=PART)
    assert type(info.value) is error
    assert info.value.status_code == status
    assert (info.value.import_id, info.value.part) == (IMPORT_ID, PART)
    assert info.value.url is not None and info.value.url.endswith(f"/{IMPORT_ID}/data")
    assert len(fake.requests_to("POST", "/data")) == requests
    assert len(fake_time.sleeps) == requests - 1
    if status == 404:
        assert "32 MB" in info.value.message


def test_503_twice_then_success(
    fake: FakeEloqua, make_client: MakeClient, fake_time: FakeTime, events: list[RetryEvent]
) -> None:
    fake.fail(status=503, times=2, path="/data")
    result = make_client().post_data(IMPORT_ID, rows_json(4), "application/json", part=PART)
    assert result.status_code == 204
    posts = fake.requests_to("POST", "/data")
    assert [r.status for r in posts] == [503, 503, 204]
    assert len({r.body_sha256 for r in posts}) == 1  # the same part, re-sent as is
    assert len(fake.staged[IMPORT_ID]) == 4  # staged once
    assert fake_time.sleeps == [0.5, 1.0]  # base_delay * 2 ** (attempt - 1), no jitter
    assert [(e.attempt, e.reason, e.delay, e.status_code) for e in events] == [
        (1, "HTTP 503", 0.5, 503),
        (2, "HTTP 503", 1.0, 503),
    ]


@pytest.mark.parametrize(("retry_after", "delay"), [("1", 1.0), ("0", 0.0)])
def test_429_honours_retry_after(
    fake: FakeEloqua, make_client: MakeClient, fake_time: FakeTime, retry_after: str, delay: float
) -> None:
    fake.fail(status=429, headers={"Retry-After": retry_after})
    make_client().get_import_definition(IMPORT_ID)
    assert fake_time.sleeps == [delay]
    assert [r.status for r in fake.requests] == [429, 200]


def test_retry_after_beyond_budget_gives_up_at_once(
    fake: FakeEloqua, make_client: MakeClient, fake_time: FakeTime
) -> None:
    fake.fail(status=503, headers={"Retry-After": "1000"})
    with pytest.raises(ServerError, match="budget"):
        make_client().get_import_definition(IMPORT_ID)
    assert fake_time.sleeps == []
    assert len(fake.requests) == 1


@pytest.mark.parametrize("kind", ["drop", "drop_mid_body"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_dropped_connection_is_retried(
    fake: FakeEloqua,
    make_client: MakeClient,
    events: list[RetryEvent],
    kind: Any,
    method: str,
) -> None:
    fake.fail(kind, method=method)
    client = make_client()
    if method == "GET":
        assert client.get_import_definition(IMPORT_ID)["fields"]
    else:
        assert client.post_data(IMPORT_ID, rows_json(1), "application/json").status_code == 204
    assert [r.status for r in fake.requests_to(method)] == [None, 200 if method == "GET" else 204]
    assert len(events) == 1 and "RemoteProtocolError" in events[0].reason


def test_connection_refused_becomes_transport_error(
    make_client: MakeClient, fake_time: FakeTime
) -> None:
    with socket.socket() as probe:  # find a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(TransportError, match="after 5 attempts") as info:
        client.get_import_definition(IMPORT_ID)
    assert info.value.import_id == IMPORT_ID
    assert len(fake_time.sleeps) == 4


@pytest.mark.parametrize(
    ("path", "call"),
    [
        ("/imports/", lambda c: c.get_import_definition(IMPORT_ID)),
        ("/data", lambda c: c.post_data(SYNC_IMPORT_ID, rows_json(1), "application/json")),
        ("/id", lambda c: c.discover_base_url()),
    ],
)
def test_garbage_json_is_a_protocol_error_and_not_retried(
    fake: FakeEloqua, make_client: MakeClient, path: str, call: Callable[[EloquaClient], Any]
) -> None:
    fake.fail("garbage", status=201 if path in ("/data", "/syncs") else 200, path=path)
    with pytest.raises(ProtocolError, match="not JSON"):
        call(make_client())
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1, 2]", "'fields' object"),
        (b'{"name": "no fields"}', "'fields' object"),
    ],
)
def test_wrong_shape_is_a_protocol_error(
    fake: FakeEloqua, make_client: MakeClient, body: bytes, message: str
) -> None:
    fake.fail(status=200, body=body)
    with pytest.raises(ProtocolError, match=message):
        make_client().get_import_definition(IMPORT_ID)


# --- URL safety --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://secure.p03.eloqua.com", True),
        ("http://127.0.0.1:8080", True),
        ("http://127.9.9.9", True),
        ("http://[::1]:8080", True),
        ("http://localhost:8080", True),
        ("http://secure.p03.eloqua.com", False),
        ("http://10.0.0.1", False),
        ("http://[::2]", False),
        ("http://localhost.example.com", False),
        ("ftp://secure.p03.eloqua.com", False),
        ("secure.p03.eloqua.com", False),
        ("https://user:hunter2@secure.p03.eloqua.com", False),
    ],
)
@pytest.mark.parametrize("option", ["base_url", "login_url"])
def test_plain_http_only_to_loopback(
    make_client: MakeClient, fake: FakeEloqua, url: str, ok: bool, option: str
) -> None:
    if ok:
        make_client(**{option: url})
    else:
        with pytest.raises(ConfigError) as info:
            make_client(**{option: url})
        assert "hunter2" not in str(info.value)
    assert fake.requests == []


# --- syncs and rejects -------------------------------------------------------------


def test_sync_ends_in_warning_and_rejects_are_paged(
    fake: FakeEloqua, make_client: MakeClient, fake_time: FakeTime
) -> None:
    client = make_client()

    def bad(i: int) -> bool:
        return i % 5 != 0

    client.post_data(IMPORT_ID, rows_json(700, bad_email=bad), "application/json")
    client.post_data(
        IMPORT_ID, rows_json(800, bad_email=lambda i: bad(i + 700)), "application/json"
    )
    sync = client.create_sync(IMPORT_ID)
    assert (sync.status, sync.synced_instance_uri) == (
        "pending",
        f"/activities/imports/{IMPORT_ID}",
    )

    seen: list[SyncStatus] = []
    done = client.wait_for_sync(sync, poll_interval=5, on_poll=lambda s: seen.append(s.status))
    assert seen == [SyncStatus.ACTIVE, SyncStatus.WARNING]
    assert done.status is SyncStatus.WARNING and done.sync_ended_at is not None
    assert fake_time.sleeps == [5, 5]

    rejects = list(client.iter_rejects(done))
    expected = [i + 1 for i in range(1500) if bad(i)]
    assert [r.record_index for r in rejects] == expected
    assert len(rejects) == 1200
    first = rejects[0]
    assert (first.status_code, first.invalid_fields) == ("ELQ-00002", ("email",))
    assert first.field_values["email"] == "user1.example.com"
    pages = fake.requests_to("GET", "/rejects")
    assert [(r.query["limit"], r.query["offset"]) for r in pages] == [
        (["1000"], ["0"]),
        (["1000"], ["1000"]),
    ]

    logs = {log.status_code: log.count for log in client.get_sync_logs(done.uri)}
    assert logs == {"ELQ-00001": 1500, "ELQ-00002": 1200, "ELQ-00069": 300}


def test_sync_triggered_on_import_reaches_success(
    fake: FakeEloqua, make_client: MakeClient
) -> None:
    client = make_client()
    result = client.post_data(SYNC_IMPORT_ID, rows_json(3), "application/json")
    assert result.sync is not None
    done = client.wait_for_sync(result.sync.uri, poll_interval=1)
    assert done.status is SyncStatus.SUCCESS
    assert list(client.iter_rejects(done)) == []


def test_second_sync_while_one_runs_is_409(fake: FakeEloqua, make_client: MakeClient) -> None:
    client = make_client()
    client.create_sync(IMPORT_ID)
    with pytest.raises(ConflictError, match="sync is running") as info:
        client.create_sync(IMPORT_ID)
    assert info.value.import_id == IMPORT_ID
    assert len(fake.requests_to("POST", "/syncs")) == 2


def test_wait_for_sync_gives_up_after_timeout(
    fake: FakeEloqua, make_client: MakeClient, fake_time: FakeTime
) -> None:
    fake.polls_to_finish = 1000
    client = make_client()
    sync = client.create_sync(IMPORT_ID)
    with pytest.raises(UploadError, match="still") as info:
        client.wait_for_sync(sync, poll_interval=5, timeout=20)
    assert type(info.value) is UploadError
    assert sum(fake_time.sleeps) <= 20


def test_clear_staged_data(fake: FakeEloqua, make_client: MakeClient) -> None:
    client = make_client()
    client.post_data(IMPORT_ID, rows_json(5), "application/json")
    client.clear_staged_data(IMPORT_ID)
    sync = client.create_sync(IMPORT_ID)
    assert fake.syncs[sync.id].rows == []
    assert client.wait_for_sync(sync, poll_interval=1).status is SyncStatus.SUCCESS


# --- secrets -----------------------------------------------------------------------


def _texts(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), *map(str, error.args)]
    if isinstance(error, ActivitySchemaError):
        texts += [str(error.message), str(error.where), str(error.hint)]
    if isinstance(error, UploadError):
        texts += [str(error.url), json.dumps(error.failures)]
    return texts


def test_secrets_never_leak(
    fake: FakeEloqua,
    make_client: MakeClient,
    events: list[RetryEvent],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore included
    basic = Credentials.basic(DEFAULT_SITE, DEFAULT_USER, DEFAULT_PASSWORD)
    bearer = Credentials.bearer(DEFAULT_TOKEN)
    texts = [repr(basic), str(basic), repr(bearer), str(bearer)]
    for credentials in (basic, bearer):
        client = make_client(credentials, base_url=None)
        texts.append(repr(client))
        fake.fail(status=503, path="/imports/")
        fake.fail(status=401, path="/data")
        fake.fail(status=400, body=b'{"failures": [{"field": "x"}]}', path="/syncs")
        client.get_import_definition(IMPORT_ID)
        calls: list[tuple[Callable[[EloquaClient], object], type[UploadError]]] = [
            (lambda c: c.post_data(IMPORT_ID, rows_json(1), "application/json"), UploadError),
            (lambda c: c.create_sync(IMPORT_ID), BadRequestError),
        ]
        for call, error in calls:
            with pytest.raises(error) as info:
                call(client)
            texts += _texts(info.value)
    for bad in (Credentials.basic(DEFAULT_SITE, DEFAULT_USER, "x"), Credentials.bearer("x")):
        with pytest.raises(AuthenticationError) as auth_info:
            make_client(bad, base_url=None).discover_base_url()
        texts += _texts(auth_info.value)
    with pytest.raises(ConfigError) as env_info:
        Credentials.from_env({"ELOQUA_PASSWORD": DEFAULT_PASSWORD, "ELOQUA_SITE": DEFAULT_SITE})
    texts += _texts(env_info.value)
    texts += [repr(event) for event in events]
    texts += [record.getMessage() for record in caplog.records]
    assert events and caplog.records
    blob = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in blob


# --- configuration and helpers -----------------------------------------------------


@pytest.mark.parametrize(
    ("env", "kind", "missing"),
    [
        ({"ELOQUA_TOKEN": "t"}, "bearer", None),
        ({"ELOQUA_TOKEN": "t", "ELOQUA_SITE": "S", "ELOQUA_USER": "U"}, "bearer", None),
        ({"ELOQUA_SITE": "S", "ELOQUA_USER": "U", "ELOQUA_PASSWORD": "p"}, "basic", None),
        ({"ELOQUA_SITE": "S", "ELOQUA_USER": "U"}, None, "ELOQUA_PASSWORD not set"),
        ({"ELOQUA_TOKEN": " ", "ELOQUA_PASSWORD": "p"}, None, "ELOQUA_SITE, ELOQUA_USER"),
        ({}, None, "ELOQUA_SITE, ELOQUA_USER, ELOQUA_PASSWORD not set"),
    ],
)
def test_credentials_from_env(env: dict[str, str], kind: str | None, missing: str | None) -> None:
    if kind is not None:
        assert Credentials.from_env(env).kind == kind
    else:
        with pytest.raises(ConfigError, match=missing) as info:
            Credentials.from_env(env)
        assert "\n" not in str(info.value) and "ELOQUA_TOKEN" in str(info.value)


def test_client_from_env_skips_discovery_with_base_url(fake: FakeEloqua) -> None:
    env = {"ELOQUA_TOKEN": DEFAULT_TOKEN, "ELOQUA_BASE_URL": fake.url}
    with EloquaClient.from_env(env, transport=httpx.HTTPTransport()) as client:
        assert client.get_import_definition(IMPORT_ID)["fields"]
    assert fake.requests_to("GET", "/id") == []


@pytest.mark.parametrize(
    ("attempt", "jitter", "expected"),
    [(1, False, 0.5), (2, False, 1.0), (3, False, 2.0), (7, False, 30.0), (500, False, 30.0)],
)
def test_backoff_is_exponential_and_capped(attempt: int, jitter: bool, expected: float) -> None:
    assert RetryPolicy(jitter=jitter).backoff(attempt) == expected


@pytest.mark.parametrize(("draw", "expected"), [(0.0, 0.0), (0.5, 1.0), (0.999, 1.998)])
def test_backoff_full_jitter(draw: float, expected: float) -> None:
    assert RetryPolicy().backoff(3, rand=lambda: draw) == pytest.approx(expected)


NOW = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:00:00 GMT", 0.0),
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


@pytest.mark.parametrize("codes", [{503, 400}, {429, 404}, {409}])
def test_retry_policy_refuses_codes_that_must_never_be_retried(codes: set[int]) -> None:
    with pytest.raises(ConfigError, match="never be retried"):
        RetryPolicy(retry_status_codes=frozenset(codes))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(384, 384), ("384", 384), ("/syncs/384", 384), ("https://x/api/bulk/2.0/syncs/7", 7)],
)
def test_sync_id_of(value: str | int, expected: int) -> None:
    assert sync_id_of(value) == expected


def test_all_is_honest() -> None:
    assert sorted(set(eloqua.__all__)) == sorted(eloqua.__all__)
    for name in eloqua.__all__:
        assert hasattr(eloqua, name), name
    public = {name for name in vars(eloqua) if not name.startswith("_")}
    modules = {"auth", "client", "constants", "models", "redact", "responses", "retry", "urls"}
    assert public - modules - {"annotations"} == set(eloqua.__all__)


# --- sync creation is never blindly repeated -----------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "drop", "after_processing": True},  # created, connection dropped
        {"status": 503, "after_processing": True},  # created, answered 503
        {"kind": "garbage", "status": 201, "after_processing": True},  # created, unreadable
    ],
    ids=["dropped", "503-after-creating", "garbled-201"],
)
def test_a_lost_sync_answer_is_looked_up_not_repeated(
    fake: FakeEloqua, make_client: MakeClient, fault: dict[str, Any]
) -> None:
    client = make_client()
    client.post_data(IMPORT_ID, rows_json(3, bad_email=lambda i: i == 1), "application/json")
    fake.fail(method="POST", path="/syncs", **fault)
    lookups: list[tuple[str, list[str]]] = []
    sync = client.create_sync(
        IMPORT_ID,
        on_lookup=lambda err, found: lookups.append((err.message, [s.uri for s in found])),
    )
    assert len(fake.syncs) == 1 and sync.id in fake.syncs
    assert len(fake.syncs[sync.id].rows) == 3
    assert len(fake.requests_to("POST", "/syncs")) == 1
    [listing] = [r for r in fake.requests_to("GET", "/syncs") if r.path.endswith("/syncs")]
    assert listing.query["orderBy"] == ["createdAt DESC"]
    assert [found for _, found in lookups] == [[sync.uri]]
    assert len(list(client.iter_rejects(client.wait_for_sync(sync, poll_interval=1)))) == 1


def test_a_503_that_created_nothing_is_looked_up_then_sent_again(
    fake: FakeEloqua, make_client: MakeClient, fake_time: FakeTime
) -> None:
    client = make_client()
    client.post_data(IMPORT_ID, rows_json(2), "application/json")
    fake.fail(status=503, method="POST", path="/syncs", times=2)
    sync = client.create_sync(IMPORT_ID)
    assert list(fake.syncs) == [sync.id] and len(fake.syncs[sync.id].rows) == 2
    assert len(fake.requests_to("POST", "/syncs")) == 3
    assert len([r for r in fake.requests_to("GET", "/syncs") if r.path.endswith("s")]) == 2
    assert len(fake_time.sleeps) == 2


def test_a_429_on_sync_creation_is_repeated_without_lookup(
    fake: FakeEloqua, make_client: MakeClient
) -> None:
    fake.fail(status=429, method="POST", path="/syncs")
    sync = make_client().create_sync(IMPORT_ID)
    assert list(fake.syncs) == [sync.id]
    assert [r for r in fake.requests_to("GET", "/syncs") if r.path.endswith("s")] == []


def test_known_syncs_are_never_taken_for_the_lost_one(
    fake: FakeEloqua, make_client: MakeClient
) -> None:
    client = make_client()
    first = client.create_sync(IMPORT_ID)
    client.wait_for_sync(first, poll_interval=1)
    fake.fail(status=503, method="POST", path="/syncs")  # not created
    second = client.create_sync(IMPORT_ID, known={first.uri})
    assert second.uri != first.uri and len(fake.syncs) == 2


def test_two_unknown_syncs_after_a_lost_answer_are_refused(
    fake: FakeEloqua, make_client: MakeClient
) -> None:
    client = make_client()
    other = client.create_sync(IMPORT_ID)  # someone else's, not in ``known``
    client.wait_for_sync(other, poll_interval=1)
    fake.fail(kind="drop", method="POST", path="/syncs", after_processing=True)
    with pytest.raises(UploadError, match="2 syncs of import 2900 appeared") as info:
        client.create_sync(IMPORT_ID)
    assert "/syncs/1" in str(info.value) and "/syncs/2" in str(info.value)
    assert len(fake.syncs) == 2  # nothing was created a third time


def test_find_syncs_stops_at_the_cutoff_and_filters_by_definition(
    fake: FakeEloqua, make_client: MakeClient
) -> None:
    client = make_client()
    for import_id in (IMPORT_ID, SYNC_IMPORT_ID, IMPORT_ID):
        client.wait_for_sync(client.create_sync(import_id), poll_interval=1)
    since = datetime.now(UTC)
    assert [s.uri for s in client.find_syncs(IMPORT_ID, since=since)] == ["/syncs/3", "/syncs/1"]
    assert client.find_syncs(IMPORT_ID, since=since, skew=-60) == []
    assert client.find_syncs(IMPORT_ID, since=since, exclude={"/syncs/3"})[0].uri == "/syncs/1"


def test_the_fake_refuses_a_bad_sync_listing_order(fake: FakeEloqua) -> None:
    response = httpx.get(
        fake.url + "/api/bulk/2.0/syncs",
        params={"orderBy": "uri DESC"},
        headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
    )
    assert response.status_code == 400


# --- creating import definitions ------------------------------------------------------

NEW_FIELDS = {
    "EmailAddress": "{{Activity.Contact.Field(C_EmailAddress)}}",
    "ActivityType": "{{Activity.Type}}",
    "ActivityDate": "{{Activity.CreatedAt}}",
    "AssetType": "{{Activity.Asset.Type}}",
    "AssetName": "{{Activity.Asset.Name}}",
    "CampaignId": "{{Activity.Campaign.Id}}",
}


def new_definition(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "Webinars",
        "fields": NEW_FIELDS,
        "isSyncTriggeredOnImport": False,
        "autoDeleteDuration": "P7D",
        "dataRetentionDuration": "P14D",
    }
    return {**body, **changes}


def test_create_import_returns_a_usable_definition(
    fake: FakeEloqua, make_client: MakeClient
) -> None:
    client = make_client()
    created = client.create_import(new_definition())
    assert created.uri == f"/activities/imports/{created.id}" and created.id in fake.definitions
    assert created.fields == NEW_FIELDS and not created.is_sync_triggered_on_import
    assert created.data_retention_duration == "P14D" and created.auto_delete_duration == "P7D"
    body = json.dumps([{"EmailAddress": "a@b.example", "ActivityType": "Attended"}]).encode()
    assert client.post_data(created.id, body, "application/json").status_code == 204
    assert client.get_import_definition(created.id)["fields"] == NEW_FIELDS


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "n" * 101}, "name"),
        ({"name": ""}, "name"),
        ({"fields": {f"F{i}": f"{{{{Activity.Field(F{i})}}}}" for i in range(101)}}, "fields"),
        ({"fields": {"X": "{{Activity.Nonsense}}"}}, "X"),
        ({"fields": {"X": "Activity.Type"}}, "X"),
        ({"dataRetentionDuration": "P15D"}, "dataRetentionDuration"),
        ({"autoDeleteDuration": "seven days"}, "autoDeleteDuration"),
    ],
    ids=["long-name", "no-name", "101-fields", "unknown-statement", "no-braces", "P15D", "text"],
)
def test_the_fake_refuses_definitions_eloqua_refuses(
    fake: FakeEloqua, make_client: MakeClient, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(BadRequestError) as info:
        make_client().create_import(new_definition(**changes))
    assert info.value.failures[0]["field"] == field
    assert fake.created_imports == []


def test_the_writers_limits_are_the_apis() -> None:
    """output/ plans parts with defaults' copies of the limits eloqua/constants.py owns."""
    from activity_schema import defaults
    from activity_schema.eloqua import constants

    assert defaults.DEFAULT_MAX_BYTES == constants.MAX_BODY_BYTES
    assert defaults.MAX_POSTS_PER_SYNC == constants.MAX_POSTS_PER_SYNC
