"""How the add-on's calls to a Forge tenant's Jira prove themselves: `app.apiBaseUrl` with the app system token.

The calls themselves (timeouts, 429/503 Retry-After, the cached administrator check) are the
front-neutral `addon.jira.JiraClient` and `PermissionChecker`; Forge only says how to authorize.
"""
from __future__ import annotations

from ..caller import TenantInfo
from ..jira import JiraUnavailable


def forge_authorizer(tenant: TenantInfo, _method: str, _path: str, _query: str) -> str:
    """`Bearer <app system token>`, as Forge Remote documents calls to Atlassian APIs with `appSystemToken`.

    The URL is the tenant's `base_url`, which a Forge caller's TenantInfo sets to the installation's
    `app.apiBaseUrl`. An installation that never sent a system token cannot call Jira: an error, not a guess.
    """
    if not tenant.system_token:
        raise JiraUnavailable("No app system token has been received for this installation yet.")
    return "Bearer " + tenant.system_token
