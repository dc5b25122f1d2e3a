"""Calls from the add-on to a Forge tenant's Jira: `app.apiBaseUrl` with the app system token.

`JiraAccess.authorize` is the per-front "authorize this outgoing request" the generic Jira client
takes; `is_admin` is the permission check until that client and its PermissionChecker exist.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import requests

log = logging.getLogger(__name__)

PERMISSIONS_CHECK = "/rest/api/3/permissions/check"


class JiraUnavailable(Exception):
    """Jira could not be asked, or did not answer usefully; the caller must not guess."""


@dataclass(frozen=True)
class JiraAccess:
    """Where and how to call Jira for one Forge call: the installation's apiBaseUrl and a system token."""

    api_base_url: str
    system_token: str | None = field(default=None, repr=False)  # a credential: never in repr or logs

    def authorize(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        """The URL of `path` and the headers that let the call through, as Forge Remote documents."""
        if not self.system_token:
            raise JiraUnavailable("No app system token has been received for this installation yet.")
        return self.api_base_url + path, {"Authorization": f"Bearer {self.system_token}",
                                          "Accept": "application/json"}


def is_admin(access: JiraAccess, account_id: str, timeout: float,
             session: requests.Session | None = None) -> bool:
    """Whether `account_id` holds Jira's global ADMINISTER permission on the installation's site."""
    url, headers = access.authorize("POST", PERMISSIONS_CHECK)
    body: dict[str, Any] = {"accountId": account_id, "globalPermissions": ["ADMINISTER"]}
    try:
        response = (session or requests).post(url, json=body, headers=headers, timeout=timeout,
                                              allow_redirects=False)
    except requests.RequestException as err:
        log.warning("Forge permission check at %s failed: %s", access.api_base_url, type(err).__name__)
        raise JiraUnavailable("Jira could not be reached.") from None
    if response.status_code != 200:
        log.warning("Forge permission check at %s answered %d", access.api_base_url, response.status_code)
        raise JiraUnavailable(f"Jira answered the permission check with {response.status_code}.")
    try:
        granted = response.json().get("globalPermissions") or []
    except (ValueError, AttributeError):
        raise JiraUnavailable("Jira's permission answer was not JSON.") from None
    return "ADMINISTER" in granted
