"""The OpenAPI 3.1 document of every /api route, put together from the route modules' fragments."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from . import bp, tokens, tree, user_skills

_ERROR_TEXT = {400: "Bad input; nothing was changed.", 401: "No valid token, or the tenant is not installed.",
               403: "Authenticated but not allowed.", 404: "No such resource.",
               413: "Over a limit (5 MB, 10,000 accounts, 500 skills a user).",
               415: "The body must be JSON.", 503: "Jira could not be asked for permissions; try again."}


def document(server_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "required": ["error", "message"],
                  "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                                 "details": {"type": "array"}}},
    }
    for module in (user_skills, tree, tokens):
        paths.update(module.OPENAPI_PATHS)
        schemas.update(module.OPENAPI_SCHEMAS)
    security = [{"connectJwt": []}, {"connectJwtQuery": []}, {"apiToken": []}, {"apiTokenHeader": []}]
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
            "schemas": schemas,
            "responses": {f"E{code}": {"description": text, "content": error} for code, text in _ERROR_TEXT.items()},
            "securitySchemes": {
                "connectJwt": {"type": "apiKey", "in": "header", "name": "Authorization",
                               "description": "'JWT <token>' signed by Jira (URL qsh or context-qsh)."},
                "connectJwtQuery": {"type": "apiKey", "in": "query", "name": "jwt"},
                "apiToken": {"type": "http", "scheme": "bearer", "description": "A tenant API token."},
                "apiTokenHeader": {"type": "apiKey", "in": "header", "name": "Authorization-Skills"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document(current_app.config["APP_BASE_URL"]))
