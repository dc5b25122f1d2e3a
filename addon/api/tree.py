"""/api/skill-tree: the experts tree, the tree itself, its import, and the admins' category changes."""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from flask import Response, jsonify

from ..connect.auth import require_auth
from ..errors import ApiError
from ..extensions import db
from ..skills import tree as domain
from ..skills.names import InvalidName, clean_name
from . import bp
from ..skills.tenant_answers import ExpertsTree
from .answers import tenant_answer
from .common import auth, json_body, require_admin

T = TypeVar("T")


def _domain(call: Callable[[], T]) -> T:
    """Run a domain call, turning its refusals into the JSON errors of the contract."""
    try:
        return call()
    except domain.UnknownCategory as err:
        raise ApiError(404, err.message) from None
    except domain.TreeError as err:
        raise ApiError(400, err.message, code=err.code, details=err.details) from None


def _fields(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, f"Unknown field(s): {', '.join(map(repr, unknown))}; "
                            f"allowed: {', '.join(sorted(allowed))}.", details=unknown)


def _display_name(value: Any) -> str:
    try:
        return clean_name(value, "'displayName'")
    except InvalidName as err:
        raise ApiError(400, str(err)) from None


def _parent_key(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ApiError(400, "'parentKey' must be a category key (a string) or null for the root.")
    return value


def _tenant_id() -> int:
    return auth().tenant.id


@bp.get("/skill-tree/experts")
@require_auth
def experts_tree() -> Response:
    return tenant_answer(ExpertsTree, _tenant_id())


@bp.get("/skill-tree")
@require_auth
def get_tree() -> Response:
    return jsonify(skillTree=domain.skill_tree(db.session, _tenant_id()))


@bp.put("/skill-tree")
@require_auth
def put_tree() -> Response:
    require_admin()
    body = json_body()
    _fields(body, {"skillTree"})
    if "skillTree" not in body:
        raise ApiError(400, "The body needs 'skillTree': an array of nodes.")
    tree = _domain(lambda: domain.parse_tree(body["skillTree"]))
    _domain(lambda: domain.replace_tree(db.session, _tenant_id(), tree))
    answer = domain.skill_tree(db.session, _tenant_id())
    db.session.commit()
    return jsonify(skillTree=answer)


@bp.post("/skill-tree/categories")
@require_auth
def create_category() -> tuple[Response, int]:
    require_admin()
    body = json_body()
    _fields(body, {"displayName", "description", "parentKey"})
    display_name = _display_name(body.get("displayName"))
    description = _domain(lambda: domain.clean_description(body.get("description")))
    parent_key = _parent_key(body.get("parentKey"))
    key = _domain(lambda: domain.create_category(db.session, _tenant_id(), display_name, description, parent_key))
    answer = domain.category_answer(db.session, _tenant_id(), key)
    db.session.commit()
    return jsonify(answer), 201


@bp.patch("/skill-tree/categories/<key>")
@require_auth
def update_category(key: str) -> Response:
    require_admin()
    body = json_body()
    _fields(body, {"displayName", "description", "parentKey", "position"})
    if not body:
        raise ApiError(400, "Give at least one of displayName, description, parentKey, position.")
    changes: dict[str, Any] = {}
    if "displayName" in body:
        changes["display_name"] = _display_name(body["displayName"])
    if "description" in body:
        changes["description"] = _domain(lambda: domain.clean_description(body["description"]))
    if "parentKey" in body:
        changes["parent_key"] = _parent_key(body["parentKey"])
    if "position" in body:
        position = body["position"]
        if isinstance(position, float) and position.is_integer():
            position = int(position)  # 2.0 is an integer to JSON (and to JSON Schema)
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise ApiError(400, "'position' must be an integer from 0: the index among the category's siblings.")
        changes["position"] = position
    _domain(lambda: domain.update_category(db.session, _tenant_id(), key, **changes))
    answer = domain.category_answer(db.session, _tenant_id(), key)
    db.session.commit()
    return jsonify(answer)


@bp.delete("/skill-tree/categories/<key>")
@require_auth
def delete_category(key: str) -> tuple[str, int]:
    require_admin()
    _domain(lambda: domain.delete_category(db.session, _tenant_id(), key))
    db.session.commit()
    return "", 204


@bp.put("/skill-tree/categories/<key>/skills")
@require_auth
def place_skills(key: str) -> Response:
    require_admin()
    body = json_body()
    _fields(body, {"skills"})
    names = _domain(lambda: domain.clean_skill_names(body.get("skills")))
    _domain(lambda: domain.place_skills(db.session, _tenant_id(), key, names))
    answer = domain.category_answer(db.session, _tenant_id(), key)
    db.session.commit()
    return jsonify(answer)


# ---------------------------------------------------------------------------------------------
# OpenAPI 3.1

def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": "Bad input or a rule of the tree broken (duplicate sibling name, cycle, too deep); nothing changed.",
    "401": "No valid token, or the tenant is not installed.",
    "403": "Authenticated, but not a Jira administrator or an API token.",
    "404": "No category of this tenant has the key.",
    "413": "The request body is larger than 5 MB.",
    "415": "The body must be JSON.",
    "503": "Jira could not confirm the caller's permissions; nothing changed.",
}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _json(_ref("Error"), _ERRORS[code]) for code in codes}


_KEY_PARAM = {"name": "key", "in": "path", "required": True, "description": "The category's key (a UUID).",
              "schema": {"type": "string"}}
_READ_ERRORS = ("401",)
_CHANGE_ERRORS = ("400", "401", "403", "413", "415", "503")

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
            "responses": {"200": _json({"type": "object", "required": ["experts"], "additionalProperties": False,
                                        "properties": {"experts": {"type": "array",
                                                                   "items": _ref("ExpertsTreeNode")}}},
                                       "The skill tree with experts."),
                          **_errors(*_READ_ERRORS)},
        },
    },
    "/api/skill-tree": {
        "get": {
            "operationId": "getSkillTree",
            "summary": "Get the skill tree",
            "description": "The tree of the experts route without experts; a category node also has "
                           "`description` when it has a non-empty one. Its answer imports as it is.",
            "tags": ["Skill tree"],
            "responses": {"200": _json(_ref("SkillTree"), "The skill tree."), **_errors(*_READ_ERRORS)},
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
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("SkillTreeImport")}}},
            "responses": {"200": _json(_ref("SkillTree"), "The stored tree."), **_errors(*_CHANGE_ERRORS)},
        },
    },
    "/api/skill-tree/categories": {
        "post": {
            "operationId": "createCategory",
            "summary": "Create a category",
            "description": "A new category, last among its siblings (at the root without `parentKey`). "
                           "Its name must differ from its siblings' (case-insensitively).",
            "tags": ["Skill tree"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("CategoryCreate")}}},
            "responses": {"201": {**_json(_ref("Category"), "The new category with its key."), "links": {
                              op: {"operationId": op, "parameters": {"key": "$response.body#/key"}}
                              for op in ("updateCategory", "deleteCategory", "placeSkills")}},
                          **_errors("404", *_CHANGE_ERRORS)},
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
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("CategoryUpdate")}}},
            "responses": {"200": _json(_ref("Category"), "The category as it now is."),
                          **_errors("404", *_CHANGE_ERRORS)},
        },
        "delete": {
            "operationId": "deleteCategory",
            "parameters": [_KEY_PARAM],
            "summary": "Delete a category",
            "description": "Its subcategories take its place among its siblings; its skills follow the "
                           "parent's own (or go to the root). Users keep their skills. A 400 if a "
                           "subcategory's name would clash with a sibling's there.",
            "tags": ["Skill tree"],
            "responses": {"204": {"description": "Deleted."}, **_errors("400", "401", "403", "404", "503")},
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
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("CategorySkills")}}},
            "responses": {"200": _json(_ref("Category"), "The category as it now is."),
                          **_errors("404", *_CHANGE_ERRORS)},
        },
    },
}

# The rules of addon.skills.names: 1 to 100 characters, something other than white space, no controls.
_NO_CONTROL = "[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]"
_NAME = {"type": "string", "minLength": 1, "maxLength": 100,
         "pattern": f"^{_NO_CONTROL}*[^\\s\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]{_NO_CONTROL}*$"}
_CATEGORY_KEY = {"type": "string", "format": "uuid"}
_DESCRIPTION = {"type": "string", "maxLength": domain.DESCRIPTION_MAX}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "ExpertsTreeNode": {"oneOf": [_ref("ExpertsCategoryNode"), _ref("ExpertsSkillNode")]},
    "ExpertsCategoryNode": {
        "type": "object", "additionalProperties": False,
        "required": ["key", "type", "displayName", "children"],
        "properties": {"key": _CATEGORY_KEY, "type": {"const": "category"}, "displayName": _NAME,
                       "children": {"type": "array", "items": _ref("ExpertsTreeNode")}},
    },
    "ExpertsSkillNode": {
        "type": "object", "additionalProperties": False, "required": ["key", "type", "experts"],
        "properties": {"key": {**_NAME, "description": "The skill's name as first stored."},
                       "type": {"const": "skill"},
                       "experts": {"type": "array", "items": {"type": "string"},
                                   "description": "Account IDs, in the order they acquired the skill."}},
    },
    "SkillTree": {
        "type": "object", "additionalProperties": False, "required": ["skillTree"],
        "properties": {"skillTree": {"type": "array", "items": _ref("TreeNode")}},
    },
    "TreeNode": {"oneOf": [_ref("TreeCategoryNode"), _ref("TreeSkillNode")]},
    "TreeCategoryNode": {
        "type": "object", "additionalProperties": False, "required": ["key", "type", "displayName", "children"],
        "properties": {"key": _CATEGORY_KEY, "type": {"const": "category"}, "displayName": _NAME,
                       "description": {**_DESCRIPTION, "description": "Present when not empty."},
                       "children": {"type": "array", "items": _ref("TreeNode")}},
    },
    "TreeSkillNode": {
        "type": "object", "additionalProperties": False, "required": ["key", "type"],
        "properties": {"key": _NAME, "type": {"const": "skill"}},
    },
    "SkillTreeImport": {
        "type": "object", "additionalProperties": False, "required": ["skillTree"],
        "properties": {"skillTree": {"type": "array", "items": _ref("ImportNode")}},
    },
    "ImportNode": {"anyOf": [_ref("ImportCategoryNode"), _ref("ImportSkillNode")],
                   "description": "Without `type`, a node with `children` or `displayName` is a category, "
                                  "any other a skill (the documented experts answer omits `type` on leaves)."},
    "ImportCategoryNode": {
        "type": "object", "required": ["displayName"],
        "description": "Other properties are ignored.",
        "properties": {"key": {"oneOf": [_CATEGORY_KEY, {"type": "null"}],
                               "description": "Kept if given; a new key if left out or null."},
                       "type": {"const": "category"}, "displayName": _NAME,
                       "description": {"type": ["string", "null"], "maxLength": domain.DESCRIPTION_MAX},
                       "children": {"type": "array", "items": _ref("ImportNode")}},
    },
    "ImportSkillNode": {
        "type": "object", "required": ["key"],
        "description": "Other properties (`experts`) are ignored.",
        "properties": {"key": _NAME, "type": {"const": "skill"}},
    },
    "Category": {
        "type": "object", "additionalProperties": False,
        "required": ["key", "type", "displayName", "description", "parentKey", "position", "children"],
        "properties": {"key": _CATEGORY_KEY, "type": {"const": "category"}, "displayName": _NAME,
                       "description": _DESCRIPTION,
                       "parentKey": {"oneOf": [_CATEGORY_KEY, {"type": "null"}]},
                       "position": {"type": "integer", "minimum": 0,
                                    "description": "0-based index among its sibling categories."},
                       "children": {"type": "array", "items": _ref("TreeNode")}},
    },
    "CategoryCreate": {
        "type": "object", "additionalProperties": False, "required": ["displayName"],
        "properties": {"displayName": _NAME,
                       "description": {"type": ["string", "null"], "maxLength": domain.DESCRIPTION_MAX},
                       "parentKey": {"oneOf": [_CATEGORY_KEY, {"type": "null"}]}},
    },
    "CategoryUpdate": {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "properties": {"displayName": _NAME,
                       "description": {"type": ["string", "null"], "maxLength": domain.DESCRIPTION_MAX},
                       "parentKey": {"oneOf": [_CATEGORY_KEY, {"type": "null"}],
                                     "description": "The new parent; null for the root."},
                       "position": {"type": "integer", "minimum": 0}},
    },
    "CategorySkills": {
        "type": "object", "additionalProperties": False, "required": ["skills"],
        "properties": {"skills": {"type": "array", "items": _NAME}},
    },
}
