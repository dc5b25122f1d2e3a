"""How the add-on's calls to a Connect tenant's Jira prove themselves: an HS256 JWT with the call's `qsh`."""
from __future__ import annotations

from urllib.parse import urlsplit

from ..caller import TenantInfo
from ..jira import Authorizer
from .jwt import relative_url, sign_hs256


def connect_authorizer(app_key: str) -> Authorizer:
    """Signs each call as Connect requires: `iss` the app key, the tenant's shared secret, `qsh` of the call."""
    def authorize(tenant: TenantInfo, method: str, path: str, query: str) -> str:
        base_path = urlsplit(tenant.base_url).path.rstrip("/")
        relative = relative_url(base_path + path, query, tenant.base_url)
        return "JWT " + sign_hs256(method, relative, app_key, tenant.shared_secret)
    return authorize
