"""What every /api view parses: the JSON body, the account in the query."""
from __future__ import annotations

from typing import Any

from flask import request

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

