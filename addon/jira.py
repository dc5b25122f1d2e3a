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
                params: dict[str, Any] | None = None, timeout: float | None = None,
                max_retries: int | None = None) -> requests.Response:
        """One call, retried on 429/503 as Jira asks; `timeout` and `max_retries` override the client's
        for a call that must stay short (a page waits on it)."""
        retries = self.max_retries if max_retries is None else max_retries
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
                    method, url, json=json, timeout=self.timeout if timeout is None else timeout,
                    allow_redirects=False,
                    headers={"Authorization": authorization, "Accept": "application/json"})
            except requests.RequestException as err:
                log.warning("Jira %s %s for tenant %s failed: %s", method, path, tenant.name,
                            type(err).__name__)
                raise JiraUnavailable("Jira could not be reached.") from None
            if response.status_code not in (429, 503) or attempt >= retries:
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


# An issue's project permissions, as Jira names them (POST /rest/api/3/permissions/check).
BROWSE_PROJECTS = "BROWSE_PROJECTS"
EDIT_ISSUES = "EDIT_ISSUES"


class IssuePermissions:
    """Whether an account holds a project permission on an issue, asked of Jira and cached briefly.

    Both answers are kept (a refusal too); a failure is not: the next request asks again. Which
    client asks is the caller's (each front proves its calls its own way), so it is passed per call.
    """

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._cache: dict[tuple[int, str, str, int], tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def allows(self, client: JiraClient, tenant: TenantInfo, account_id: str, permission: str, issue_id: int) -> bool:
        """Raises JiraUnavailable when Jira cannot say, or refuses the check itself: never a guess."""
        key = (tenant.id, account_id, permission, issue_id)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
        response = client.request(tenant, "POST", "/rest/api/3/permissions/check", json={
            "accountId": account_id, "projectPermissions": [{"permissions": [permission], "issues": [issue_id]}]})
        if response.status_code != 200:
            log.warning("issue permission check for tenant %s answered %d", tenant.name, response.status_code)
            raise JiraUnavailable(f"Jira answered the permission check with {response.status_code}.")
        try:
            granted = response.json().get("projectPermissions") or []
            allowed = any(isinstance(entry, dict) and entry.get("permission") == permission
                          and issue_id in [int(i) for i in entry.get("issues") or [] if str(i).isdigit()]
                          for entry in granted)
        except (ValueError, AttributeError, TypeError):
            raise JiraUnavailable("Jira's permission answer was not what it documents.") from None
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = (now + self.ttl, allowed)
        return allowed


def open_issues_jql(account_id: str) -> str:
    """The JQL of a person's unresolved assigned issues (account ids hold no quote or backslash)."""
    return f'assignee = "{account_id}" AND resolution = EMPTY'


class OpenIssueCounts:
    """How many unresolved issues are assigned to a person, from Jira's approximate count, cached briefly.

    Each count is one bounded call (`timeout`, no retry): a page waits on it. A failure is None and
    is not kept, so the next request asks again.
    """

    def __init__(self, ttl_seconds: float, timeout: float) -> None:
        self.ttl = ttl_seconds
        self.timeout = timeout
        self._cache: dict[tuple[int, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def cached(self, tenant: TenantInfo, account_id: str) -> int | None:
        with self._lock:
            hit = self._cache.get((tenant.id, account_id))
        return hit[1] if hit and hit[0] > time.monotonic() else None

    def count(self, client: JiraClient, tenant: TenantInfo, account_id: str) -> int | None:
        known = self.cached(tenant, account_id)
        if known is not None:
            return known
        try:
            response = client.request(tenant, "POST", "/rest/api/3/search/approximate-count",
                                      json={"jql": open_issues_jql(account_id)}, timeout=self.timeout, max_retries=0)
        except JiraUnavailable:
            return None
        if response.status_code != 200:
            log.info("open-issue count for tenant %s answered %d", tenant.name, response.status_code)
            return None
        try:
            count = response.json().get("count")
        except (ValueError, AttributeError):
            return None
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            return None
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[(tenant.id, account_id)] = (time.monotonic() + self.ttl, count)
        return count
