"""Each schema of the API once, built from the domain's own rules, and the helpers that write the
OpenAPI fragments of the route modules.

The limits and patterns come from the modules that enforce them (addon.skills.names, .tree,
.user_skills), so the document and the validation cannot drift apart.
"""
from __future__ import annotations

from typing import Any

from ..models import ACCOUNT_ID_MAX, LEVELS_MAX, NAME_MAX
from ..skills import insights, tree
from ..skills.levels import LEVELS_MIN
from ..skills.names import ACCOUNT_ID_PATTERN, CONTROL_CHARACTERS

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def request_body(schema: Schema) -> Schema:
    """A required JSON request body."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def answer(schema: Schema, description: str, **extra: Any) -> Schema:
    """A JSON response."""
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}


def obj(required: bool = True, closed: bool = True, **properties: Any) -> Schema:
    """An object with these properties (all required unless told), and no others unless told."""
    schema: Schema = {"type": "object"}
    if required:
        schema["required"] = list(properties)
    schema["properties"] = properties
    if closed:
        schema["additionalProperties"] = False
    return schema


def errors(*codes: int) -> Schema:
    """The shared error responses (components.responses) of these statuses."""
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def nullable(schema: Schema) -> Schema:
    return {"oneOf": [schema, {"type": "null"}]}


def path_parameter(name: str, description: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


# A name of the rules of addon.skills.names: 1 to NAME_MAX characters, something other than white
# space, no control characters.
_NOT_CONTROL = f"[^{CONTROL_CHARACTERS}]"
NAME: Schema = {"type": "string", "minLength": 1, "maxLength": NAME_MAX,
                "pattern": f"^{_NOT_CONTROL}*[^\\s{CONTROL_CHARACTERS}]{_NOT_CONTROL}*$"}
CATEGORY_KEY: Schema = {"type": "string", "format": "uuid"}
DESCRIPTION: Schema = {"type": "string", "maxLength": tree.DESCRIPTION_MAX}
OPTIONAL_DESCRIPTION: Schema = {"type": ["string", "null"], "maxLength": tree.DESCRIPTION_MAX}
TIME: Schema = {"type": "string", "format": "date-time"}
LEVEL_KEYS = f"^([1-{LEVELS_MAX}]|unrated)$"
NAMES: Schema = {"type": "array", "items": ref("SkillName")}

SCHEMAS: dict[str, Schema] = {
    "Error": obj(required=False, closed=False, error={"type": "string"}, message={"type": "string"},
                 details={"type": "array"}) | {"required": ["error", "message"]},
    "SkillName": {**NAME, "description": "1 to 100 characters after trimming; no control characters; "
                                         "case-insensitive."},
    "AccountId": {"type": "string", "minLength": 1, "maxLength": ACCOUNT_ID_MAX, "pattern": ACCOUNT_ID_PATTERN},
    # The skill tree
    "ExpertsTreeNode": {"oneOf": [ref("ExpertsCategoryNode"), ref("ExpertsSkillNode")]},
    "ExpertsCategoryNode": obj(key=CATEGORY_KEY, type={"const": "category"}, displayName=NAME,
                               children={"type": "array", "items": ref("ExpertsTreeNode")}),
    "ExpertsSkillNode": obj(key={**NAME, "description": "The skill's name as first stored."},
                            type={"const": "skill"},
                            experts={"type": "array", "items": {"type": "string"},
                                     "description": "Account IDs, in the order they acquired the skill."}),
    "CountsTreeNode": {"oneOf": [ref("CountsCategoryNode"), ref("CountsSkillNode")]},
    "CountsCategoryNode": obj(key=CATEGORY_KEY, type={"const": "category"}, displayName=NAME,
                              children={"type": "array", "items": ref("CountsTreeNode")}),
    "CountsSkillNode": obj(key={**NAME, "description": "The skill's name as first stored."},
                           type={"const": "skill"},
                           expertCount={"type": "integer", "minimum": 0, "description": "Accounts holding it."}),
    "SkillTree": obj(skillTree={"type": "array", "items": ref("TreeNode")}),
    "TreeNode": {"oneOf": [ref("TreeCategoryNode"), ref("TreeSkillNode")]},
    "TreeCategoryNode": obj(key=CATEGORY_KEY, type={"const": "category"}, displayName=NAME,
                            description={**DESCRIPTION, "description": "Present when not empty."},
                            children={"type": "array", "items": ref("TreeNode")})
    | {"required": ["key", "type", "displayName", "children"]},
    "TreeSkillNode": obj(key=NAME, type={"const": "skill"}),
    "SkillTreeImport": obj(skillTree={"type": "array", "items": ref("ImportNode")}),
    "ImportNode": {"anyOf": [ref("ImportCategoryNode"), ref("ImportSkillNode")],
                   "description": "Without `type`, a node with `children` or `displayName` is a category, "
                                  "any other a skill (the documented experts answer omits `type` on leaves)."},
    "ImportCategoryNode": obj(required=False, closed=False,
                              key={**nullable(CATEGORY_KEY), "description": "Kept if given; a new key if left "
                                                                            "out or null."},
                              type={"const": "category"}, displayName=NAME, description=OPTIONAL_DESCRIPTION,
                              children={"type": "array", "items": ref("ImportNode")})
    | {"required": ["displayName"], "description": "Other properties are ignored."},
    "ImportSkillNode": obj(required=False, closed=False, key=NAME, type={"const": "skill"})
    | {"required": ["key"], "description": "Other properties (`experts`) are ignored."},
    "Category": obj(key=CATEGORY_KEY, type={"const": "category"}, displayName=NAME, description=DESCRIPTION,
                    parentKey=nullable(CATEGORY_KEY),
                    position={"type": "integer", "minimum": 0,
                              "description": "0-based index among its sibling categories."},
                    children={"type": "array", "items": ref("TreeNode")}),
    "CategoryCreate": obj(displayName=NAME, description=OPTIONAL_DESCRIPTION, parentKey=nullable(CATEGORY_KEY))
    | {"required": ["displayName"]},
    "CategoryUpdate": obj(required=False, displayName=NAME, description=OPTIONAL_DESCRIPTION,
                          parentKey={**nullable(CATEGORY_KEY), "description": "The new parent; null for the root."},
                          position={"type": "integer", "minimum": 0}) | {"minProperties": 1},
    "CategorySkills": obj(skills={"type": "array", "items": NAME}),
    # Tenant API tokens
    "TokenCreate": obj(closed=False, name=ref("SkillName")),
    "NewToken": obj(id={"type": "string"}, name={"type": "string"}, token={"type": "string"}, createdAt=TIME),
    "TokenInfo": obj(id={"type": "string"}, name={"type": "string"}, createdAt=TIME,
                     lastUsedAt={"anyOf": [TIME, {"type": "null"}]}),
    # Insights
    "SkillsAtRisk": {"type": "object", "required": ["expertLevel", "skills"], "additionalProperties": False,
                     "properties": {
                         "expertLevel": {"type": "integer", "minimum": 1, "maximum": LEVELS_MAX,
                                         "description": "The lowest level that counts as an expert."},
                         "skills": {"type": "array", "items": ref("SkillRisk")}}},
    "SkillRisk": {"type": "object", "additionalProperties": False,
                  "required": ["name", "categoryKey", "holders", "experts", "byLevel", "requiredBy", "risk"],
                  "properties": {
                      "name": ref("SkillName"),
                      "categoryKey": {"oneOf": [CATEGORY_KEY, {"type": "null"}],
                                      "description": "The category holding the skill; null at the root."},
                      "holders": {"type": "integer", "minimum": 0},
                      "experts": {"type": "integer", "minimum": 0},
                      "byLevel": {"type": "object", "required": ["unrated"],
                                  "minProperties": LEVELS_MIN + 1, "maxProperties": LEVELS_MAX + 1,
                                  "propertyNames": {"pattern": LEVEL_KEYS},
                                  "additionalProperties": {"type": "integer", "minimum": 0},
                                  "description": "Holders at each level of the scale, and unrated."},
                      "requiredBy": {"type": "integer", "minimum": 0, "description": "Issues that need it."},
                      "risk": {"enum": list(insights.RISKS)}}},
    "SkillsMatrix": {"type": "object", "required": ["category", "skills", "people", "total"],
                     "additionalProperties": False,
                     "properties": {
                         "category": CATEGORY_KEY,
                         "skills": {"type": "array", "items": ref("SkillName"), "maxItems": insights.MATRIX_SKILLS_MAX},
                         "people": {"type": "array", "maxItems": insights.MATRIX_LIMIT_MAX, "items": {
                             "type": "object", "required": ["accountId", "levels"], "additionalProperties": False,
                             "properties": {"accountId": ref("AccountId"), "levels": {
                                 "type": "object", "additionalProperties": {
                                     "oneOf": [{"type": "integer", "minimum": 1, "maximum": LEVELS_MAX},
                                               {"type": "null"}]},
                                 "description": "The person's level of each skill they hold; null: not rated."}}}},
                         "total": {"type": "integer", "minimum": 0, "description": "People in the whole matrix."}}},
}
