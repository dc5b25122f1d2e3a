"""How the add-on's calls to a Connect tenant's Jira prove themselves: an HS256 JWT with the call's `qsh`."""
from __future__ import annotations

from urllib.parse import urlsplit

from ..caller import Caller, TenantInfo
from ..extensions import db
from ..jira import Authorizer, JiraClient
from ..models import Tenant
from ..tenant_jira import TenantJira
from .jwt import relative_url, sign_hs256


def connect_authorizer(app_key: str) -> Authorizer:
    """Signs each call as Connect requires: `iss` the app key, the tenant's shared secret, `qsh` of the call."""
    def authorize(tenant: TenantInfo, method: str, path: str, query: str) -> str:
        base_path = urlsplit(tenant.base_url).path.rstrip("/")
        relative = relative_url(base_path + path, query, tenant.base_url)
        return "JWT " + sign_hs256(method, relative, app_key, tenant.shared_secret)
    return authorize


def connect_tenant_jira(client: JiraClient) -> TenantJira:
    """The Connect front's way to a tenant's Jira (addon.tenant_jira): signed with the site's secret."""
    def for_caller(who: Caller) -> tuple[JiraClient, TenantInfo] | None:
        tenant = who.tenant
        return (client, tenant) if tenant.client_key and tenant.shared_secret else None

    def for_tenant(tenant_id: int) -> tuple[JiraClient, TenantInfo] | None:
        row = db.session.get(Tenant, tenant_id)
        if row is None or not row.installed or not row.client_key or not row.shared_secret or not row.base_url:
            return None
        return client, TenantInfo(row.id, row.client_key, row.shared_secret, row.base_url, row.installed,
                                  row.auth_epoch)
    return TenantJira(for_caller, for_tenant)
