"""/api/tokens: tenant API tokens, managed by Jira administrators signed in through Jira."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Response, jsonify

from ..auth import caller as auth, require_auth, require_jira_admin_user
from ..skills.tokens import hash_token as hash_api_token, new_secret as new_api_token
from ..errors import ApiError
from ..extensions import db
from ..models import ApiToken
from ..skills.names import InvalidName, clean_name
from . import bp
from .common import json_body

MAX_TOKENS_PER_TENANT = 100


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _tenant_tokens():
    return db.select(ApiToken).where(ApiToken.tenant_id == auth().tenant.id)


@bp.post("/tokens")
@require_auth
def create_token() -> tuple[Response, int]:
    body = json_body()
    try:
        name = clean_name(body.get("name"), "A token name")
    except InvalidName as err:
        raise ApiError(400, str(err), code="invalid_request") from None
    require_jira_admin_user()
    count = db.session.execute(db.select(db.func.count()).select_from(_tenant_tokens().subquery())).scalar_one()
    if count >= MAX_TOKENS_PER_TENANT:
        raise ApiError(400, f"A site can have at most {MAX_TOKENS_PER_TENANT} API tokens; revoke one first.",
                       code="limit_exceeded")
    secret = new_api_token()
    token = ApiToken(tenant_id=auth().tenant.id, name=name, token_hash=hash_api_token(secret),
                     created_by=auth().account_id or "")
    db.session.add(token)
    db.session.commit()
    return jsonify(id=token.id, name=token.name, token=secret, createdAt=iso(token.created_at)), 201


@bp.get("/tokens")
@require_auth
def list_tokens() -> Response:
    require_jira_admin_user()
    rows = db.session.execute(_tenant_tokens().order_by(ApiToken.created_at, ApiToken.id)).scalars()
    return jsonify(tokens=[{"id": t.id, "name": t.name, "createdAt": iso(t.created_at),
                            "lastUsedAt": iso(t.last_used_at)} for t in rows])


@bp.delete("/tokens/<token_id>")
@require_auth
def revoke_token(token_id: str) -> Response:
    require_jira_admin_user()
    result = db.session.execute(db.delete(ApiToken).where(ApiToken.tenant_id == auth().tenant.id,
                                                          ApiToken.id == token_id))
    if result.rowcount == 0:
        raise ApiError(404, "No API token with that id on this site.")
    db.session.commit()
    return Response(status=204)


_TIME = {"type": "string", "format": "date-time"}
_TOKEN_INFO = {"type": "object", "required": ["id", "name", "createdAt", "lastUsedAt"], "additionalProperties": False,
               "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "createdAt": _TIME,
                              "lastUsedAt": {"anyOf": [_TIME, {"type": "null"}]}}}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/tokens": {
        "post": {"operationId": "createToken", "summary": "Create a tenant API token (shown once)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["name"],
                     "properties": {"name": {"$ref": "#/components/schemas/SkillName"}}}}}},
                 "responses": {"201": {"description": "The new token; the only time it is shown.",
                                       "links": {"revokeToken": {"operationId": "revokeToken",
                                                                 "parameters": {"id": "$response.body#/id"}}},
                                       "content": {"application/json": {"schema": {
                                           "type": "object", "required": ["id", "name", "token", "createdAt"],
                                           "additionalProperties": False,
                                           "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                                          "token": {"type": "string"}, "createdAt": _TIME}}}}},
                               **{str(c): {"$ref": f"#/components/responses/E{c}"} for c in (400, 401, 403, 415, 503)}}},
        "get": {"operationId": "listTokens", "summary": "List the tenant's API tokens (never the tokens)",
                "responses": {"200": {"description": "The tokens.", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["tokens"], "additionalProperties": False,
                    "properties": {"tokens": {"type": "array", "items": _TOKEN_INFO}}}}}},
                    **{str(c): {"$ref": f"#/components/responses/E{c}"} for c in (401, 403, 503)}}},
    },
    "/api/tokens/{id}": {
        "delete": {"operationId": "revokeToken", "summary": "Revoke a tenant API token",
                   "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                   "responses": {"204": {"description": "Revoked; it stops working at once."},
                                 **{str(c): {"$ref": f"#/components/responses/E{c}"} for c in (401, 403, 404, 503)}}},
    },
}
OPENAPI_SCHEMAS: dict[str, Any] = {}
