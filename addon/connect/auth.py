"""Connect JWTs from Jira and its iframes, as the first of the app's verifiers (see addon.auth)."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app, request

from ..auth import Verifier, unauthorized
from ..caller import Caller, TenantInfo
from ..jira import PermissionChecker
from ..jose import HeaderCache, credential
from .jwt import TokenError, check_qsh, path_below, request_query_string_hash, unverified_parts, verify_hs256
from .keys import InstallKeys
from .tenants import TenantCache

log = logging.getLogger(__name__)

# Verifies the tokens of unknown and uninstalled tenants, so that they fail as a wrong signature does:
# the answer does not tell a caller which client keys are installed.
_NO_TENANT_SECRET = secrets.token_hex(32)


@dataclass
class ConnectFront:
    """What the Connect front keeps per app, made once by addon.connect.init_app."""

    descriptor: dict[str, Any]  # atlassian-connect.json as served
    install_keys: InstallKeys  # Atlassian's install-signing keys
    tenants: TenantCache  # clientKey -> the tenant, for a few seconds
    permissions: PermissionChecker  # the administrator check, over the Jira client that signs as Connect
    headers: HeaderCache  # Jira's token headers, each decoded once
    base_path: str  # the path of APP_BASE_URL, which request paths are hashed relative to


def connect_front() -> ConnectFront:
    return current_app.extensions["connect"]


def request_qsh() -> str:
    """The `qsh` a token for this request must carry: its path relative to APP_BASE_URL's, and query."""
    path = path_below(request.script_root + request.path, connect_front().base_path)
    return request_query_string_hash(request.method, path, request.query_string.decode("latin-1"))


def connect_token() -> str | None:
    """The request's Connect JWT: `Authorization: JWT <token>`, else the `jwt` query parameter (iframes)."""
    found = credential(request.headers.get("Authorization", ""), "JWT")
    if found is not None:
        return found
    return request.args.get("jwt") or None


def verify_connect_jwt(token: str, allow_context: bool) -> Caller:
    """A Jira-signed HS256 token for this request, from the tenant its `iss` names."""
    front = connect_front()
    try:
        parts = unverified_parts(token, front.headers)
        client_key = parts[1].get("iss")
        if not isinstance(client_key, str) or not client_key:
            raise TokenError("The token names no tenant.")
        cache = front.tenants
        tenant, fresh = cache.get(client_key)
        if (tenant is None or not tenant.installed) and not fresh:
            tenant, fresh = cache.get(client_key, fresh=True)
        leeway = current_app.config["JWT_LEEWAY_SECONDS"]
        if tenant is None or not tenant.installed:
            log.info("Connect token refused: tenant %r is %s", client_key[:100],
                     "unknown" if tenant is None else "not installed")
            verify_hs256(token, _NO_TENANT_SECRET, leeway, parts)
            raise TokenError("The token's signature does not verify.")  # only if a token matched the random secret
        try:
            claims = verify_hs256(token, tenant.shared_secret, leeway, parts)
        except TokenError:
            if fresh:
                raise
            # The secret may have rotated by a re-install handled by another process: look once more.
            reloaded, fresh = cache.get(client_key, fresh=True)
            if reloaded is None or not reloaded.installed or reloaded.shared_secret == tenant.shared_secret:
                raise
            tenant = reloaded
            claims = verify_hs256(token, tenant.shared_secret, leeway, parts)
        context = check_qsh(claims, request_qsh(), allow_context)
    except TokenError as err:
        raise unauthorized(str(err)) from None
    sub = claims.get("sub")
    return Caller(tenant, sub if isinstance(sub, str) and sub else None, is_api_token=False,
                  context_token=context, admin_check=front.permissions.is_admin,
                  tenant_fresh=fresh)


def forget_tenant(tenant: TenantInfo) -> None:
    connect_front().tenants.forget(tenant.client_key)


CONNECT_JWT = Verifier("connect-jwt", connect_token, verify_connect_jwt, forget=forget_tenant)
