"""The Forge verifier: a request's `Authorization: Bearer <FIT>` to its tenant, user and Jira access.

`FORGE_FIT` sits in the app's ordered list of verifiers (addon.auth) after Connect's JWT and before
the API token: both of the latter two use `Authorization: Bearer`, and `forge_token` tells a FIT
(a JWT) from an API token (`jus_...`) without a database look-up. It answers the same `Caller` as
the other fronts, or raises the 401 (or, when Forge's keys cannot be fetched, the 503) as an ApiError.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Mapping

from flask import current_app, request
from sqlalchemy.exc import SQLAlchemyError

from ..auth import Verifier
from ..caller import Caller, TenantInfo
from ..errors import ApiError
from ..extensions import db
from ..jira import PermissionChecker
from ..jose import HeaderCache, credential
from . import fit
from .fit import FitRefused, Invocation, KeysUnavailable
from .keys import ForgeKeys
from .tenants import ForgeTenant, InstallationRefused, load_installation, remember_system_token, tenant_for

log = logging.getLogger(__name__)

SYSTEM_TOKEN_HEADER = "x-forge-oauth-system"
# One message for every refusal: the reason goes to the log, not to whoever holds a bad token.
REFUSED_MESSAGE = "The Forge invocation token is not valid for this app or installation."
_MAX_SYSTEM_TOKEN = 16 * 1024


def bearer_token(headers: Mapping[str, str]) -> str | None:
    return credential(headers.get("Authorization", ""), "Bearer") or None


def forge_token(headers: Mapping[str, str], decoded: HeaderCache | None = None) -> str | None:
    """The request's Bearer JWT (a FIT to check); None for an API token (`jus_...`) or no Bearer at all."""
    token = bearer_token(headers)
    return token if token is not None and fit.looks_like_jwt(token, decoded) else None


def unauthorized() -> ApiError:
    return ApiError(401, REFUSED_MESSAGE, headers={"WWW-Authenticate": 'Bearer realm="jira-user-skills"'})


def unavailable() -> ApiError:
    return ApiError(503, "Forge's signing keys could not be fetched; nothing was changed. Try again in a moment.",
                    headers={"Retry-After": "5"})


@dataclass
class ForgeFront:
    """What the Forge front keeps per app, made once by addon.forge.init_app."""

    keys: ForgeKeys  # Forge's token-signing keys (JWKS)
    headers: HeaderCache  # the FITs' headers, each decoded once
    permissions: PermissionChecker  # the administrator check, over the Jira client that calls with the system token


def forge_front() -> ForgeFront:
    return current_app.extensions["forge"]


def verify_invocation(headers: Mapping[str, str], require_principal: bool = True, event: bool = False) -> Invocation:
    """The verified FIT of the request, or the 401 / 503 as an ApiError; no tenant is looked up.

    `event`: the request must be an event Forge itself sent (fit.invocation_from_claims), not a page's call.
    """
    return _verified(bearer_token(headers), require_principal, event)


def _verified(token: str | None, require_principal: bool, event: bool = False) -> Invocation:
    config = current_app.config
    front = forge_front()
    try:
        if token is None:
            raise FitRefused("The request carries no Bearer token.")
        return fit.verify(token, front.keys.get, config["FORGE_APP_ID"], config["JWT_LEEWAY_SECONDS"],
                          require_principal=require_principal, allow_http=config.get("TENANT_ALLOW_HTTP", False),
                          environment=config["FORGE_ENVIRONMENT"], event=event, headers=front.headers)
    except FitRefused as err:
        log.info("Forge token refused: %s", err)
        raise unauthorized() from None
    except KeysUnavailable as err:
        log.warning("Forge token not judged: %s", err)
        raise unavailable() from None


def system_token(headers: Mapping[str, str]) -> str | None:
    """The app system token Forge sent with this call, if any (invokeRemote sends it; requestRemote does not)."""
    value = headers.get(SYSTEM_TOKEN_HEADER, "").strip()
    if not value or len(value) > _MAX_SYSTEM_TOKEN or any(ord(ch) < 33 or ord(ch) > 126 for ch in value):
        return None
    return value


def verify_forge_request(headers: Mapping[str, str], require_principal: bool = True,
                         fit_token: str | None = None) -> Caller:
    """The Forge caller of a request: FIT verified, tenant found (or provisioned), Jira access ready.

    `fit_token` is the request's FIT when the caller has taken it from the headers already.
    """
    invocation = _verified(fit_token if fit_token is not None else bearer_token(headers), require_principal)
    token = system_token(headers)
    try:
        # One read on a pooled connection, outside the request's session; the session (and its
        # writes) only for an installation seen for the first time or with something new to store.
        known = load_installation(db.engine, invocation.installation_id)
        tenant = tenant_for(db.session, invocation, known=known)
    except InstallationRefused as err:
        log.info("Forge token refused for installation %s: %s", invocation.installation_id, err)
        raise unauthorized() from None
    # Read from the database in this request (no per-process copy): nothing stale to confirm.
    return Caller(tenant_info(tenant, invocation.api_base_url, token), invocation.principal, is_api_token=False,
                  admin_check=forge_front().permissions.is_admin, tenant_fresh=True)


def tenant_info(tenant: ForgeTenant, api_base_url: str, token: str | None) -> TenantInfo:
    """The TenantInfo of a Forge call: Jira at the installation's apiBaseUrl, with a system token.

    This call's own token first: it is the newest Forge sent; the stored one serves calls that
    arrive without one (requestRemote). The call's own is stored only once Jira accepts it
    (`remember_accepted_token`): until then it may be a value the page's user chose.
    """
    return TenantInfo(tenant.id, None, None, api_base_url, tenant.installed, tenant.auth_epoch,
                      installation_id=tenant.installation_id, system_token=token or tenant.stored_system_token)


def remember_accepted_token(tenant: TenantInfo) -> None:
    """Jira answered a call made with this tenant's system token: keep the token for calls without one.

    Never fails the request: the Jira answer it follows came back fine, and a token not stored now is
    stored on the next accepted call or event.
    """
    if tenant.installation_id is None or not tenant.system_token:
        return
    try:
        remember_system_token(db.engine, tenant.installation_id, tenant.system_token)
    except SQLAlchemyError as err:
        log.warning("Forge system token of installation %s not stored: %s", tenant.installation_id,
                    type(err).__name__)


def fit_credential() -> str | None:
    """The request's FIT, when its Bearer credential is a JWT; an API token is left to its own verifier."""
    return forge_token(request.headers, forge_front().headers)


def verify_fit(token: str, _allow_context: bool = True) -> Caller:
    return verify_forge_request(request.headers, fit_token=token)


# Not for the Connect pages (addon/pages): Jira opens those with a Connect JWT in their URL.
FORGE_FIT = Verifier("forge-fit", fit_credential, verify_fit, opens_pages=False)
