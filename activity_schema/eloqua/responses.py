"""Map Eloqua's HTTP answers to typed errors and decoded JSON.

Each error carries the status code, the request URL, the import id and part when
known, and Eloqua's ``failures`` list for a 400. Messages quote at most a short
excerpt of a response body and never a request header. Whatever comes from a body is
redacted first (a proxy may echo the request's headers in its error page): the secret
is read back from the request's own ``Authorization`` header, so every answer is
cleaned of exactly what was sent with it.
"""

from __future__ import annotations

import json

import httpx

from ..errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ProtocolError,
    ServerError,
    StorageExceededError,
    UploadError,
)
from .constants import ENV_PASSWORD, ENV_SITE, ENV_TOKEN, ENV_USER
from .redact import Redactor

__all__ = [
    "body_excerpt",
    "decode_json",
    "error_for_response",
    "excerpt",
    "parse_failures",
    "redactor_of",
]

_EXCERPT_CHARS = 200
_FAILURES_SHOWN = 3

# status -> (class, message, hint)
_BY_STATUS: dict[int, tuple[type[UploadError], str, str]] = {
    400: (
        BadRequestError,
        "Eloqua refused the request as malformed (400)",
        "fix the fields or values named in the failures; at most 500 POSTs may be staged per sync",
    ),
    401: (
        AuthenticationError,
        "Eloqua rejected the credentials (401)",
        f"check {ENV_SITE}, {ENV_USER} and {ENV_PASSWORD} (or {ENV_TOKEN}) and that the "
        "user may use the API",
    ),
    403: (
        ForbiddenError,
        "the Eloqua user may not use this endpoint or import definition (403)",
        "ask an Eloqua administrator for API access to activity imports",
    ),
    404: (
        NotFoundError,
        "Eloqua answered 404: the import definition or URL does not exist, or the body was "
        "over 32 MB (Eloqua answers 404 for an over-32 MB body too)",
        "check the import id and base URL, and keep each POST under 32,000,000 bytes",
    ),
    409: (
        ConflictError,
        "Eloqua answered 409 (conflict): the import definition is busy, usually because a "
        "sync is running",
        "wait for the running sync to finish, then try again",
    ),
    413: (
        StorageExceededError,
        "Eloqua's staging storage is full (413)",
        "sync or clear the staged data (DELETE .../data), then try again",
    ),
    410: (UploadError, "the resource is no longer available (410)", "check the import id"),
    412: (UploadError, "the resource has dependencies (412)", "remove the dependencies first"),
}


def excerpt(text: str, limit: int = _EXCERPT_CHARS) -> str:
    """Return ``text`` on one line, cut to ``limit`` characters.

    Example:
        >>> excerpt("a\\n  b" + "c" * 300, 5)
        'a bcc...'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "..."


def redactor_of(response: httpx.Response) -> Redactor:
    """Return the redactor of the secret the request of ``response`` carried."""
    return Redactor.for_header(response.request.headers.get("authorization"))


def body_excerpt(response: httpx.Response, limit: int = _EXCERPT_CHARS) -> str:
    """Return the start of the body on one line, redacted before it is cut.

    Redacting first matters: a secret cut in two by the limit would no longer match.
    """
    return excerpt(redactor_of(response)(response.text), limit)


def parse_failures(response: httpx.Response) -> list[dict[str, object]]:
    """Return Eloqua's ``failures`` list from a 400 body, or ``[]`` if it has none.

    String values are redacted: the list travels on the error, and may be stored.
    """
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return []
    failures = data.get("failures") if isinstance(data, dict) else None
    if not isinstance(failures, list):
        return []
    redact = redactor_of(response)
    return [
        {key: redact(value) if isinstance(value, str) else value for key, value in item.items()}
        for item in failures
        if isinstance(item, dict)
    ]


def _describe_failures(failures: list[dict[str, object]]) -> str:
    parts = []
    for item in failures[:_FAILURES_SHOWN]:
        field = item.get("field")
        value = item.get("value")
        constraint = item.get("constraint") or "invalid"
        text = f"field {field!r}" if field else "request"
        if value not in (None, ""):
            text += f" (value {excerpt(str(value), 60)!r})"
        parts.append(f"{text}: {constraint}")
    if len(failures) > _FAILURES_SHOWN:
        parts.append(f"and {len(failures) - _FAILURES_SHOWN} more")
    return "; ".join(parts)


def error_for_response(
    response: httpx.Response,
    *,
    import_id: int | None = None,
    part: str | None = None,
    attempts: int = 1,
) -> UploadError:
    """Return the typed error for a non-2xx ``response`` (the caller raises it).

    Args:
        response: The final answer, body already read.
        import_id: The import definition involved, when known.
        part: The part being posted, when known.
        attempts: How many attempts were made (mentioned for 5xx and 429).
    """
    status = response.status_code
    url = str(response.request.url)
    if status in _BY_STATUS:
        cls, message, hint = _BY_STATUS[status]
        failures = parse_failures(response) if status == 400 else []
        if failures:
            message = f"{message}: {_describe_failures(failures)}"
        elif status == 400 and response.content:
            message = f"{message}: {body_excerpt(response)}"
        return cls(
            message,
            status_code=status,
            failures=failures,
            import_id=import_id,
            part=part,
            url=url,
            hint=hint,
        )
    if status == 429 or status >= 500:
        tries = f" after {attempts} attempt{'s' if attempts != 1 else ''}"
        what = "throttled the requests (429)" if status == 429 else f"answered {status}"
        return ServerError(
            f"Eloqua {what}{tries}",
            status_code=status,
            import_id=import_id,
            part=part,
            url=url,
            hint="Eloqua is busy or down; try again later (finished parts need not be re-sent)",
        )
    if 300 <= status < 400:
        location = redactor_of(response)(response.headers.get("location", "?"))
        return ProtocolError(
            f"Eloqua answered an unexpected redirect ({status}) to {location}",
            status_code=status,
            import_id=import_id,
            part=part,
            url=url,
            hint="check the base URL (it may be for another pod)",
        )
    return UploadError(
        f"Eloqua answered {status}: {body_excerpt(response) or response.reason_phrase}",
        status_code=status,
        import_id=import_id,
        part=part,
        url=url,
    )


def decode_json(
    response: httpx.Response,
    what: str,
    *,
    import_id: int | None = None,
    part: str | None = None,
) -> object:
    """Return the decoded JSON body of ``response``.

    Raises:
        ProtocolError: The body is not UTF-8 JSON.
    """
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError(
            f"{what}: Eloqua answered {response.status_code} with a body that is not JSON: "
            f"{body_excerpt(response)!r}",
            status_code=response.status_code,
            import_id=import_id,
            part=part,
            url=str(response.request.url),
        ) from None
