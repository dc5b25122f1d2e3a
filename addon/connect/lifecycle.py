"""The lifecycle blueprint: signed installs and uninstalls (RS256), enable and disable (HS256)."""
from __future__ import annotations

import functools
import logging
from typing import Any

from flask import Blueprint, Response, current_app, request

from ..errors import ApiError
from ..extensions import db
from ..models import Tenant
from ..auth import unauthorized, use_caller
from ..skills import credentials
from .auth import connect_front, connect_token, request_qsh, verify_connect_jwt
from .jwt import TokenError, check_qsh, unverified_parts, verify_rs256
from .tenants import host_allowed, site_cloud_id, tenant_info_cloud_id

log = logging.getLogger(__name__)
bp = Blueprint("lifecycle", __name__, url_prefix="/lifecycle")


def verify_signed_install() -> dict[str, Any]:
    """Claims of an Atlassian-signed (RS256) lifecycle token bound to this request, or 401."""
    token = connect_token()
    if not token:
        raise unauthorized("Lifecycle callbacks must carry a JWT signed by Atlassian.")
    try:
        header, _ = unverified_parts(token)
        if header.get("alg") != "RS256":
            raise TokenError("Lifecycle installs must be signed with RS256.")
        key = connect_front().install_keys.get(header.get("kid"))
        base = current_app.config["APP_BASE_URL"]
        claims = verify_rs256(token, key, [base, base + "/"], current_app.config["JWT_LEEWAY_SECONDS"])
        check_qsh(claims, request_qsh(), allow_context=False)
    except TokenError as err:
        raise unauthorized(str(err)) from None
    return claims


def lifecycle_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The lifecycle payload must be a JSON object.")
    problems = [f"'{name}' must be a non-empty string." for name in ("clientKey", "sharedSecret", "baseUrl")
                if not isinstance(body.get(name), str) or not body[name].strip()]
    if problems:
        raise ApiError(400, "The lifecycle payload is incomplete.", details=problems)
    for name in ("clientKey", "sharedSecret", "baseUrl"):
        if len(body[name]) > 255:
            raise ApiError(400, f"'{name}' is too long.")
    return body


def require_issuer(claims: dict[str, Any], body: dict[str, Any]) -> None:
    if claims.get("iss") != body["clientKey"]:
        raise unauthorized("The token was not issued for this tenant.")


def signed_lifecycle_event() -> tuple[dict[str, Any], Tenant | None]:
    """The payload of an Atlassian-signed install or uninstall, and the tenant it names if known."""
    claims = verify_signed_install()
    body = lifecycle_body()
    require_issuer(claims, body)
    tenant = db.session.execute(
        db.select(Tenant).where(Tenant.client_key == body["clientKey"])).scalar_one_or_none()
    return body, tenant


@bp.post("/installed")
def installed() -> Response:
    body, tenant = signed_lifecycle_event()
    base_url = body["baseUrl"].rstrip("/")
    if not host_allowed(base_url, current_app.config["TENANT_HOSTS"], current_app.config.get("TENANT_ALLOW_HTTP", False)):
        raise ApiError(400, "The tenant's baseUrl is not on a Jira Cloud host this add-on serves.")
    timeout = current_app.config["TENANT_INFO_TIMEOUT_SECONDS"]
    cloud_id, confirmed = site_cloud_id(body, base_url, timeout)
    site = _tenant_of_site(cloud_id)
    if tenant is None and site is not None and site.client_key is None:
        # The site came through the Forge app first: the same data, now Connect's too. Only when the
        # site itself names that cloudId: the body's is not signed, and joining hands over the data.
        if confirmed or tenant_info_cloud_id(base_url, timeout) == cloud_id:
            tenant = site
        else:
            log.warning("install of %s names site %s, which its tenant_info does not confirm; not joined",
                        body["clientKey"], cloud_id)
    if tenant is None:
        tenant = Tenant(client_key=body["clientKey"])
        db.session.add(tenant)
    tenant.client_key = body["clientKey"]
    # Atlassian signed this install, so the secret and address it carries replace any earlier ones.
    tenant.shared_secret = body["sharedSecret"]
    tenant.base_url = base_url
    tenant.product_type = str(body.get("productType") or "jira")[:32]
    if cloud_id and tenant.cloud_id is None:
        if site is None:
            tenant.cloud_id = cloud_id
        elif site is not tenant:
            # Two tenants for one site (Connect installed before cloudIds were recorded, then Forge):
            # merging them is an operator's decision, not an install's.
            log.warning("tenant %s is site %s, which tenant %s already is; not joined",
                        body["clientKey"], cloud_id, site.id)
    return _store_installed(tenant, True)


def _tenant_of_site(cloud_id: str | None) -> Tenant | None:
    if cloud_id is None:
        return None
    return db.session.execute(db.select(Tenant).where(Tenant.cloud_id == cloud_id)).scalar_one_or_none()


@bp.post("/uninstalled")
def uninstalled() -> Response:
    _, tenant = signed_lifecycle_event()
    if tenant is None:
        return Response(status=204)
    # The data stays, for a re-install; the tenant's requests are refused until then.
    return _store_installed(tenant, False)


def _store_installed(tenant: Tenant, installed: bool) -> Response:
    """Commit the tenant's install state and drop this process's cached copy of it.

    Every other process's copy is made stale in the same transaction (revoke_credentials): once this
    answer is sent, no process accepts the old secret, nor any token of an uninstalled tenant.
    """
    tenant.installed = installed
    tenant.enabled = installed
    db.session.flush()  # a new tenant gets its id
    credentials.revoke_credentials(db.session, tenant.id)
    db.session.commit()
    connect_front().tenants.forget(tenant.client_key)
    log.info("%s tenant %s", "installed" if installed else "uninstalled", tenant.client_key)
    return Response(status=204)


def _set_enabled(enabled: bool) -> Response:
    token = connect_token()
    if not token:
        raise unauthorized("Lifecycle callbacks must carry a JWT.")
    signed = verify_connect_jwt(token, allow_context=False)
    # The commit below confirms the tenant under its row's lock, as for any request (addon.auth).
    use_caller(signed, functools.partial(verify_connect_jwt, token, False))
    body = lifecycle_body()
    if body["clientKey"] != signed.tenant.client_key:
        raise unauthorized("The token was not issued for this tenant.")
    db.session.execute(db.update(Tenant).where(Tenant.id == signed.tenant.id).values(enabled=enabled))
    db.session.commit()
    return Response(status=204)


@bp.post("/enabled")
def enabled() -> Response:
    return _set_enabled(True)


@bp.post("/disabled")
def disabled() -> Response:
    return _set_enabled(False)
