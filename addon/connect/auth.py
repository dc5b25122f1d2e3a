"""Connect JWTs from Jira and its iframes, as the first of the app's verifiers (see addon.auth)."""
from __future__ import annotations

import logging
import secrets

from flask import current_app, request

from ..auth import Verifier, unauthorized
from ..caller import Caller
from .jwt import TokenError, check_qsh, relative_path, request_query_string_hash, unverified_parts, verify_hs256
from .tenants import TenantCache

log = logging.getLogger(__name__)

# Verifies the tokens of unknown and uninstalled tenants, so that they fail as a wrong signature does:
# the answer does not tell a caller which client keys are installed.
_NO_TENANT_SECRET = secrets.token_hex(32)


def tenant_cache() -> TenantCache:
    return current_app.extensions["tenant_cache"]


def request_qsh() -> str:
    """The `qsh` a token for this request must carry: its path relative to APP_BASE_URL's, and query."""
    path = relative_path(request.script_root + request.path, current_app.config["APP_BASE_URL"])
    return request_query_string_hash(request.method, path, request.query_string.decode("latin-1"))


def connect_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:4].lower() == "jwt ":
        return header[4:].strip()
    return request.args.get("jwt") or None


def verify_connect_jwt(token: str, allow_context: bool) -> Caller:
    """A Jira-signed HS256 token for this request, from the tenant its `iss` names."""
    try:
        parts = unverified_parts(token)
        client_key = parts[1].get("iss")
        if not isinstance(client_key, str) or not client_key:
            raise TokenError("The token names no tenant.")
        cache = tenant_cache()
        tenant = cache.get(client_key)
        if tenant is None or not tenant.installed:
            tenant = cache.get(client_key, fresh=True)
        leeway = current_app.config["JWT_LEEWAY_SECONDS"]
        if tenant is None or not tenant.installed:
            log.info("Connect token refused: tenant %r is %s", client_key[:100],
                     "unknown" if tenant is None else "not installed")
            verify_hs256(token, _NO_TENANT_SECRET, leeway, parts)
            raise TokenError("The token's signature does not verify.")  # only if a token matched the random secret
        try:
            claims = verify_hs256(token, tenant.shared_secret, leeway, parts)
        except TokenError:
            # The secret may have rotated by a re-install handled by another process: look once more.
            fresh = cache.get(client_key, fresh=True)
            if fresh is None or not fresh.installed or fresh.shared_secret == tenant.shared_secret:
                raise
            tenant = fresh
            claims = verify_hs256(token, tenant.shared_secret, leeway, parts)
        context = check_qsh(claims, request_qsh(), allow_context)
    except TokenError as err:
        raise unauthorized(str(err)) from None
    sub = claims.get("sub")
    return Caller(tenant, sub if isinstance(sub, str) and sub else None, is_api_token=False,
                  context_token=context, admin_check=current_app.extensions["connect_permissions"].is_admin)


CONNECT_JWT = Verifier("connect-jwt", connect_token, verify_connect_jwt)
