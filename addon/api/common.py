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


def only_fields(body: dict[str, Any], allowed: set[str]) -> None:
    """A 400 naming the fields of `body` that are not `allowed`."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, f"Unknown field(s): {', '.join(map(repr, unknown))}; "
                            f"allowed: {', '.join(sorted(allowed))}.", details=unknown)


def account_id_param() -> str:
    values = request.args.getlist("accountId")
    if not values:
        raise ApiError(400, "The query parameter 'accountId' is required.")
    if len(values) > 1:
        # Which one would be meant? Proxies and frameworks disagree (first, last, joined): refuse.
        raise ApiError(400, "Give the query parameter 'accountId' once.")
    account_id = values[0]
    if not valid_account_id(account_id):
        raise ApiError(400, "'accountId' is not a valid Atlassian account ID.")
    return account_id

