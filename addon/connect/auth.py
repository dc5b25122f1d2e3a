"""Authentication of requests: Connect JWTs from Jira and its iframes, and tenant API tokens.

`authenticate()` is a plain function over the current request; `require_auth` is the thin decorator
that puts its answer on `flask.g.auth`.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any, Callable, TypeVar

from flask import current_app, g, request

from ..errors import ApiError
from ..extensions import db
from ..models import ApiToken, Tenant, utcnow
from .jwt import TokenError, check_qsh, relative_path, request_query_string_hash, unverified_parts, verify_hs256
from .tenants import TenantCache, TenantInfo

API_TOKEN_PREFIX = "jus_"
# last_used_at is a hint for admins, not an audit log: one write a minute is plenty.
_LAST_USED_GRANULARITY = timedelta(minutes=1)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Auth:
    """Who is calling: the tenant, the acting Jira user (if any) and how they proved it."""

    tenant: TenantInfo
    account_id: str | None
    via: str  # "jwt" or "token"
    context_token: bool = False
    token_id: str | None = None

    @property
    def is_api_token(self) -> bool:
        return self.via == "token"


def unauthorized(message: str, schemes: tuple[str, ...] = ("JWT",)) -> ApiError:
    """A 401 whose challenge names the schemes that could have worked (RFC 9110 WWW-Authenticate)."""
    challenge = ", ".join(f'{scheme} realm="jira-user-skills"' for scheme in schemes)
    return ApiError(401, message, headers={"WWW-Authenticate": challenge})


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


def api_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("Authorization-Skills", "").strip() or None


def verify_connect_jwt(token: str, allow_context: bool) -> Auth:
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
        if tenant is None:
            raise TokenError("The token names an unknown tenant.")
        if not tenant.installed:
            raise TokenError("The add-on is not installed for this tenant.")
        leeway = current_app.config["JWT_LEEWAY_SECONDS"]
        try:
            claims = verify_hs256(token, tenant.shared_secret, leeway, parts)
        except TokenError:
            # The secret may have rotated by a re-install handled by another process: look once more.
            fresh = cache.get(client_key, fresh=True)
            if fresh is None or not fresh.installed or fresh.shared_secret == tenant.shared_secret:
                raise
            tenant = fresh
            claims = verify_hs256(token, tenant.shared_secret, leeway, parts)
        expected = request_qsh()
        context = check_qsh(claims, expected, allow_context)
    except TokenError as err:
        raise unauthorized(str(err)) from None
    sub = claims.get("sub")
    return Auth(tenant, sub if isinstance(sub, str) and sub else None, "jwt", context)


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def verify_api_token(token: str) -> Auth:
    """A tenant API token: looked up by its hash in the shared database, so revocation is immediate."""
    if len(token) > 256:
        raise unauthorized("The API token is not valid.", ("Bearer",))
    row = db.session.execute(
        db.select(ApiToken, Tenant).join(Tenant, Tenant.id == ApiToken.tenant_id)
        .where(ApiToken.token_hash == hash_api_token(token))
    ).one_or_none()
    if row is None:
        raise unauthorized("The API token is not valid.", ("Bearer",))
    api_token_row, tenant = row
    if not tenant.installed:
        raise unauthorized("The add-on is not installed for this tenant.", ("Bearer",))
    now = utcnow()
    last = api_token_row.last_used_at
    if last is None or _as_aware(last) < now - _LAST_USED_GRANULARITY:
        db.session.execute(db.update(ApiToken).where(ApiToken.id == api_token_row.id).values(last_used_at=now))
        db.session.commit()
    info = TenantInfo(tenant.id, tenant.client_key, tenant.shared_secret, tenant.base_url, tenant.installed)
    return Auth(info, None, "token", token_id=api_token_row.id)


def _as_aware(moment: Any) -> Any:
    # SQLite gives back naive datetimes for timezone-aware columns; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def authenticate(allow_context: bool = True, allow_api_token: bool = True) -> Auth:
    token = connect_token()
    if token:
        return verify_connect_jwt(token, allow_context)
    if allow_api_token:
        secret = api_token()
        if secret:
            return verify_api_token(secret)
    if allow_api_token:
        raise unauthorized("Authentication is required: a Connect JWT or an API token.", ("JWT", "Bearer"))
    raise unauthorized("This page must be opened from Jira: its link carries no valid token.")


def require_auth(view: F | None = None, *, context: bool = True, api_tokens: bool = True) -> Any:
    """Decorator: authenticate the request and put the caller on `g.auth`, or answer 401."""
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.auth = authenticate(allow_context=context, allow_api_token=api_tokens)
            return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate(view) if view is not None else decorate
