"""POST /api/levels/split-suffixes: Skills for Jira's `<skill> - <level name>` skills become levels."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, select

from addon.extensions import db
from addon.models import IssueMirror, IssueSkill, Skill, Tenant
from addon.skills import changes
from addon.skills.levels import DEFAULT_SCALE
from addon.skills.suffixes import split_name

from .conftest import JiraActions
from .fits import snapshot
from .test_levels import Site

SPLIT = "/api/levels/split-suffixes"
# The three users of Skills for Jira's API example, and two who already hold a base.
U1 = "3e63957f-c263-41cd-acda-748560232d49"
U2 = "63314adf8b75455be455c8a0"
U3 = "61a4ad9cf241500072f37d74"
U4, U5 = "acc-4", "acc-5"


@pytest.fixture
def site(app: Flask, jira: JiraActions) -> Site:
    site = Site(app, jira)
    site.put(U1, ["Engineering - Beginner", "JavaScript", "HTML/CSS"])
    site.put(U2, ["Marketing - Competent", "Marketing - Expert", "English - Expert", "Social Media Marketing"])
    site.put(U3, ["QA - Competent", "Test Automation", "Selenium", "Python"])
    site.put(U4, ["Go", "Engineering", "engineering - BEGINNER"])
    assert site.patch(U4, {"Engineering": 2}).status_code == 200  # rated above Beginner: stays 2
    site.put(U5, ["Engineering", "Engineering - Expert"])  # unrated base: takes Expert
    created = site.call("POST", "/api/skill-tree/categories", json={"displayName": "Business"})
    assert created.status_code == 201
    key = created.get_json()["key"]
    site.ok("PUT", f"/api/skill-tree/categories/{key}/skills", json={"skills": ["Social Media Marketing",
                                                                              "Marketing - Competent"]})
    with app.app_context():
        ids = dict(db.session.execute(select(Skill.name, Skill.id).where(Skill.tenant_id == site.id)).all())
        db.session.execute(insert(IssueSkill), [
            {"tenant_id": site.id, "issue_id": 500, "skill_id": ids["Marketing - Competent"], "min_level": None,
             "position": 0},
            {"tenant_id": site.id, "issue_id": 500, "skill_id": ids["Marketing - Expert"], "min_level": None,
             "position": 1},
            {"tenant_id": site.id, "issue_id": 500, "skill_id": ids["Go"], "min_level": 3, "position": 2},
            {"tenant_id": site.id, "issue_id": 501, "skill_id": ids["Engineering"], "min_level": None, "position": 0},
            {"tenant_id": site.id, "issue_id": 501, "skill_id": ids["Engineering - Expert"], "min_level": None,
             "position": 1},
            {"tenant_id": site.id, "issue_id": 502, "skill_id": ids["Python"], "min_level": 2, "position": 0}])
        db.session.commit()
    return site


PLAN = {"skills": [
    {"from": "Engineering - Beginner", "to": "Engineering", "level": 1, "holders": 2},
    {"from": "Engineering - Expert", "to": "Engineering", "level": 4, "holders": 1},
    {"from": "English - Expert", "to": "English", "level": 4, "holders": 1},
    {"from": "Marketing - Competent", "to": "Marketing", "level": 2, "holders": 1},
    {"from": "Marketing - Expert", "to": "Marketing", "level": 4, "holders": 1},
    {"from": "QA - Competent", "to": "QA", "level": 2, "holders": 1}],
    # U1 2 (Beginner out, Engineering in), U2 5 (two Marketing out, one in; English out and in),
    # U3 2, U4 1 (its Beginner out; Engineering stays 2), U5 2 (Expert out, Engineering re-levelled).
    "holdingsChanged": 12}


def version(app: Flask, site: Site) -> int:
    with app.app_context():
        return db.session.execute(select(Tenant.data_version).where(Tenant.id == site.id)).scalar_one()


def test_the_preview_says_what_would_change_and_changes_nothing(site: Site, app: Flask) -> None:
    before, at = snapshot(app), version(app, site)
    assert site.ok("POST", SPLIT, json={"apply": False}) == PLAN
    assert snapshot(app) == before and version(app, site) == at


def test_applying_it_makes_levels_of_the_suffixes(site: Site, app: Flask) -> None:
    at = version(app, site)
    assert site.ok("POST", SPLIT, json={"apply": True}) == PLAN
    # Each holder's base where their first suffixed skill was; the highest level wins.
    assert site.levels_of(U1) == [("Engineering", 1), ("JavaScript", None), ("HTML/CSS", None)]
    assert site.levels_of(U2) == [("Marketing", 4), ("English", 4), ("Social Media Marketing", None)]
    assert site.levels_of(U3) == [("QA", 2), ("Test Automation", None), ("Selenium", None), ("Python", None)]
    assert site.levels_of(U4) == [("Go", None), ("Engineering", 2)]
    assert site.levels_of(U5) == [("Engineering", 4)]
    # The suffixed skills left the catalogue; a new base took the first suffixed skill's category and place.
    tree = site.ok("GET", "/api/skill-tree")["skillTree"]
    assert tree[0]["displayName"] == "Business"
    assert [(n["key"]) for n in tree[0]["children"]] == ["Social Media Marketing", "Marketing"]
    assert sorted(n["key"] for n in tree[1:]) == ["Engineering", "English", "Go", "HTML/CSS", "JavaScript",
                                                  "Python", "QA", "Selenium", "Test Automation"]
    # Issues needing a suffixed skill need the base, at least at that level (the highest of several).
    with app.app_context():
        needs = db.session.execute(select(IssueSkill.issue_id, Skill.name, IssueSkill.min_level)
                                   .join(Skill, Skill.id == IssueSkill.skill_id)
                                   .order_by(IssueSkill.issue_id, IssueSkill.position)).all()
        assert [tuple(n) for n in needs] == [(500, "Marketing", 4), (500, "Go", 3), (501, "Engineering", 4),
                                             (502, "Python", 2)]
        owed = db.session.execute(select(IssueMirror.issue_id).order_by(IssueMirror.issue_id)).scalars().all()
        assert owed == [500, 501]  # their Jira property names the old skills: a write is owed
        # Logged as "anything changed": every process's whole-tenant answers rebuild.
        assert changes.since(db.session, site.id, at, version(app, site)) is None
    # What the documented routes show now.
    assert site.ok("GET", "/api/skills-by-account")["skillsByAccountId"][U2] == [
        "Marketing", "English", "Social Media Marketing"]
    # Nothing is left to split.
    assert site.ok("POST", SPLIT, json={"apply": True}) == {"skills": [], "holdingsChanged": 0}


def test_it_uses_the_sites_own_level_names(site: Site) -> None:
    site.ok("PUT", "/api/levels", json={"levels": [{"name": "Beginner"}, {"name": "Competent"}, {"name": "Master"}],
                                        "expertLevel": 3})
    site.put(U1, ["Marketing - Master", "Go - Expert"])
    plan = site.ok("POST", SPLIT, json={"apply": False})
    assert {(s["from"], s["level"]) for s in plan["skills"]} == {
        ("Engineering - Beginner", 1), ("Marketing - Competent", 2), ("QA - Competent", 2), ("Marketing - Master", 3)}


def test_nothing_to_split_changes_nothing_but_the_version(site: Site, app: Flask) -> None:
    site.ok("POST", SPLIT, json={"apply": True})
    at = version(app, site)
    before = snapshot(app)
    assert site.ok("POST", SPLIT, json={"apply": True}) == {"skills": [], "holdingsChanged": 0}
    assert snapshot(app) == before
    with app.app_context():  # the answers patch past it: nothing named
        assert changes.since(db.session, site.id, at, version(app, site)) == changes.Changes()


@pytest.mark.parametrize("body", [{}, {"apply": "yes"}, {"apply": 1}, {"apply": None}, {"apply": True, "dry": 1}])
def test_a_bad_body_is_a_400(site: Site, app: Flask, body: Any) -> None:
    before = snapshot(app)
    response = site.call("POST", SPLIT, json=body)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    assert snapshot(app) == before


def test_only_admins_and_tokens_split(site: Site, app: Flask) -> None:
    before = snapshot(app)
    for apply in (False, True):
        response = site.call("POST", SPLIT, sub=U1, json={"apply": apply})
        assert response.status_code == 403
    assert snapshot(app) == before
    token = site.call("POST", "/api/tokens", json={"name": "migration"}).get_json()["token"]
    response = site.jira.client.post(SPLIT, json={"apply": True}, headers={"Authorization": "Bearer " + token})
    assert response.status_code == 200 and response.get_json() == PLAN


@pytest.mark.parametrize("name, split", [
    ("Engineering - Beginner", ("Engineering", 1)), ("engineering - EXPERT", ("engineering", 4)),
    ("A - B - Expert", ("A - B", 4)), ("Go-Expert", None), ("Go - Experts", None), (" - Expert", None),
    ("Expert", None), ("Go - ", None), ("Go -  Expert", ("Go", 4)),
])
def test_what_counts_as_a_level_suffix(name: str, split: Any) -> None:
    levels = {entry.name.casefold(): entry.level for entry in DEFAULT_SCALE.levels}
    assert split_name(name, levels) == split


def test_a_name_with_two_suffixes_loses_one_per_run(app: Flask, jira: JiraActions) -> None:
    site = Site(app, jira, "tenant-c")
    site.put(U1, ["Go - Expert - Competent", "Go - Expert"])
    plan = site.ok("POST", SPLIT, json={"apply": True})
    assert plan == {"skills": [{"from": "Go - Expert", "to": "Go", "level": 4, "holders": 1}], "holdingsChanged": 2}
    assert site.levels_of(U1) == [("Go - Expert - Competent", None), ("Go", 4)]
    assert site.ok("POST", SPLIT, json={"apply": True})["skills"] == [
        {"from": "Go - Expert - Competent", "to": "Go - Expert", "level": 2, "holders": 1}]
    assert site.levels_of(U1) == [("Go - Expert", 2), ("Go", 4)]
