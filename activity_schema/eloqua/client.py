"""Talk to Eloqua's Bulk API 2.0 activity-import endpoints over httpx.

The client is thin on purpose: it sends bodies it is given, retries only what a retry
can cure (see :mod:`activity_schema.eloqua.retry`), and turns every other answer into
a typed :class:`~activity_schema.errors.UploadError`. Chunking, manifests and progress
display belong to the caller.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Literal, get_args

import httpx

from ..errors import (
    AuthenticationError,
    ConflictError,
    ProtocolError,
    ServerError,
    TransportError,
    UnreachableError,
    UploadError,
    UsageError,
)
from .auth import Credentials
from .constants import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_LOGIN_URL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_SYNC_TIMEOUT,
    ENV_BASE_URL,
    ENV_LOGIN_URL,
    ENV_PASSWORD,
    ENV_SITE,
    ENV_TOKEN,
    ENV_USER,
    IDENTITY_PATH,
    IMPORT_DATA_PATH,
    IMPORT_DEFINITION_PATH,
    IMPORTS_PATH,
    MAX_BODY_BYTES,
    PAGE_LIMIT,
    SYNC_LOGS_PATH,
    SYNC_LOOKUP_SKEW,
    SYNC_PATH,
    SYNC_REJECTS_PATH,
    SYNCED_INSTANCE_URI,
    SYNCS_PATH,
    USER_AGENT,
)
from .models import (
    ImportDataResult,
    ImportDefinition,
    Reject,
    Sync,
    SyncLog,
    parse_import_definition,
    parse_reject,
    parse_sync,
    parse_sync_log,
    sync_id_of,
)
from .redact import LogRedaction, Redactor
from .responses import body_excerpt, decode_json, error_for_response
from .retry import (
    RetryEvent,
    RetryHook,
    RetryPolicy,
    is_unsent_exception,
    parse_retry_after,
)
from .urls import check_url

__all__ = ["ContentType", "EloquaClient", "SyncLookupHook", "SyncPollHook"]

logger = logging.getLogger(__name__)

ContentType = Literal["application/json", "text/csv"]
SyncPollHook = Callable[[Sync], None]
SyncLookupHook = Callable[[UploadError, list[Sync]], None]
_CONTENT_TYPES: frozenset[str] = frozenset(get_args(ContentType))
_NOT_AUTHENTICATED = "Not authenticated."
# A sync POST is sent again only when it surely did not arrive (or was throttled, 429:
# refused before any processing). Any other failure may have created the sync: it is
# looked up before another attempt (see :meth:`EloquaClient.create_sync`).
_SYNC_POST_RETRY = RetryPolicy(max_attempts=1)


class EloquaClient:
    """Call the Bulk API 2.0 activity-import endpoints of one Eloqua instance.

    Args:
        credentials: Basic or Bearer credentials.
        base_url: The pod's URL (``https://secure.p03.eloqua.com``); discovered through
            ``{login_url}/id`` on first use when None.
        login_url: Where discovery asks.
        retry: How transient failures are retried.
        transport: An httpx transport (a ``MockTransport`` in tests); a default one
            honours the environment's proxy settings.
        timeout: Per-request httpx timeouts.
        max_body_bytes: The largest data POST sent (Eloqua answers 404 above 32 MB).
        sleep: Waits between attempts and polls; injectable for tests.
        clock: A monotonic clock in seconds; injectable for tests.
        now: The wall clock (aware UTC), compared with Eloqua's ``createdAt`` when a sync
            whose creation answer was lost is looked up.
        rand: A source of floats in ``[0, 1)`` for jitter; injectable for tests.
        on_retry: Called before each wait for a retry, e.g. to show progress.

    Raises:
        ConfigError: A URL is not https (plain http only to loopback) or embeds secrets.

    Example:
        >>> url = "https://secure.p03.eloqua.com"
        >>> with EloquaClient(Credentials.bearer("t"), base_url=url) as c:
        ...     c.base_url
        'https://secure.p03.eloqua.com'
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str | None = None,
        login_url: str = DEFAULT_LOGIN_URL,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        rand: Callable[[], float] = random.random,
        on_retry: RetryHook | None = None,
    ) -> None:
        self._credentials = credentials
        self._redact = credentials.redactor()  # applied to every text an exception carries
        # httpcore logs response headers; the filter goes with close() or the client.
        self._log_redaction = LogRedaction(self._redact, owner=self)
        self._login_url = check_url(login_url, ENV_LOGIN_URL)
        self._base_url = check_url(base_url, ENV_BASE_URL) if base_url else None
        self._retry = retry or RetryPolicy()
        self._max_body_bytes = max_body_bytes
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._rand = rand
        self._on_retry = on_retry
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout
            or httpx.Timeout(DEFAULT_REQUEST_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            follow_redirects=False,  # a redirect would carry the Authorization header along
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str], **options: Any) -> EloquaClient:
        """Build a client from ``ELOQUA_*`` variables; explicit ``options`` win.

        Reads ``ELOQUA_TOKEN`` or ``ELOQUA_SITE``/``ELOQUA_USER``/``ELOQUA_PASSWORD``,
        and optionally ``ELOQUA_BASE_URL`` (skips discovery) and ``ELOQUA_LOGIN_URL``.

        Example:
            >>> EloquaClient.from_env({"ELOQUA_TOKEN": "t",
            ...     "ELOQUA_BASE_URL": "https://secure.p03.eloqua.com"}).close()
        """
        if env.get(ENV_BASE_URL):
            options.setdefault("base_url", env[ENV_BASE_URL])
        if env.get(ENV_LOGIN_URL):
            options.setdefault("login_url", env[ENV_LOGIN_URL])
        return cls(Credentials.from_env(env), **options)

    def __repr__(self) -> str:
        return f"EloquaClient(base_url={self._base_url!r}, credentials={self._credentials!r})"

    @property
    def redactor(self) -> Redactor:
        """Return what removes this client's secrets from a text (see :mod:`.redact`)."""
        return self._redact

    def __enter__(self) -> EloquaClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()
        self._log_redaction.remove()

    # --- base URL -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Return the pod's base URL, discovering it on first use."""
        if self._base_url is None:
            self._base_url = self.discover_base_url()
        return self._base_url

    def discover_base_url(self) -> str:
        """Ask ``{login_url}/id`` for the pod's base URL (``urls.base``).

        Raises:
            AuthenticationError: Eloqua answered ``"Not authenticated."`` or 401.
            ProtocolError: The answer has no usable ``urls.base``.
        """
        response = self._request("GET", self._login_url + IDENTITY_PATH)
        data = decode_json(response, "base URL discovery")
        url = str(response.request.url)
        if data == _NOT_AUTHENTICATED:
            raise AuthenticationError(
                "Eloqua answered 'Not authenticated.' to base URL discovery",
                status_code=response.status_code,
                url=url,
                hint=f"check {ENV_SITE}, {ENV_USER} and {ENV_PASSWORD} (or {ENV_TOKEN})",
            )
        urls = data.get("urls") if isinstance(data, dict) else None
        base = urls.get("base") if isinstance(urls, dict) else None
        if not isinstance(base, str) or not base:
            raise ProtocolError(
                f"base URL discovery: the answer has no 'urls.base': {body_excerpt(response)!r}",
                status_code=response.status_code,
                url=url,
                hint=f"set {ENV_BASE_URL} to skip discovery",
            )
        try:
            return check_url(base, "discovered base URL")
        except UsageError as exc:
            raise ProtocolError(exc.message, url=url, hint=f"set {ENV_BASE_URL}") from None

    # --- import definitions and data --------------------------------------------------

    def create_import(self, body: Mapping[str, Any]) -> ImportDefinition:
        """Create an activity import definition (``POST /api/bulk/2.0/activities/imports``).

        Retried like any request: a lost answer may leave an unused definition behind,
        which holds no data and which Eloqua deletes after its ``autoDeleteDuration``.

        Args:
            body: An ``ActivityImportIndividual``: ``name``, ``fields`` {name: statement},
                ``isSyncTriggeredOnImport``, ``autoDeleteDuration``,
                ``dataRetentionDuration``.

        Raises:
            BadRequestError: Eloqua refused the definition (its ``failures`` attached).
            ProtocolError: The answer has no ``uri`` or ``fields``.

        Example (against a live instance; tests/eloqua runs it against a local fake)::

            client.create_import({"name": "Webinars", "fields": {
                "ActivityType": "{{Activity.Type}}"}}).uri   # '/activities/imports/2901'
        """
        response = self._request(
            "POST",
            self._url(IMPORTS_PATH),
            content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json"},
        )
        data = decode_json(response, "import definition")
        try:
            return parse_import_definition(data)
        except ProtocolError as exc:
            raise ProtocolError(
                self._redact(exc.message),
                status_code=response.status_code,
                url=str(response.request.url),
            ) from None

    def get_import_definition(self, import_id: int) -> dict[str, Any]:
        """Return the activity import definition ``import_id`` as Eloqua stores it.

        Raises:
            NotFoundError: No such definition.
            ProtocolError: The answer is not an object with a ``fields`` object.
        """
        path = IMPORT_DEFINITION_PATH.format(import_id=import_id)
        response = self._request("GET", self._url(path), import_id=import_id)
        data = decode_json(response, "import definition", import_id=import_id)
        if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
            raise ProtocolError(
                f"import definition {import_id}: expected an object with a 'fields' object",
                status_code=response.status_code,
                import_id=import_id,
                url=str(response.request.url),
            )
        return data

    def post_data(
        self,
        import_id: int,
        body: bytes,
        content_type: ContentType,
        part: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> ImportDataResult:
        """Stage one UTF-8 body (a JSON array of objects or a CSV) for an import.

        Args:
            import_id: The activity import definition id.
            body: At most ``max_body_bytes`` of UTF-8.
            content_type: ``application/json`` or ``text/csv``.
            part: A name for the body (a part file), carried by errors and the result.
            retry: The retry policy of this call (default: the client's). Eloqua does not
                de-duplicate activities, so a resent body may be staged twice; an
                uploader that must not duplicate rows passes ``RetryPolicy(retry_sent=False,
                retry_status_codes=frozenset({429}))`` (see :mod:`activity_schema.upload`).

        Returns:
            The result; ``sync`` is set when the definition syncs on import (201).

        Raises:
            UsageError: Empty, oversized or non-UTF-8 body, or another content type.
            UploadError: Any subclass, by Eloqua's answer.

        Example (against a live instance; tests/eloqua runs it against a local fake)::

            client.post_data(2900, b'[{"email": "a@b.c"}]', "application/json")
            # ImportDataResult(import_id=2900, status_code=204, sync=None, part=None)
        """
        self._check_body(body, content_type, part)
        path = IMPORT_DATA_PATH.format(import_id=import_id)
        response = self._request(
            "POST",
            self._url(path),
            content=body,
            headers={"Content-Type": content_type},
            import_id=import_id,
            part=part,
            retry=retry,
        )
        if response.status_code == 204 or not response.content:
            return ImportDataResult(import_id, response.status_code, None, part)
        data = decode_json(response, "import data response", import_id=import_id, part=part)
        sync = self._parse(parse_sync, data, response, import_id=import_id, part=part)
        return ImportDataResult(import_id, response.status_code, sync, part)

    def clear_staged_data(self, import_id: int) -> None:
        """Delete the data staged for ``import_id`` and not yet synced."""
        path = IMPORT_DATA_PATH.format(import_id=import_id)
        self._request("DELETE", self._url(path), import_id=import_id)

    # --- syncs ------------------------------------------------------------------------

    def create_sync(
        self,
        import_id: int,
        *,
        known: Collection[str] = (),
        on_lookup: SyncLookupHook | None = None,
    ) -> Sync:
        """Start a sync of everything staged for ``import_id``; never start two.

        A sync takes every row staged for the definition, so creating a second one after
        a lost answer would report a false, empty success and hide the first one's
        rejects. The POST is therefore repeated only when it surely never arrived
        (connection refused) or was throttled (429). After any other failure (a timeout
        or dropped connection after sending, a 5xx, a garbled answer), the client first
        looks for the sync among this definition's syncs created since the request
        (:meth:`find_syncs`) and returns it when found; only when none exists is the POST
        sent again, with backoff, within the client's retry budget.

        Args:
            import_id: The activity import definition id.
            known: Sync uris the caller already knows (never taken for the new one).
            on_lookup: Called with the failure and the syncs found, after each lookup.

        Raises:
            ConflictError: A sync of this definition that is not ours is running.
            UploadError: Any other failure once the budget is spent, or more than one
                unknown sync appeared since the request (the message names them).
        """
        payload = {"syncedInstanceUri": SYNCED_INSTANCE_URI.format(import_id=import_id)}
        url = self._url(SYNCS_PATH)
        policy = self._retry
        start = self._clock()
        first_sent: datetime | None = None
        attempt = 0
        while True:
            attempt += 1
            first_sent = first_sent or self._now()
            try:
                response = self._request(
                    "POST",
                    url,
                    content=json.dumps(payload).encode(),
                    headers={"Content-Type": "application/json"},
                    import_id=import_id,
                    retry=_SYNC_POST_RETRY,
                )
                data = decode_json(response, "sync", import_id=import_id)
                return self._parse(parse_sync, data, response, import_id=import_id)
            except UnreachableError as err:
                error: UploadError = err
                maybe_created = False
            except ConflictError as err:
                if attempt == 1:
                    raise  # a sync that is not ours runs: finish it first
                error, maybe_created = err, True  # our lost earlier attempt may be running
            except (ServerError, TransportError, ProtocolError) as err:
                error, maybe_created = err, err.status_code != 429
            if maybe_created:
                found = self.find_syncs(import_id, since=first_sent, exclude=known)
                if on_lookup is not None:
                    on_lookup(error, found)
                if len(found) == 1:
                    logger.info("the answer creating %s was lost; found it", found[0].uri)
                    return found[0]
                if len(found) > 1:
                    raise UploadError(
                        f"the answer to the sync creation was lost ({error.message}) and "
                        f"{len(found)} syncs of import {import_id} appeared since: "
                        + ", ".join(s.uri for s in found),
                        import_id=import_id,
                        url=url,
                        hint="another client syncs this definition too; check those syncs "
                        "in Eloqua before continuing",
                    )
                if isinstance(error, ConflictError):
                    raise error
            delay = policy.backoff(attempt, self._rand)
            if attempt >= policy.max_attempts or (
                self._clock() - start + delay > policy.total_timeout
            ):
                raise error
            reason = f"HTTP {error.status_code}" if error.status_code else error.message
            self.wait_to_retry(attempt, reason, delay, method="POST", url=url)

    def find_syncs(
        self,
        import_id: int,
        *,
        since: datetime,
        exclude: Collection[str] = (),
        skew: float = SYNC_LOOKUP_SKEW,
    ) -> list[Sync]:
        """Return the syncs of ``import_id`` created since ``since``, newest first.

        Reads ``GET /api/bulk/2.0/syncs`` ordered by ``createdAt DESC`` page by page and
        stops at the first sync older than ``since - skew`` (``skew`` allows for a
        difference between Eloqua's clock and ours). A ``createdAt`` without a time zone
        is read as UTC.

        Args:
            import_id: The activity import definition id.
            since: When the caller asked (aware; naive is read as UTC).
            exclude: Sync uris to leave out (those the caller already knows).
            skew: Seconds subtracted from ``since``.

        Example (against a live instance; tests/eloqua runs it against a local fake)::

            client.find_syncs(2900, since=datetime.now(UTC))
            # [Sync(uri='/syncs/384', status=<SyncStatus.PENDING: 'pending'>, ...)]
        """
        instance = SYNCED_INSTANCE_URI.format(import_id=import_id)
        cutoff = _aware(since) - timedelta(seconds=skew)
        found: list[Sync] = []
        pages = self._iter_pages_of(
            self._url(SYNCS_PATH), PAGE_LIMIT, {"orderBy": "createdAt DESC"}
        )
        for item in pages:
            sync = parse_sync(item)
            if sync.created_at is not None and _aware(sync.created_at) < cutoff:
                break
            if sync.synced_instance_uri == instance and sync.uri not in exclude:
                found.append(sync)
        return found

    def wait_to_retry(
        self, attempt: int, reason: str, delay: float, *, method: str, url: str
    ) -> None:
        """Tell the retry hook and wait ``delay`` seconds before attempt ``attempt + 1``.

        For callers that repeat a whole operation themselves (the uploader healing a
        lost data POST), so that their waits show and sleep as the client's own do.
        """
        policy = self._retry
        event = RetryEvent(attempt, policy.max_attempts, reason, delay, method, url, None)
        logger.info("retrying %s %s in %.1f s (%s)", method, url, delay, reason)
        if self._on_retry is not None:
            self._on_retry(event)
        self._sleep(delay)

    @property
    def retry_policy(self) -> RetryPolicy:
        """Return the client's retry policy (its budget bounds callers' own retries)."""
        return self._retry

    def random(self) -> float:
        """Return a float in ``[0, 1)`` from the client's (injectable) jitter source."""
        return self._rand()

    def get_sync(self, sync: Sync | str | int) -> Sync:
        """Return the current state of a sync given as a :class:`Sync`, uri or id."""
        sync_id = sync.id if isinstance(sync, Sync) else sync_id_of(sync)
        response = self._request("GET", self._url(SYNC_PATH.format(sync_id=sync_id)))
        return self._parse(parse_sync, decode_json(response, "sync"), response)

    def wait_for_sync(
        self,
        sync: Sync | str | int,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        timeout: float = DEFAULT_SYNC_TIMEOUT,
        on_poll: SyncPollHook | None = None,
    ) -> Sync:
        """Poll a sync until it is ``success``, ``warning`` or ``error``, and return it.

        A ``warning`` sync finished but rejected rows: read them with :meth:`iter_rejects`.

        Args:
            sync: The sync, its uri or id.
            poll_interval: Seconds between polls.
            timeout: Seconds to wait in total.
            on_poll: Called with every state fetched.

        Raises:
            UploadError: The sync is still running after ``timeout`` seconds.
        """
        start = self._clock()
        if isinstance(sync, Sync):
            current = sync
        else:
            current = self.get_sync(sync)
            if on_poll is not None:
                on_poll(current)
        while not current.status.is_final:
            if self._clock() - start + poll_interval > timeout:
                raise UploadError(
                    f"sync {current.uri} is still {current.status.value} after {timeout:g} s",
                    url=self._url(SYNC_PATH.format(sync_id=current.id)),
                    hint="wait longer, then read its status again; do not post the data again",
                )
            self._sleep(poll_interval)
            current = self.get_sync(current)
            if on_poll is not None:
                on_poll(current)
        return current

    def iter_rejects(self, sync: Sync | str | int, limit: int = PAGE_LIMIT) -> Iterator[Reject]:
        """Yield every row a sync rejected, fetching pages of ``limit`` by ``hasMore``."""
        for item in self._iter_pages(SYNC_REJECTS_PATH, sync, limit):
            yield parse_reject(item)

    def get_sync_logs(self, sync: Sync | str | int) -> list[SyncLog]:
        """Return every log entry of a sync (counts per ``ELQ-`` status code)."""
        return [parse_sync_log(item) for item in self._iter_pages(SYNC_LOGS_PATH, sync, PAGE_LIMIT)]

    # --- plumbing ---------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.base_url + path

    def _check_body(self, body: bytes, content_type: str, part: str | None) -> None:
        where = part or "request body"
        if content_type not in _CONTENT_TYPES:
            raise UsageError(
                f"content type {content_type!r} is not accepted",
                where=where,
                hint="use 'application/json' or 'text/csv'",
            )
        if not body:
            raise UsageError("the body is empty", where=where)
        if len(body) > self._max_body_bytes:
            raise UsageError(
                f"the body is {len(body):,} bytes; Eloqua takes at most "
                f"{self._max_body_bytes:,} per POST (and answers 404 above that)",
                where=where,
                hint="split the data into smaller parts",
            )
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(
                f"the body is not valid UTF-8 at byte {exc.start}",
                where=where,
                hint="Eloqua expects UTF-8; re-encode the data",
            ) from None

    def _parse(
        self,
        parser: Callable[[object], Sync],
        data: object,
        response: httpx.Response,
        import_id: int | None = None,
        part: str | None = None,
    ) -> Sync:
        try:
            return parser(data)
        except ProtocolError as exc:
            raise ProtocolError(
                self._redact(exc.message),  # a parser may quote a value of the answer
                status_code=response.status_code,
                import_id=import_id,
                part=part,
                url=str(response.request.url),
            ) from None

    def _iter_pages(self, template: str, sync: Sync | str | int, limit: int) -> Iterator[object]:
        sync_id = sync.id if isinstance(sync, Sync) else sync_id_of(sync)
        return self._iter_pages_of(self._url(template.format(sync_id=sync_id)), limit, {})

    def _iter_pages_of(
        self, url: str, limit: int, params: dict[str, int | str]
    ) -> Iterator[object]:
        offset = 0
        while True:
            response = self._request(
                "GET", url, params={**params, "limit": limit, "offset": offset}
            )
            page = decode_json(response, "page")
            items = page.get("items", []) if isinstance(page, dict) else None
            if not isinstance(page, dict) or not isinstance(items, list):
                raise ProtocolError(
                    "expected a page object with an 'items' list",
                    status_code=response.status_code,
                    url=str(response.request.url),
                )
            yield from items
            if not page.get("hasMore"):
                return
            if not items:
                raise ProtocolError(
                    "Eloqua said hasMore but sent an empty page", url=str(response.request.url)
                )
            offset += len(items)

    def _request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, int | str] | None = None,
        import_id: int | None = None,
        part: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> httpx.Response:
        """Send one request with retries; return a 2xx response or raise a typed error."""
        all_headers = {"Authorization": self._credentials.authorization_header()}
        all_headers.update(headers or {})
        policy = retry or self._retry
        start = self._clock()
        attempt = 0
        while True:
            attempt += 1
            status: int | None = None
            retry_after: float | None = None
            try:
                response = self._http.request(
                    method, url, content=content, headers=all_headers, params=params
                )
            except httpx.DecodingError as exc:
                raise ProtocolError(
                    f"the response could not be decoded: {self._redact(str(exc))}",
                    import_id=import_id,
                    part=part,
                    url=url,
                ) from None
            except httpx.HTTPError as exc:
                # httpx quotes an illegal header value whole: the Authorization one too.
                reason = self._redact(f"{type(exc).__name__}: {exc}".rstrip(": "))
                # Unsent failures get their own class: a caller may safely resend those.
                error_class = UnreachableError if is_unsent_exception(exc) else TransportError
                if not policy.should_retry_exception(exc):
                    raise error_class(
                        f"request failed: {reason}", import_id=import_id, part=part, url=url
                    ) from None
                final_error: UploadError = error_class(
                    f"could not reach Eloqua after {attempt} attempt{'s' if attempt > 1 else ''}: "
                    f"{reason}",
                    import_id=import_id,
                    part=part,
                    url=url,
                    hint="check the network and the base URL, then try again",
                )
            else:
                logger.debug("%s %s -> %s", method, response.request.url, response.status_code)
                if response.is_success:
                    return response
                if not policy.should_retry_status(response.status_code):
                    raise error_for_response(response, import_id=import_id, part=part)
                status = response.status_code
                reason = f"HTTP {status}"
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                final_error = error_for_response(
                    response, import_id=import_id, part=part, attempts=attempt
                )
            delay = retry_after if retry_after is not None else policy.backoff(attempt, self._rand)
            if attempt >= policy.max_attempts:
                raise final_error
            if self._clock() - start + delay > policy.total_timeout:
                note = (
                    f"; waiting {delay:g} s more would exceed the {policy.total_timeout:g} s budget"
                )
                raise type(final_error)(
                    final_error.message + note,
                    status_code=final_error.status_code,
                    failures=final_error.failures,
                    import_id=import_id,
                    part=part,
                    url=final_error.url,
                    hint=final_error.hint,
                )
            event = RetryEvent(attempt, policy.max_attempts, reason, delay, method, url, status)
            logger.info("retrying %s %s in %.1f s (%s)", method, url, delay, reason)
            if self._on_retry is not None:
                self._on_retry(event)
            self._sleep(delay)


def _aware(when: datetime) -> datetime:
    """Return ``when`` with a time zone, reading a naive one as UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
