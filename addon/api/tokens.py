"""/api/tokens: tenant API tokens, managed by Jira administrators signed in through Jira."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Response, jsonify

from ..auth import caller, require_auth, require_jira_admin_user
from ..extensions import db
from ..skills import tokens as domain
from . import bp
from .common import json_body
from .schemas import answer, errors, path_parameter, ref, request_body


def iso(moment: datetime | None) -> str | None:
    """An aware UTC datetime (the domain gives no other) as the API writes times: seconds, `Z`."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _shown(token: domain.TokenInfo) -> dict[str, Any]:
    return {"id": token.id, "name": token.name, "createdAt": iso(token.created_at),
            "lastUsedAt": iso(token.last_used_at)}


@bp.post("/tokens")
@require_auth
def create_token() -> tuple[Response, int]:
    name = domain.clean_token_name(json_body().get("name"))
    require_jira_admin_user()
    token, secret = domain.create(db.session, caller().tenant.id, name, caller().account_id)
    db.session.commit()
    return jsonify(id=token.id, name=token.name, token=secret, createdAt=iso(token.created_at)), 201


@bp.get("/tokens")
@require_auth
def list_tokens() -> Response:
    require_jira_admin_user()
    return jsonify(tokens=[_shown(token) for token in domain.list_tokens(db.session, caller().tenant.id)])


@bp.delete("/tokens/<token_id>")
@require_auth
def revoke_token(token_id: str) -> Response:
    require_jira_admin_user()
    domain.revoke(db.session, caller().tenant.id, token_id)
    db.session.commit()
    return Response(status=204)


# Only a Jira administrator signed in through Jira manages tokens: an API token authenticates (no 401)
# but is refused (403), so the ways in these operations name are Connect's and Forge's alone.
_ADMIN_IN_JIRA: dict[str, Any] = {
    "description": "Only a Jira administrator signed in through Jira (a Connect JWT, or a Forge Invocation Token "
                   "of the Forge app) manages API tokens; an API token is refused with 403.",
    "security": [{"connectJwt": []}, {"connectJwtQuery": []}, {"forgeInvocationToken": []}],
}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/tokens": {
        "post": {"operationId": "createToken", "summary": "Create a tenant API token (shown once)", **_ADMIN_IN_JIRA,
                 "requestBody": request_body(ref("TokenCreate")),
                 "responses": {"201": answer(ref("NewToken"), "The new token; the only time it is shown.", links={
                     "revokeToken": {"operationId": "revokeToken", "parameters": {"id": "$response.body#/id"}}}),
                     **errors(400, 401, 403, 415, 503)}},
        "get": {"operationId": "listTokens", "summary": "List the tenant's API tokens (never the tokens)", **_ADMIN_IN_JIRA,
                "responses": {"200": answer({"type": "object", "required": ["tokens"], "additionalProperties": False,
                                             "properties": {"tokens": {"type": "array", "items": ref("TokenInfo")}}},
                                            "The tokens."), **errors(401, 403, 503)}},
    },
    "/api/tokens/{id}": {
        "delete": {"operationId": "revokeToken", "summary": "Revoke a tenant API token", **_ADMIN_IN_JIRA,
                   "parameters": [path_parameter("id", "The token's id.")],
                   "responses": {"204": {"description": "Revoked; it stops working at once."},
                                 **errors(401, 403, 404, 503)}},
    },
}
