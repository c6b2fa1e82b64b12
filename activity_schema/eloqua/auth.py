"""Hold Eloqua credentials and turn them into an ``Authorization`` header.

Secrets never leave this module in readable form except through
:meth:`Credentials.authorization_header`: ``repr``/``str`` mask them, and every error
message names the missing *variable*, never a value.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass

from activity_schema.eloqua.constants import ENV_PASSWORD, ENV_SITE, ENV_TOKEN, ENV_USER
from activity_schema.errors import ConfigError

__all__ = ["Credentials"]

_MASK = "***"


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
        if "\\" in (self.site or ""):
            raise ConfigError(
                "the Eloqua site name must not contain a backslash", where="credentials"
            )

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
        ``ELOQUA_PASSWORD`` must all be set and non-empty.

        Raises:
            ConfigError: Neither a token nor a complete site/user/password is set.

        Example:
            >>> Credentials.from_env({"ELOQUA_TOKEN": "abc"}).kind
            'bearer'
        """
        token = env.get(ENV_TOKEN, "")
        if token.strip():
            return cls.bearer(token)
        names = (ENV_SITE, ENV_USER, ENV_PASSWORD)
        missing = [name for name in names if not env.get(name, "").strip()]
        if missing:
            raise ConfigError(
                f"Eloqua credentials are incomplete: {', '.join(missing)} not set",
                where="environment",
                hint=f"set {ENV_SITE}, {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}",
            )
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
        raw = f"{self.site}\\{self.user}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def __repr__(self) -> str:
        if self.token is not None:
            return f"Credentials(kind='bearer', token='{_MASK}')"
        return (
            f"Credentials(kind='basic', site={self.site!r}, user={self.user!r}, password='{_MASK}')"
        )

    __str__ = __repr__
