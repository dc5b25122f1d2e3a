"""Which client reaches a tenant's Jira, and as which TenantInfo: the caller's own front, else what
the tenant's fronts have stored (an API token's call, the sync command).

Each front registers a resolver in `app.extensions["tenant_jira"]` (tenant id -> (client, TenantInfo)
or None), as each registers its account reporter: Connect signs with the site's shared secret,
Forge calls `app.apiBaseUrl` with the installation's stored system token. A caller who came through
a front uses that front's client with its own TenantInfo, so a Forge call's own system token is the
one tried (and kept once Jira accepts it, addon.forge.jira).
"""
from __future__ import annotations

from typing import Callable

from flask import current_app

from .caller import Caller, TenantInfo
from .jira import JiraClient, JiraUnavailable

Resolver = Callable[[int], "tuple[JiraClient, TenantInfo] | None"]


def for_tenant(tenant_id: int) -> tuple[JiraClient, TenantInfo]:
    """The first registered front that can call the tenant's Jira; JiraUnavailable when none can."""
    for resolve in current_app.extensions.get("tenant_jira", []):
        found = resolve(tenant_id)
        if found is not None:
            return found
    raise JiraUnavailable("No front of this site holds credentials to call its Jira.")


def for_caller(who: Caller) -> tuple[JiraClient, TenantInfo]:
    """The caller's own front and tenant copy; an API token (no front of its own) takes the tenant's."""
    extensions = current_app.extensions
    if not who.is_api_token:
        if who.tenant.installation_id is not None:
            return extensions["forge_jira"], who.tenant
        if who.tenant.client_key and who.tenant.shared_secret:
            return extensions["connect_jira"], who.tenant
    return for_tenant(who.tenant.id)
