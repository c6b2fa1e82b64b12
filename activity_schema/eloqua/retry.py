"""Decide whether, and how long, to wait before repeating a failed request.

Only throttling and server-side hiccups are retried (429, 500, 502, 503, 504) and
transport failures (connect/read/write timeouts, refused or dropped connections,
a server closing the connection mid-response). A 4xx answer other than 429 is a
verdict, not a hiccup, and is never retried.

Requests that must not be repeated once they may have reached Eloqua (a data POST:
activities are not de-duplicated) use a policy with ``retry_sent=False``: then only
failures where the request surely never left (:func:`is_unsent_exception`) are retried.

Backoff is exponential with "full jitter" (AWS architecture blog): the wait before
attempt ``n + 1`` is drawn from ``[0, min(max_delay, base_delay * 2 ** (n - 1))]``.
A ``Retry-After`` header overrides it and is honoured as given, within the total
time budget.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ..errors import ConfigError
from .constants import (
    RETRY_BASE_DELAY,
    RETRY_MAX_ATTEMPTS,
    RETRY_MAX_DELAY,
    RETRY_TOTAL_TIMEOUT,
    RETRYABLE_STATUS_CODES,
)

__all__ = [
    "RetryEvent",
    "RetryHook",
    "RetryPolicy",
    "is_retryable_exception",
    "is_unsent_exception",
    "parse_retry_after",
]


@dataclass(frozen=True)
class RetryPolicy:
    """Bound how often and how long a request is repeated.

    Attributes:
        max_attempts: Attempts in total, the first included (1 disables retries).
        base_delay: Seconds; the cap of the first backoff.
        max_delay: Seconds; the cap of any computed backoff.
        total_timeout: Seconds one call may take, waits included; a wait that would
            end past it is not started.
        jitter: Draw each backoff uniformly from ``[0, cap]`` (True) or wait the cap.
        retry_status_codes: HTTP statuses worth another attempt.
        retry_sent: Also retry transport failures after which the server may have
            received the request (read timeouts, dropped connections); False keeps a
            non-idempotent request to failures where it surely never left.

    Example:
        >>> RetryPolicy(jitter=False).backoff(3)
        2.0
    """

    max_attempts: int = RETRY_MAX_ATTEMPTS
    base_delay: float = RETRY_BASE_DELAY
    max_delay: float = RETRY_MAX_DELAY
    total_timeout: float = RETRY_TOTAL_TIMEOUT
    jitter: bool = True
    retry_status_codes: frozenset[int] = RETRYABLE_STATUS_CODES
    retry_sent: bool = True

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigError("retry max_attempts must be at least 1", where="RetryPolicy")
        if min(self.base_delay, self.max_delay, self.total_timeout) < 0:
            raise ConfigError("retry delays and timeout must not be negative", where="RetryPolicy")
        never = self.retry_status_codes & {400, 401, 403, 404, 409, 413}
        if never:
            raise ConfigError(
                f"status {sorted(never)} must never be retried: the answer will not change",
                where="RetryPolicy",
            )

    def backoff(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Return the seconds to wait after failed attempt number ``attempt`` (1-based).

        Args:
            attempt: The attempt that just failed.
            rand: A source of floats in ``[0, 1)``; injectable for tests.
        """
        exponent = min(attempt - 1, 62)  # keeps 2 ** exponent a finite float
        cap = min(self.max_delay, self.base_delay * math.pow(2, exponent))
        return cap * rand() if self.jitter else cap

    def should_retry_status(self, status_code: int) -> bool:
        """Return True when a response with ``status_code`` deserves another attempt."""
        return status_code in self.retry_status_codes

    def should_retry_exception(self, exc: httpx.HTTPError) -> bool:
        """Return True when a transport failure deserves another attempt."""
        if self.retry_sent:
            return is_retryable_exception(exc)
        return is_unsent_exception(exc)


@dataclass(frozen=True)
class RetryEvent:
    """Tell a progress display that a request failed and will be repeated.

    Attributes:
        attempt: The attempt that failed (1-based).
        max_attempts: The attempt budget.
        reason: Why, e.g. ``HTTP 503`` or ``ReadTimeout``.
        delay: Seconds the client now waits.
        method: The HTTP method.
        url: The request URL (never carries credentials).
        status_code: The HTTP status, when there was a response.
    """

    attempt: int
    max_attempts: int
    reason: str
    delay: float
    method: str
    url: str
    status_code: int | None = None


RetryHook = Callable[[RetryEvent], None]


def is_retryable_exception(exc: httpx.HTTPError) -> bool:
    """Return True for transport failures that a new attempt may cure.

    Timeouts, network errors (refused, reset, failed reads and writes) and a server
    that closed the connection before or while answering are retried; a malformed
    request, an unsupported scheme or a proxy failure are not.
    """
    return isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError)


def is_unsent_exception(exc: httpx.HTTPError) -> bool:
    """Return True for transport failures after which the request surely never left.

    The connection could not be made (refused, DNS, TLS handshake, connect timeout) or
    no pooled connection became free: no byte of the request reached the server.
    """
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for, or None when absent or bad.

    Args:
        value: The header: delay seconds (``"120"``) or an HTTP date.
        now: The current time for HTTP dates; defaults to the wall clock.

    Example:
        >>> parse_retry_after("1")
        1.0
        >>> parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT",
        ...                   now=datetime(2015, 10, 21, 7, 28, tzinfo=UTC))
        30.0
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
