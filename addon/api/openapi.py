"""The OpenAPI 3.1 document of every /api route, put together from the route modules' fragments."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from . import bp, issues, levels, tokens, tree, user_skills
from ..errors import size_text
from .schemas import SCHEMAS

def _error_text(max_body_bytes: int) -> dict[int, str]:
    return {400: "Bad input; nothing was changed.", 401: "No valid token, or the tenant is not installed.",
            403: "Authenticated but not allowed.", 404: "No such resource.",
            413: f"Over a limit ({size_text(max_body_bytes)}, {user_skills.domain.MAX_ACCOUNTS_PER_REQUEST:,} accounts, "
                 f"{user_skills.domain.MAX_SKILLS_PER_USER} skills a user).",
            415: "The body must be JSON.", 503: "Jira could not be asked for permissions; try again."}


def document(server_url: str, max_body_bytes: int) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for module in (user_skills, levels, tree, tokens, issues):
        paths.update(module.OPENAPI_PATHS)
    security = [{"connectJwt": []}, {"connectJwtQuery": []}, {"forgeInvocationToken": []}, {"apiToken": []},
                {"apiTokenHeader": []}]
    for path_item in paths.values():
        for operation in path_item.values():
            operation.setdefault("security", security)
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "User Skills for Jira API", "version": "1.0.0",
                 "description": "Tenant-scoped skills API following the Skills for Jira user-skill API."},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "responses": {f"E{code}": {"description": text, "content": error} for code, text in _error_text(max_body_bytes).items()},
            "securitySchemes": {
                "connectJwt": {"type": "apiKey", "in": "header", "name": "Authorization",
                               "description": "'JWT <token>' signed by Jira (URL qsh or context-qsh)."},
                "connectJwtQuery": {"type": "apiKey", "in": "query", "name": "jwt"},
                # Both are `Authorization: Bearer`: a JWT is a Forge Invocation Token, anything else an API token.
                "forgeInvocationToken": {
                    "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "A Forge Invocation Token (FIT): a Bearer credential that is a JWT, signed RS256 by "
                                   "Forge for this app (`aud` FORGE_APP_ID), sent by Forge Remote for the tenant's "
                                   "Forge app; `principal` is the acting user. The header `x-forge-oauth-system` "
                                   "carries the app system token the add-on calls Jira with."},
                "apiToken": {"type": "http", "scheme": "bearer",
                             "description": "A tenant API token (`jus_...`, never a JWT: a Bearer JWT is read as a "
                                            "Forge Invocation Token)."},
                "apiTokenHeader": {"type": "apiKey", "in": "header", "name": "Authorization-Skills"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document(current_app.config["APP_BASE_URL"], current_app.config["MAX_CONTENT_LENGTH"]))
