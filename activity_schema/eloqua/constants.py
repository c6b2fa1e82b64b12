"""Name every default the Eloqua client uses, in one place.

The numbers come from Oracle's Bulk API 2.0 documentation (see ``docs/eloqua.md``)
unless a comment says otherwise.
"""

from __future__ import annotations

__all__ = [
    "API_PREFIX",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_IMPORT_AUTO_DELETE",
    "DEFAULT_IMPORT_RETENTION",
    "DEFAULT_LOGIN_URL",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_REQUEST_TIMEOUT",
    "DEFAULT_SYNC_TIMEOUT",
    "ENV_BASE_URL",
    "ENV_LOGIN_URL",
    "ENV_PASSWORD",
    "ENV_SITE",
    "ENV_TOKEN",
    "ENV_USER",
    "FINAL_SYNC_STATUSES",
    "IDENTITY_PATH",
    "IMPORTS_PATH",
    "IMPORT_DATA_PATH",
    "IMPORT_DEFINITION_PATH",
    "LOOPBACK_HOSTNAMES",
    "MAX_BODY_BYTES",
    "MAX_DEFINITION_FIELDS",
    "MAX_DEFINITION_NAME",
    "MAX_POSTS_PER_SYNC",
    "PAGE_LIMIT",
    "RETRYABLE_STATUS_CODES",
    "RETRY_BASE_DELAY",
    "RETRY_MAX_ATTEMPTS",
    "RETRY_MAX_DELAY",
    "RETRY_TOTAL_TIMEOUT",
    "SYNCED_INSTANCE_URI",
    "SYNCS_PATH",
    "SYNC_LOGS_PATH",
    "SYNC_LOOKUP_SKEW",
    "SYNC_PATH",
    "SYNC_REJECTS_PATH",
    "USER_AGENT",
]

# --- where Eloqua lives -------------------------------------------------------------
DEFAULT_LOGIN_URL = "https://login.eloqua.com"
IDENTITY_PATH = "/id"
API_PREFIX = "/api/bulk/2.0"
IMPORTS_PATH = API_PREFIX + "/activities/imports"
IMPORT_DEFINITION_PATH = IMPORTS_PATH + "/{import_id}"
IMPORT_DATA_PATH = IMPORT_DEFINITION_PATH + "/data"
SYNCS_PATH = API_PREFIX + "/syncs"
SYNC_PATH = SYNCS_PATH + "/{sync_id}"
SYNC_REJECTS_PATH = SYNC_PATH + "/rejects"
SYNC_LOGS_PATH = SYNC_PATH + "/logs"
# The value of ``syncedInstanceUri`` is relative to the API prefix, not to the host.
SYNCED_INSTANCE_URI = "/activities/imports/{import_id}"

# Plain http:// is refused except to these hosts (plus any 127.0.0.0/8 or ::1 address).
LOOPBACK_HOSTNAMES = frozenset({"localhost"})

# --- environment variable names (read by the CLI, passed in as a mapping) -------------
ENV_SITE = "ELOQUA_SITE"
ENV_USER = "ELOQUA_USER"
ENV_PASSWORD = "ELOQUA_PASSWORD"
ENV_TOKEN = "ELOQUA_TOKEN"
ENV_LOGIN_URL = "ELOQUA_LOGIN_URL"
ENV_BASE_URL = "ELOQUA_BASE_URL"

# --- documented API limits ------------------------------------------------------------
MAX_BODY_BYTES = 32_000_000  # a larger POST body fails with 404, not 413
MAX_POSTS_PER_SYNC = 500  # the 501st POST before a sync gets 400
PAGE_LIMIT = 1000  # largest ``limit`` the rejects and logs endpoints accept
FINAL_SYNC_STATUSES = frozenset({"success", "warning", "error"})
MAX_DEFINITION_FIELDS = 100  # fields of one import definition
MAX_DEFINITION_NAME = 100  # characters of a definition's name

# --- definitions created by ``upload --create-import`` ---------------------------------
# The definition is deleted after 7 days; unsynced staged data is kept the longest
# Eloqua allows (PT1H to P14D), so that a late ``--resume`` finds the definition gone
# (a loud 404) rather than syncing a definition whose staged rows silently expired.
DEFAULT_IMPORT_AUTO_DELETE = "P7D"
DEFAULT_IMPORT_RETENTION = "P14D"

# --- finding a sync whose creation answer was lost ------------------------------------
# Eloqua's clock and ours may differ: a sync counts as "created after the request" when
# its createdAt is at most this many seconds before our clock said we sent it. Syncs the
# upload already knows are excluded, so the margin only widens the search window.
SYNC_LOOKUP_SKEW = 300.0

# --- retries and timeouts -------------------------------------------------------------
RETRY_MAX_ATTEMPTS = 5
RETRY_BASE_DELAY = 0.5  # seconds; the first backoff is drawn from [0, 0.5]
RETRY_MAX_DELAY = 30.0  # seconds; cap of one computed backoff (Retry-After is not capped)
RETRY_TOTAL_TIMEOUT = 300.0  # seconds spent on one call, waits included
RETRYABLE_STATUS_CODES = frozenset({429, 500, 502, 503, 504})
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds
# A 32 MB body on a slow uplink takes a while; the read timeout also covers Eloqua's
# time to accept it.
DEFAULT_REQUEST_TIMEOUT = 120.0  # seconds, for read, write and pool
DEFAULT_POLL_INTERVAL = 5.0  # seconds between sync status polls
DEFAULT_SYNC_TIMEOUT = 3600.0  # seconds to wait for a sync to finish

USER_AGENT = "activity-schema (Eloqua bulk activity importer)"
