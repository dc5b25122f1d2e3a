"""Who is calling: the tenant, the acting user, and whether an API token proved it.

Every front (Connect JWT, tenant API token, Forge Invocation Token) produces a `Caller`; views and
pages ask it, never the kind of token. Plain Python, no Flask: fronts and blueprints all read it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class TenantInfo:
    """A tenant as one request's front sees it: the site, how to call its Jira back, its install state.

    Connect fills `client_key`, `shared_secret` and `base_url` (the site). Forge has no client key
    or shared secret: `base_url` is the installation's `app.apiBaseUrl`, `system_token` the app
    system token that calls there, `installation_id` the installation the request came through.
    """

    id: int
    client_key: str | None
    shared_secret: str | None
    base_url: str | None
    installed: bool
    # The tenant's auth epoch when this copy was read: a request confirms its copy against the
    # database's epoch (addon.auth), so a copy cached by a process is never trusted stale.
    auth_epoch: int
    installation_id: str | None = None
    system_token: str | None = None

    @property
    def name(self) -> str:
        """How logs name the tenant: its clientKey, else its Forge installation, else its id."""
        return self.client_key or self.installation_id or f"#{self.id}"

    def __repr__(self) -> str:  # keeps the secret and the system token out of logs and tracebacks
        return f"TenantInfo(id={self.id}, name={self.name!r}, installed={self.installed}, auth_epoch={self.auth_epoch})"


# (tenant, accountId) -> whether Jira grants that account ADMINISTER; raises addon.jira.JiraUnavailable.
AdminCheck = Callable[[TenantInfo, str], bool]


def _never_admin(_tenant: TenantInfo, _account_id: str) -> bool:
    return False


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of one request."""

    tenant: TenantInfo
    account_id: str | None
    is_api_token: bool
    # A Connect token from AP.context.getToken() (qsh "context-qsh") rather than one bound to the URL.
    context_token: bool = False
    token_id: str | None = None
    # The tenant was read from the database while authenticating this request, not from a cache:
    # nothing is left to confirm for a read (a write still checks under the row's lock).
    tenant_fresh: bool = False
    # The front's permission check, which knows how to ask this tenant's Jira.
    admin_check: AdminCheck = field(default=_never_admin, repr=False, compare=False)

    def is_admin(self) -> bool:
        """API tokens act as administrators; a Jira user is one if their Jira says ADMINISTER."""
        if self.is_api_token:
            return True
        if self.account_id is None:
            return False
        return self.admin_check(self.tenant, self.account_id)
