"""/api routes of levels: the site's scale, each person's levels, everyone's, their bulk update, and the
split of Skills for Jira's level suffixes. The documented user-skill routes (api/user_skills.py) never
show or change a level."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from ..auth import caller, require_admin, require_auth, require_self_or_admin
from ..errors import ApiError
from ..extensions import db
from ..skills import levels as scales
from ..skills import suffixes
from ..skills import user_skills as domain
from ..skills.tenant_answers import LevelsByAccount
from . import bp
from .answers import tenant_answer
from .common import account_id_param, json_body, only_fields
from .schemas import answer, errors, ref, request_body


def _tenant_id() -> int:
    return caller().tenant.id


def _body_with(*fields: str) -> dict[str, Any]:
    """The JSON body, which must have exactly these fields."""
    body = json_body()
    only_fields(body, set(fields))
    missing = [name for name in fields if name not in body]
    if missing:
        raise ApiError(400, f"The body needs {' and '.join(map(repr, missing))}.")
    return body


@bp.get("/levels")
@require_auth
def get_levels() -> Response:
    return jsonify(scales.load_scale(db.session, _tenant_id()).as_json())


@bp.put("/levels")
@require_auth
def put_levels() -> Response:
    body = json_body()
    only_fields(body, {"levels", "expertLevel"})
    if "levels" not in body:
        raise ApiError(400, "The body needs 'levels': the levels of the scale, lowest first.")
    scale = scales.parse_scale(body["levels"], body.get("expertLevel"))
    require_admin()
    scales.set_scale(db.session, _tenant_id(), scale)
    result = scales.load_scale(db.session, _tenant_id()).as_json()
    db.session.commit()
    return jsonify(result)


def _user_levels(account_id: str) -> Response:
    skills = domain.user_levels(db.session, _tenant_id(), account_id)
    return jsonify(accountId=account_id, skills=[{"name": name, "level": level} for name, level in skills])


@bp.get("/user-skill-levels")
@require_auth
def get_user_skill_levels() -> Response:
    return _user_levels(account_id_param())


@bp.patch("/user-skill-levels")
@require_auth
def patch_user_skill_levels() -> Response:
    account_id = account_id_param()
    body = _body_with("levels")
    wanted = domain.clean_level_map(body["levels"], scales.load_scale(db.session, _tenant_id()))
    require_self_or_admin(account_id)
    domain.set_levels(db.session, _tenant_id(), account_id, wanted)
    result = _user_levels(account_id)
    db.session.commit()
    return result


@bp.get("/skill-levels-by-account")
@require_auth
def get_skill_levels_by_account() -> Response:
    return tenant_answer(LevelsByAccount)


@bp.post("/skill-levels-by-account")
@require_auth
def bulk_update_levels() -> Response:
    body = _body_with("levelsByAccountId")
    wanted, levels = domain.parse_levels_bulk(body["levelsByAccountId"], scales.load_scale(db.session, _tenant_id()))
    require_admin()
    changes = domain.bulk_replace(db.session, _tenant_id(), wanted, levels)
    db.session.commit()
    return jsonify(changes={account: {"added": change.added, "removed": change.removed,
                                      "levelChanged": [{"name": name, "from": old, "to": new}
                                                       for name, old, new in change.level_changed]}
                            for account, change in changes.items()})


@bp.post("/levels/split-suffixes")
@require_auth
def split_suffixes() -> Response:
    apply = _body_with("apply")["apply"]
    if not isinstance(apply, bool):
        raise ApiError(400, "'apply' must be true (change) or false (only report what would change).")
    require_admin()
    result = suffixes.split_suffixes(db.session, _tenant_id(), apply)
    if apply:
        db.session.commit()
    return jsonify(result.as_json())


# ---------------------------------------------------------------------------------------------
# OpenAPI 3.1 fragments for these routes (schemas in .schemas)

_ACCOUNT = {"name": "accountId", "in": "query", "required": True,
            "description": "The Atlassian account ID of the user.", "schema": ref("AccountId")}
_CHANGE_ERRORS = errors(400, 401, 403, 413, 415, 503)
_TAGS = ["Levels"]

OPENAPI_PATHS: dict[str, Any] = {
    "/api/levels": {
        "get": {"operationId": "getLevels", "summary": "Get the scale of levels", "tags": _TAGS,
                "description": "The site's levels, lowest first (a level is its place from 1), and `expertLevel`, "
                               "the lowest that counts as an expert. Until an administrator changes it: "
                               "Beginner, Competent, Proficient, Expert, with expertLevel 3.",
                "responses": {"200": answer(ref("Scale"), "The scale."), **errors(401)}},
        "put": {"operationId": "setLevels", "summary": "Replace the scale of levels", "tags": _TAGS,
                "description": "Administrators and API tokens. 2 to 7 levels, lowest first; names follow the "
                               "skill-name rules and differ case-insensitively; a description is at most "
                               "500 characters; `level` keys (as a GET sends them) are ignored; `expertLevel` is "
                               "1 to the number of levels. Holdings and issues' `minLevel`s above a smaller "
                               "scale's top take its top level, in the same transaction.",
                "requestBody": request_body(ref("ScaleUpdate")),
                "responses": {"200": answer(ref("Scale"), "The scale as stored."), **_CHANGE_ERRORS}},
    },
    "/api/user-skill-levels": {
        "get": {"operationId": "getUserSkillLevels", "summary": "Get a user's skills with their levels",
                "tags": _TAGS, "parameters": [_ACCOUNT],
                "responses": {"200": answer(ref("UserSkillLevels"),
                                            "The user's skills in the order added, each with its level."),
                              **errors(400, 401)}},
        "patch": {"operationId": "setUserSkillLevels", "summary": "Set the levels of a user's skills",
                  "tags": _TAGS, "parameters": [_ACCOUNT],
                  "description": "Each named skill takes its level (null: not rated); a skill the user lacks is "
                                 "added with it, after the others. The user themself, a Jira administrator or an "
                                 "API token, as for `PUT /api/user-skills`.",
                  "requestBody": request_body(ref("UserSkillLevelsPatch")),
                  "responses": {"200": answer(ref("UserSkillLevels"), "The user's skills after the change."),
                                **_CHANGE_ERRORS}},
    },
    "/api/skill-levels-by-account": {
        "get": {"operationId": "getSkillLevelsByAccount", "summary": "Get all users' skills with their levels",
                "tags": _TAGS,
                "responses": {"200": answer(ref("LevelsByAccount"), "Every user with skills; the others are "
                                                                    "left out."), **errors(401)}},
        "post": {"operationId": "bulkUpdateSkillLevels", "summary": "Bulk update users' skills with levels",
                 "tags": _TAGS,
                 "description": "The documented bulk update with levels: each listed account ends with exactly its "
                                "list, each skill at its `level` (null: not rated); unlisted accounts are untouched; "
                                "all or nothing. `levelChanged` lists kept skills whose level changed. "
                                "Administrators and API tokens.",
                 "requestBody": request_body(ref("LevelsBulkUpdate")),
                 "responses": {"200": answer(ref("LevelChanges"), "Each listed account's changes."),
                               **_CHANGE_ERRORS}},
    },
    "/api/levels/split-suffixes": {
        "post": {"operationId": "splitLevelSuffixes", "summary": "Turn level suffixes in skill names into levels",
                 "tags": _TAGS,
                 "description": "Skills for Jira sites name levels in skills (`Engineering - Beginner`). Every "
                                "skill named `<skill> - <a level name of the scale>` (case-insensitive) becomes "
                                "the base skill at that level for each holder (the highest, where a holder has "
                                "several or already has the base rated), and leaves the catalogue. A holder who "
                                "lacked the base gets it where their first suffixed skill was; a base new to the "
                                "catalogue takes the category of the first suffixed skill; issues needing a "
                                "suffixed skill need the base with that level as `minLevel`. `holdingsChanged` "
                                "counts holdings created, removed or re-levelled. `apply: false` only reports; "
                                "`apply: true` does it in one transaction. Administrators and API tokens.",
                 "requestBody": request_body(ref("SplitSuffixes")),
                 "responses": {"200": answer(ref("SplitSuffixesResult"), "What changes (or would)."),
                               **_CHANGE_ERRORS}},
    },
}
