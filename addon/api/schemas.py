"""Each schema of the API once, built from the domain's own rules, and the helpers that write the
OpenAPI fragments of the route modules.

The limits and patterns come from the modules that enforce them (addon.skills.names, .tree,
.user_skills), so the document and the validation cannot drift apart.
"""
from __future__ import annotations

from typing import Any

from ..models import ACCOUNT_ID_MAX, LEVELS_MAX, NAME_MAX
from ..skills import levels, tree
from ..skills.user_skills import MAX_ACCOUNTS_PER_REQUEST, MAX_SKILLS_PER_USER
from ..skills.names import ACCOUNT_ID_PATTERN, CONTROL_CHARACTERS, FORMAT_CHARACTERS

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
# space, no control characters and no format characters but the two joiners.
_REFUSED = CONTROL_CHARACTERS + FORMAT_CHARACTERS
_ALLOWED = f"[^{_REFUSED}]"
NAME: Schema = {"type": "string", "minLength": 1, "maxLength": NAME_MAX,
                "pattern": f"^{_ALLOWED}*[^\\s{_REFUSED}]{_ALLOWED}*$"}
CATEGORY_KEY: Schema = {"type": "string", "format": "uuid"}
DESCRIPTION: Schema = {"type": "string", "maxLength": tree.DESCRIPTION_MAX}
OPTIONAL_DESCRIPTION: Schema = {"type": ["string", "null"], "maxLength": tree.DESCRIPTION_MAX}
TIME: Schema = {"type": "string", "format": "date-time"}
NAMES: Schema = {"type": "array", "items": ref("SkillName")}
LEVEL_NUMBER: Schema = {"type": "integer", "minimum": 1, "maximum": LEVELS_MAX}
SKILL_LEVELS: Schema = {"type": "array", "items": ref("SkillLevel")}

SCHEMAS: dict[str, Schema] = {
    "Error": obj(required=False, closed=False, error={"type": "string"}, message={"type": "string"},
                 details={"type": "array"}) | {"required": ["error", "message"]},
    "SkillName": {**NAME, "description": "1 to 100 characters after trimming; no control characters, and no "
                                         "format characters (Unicode Cf: bidirectional controls, zero-width "
                                         "spaces, the byte order mark) but U+200C and U+200D; case-insensitive."},
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
    # Levels
    "Level": {"type": ["integer", "null"], "minimum": 1, "maximum": LEVELS_MAX,
              "description": "A level of the site's scale (1 is the lowest; at most its number of levels), or null: "
                             "not rated. Anything else (0, \"3\", 2.5, true) is a 400."},
    "Scale": obj(levels={"type": "array", "items": obj(level=LEVEL_NUMBER, name=NAME, description={
                     "type": "string", "maxLength": levels.DESCRIPTION_MAX})},
                 expertLevel={**LEVEL_NUMBER, "description": "The lowest level that counts as an expert."}),
    "ScaleUpdate": obj(levels={"type": "array", "minItems": levels.LEVELS_MIN, "maxItems": LEVELS_MAX,
                               "items": obj(required=False, name=NAME, description={
                                   "type": ["string", "null"], "maxLength": levels.DESCRIPTION_MAX,
                                   "description": "What the level means here."},
                                   level={"description": "Ignored: a level is its place in the list."})
                               | {"required": ["name"]},
                               "description": "Lowest first; names unique case-insensitively."},
                       expertLevel={**LEVEL_NUMBER, "description": "1 to the number of levels."}),
    "SkillLevel": obj(name=ref("SkillName"), level=ref("Level")),
    "UserSkillLevels": obj(accountId=ref("AccountId"), skills=SKILL_LEVELS),
    "UserSkillLevelsPatch": obj(levels={"type": "object", "propertyNames": ref("SkillName"),
                                        "additionalProperties": ref("Level"), "maxProperties": MAX_SKILLS_PER_USER,
                                        "description": "Skill name -> level; a skill the user lacks is added."}),
    "LevelsByAccount": obj(levelsByAccountId={"type": "object", "additionalProperties": SKILL_LEVELS}),
    "LevelsBulkUpdate": obj(levelsByAccountId={"type": "object", "maxProperties": MAX_ACCOUNTS_PER_REQUEST,
                                               "additionalProperties": {**SKILL_LEVELS,
                                                                        "maxItems": MAX_SKILLS_PER_USER}}),
    "LevelChanges": obj(changes={"type": "object", "additionalProperties": obj(
        added=NAMES, removed=NAMES, levelChanged={"type": "array", "items": obj(
            **{"name": ref("SkillName"), "from": ref("Level"), "to": ref("Level")}),
            "description": "Kept skills whose level changed."})}),
    "SplitSuffixes": obj(apply={"type": "boolean", "description": "false: only report; true: do it."}),
    "SplitSuffixesResult": obj(skills={"type": "array", "items": obj(
        **{"from": ref("SkillName")}, to=ref("SkillName"), level=LEVEL_NUMBER,
        holders={"type": "integer", "minimum": 0})},
        holdingsChanged={"type": "integer", "minimum": 0,
                         "description": "Holdings created, removed or re-levelled."}),
    # The skills an issue needs, and who should take it
    "RequiredSkill": {"oneOf": [ref("SkillName"),
                                obj(required=False, name=ref("SkillName"), minLevel=ref("Level")) | {"required": ["name"]}],
                      "description": "A bare name (any level meets it), or a name with the lowest level that meets it."},
    "RequiredSkills": {"type": "array", "items": ref("RequiredSkill")},
    "NeededSkill": obj(name=ref("SkillName"), minLevel=ref("Level")),
    "IssueSkills": obj(issueId={"type": "string", "pattern": "^[1-9][0-9]{0,17}$"},
                       skills={"type": "array", "items": ref("NeededSkill")},
                       searchable={"type": "boolean", "description": "False while the issue property "
                                                                     "`required-skills` still owes a write."}),
    "MatchAnswer": obj(skills={"type": "array", "items": ref("NeededSkill")},
                       people={"type": "array", "items": ref("MatchedPerson")}),
    "MatchedPerson": obj(accountId=ref("AccountId"), covers={"type": "integer", "minimum": 1},
                         missing={"type": "array", "items": ref("SkillName")},
                         levels={"type": "object", "additionalProperties": ref("Level"),
                                 "description": "The person's level of each required skill they hold, met or not."},
                         openIssues={"oneOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]}),
    # Tenant API tokens
    "TokenCreate": obj(closed=False, name=ref("SkillName")),
    "NewToken": obj(id={"type": "string"}, name={"type": "string"}, token={"type": "string"}, createdAt=TIME),
    "TokenInfo": obj(id={"type": "string"}, name={"type": "string"}, createdAt=TIME,
                     lastUsedAt={"anyOf": [TIME, {"type": "null"}]}),
}
