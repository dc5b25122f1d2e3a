"""Tenant look-ups for authentication, with a short per-process cache of each tenant's secret."""
from __future__ import annotations

import fnmatch
import threading
import time
from urllib.parse import urlsplit

from ..caller import TenantInfo
from ..extensions import db
from ..models import Tenant


class TenantCache:
    """clientKey -> TenantInfo for a few seconds.

    The database is the truth, shared by every process: an entry lives `ttl` seconds at most, and a
    token that fails against a cached secret reloads the tenant once (a re-install elsewhere).
    """

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, tuple[float, TenantInfo | None]] = {}
        self._lock = threading.Lock()

    def get(self, client_key: str, fresh: bool = False) -> TenantInfo | None:
        now = time.monotonic()
        if not fresh:
            with self._lock:
                hit = self._entries.get(client_key)
            if hit and hit[0] > now:
                return hit[1]
        info = load(client_key)
        with self._lock:
            if len(self._entries) > 10_000:  # bounded: forged `iss` values must not grow it
                self._entries.clear()
            self._entries[client_key] = (now + self.ttl, info)
        return info

    def forget(self, client_key: str) -> None:
        with self._lock:
            self._entries.pop(client_key, None)


def load(client_key: str) -> TenantInfo | None:
    row = db.session.execute(db.select(Tenant).where(Tenant.client_key == client_key)).scalar_one_or_none()
    if row is None:
        return None
    return TenantInfo(row.id, row.client_key, row.shared_secret, row.base_url, row.installed)


def host_allowed(base_url: str, patterns: list[str], allow_http: bool = False) -> bool:
    """Whether a tenant's baseUrl is https (or loopback http in tests) on a host TENANT_HOSTS allows."""
    try:
        parts = urlsplit(base_url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        return False
    if not host or parts.username or parts.password:
        return False
    return any(fnmatch.fnmatchcase(host, pattern) for pattern in patterns)
