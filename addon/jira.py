"""Calls from the add-on to a tenant's Jira, whichever front installed it: timeouts, bounded retries,
and the cached administrator check. Plain Python, no Flask.

How an outgoing request proves itself differs per front (Connect: an HS256 JWT with the call's
`qsh`, signed with the tenant's shared secret; Forge: the app's system token), so the client takes
an `Authorizer` that gives the `Authorization` header of each attempt.
"""
from __future__ import annotations

import email.utils
import logging
import threading
import time
from typing import Any, Callable
from urllib.parse import urlencode

import requests
import requests.adapters

from .caller import TenantInfo

log = logging.getLogger(__name__)

# (tenant, method, path below the tenant's base URL, encoded query) -> the Authorization header value.
Authorizer = Callable[[TenantInfo, str, str, str], str]


class JiraUnavailable(Exception):
    """Jira could not be asked, or did not answer usefully; the caller must not guess."""


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class JiraClient:
    """JSON calls with timeouts and a bounded retry that honours 429/503 Retry-After."""

    def __init__(self, authorize: Authorizer, timeout: float, max_retries: int, max_retry_after: float,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.authorize = authorize
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self._local = threading.local()
        self._mounts: dict[str, requests.adapters.BaseAdapter] = {}

    def mount(self, prefix: str, adapter: requests.adapters.BaseAdapter) -> None:
        """Send the calls to URLs under `prefix` to `adapter` instead of the network (the demo's
        stand-in Jira, addon.demo). Before the first call: sessions made earlier do not get it."""
        self._mounts[prefix] = adapter

    def _session(self) -> requests.Session:
        # One keep-alive session per thread: requests.Session is not shared across threads.
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            for prefix, adapter in self._mounts.items():
                session.mount(prefix, adapter)
        return session

    def request(self, tenant: TenantInfo, method: str, path: str, json: Any = None,
                params: dict[str, Any] | None = None) -> requests.Response:
        query = urlencode(params or {}, doseq=True)
        if not tenant.base_url:
            raise JiraUnavailable("This tenant's Jira has no known address.")
        url = tenant.base_url.rstrip("/") + path + (f"?{query}" if query else "")
        attempt = 0
        while True:
            # Authorized again on every attempt: a signed token must not outlive a long Retry-After.
            authorization = self.authorize(tenant, method, path, query)
            try:
                response = self._session().request(
                    method, url, json=json, timeout=self.timeout, allow_redirects=False,
                    headers={"Authorization": authorization, "Accept": "application/json"})
            except requests.RequestException as err:
                log.warning("Jira %s %s for tenant %s failed: %s", method, path, tenant.name,
                            type(err).__name__)
                raise JiraUnavailable("Jira could not be reached.") from None
            if response.status_code not in (429, 503) or attempt >= self.max_retries:
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is None:
                wait = min(self.max_retry_after, 0.5 * 2 ** attempt)
            if wait > self.max_retry_after:
                return response  # waiting that long would hold the user's request hostage
            attempt += 1
            log.info("Jira asked to retry %s %s in %.1fs (attempt %d)", method, path, wait, attempt)
            self.sleep(wait)


class PermissionChecker:
    """Whether an account is a Jira administrator of a tenant, asked of Jira and cached briefly."""

    def __init__(self, client: JiraClient, ttl_seconds: float) -> None:
        self.client = client
        self.ttl = ttl_seconds
        self._cache: dict[tuple[int, str], tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def is_admin(self, tenant: TenantInfo, account_id: str) -> bool:
        key = (tenant.id, account_id)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
        response = self.client.request(tenant, "POST", "/rest/api/3/permissions/check",
                                       json={"accountId": account_id, "globalPermissions": ["ADMINISTER"]})
        if response.status_code != 200:
            log.warning("permission check for tenant %s answered %d", tenant.name, response.status_code)
            raise JiraUnavailable(f"Jira answered the permission check with {response.status_code}.")
        try:
            granted = response.json().get("globalPermissions") or []
        except (ValueError, AttributeError):
            raise JiraUnavailable("Jira's permission answer was not JSON.") from None
        admin = "ADMINISTER" in granted
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = (now + self.ttl, admin)
        return admin
