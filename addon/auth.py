"""Authentication and authorization of requests, whichever front proved the caller.

`require_auth` tries the app's verifiers in order (each front adds its own with `add_verifier`:
Connect JWT, the Forge front's FIT (addon.forge.auth), then the tenant API token) and puts the `Caller` on
`flask.g.caller`. Views and pages then ask `caller()` and the `require_*` rules below, never the
kind of token.

A verifier may take the caller's tenant from a per-process cache; uninstalls, re-installs and new
secrets are handled by whichever process Atlassian calls. So every request confirms its tenant
copy's auth epoch against the database's (skills.credentials) before its answer is sent. No view
does it: it happens on one of three paths, within a statement the request makes anyway where it can:
- a read through `tenant_read` (the hot read, the whole-tenant answers' version): its one statement
  reads the epoch with the data (a `credentials.Stamped` value);
- the commit of the request's session (`_confirm_before_commit`): the epoch read under the tenant
  row's lock, which a write takes anyway;
- otherwise, `require_auth` after the view: one primary-key read (`confirm_caller`).
A copy found stale is forgotten and the request authenticated again against the database.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any, Callable, Concatenate, ParamSpec, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from .caller import Caller, TenantInfo
from .errors import ApiError
from .extensions import db
from .jira import JiraUnavailable
from .jose import credential
from .skills import credentials, tokens
from .skills.errors import DomainError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
P = ParamSpec("P")


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
    # Drop whatever this front caches of the tenant (its copy was found stale); None: it caches nothing.
    # A front that caches must give it, or a stale copy can only end in a 401.
    forget: Callable[[TenantInfo], None] | None = None
    # Whether it may open the Connect pages (addon/pages), which Jira loads with a signed URL.
    opens_pages: bool = True


def authenticate(allow_context: bool = True, allow_api_token: bool = True) -> Caller:
    """The caller the first verifier with a credential in the request proves, or a 401."""
    for verifier in verifiers():
        if not allow_api_token and (verifier.is_api_token or not verifier.opens_pages):
            continue
        presented = verifier.credential()
        if presented:
            return verifier.verify(presented, allow_context)
    if allow_api_token:
        raise unauthorized("Authentication is required: a Connect JWT, a Forge invocation token or an API token.",
                           ("JWT", "Bearer"))
    raise unauthorized("This page must be opened from Jira: its link carries no valid token.")


def require_auth(view: F | None = None, *, context: bool = True, api_tokens: bool = True) -> Any:
    """Decorator: authenticate the request and put the caller on `g.caller`, or answer 401.

    No answer leaves before the caller's tenant is confirmed (see the module's docstring).
    """
    def decorate(fn: F) -> F:
        again = functools.partial(authenticate, allow_context=context, allow_api_token=api_tokens)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            use_caller(again(), again)
            try:
                answer = fn(*args, **kwargs)
            except (ApiError, DomainError, HTTPException) as err:
                # A refusal or a bad-input answer is an answer too: a revoked credential gets a 401 instead.
                if _status(err) != 401 and _status(err) < 500:
                    confirm_caller()
                raise
            confirm_caller()
            return answer
        return wrapper  # type: ignore[return-value]
    return decorate(view) if view is not None else decorate


def _status(err: ApiError | DomainError | HTTPException) -> int:
    if isinstance(err, ApiError):
        return err.status
    if isinstance(err, HTTPException):
        return err.code or 500
    return 400  # the domain refuses only input (addon.errors gives the exact 4xx)


def use_caller(who: Caller, reauthenticate: Callable[[], Caller]) -> None:
    """Make `who` this request's caller; `reauthenticate` proves the request's credential again."""
    state = _request_state()
    state.caller = who
    state.reauthenticate = reauthenticate
    state.tenant_confirmed = who.tenant_fresh


def caller() -> Caller:
    return g.caller


def _request_state() -> Any:
    """This request's `g` itself: each attribute read through the `g` proxy looks the context up again."""
    return g._get_current_object()  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# Confirming the caller's tenant: revocation is immediate on every process

def tenant_read(read: Callable[Concatenate[Engine, int, P], credentials.Stamped[T]],
                *args: P.args, **kwargs: P.kwargs) -> T:
    """`read(engine, the caller's tenant id, *args)`, a read whose statement also reads the tenant's
    auth epoch: the value it read, the caller confirmed by that epoch at no statement of its own."""
    stamped = read(db.engine, caller().tenant.id, *args, **kwargs)
    _confirm_tenant(stamped.epoch)
    return stamped.value


def _confirm_tenant(epoch: int | None) -> None:
    """Check the caller's tenant against `epoch`, its auth epoch as a statement of this request read it.

    Equal: the tenant's install state and credentials are those the caller was proved with. Else
    they changed since this process cached the tenant: forget the copy and prove the request's
    credential again against the database (401 if it no longer holds; otherwise carry on: the
    request's data, read by tenant id, is the tenant's all the same).
    """
    if not has_request_context():
        return
    state = _request_state()
    stale = state.get("caller")
    if stale is None:
        return
    if epoch is not None and epoch == stale.tenant.auth_epoch:
        state.tenant_confirmed = True
        return
    log.info("tenant %s changed (auth epoch %s, cached %s): authenticating the request again",
             stale.tenant.client_key, epoch, stale.tenant.auth_epoch)
    for verifier in verifiers():
        if verifier.forget is not None:
            verifier.forget(stale.tenant)
    state.caller = None  # no confirming while a front proves it again (a front's own commit must not recurse here)
    who = state.reauthenticate()
    if who.tenant.id != stale.tenant.id or not (who.tenant_fresh or who.tenant.auth_epoch == epoch):
        raise unauthorized("The credentials changed; authenticate again.")
    state.caller = who
    state.tenant_confirmed = True


def confirm_caller() -> None:
    """Confirm the caller's tenant with one primary-key read, unless this request has already."""
    if not has_request_context():
        return
    state = _request_state()
    who = state.get("caller")
    if who is not None and not state.get("tenant_confirmed", True):
        _confirm_tenant(credentials.current(db.engine, who.tenant.id))


def _confirm_before_commit(session: Session) -> None:
    """A request's write commits only under the credentials its caller was proved with.

    Under the tenant row's lock (skills.credentials.in_transaction): an uninstall or new secret
    committed by any process before this commit is seen here, and none can commit in between.
    Checked even for a caller read fresh: the tenant may have changed since.
    """
    if not has_request_context() or g.get("caller") is None or session is not db.session():
        return
    _confirm_tenant(credentials.in_transaction(session, caller().tenant.id))


def init_app(app: Flask) -> None:
    """The ways in (the API token; each front adds its own, see add_verifier), and the check of the
    caller's tenant before every commit of a request's session (listened for once per process)."""
    app.extensions["verifiers"] = [API_TOKEN]
    if not event.contains(db.session, "before_commit", _confirm_before_commit):
        event.listen(db.session, "before_commit", _confirm_before_commit)


def add_verifier(app: Flask, verifier: Verifier) -> None:
    """A front's way in: tried after those added before it, and before the API token (a Forge FIT and
    an API token are both `Authorization: Bearer`; a front's verifier takes only its own kind)."""
    found: list[Verifier] = app.extensions["verifiers"]
    at = next((n for n, other in enumerate(found) if other.is_api_token), len(found))
    found.insert(at, verifier)


def verifiers() -> list[Verifier]:
    """The app's verifiers, in the order they are tried."""
    return current_app.extensions["verifiers"]


# ---------------------------------------------------------------------------------------------
# Tenant API tokens

def api_token_credential() -> str | None:
    """`Authorization: Bearer <token>`, else `Authorization-Skills: <token>` (Skills for Jira's header)."""
    found = credential(request.headers.get("Authorization", ""), "Bearer")
    if found is not None:
        return found
    return request.headers.get("Authorization-Skills", "").strip() or None


def verify_api_token(secret: str, _allow_context: bool = True) -> Caller:
    """A tenant API token, looked up in the shared database on every request: revocation is immediate."""
    engine = db.engine
    found = tokens.holder(engine, secret)
    if found is None:
        raise _invalid_api_token()
    # The domain gives the token's tenant as its row is; the request's TenantInfo is made here, at the edge.
    tenant = TenantInfo(found.tenant_id, found.client_key, found.shared_secret, found.base_url, found.installed,
                        found.auth_epoch)
    if not tenant.installed:
        log.info("API token %s refused: tenant %s is not installed", found.token_id, tenant.name)
        raise _invalid_api_token()
    tokens.record_use(engine, found)
    # The token's tenant was read with it, from the database: fresh, nothing to confirm for a read.
    return Caller(tenant, None, is_api_token=True, token_id=found.token_id, tenant_fresh=True)


def _invalid_api_token() -> ApiError:
    # One answer whether the token is unknown or its tenant uninstalled: a guess learns nothing.
    return unauthorized("The API token is not valid.", ("Bearer",))


API_TOKEN = Verifier("api-token", api_token_credential, verify_api_token, is_api_token=True, opens_pages=False)


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
