"""Check that a URL is safe to send Eloqua credentials to.

Credentials travel in a header on every request, so plain ``http://`` is refused
except to the loopback interface (tests and local fakes), and a URL may not carry a
user name or password of its own (it would end up in logs and error messages).
"""

from __future__ import annotations

import ipaddress

import httpx

from ..errors import ConfigError
from .constants import LOOPBACK_HOSTNAMES

__all__ = ["check_url", "is_loopback_host"]


def is_loopback_host(host: str) -> bool:
    """Return True for ``localhost``, 127.0.0.0/8 and ``::1``.

    Example:
        >>> is_loopback_host("127.0.0.5"), is_loopback_host("example.com")
        (True, False)
    """
    name = host.strip("[]").lower()
    if name in LOOPBACK_HOSTNAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_url(url: str, what: str) -> str:
    """Return ``url`` without a trailing slash if credentials may be sent to it.

    Args:
        url: An absolute ``https://`` URL (``http://`` only for loopback hosts).
        what: The setting's name, used in the error (e.g. ``ELOQUA_BASE_URL``).

    Raises:
        ConfigError: The URL is malformed, not https, or embeds credentials.

    Example:
        >>> check_url("https://secure.p03.eloqua.com/", "base URL")
        'https://secure.p03.eloqua.com'
    """
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError):
        raise ConfigError(f"{what} is not a valid URL", where=what) from None
    if parsed.userinfo:
        # Never echo the URL here: its user info may be a password.
        raise ConfigError(
            f"{what} must not contain a user name or password",
            where=what,
            hint="remove 'user:password@' and pass credentials through ELOQUA_* settings",
        )
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(
            f"{what} must be an absolute https:// URL, got {url!r}",
            where=what,
            hint="for example https://secure.p03.eloqua.com",
        )
    if parsed.scheme == "http" and not is_loopback_host(parsed.host):
        raise ConfigError(
            f"{what} uses plain http:// to {parsed.host}; credentials would travel unencrypted",
            where=what,
            hint="use https:// (plain http is allowed only for 127.0.0.1, ::1 and localhost)",
        )
    if parsed.query or parsed.fragment:
        raise ConfigError(f"{what} must not have a query or fragment", where=what)
    return str(parsed).rstrip("/")
