"""Which client reaches a tenant's Jira, and as which TenantInfo: the caller's own front, else what
the tenant's fronts have stored (an API token's call, the sync command).

Each front registers its `TenantJira` (`register`, from its init_app), as each registers its
account reporter: Connect signs with the site's shared secret, Forge calls `app.apiBaseUrl` with the
installation's stored system token. A caller who came through a front uses that front's client with
its own TenantInfo, so a Forge call's own system token is the one tried (and kept once Jira accepts
it, addon.forge.jira). Neither front is imported here: each hands over its own client.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app

from .caller import Caller, TenantInfo
from .jira import JiraClient, JiraUnavailable

Reached = tuple[JiraClient, TenantInfo]


@dataclass(frozen=True)
class TenantJira:
    """One front's way to a tenant's Jira."""

    # The caller came through this front: its client and the caller's own tenant copy; else None.
    for_caller: Callable[[Caller], Reached | None]
    # The tenant's Jira from what this front stored of it (an installed site's credentials); else None.
    for_tenant: Callable[[int], Reached | None]


_KEY = "tenant_jira"


def register(app: Flask, way: TenantJira) -> None:
    """Add a front's way to its tenants' Jira; tried in the order the fronts registered."""
    app.extensions.setdefault(_KEY, []).append(way)


def _ways() -> list[TenantJira]:
    return current_app.extensions.get(_KEY, [])


def for_tenant(tenant_id: int) -> Reached:
    """The first registered front that can call the tenant's Jira; JiraUnavailable when none can."""
    for way in _ways():
        found = way.for_tenant(tenant_id)
        if found is not None:
            return found
    raise JiraUnavailable("No front of this site holds credentials to call its Jira.")


def for_caller(who: Caller) -> Reached:
    """The caller's own front and tenant copy; an API token (no front of its own) takes the tenant's."""
    if not who.is_api_token:
        for way in _ways():
            found = way.for_caller(who)
            if found is not None:
                return found
    return for_tenant(who.tenant.id)
