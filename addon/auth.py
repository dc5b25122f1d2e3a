"""Authentication and authorization of requests, whichever front proved the caller.

`require_auth` tries the app's verifiers in order (`app.extensions["verifiers"]`: Connect JWT, then
tenant API token; the Forge front adds its own) and puts the `Caller` on `flask.g.caller`. Views and
pages then ask `caller()` and the `require_*` rules below, never the kind of token.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from flask import current_app, g, request

from .caller import Caller
from .errors import ApiError
from .extensions import db
from .jira import JiraUnavailable
from .skills import tokens

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def unauthorized(message: str, schemes: tuple[str, ...] = ("JWT",)) -> ApiError:
    """A 401 whose challenge names the schemes that could have worked (RFC 9110 WWW-Authenticate)."""
    challenge = ", ".join(f'{scheme} realm="jira-user-skills"' for scheme in schemes)
    return ApiError(401, message, headers={"WWW-Authenticate": challenge})


@dataclass(frozen=True)
class Verifier:
    """One way a request proves its caller: where the credential is, and how it is checked."""

    name: str
    # The request's credential of this kind, or None when it carries none.
    credential: Callable[[], str | None]
    # (credential, whether a Connect context token is acceptable here) -> the caller, or raises a 401.
    verify: Callable[[str, bool], Caller]
    # An API token: refused where a page must be opened from Jira.
    is_api_token: bool = False


def authenticate(allow_context: bool = True, allow_api_token: bool = True) -> Caller:
    """The caller the first verifier with a credential in the request proves, or a 401."""
    verifiers: list[Verifier] = current_app.extensions["verifiers"]
    for verifier in verifiers:
        if verifier.is_api_token and not allow_api_token:
            continue
        credential = verifier.credential()
        if credential:
            return verifier.verify(credential, allow_context)
    if allow_api_token:
        raise unauthorized("Authentication is required: a Connect JWT or an API token.", ("JWT", "Bearer"))
    raise unauthorized("This page must be opened from Jira: its link carries no valid token.")


def require_auth(view: F | None = None, *, context: bool = True, api_tokens: bool = True) -> Any:
    """Decorator: authenticate the request and put the caller on `g.caller`, or answer 401."""
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.caller = authenticate(allow_context=context, allow_api_token=api_tokens)
            return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate(view) if view is not None else decorate


def caller() -> Caller:
    return g.caller


# ---------------------------------------------------------------------------------------------
# Tenant API tokens

def api_token_credential() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("Authorization-Skills", "").strip() or None


def verify_api_token(secret: str, _allow_context: bool = True) -> Caller:
    """A tenant API token, looked up in the shared database on every request: revocation is immediate."""
    engine = db.engine
    found = tokens.holder(engine, secret)
    if found is None or not found.tenant.installed:
        if found is not None:
            log.info("API token %s refused: tenant %s is not installed", found.token_id, found.tenant.client_key)
        # One answer whether the token is unknown or its tenant uninstalled: a guess learns nothing.
        raise unauthorized("The API token is not valid.", ("Bearer",))
    tokens.record_use(engine, found)
    return Caller(found.tenant, None, is_api_token=True, token_id=found.token_id)


API_TOKEN = Verifier("api-token", api_token_credential, verify_api_token, is_api_token=True)


# ---------------------------------------------------------------------------------------------
# Authorization: the same rules for every front

def is_admin(who: Caller) -> bool:
    """Whether the caller may act as an administrator; a 503 when Jira cannot say (never a guess)."""
    try:
        return who.is_admin()
    except JiraUnavailable:
        raise ApiError(503, "Jira could not confirm your permissions right now; nothing was changed. "
                            "Try again in a moment.", headers={"Retry-After": "5"}) from None


def require_admin(message: str = "Only Jira administrators may do this.") -> None:
    if not is_admin(caller()):
        raise ApiError(403, message)


def require_self_or_admin(account_id: str) -> None:
    who = caller()
    if who.account_id is not None and who.account_id == account_id:
        return
    if not is_admin(who):
        raise ApiError(403, "Only the user themself or a Jira administrator may change these skills.")


def require_jira_admin_user() -> None:
    """Token management: a Jira administrator signed in through Jira, never an API token."""
    if caller().is_api_token:
        raise ApiError(403, "API tokens cannot manage API tokens; sign in through Jira as an administrator.")
    require_admin()
