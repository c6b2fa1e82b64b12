"""Remove Eloqua secrets from any text before it is shown, logged or stored.

A secret can reach a message by many roads: an httpx error quoting an illegal header
value, a proxy that echoes the request headers in its error page, a JSON body that
escapes the backslash of ``Site\\User``, a URL-encoded query string. A
:class:`Redactor` knows every form its secrets take on those roads and replaces each
with ``***``; it is the one function every message, log line, state file and
exception text passes through.

It is a value object with no global registry on purpose: a process-wide list of secrets
would let a one-letter token of one client blank out every ``t`` in another's errors.

Example:
    >>> redact = Redactor.of("s3cret")
    >>> redact("password=s3cret; echoed as s3cret%21 and s3cret")
    'password=***; echoed as ***%21 and ***'
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import logging
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

from .constants import ENV_PASSWORD, ENV_SITE, ENV_TOKEN, ENV_USER

__all__ = ["HTTP_LOGGERS", "MASK", "LogRedaction", "Redactor"]

#: What a secret is replaced with.
MASK = "***"

#: The loggers whose records may quote what Eloqua (or a proxy) answered: httpcore logs
#: response headers at DEBUG level. A filter on a logger sees only that logger's own
#: records, not its children's, hence every name.
HTTP_LOGGERS = (
    "activity_schema.eloqua",
    "activity_schema.eloqua.client",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)

_PERCENT_HEX = re.compile(r"%[0-9A-F]{2}")


@dataclass(frozen=True, repr=False)
class Redactor:
    """Replace every known form of some secrets with :data:`MASK`.

    Build it with :meth:`of` (raw secret values), :meth:`for_basic`,
    :meth:`for_header` (an ``Authorization`` value) or :meth:`from_env`; combine two
    with ``+``. Calling it on text returns the text without any form of the secrets.

    Attributes:
        forms: Every literal string removed, longest first (so that a longer form is
            removed whole before a shorter one inside it).

    Example:
        >>> redact = Redactor.for_basic("Site", "User", "pw:1")
        >>> redact("Authorization: Basic U2l0ZVxVc2VyOnB3OjE=")
        'Authorization: Basic ***'
        >>> redact("user 'Site\\\\User:pw:1', password pw:1")
        "user '***', password ***"
    """

    forms: tuple[str, ...] = ()
    _pattern: re.Pattern[str] | None = field(default=None, init=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted({f for f in self.forms if f}, key=lambda f: (-len(f), f)))
        object.__setattr__(self, "forms", ordered)
        if ordered:
            pattern = re.compile("|".join(re.escape(form) for form in ordered))
            object.__setattr__(self, "_pattern", pattern)

    @classmethod
    def of(cls, *secrets: str | None) -> Redactor:
        """Return a redactor of each secret in its raw, escaped and encoded forms.

        Empty and None values are ignored. The forms are the value as given and stripped
        of surrounding whitespace, with runs of whitespace collapsed (as one-line error
        messages do), JSON-, Python-repr-, HTML- and URL-escaped.

        Example:
            >>> Redactor.of('a"b  c')('{"password": "a\\\\"b  c"} or a%22b%20%20c')
            '{"password": "***"} or ***'
        """
        return cls(tuple(form for secret in secrets if secret for form in _forms(secret)))

    @classmethod
    def for_basic(cls, site: str | None, user: str | None, password: str | None) -> Redactor:
        """Return a redactor of a Basic password and of ``base64("Site\\User:password")``.

        The site and user name are not secret; the ``Site\\User:password`` string is
        covered because it contains the password.
        """
        if not password:
            return cls()
        forms = list(_forms(password))
        if site is not None and user is not None:
            userpass = f"{site}\\{user}:{password}"
            forms += _forms(userpass)
            for encoding in ("utf-8", "latin-1"):
                try:
                    raw = userpass.encode(encoding)
                except UnicodeEncodeError:
                    continue
                forms += _base64_forms(raw)
        return cls(tuple(forms))

    @classmethod
    def for_header(cls, value: str | None) -> Redactor:
        """Return a redactor of an ``Authorization`` header value and the secret in it.

        Example:
            >>> Redactor.for_header("Bearer tok-123")("got 'tok-123'")
            "got '***'"
        """
        if not value:
            return cls()
        scheme, _, credentials = value.partition(" ")
        redactor = cls.of(value, credentials)
        if scheme.lower() == "basic":
            try:
                userpass = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                return redactor
            user_id, _, password = userpass.partition(":")
            site, _, user = user_id.partition("\\")
            redactor += cls.for_basic(site, user, password)
        return redactor

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Redactor:
        """Return a redactor of the ``ELOQUA_*`` secrets in ``env``, valid or not.

        It reads the values as they are, so that a token refused for a stray control
        character is still removed from whatever mentions it.

        Example:
            >>> Redactor.from_env({"ELOQUA_TOKEN": "tok\\r"})("Bearer tok\\r and tok")
            'Bearer *** and ***'
        """
        return cls.of(env.get(ENV_TOKEN)) + cls.for_basic(
            env.get(ENV_SITE), env.get(ENV_USER), env.get(ENV_PASSWORD)
        )

    def __add__(self, other: Redactor) -> Redactor:
        return Redactor(self.forms + other.forms)

    def __bool__(self) -> bool:
        return bool(self.forms)

    def __call__(self, text: str) -> str:
        """Return ``text`` with every form of the secrets replaced by :data:`MASK`."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def all(self, texts: Iterable[str]) -> list[str]:
        """Return each of ``texts`` redacted."""
        return [self(text) for text in texts]

    def __repr__(self) -> str:
        # Never the forms themselves: they are the secrets.
        return f"Redactor({len(self.forms)} forms)"


class LogRedaction(logging.Filter):
    """Redact the records of :data:`HTTP_LOGGERS` while installed (a client's lifetime).

    Args:
        redact: The redactor applied to each record's message.
        names: The loggers to filter.
        owner: When given, the filter is removed once ``owner`` is garbage collected.

    Example:
        >>> with LogRedaction(Redactor.of("s3cret")) as installed:
        ...     logging.getLogger("httpx").filters[-1] is installed
        True
    """

    def __init__(
        self, redact: Redactor, names: tuple[str, ...] = HTTP_LOGGERS, owner: object = None
    ) -> None:
        super().__init__()
        self._redact = redact
        self._loggers = [logging.getLogger(name) for name in names] if redact else []
        for logger in self._loggers:
            logger.addFilter(self)
        if owner is not None:
            # Off the loggers when the owner (a client) is collected without close().
            weakref.finalize(owner, self.remove)

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message by its redacted text; never drop a record."""
        message = record.getMessage()
        cleaned = self._redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

    def remove(self) -> None:
        """Take the filter off every logger it was put on."""
        for logger in self._loggers:
            logger.removeFilter(self)
        self._loggers = []

    def __enter__(self) -> LogRedaction:
        return self

    def __exit__(self, *_: object) -> None:
        self.remove()


def _forms(secret: str) -> Iterator[str]:
    """Yield the forms ``secret`` may take in a message, a body, a URL or a log line."""
    bases = {secret, secret.strip(), " ".join(secret.split())}
    for base in bases - {""}:
        yield base
        yield json.dumps(base)[1:-1]
        yield json.dumps(base, ensure_ascii=False)[1:-1]
        yield repr(base)[1:-1]
        yield html.escape(base)
        yield html.escape(base, quote=False)
        for encoded in (quote(base, safe=""), quote_plus(base, safe=""), quote(base)):
            yield encoded
            yield _PERCENT_HEX.sub(lambda m: m.group(0).lower(), encoded)


def _base64_forms(raw: bytes) -> Iterator[str]:
    """Yield ``raw`` in base64 as headers, JSON and URLs carry it."""
    for encoded in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
        for form in (encoded, encoded.rstrip("=")):
            yield form
            yield form.replace("/", "\\/")  # JSON encoders that escape the slash
            yield quote(form, safe="")
