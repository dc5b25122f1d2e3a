"""Who is calling: the tenant, the acting user, and whether an API token proved it.

Every front (Connect JWT, tenant API token, later Forge) produces a `Caller`; views and pages ask
it, never the kind of token. Plain Python, no Flask: fronts and blueprints all read it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class TenantInfo:
    """A tenant as authentication needs it: the site, its secret for calls back, its install state."""

    id: int
    client_key: str
    shared_secret: str
    base_url: str
    installed: bool

    def __repr__(self) -> str:  # keeps the secret out of logs and tracebacks
        return f"TenantInfo(id={self.id}, client_key={self.client_key!r}, installed={self.installed})"


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
    # The front's permission check, which knows how to ask this tenant's Jira.
    admin_check: AdminCheck = field(default=_never_admin, repr=False, compare=False)

    def is_admin(self) -> bool:
        """API tokens act as administrators; a Jira user is one if their Jira says ADMINISTER."""
        if self.is_api_token:
            return True
        if self.account_id is None:
            return False
        return self.admin_check(self.tenant, self.account_id)
