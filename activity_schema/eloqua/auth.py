"""Hold Eloqua credentials, check them, and turn them into an ``Authorization`` header.

Secrets never leave this module in readable form except through
:meth:`Credentials.authorization_header`: ``repr``/``str`` mask them, every error
message names the *variable* (``ELOQUA_TOKEN``), never a value, and
:meth:`Credentials.redactor` removes them from any text.

Each value is checked before it is used, so that a stray character fails at once in
one line instead of inside httpx (whose error quotes the whole header) or as a 401:

- no control characters (CR, LF, TAB, NUL ...), no invisible format characters (a
  zero-width space, a byte-order mark) and no bytes that are not UTF-8;
- a token is printable ASCII (RFC 6750), since it travels in the header as it is;
- a site and user name have no surrounding spaces and no ``:`` (RFC 7617), the site no
  ``\\``;
- a password may hold any printable character, spaces included, used exactly as
  given; non-ASCII ones are sent as UTF-8 (RFC 7617's only charset).
"""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import ConfigError
from .constants import ENV_PASSWORD, ENV_SITE, ENV_TOKEN, ENV_USER
from .redact import Redactor

__all__ = ["Credentials", "check_credential"]

_MASK = "***"
# How the characters a value most often picks up by accident are named in errors.
_CONTROL_NAMES = {"\r": "CR", "\n": "LF", "\t": "TAB", "\x00": "NUL", "\x7f": "DEL"}
_FIX_LINE_END = (
    "remove it; a value read from a file keeps its line end, and the CR of Windows line "
    "endings survives $(cat FILE): use $(tr -d '\\r\\n' < FILE)"
)
_LABELS = {"site": "the Eloqua site", "user": "the Eloqua user", "password": "the password"}


def check_credential(value: str, kind: str, name: str | None = None) -> None:
    """Refuse a credential value that would be sent wrongly or not at all.

    Args:
        value: The value, as given.
        kind: ``token``, ``site``, ``user`` or ``password``.
        name: What the message calls it (``ELOQUA_TOKEN``); default: a description.

    Raises:
        ConfigError: A one-line message naming ``name`` and a position, never the value.

    Example:
        >>> try:
        ...     check_credential("tok-123\\r", "token", "ELOQUA_TOKEN")
        ... except ConfigError as err:
        ...     print(err.message)
        ELOQUA_TOKEN contains a control character (CR) at position 8
    """
    label = name or _LABELS.get(kind, f"the Eloqua {kind}")
    for position, char in enumerate(value, start=1):
        problem, hint = _problem(char, kind)
        if problem:
            raise ConfigError(f"{label} contains {problem} at position {position}", hint=hint)
    if kind == "password":
        return
    if value != value.strip():
        end = "starts" if value[:1].isspace() else "ends"
        raise ConfigError(
            f"{label} {end} with a space",
            hint=f"remove it; {label} is used exactly as given",
        )
    if kind in ("site", "user") and ":" in value:
        raise ConfigError(
            f"{label} contains ':' at position {value.index(':') + 1}",
            hint="Basic authentication cannot carry a ':' in Site\\User; use a token",
        )
    if kind == "site" and "\\" in value:
        raise ConfigError(f"{label} must not contain a backslash", hint="give the site name alone")


def _problem(char: str, kind: str) -> tuple[str, str]:
    """Return what is wrong with one character of a ``kind`` value, and the fix ("" if fine)."""
    category = unicodedata.category(char)
    if category == "Cc":
        named = _CONTROL_NAMES.get(char, f"U+{ord(char):04X}")
        return f"a control character ({named})", _FIX_LINE_END
    if category == "Cs":
        return "bytes that are not UTF-8", "set it as UTF-8 text"
    if category in ("Cf", "Zl", "Zp", "Co", "Cn") or (category == "Zs" and char != " "):
        described = unicodedata.name(char, "unnamed")
        return (
            f"an invisible or unusual character (U+{ord(char):04X} {described})",
            "remove it; it usually comes from copying the value out of a web page or document",
        )
    if kind == "token":
        if char == " ":
            return "a space", "an OAuth token has no spaces; copy it again"
        if not char.isascii():
            # Named by position only: the character itself is part of the secret.
            return (
                "a non-ASCII character",
                "an OAuth token is printable ASCII; copy it again from the token response",
            )
    return "", ""


@dataclass(frozen=True, repr=False)
class Credentials:
    """Authenticate to Eloqua with Basic (site, user, password) or a Bearer token.

    Build them with :meth:`basic`, :meth:`bearer` or :meth:`from_env`; exactly one kind
    must be complete.

    Example:
        >>> creds = Credentials.basic("APITest", "API.User", "s3cret")
        >>> creds
        Credentials(kind='basic', site='APITest', user='API.User', password='***')
    """

    site: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __post_init__(self) -> None:
        basic = (self.site, self.user, self.password)
        if self.token is not None:
            if any(part is not None for part in basic):
                raise ConfigError(
                    "give either a token or site, user and password, not both",
                    where="credentials",
                )
            if not self.token.strip():
                raise ConfigError("the Eloqua token is empty", where="credentials")
            check_credential(self.token, "token")
            return
        missing = [
            name
            for name, value in zip(("site", "user", "password"), basic, strict=True)
            if not value
        ]
        if missing:
            raise ConfigError(
                f"Eloqua credentials are incomplete: missing {', '.join(missing)}",
                where="credentials",
                hint="give site, user and password, or a token",
            )
        for kind, value in zip(("site", "user", "password"), basic, strict=True):
            check_credential(value or "", kind)

    @classmethod
    def basic(cls, site: str, user: str, password: str) -> Credentials:
        """Return Basic credentials for ``Site\\User`` and a password.

        Example:
            >>> Credentials.basic("APITest", "API.User", "pw").kind
            'basic'
        """
        return cls(site=site, user=user, password=password)

    @classmethod
    def bearer(cls, token: str) -> Credentials:
        """Return OAuth 2 Bearer credentials.

        Example:
            >>> Credentials.bearer("abc").kind
            'bearer'
        """
        return cls(token=token)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Credentials:
        """Read credentials from an environment mapping (pass ``os.environ`` from the CLI).

        ``ELOQUA_TOKEN`` wins when set; otherwise ``ELOQUA_SITE``, ``ELOQUA_USER`` and
        ``ELOQUA_PASSWORD`` must all be set and non-empty. A blank value counts as not
        set. Each value is checked with :func:`check_credential`, under its variable's
        name.

        Raises:
            ConfigError: Neither a token nor a complete site/user/password is set, or a
                value holds a character it cannot be sent with (the message names the
                variable and the position, never the value).

        Example:
            >>> Credentials.from_env({"ELOQUA_TOKEN": "abc"}).kind
            'bearer'
        """
        token = env.get(ENV_TOKEN, "")
        if token.strip():
            check_credential(token, "token", ENV_TOKEN)
            return cls.bearer(token)
        names = (ENV_SITE, ENV_USER, ENV_PASSWORD)
        missing = [name for name in names if not env.get(name, "").strip()]
        if missing:
            raise ConfigError(
                f"Eloqua credentials are incomplete: {', '.join(missing)} not set",
                where="environment",
                hint=f"set {ENV_SITE}, {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}",
            )
        for kind, name in zip(("site", "user", "password"), names, strict=True):
            check_credential(env[name], kind, name)
        return cls.basic(env[ENV_SITE], env[ENV_USER], env[ENV_PASSWORD])

    @property
    def kind(self) -> str:
        """Return ``"bearer"`` or ``"basic"``."""
        return "bearer" if self.token is not None else "basic"

    def authorization_header(self) -> str:
        """Return the value of the ``Authorization`` header (contains the secret).

        Example:
            >>> Credentials.basic("S", "U", "p").authorization_header()
            'Basic U1xVOnA='
        """
        if self.token is not None:
            return f"Bearer {self.token}"
        raw = f"{self.site}\\{self.user}:{self.password}".encode()  # UTF-8, as RFC 7617 says
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def redactor(self) -> Redactor:
        """Return the redactor of these secrets: the token, or the password and header.

        Example:
            >>> creds = Credentials.basic("S", "U", "p4ss")
            >>> creds.redactor()(f"got {creds.authorization_header()!r} for p4ss")
            "got 'Basic ***' for ***"
        """
        if self.token is not None:
            return Redactor.of(self.token) + Redactor.for_header(self.authorization_header())
        return Redactor.for_basic(self.site, self.user, self.password)

    def __repr__(self) -> str:
        if self.token is not None:
            return f"Credentials(kind='bearer', token='{_MASK}')"
        return (
            f"Credentials(kind='basic', site={self.site!r}, user={self.user!r}, password='{_MASK}')"
        )

    __str__ = __repr__
