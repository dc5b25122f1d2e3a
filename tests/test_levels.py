"""Levels through HTTP with signed tokens: the scale, each person's levels, everyone's, the bulk update
with levels, and the documented user-skill routes, which never show or change a level."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, select

from addon.extensions import db
from addon.models import IssueSkill, Skill, Tenant, UserSkill
from addon.skills import changes

from .conftest import JiraActions
from .fits import snapshot

ADMIN = "acc-admin"
ALICE = "3e63957f-c263-41cd-acda-748560232d49"
BOB = "63314adf8b75455be455c8a0"
CAROL = "61a4ad9cf241500072f37d74"
DEFAULT = {"levels": [{"level": 1, "name": "Beginner", "description": ""},
                      {"level": 2, "name": "Competent", "description": ""},
                      {"level": 3, "name": "Proficient", "description": ""},
                      {"level": 4, "name": "Expert", "description": ""}], "expertLevel": 3}


class Site:
    def __init__(self, app: Flask, jira: JiraActions, client_key: str = "tenant-a") -> None:
        self.app, self.jira = app, jira
        self.tenant = jira.install(client_key, admins={ADMIN})
        with app.app_context():
            self.id = db.session.execute(select(Tenant.id).where(Tenant.client_key == client_key)).scalar_one()

    def call(self, method: str, url: str, sub: str = ADMIN, **kwargs: Any) -> Any:
        if "json" in kwargs:  # sent in the order written (the test client's JSON sorts keys)
            kwargs.update(data=json.dumps(kwargs.pop("json")), content_type="application/json")
        return self.jira.request(self.tenant, method, url, sub=sub, **kwargs)

    def ok(self, method: str, url: str, sub: str = ADMIN, **kwargs: Any) -> Any:
        response = self.call(method, url, sub=sub, **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def levels_of(self, account: str) -> list[tuple[str, int | None]]:
        answer = self.ok("GET", f"/api/user-skill-levels?accountId={account}", sub=account)
        assert answer["accountId"] == account
        return [(entry["name"], entry["level"]) for entry in answer["skills"]]

    def patch(self, account: str, levels: dict[str, Any], sub: str | None = None) -> Any:
        return self.call("PATCH", f"/api/user-skill-levels?accountId={account}", sub=sub or account,
                         json={"levels": levels})

    def put(self, account: str, skills: list[str]) -> Any:
        return self.ok("PUT", f"/api/user-skills?accountId={account}", sub=account, json={"skills": skills})

    def everyone(self) -> dict[str, list[tuple[str, int | None]]]:
        answer = self.ok("GET", "/api/skill-levels-by-account", sub=ALICE)["levelsByAccountId"]
        return {account: [(e["name"], e["level"]) for e in entries] for account, entries in answer.items()}


def said(response: Any) -> str:
    """An error's message and details, as one text."""
    error = response.get_json()
    return " ".join([error["message"], *(error.get("details") or [])])


@pytest.fixture
def site(app: Flask, jira: JiraActions) -> Site:
    return Site(app, jira)


# ---------------------------------------------------------------------------------------------
# The scale

def test_a_new_site_has_the_default_scale(site: Site) -> None:
    assert site.ok("GET", "/api/levels", sub=ALICE) == DEFAULT


def test_an_admin_replaces_the_scale_and_level_keys_are_ignored(site: Site) -> None:
    body = {"levels": [{"level": 4, "name": "  Novice ", "description": " Has tried it "},
                       {"name": "Practitioner", "description": None}, {"level": 1, "name": "Mentor"}],
            "expertLevel": 2}
    answer = site.ok("PUT", "/api/levels", json=body)
    assert answer == {"levels": [{"level": 1, "name": "Novice", "description": "Has tried it"},
                                 {"level": 2, "name": "Practitioner", "description": ""},
                                 {"level": 3, "name": "Mentor", "description": ""}], "expertLevel": 2}
    assert site.ok("GET", "/api/levels", sub=ALICE) == answer
    # A GET's answer goes back as it is.
    assert site.ok("PUT", "/api/levels", json=answer) == answer


def test_an_api_token_may_change_the_scale_and_a_plain_user_may_not(site: Site, app: Flask) -> None:
    created = site.call("POST", "/api/tokens", json={"name": "hr"})
    assert created.status_code == 201
    token = created.get_json()["token"]
    body = {"levels": [{"name": "Low"}, {"name": "High"}], "expertLevel": 2}
    before = snapshot(app)
    refused = site.call("PUT", "/api/levels", sub=ALICE, json=body)
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    assert snapshot(app) == before
    response = site.jira.client.put("/api/levels", json=body, headers={"Authorization": "Bearer " + token})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [entry["name"] for entry in site.ok("GET", "/api/levels")["levels"]] == ["Low", "High"]


@pytest.mark.parametrize("body, says", [
    ({"levels": [{"name": "Only"}], "expertLevel": 1}, "2 to 7 levels; this one has 1"),
    ({"levels": [{"name": f"L{n}"} for n in range(8)], "expertLevel": 1}, "2 to 7 levels; this one has 8"),
    ({"levels": [{"name": "Good"}, {"name": "GOOD"}], "expertLevel": 1}, "level names must differ"),
    ({"levels": [{"name": "a"}, {"name": "b", "description": "x" * 501}], "expertLevel": 1}, "at most 500"),
    ({"levels": [{"name": "a"}, {"name": "b", "description": 3}], "expertLevel": 1}, "string or null"),
    ({"levels": [{"name": "a"}, {"name": ""}], "expertLevel": 1}, "must not be empty"),
    ({"levels": [{"name": "a"}, {"name": "x" * 101}], "expertLevel": 1}, "at most 100"),
    ({"levels": [{"name": "a"}, {"name": "b\x00"}], "expertLevel": 1}, "control characters"),
    ({"levels": [{"name": "a"}, {"name": 7}], "expertLevel": 1}, "must be a string"),
    ({"levels": [{"name": "a"}, "b"], "expertLevel": 1}, "must be an object"),
    ({"levels": [{"name": "a"}, {"name": "b", "colour": "red"}], "expertLevel": 1}, "unknown field"),
    ({"levels": [{"name": "a"}, {"name": "b"}], "expertLevel": 3}, "'expertLevel' must be"),
    ({"levels": [{"name": "a"}, {"name": "b"}], "expertLevel": 0}, "'expertLevel' must be"),
    ({"levels": [{"name": "a"}, {"name": "b"}], "expertLevel": "1"}, "'expertLevel' must be"),
    ({"levels": [{"name": "a"}, {"name": "b"}], "expertLevel": True}, "'expertLevel' must be"),
    ({"levels": [{"name": "a"}, {"name": "b"}]}, "'expertLevel' must be"),
    ({"levels": {"name": "a"}, "expertLevel": 1}, "must be an array"),
    ({"expertLevel": 1}, "needs 'levels'"),
    ({"levels": [{"name": "a"}, {"name": "b"}], "expertLevel": 1, "extra": 1}, "Unknown field"),
])
def test_a_bad_scale_is_a_400_that_changes_nothing(site: Site, app: Flask, body: Any, says: str) -> None:
    site.put(ALICE, ["Go"])
    assert site.patch(ALICE, {"Go": 4}).status_code == 200
    before = snapshot(app)
    response = site.call("PUT", "/api/levels", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert says in said(response), said(response)
    assert snapshot(app) == before
    assert site.ok("GET", "/api/levels") == DEFAULT


def test_a_smaller_scale_takes_holdings_and_issue_needs_above_its_top_down_to_it(site: Site, app: Flask) -> None:
    site.put(ALICE, ["Go", "Rust", "SQL", "Jira"])
    assert site.patch(ALICE, {"Go": 4, "Rust": 3, "SQL": 1, "Jira": None}).status_code == 200
    assert site.patch(BOB, {"Go": 2}).status_code == 200
    with app.app_context():  # issues' needs (their routes come with issue skills)
        go = db.session.execute(select(Skill.id).where(Skill.tenant_id == site.id, Skill.name == "Go")).scalar_one()
        db.session.execute(insert(IssueSkill), [
            {"tenant_id": site.id, "issue_id": 10001, "skill_id": go, "min_level": 4, "position": 0},
            {"tenant_id": site.id, "issue_id": 10002, "skill_id": go, "min_level": 1, "position": 0},
            {"tenant_id": site.id, "issue_id": 10003, "skill_id": go, "min_level": None, "position": 0}])
        db.session.commit()
        version = db.session.execute(select(Tenant.data_version).where(Tenant.id == site.id)).scalar_one()
    three = {"levels": [{"name": "Basic"}, {"name": "Good"}, {"name": "Great"}], "expertLevel": 3}
    site.ok("PUT", "/api/levels", json=three)
    assert site.levels_of(ALICE) == [("Go", 3), ("Rust", 3), ("SQL", 1), ("Jira", None)]
    assert site.levels_of(BOB) == [("Go", 2)]
    two = {"levels": [{"name": "Basic"}, {"name": "Good"}], "expertLevel": 2}
    site.ok("PUT", "/api/levels", json=two)
    assert site.levels_of(ALICE) == [("Go", 2), ("Rust", 2), ("SQL", 1), ("Jira", None)]
    assert site.levels_of(BOB) == [("Go", 2)]
    with app.app_context():
        needs = db.session.execute(select(IssueSkill.issue_id, IssueSkill.min_level).order_by(IssueSkill.issue_id))
        assert [tuple(row) for row in needs] == [(10001, 2), (10002, 1), (10003, None)]
        # The log says what moved: the scale, Alice's holdings (Bob's stayed), the issues' needs.
        now = db.session.execute(select(Tenant.data_version).where(Tenant.id == site.id)).scalar_one()
        assert changes.since(db.session, site.id, version, now) == changes.Changes(
            accounts={ALICE}, issues=True, scale=True)
        # A scale that moves nothing logs only that the scale changed.
        db.session.remove()
    site.ok("PUT", "/api/levels", json={**two, "expertLevel": 1})
    with app.app_context():
        later = db.session.execute(select(Tenant.data_version).where(Tenant.id == site.id)).scalar_one()
        assert changes.since(db.session, site.id, now, later) == changes.Changes(scale=True)
    # Levels the new scale lacks are refused from now on.
    refused = site.patch(ALICE, {"Go": 3})
    assert refused.status_code == 400 and "from 1 to 2" in said(refused)


# ---------------------------------------------------------------------------------------------
# One person's levels

def test_a_users_levels_in_the_order_added_and_a_patch_adds_what_they_lack_after_the_rest(site: Site) -> None:
    assert site.levels_of(ALICE) == []
    site.put(ALICE, ["Python", "Go"])
    assert site.levels_of(ALICE) == [("Python", None), ("Go", None)]
    answer = site.patch(ALICE, {"python": 3, "Rust": 2, "Go": None, "Kotlin": None})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json() == {"accountId": ALICE, "skills": [
        {"name": "Python", "level": 3}, {"name": "Go", "level": None}, {"name": "Rust", "level": 2},
        {"name": "Kotlin", "level": None}]}
    assert site.patch(ALICE, {"Go": 4, "Python": None}).get_json()["skills"] == [
        {"name": "Python", "level": None}, {"name": "Go", "level": 4}, {"name": "Rust", "level": 2},
        {"name": "Kotlin", "level": None}]
    # An empty map changes nothing and answers the list.
    assert site.patch(ALICE, {}).get_json()["skills"][1] == {"name": "Go", "level": 4}
    # What the documented read says: the same skills, no levels.
    assert site.ok("GET", f"/api/user-skills?accountId={ALICE}") == {"skills": ["Python", "Go", "Rust", "Kotlin"]}


@pytest.mark.parametrize("value", [0, 5, 8, -1, "3", 2.5, 3.0, True, False, [2], {"level": 2}])
def test_a_level_outside_the_scale_or_of_another_type_is_a_400_that_changes_nothing(site: Site, app: Flask,
                                                                                    value: Any) -> None:
    site.put(ALICE, ["Python"])
    before = snapshot(app)
    response = site.patch(ALICE, {"Python": value, "Rust": 2})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"] == "invalid_request"
    assert "from 1 to 4" in said(response)
    assert snapshot(app) == before


@pytest.mark.parametrize("body, status", [
    ({"levels": {"": 2}}, 400), ({"levels": {"x" * 101: 2}}, 400), ({"levels": {"a\u0007b": 2}}, 400),
    ({"levels": {"Go": 2, "GO": 2}}, 400), ({"levels": ["Go"]}, 400), ({"levels": None}, 400), ({}, 400),
    ({"levels": {"Go": 2}, "more": 1}, 400), ({"levels": {f"Skill {n}": 1 for n in range(501)}}, 413),
])
def test_a_bad_patch_body_is_refused_and_changes_nothing(site: Site, app: Flask, body: Any, status: int) -> None:
    before = snapshot(app)
    response = site.call("PATCH", f"/api/user-skill-levels?accountId={ALICE}", sub=ALICE, json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert set(response.get_json()) >= {"error", "message"}
    assert snapshot(app) == before


def test_a_patch_past_500_skills_is_refused(site: Site, app: Flask) -> None:
    site.put(ALICE, [f"Skill {n}" for n in range(499)])
    before = snapshot(app)
    response = site.patch(ALICE, {"One more": 1, "And another": 2})
    assert response.status_code == 400 and "at most 500" in response.get_json()["message"]
    assert snapshot(app) == before
    assert site.patch(ALICE, {"One more": 1, "Skill 0": 2}).status_code == 200


def test_who_may_set_levels_is_who_may_add_skills(site: Site, app: Flask) -> None:
    site.put(BOB, ["Go"])
    before = snapshot(app)
    refused = site.patch(BOB, {"Go": 2}, sub=ALICE)
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    assert snapshot(app) == before
    assert site.patch(BOB, {"Go": 2}, sub=BOB).status_code == 200
    assert site.patch(BOB, {"Go": 3}, sub=ADMIN).status_code == 200
    token = site.call("POST", "/api/tokens", json={"name": "hr"}).get_json()["token"]
    response = site.jira.client.patch(f"/api/user-skill-levels?accountId={BOB}", json={"levels": {"Go": 4}},
                                      headers={"Authorization-Skills": token})
    assert response.status_code == 200 and response.get_json()["skills"] == [{"name": "Go", "level": 4}]
    # Anyone of the site reads them.
    assert site.ok("GET", f"/api/user-skill-levels?accountId={BOB}", sub=ALICE)["skills"] == [
        {"name": "Go", "level": 4}]


@pytest.mark.parametrize("query", ["", "?accountId=", "?accountId=a%20b", "?accountId=a&accountId=b"])
def test_the_level_routes_need_one_good_account_id(site: Site, query: str) -> None:
    for method, body in (("GET", None), ("PATCH", {"levels": {}})):
        response = site.call(method, "/api/user-skill-levels" + query, json=body)
        assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_a_site_never_sees_or_changes_another_sites_levels(site: Site, app: Flask, jira: JiraActions) -> None:
    other = Site(app, jira, "tenant-b")
    site.put(ALICE, ["Go"])
    assert site.patch(ALICE, {"Go": 4}).status_code == 200
    assert other.levels_of(ALICE) == []
    assert other.patch(ALICE, {"Go": 1}).status_code == 200
    assert site.levels_of(ALICE) == [("Go", 4)] and other.levels_of(ALICE) == [("Go", 1)]
    other.ok("PUT", "/api/levels", json={"levels": [{"name": "x"}, {"name": "y"}], "expertLevel": 1})
    assert site.ok("GET", "/api/levels") == DEFAULT and site.levels_of(ALICE) == [("Go", 4)]


# ---------------------------------------------------------------------------------------------
# The documented endpoints stay exact: they never show a level nor change a kept one

def test_put_adds_unrated_holdings_and_leaves_the_level_of_a_skill_already_held(site: Site) -> None:
    site.put(ALICE, ["Python"])
    assert site.patch(ALICE, {"Python": 3}).status_code == 200
    assert site.put(ALICE, ["python", "Go"]) == {"added": ["Go"], "existing": ["Python"]}
    assert site.levels_of(ALICE) == [("Python", 3), ("Go", None)]


def test_delete_drops_the_level_with_the_holding(site: Site, app: Flask) -> None:
    site.put(ALICE, ["Python", "Go"])
    assert site.patch(ALICE, {"Python": 4, "Go": 2}).status_code == 200
    assert site.ok("DELETE", f"/api/user-skills?accountId={ALICE}", sub=ALICE, json={"skills": ["PYTHON"]}) == {
        "removed": ["Python"], "missing": []}
    with app.app_context():
        assert db.session.execute(select(UserSkill.level).where(UserSkill.account_id == ALICE)).scalars().all() == [2]
    site.put(ALICE, ["Python"])  # back, as a new holding: unrated
    assert site.levels_of(ALICE) == [("Go", 2), ("Python", None)]


def test_the_bulk_update_keeps_the_levels_of_the_skills_an_account_keeps(site: Site) -> None:
    site.put(ALICE, ["Python", "Go", "SQL"])
    assert site.patch(ALICE, {"Python": 4, "Go": 2, "SQL": 1}).status_code == 200
    answer = site.ok("POST", "/api/skills-by-account", json={"skillsByAccountId": {
        ALICE: ["go", "Rust", "Python"], BOB: ["Rust"]}})
    assert answer == {"changes": {ALICE: {"added": ["Rust"], "removed": ["SQL"]}, BOB: {"added": ["Rust"], "removed": []}}}
    assert site.levels_of(ALICE) == [("Python", 4), ("Go", 2), ("Rust", None)]
    site.ok("POST", "/api/skills-by-account", json={"skillsByAccountId": {ALICE: ["SQL"]}})
    assert site.levels_of(ALICE) == [("SQL", None)]  # a skill lost and regained comes back unrated


def test_skills_by_account_and_the_experts_tree_show_no_level(site: Site) -> None:
    site.put(ALICE, ["Python", "Go"])
    site.put(BOB, ["Go"])
    expected = {url: site.call("GET", url, sub=CAROL).get_data() for url in
                ("/api/skills-by-account", "/api/skill-tree/experts", f"/api/user-skills?accountId={ALICE}")}
    assert site.patch(ALICE, {"Python": 4, "Go": 1}).status_code == 200
    assert site.patch(BOB, {"Go": 3}).status_code == 200
    for url, body in expected.items():
        assert site.call("GET", url, sub=CAROL).get_data() == body, url
    assert json.loads(expected["/api/skills-by-account"]) == {"skillsByAccountId": {ALICE: ["Python", "Go"],
                                                                                    BOB: ["Go"]}}
    assert json.loads(expected["/api/skill-tree/experts"]) == {"experts": [
        {"key": "Go", "type": "skill", "experts": [ALICE, BOB]},
        {"key": "Python", "type": "skill", "experts": [ALICE]}]}


# ---------------------------------------------------------------------------------------------
# Everyone's levels, and the bulk update with levels

def test_everyones_levels_leave_out_people_without_skills(site: Site) -> None:
    assert site.everyone() == {}
    site.put(ALICE, ["Python", "Go"])
    site.put(BOB, ["Go"])
    assert site.patch(ALICE, {"Go": 3}).status_code == 200
    site.ok("DELETE", f"/api/user-skills?accountId={BOB}", sub=BOB, json={"skills": ["Go"]})
    assert site.everyone() == {ALICE: [("Python", None), ("Go", 3)]}
    raw = site.ok("GET", "/api/skill-levels-by-account")
    assert raw == {"levelsByAccountId": {ALICE: [{"name": "Python", "level": None}, {"name": "Go", "level": 3}]}}


def test_the_bulk_update_with_levels(site: Site) -> None:
    site.put(ALICE, ["Engineering", "JavaScript", "HTML/CSS"])
    assert site.patch(ALICE, {"Engineering": 1, "JavaScript": 2}).status_code == 200
    site.put(BOB, ["Marketing"])
    site.put(CAROL, ["QA"])
    answer = site.ok("POST", "/api/skill-levels-by-account", json={"levelsByAccountId": {
        ALICE: [{"name": "javascript", "level": 2}, {"name": "Engineering", "level": 3},
                {"name": "Python", "level": None}, {"name": "SQL", "level": 4}],
        BOB: [{"name": "Marketing", "level": 4}, {"name": "marketing", "level": 4}],
        "acc-new": []}})
    assert answer == {"changes": {
        ALICE: {"added": ["Python", "SQL"], "removed": ["HTML/CSS"],
                "levelChanged": [{"name": "Engineering", "from": 1, "to": 3}]},
        BOB: {"added": [], "removed": [], "levelChanged": [{"name": "Marketing", "from": None, "to": 4}]},
        "acc-new": {"added": [], "removed": [], "levelChanged": []}}}
    assert site.everyone() == {ALICE: [("Engineering", 3), ("JavaScript", 2), ("Python", None), ("SQL", 4)],
                               BOB: [("Marketing", 4)], CAROL: [("QA", None)]}  # Carol: not listed, untouched
    # Unrating a kept skill is a level change too; [] removes everything.
    answer = site.ok("POST", "/api/skill-levels-by-account", json={"levelsByAccountId": {
        ALICE: [{"name": "SQL", "level": None}], BOB: []}})
    assert answer["changes"] == {
        ALICE: {"added": [], "removed": ["Engineering", "JavaScript", "Python"],
                "levelChanged": [{"name": "SQL", "from": 4, "to": None}]},
        BOB: {"added": [], "removed": ["Marketing"], "levelChanged": []}}


@pytest.mark.parametrize("mapping, status, says", [
    ({ALICE: [{"name": "Go"}]}, 400, '{"name": <skill>, "level": <level or null>}'),
    ({ALICE: [{"name": "Go", "level": 9}]}, 400, "from 1 to 4"),
    ({ALICE: [{"name": "Go", "level": "2"}]}, 400, "from 1 to 4"),
    ({ALICE: [{"name": "Go", "level": 1, "extra": 1}]}, 400, "and nothing else"),
    ({ALICE: [{"name": "Go", "level": 1}, {"name": "GO", "level": 2}]}, 400, "twice with different levels"),
    ({ALICE: ["Go"]}, 400, "and nothing else"),
    ({ALICE: {"name": "Go", "level": 1}}, 400, "must be an array"),
    ({"not an id!": []}, 400, "not a valid account ID"),
    ({ALICE: [{"name": "", "level": 1}]}, 400, "must not be empty"),
    ({ALICE: [{"name": f"S{n}", "level": 1} for n in range(501)]}, 413, "At most 500"),
    ({f"acc-{n}": [] for n in range(10_001)}, 413, "At most 10000 accounts"),
    ([], 400, "must be an object"),
])
def test_a_bad_bulk_update_with_levels_changes_nothing(site: Site, app: Flask, mapping: Any, status: int,
                                                       says: str) -> None:
    site.put(ALICE, ["Go"])
    before = snapshot(app)
    body = {"levelsByAccountId": {BOB: [{"name": "Fine", "level": 1}], **mapping}} if isinstance(mapping, dict) \
        else {"levelsByAccountId": mapping}
    response = site.call("POST", "/api/skill-levels-by-account", json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert says in said(response), response.get_json()
    assert snapshot(app) == before


def test_only_admins_and_tokens_bulk_update_levels(site: Site, app: Flask) -> None:
    before = snapshot(app)
    body = {"levelsByAccountId": {ALICE: [{"name": "Go", "level": 1}]}}
    response = site.call("POST", "/api/skill-levels-by-account", sub=ALICE, json=body)
    assert response.status_code == 403
    assert snapshot(app) == before


# ---------------------------------------------------------------------------------------------
# The finder's route for one skill: levels, highest first

def test_a_skills_experts_come_highest_level_first_unrated_last(site: Site) -> None:
    for account in ("acc-1", "acc-2", "acc-3", "acc-4", "acc-5", "acc-6"):
        site.put(account, ["Go"])
    for account, level in (("acc-2", 2), ("acc-3", 4), ("acc-4", 2), ("acc-6", 1)):
        assert site.patch(account, {"Go": level}).status_code == 200
    answer = site.ok("GET", "/api/skill-tree/skill-experts?skill=go", sub=ALICE)
    assert answer == {"skill": "Go", "experts": ["acc-3", "acc-2", "acc-4", "acc-6", "acc-1", "acc-5"],
                      "levels": {"acc-1": None, "acc-2": 2, "acc-3": 4, "acc-4": 2, "acc-5": None, "acc-6": 1}}
