"""/api routes of the documented user-skill API (Skills for Jira): get, add, remove, all, bulk."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from ..auth import caller, require_admin, require_auth, require_self_or_admin, tenant_read
from ..errors import ApiError
from ..extensions import db
from ..skills import user_skills as domain
from . import bp
from ..skills.tenant_answers import SkillsByAccount
from .answers import tenant_answer
from .common import account_id_param, json_body
from .schemas import NAMES, answer, errors, obj, ref, request_body


def skills_in_body() -> list[str]:
    body = json_body()
    if "skills" not in body:
        raise ApiError(400, "The body must have 'skills': an array of skill names.", code="invalid_request")
    return domain.clean_skill_list(body["skills"])


@bp.get("/user-skills")
@require_auth
def get_user_skills() -> Response:
    # The hot read behind every issue panel: one statement on a pooled connection (ReadStatement).
    return jsonify(skills=tenant_read(domain.user_skills_and_epoch, account_id_param()))


@bp.put("/user-skills")
@require_auth
def add_user_skills() -> Response:
    account_id = account_id_param()
    names = skills_in_body()
    require_self_or_admin(account_id)
    added, existing = domain.add_skills(db.session, caller().tenant.id, account_id, names)
    db.session.commit()
    return jsonify(added=added, existing=existing)


@bp.delete("/user-skills")
@require_auth
def remove_user_skills() -> Response:
    account_id = account_id_param()
    names = skills_in_body()
    require_self_or_admin(account_id)
    removed, missing = domain.remove_skills(db.session, caller().tenant.id, account_id, names)
    db.session.commit()
    return jsonify(removed=removed, missing=missing)


@bp.get("/skills-by-account")
@require_auth
def get_skills_by_account() -> Response:
    return tenant_answer(SkillsByAccount)


@bp.post("/skills-by-account")
@require_auth
def bulk_update() -> Response:
    body = json_body()
    if "skillsByAccountId" not in body:
        raise ApiError(400, "The body must have 'skillsByAccountId'.", code="invalid_request")
    wanted = domain.parse_bulk(body["skillsByAccountId"])
    require_admin()
    changes = domain.bulk_replace(db.session, caller().tenant.id, wanted)
    db.session.commit()
    return jsonify(changes={a: {"added": c.added, "removed": c.removed} for a, c in changes.items()})


# ---------------------------------------------------------------------------------------------
# OpenAPI 3.1 fragments for these routes (schemas in .schemas)

_ACCOUNT = {"name": "accountId", "in": "query", "required": True,
            "description": "The Atlassian account ID of the user.", "schema": ref("AccountId")}
_SKILLS_BODY = request_body(obj(closed=False, skills=NAMES))
_CHANGE_ERRORS = errors(400, 401, 403, 413, 415, 503)
_BY_ACCOUNT: dict[str, Any] = {"type": "object", "additionalProperties": NAMES}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/user-skills": {
        "get": {"operationId": "getUserSkills", "summary": "Get user skills", "parameters": [_ACCOUNT],
                "responses": {"200": answer(obj(skills=NAMES), "The user's skills in the order added."),
                              **errors(400, 401)}},
        "put": {"operationId": "addUserSkills", "summary": "Add user skills", "parameters": [_ACCOUNT],
                "requestBody": _SKILLS_BODY,
                "responses": {"200": answer(obj(added=NAMES, existing=NAMES), "What was added and what the user had."),
                              **_CHANGE_ERRORS}},
        "delete": {"operationId": "removeUserSkills", "summary": "Remove user skills", "parameters": [_ACCOUNT],
                   "requestBody": _SKILLS_BODY,
                   "responses": {"200": answer(obj(removed=NAMES, missing=NAMES),
                                               "What was removed and what the user lacked."), **_CHANGE_ERRORS}},
    },
    "/api/skills-by-account": {
        "get": {"operationId": "getSkillsByAccount", "summary": "Get all users' skills",
                "responses": {"200": answer(obj(skillsByAccountId=_BY_ACCOUNT), "Every user with skills."),
                              **errors(401)}},
        "post": {"operationId": "bulkUpdateSkills", "summary": "Bulk update users' skills",
                 "requestBody": request_body(obj(closed=False, skillsByAccountId={
                     **_BY_ACCOUNT, "maxProperties": domain.MAX_ACCOUNTS_PER_REQUEST})),
                 "responses": {"200": answer(obj(changes={"type": "object", "additionalProperties": obj(
                     added=NAMES, removed=NAMES)}), "Each listed account's changes."), **_CHANGE_ERRORS}},
    },
}
