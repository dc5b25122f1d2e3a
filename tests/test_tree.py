"""The skill tree: the documented experts tree, the admins' category routes, import and export."""
from __future__ import annotations

import copy
import uuid
from typing import Any, Iterator

import pytest
from flask import Flask
from sqlalchemy import insert, select

from addon.skills.tokens import hash_token as hash_api_token
from addon.extensions import db
from addon.models import ApiToken, Category, Skill, Tenant, UserSkill
from addon.skills.catalogue import ensure_skills
from addon.skills.tree import MAX_DEPTH

from .conftest import JiraActions, recorded_statements

ADMIN = "acc-admin"
USER = "acc-user"
TREE = "/api/skill-tree"
EXPERTS = "/api/skill-tree/experts"
COUNTS = "/api/skill-tree/expert-counts"
SKILL_EXPERTS = "/api/skill-tree/skill-experts"
CATEGORIES = "/api/skill-tree/categories"
# The accounts of the Skills for Jira API's examples (its documentation; the demo's site has them too,
# addon/demo/site.py EXAMPLE_PEOPLE).
ALICE = "3e63957f-c263-41cd-acda-748560232d49"
BOB = "63314adf8b75455be455c8a0"


class Site:
    """One installed tenant, and requests to it as its admin or as a plain user."""

    def __init__(self, app: Flask, jira: JiraActions, client_key: str) -> None:
        self.app = app
        self.jira = jira
        self.tenant = jira.install(client_key, admins={ADMIN})
        with app.app_context():
            self.id = db.session.execute(select(Tenant.id).where(Tenant.client_key == client_key)).scalar_one()

    def call(self, method: str, url: str, sub: str = ADMIN, **kwargs: Any) -> Any:
        return self.jira.request(self.tenant, method, url, sub=sub, **kwargs)

    def ok(self, method: str, url: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, url, **kwargs)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def tree(self) -> list[dict[str, Any]]:
        return self.ok("GET", TREE, sub=USER)["skillTree"]

    def experts(self) -> list[dict[str, Any]]:
        return self.ok("GET", EXPERTS, sub=USER)["experts"]

    def create(self, name: str, parent: str | None = None, **extra: Any) -> dict[str, Any]:
        body = {"displayName": name, **extra}
        if parent is not None:
            body["parentKey"] = parent
        return self.ok("POST", CATEGORIES, status=201, json=body)

    def patch(self, key: str, **body: Any) -> dict[str, Any]:
        return self.ok("PATCH", f"{CATEGORIES}/{key}", json=body)

    def place(self, key: str, skills: list[str]) -> dict[str, Any]:
        return self.ok("PUT", f"{CATEGORIES}/{key}/skills", json={"skills": skills})

    def hold(self, account_id: str, *skills: str) -> None:
        """`account_id` acquires `skills`, in that order (straight into the tables, as the user-skills routes do)."""
        with self.app.app_context():
            found = ensure_skills(db.session, self.id, skills)
            for name in skills:
                db.session.execute(insert(UserSkill).values(
                    tenant_id=self.id, account_id=account_id, skill_id=found[name.casefold()][0]))
            db.session.commit()

    def api_token(self) -> str:
        token = "jus_test-" + uuid.uuid4().hex
        with self.app.app_context():
            db.session.add(ApiToken(tenant_id=self.id, name="ci", token_hash=hash_api_token(token),
                                    created_by=ADMIN))
            db.session.commit()
        return token


@pytest.fixture
def site(app: Flask, jira: JiraActions) -> Site:
    return Site(app, jira, "tenant-a")


@pytest.fixture
def other_site(app: Flask, jira: JiraActions, site: Site) -> Site:
    return Site(app, jira, "tenant-b")


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tree's tables, to show that a refused request changed nothing."""
    with app.app_context():
        return {
            "categories": sorted(db.session.execute(select(
                Category.id, Category.tenant_id, Category.key, Category.parent_id, Category.display_name,
                Category.description, Category.position))),
            "skills": sorted(db.session.execute(select(
                Skill.id, Skill.tenant_id, Skill.name, Skill.category_id, Skill.position))),
            "user_skills": sorted(db.session.execute(select(
                UserSkill.id, UserSkill.tenant_id, UserSkill.account_id, UserSkill.skill_id))),
        }


def without_experts(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for node in nodes:
        node = {k: v for k, v in node.items() if k != "experts"}
        if "children" in node:
            node["children"] = without_experts(node["children"])
        out.append(node)
    return out


def build_seed_example(site: Site) -> tuple[str, str]:
    """Design > UX with the seed's three skills and experts, through the routes; the two keys."""
    design = site.create("Design")
    ux = site.create("UX", parent=design["key"])
    site.place(ux["key"], ["User Flows", "Wireframes", "Usability Testing"])
    site.hold(ALICE, "User Flows", "Usability Testing")
    site.hold(BOB, "Usability Testing")
    return design["key"], ux["key"]


# ---------------------------------------------------------------------------------------------
# The documented experts tree

def test_seed_example_built_through_the_routes_reads_back_exactly(site: Site) -> None:
    design, ux = build_seed_example(site)
    assert site.experts() == [{
        "key": design, "type": "category", "displayName": "Design",
        "children": [{
            "key": ux, "type": "category", "displayName": "UX",
            "children": [
                {"key": "User Flows", "type": "skill", "experts": [ALICE]},
                {"key": "Wireframes", "type": "skill", "experts": []},
                {"key": "Usability Testing", "type": "skill", "experts": [ALICE, BOB]},
            ],
        }],
    }]
    assert site.tree() == without_experts(site.experts())
    assert uuid.UUID(design).version == 4 and design != ux


def test_an_empty_tenant_has_an_empty_tree(site: Site) -> None:
    assert site.experts() == []
    assert site.tree() == []


def test_every_skill_appears_once_and_unplaced_ones_follow_the_categories_by_name(site: Site) -> None:
    site.hold("acc-1", "python", "Zig", "Go")
    site.hold("acc-2", "Python", "apl")  # another spelling of python: the first one is kept
    backend = site.create("Backend")
    site.create("Art")  # after Backend: categories keep the admins' order, not the alphabet
    site.place(backend["key"], ["Go"])
    experts = site.experts()
    assert [n["key"] for n in experts] == [backend["key"], experts[1]["key"], "apl", "python", "Zig"]
    assert experts[0]["children"] == [{"key": "Go", "type": "skill", "experts": ["acc-1"]}]
    assert experts[1]["displayName"] == "Art" and experts[1]["children"] == []
    assert experts[3] == {"key": "python", "type": "skill", "experts": ["acc-1", "acc-2"]}


def test_experts_are_listed_in_the_order_they_acquired_the_skill(site: Site) -> None:
    for account in ("acc-3", "acc-1", "acc-2"):
        site.hold(account, "SQL")
    assert site.experts() == [{"key": "SQL", "type": "skill", "experts": ["acc-3", "acc-1", "acc-2"]}]


def test_inside_a_category_subcategories_come_first_then_its_skills_in_order(site: Site) -> None:
    eng = site.create("Engineering")
    site.place(eng["key"], ["Rust", "C"])
    web = site.create("Web", parent=eng["key"])
    answer = site.patch(eng["key"], description="Builders")
    assert answer["children"] == [{"key": web["key"], "type": "category", "displayName": "Web", "children": []},
                                  {"key": "Rust", "type": "skill"}, {"key": "C", "type": "skill"}]


# ---------------------------------------------------------------------------------------------
# Who may read and change

def test_read_routes_take_any_user_a_context_token_and_an_api_token(site: Site) -> None:
    build_seed_example(site)
    expected = site.experts()
    assert site.call("GET", EXPERTS, sub="acc-nobody", context=True).get_json()["experts"] == expected
    token = site.api_token()
    for header in ({"Authorization": "Bearer " + token}, {"Authorization-Skills": token}):
        response = site.jira.client.get(EXPERTS, headers=header)
        assert response.status_code == 200 and response.get_json()["experts"] == expected
        response = site.jira.client.get(TREE, headers=header)
        assert response.get_json()["skillTree"] == without_experts(expected)


@pytest.mark.parametrize("url", [TREE, EXPERTS, COUNTS, SKILL_EXPERTS + "?skill=Go"])
def test_read_routes_refuse_no_token(site: Site, url: str) -> None:
    response = site.jira.client.get(url)
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def change_requests(design: str, ux: str) -> list[tuple[str, str, Any]]:
    return [
        ("PUT", TREE, {"skillTree": []}),
        ("POST", CATEGORIES, {"displayName": "Research"}),
        ("PATCH", f"{CATEGORIES}/{ux}", {"displayName": "User Experience"}),
        ("PATCH", f"{CATEGORIES}/{ux}", {"parentKey": None}),
        ("DELETE", f"{CATEGORIES}/{design}", None),
        ("PUT", f"{CATEGORIES}/{ux}/skills", {"skills": ["Figma"]}),
    ]


def test_a_user_who_is_not_an_admin_changes_nothing(app: Flask, site: Site) -> None:
    design, ux = build_seed_example(site)
    before = snapshot(app)
    for method, url, body in change_requests(design, ux):
        for context in (False, True):
            response = site.call(method, url, sub=USER, context=context, json=body)
            assert response.status_code == 403, (method, url)
            assert response.get_json()["error"] == "forbidden"
    assert snapshot(app) == before


def test_an_api_token_may_change_the_tree(site: Site) -> None:
    token = site.api_token()
    response = site.jira.client.post(CATEGORIES, json={"displayName": "Ops"},
                                     headers={"Authorization": "Bearer " + token})
    assert response.status_code == 201
    assert [n["displayName"] for n in site.tree()] == ["Ops"]


def test_when_jira_cannot_confirm_an_admin_nothing_changes(app: Flask, site: Site, fake_jira: Any) -> None:
    design, ux = build_seed_example(site)
    before = snapshot(app)
    fake_jira.fail_with = 500
    # An admin Jira has not been asked about yet (answers are cached for a few minutes).
    response = site.call("PATCH", f"{CATEGORIES}/{ux}", sub="acc-admin-2", json={"displayName": "User Experience"})
    assert response.status_code == 503 and response.get_json()["error"] == "service_unavailable"
    assert snapshot(app) == before


# ---------------------------------------------------------------------------------------------
# Creating, renaming, describing, moving, reordering

def test_create_answers_the_category_with_its_place(site: Site) -> None:
    design = site.create("  Design  ", description="Making things usable")
    assert design == {"key": design["key"], "type": "category", "displayName": "Design",
                      "description": "Making things usable", "parentKey": None, "position": 0, "children": []}
    ux = site.create("UX", parent=design["key"])
    ui = site.create("UI", parent=design["key"].upper())  # keys compare case-insensitively
    assert (ux["parentKey"], ux["position"], ui["position"]) == (design["key"], 0, 1)
    assert site.tree() == [{"key": design["key"], "type": "category", "displayName": "Design",
                            "description": "Making things usable",
                            "children": [{"key": ux["key"], "type": "category", "displayName": "UX", "children": []},
                                         {"key": ui["key"], "type": "category", "displayName": "UI", "children": []}]}]


def test_rename_and_describe(site: Site) -> None:
    design, ux = build_seed_example(site)
    answer = site.patch(ux, displayName="User Experience", description="Research and flows")
    assert (answer["displayName"], answer["description"], answer["parentKey"]) == \
        ("User Experience", "Research and flows", design)
    assert [c["key"] for c in answer["children"]] == ["User Flows", "Wireframes", "Usability Testing"]
    assert site.patch(ux, displayName="user experience")["displayName"] == "user experience"  # itself: no clash
    assert site.patch(ux, description=None)["description"] == ""
    assert site.experts()[0]["children"][0]["displayName"] == "user experience"


def test_reorder_among_siblings(site: Site) -> None:
    keys = [site.create(name)["key"] for name in ("A", "B", "C", "D")]
    assert site.patch(keys[3], position=0)["position"] == 0
    assert [n["displayName"] for n in site.tree()] == ["D", "A", "B", "C"]
    site.patch(keys[0], position=3)
    assert [n["displayName"] for n in site.tree()] == ["D", "B", "C", "A"]
    site.patch(keys[1], position=1.0)  # where it is already (1.0 is an integer in JSON)
    assert [n["displayName"] for n in site.tree()] == ["D", "B", "C", "A"]


def test_move_goes_last_or_to_the_position_given_and_closes_the_gap(site: Site) -> None:
    a, b = site.create("A")["key"], site.create("B")["key"]
    a1, a2, a3 = (site.create(n, parent=a)["key"] for n in ("A1", "A2", "A3"))
    b1 = site.create("B1", parent=b)["key"]
    moved = site.patch(a2, parentKey=b)
    assert (moved["parentKey"], moved["position"]) == (b, 1)
    moved = site.patch(a1, parentKey=b, position=0)
    assert moved["position"] == 0
    tree = site.tree()
    assert [c["key"] for c in tree[0]["children"]] == [a3]
    assert [c["key"] for c in tree[1]["children"]] == [a1, b1, a2]
    assert site.patch(a3, position=0)["position"] == 0  # the gaps were closed: index 0 of one
    root = site.patch(b1, parentKey=None)
    assert (root["parentKey"], root["position"]) == (None, 2)
    assert [n["displayName"] for n in site.tree()] == ["A", "B", "B1"]


def test_a_moved_category_takes_its_subtree_and_skills_along(site: Site) -> None:
    design, ux = build_seed_example(site)
    product = site.create("Product")["key"]
    site.patch(ux, parentKey=product)
    tree = site.experts()
    assert tree[0]["children"] == []
    assert tree[1]["children"][0]["key"] == ux
    assert tree[1]["children"][0]["children"][2] == {"key": "Usability Testing", "type": "skill",
                                                    "experts": [ALICE, BOB]}


# ---------------------------------------------------------------------------------------------
# Refusals change nothing

def refused(app: Flask, site: Site, method: str, url: str, status: int, error: str | None = None,
            **kwargs: Any) -> dict[str, Any]:
    before = snapshot(app)
    response = site.call(method, url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) <= {"error", "message", "details"} and body["message"]
    if error:
        assert body["error"] == error
    assert snapshot(app) == before
    return body


def test_a_move_into_itself_or_its_subtree_is_a_400(app: Flask, site: Site) -> None:
    design, ux = build_seed_example(site)
    research = site.create("Research", parent=ux)["key"]
    for target in (design, ux, research):
        refused(app, site, "PATCH", f"{CATEGORIES}/{design}", 400, "cycle", json={"parentKey": target})
    # Renaming in the same request does not slip through.
    refused(app, site, "PATCH", f"{CATEGORIES}/{ux}", 400, "cycle",
            json={"parentKey": research, "displayName": "Other"})


def test_sibling_names_are_unique_case_insensitively(app: Flask, site: Site) -> None:
    design, ux = build_seed_example(site)
    ui = site.create("UI", parent=design)["key"]
    refused(app, site, "POST", CATEGORIES, 400, "duplicate_name", json={"displayName": "DESIGN"})
    refused(app, site, "POST", CATEGORIES, 400, "duplicate_name", json={"displayName": " ux ", "parentKey": design})
    refused(app, site, "PATCH", f"{CATEGORIES}/{ui}", 400, "duplicate_name", json={"displayName": "Ux"})
    elsewhere = site.create("ux")["key"]  # the same name under another parent is fine
    refused(app, site, "PATCH", f"{CATEGORIES}/{elsewhere}", 400, "duplicate_name", json={"parentKey": design})


def test_unknown_keys_are_404(app: Flask, site: Site) -> None:
    design, ux = build_seed_example(site)
    unknown = str(uuid.uuid4())
    for key in (unknown, "not-a-key", "0" * 300):
        refused(app, site, "PATCH", f"{CATEGORIES}/{key}", 404, "not_found", json={"displayName": "X"})
        refused(app, site, "DELETE", f"{CATEGORIES}/{key}", 404, "not_found")
        refused(app, site, "PUT", f"{CATEGORIES}/{key}/skills", 404, "not_found", json={"skills": ["Figma"]})
    refused(app, site, "POST", CATEGORIES, 404, "not_found", json={"displayName": "X", "parentKey": unknown})
    refused(app, site, "PATCH", f"{CATEGORIES}/{ux}", 404, "not_found", json={"parentKey": unknown})


def test_position_out_of_range_is_a_400(app: Flask, site: Site) -> None:
    a = site.create("A")["key"]
    site.create("B")
    c = site.create("C", parent=a)["key"]
    refused(app, site, "PATCH", f"{CATEGORIES}/{a}", 400, "bad_position", json={"position": 2})
    refused(app, site, "PATCH", f"{CATEGORIES}/{c}", 400, "bad_position", json={"position": 1})
    # Moving to the root, index 2 is last.
    assert site.patch(c, parentKey=None, position=2)["position"] == 2


def test_the_tree_is_at_most_max_depth_categories_deep(app: Flask, site: Site) -> None:
    parent = None
    keys = []
    for level in range(MAX_DEPTH):
        parent = site.create(f"L{level}", parent=parent)["key"]
        keys.append(parent)
    refused(app, site, "POST", CATEGORIES, 400, "too_deep", json={"displayName": "deeper", "parentKey": parent})
    other = site.create("Other")["key"]
    site.create("Child", parent=other)
    # Other (two levels) under L18 would reach level 21.
    refused(app, site, "PATCH", f"{CATEGORIES}/{other}", 400, "too_deep", json={"parentKey": keys[-2]})
    assert site.patch(other, parentKey=keys[-3])["parentKey"] == keys[-3]


@pytest.mark.parametrize("body, error", [
    ({}, "bad_request"),
    ({"displayName": ""}, "bad_request"),
    ({"displayName": "   "}, "bad_request"),
    ({"displayName": "x" * 101}, "bad_request"),
    ({"displayName": "a\nb"}, "bad_request"),
    ({"displayName": "Desi\u200bgn"}, "bad_request"),  # a look-alike of a sibling
    ({"displayName": "\u202eUX"}, "bad_request"),
    ({"displayName": 7}, "bad_request"),
    ({"displayName": "Ok", "description": 5}, "bad_request"),
    ({"displayName": "Ok", "description": "d" * 4001}, "bad_request"),
    ({"displayName": "Ok", "parentKey": 12}, "bad_request"),
    ({"displayName": "Ok", "parent": None}, "bad_request"),
])
def test_create_refuses_bad_bodies(app: Flask, site: Site, body: dict[str, Any], error: str) -> None:
    build_seed_example(site)
    refused(app, site, "POST", CATEGORIES, 400, error, json=body)


@pytest.mark.parametrize("body", [
    {}, {"displayName": ""}, {"displayName": None}, {"displayName": "Design\ufeff"}, {"position": -1},
    {"position": "1"}, {"position": True},
    {"position": 1.5}, {"parentKey": 3}, {"description": []}, {"name": "X"},
])
def test_patch_refuses_bad_bodies(app: Flask, site: Site, body: dict[str, Any]) -> None:
    design, ux = build_seed_example(site)
    refused(app, site, "PATCH", f"{CATEGORIES}/{ux}", 400, json=body)


@pytest.mark.parametrize("body", [
    {}, {"skills": "Figma"}, {"skills": [""]}, {"skills": ["ok", 3]}, {"skills": ["x" * 101]},
    {"skills": ["Fig\u2060ma"]},
    {"skills": [], "more": 1},
])
def test_placing_refuses_bad_bodies(app: Flask, site: Site, body: dict[str, Any]) -> None:
    design, ux = build_seed_example(site)
    refused(app, site, "PUT", f"{CATEGORIES}/{ux}/skills", 400, json=body)


@pytest.mark.parametrize("method, path", [("PUT", TREE), ("POST", CATEGORIES), ("PATCH", CATEGORIES + "/{ux}"),
                                          ("PUT", CATEGORIES + "/{ux}/skills")])
def test_bodies_that_are_not_json_objects_are_refused(app: Flask, site: Site, method: str, path: str) -> None:
    design, ux = build_seed_example(site)
    url = path.format(ux=ux)
    refused(app, site, method, url, 415, data="displayName=X", content_type="application/x-www-form-urlencoded")
    refused(app, site, method, url, 400, data="{not json", content_type="application/json")
    refused(app, site, method, url, 400, json=["a list"])
    refused(app, site, method, url, 400, data="[" * 100_000, content_type="application/json")


# ---------------------------------------------------------------------------------------------
# Deleting

def test_deleting_a_category_keeps_its_skills_and_holdings(app: Flask, site: Site) -> None:
    design, ux = build_seed_example(site)
    site.place(design, ["Sketching"])
    site.hold("acc-9", "Sketching", "Wireframes")
    holdings = snapshot(app)["user_skills"]
    response = site.call("DELETE", f"{CATEGORIES}/{ux}")
    assert response.status_code == 204 and response.get_data() == b""
    assert site.experts() == [{
        "key": design, "type": "category", "displayName": "Design",
        "children": [
            {"key": "Sketching", "type": "skill", "experts": ["acc-9"]},
            {"key": "User Flows", "type": "skill", "experts": [ALICE]},
            {"key": "Wireframes", "type": "skill", "experts": ["acc-9"]},
            {"key": "Usability Testing", "type": "skill", "experts": [ALICE, BOB]},
        ],
    }]
    assert snapshot(app)["user_skills"] == holdings
    # A root-level category's skills go to the root.
    assert site.call("DELETE", f"{CATEGORIES}/{design}").status_code == 204
    assert [n["key"] for n in site.experts()] == ["Sketching", "Usability Testing", "User Flows", "Wireframes"]
    assert snapshot(app)["user_skills"] == holdings
    refused(app, site, "DELETE", f"{CATEGORIES}/{design}", 404, "not_found")


def test_deleting_a_category_puts_its_subcategories_in_its_place(site: Site) -> None:
    a, b, c = (site.create(n)["key"] for n in ("A", "B", "C"))
    b1, b2 = (site.create(n, parent=b)["key"] for n in ("B1", "B2"))
    site.create("B2x", parent=b2)
    assert site.call("DELETE", f"{CATEGORIES}/{b}").status_code == 204
    tree = site.tree()
    assert [n["displayName"] for n in tree] == ["A", "B1", "B2", "C"]
    assert tree[2]["children"][0]["displayName"] == "B2x"
    assert site.patch(c, position=0)["position"] == 0  # positions were renumbered densely
    assert [n["key"] for n in site.tree()] == [c, a, b1, b2]


def test_deleting_refuses_when_a_subcategory_would_clash_with_a_sibling(app: Flask, site: Site) -> None:
    design = site.create("Design")["key"]
    ux = site.create("UX", parent=design)["key"]
    site.create("Tools", parent=design)
    site.create("tools", parent=ux)
    body = refused(app, site, "DELETE", f"{CATEGORIES}/{ux}", 400, "duplicate_name")
    assert body["details"] == ["'tools' is already in 'Design'."]


# ---------------------------------------------------------------------------------------------
# Placing skills

def test_placing_sets_the_category_s_skills_and_moves_them_from_elsewhere(site: Site) -> None:
    design, ux = build_seed_example(site)
    research = site.create("Research")["key"]
    site.hold("acc-5", "Interviews")
    answer = site.place(research, ["usability testing", "Interviews", "Surveys", "INTERVIEWS"])
    assert [c["key"] for c in answer["children"]] == ["Usability Testing", "Interviews", "Surveys"]
    assert [c["key"] for c in site.tree()[0]["children"][0]["children"]] == ["User Flows", "Wireframes"]
    # Replacing: what is not listed goes back to the root.
    answer = site.place(ux, ["Wireframes"])
    assert [c["key"] for c in answer["children"]] == ["Wireframes"]
    assert [n["key"] for n in site.tree()[2:]] == ["User Flows"]
    assert site.place(ux, [])["children"] == []
    assert [n["key"] for n in site.tree()[2:]] == ["User Flows", "Wireframes"]
    experts = site.experts()
    assert experts[1]["children"][0] == {"key": "Usability Testing", "type": "skill", "experts": [ALICE, BOB]}


# ---------------------------------------------------------------------------------------------
# Tenants

def test_a_tenant_never_sees_or_touches_another_s_categories(app: Flask, site: Site, other_site: Site) -> None:
    design, ux = build_seed_example(site)
    a_tree = site.experts()
    assert other_site.experts() == [] and other_site.tree() == []
    for method, url, body in change_requests(design, ux)[2:]:
        refused(app, other_site, method, url, 404, "not_found", json=body)
    refused(app, other_site, "POST", CATEGORIES, 404, json={"displayName": "X", "parentKey": design})
    mine = other_site.create("Mine")["key"]
    refused(app, site, "PATCH", f"{CATEGORIES}/{ux}", 404, json={"parentKey": mine})
    assert site.experts() == a_tree


def test_a_tree_exported_from_one_tenant_imports_into_another_with_its_keys(site: Site, other_site: Site) -> None:
    build_seed_example(site)
    exported = site.tree()
    assert other_site.ok("PUT", TREE, json={"skillTree": exported})["skillTree"] == exported
    other_site.patch(exported[0]["key"], displayName="Design B")
    assert site.tree() == exported
    assert other_site.tree()[0]["displayName"] == "Design B"


# ---------------------------------------------------------------------------------------------
# Import and export

def test_import_then_export_gives_the_same_tree(site: Site) -> None:
    keys = [str(uuid.uuid4()) for _ in range(4)]
    tree = [
        {"key": keys[0], "type": "category", "displayName": "Design", "description": "Look and feel",
         "children": [
             {"key": keys[1], "type": "category", "displayName": "UX", "children": [
                 {"key": "User Flows", "type": "skill"}, {"key": "Wireframes", "type": "skill"}]},
             {"key": keys[2], "type": "category", "displayName": "UI", "children": []},
             {"key": "Figma", "type": "skill"},
         ]},
        {"key": keys[3], "type": "category", "displayName": "Engineering", "children": [
            {"key": "Python", "type": "skill"}]},
        {"key": "Accessibility", "type": "skill"},
        {"key": "Writing", "type": "skill"},
    ]
    answer = site.ok("PUT", TREE, json={"skillTree": tree})
    assert answer["skillTree"] == tree
    assert site.tree() == tree
    # And once more: the export imports as it is, and nothing moves.
    assert site.ok("PUT", TREE, json={"skillTree": site.tree()})["skillTree"] == tree


def test_the_experts_route_s_answer_imports_too(site: Site) -> None:
    build_seed_example(site)
    experts = site.experts()
    tree = site.tree()
    assert site.ok("PUT", TREE, json={"skillTree": experts})["skillTree"] == tree
    assert site.experts() == experts


def test_import_keeps_user_skills_and_makes_unnamed_skills_root_leaves(app: Flask, site: Site) -> None:
    design, ux = build_seed_example(site)
    site.hold("acc-7", "Cooking")
    holdings = snapshot(app)["user_skills"]
    new_key = str(uuid.uuid4())
    answer = site.ok("PUT", TREE, json={"skillTree": [
        {"type": "category", "key": None, "displayName": "Research",
         "children": [{"type": "skill", "key": "Wireframes"}]},
        {"key": new_key, "type": "category", "displayName": "Kitchen", "children": [
            {"type": "skill", "key": "cooking", "experts": ["ignored"]}]},
    ]})
    research = answer["skillTree"][0]["key"]
    assert uuid.UUID(research) and research not in (design, ux, new_key)
    assert site.experts() == [
        {"key": research, "type": "category", "displayName": "Research",
         "children": [{"key": "Wireframes", "type": "skill", "experts": []}]},
        {"key": new_key, "type": "category", "displayName": "Kitchen",
         "children": [{"key": "Cooking", "type": "skill", "experts": ["acc-7"]}]},
        {"key": "Usability Testing", "type": "skill", "experts": [ALICE, BOB]},
        {"key": "User Flows", "type": "skill", "experts": [ALICE]},
    ]
    assert snapshot(app)["user_skills"] == holdings
    assert site.ok("PUT", TREE, json={"skillTree": []})["skillTree"] == [
        {"key": n, "type": "skill"} for n in ("Cooking", "Usability Testing", "User Flows", "Wireframes")]
    assert snapshot(app)["user_skills"] == holdings


def test_import_keeps_a_description_it_does_not_mention(site: Site) -> None:
    design = site.create("Design", description="Look and feel")["key"]
    ux = site.create("UX", parent=design, description="Flows")["key"]
    exported = site.tree()
    exported[0]["children"][0].pop("description")
    exported[0]["description"] = "Changed"
    site.ok("PUT", TREE, json={"skillTree": exported})
    assert site.patch(design, position=0)["description"] == "Changed"
    assert site.patch(ux, position=0)["description"] == "Flows"


def test_import_accepts_the_deepest_allowed_tree(site: Site) -> None:
    tree: list[dict[str, Any]] = [{"key": "leaf", "type": "skill"}]
    for level in reversed(range(MAX_DEPTH)):
        tree = [{"key": str(uuid.uuid4()), "type": "category", "displayName": f"L{level}", "children": tree}]
    assert site.ok("PUT", TREE, json={"skillTree": tree})["skillTree"] == tree


def deep_tree(levels: int) -> list[dict[str, Any]]:
    tree: list[dict[str, Any]] = []
    for level in range(levels):
        tree = [{"type": "category", "displayName": f"L{level}", "children": tree}]
    return tree


def bad_imports() -> list[Any]:
    key = str(uuid.uuid4())
    cat = {"type": "category", "displayName": "A", "children": []}
    return [
        {},
        {"skillTree": {}},
        {"skillTree": None},
        {"skillTree": [], "extra": 1},
        {"skillTree": ["Python"]},
        {"skillTree": [{"key": "Python", "type": "expert"}]},
        {"skillTree": [{"type": "skill"}]},
        {"skillTree": [{"key": " ", "type": "skill"}]},
        {"skillTree": [{"key": "x" * 101, "type": "skill"}]},
        {"skillTree": [{"key": "Python", "type": "skill"}, {**cat, "children": [{"key": "PYTHON", "type": "skill"}]}]},
        {"skillTree": [{**cat, "key": "not-a-uuid"}]},
        {"skillTree": [{**cat, "key": 5}]},
        {"skillTree": [{**cat, "key": key}, {**cat, "displayName": "B", "key": key.upper()}]},
        {"skillTree": [cat, {**cat, "displayName": " a "}]},
        {"skillTree": [{**cat, "displayName": ""}]},
        {"skillTree": [{"type": "category", "children": []}]},
        {"skillTree": [{**cat, "children": {}}]},
        {"skillTree": [{**cat, "description": 1}]},
        {"skillTree": [{**cat, "description": "d" * 4001}]},
        {"skillTree": deep_tree(MAX_DEPTH + 1)},
        # One good half and one bad half: still nothing changes.
        {"skillTree": [{**cat, "displayName": "Fine"}, {**cat, "children": [{"type": "skill", "key": "\u0007"}]}]},
    ]


@pytest.mark.parametrize("body", bad_imports())
def test_a_bad_import_is_a_400_and_changes_nothing(app: Flask, site: Site, body: Any) -> None:
    build_seed_example(site)
    site.create("Keep me")
    result = refused(app, site, "PUT", TREE, 400, json=body)
    if isinstance(body.get("skillTree"), list) and body["skillTree"]:
        assert result["details"], result


def test_a_bad_import_names_every_mistake(app: Flask, site: Site) -> None:
    body = refused(app, site, "PUT", TREE, 400, json={"skillTree": [
        {"type": "skill", "key": ""}, {"type": "category", "displayName": "A", "key": "k",
                                       "children": [{"type": "skill", "key": 3}]}]})
    assert len(body["details"]) == 3
    assert body["details"][0].startswith("skillTree[0].key")
    assert any(d.startswith("skillTree[1].children[0].key") for d in body["details"])


def test_import_of_a_large_tree_is_set_based(app: Flask, site: Site) -> None:
    """The statements an import runs do not grow with the tree (below the driver's batching)."""
    def import_counting(categories: int, skills_each: int) -> int:
        tree = [{"type": "category", "displayName": f"C{i}", "children": [
            {"type": "category", "displayName": "Sub", "children": [
                {"type": "skill", "key": f"S{i}-{j}"} for j in range(skills_each)]}]} for i in range(categories)]
        with recorded_statements(app) as statements:
            answer = site.ok("PUT", TREE, json={"skillTree": tree})
        assert len(answer["skillTree"]) == categories
        return len(statements)

    assert import_counting(2, 2) == import_counting(150, 5)


# ---------------------------------------------------------------------------------------------
# Cost: a constant number of queries whatever the tenant's size



def populate(app: Flask, tenant_id: int, categories: int, skills: int, users: int, per_user: int) -> None:
    """A tenant of the given size, written in bulk: nested categories, placed and unplaced skills, holdings."""
    with app.app_context():
        rows = [{"tenant_id": tenant_id, "key": str(uuid.uuid4()), "display_name": f"Category {i}",
                 "name_key": f"category {i}", "position": i, "description": ""} for i in range(categories)]
        db.session.execute(insert(Category), rows)
        ids = db.session.execute(select(Category.id).where(Category.tenant_id == tenant_id)
                                 .order_by(Category.id)).scalars().all()
        # Every fifth category is a root; the others hang under the root before them.
        db.session.execute(Category.__table__.update().where(Category.id == db.bindparam("cid"))
                           .values(parent_id=db.bindparam("pid")),
                           [{"cid": cid, "pid": ids[i - i % 5]} for i, cid in enumerate(ids) if i % 5])
        db.session.execute(insert(Skill), [
            {"tenant_id": tenant_id, "name": f"Skill {i}", "name_key": f"skill {i}", "position": i,
             "category_id": ids[i % categories] if i % 4 else None} for i in range(skills)])
        skill_ids = db.session.execute(select(Skill.id).where(Skill.tenant_id == tenant_id)).scalars().all()
        db.session.execute(insert(UserSkill), [
            {"tenant_id": tenant_id, "account_id": f"acc-{u}", "skill_id": skill_ids[(u * 7 + k) % skills]}
            for u in range(users) for k in range(per_user)])
        db.session.commit()


def leaves(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        if node["type"] == "skill":
            yield node
        else:
            yield from leaves(node["children"])


def test_the_experts_route_runs_the_same_queries_at_any_size(app: Flask, jira: JiraActions) -> None:
    small, large = Site(app, jira, "tenant-small"), Site(app, jira, "tenant-large")
    populate(app, small.id, categories=3, skills=5, users=2, per_user=2)
    populate(app, large.id, categories=200, skills=2000, users=1000, per_user=5)

    counts = {}
    for site, skills, holdings in ((small, 5, 4), (large, 2000, 5000)):
        for url in (EXPERTS, TREE):
            site.ok("GET", url, sub=USER)  # the tenant cache warmed, as on any busy day
            with recorded_statements(app) as statements:
                body = site.ok("GET", url, sub=USER)
            counts[site.tenant.client_key, url] = len(statements)
            nodes = body["experts"] if url == EXPERTS else body["skillTree"]
            found = list(leaves(nodes))
            assert len(found) == skills and len({leaf["key"] for leaf in found}) == skills
            if url == EXPERTS:
                assert sum(len(leaf["experts"]) for leaf in found) == holdings
    assert counts["tenant-small", EXPERTS] == counts["tenant-large", EXPERTS] <= 3
    # The tree's two reads, and the primary-key read that confirms a cached tenant (addon.auth).
    assert counts["tenant-small", TREE] == counts["tenant-large", TREE] <= 3


# ---------------------------------------------------------------------------------------------
# The expert finder's two routes: the counts first, a skill's people when it is opened

def with_counts(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The experts tree with each leaf's list of experts replaced by its length."""
    out = []
    for node in nodes:
        if node["type"] == "skill":
            out.append({"key": node["key"], "type": "skill", "expertCount": len(node["experts"])})
        else:
            out.append({**node, "children": with_counts(node["children"])})
    return out


def test_the_counts_tree_is_the_experts_tree_with_lengths_for_lists(site: Site, other_site: Site) -> None:
    design, ux = build_seed_example(site)
    site.hold("acc-3", "zig", "Usability testing")  # an unplaced skill, and a known one spelt otherwise
    other_site.hold("acc-9", "Usability Testing", "Zig", "Cobol")  # another tenant's people are not counted
    counts = site.ok("GET", COUNTS, sub=USER)["skillTree"]
    assert counts == with_counts(site.experts())
    assert [leaf["expertCount"] for leaf in leaves(counts)] == [1, 0, 3, 1]
    # A write shows at once: nothing is kept between requests.
    site.ok("PUT", f"/api/user-skills?accountId={USER}", sub=USER, json={"skills": ["Wireframes"]})
    assert [leaf["expertCount"] for leaf in leaves(site.ok("GET", COUNTS, sub=USER)["skillTree"])] == [1, 1, 3, 1]


def test_a_skill_s_experts_are_the_experts_route_s_list(site: Site, other_site: Site) -> None:
    build_seed_example(site)
    for account in ("acc-3", "acc-1"):
        site.hold(account, "Usability Testing")
    other_site.hold("acc-9", "Usability Testing")
    expected = next(leaf for leaf in leaves(site.experts()) if leaf["key"] == "Usability Testing")["experts"]
    assert expected == [ALICE, BOB, "acc-3", "acc-1"]
    for spelling in ("Usability Testing", "  usability TESTING ", "USABILITY%20testing"):
        answer = site.ok("GET", f"{SKILL_EXPERTS}?skill={spelling}", sub=USER)
        # No one rated: each unrated (null), in the order they acquired it.
        assert answer == {"skill": "Usability Testing", "experts": expected,
                          "levels": {account: None for account in expected}}
    # Named by the tree, held by no one: an empty list, not a 404.
    assert site.ok("GET", f"{SKILL_EXPERTS}?skill=wireframes", sub=USER) == {"skill": "Wireframes", "experts": [],
                                                                            "levels": {}}
    # An API token reads it too.
    response = site.jira.client.get(f"{SKILL_EXPERTS}?skill=User%20Flows",
                                    headers={"Authorization": "Bearer " + site.api_token()})
    assert response.status_code == 200 and response.get_json() == {"skill": "User Flows", "experts": [ALICE],
                                                                   "levels": {ALICE: None}}


@pytest.mark.parametrize("query, status, error", [
    ("", 400, "bad_request"),
    ("?skill=", 400, "bad_request"),
    ("?skill=%20%20", 400, "bad_request"),
    ("?skill=a%00b", 400, "bad_request"),
    ("?skill=" + "x" * 101, 400, "bad_request"),
    ("?skill=Go&skill=Rust", 400, "bad_request"),
    ("?skill=Cobol", 404, "not_found"),  # another tenant's skill
    ("?skill=Haskell", 404, "not_found"),  # no one's
])
def test_a_skill_s_experts_refuses_bad_or_unknown_names(site: Site, other_site: Site, query: str, status: int,
                                                        error: str) -> None:
    site.hold(USER, "Go", "Rust")
    other_site.hold("acc-9", "Cobol")
    response = site.call("GET", SKILL_EXPERTS + query, sub=USER)
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == error and body["message"]


def test_the_finder_s_routes_run_the_same_queries_at_any_size(app: Flask, jira: JiraActions) -> None:
    small, large = Site(app, jira, "tenant-small"), Site(app, jira, "tenant-large")
    populate(app, small.id, categories=3, skills=5, users=2, per_user=2)
    populate(app, large.id, categories=200, skills=2000, users=1000, per_user=5)
    counts = {}
    for site in (small, large):
        skill = next(leaves(site.tree()))["key"]
        for url in (COUNTS, f"{SKILL_EXPERTS}?skill={skill}"):
            site.ok("GET", url, sub=USER)
            with recorded_statements(app) as statements:
                site.ok("GET", url, sub=USER)
            counts[site.tenant.client_key, url.split("?")[0]] = len(statements)
        assert sum(leaf["expertCount"] for leaf in leaves(site.ok("GET", COUNTS, sub=USER)["skillTree"])) == \
            sum(len(leaf["experts"]) for leaf in leaves(site.experts()))
    # Categories, skills with their counts, and the primary-key read that confirms a cached tenant.
    assert counts["tenant-small", COUNTS] == counts["tenant-large", COUNTS] <= 3
    assert counts["tenant-small", SKILL_EXPERTS] == counts["tenant-large", SKILL_EXPERTS] <= 3


# ---------------------------------------------------------------------------------------------
# The OpenAPI fragments describe these routes

def test_openapi_fragments_cover_every_route_and_refer_to_known_schemas(app: Flask) -> None:
    from addon.api import tree as module
    from addon.api.schemas import SCHEMAS
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/skill-tree")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path.replace("{key}", "<key>"), method.upper())
                  for path, item in module.OPENAPI_PATHS.items() for method in item}
    assert routes == documented

    refs: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "$ref" in value:
                refs.append(value["$ref"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(copy.deepcopy(module.OPENAPI_PATHS))
    walk(SCHEMAS)
    names = {ref.rsplit("/", 1)[1] for ref in refs if ref.startswith("#/components/schemas/")}
    assert "Error" in SCHEMAS and names - set(SCHEMAS) == set()
    responses = {ref.rsplit("/", 1)[1] for ref in refs if ref.startswith("#/components/responses/")}
    assert responses <= {f"E{code}" for code in (400, 401, 403, 404, 413, 415, 503)}


# ---------------------------------------------------------------------------------------------
# With the user-skill routes

def test_the_tree_and_the_user_skill_routes_share_one_catalogue(app: Flask, site: Site) -> None:
    design, ux = build_seed_example(site)
    added = site.ok("PUT", f"/api/user-skills?accountId={USER}", sub=USER, json={"skills": ["wireframes", "Figma"]})
    assert added == {"added": ["Wireframes", "Figma"], "existing": []}
    assert site.experts()[0]["children"][0]["children"][1] == {"key": "Wireframes", "type": "skill",
                                                               "experts": [USER]}
    assert site.experts()[1] == {"key": "Figma", "type": "skill", "experts": [USER]}
    everyone = site.ok("GET", "/api/skills-by-account", sub=USER)
    assert site.call("DELETE", f"{CATEGORIES}/{ux}").status_code == 204
    site.ok("PUT", TREE, json={"skillTree": []})
    assert site.ok("GET", "/api/skills-by-account", sub=USER) == everyone


def test_the_seed_documents_experts_example_imports_as_written(site: Site) -> None:
    """The documented answer has leaves without "type" (and its UX node lacks a comma, fixed here)."""
    design, ux = str(uuid.uuid4()), str(uuid.uuid4())
    seed = [{"key": design, "type": "category", "displayName": "Design", "children": [
        {"key": ux, "type": "category", "displayName": "UX", "children": [
            {"key": "User Flows", "experts": ["3e63957f-c263-41cd-acda-748560232d49"]},
            {"key": "Wireframes", "experts": []},
            {"key": "Usability Testing", "experts": ["3e63957f-c263-41cd-acda-748560232d49"]}]}]}]
    stored = site.ok("PUT", TREE, json={"skillTree": seed})["skillTree"]
    assert stored == [{"key": design, "type": "category", "displayName": "Design", "children": [
        {"key": ux, "type": "category", "displayName": "UX", "children": [
            {"key": "User Flows", "type": "skill"}, {"key": "Wireframes", "type": "skill"},
            {"key": "Usability Testing", "type": "skill"}]}]}]


@pytest.mark.parametrize("kind", ["folder", {}, None, "", 0])
def test_an_unknown_node_type_is_still_refused(app: Flask, site: Site, kind: Any) -> None:
    before = snapshot(app)
    response = site.call("PUT", TREE, json={"skillTree": [{"key": "Go", "type": kind}]})
    assert response.status_code == 400 and "type" in " ".join(response.json["details"])
    assert snapshot(app) == before


def test_bad_input_is_named_before_permissions_are_asked(app: Flask, site: Site, fake_jira: Any) -> None:
    """The /api order (addon.api's docstring): authenticate, parse, authorize, act."""
    design, ux = build_seed_example(site)
    before, asked = snapshot(app), len(fake_jira.permission_calls())
    for method, url, body in [("PUT", TREE, {"skillTree": "no"}), ("POST", CATEGORIES, {"displayName": ""}),
                              ("PATCH", f"{CATEGORIES}/{ux}", {"position": -1}),
                              ("PUT", f"{CATEGORIES}/{ux}/skills", {"skills": [""]})]:
        response = site.call(method, url, sub=USER, json=body)
        assert response.status_code == 400, (method, url, response.get_data(as_text=True))
    assert len(fake_jira.permission_calls()) == asked
    assert snapshot(app) == before
