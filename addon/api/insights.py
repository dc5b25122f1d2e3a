"""/api/insights: the skills at risk and the team matrix. Read routes: every caller of the tenant."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request

from ..auth import caller, require_auth
from ..errors import ApiError
from ..extensions import db
from ..skills import insights as domain
from ..skills.names import valid_account_id
from . import bp
from .answers import current_answer
from .common import query_param
from .schemas import CATEGORY_KEY, answer, errors, ref


def _number(name: str, low: int, high: int, default: int) -> int:
    value = query_param(name, required=False)
    if value is None:
        return default
    number = domain.whole_number(value)
    if number is None or not low <= number <= high:
        raise ApiError(400, f"'{name}' must be a whole number from {low:,} to {high:,}.")
    return number


def _accounts() -> list[str] | None:
    values = request.args.getlist("accountId")
    if not values:
        return None
    wrong = [value for value in values if not valid_account_id(value)]
    if wrong:
        raise ApiError(400, "Each 'accountId' must be an Atlassian account ID.", details=[v[:130] for v in wrong[:10]])
    accounts = list(dict.fromkeys(values))
    if len(accounts) > domain.MATRIX_PEOPLE_MAX:
        raise ApiError(400, f"A matrix lists at most {domain.MATRIX_PEOPLE_MAX} people; {len(accounts)} were given.")
    return accounts


@bp.get("/insights/skills")
@require_auth
def skills_at_risk() -> Response:
    category = query_param("category", required=False)
    risk = query_param("risk", required=False)
    risks = domain.parse_risks(risk) if risk is not None else None
    found = current_answer(domain.SkillRisks)
    assert isinstance(found, domain.SkillRisks)
    return current_app.response_class(found.filtered(category, risks), mimetype=current_app.json.mimetype)


@bp.get("/insights/matrix")
@require_auth
def team_matrix() -> Response:
    category = query_param("category")
    accounts = _accounts()
    limit = _number("limit", 1, domain.MATRIX_LIMIT_MAX, domain.MATRIX_LIMIT_MAX)
    offset = _number("offset", 0, domain.OFFSET_MAX, 0)
    assert category is not None
    return jsonify(domain.matrix(db.session, caller().tenant.id, category, accounts, limit, offset))


# ---------------------------------------------------------------------------------------------
# OpenAPI 3.1 fragments for these routes (schemas in .schemas)

_CATEGORY = {"name": "category", "in": "query", "schema": CATEGORY_KEY}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/insights/skills": {
        "get": {
            "operationId": "getSkillsAtRisk",
            "summary": "Get the skills at risk",
            "description": "Every skill someone holds, the tree names or an issue requires, with its holders, its "
                           "experts (holders whose level is at least `expertLevel`, and unrated holders: the "
                           "documented API calls every holder an expert), its holders by level, the issues that "
                           "need it, and its risk: `blocker` with no expert, `bottleneck` with one, `scarce` with "
                           "two or three, else `ok`. Ordered by risk in that order, then `requiredBy` descending, "
                           "then name case-insensitively. `category` keeps the skills of that category's subtree "
                           "(an unknown key is a 404); `risk` keeps those of the risks listed.",
            "tags": ["Insights"],
            "parameters": [
                {**_CATEGORY, "description": "Only the skills of this category and the categories below it."},
                {"name": "risk", "in": "query", "description": "Only these risks, separated by commas.",
                 "schema": {"type": "string", "pattern": f"^({'|'.join(domain.RISKS)})(,({'|'.join(domain.RISKS)}))*$"},
                 "example": "blocker,bottleneck"}],
            "responses": {"200": answer(ref("SkillsAtRisk"), "The skills, riskiest first."), **errors(400, 401, 404)},
        },
    },
    "/api/insights/matrix": {
        "get": {
            "operationId": "getSkillsMatrix",
            "summary": "Get the skills matrix of a category",
            "description": "Columns: the skills of the category's subtree, depth first in the order the experts "
                           f"tree lists them (at most {domain.MATRIX_SKILLS_MAX}, else a 400 asking for a narrower "
                           "category). Rows: the people holding at least one of them, or exactly the accounts "
                           f"listed with `accountId` (at most {domain.MATRIX_PEOPLE_MAX}; one who holds none has "
                           "`levels: {}`), most skills held first, then the higher sum of levels (unrated: 0), "
                           "then `accountId`; `limit` and `offset` page them, `total` counts them all. `levels` "
                           "names only the skills the person holds (null: not rated). An unknown category is a 404.",
            "tags": ["Insights"],
            "parameters": [
                {**_CATEGORY, "required": True, "description": "The category whose skills are the columns."},
                {"name": "accountId", "in": "query", "style": "form", "explode": True,
                 "description": "The people of the rows; repeat the parameter for each.",
                 "schema": {"type": "array", "items": ref("AccountId"), "minItems": 1,
                            "maxItems": domain.MATRIX_PEOPLE_MAX}},
                {"name": "limit", "in": "query", "description": "People on this page.",
                 "schema": {"type": "integer", "minimum": 1, "maximum": domain.MATRIX_LIMIT_MAX,
                            "default": domain.MATRIX_LIMIT_MAX}},
                {"name": "offset", "in": "query", "description": "People before this page.",
                 "schema": {"type": "integer", "minimum": 0, "maximum": domain.OFFSET_MAX, "default": 0}}],
            "responses": {"200": answer(ref("SkillsMatrix"), "A page of the matrix."), **errors(400, 401, 404)},
        },
    },
}
