"""How the add-on's calls to a Forge tenant's Jira prove themselves: `app.apiBaseUrl` with the app system token.

The calls themselves (timeouts, 429/503 Retry-After, the cached administrator check) are the
front-neutral `addon.jira.JiraClient` and `PermissionChecker`; Forge only says how to authorize, and
hears which system tokens Jira accepted (`ForgeJiraClient`).
"""
from __future__ import annotations

from typing import Any, Callable

import requests
from sqlalchemy import select

from ..caller import Caller, TenantInfo
from ..extensions import db
from ..jira import JiraClient, JiraUnavailable
from ..models import ForgeInstallation, Tenant
from ..tenant_jira import TenantJira


def forge_authorizer(tenant: TenantInfo, _method: str, _path: str, _query: str) -> str:
    """`Bearer <app system token>`, as Forge Remote documents calls to Atlassian APIs with `appSystemToken`.

    The URL is the tenant's `base_url`, which a Forge caller's TenantInfo sets to the installation's
    `app.apiBaseUrl`. An installation that never sent a system token cannot call Jira: an error, not a guess.
    """
    if not tenant.system_token:
        raise JiraUnavailable("No app system token has been received for this installation yet.")
    return "Bearer " + tenant.system_token


class ForgeJiraClient(JiraClient):
    """The front-neutral client, telling `accepted` of each call Jira answered 2xx: its system token works.

    That is how a token a page's call brought becomes the installation's stored one (forge/tenants.py,
    SYSTEM_TOKEN_REFRESH): Jira is the only judge of a system token, which must be treated as opaque.
    """

    def __init__(self, accepted: Callable[[TenantInfo], None], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accepted = accepted

    def request(self, tenant: TenantInfo, method: str, path: str, json: Any = None,
                params: dict[str, Any] | None = None, **bounds: Any) -> requests.Response:
        response = super().request(tenant, method, path, json=json, params=params, **bounds)
        if 200 <= response.status_code < 300:
            self.accepted(tenant)
        return response


def forge_tenant_jira(client: JiraClient) -> TenantJira:
    """The Forge front's way to a tenant's Jira (addon.tenant_jira): a Forge caller's own installation and
    system token; else the tenant's installed installation whose system token came last, at its `app.apiBaseUrl`."""
    def for_caller(who: Caller) -> tuple[JiraClient, TenantInfo] | None:
        return (client, who.tenant) if who.tenant.installation_id is not None else None

    def for_tenant(tenant_id: int) -> tuple[JiraClient, TenantInfo] | None:
        row = db.session.execute(
            select(ForgeInstallation.installation_id, ForgeInstallation.api_base_url, ForgeInstallation.system_token,
                   Tenant.auth_epoch)
            .join(Tenant, Tenant.id == ForgeInstallation.tenant_id)
            .where(ForgeInstallation.tenant_id == tenant_id, ForgeInstallation.installed.is_(True),
                   ForgeInstallation.system_token.is_not(None))
            .order_by(ForgeInstallation.system_token_at.desc()).limit(1)).one_or_none()
        if row is None:
            return None
        installation_id, api_base_url, token, epoch = row
        return client, TenantInfo(tenant_id, None, None, api_base_url, True, epoch, installation_id=installation_id,
                                  system_token=token)
    return TenantJira(for_caller, for_tenant)
