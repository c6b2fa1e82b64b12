"""Talk to Oracle Eloqua's Bulk API 2.0 activity imports.

Example:
    >>> from activity_schema.eloqua import Credentials, EloquaClient
    >>> creds = Credentials.basic("APITest", "API.User", "secret")
    >>> with EloquaClient(creds, base_url="https://secure.p03.eloqua.com") as client:
    ...     "secret" in repr(client), "***" in repr(client)  # the password never shows
    (False, True)
"""

from __future__ import annotations

from .auth import Credentials
from .client import ContentType, EloquaClient, SyncPollHook
from .constants import (
    DEFAULT_LOGIN_URL,
    MAX_BODY_BYTES,
    MAX_POSTS_PER_SYNC,
    PAGE_LIMIT,
)
from .models import (
    ImportDataResult,
    ImportDefinition,
    Reject,
    Sync,
    SyncLog,
    SyncStatus,
    import_id_of,
    sync_id_of,
)
from .retry import RetryEvent, RetryHook, RetryPolicy, parse_retry_after
from .urls import check_url, is_loopback_host

__all__ = [
    "DEFAULT_LOGIN_URL",
    "MAX_BODY_BYTES",
    "MAX_POSTS_PER_SYNC",
    "PAGE_LIMIT",
    "ContentType",
    "Credentials",
    "EloquaClient",
    "ImportDataResult",
    "ImportDefinition",
    "Reject",
    "RetryEvent",
    "RetryHook",
    "RetryPolicy",
    "Sync",
    "SyncLog",
    "SyncPollHook",
    "SyncStatus",
    "check_url",
    "import_id_of",
    "is_loopback_host",
    "parse_retry_after",
    "sync_id_of",
]
