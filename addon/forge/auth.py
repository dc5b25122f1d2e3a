"""The Forge verifier: a request's `Authorization: Bearer <FIT>` to its tenant, user and Jira access.

`verify_forge_request` is what the ordered list of verifiers calls for a Bearer credential that is
a JWT (`is_forge_request` tells it apart from an API token cheaply); it answers the caller or raises
the 401 (or, when Forge's keys cannot be fetched, the 503) as an ApiError.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Mapping

from flask import current_app

from ..errors import ApiError
from ..extensions import db
from . import fit
from .fit import FitRefused, Invocation, KeysUnavailable
from .jira import JiraAccess
from .keys import ForgeKeys
from .tenants import ForgeTenant, InstallationRefused, tenant_for

log = logging.getLogger(__name__)

SYSTEM_TOKEN_HEADER = "x-forge-oauth-system"
# One message for every refusal: the reason goes to the log, not to whoever holds a bad token.
REFUSED_MESSAGE = "The Forge invocation token is not valid for this app or installation."
_MAX_SYSTEM_TOKEN = 16 * 1024


@dataclass(frozen=True)
class ForgeCaller:
    """Who is calling through Forge: the tenant, the acting user, and how to call their Jira."""

    tenant: ForgeTenant
    account_id: str | None
    jira: JiraAccess
    invocation: Invocation


def bearer_token(headers: Mapping[str, str]) -> str | None:
    value = headers.get("Authorization", "")
    if value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return None


def is_forge_request(headers: Mapping[str, str]) -> bool:
    """Whether the request carries a Bearer JWT (a FIT to check) rather than an API token (`jus_...`)."""
    token = bearer_token(headers)
    return token is not None and fit.looks_like_jwt(token)


def unauthorized() -> ApiError:
    return ApiError(401, REFUSED_MESSAGE, headers={"WWW-Authenticate": 'Bearer realm="jira-user-skills"'})


def unavailable() -> ApiError:
    return ApiError(503, "Forge's signing keys could not be fetched; nothing was changed. Try again in a moment.",
                    headers={"Retry-After": "5"})


def forge_keys() -> ForgeKeys:
    return current_app.extensions["forge_keys"]


def verify_invocation(headers: Mapping[str, str], require_principal: bool = True) -> Invocation:
    """The verified FIT of the request, or the 401 / 503 as an ApiError; no tenant is looked up."""
    token = bearer_token(headers)
    config = current_app.config
    try:
        if token is None:
            raise FitRefused("The request carries no Bearer token.")
        return fit.verify(token, forge_keys().get, config["FORGE_APP_ID"], config["JWT_LEEWAY_SECONDS"],
                          require_principal=require_principal, allow_http=config.get("TENANT_ALLOW_HTTP", False))
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


def verify_forge_request(headers: Mapping[str, str], require_principal: bool = True) -> ForgeCaller:
    """The Forge caller of a request: FIT verified, tenant found (or provisioned), Jira access ready."""
    invocation = verify_invocation(headers, require_principal)
    token = system_token(headers)
    try:
        tenant = tenant_for(db.session, invocation, token)
    except InstallationRefused as err:
        log.info("Forge token refused for installation %s: %s", invocation.installation_id, err)
        raise unauthorized() from None
    # This call's own token first: it is the newest, and one a caller could not have planted.
    access = JiraAccess(tenant.api_base_url, token or tenant.stored_system_token)
    return ForgeCaller(tenant, invocation.principal, access, invocation)
