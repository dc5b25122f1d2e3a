"""/api/skill-tree: the experts tree, the tree itself, its import, and the admins' category changes."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from ..auth import caller, require_admin, require_auth
from ..errors import ApiError
from ..extensions import db
from ..skills import tree as domain
from ..skills.names import clean_name
from . import bp
from ..skills.tenant_answers import ExpertsTree
from .answers import tenant_answer
from .common import json_body, only_fields
from .schemas import answer, errors, obj, path_parameter, ref, request_body


def _display_name(value: Any) -> str:
    return clean_name(value, "'displayName'")


def _parent_key(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "'parentKey' must be a category key (a string) or null for the root.")
    return value


def _tenant_id() -> int:
    return caller().tenant.id


@bp.get("/skill-tree/experts")
@require_auth
def experts_tree() -> Response:
    return tenant_answer(ExpertsTree)


# Two routes beyond the documented API, for the expert finder: a tenant of 50,000 people has a
# 20 MB experts tree, so the page draws the counts first and fetches a skill's people when opened.

@bp.get("/skill-tree/expert-counts")
@require_auth
def expert_counts() -> Response:
    return jsonify(skillTree=domain.expert_counts_tree(db.session, _tenant_id()))


@bp.get("/skill-tree/skill-experts")
@require_auth
def skill_experts() -> Response:
    values = request.args.getlist("skill")
    if len(values) != 1:
        raise ApiError(400, "Give the query parameter 'skill' once: a skill name.")
    name, experts, levels = domain.skill_experts(db.session, _tenant_id(), clean_name(values[0], "'skill'"))
    return jsonify(skill=name, experts=experts, levels=levels)


@bp.get("/skill-tree")
@require_auth
def get_tree() -> Response:
    return jsonify(skillTree=domain.skill_tree(db.session, _tenant_id()))


@bp.put("/skill-tree")
@require_auth
def put_tree() -> Response:
    body = json_body()
    only_fields(body, {"skillTree"})
    if "skillTree" not in body:
        raise ApiError(400, "The body needs 'skillTree': an array of nodes.")
    tree = domain.parse_tree(body["skillTree"])
    require_admin()
    domain.replace_tree(db.session, _tenant_id(), tree)
    result = domain.skill_tree(db.session, _tenant_id())
    db.session.commit()
    return jsonify(skillTree=result)


@bp.post("/skill-tree/categories")
@require_auth
def create_category() -> tuple[Response, int]:
    body = json_body()
    only_fields(body, {"displayName", "description", "parentKey"})
    display_name = _display_name(body.get("displayName"))
    description = domain.clean_description(body.get("description"))
    parent_key = _parent_key(body.get("parentKey"))
    require_admin()
    key = domain.create_category(db.session, _tenant_id(), display_name, description, parent_key)
    result = domain.category_answer(db.session, _tenant_id(), key)
    db.session.commit()
    return jsonify(result), 201


@bp.patch("/skill-tree/categories/<key>")
@require_auth
def update_category(key: str) -> Response:
    body = json_body()
    only_fields(body, {"displayName", "description", "parentKey", "position"})
    if not body:
        raise ApiError(400, "Give at least one of displayName, description, parentKey, position.")
    changes: dict[str, Any] = {}
    if "displayName" in body:
        changes["display_name"] = _display_name(body["displayName"])
    if "description" in body:
        changes["description"] = domain.clean_description(body["description"])
    if "parentKey" in body:
        changes["parent_key"] = _parent_key(body["parentKey"])
    if "position" in body:
        position = body["position"]
        if isinstance(position, float) and position.is_integer():
            position = int(position)  # 2.0 is an integer to JSON (and to JSON Schema)
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise ApiError(400, "'position' must be an integer from 0: the index among the category's siblings.")
        changes["position"] = position
    require_admin()
    domain.update_category(db.session, _tenant_id(), key, **changes)
    result = domain.category_answer(db.session, _tenant_id(), key)
    db.session.commit()
    return jsonify(result)


@bp.delete("/skill-tree/categories/<key>")
@require_auth
def delete_category(key: str) -> tuple[str, int]:
    require_admin()
    domain.delete_category(db.session, _tenant_id(), key)
    db.session.commit()
    return "", 204


@bp.put("/skill-tree/categories/<key>/skills")
@require_auth
def place_skills(key: str) -> Response:
    body = json_body()
    only_fields(body, {"skills"})
    names = domain.clean_skill_names(body.get("skills"))
    require_admin()
    domain.place_skills(db.session, _tenant_id(), key, names)
    result = domain.category_answer(db.session, _tenant_id(), key)
    db.session.commit()
    return jsonify(result)


# ---------------------------------------------------------------------------------------------
# OpenAPI 3.1 fragments for these routes (schemas in .schemas)

_KEY_PARAM = path_parameter("key", "The category's key (a UUID).")
_CHANGE_ERRORS = errors(400, 401, 403, 404, 413, 415, 503)


OPENAPI_PATHS: dict[str, Any] = {
    "/api/skill-tree/experts": {
        "get": {
            "operationId": "getSkillTreeWithExperts",
            "summary": "Get skill tree with experts",
            "description": "The tenant's categories in the admins' order, each with its subcategories and then "
                           "its skills; every skill of the catalogue once, with the accounts holding it in the "
                           "order they acquired it. Skills no category holds follow the categories at the "
                           "root, by name.",
            "tags": ["Skill tree"],
            "responses": {"200": answer(obj(experts={"type": "array", "items": ref("ExpertsTreeNode")}),
                                       "The skill tree with experts."),
                          **errors(401)},
        },
    },
    "/api/skill-tree/expert-counts": {
        "get": {
            "operationId": "getSkillTreeWithExpertCounts",
            "summary": "Get skill tree with the number of experts of each skill",
            "description": "Beyond the Skills for Jira API, for the expert finder: the tree of the experts "
                           "route with each skill's number of experts (`expertCount`) instead of their list. "
                           "Its cost follows the number of skills, not of people.",
            "tags": ["Skill tree"],
            "responses": {"200": answer(obj(skillTree={"type": "array", "items": ref("CountsTreeNode")}),
                                       "The skill tree with expert counts."),
                          **errors(401)},
        },
    },
    "/api/skill-tree/skill-experts": {
        "get": {
            "operationId": "getSkillExperts",
            "summary": "Get the experts of one skill",
            "description": "Beyond the Skills for Jira API, for the expert finder: the accounts holding a "
                           "skill, highest level first, the unrated last, and in the order they acquired it "
                           "within a level; `levels` gives each one's level (null: not rated). The name "
                           "compares case-insensitively; the answer spells it as stored. A skill no one holds "
                           "and no category names is a 404.",
            "tags": ["Skill tree"],
            "parameters": [{"name": "skill", "in": "query", "required": True, "description": "A skill name.",
                            "schema": ref("SkillName")}],
            "responses": {"200": answer(obj(skill=ref("SkillName"),
                                            experts={"type": "array", "items": {"type": "string"}},
                                            levels={"type": "object", "additionalProperties": ref("Level")}),
                                       "The skill's experts and their levels."),
                          **errors(400, 401, 404)},
        },
    },
    "/api/skill-tree": {
        "get": {
            "operationId": "getSkillTree",
            "summary": "Get the skill tree",
            "description": "The tree of the experts route without experts; a category node also has "
                           "`description` when it has a non-empty one. Its answer imports as it is.",
            "tags": ["Skill tree"],
            "responses": {"200": answer(ref("SkillTree"), "The skill tree."), **errors(401)},
        },
        "put": {
            "operationId": "importSkillTree",
            "summary": "Replace the skill tree (import)",
            "description": "Replaces every category in one transaction, all or nothing. Given category keys "
                           "(UUIDs) are kept, missing ones are made; a category without `description` keeps "
                           "the one its key had. Skills the tree names are created if new; skills it does not "
                           "name become root-level leaves; users keep their skills. Leaves' `experts` are "
                           "ignored. At most "
                           f"{domain.MAX_DEPTH} levels of categories. Root-level skills are stored in no "
                           "order (the tree lists them by name).",
            "tags": ["Skill tree"],
            "requestBody": request_body(ref("SkillTreeImport")),
            "responses": {"200": answer(ref("SkillTree"), "The stored tree."), **errors(400, 401, 403, 413, 415, 503)},
        },
    },
    "/api/skill-tree/categories": {
        "post": {
            "operationId": "createCategory",
            "summary": "Create a category",
            "description": "A new category, last among its siblings (at the root without `parentKey`). "
                           "Its name must differ from its siblings' (case-insensitively).",
            "tags": ["Skill tree"],
            "requestBody": request_body(ref("CategoryCreate")),
            "responses": {"201": {**answer(ref("Category"), "The new category with its key."), "links": {
                              op: {"operationId": op, "parameters": {"key": "$response.body#/key"}}
                              for op in ("updateCategory", "deleteCategory", "placeSkills")}},
                          **_CHANGE_ERRORS},
        },
    },
    "/api/skill-tree/categories/{key}": {
        "patch": {
            "operationId": "updateCategory",
            "parameters": [_KEY_PARAM],
            "summary": "Rename, describe, move or reorder a category",
            "description": "`parentKey` moves it (null: to the root; a move into itself or its own subtree is a "
                           "400); `position` is its 0-based index among its siblings after the move (0 to the "
                           "number of other siblings, else 400). A moved category without `position` goes "
                           "last. An unknown `key` or `parentKey` is a 404.",
            "tags": ["Skill tree"],
            "requestBody": request_body(ref("CategoryUpdate")),
            "responses": {"200": answer(ref("Category"), "The category as it now is."),
                          **_CHANGE_ERRORS},
        },
        "delete": {
            "operationId": "deleteCategory",
            "parameters": [_KEY_PARAM],
            "summary": "Delete a category",
            "description": "Its subcategories take its place among its siblings; its skills follow the "
                           "parent's own (or go to the root). Users keep their skills. A 400 if a "
                           "subcategory's name would clash with a sibling's there.",
            "tags": ["Skill tree"],
            "responses": {"204": {"description": "Deleted."}, **errors(400, 401, 403, 404, 503)},
        },
    },
    "/api/skill-tree/categories/{key}/skills": {
        "put": {
            "operationId": "placeSkills",
            "parameters": [_KEY_PARAM],
            "summary": "Set the skills of a category",
            "description": "The listed skills become exactly the skills directly in the category, in that order "
                           "(duplicates counted once). A skill sits in one category at most, so placing it moves "
                           "it; skills of the category not listed go to the root; new names join the catalogue.",
            "tags": ["Skill tree"],
            "requestBody": request_body(ref("CategorySkills")),
            "responses": {"200": answer(ref("Category"), "The category as it now is."),
                          **_CHANGE_ERRORS},
        },
    },
}
