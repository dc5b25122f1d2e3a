"""/api/issue-skills and /api/match: the skills an issue needs, and who should take it.

Reading an issue's skills (and its suggestions) needs Jira's BROWSE_PROJECTS on the issue, changing
them EDIT_ISSUES, asked of Jira for the caller (addon.jira.IssuePermissions, cached); Jira
administrators and API tokens may do both. When Jira cannot say, the answer is a 503, never a guess.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Mapping

from flask import Response, current_app, jsonify, request

from ..auth import caller, is_admin, require_auth
from ..errors import ApiError
from ..extensions import db
from ..jira import BROWSE_PROJECTS, EDIT_ISSUES, IssuePermissions, JiraUnavailable, OpenIssueCounts
from ..mirrors import write_mirror
from ..skills import issue_skills as domain
from ..skills import matching
from ..skills.levels import load_scale
from ..skills.names import valid_account_id
from .. import tenant_jira
from . import bp
from .common import json_body
from .schemas import answer, errors, obj, ref, request_body


@dataclass(frozen=True)
class IssueJira:
    """What the issue routes ask Jira, kept per app: permissions on issues, open-issue counts, and
    the threads that ask for all of a suggestion's counts at once."""

    permissions: IssuePermissions
    counts: OpenIssueCounts
    pool: ThreadPoolExecutor

    @classmethod
    def for_app(cls, config: Mapping[str, Any]) -> "IssueJira":
        return cls(IssuePermissions(config["PERMISSION_CACHE_SECONDS"]),
                   OpenIssueCounts(config["OPEN_ISSUES_CACHE_SECONDS"], config["OPEN_ISSUES_TIMEOUT_SECONDS"]),
                   ThreadPoolExecutor(max_workers=32, thread_name_prefix="jira"))


def issue_jira() -> IssueJira:
    return current_app.extensions["issue_jira"]


def _one(name: str, required: bool = True) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiError(400, f"Give the query parameter '{name}' once.")
    if not values:
        if required:
            raise ApiError(400, f"The query parameter '{name}' is required.")
        return None
    return values[0]


def issue_id_param() -> int:
    return domain.parse_issue_id(_one("issueId"))


def parse_limit(value: Any, query: bool = False, strict: bool = False) -> int:
    """1 to 50, default 10 (when not given: `strict` refuses a given null): a JSON integer in a body,
    digits in a query."""
    if value is None and not strict:
        return matching.DEFAULT_LIMIT
    if query and isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= matching.MAX_LIMIT:
        raise ApiError(400, f"'limit' must be a whole number from 1 to {matching.MAX_LIMIT}.")
    return value


def parse_exclude(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(valid_account_id(item) for item in value):
        raise ApiError(400, "'exclude' must be an array of Atlassian account IDs.")
    if len(value) > matching.MAX_EXCLUDED:
        raise ApiError(400, f"'exclude' may name at most {matching.MAX_EXCLUDED} accounts.")
    return value


def require_issue_permission(issue_id: int, permission: str) -> None:
    """The caller may act on the issue: an API token, Jira says `permission`, or a Jira administrator."""
    who = caller()
    if who.is_api_token:
        return
    if who.account_id is not None:
        try:
            client, tenant = tenant_jira.for_caller(who)
            if issue_jira().permissions.allows(client, tenant, who.account_id, permission, issue_id):
                return
        except JiraUnavailable:
            raise ApiError(503, "Jira could not confirm your permissions on this issue right now; nothing was "
                                "changed. Try again in a moment.", headers={"Retry-After": "5"}) from None
    if not is_admin(who):
        action = "see" if permission == BROWSE_PROJECTS else "change"
        raise ApiError(403, f"You may not {action} the skills of this issue: Jira does not grant you "
                            f"{permission} on it.")


def _issue_answer(issue_id: int) -> Response:
    skills, searchable = domain.issue_skills(db.session, caller().tenant.id, issue_id)
    return jsonify(domain.answer(issue_id, skills, searchable))


@bp.get("/issue-skills")
@require_auth
def get_issue_skills() -> Response:
    issue_id = issue_id_param()
    require_issue_permission(issue_id, BROWSE_PROJECTS)
    return _issue_answer(issue_id)


@bp.put("/issue-skills")
@require_auth
def put_issue_skills() -> Response:
    issue_id = issue_id_param()
    body = json_body()
    unknown = sorted(set(body) - {"skills"})
    if unknown or "skills" not in body:
        raise ApiError(400, "The body must be {\"skills\": [...]}: skill names or {\"name\", \"minLevel\"} objects.")
    tenant_id = caller().tenant.id
    wanted = domain.parse_required(body["skills"], load_scale(db.session, tenant_id))
    require_issue_permission(issue_id, EDIT_ISSUES)
    domain.set_issue_skills(db.session, tenant_id, issue_id, wanted)
    db.session.commit()
    # The store is the truth: Jira's property follows it, now if Jira takes it, else later (searchable false).
    try:
        client, tenant = tenant_jira.for_caller(caller())
    except JiraUnavailable:
        pass
    else:
        write_mirror(db.session, client, tenant, issue_id)
    return _issue_answer(issue_id)


@bp.get("/issue-skills/suggestions")
@require_auth
def suggestions() -> Response:
    issue_id = issue_id_param()
    limit = parse_limit(_one("limit", required=False), query=True)
    require_issue_permission(issue_id, BROWSE_PROJECTS)
    tenant_id = caller().tenant.id
    skills, _ = domain.issue_skills(db.session, tenant_id, issue_id)
    found = matching.match(db.session, tenant_id, skills, limit) if skills else matching.Match(skills)
    db.session.rollback()  # no transaction held while Jira counts
    count_open_issues(found.people)
    found.people = matching.rank_by_workload(found.people)
    return jsonify(found.as_json())


@bp.post("/match")
@require_auth
def match() -> Response:
    body = json_body()
    unknown = sorted(set(body) - {"skills", "limit", "exclude"})
    if unknown:
        raise ApiError(400, f"Unknown field(s): {', '.join(map(repr, unknown))}; allowed: exclude, limit, skills.")
    if "skills" not in body:
        raise ApiError(400, "The body needs 'skills': 1 to 20 skill names or {\"name\", \"minLevel\"} objects.")
    tenant_id = caller().tenant.id
    required = domain.parse_required(body["skills"], load_scale(db.session, tenant_id), least=1)
    # Absent means the default; a null is a wrong value, as the OpenAPI document says.
    limit = parse_limit(body["limit"] if "limit" in body else None, strict="limit" in body)
    exclude = parse_exclude(body["exclude"] if "exclude" in body else [])
    return jsonify(matching.match(db.session, tenant_id, required, limit, exclude).as_json())


def count_open_issues(people: list[matching.Candidate]) -> None:
    """Fill each person's `openIssues`: all counts asked at once, none waited for past Jira's short timeout."""
    if not people:
        return
    counts = issue_jira().counts
    try:
        client, tenant = tenant_jira.for_caller(caller())
    except JiraUnavailable:
        return
    asked: dict[Future[int | None], matching.Candidate] = {}
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def count(account_id: str) -> int | None:
        with app.app_context():  # the Forge client keeps a system token Jira accepted, in the database
            return counts.count(client, tenant, account_id)

    pool = issue_jira().pool
    for person in people:
        known = counts.cached(tenant, person.account_id)
        if known is not None:
            person.open_issues = known
        else:
            asked[pool.submit(count, person.account_id)] = person
    if not asked:
        return
    done, _ = wait(asked, timeout=counts.timeout + 0.25)
    for future in done:
        if future.exception() is None:
            asked[future].open_issues = future.result()


# ---------------------------------------------------------------------------------------------
# OpenAPI 3.1 fragments for these routes (schemas in .schemas)

_ISSUE = {"name": "issueId", "in": "query", "required": True,
          "description": "The issue's numeric id (1 to 18 digits), which survives moves between projects.",
          "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,17}$"}}
_LIMIT_QUERY = {"name": "limit", "in": "query", "required": False,
                "description": f"How many people to answer: 1 to {matching.MAX_LIMIT} (default {matching.DEFAULT_LIMIT}).",
                "schema": {"type": "string", "pattern": "^[0-9]{1,3}$"}}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/issue-skills": {
        "get": {"operationId": "getIssueSkills", "summary": "Get the skills an issue needs",
                "description": "Needs Jira's BROWSE_PROJECTS on the issue (administrators and API tokens may). "
                               "`searchable` is false while the issue property `required-skills` still owes a write.",
                "tags": ["Issues"], "parameters": [_ISSUE],
                "responses": {"200": answer(ref("IssueSkills"), "The issue's skills in the order given."),
                              **errors(400, 401, 403, 503)}},
        "put": {"operationId": "setIssueSkills", "summary": "Set the skills an issue needs",
                "description": "Replaces the list (0 to 20 entries as sent; a bare name means any level; a name "
                               "the catalogue lacks joins it) and writes the issue property `required-skills` in "
                               "Jira. Needs EDIT_ISSUES on the issue (administrators and API tokens may).",
                "tags": ["Issues"], "parameters": [_ISSUE],
                "requestBody": request_body(obj(skills={**ref("RequiredSkills"), "maxItems": domain.MAX_ISSUE_SKILLS})),
                "responses": {"200": answer(ref("IssueSkills"), "The issue's skills as now stored."),
                              **errors(400, 401, 403, 413, 415, 503)}},
    },
    "/api/issue-skills/suggestions": {
        "get": {"operationId": "getIssueSuggestions", "summary": "Who should take an issue",
                "description": "The match of the issue's skills, with each answered person's unresolved assigned "
                               "issues (`openIssues`, null when Jira could not say); among people equal on covers "
                               "and level sum, fewer open issues first. Needs BROWSE_PROJECTS on the issue.",
                "tags": ["Issues"], "parameters": [_ISSUE, _LIMIT_QUERY],
                "responses": {"200": answer(ref("MatchAnswer"), "The ranked people."),
                              **errors(400, 401, 403, 503)}},
    },
    "/api/match": {
        "post": {"operationId": "matchPeople", "summary": "Rank people by the skills they meet",
                 "description": "People meeting at least one of the skills, by skills met, then the sum of their "
                                "levels over the met skills, then accountId. `openIssues` is null here.",
                 "tags": ["Issues"],
                 "requestBody": request_body(obj(required=False, skills={**ref("RequiredSkills"), "minItems": 1,
                                                                         "maxItems": domain.MAX_ISSUE_SKILLS},
                                                 limit={"type": "integer", "minimum": 1, "maximum": matching.MAX_LIMIT},
                                                 exclude={"type": "array", "maxItems": matching.MAX_EXCLUDED,
                                                          "items": ref("AccountId")}) | {"required": ["skills"]}),
                 "responses": {"200": answer(ref("MatchAnswer"), "The ranked people."),
                               **errors(400, 401, 413, 415)}},
    },
}
