"""Tenant look-ups for authentication, with a short per-process cache of each tenant's secret."""
from __future__ import annotations

import fnmatch
import logging
import re
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from ..caller import TenantInfo
from ..extensions import db
from ..jose import CLOUD_ID
from ..models import Tenant


class TenantCache:
    """clientKey -> TenantInfo for `ttl` seconds (TENANT_CACHE_SECONDS).

    The database is the truth, shared by every process. The lifetime does not bound how long a
    stale copy is trusted: every request confirms its copy's auth epoch against the database's
    (addon.auth), so an uninstall or a new secret handled by another process is
    refused at once. A token that fails against a cached secret reloads the tenant once (a re-install elsewhere).
    """

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, TenantInfo | None]] = {}
        self._lock = threading.Lock()

    def get(self, client_key: str, fresh: bool = False) -> tuple[TenantInfo | None, bool]:
        """The tenant (None: unknown), and whether it was read from the database just now."""
        now = time.monotonic()
        if not fresh:
            with self._lock:
                hit = self._entries.get(client_key)
            if hit and hit[0] > now:
                return hit[1], False
        info = load(client_key)
        with self._lock:
            if len(self._entries) > 10_000:  # bounded: forged `iss` values must not grow it
                self._entries.clear()
            self._entries[client_key] = (now + self.ttl, info)
        return info, True

    def forget(self, client_key: str) -> None:
        with self._lock:
            self._entries.pop(client_key, None)


def load(client_key: str) -> TenantInfo | None:
    row = db.session.execute(db.select(Tenant).where(Tenant.client_key == client_key)).scalar_one_or_none()
    if row is None:
        return None
    return TenantInfo(row.id, row.client_key, row.shared_secret, row.base_url, row.installed, row.auth_epoch)


log = logging.getLogger(__name__)


def site_cloud_id(body: dict[str, Any], base_url: str, timeout: float) -> tuple[str | None, bool]:
    """The site's cloudId, and whether the site itself confirmed it: from the install body where Jira
    sends it (not confirmed: the install JWT does not sign the body), else from the site's public
    `/_edge/tenant_info` (confirmed); None when neither says (the install goes on without it)."""
    value = body.get("cloudId")
    if value is None:
        found = tenant_info_cloud_id(base_url, timeout)
        return found, found is not None
    if not isinstance(value, str) or not CLOUD_ID.fullmatch(value):
        return None, False
    return value, False


def tenant_info_cloud_id(base_url: str, timeout: float) -> str | None:
    """The cloudId `GET {baseUrl}/_edge/tenant_info` names, or None (not asked when `timeout` is 0)."""
    if timeout <= 0:
        return None
    try:
        response = requests.get(base_url.rstrip("/") + "/_edge/tenant_info", timeout=timeout,
                                allow_redirects=False, headers={"Accept": "application/json"})
        value = response.json().get("cloudId") if response.status_code == 200 else None
    except (requests.RequestException, ValueError, AttributeError) as err:
        log.warning("tenant_info of %s could not be read: %s", base_url, type(err).__name__)
        return None
    return value if isinstance(value, str) and CLOUD_ID.fullmatch(value) else None


# A tenant base URL as Jira sends it: scheme, a host of DNS labels (or a dotted IPv4 address),
# an optional port and path. Nothing else: no user info, query, fragment, percent-escapes,
# backslashes or white space, each of which some URL parser reads differently from another.
_BASE_URL = re.compile(
    r"(?P<scheme>https?)://"
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)"
    r"(?::(?P<port>[0-9]{1,5}))?"
    r"(?P<path>(?:/[A-Za-z0-9._~-]*)*)")


def host_allowed(base_url: str, patterns: list[str], allow_http: bool = False) -> bool:
    """Whether a tenant's baseUrl is https (or loopback http in tests) on a host TENANT_HOSTS allows.

    The host checked must be the host the HTTP client will connect to: `https://evil.com\\.atlassian.net`
    reads as a subdomain of atlassian.net to `urlsplit` but as evil.com to urllib3 (under requests).
    So the URL must be made of host-name characters only, and the standard library's and urllib3's
    parses must agree on scheme, host and port.
    """
    match = _BASE_URL.fullmatch(base_url) if isinstance(base_url, str) else None
    if match is None:
        return False
    scheme = match["scheme"].lower()
    if scheme != "https" and not (allow_http and scheme == "http"):
        return False
    try:
        ours = urlsplit(base_url)
        theirs = parse_url(base_url)
        ours_port = ours.port
    except (ValueError, LocationParseError):
        return False
    host = (ours.hostname or "").lower()
    if not host or host != (theirs.host or "").lower() or ours_port != theirs.port \
            or ours.scheme.lower() != (theirs.scheme or "").lower() or ours.username or theirs.auth:
        return False
    return any(fnmatch.fnmatchcase(host, pattern) for pattern in patterns)
