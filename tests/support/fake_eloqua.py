"""Serve a fake Eloqua Bulk API 2.0 over real HTTP on 127.0.0.1 for tests.

The fake enforces the documented rules (see ``docs/eloqua.md``): the ``Authorization``
header, the ``/id`` discovery answer, content types, UTF-8, field names of the import
definition, the 32 MB limit (answered with 404), 500 POSTs per sync, 204/201 answers,
syncs moving pending -> active -> success/warning, paged rejects and logs, clearing
staged data (only what no sync took: a sync takes every staged row), creating import
definitions (statements, at most 100 fields, a name of at most 100 characters,
ISO-8601 durations) and listing syncs newest first. Faults are injected on demand,
also after the request was applied (``after_processing``: the data is staged or the
sync created, but the answer is an error or a dropped connection), and every request
is recorded (method, path, headers, body sha256) for assertions.

Example::

    with FakeEloqua(definitions={2900: definition(["email", "type"])}) as fake:
        client = EloquaClient(fake.credentials, login_url=fake.url)
        ...
        assert len(fake.requests_to("POST", "/data")) == 1
"""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import io
import json
import re
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from activity_schema.eloqua import Credentials

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_SITE",
    "DEFAULT_TOKEN",
    "DEFAULT_USER",
    "FakeEloqua",
    "Fault",
    "RecordedRequest",
    "RejectRule",
    "definition",
    "reject_invalid_email",
]

DEFAULT_SITE = "FakeSite"
DEFAULT_USER = "Fake.User"
DEFAULT_PASSWORD = "pw-Fake-S3cret!"
DEFAULT_TOKEN = "tok-Fake-S3cret-0123456789"
DEFAULT_MAX_BODY_BYTES = 32_000_000
DEFAULT_MAX_POSTS_PER_SYNC = 500
MAX_PAGE_LIMIT = 1000
MAX_DEFINITION_FIELDS = 100
MAX_DEFINITION_NAME = 100
FIRST_CREATED_IMPORT = 5000
API = "/api/bulk/2.0"
_STATEMENTS = frozenset(
    {
        "Activity.Type",
        "Activity.CreatedAt",
        "Activity.Asset.Type",
        "Activity.Asset.Name",
        "Activity.Asset.Id",
        "Activity.Campaign.Id",
        "Activity.Contact.Id",
        "Activity.Id",
        "Activity.ExternalId",
    }
)
_STATEMENT = re.compile(
    r"\{\{(?:(?P<plain>[A-Za-z.]+)|Activity\.Contact\.Field\(C_\w+\)|Activity\.Field\(\w+\))\}\}"
)
_DURATION = re.compile(
    r"P(?!$)(?:(?P<d>\d+)D)?(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?"
)

Row = dict[str, str | None]
# A rule returns (statusCode, message, invalidFields) for a rejected row, else None.
RejectRule = Callable[[Row], tuple[str, str, list[str]] | None]
FaultKind = Literal["status", "drop", "drop_mid_body", "garbage", "echo", "echo_html"]


def definition(
    fields: list[str] | Mapping[str, str],
    *,
    sync_on_import: bool = False,
    name: str = "Fake activity import",
) -> dict[str, Any]:
    """Return an activity import definition dict as Eloqua would store it."""
    mapping = (
        dict(fields)
        if isinstance(fields, Mapping)
        else {name_: f"{{{{Activity.Field({name_})}}}}" for name_ in fields}
    )
    return {
        "name": name,
        "fields": mapping,
        "isSyncTriggeredOnImport": sync_on_import,
        "dataRetentionDuration": "P7D",
    }


def reject_invalid_email(email_field: str = "email") -> RejectRule:
    """Return a rule rejecting rows whose ``email_field`` has no ``@`` with ELQ-00002."""

    def rule(row: Row) -> tuple[str, str, list[str]] | None:
        value = row.get(email_field) or ""
        if "@" in value:
            return None
        return ("ELQ-00002", "Invalid email address.", [email_field])

    return rule


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received (headers with lower-case names)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body_sha256: str
    body_size: int
    status: int | None  # None when the fault dropped the connection


@dataclass
class Fault:
    """A fault to answer instead of the real reply.

    Attributes:
        kind: ``status`` (answer ``status`` with ``headers``/``body``), ``drop`` (close
            the socket without answering), ``drop_mid_body`` (send headers and part of
            the body, then close), ``garbage`` (answer ``status`` with non-JSON),
            ``echo`` and ``echo_html`` (answer ``status`` with the request's headers,
            ``Authorization`` first, as a JSON body with a ``failures`` list or as a
            proxy's HTML error page: what a misbehaving proxy leaks).
        status: The HTTP status for ``status`` and ``garbage`` faults.
        headers: Extra response headers (e.g. ``Retry-After``).
        body: The response body for ``status`` faults.
        method: Only requests with this method (None: any).
        path: Only requests whose path contains this text (None: any).
        times: How many matching requests get the fault.
        after_processing: Apply the request first (stage the data), then fail.
        skip: How many matching requests pass untouched before the fault applies
            (``skip=2`` fails the third data POST).
        nth: Apply only to the nth request (1-based) matching ``method`` and ``path``
            that the fake received since it started, whatever other faults did to the
            earlier ones (a script of faults over one run reads as a list of ``nth``).
    """

    kind: FaultKind = "status"
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    method: str | None = None
    path: str | None = None
    times: int = 1
    after_processing: bool = False
    skip: int = 0
    nth: int | None = None

    def matches(self, method: str, path: str) -> bool:
        """Return True if this fault applies to the request."""
        return (
            self.times > 0
            and (self.method is None or self.method == method)
            and (self.path is None or self.path in path)
        )


@dataclass
class _Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Sync:
    id: int
    import_id: int
    rows: list[Row]
    rejects: list[dict[str, Any]]
    created_by: str
    created_at: str
    status: str = "pending"
    polls: int = 0
    started_at: str | None = None
    ended_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "uri": f"/syncs/{self.id}",
            "status": self.status,
            "syncedInstanceUri": f"/activities/imports/{self.import_id}",
            "createdAt": self.created_at,
            "createdBy": self.created_by,
        }
        if self.started_at:
            data["syncStartedAt"] = self.started_at
        if self.ended_at:
            data["syncEndedAt"] = self.ended_at
        return data


def _json(status: int, obj: object, headers: dict[str, str] | None = None) -> _Reply:
    return _Reply(status, json.dumps(obj, ensure_ascii=False).encode(), headers or {})


def _failures(*items: tuple[str, str, str]) -> _Reply:
    return _json(
        400, {"failures": [{"field": f, "value": v, "constraint": c} for f, v, c in items]}
    )


def _seconds(duration: str) -> int | None:
    """Return an ISO-8601 duration (days, hours, minutes, seconds) in seconds."""
    match = _DURATION.fullmatch(duration)
    if match is None:
        return None
    d, h, m, sec = (int(match[k] or 0) for k in ("d", "h", "m", "s"))
    return ((d * 24 + h) * 60 + m) * 60 + sec


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeEloqua:
    """A fake Eloqua instance on ``http://127.0.0.1:<ephemeral port>``.

    Args:
        definitions: Import definitions by id (see :func:`definition`).
        site: Basic-auth site name.
        user: Basic-auth user name.
        password: Basic-auth password.
        token: Bearer token also accepted.
        max_body_bytes: Bodies above this get 404, as Eloqua does above 32 MB.
        max_posts_per_sync: Staged POSTs allowed before a sync; the next gets 400.
        reject_rule: Decides which synced rows are rejected (sync ends in ``warning``).
        polls_to_finish: GETs of a sync before it is final (first GET makes it active).
        final_status: Force the final status (e.g. ``error``) instead of success/warning.
        discovery_base: Override ``urls.base`` answered by ``/id``.
    """

    def __init__(
        self,
        definitions: Mapping[int, dict[str, Any]] | None = None,
        *,
        site: str = DEFAULT_SITE,
        user: str = DEFAULT_USER,
        password: str = DEFAULT_PASSWORD,
        token: str | None = DEFAULT_TOKEN,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_posts_per_sync: int = DEFAULT_MAX_POSTS_PER_SYNC,
        reject_rule: RejectRule | None = None,
        polls_to_finish: int = 2,
        final_status: str | None = None,
        discovery_base: str | None = None,
    ) -> None:
        self.definitions: dict[int, dict[str, Any]] = dict(definitions or {})
        self.site, self.user, self.password, self.token = site, user, password, token
        self.max_body_bytes = max_body_bytes
        self.max_posts_per_sync = max_posts_per_sync
        self.reject_rule = reject_rule
        self.polls_to_finish = polls_to_finish
        self.final_status = final_status
        self.discovery_base = discovery_base
        self.created_imports: list[int] = []
        self._next_import = FIRST_CREATED_IMPORT
        self.staged: dict[int, list[Row]] = {}
        self.staged_posts: dict[int, int] = {}
        self.syncs: dict[int, _Sync] = {}
        self.faults: list[Fault] = []
        self.server_errors: list[BaseException] = []
        self._requests: list[RecordedRequest] = []
        self._next_sync = 1
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> FakeEloqua:
        """Start serving in a background thread."""
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-eloqua"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeEloqua:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Return ``http://127.0.0.1:<port>`` (both login and base URL)."""
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def credentials(self) -> Credentials:
        """Return Basic credentials the fake accepts."""
        return Credentials.basic(self.site, self.user, self.password)

    # --- test controls ----------------------------------------------------------------

    def fail(self, kind: FaultKind = "status", **options: Any) -> Fault:
        """Queue a fault (see :class:`Fault`) and return it."""
        fault = Fault(kind=kind, **options)
        with self._lock:
            self.faults.append(fault)
        return fault

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return a copy of every request received, in order."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, method: str, path_contains: str = "") -> list[RecordedRequest]:
        """Return the recorded requests with ``method`` whose path contains the text."""
        return [r for r in self.requests if r.method == method and path_contains in r.path]

    # --- request handling (called by the handler, under the lock) ----------------------

    def _authorized(self, header: str | None) -> bool:
        raw = f"{self.site}\\{self.user}:{self.password}".encode()
        accepted = {"Basic " + base64.b64encode(raw).decode("ascii")}
        if self.token:
            accepted.add(f"Bearer {self.token}")
        return header in accepted

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, path):
                if fault.nth is not None:
                    seen = sum(
                        1
                        for r in self._requests
                        if (fault.path is None or fault.path in r.path)
                        and (fault.method is None or fault.method == r.method)
                    )
                    if seen + 1 != fault.nth:
                        continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.times -= 1
                return fault
        return None

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes
    ) -> _Reply:
        """Return the reply to one request."""
        auth_ok = self._authorized(headers.get("Authorization"))
        if method == "GET" and path == "/id":
            if not auth_ok:
                return _json(200, "Not authenticated.")
            return _json(
                200,
                {"site": {"name": self.site}, "urls": {"base": self.discovery_base or self.url}},
            )
        if not auth_ok:
            return _json(401, {"error": "Unauthorized"})
        routes: list[tuple[str, str, Callable[..., _Reply]]] = [
            ("POST", rf"{API}/activities/imports", self._post_definition),
            ("GET", rf"{API}/activities/imports/(\d+)", self._get_definition),
            ("POST", rf"{API}/activities/imports/(\d+)/data", self._post_data),
            ("DELETE", rf"{API}/activities/imports/(\d+)/data", self._delete_data),
            ("POST", rf"{API}/syncs", self._post_sync),
            ("GET", rf"{API}/syncs", self._list_syncs),
            ("GET", rf"{API}/syncs/(\d+)", self._get_sync),
            ("GET", rf"{API}/syncs/(\d+)/rejects", self._get_rejects),
            ("GET", rf"{API}/syncs/(\d+)/logs", self._get_logs),
        ]
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                args = [int(g) for g in match.groups()]
                return handler(*args, query=query, headers=headers, body=body)
        return _json(404, {"error": f"no route {method} {path}"})

    def _post_definition(self, *, body: bytes, **_: Any) -> _Reply:
        try:
            data = json.loads(body)
        except ValueError:
            return _failures(("body", "", "Must be valid JSON"))
        if not isinstance(data, dict):
            return _failures(("body", "", "Must be an object"))
        name, fields = data.get("name"), data.get("fields")
        if not isinstance(name, str) or not name.strip():
            return _failures(("name", str(name), "Is required"))
        if len(name) > MAX_DEFINITION_NAME:
            return _failures(("name", name, f"At most {MAX_DEFINITION_NAME} characters"))
        if not isinstance(fields, dict) or not fields:
            return _failures(("fields", "", "Is required"))
        if len(fields) > MAX_DEFINITION_FIELDS:
            return _failures(("fields", str(len(fields)), f"At most {MAX_DEFINITION_FIELDS}"))
        for key, statement in fields.items():
            match = _STATEMENT.fullmatch(statement) if isinstance(statement, str) else None
            if not key or match is None or (match["plain"] and match["plain"] not in _STATEMENTS):
                return _failures((key, str(statement), "Must be a valid activity statement"))
        if not isinstance(data.get("isSyncTriggeredOnImport", False), bool):
            return _failures(("isSyncTriggeredOnImport", "", "Must be a boolean"))
        for key in ("autoDeleteDuration", "dataRetentionDuration"):
            value = data.get(key)
            if value is not None and (not isinstance(value, str) or _seconds(value) is None):
                return _failures((key, str(value), "Must be an ISO-8601 duration"))
        retention = _seconds(data.get("dataRetentionDuration") or "P7D")
        if retention is None or not 3600 <= retention <= 14 * 86400:
            return _failures(("dataRetentionDuration", "", "Must be between PT1H and P14D"))
        import_id = self._next_import
        self._next_import += 1
        self.created_imports.append(import_id)
        stored = {
            "name": name,
            "fields": dict(fields),
            "isSyncTriggeredOnImport": bool(data.get("isSyncTriggeredOnImport", False)),
            "dataRetentionDuration": data.get("dataRetentionDuration") or "P7D",
        }
        if data.get("autoDeleteDuration"):
            stored["autoDeleteDuration"] = data["autoDeleteDuration"]
        self.definitions[import_id] = stored
        return _json(201, {**stored, "uri": f"/activities/imports/{import_id}"})

    def _get_definition(self, import_id: int, **_: Any) -> _Reply:
        if import_id not in self.definitions:
            return _json(404, {"error": "not found"})
        return _json(
            200, {**self.definitions[import_id], "uri": f"/activities/imports/{import_id}"}
        )

    def _post_data(self, import_id: int, *, headers: Any, body: bytes, **_: Any) -> _Reply:
        if import_id not in self.definitions:
            return _json(404, {"error": "not found"})
        if len(body) > self.max_body_bytes:
            return _json(404, {"error": "not found"})  # Eloqua answers 404, not 413
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type not in ("application/json", "text/csv"):
            return _failures(("Content-Type", content_type, "Must be application/json or text/csv"))
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _failures(("body", f"byte {exc.start}", "Must be valid UTF-8"))
        fields = set(self.definitions[import_id]["fields"])
        parsed = (
            self._parse_json(text, fields)
            if content_type == "application/json"
            else self._parse_csv(text, fields)
        )
        if isinstance(parsed, _Reply):
            return parsed
        posts = self.staged_posts.get(import_id, 0)
        if posts >= self.max_posts_per_sync:
            return _failures(("data", "", f"At most {self.max_posts_per_sync} posts per sync"))
        self.staged_posts[import_id] = posts + 1
        self.staged.setdefault(import_id, []).extend(parsed)
        if not self.definitions[import_id].get("isSyncTriggeredOnImport"):
            return _Reply(204)
        return _json(201, self._create_sync(import_id, headers).as_json())

    @staticmethod
    def _parse_json(text: str, fields: set[str]) -> list[Row] | _Reply:
        try:
            data = json.loads(text)
        except ValueError as exc:
            return _failures(("body", "", f"Must be valid JSON: {exc}"))
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            return _failures(("body", "", "Must be an array of objects"))
        unknown = sorted({key for item in data for key in item} - fields)
        if unknown:
            return _failures(
                *[(key, "", "Must be a field of the import definition") for key in unknown]
            )
        rows: list[Row] = []
        for item in data:
            if any(isinstance(v, dict | list) for v in item.values()):
                return _failures(("body", "", "Values must be strings, numbers or null"))
            rows.append({k: None if v is None else str(v) for k, v in item.items()})
        return rows

    @staticmethod
    def _parse_csv(text: str, fields: set[str]) -> list[Row] | _Reply:
        records = list(csv.reader(io.StringIO(text, newline="")))
        if not records or not records[0]:
            return _failures(("header", "", "A header row of field names is required"))
        header = records[0]
        bad = sorted({name for name in header if name not in fields})
        if bad or len(set(header)) != len(header):
            names = bad or [name for name in header if header.count(name) > 1]
            return _failures(*[(name, "", "Header must be unique field names") for name in names])
        rows: list[Row] = []
        for number, record in enumerate(records[1:], start=2):
            if len(record) != len(header):
                return _failures(("row", str(number), f"Must have {len(header)} values"))
            rows.append(dict(zip(header, record, strict=True)))
        return rows

    def _delete_data(self, import_id: int, **_: Any) -> _Reply:
        if import_id not in self.definitions:
            return _json(404, {"error": "not found"})
        self.staged.pop(import_id, None)
        self.staged_posts.pop(import_id, None)
        return _Reply(204)

    def _create_sync(self, import_id: int, headers: Any) -> _Sync:
        rows = self.staged.pop(import_id, [])
        self.staged_posts.pop(import_id, None)
        rejects = []
        for index, row in enumerate(rows, start=1):
            verdict = self.reject_rule(row) if self.reject_rule else None
            if verdict is not None:
                code, message, invalid = verdict
                rejects.append(
                    {
                        "recordIndex": index,
                        "fieldValues": row,
                        "message": message,
                        "statusCode": code,
                        "invalidFields": invalid,
                    }
                )
        auth = headers.get("Authorization") or ""
        sync = _Sync(
            id=self._next_sync,
            import_id=import_id,
            rows=rows,
            rejects=rejects,
            created_by="token.user" if auth.startswith("Bearer") else self.user,
            created_at=_now(),
        )
        self._next_sync += 1
        self.syncs[sync.id] = sync
        return sync

    def _post_sync(self, *, headers: Any, body: bytes, **_: Any) -> _Reply:
        try:
            data = json.loads(body)
        except ValueError:
            return _failures(("body", "", "Must be valid JSON"))
        uri = data.get("syncedInstanceUri") if isinstance(data, dict) else None
        match = re.fullmatch(r"/activities/imports/(\d+)", uri or "")
        if match is None:
            return _failures(("syncedInstanceUri", str(uri), "Must be /activities/imports/<id>"))
        import_id = int(match.group(1))
        if import_id not in self.definitions:
            return _json(404, {"error": "not found"})
        if any(
            s.import_id == import_id and s.status in ("pending", "active")
            for s in self.syncs.values()
        ):
            return _json(409, {"error": "a sync of this definition is running"})
        return _json(201, self._create_sync(import_id, headers).as_json())

    def _list_syncs(self, *, query: dict[str, list[str]], **_: Any) -> _Reply:
        order = query.get("orderBy", ["createdAt ASC"])[0]
        field_, _sep, direction = order.partition(" ")
        if field_ != "createdAt" or direction.upper() not in ("ASC", "DESC", ""):
            return _failures(("orderBy", order, "Must be 'createdAt ASC' or 'createdAt DESC'"))
        items = sorted(self.syncs.values(), key=lambda s: (s.created_at, s.id))
        if direction.upper() == "DESC":
            items.reverse()
        return self._page([s.as_json() for s in items], query)

    def _sync_or_404(self, sync_id: int) -> _Sync | _Reply:
        return self.syncs.get(sync_id) or _json(404, {"error": "not found"})

    def _get_sync(self, sync_id: int, **_: Any) -> _Reply:
        sync = self._sync_or_404(sync_id)
        if isinstance(sync, _Reply):
            return sync
        sync.polls += 1
        if sync.status == "pending":
            sync.status, sync.started_at = "active", _now()
        if sync.status == "active" and sync.polls >= self.polls_to_finish:
            sync.status = self.final_status or ("warning" if sync.rejects else "success")
            sync.ended_at = _now()
        return _json(200, sync.as_json())

    def _page(self, items: list[dict[str, Any]], query: dict[str, list[str]]) -> _Reply:
        try:
            limit = int(query.get("limit", [str(MAX_PAGE_LIMIT)])[0])
            offset = int(query.get("offset", ["0"])[0])
        except ValueError:
            return _failures(("limit", "", "Must be an integer"))
        if not 1 <= limit <= MAX_PAGE_LIMIT or offset < 0:
            return _failures(("limit", str(limit), f"Must be between 1 and {MAX_PAGE_LIMIT}"))
        page = items[offset : offset + limit]
        return _json(
            200,
            {
                "items": page,
                "totalResults": len(items),
                "limit": limit,
                "offset": offset,
                "count": len(page),
                "hasMore": offset + len(page) < len(items),
            },
        )

    def _get_rejects(self, sync_id: int, *, query: dict[str, list[str]], **_: Any) -> _Reply:
        sync = self._sync_or_404(sync_id)
        if isinstance(sync, _Reply):
            return sync
        final = sync.status in ("success", "warning", "error")
        return self._page(sync.rejects if final else [], query)

    def _get_logs(self, sync_id: int, *, query: dict[str, list[str]], **_: Any) -> _Reply:
        sync = self._sync_or_404(sync_id)
        if isinstance(sync, _Reply):
            return sync
        uri = f"/syncs/{sync.id}"
        counts: dict[str, int] = {}
        for reject in sync.rejects:
            counts[reject["statusCode"]] = counts.get(reject["statusCode"], 0) + 1
        entries = [("ELQ-00001", "Total records processed.", len(sync.rows))]
        entries += [(code, "Rejected records.", n) for code, n in sorted(counts.items())]
        entries.append(("ELQ-00069", "Activities created.", len(sync.rows) - len(sync.rejects)))
        items = [
            {
                "syncUri": uri,
                "count": n,
                "severity": "information",
                "statusCode": code,
                "message": msg,
                "createdAt": sync.created_at,
            }
            for code, msg, n in entries
        ]
        return self._page(items, query)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeEloqua

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return  # the client went away; that is what some tests do
        if exc is not None:
            self.fake.server_errors.append(exc)
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        method, path, query = self.command, split.path, parse_qs(split.query)
        with fake._lock:
            fault = fake._take_fault(method, path)
            reply = None
            if fault is None or fault.after_processing:
                reply = fake.handle(method, path, query, self.headers, body)
            status = self._status_of(fault, reply)
            fake._requests.append(
                RecordedRequest(
                    method=method,
                    path=path,
                    query=query,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body_sha256=hashlib.sha256(body).hexdigest(),
                    body_size=len(body),
                    status=status,
                )
            )
        if fault is not None:
            self._apply(fault)
        elif reply is not None:
            self._send(reply)

    @staticmethod
    def _status_of(fault: Fault | None, reply: _Reply | None) -> int | None:
        if fault is None:
            return reply.status if reply else None
        return fault.status if fault.kind in ("status", "garbage", "echo", "echo_html") else None

    def _send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        if reply.body:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _echo(self, kind: FaultKind) -> bytes:
        """Return a body quoting this request's headers, the Authorization one first."""
        auth = self.headers.get("Authorization") or ""
        headers = {"Authorization": auth, **dict(self.headers.items())}
        if kind == "echo_html":
            lines = "".join(f"<li>{name}: {value}</li>" for name, value in headers.items())
            return (
                f"<html><body><h1>502 Bad Gateway</h1><p>Authorization: {auth}</p>"
                f"<ul>{lines}</ul><p>{self.command} {self.path}</p></body></html>"
            ).encode()
        echo = {
            "failures": [{"field": "Authorization", "value": auth, "constraint": "echoed"}],
            "error": f"proxy echo: Authorization: {auth}",
            "request": {"method": self.command, "path": self.path, "headers": headers},
        }
        return json.dumps(echo).encode()

    def _apply(self, fault: Fault) -> None:
        if fault.kind == "status":
            self._send(_Reply(fault.status, fault.body, dict(fault.headers)))
        elif fault.kind == "garbage":
            self._send(
                _Reply(fault.status, b'{"uri": "/syncs/1", <<garbage>>', dict(fault.headers))
            )
        elif fault.kind in ("echo", "echo_html"):
            self._send(_Reply(fault.status, self._echo(fault.kind), dict(fault.headers)))
        elif fault.kind == "drop":
            self._drop()
        else:  # drop_mid_body: promise 1000 bytes, send a few, hang up
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"uri": "/syn')
            self.wfile.flush()
            self._drop()
