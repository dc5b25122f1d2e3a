"""/api routes of the documented user-skill API (Skills for Jira): get, add, remove, all, bulk."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from ..connect.auth import require_auth
from ..errors import ApiError
from ..extensions import db
from ..skills import user_skills as domain
from . import bp
from ..skills.tenant_answers import SkillsByAccount
from .answers import tenant_answer
from .common import account_id_param, auth, json_body, require_admin, require_self_or_admin


def bad_input(err: domain.SkillsError) -> ApiError:
    status = 413 if err.too_large else 400
    code = "payload_too_large" if err.too_large else "invalid_request"
    return ApiError(status, str(err), code=code, details=err.details or None)


def skills_in_body() -> list[str]:
    body = json_body()
    if "skills" not in body:
        raise ApiError(400, "The body must have 'skills': an array of skill names.", code="invalid_request")
    try:
        return domain.clean_skill_list(body["skills"])
    except domain.SkillsError as err:
        raise bad_input(err) from None


@bp.get("/user-skills")
@require_auth
def get_user_skills() -> Response:
    account_id = account_id_param()
    # Not through the ORM session: this is the hot read behind every issue panel (ReadStatement).
    return jsonify(skills=domain.user_skills(auth().tenant.id, account_id))


@bp.put("/user-skills")
@require_auth
def add_user_skills() -> Response:
    account_id = account_id_param()
    names = skills_in_body()
    require_self_or_admin(account_id)
    try:
        added, existing = domain.add_skills(db.session, auth().tenant.id, account_id, names)
    except domain.SkillsError as err:
        raise bad_input(err) from None
    db.session.commit()
    return jsonify(added=added, existing=existing)


@bp.delete("/user-skills")
@require_auth
def remove_user_skills() -> Response:
    account_id = account_id_param()
    names = skills_in_body()
    require_self_or_admin(account_id)
    removed, missing = domain.remove_skills(db.session, auth().tenant.id, account_id, names)
    db.session.commit()
    return jsonify(removed=removed, missing=missing)


@bp.get("/skills-by-account")
@require_auth
def get_skills_by_account() -> Response:
    return tenant_answer(SkillsByAccount, auth().tenant.id)


@bp.post("/skills-by-account")
@require_auth
def bulk_update() -> Response:
    body = json_body()
    if "skillsByAccountId" not in body:
        raise ApiError(400, "The body must have 'skillsByAccountId'.", code="invalid_request")
    try:
        wanted = domain.parse_bulk(body["skillsByAccountId"])
    except domain.SkillsError as err:
        raise bad_input(err) from None
    require_admin()
    changes = domain.bulk_replace(db.session, auth().tenant.id, wanted)
    db.session.commit()
    return jsonify(changes={a: {"added": c.added, "removed": c.removed} for a, c in changes.items()})


# ---------------------------------------------------------------------------------------------
# OpenAPI 3.1 fragments for these routes

_NAMES = {"type": "array", "items": {"$ref": "#/components/schemas/SkillName"}}
_ACCOUNT = {"name": "accountId", "in": "query", "required": True,
            "description": "The Atlassian account ID of the user.",
            "schema": {"$ref": "#/components/schemas/AccountId"}}


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(props), "properties": props, "additionalProperties": False}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"$ref": f"#/components/responses/E{c}"} for c in codes}


_SKILLS_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["skills"], "properties": {"skills": _NAMES}}}}}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/user-skills": {
        "get": {"operationId": "getUserSkills", "summary": "Get user skills", "parameters": [_ACCOUNT],
                "responses": {"200": _ok(_obj(skills=_NAMES), "The user's skills in the order added."),
                              **_errors(400, 401)}},
        "put": {"operationId": "addUserSkills", "summary": "Add user skills", "parameters": [_ACCOUNT],
                "requestBody": _SKILLS_BODY,
                "responses": {"200": _ok(_obj(added=_NAMES, existing=_NAMES), "What was added and what the user had."),
                              **_errors(400, 401, 403, 413, 415, 503)}},
        "delete": {"operationId": "removeUserSkills", "summary": "Remove user skills", "parameters": [_ACCOUNT],
                   "requestBody": _SKILLS_BODY,
                   "responses": {"200": _ok(_obj(removed=_NAMES, missing=_NAMES), "What was removed and what the user lacked."),
                                 **_errors(400, 401, 403, 413, 415, 503)}},
    },
    "/api/skills-by-account": {
        "get": {"operationId": "getSkillsByAccount", "summary": "Get all users' skills",
                "responses": {"200": _ok(_obj(skillsByAccountId={"type": "object", "additionalProperties": _NAMES}),
                                         "Every user with skills."), **_errors(401)}},
        "post": {"operationId": "bulkUpdateSkills", "summary": "Bulk update users' skills",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["skillsByAccountId"],
                     "properties": {"skillsByAccountId": {"type": "object", "additionalProperties": _NAMES,
                                                          "maxProperties": domain.MAX_ACCOUNTS_PER_REQUEST}}}}}},
                 "responses": {"200": _ok(_obj(changes={"type": "object", "additionalProperties": _obj(
                     added=_NAMES, removed=_NAMES)}), "Each listed account's changes."),
                     **_errors(400, 401, 403, 413, 415, 503)}},
    },
}
OPENAPI_SCHEMAS: dict[str, Any] = {
    "SkillName": {"type": "string", "minLength": 1, "maxLength": 100,
                  "description": "1 to 100 characters after trimming; no control characters; case-insensitive."},
    "AccountId": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[A-Za-z0-9][A-Za-z0-9:_\\-]*$"},
}
