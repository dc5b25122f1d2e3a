"""What every /api view needs: the JSON body, the caller's rights, the account in the query."""
from __future__ import annotations

from typing import Any

from flask import current_app, g, request

from ..connect.auth import Auth
from ..connect.jira import JiraUnavailable, PermissionChecker
from ..errors import ApiError
from ..skills.names import valid_account_id


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 415/400 that says what is wrong."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with 'Content-Type: application/json'.")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The body is not valid JSON.")
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body


def account_id_param() -> str:
    account_id = request.args.get("accountId")
    if account_id is None:
        raise ApiError(400, "The query parameter 'accountId' is required.")
    if not valid_account_id(account_id):
        raise ApiError(400, "'accountId' is not a valid Atlassian account ID.")
    return account_id


def auth() -> Auth:
    return g.auth


def is_admin(caller: Auth) -> bool:
    """API tokens act as administrators; a Jira user is one if Jira says ADMINISTER."""
    if caller.is_api_token:
        return True
    if caller.account_id is None:
        return False
    checker: PermissionChecker = current_app.extensions["permissions"]
    try:
        return checker.is_admin(caller.tenant, caller.account_id)
    except JiraUnavailable:
        raise ApiError(503, "Jira could not confirm your permissions right now; nothing was changed. "
                            "Try again in a moment.", headers={"Retry-After": "5"}) from None


def require_admin() -> None:
    if not is_admin(auth()):
        raise ApiError(403, "Only Jira administrators may do this.")


def require_self_or_admin(account_id: str) -> None:
    caller = auth()
    if caller.account_id is not None and caller.account_id == account_id:
        return
    if not is_admin(caller):
        raise ApiError(403, "Only the user themself or a Jira administrator may change these skills.")


def require_jira_admin_user() -> None:
    """Token management: a Jira administrator signed in through Jira, never an API token."""
    caller = auth()
    if caller.is_api_token:
        raise ApiError(403, "API tokens cannot manage API tokens; sign in through Jira as an administrator.")
    require_admin()
