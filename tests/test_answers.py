"""Whole-tenant answers cached per process: served only while true, on every process, per tenant."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from addon.skills.answer_cache import AnswerCache

from .conftest import JiraActions, recorded_statements

ADMIN = "acc-admin"
ALICE = "3e63957f-c263-41cd-acda-748560232d49"
BOB = "63314adf8b75455be455c8a0"
BY_ACCOUNT = "/api/skills-by-account"
EXPERTS = "/api/skill-tree/experts"
CATEGORIES = "/api/skill-tree/categories"
LEVELS = "/api/skill-levels-by-account"


class Process:
    """Requests to one app process, signed as Jira signs them."""

    def __init__(self, app: Flask, jira: JiraActions, tenant: Any) -> None:
        self.app, self.client, self.jira, self.tenant = app, app.test_client(), jira, tenant

    def call(self, method: str, url: str, status: int = 200, sub: str = ADMIN, **kwargs: Any) -> Any:
        headers = self.jira.headers(self.tenant, method, url, sub=sub)
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        assert response.status_code == status, response.get_data(as_text=True)
        return response

    def by_account(self) -> dict[str, list[str]]:
        return self.call("GET", BY_ACCOUNT, sub=ALICE).get_json()["skillsByAccountId"]

    def experts(self) -> dict[str, list[str]]:
        """skill name -> experts, wherever the skill sits in the tree."""
        found: dict[str, list[str]] = {}

        def walk(nodes: list[dict[str, Any]]) -> None:
            for node in nodes:
                if node["type"] == "skill":
                    found[node["key"]] = node["experts"]
                else:
                    walk(node["children"])

        walk(self.call("GET", EXPERTS, sub=ALICE).get_json()["experts"])
        return found

    def categories(self) -> list[str]:
        return [n["displayName"] for n in self.call("GET", EXPERTS, sub=ALICE).get_json()["experts"]
                if n["type"] == "category"]


@pytest.fixture
def tenant(jira: JiraActions) -> Any:
    return jira.install("tenant-a", admins={ADMIN})


@pytest.fixture
def reader(app: Flask, jira: JiraActions, tenant: Any) -> Process:
    return Process(app, jira, tenant)


@pytest.fixture
def writer(another_app: Any, jira: JiraActions, tenant: Any) -> Process:
    """Another process on the same database: its writes must reach the reader's cached answers."""
    return Process(another_app(), jira, tenant)




def test_every_kind_of_user_skill_write_on_another_process_is_seen_at_once(reader: Process, writer: Process) -> None:
    assert reader.by_account() == {} and reader.experts() == {}
    writer.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["Python", "SQL"]})
    assert reader.by_account() == {ALICE: ["Python", "SQL"]}
    assert reader.experts() == {"Python": [ALICE], "SQL": [ALICE]}

    writer.call("DELETE", f"/api/user-skills?accountId={ALICE}", json={"skills": ["SQL"]})
    assert reader.by_account() == {ALICE: ["Python"]}
    assert reader.experts() == {"Python": [ALICE], "SQL": []}

    writer.call("POST", BY_ACCOUNT, json={"skillsByAccountId": {ALICE: [], BOB: ["Go", "Python"]}})
    assert reader.by_account() == {BOB: ["Go", "Python"]}
    assert reader.experts() == {"Python": [BOB], "SQL": [], "Go": [BOB]}


def test_every_kind_of_tree_change_on_another_process_is_seen_at_once(reader: Process, writer: Process) -> None:
    writer.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["Python"]})
    assert reader.categories() == []

    key = writer.call("POST", CATEGORIES, status=201, json={"displayName": "Languages"}).get_json()["key"]
    assert reader.categories() == ["Languages"]

    writer.call("PUT", f"{CATEGORIES}/{key}/skills", json={"skills": ["Python", "Rust"]})
    placed = reader.call("GET", EXPERTS, sub=ALICE).get_json()["experts"][0]["children"]
    assert [(n["key"], n["experts"]) for n in placed] == [("Python", [ALICE]), ("Rust", [])]

    writer.call("PATCH", f"{CATEGORIES}/{key}", json={"displayName": "Programming"})
    assert reader.categories() == ["Programming"]

    writer.call("DELETE", f"{CATEGORIES}/{key}", status=204)
    assert reader.categories() == [] and reader.experts() == {"Python": [ALICE], "Rust": []}

    writer.call("PUT", "/api/skill-tree", json={"skillTree": [
        {"type": "category", "displayName": "Data", "children": [{"key": "SQL", "type": "skill"}]}]})
    assert reader.categories() == ["Data"]


def test_every_kind_of_level_write_on_another_process_is_seen_at_once(reader: Process, writer: Process) -> None:
    def levels() -> dict[str, list[tuple[str, Any]]]:
        answer = reader.call("GET", LEVELS, sub=BOB).get_json()["levelsByAccountId"]
        return {account: [(e["name"], e["level"]) for e in held] for account, held in answer.items()}

    def experts_of(skill: str) -> tuple[list[str], dict[str, Any]]:
        answer = reader.call("GET", f"/api/skill-tree/skill-experts?skill={skill}", sub=BOB).get_json()
        return answer["experts"], answer["levels"]

    assert levels() == {} and reader.call("GET", "/api/levels").get_json()["expertLevel"] == 3
    writer.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["Python", "SQL"]})
    writer.call("PUT", f"/api/user-skills?accountId={BOB}", json={"skills": ["Python"]})
    assert levels() == {ALICE: [("Python", None), ("SQL", None)], BOB: [("Python", None)]}

    writer.call("PATCH", f"/api/user-skill-levels?accountId={BOB}", json={"levels": {"Python": 4}})
    assert levels()[BOB] == [("Python", 4)]
    assert experts_of("Python") == ([BOB, ALICE], {ALICE: None, BOB: 4})
    assert reader.call("GET", f"/api/user-skill-levels?accountId={BOB}").get_json()["skills"] == [
        {"name": "Python", "level": 4}]

    writer.call("POST", LEVELS, json={"levelsByAccountId": {ALICE: [{"name": "Python", "level": 3},
                                                                    {"name": "Go", "level": 1}]}})
    assert levels() == {ALICE: [("Python", 3), ("Go", 1)], BOB: [("Python", 4)]}

    writer.call("PUT", "/api/levels", json={"levels": [{"name": "Junior"}, {"name": "Senior"}], "expertLevel": 2})
    assert reader.call("GET", "/api/levels").get_json() == {
        "levels": [{"level": 1, "name": "Junior", "description": ""}, {"level": 2, "name": "Senior", "description": ""}],
        "expertLevel": 2}
    assert levels() == {ALICE: [("Python", 2), ("Go", 1)], BOB: [("Python", 2)]}
    assert experts_of("Python") == ([ALICE, BOB], {ALICE: 2, BOB: 2})

    writer.call("PUT", f"/api/user-skills?accountId={BOB}", json={"skills": ["Go - Senior"]})
    writer.call("POST", "/api/levels/split-suffixes", json={"apply": True})
    assert levels() == {ALICE: [("Python", 2), ("Go", 1)], BOB: [("Python", 2), ("Go", 2)]}
    assert experts_of("Go") == ([BOB, ALICE], {ALICE: 1, BOB: 2})


def test_an_unchanged_answer_is_served_from_memory_after_one_version_read(reader: Process, writer: Process) -> None:
    writer.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["Python", "SQL"]})
    first = {url: reader.call("GET", url, sub=ALICE).get_data() for url in (BY_ACCOUNT, EXPERTS, LEVELS)}
    for url in (BY_ACCOUNT, EXPERTS, LEVELS):
        with recorded_statements(reader.app) as seen:
            again = reader.call("GET", url, sub=ALICE).get_data()
        assert again == first[url]
        assert len(seen) == 1 and "data_version" in seen[0], seen
    # The same bytes another process builds afresh: caching changes nothing a caller can see.
    for url in (BY_ACCOUNT, EXPERTS, LEVELS):
        assert writer.call("GET", url, sub=ALICE).get_data() == first[url]


def test_a_failed_write_leaves_the_answer_valid_and_the_cache_in_use(reader: Process, writer: Process) -> None:
    writer.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["Python"]})
    before = reader.call("GET", BY_ACCOUNT, sub=ALICE).get_data()
    writer.call("POST", BY_ACCOUNT, status=400, json={"skillsByAccountId": {ALICE: ["ok"], BOB: [""]}})
    with recorded_statements(reader.app) as seen:
        assert reader.call("GET", BY_ACCOUNT, sub=ALICE).get_data() == before
    assert len(seen) == 1


def test_tenants_never_see_each_others_cached_answers(app: Flask, jira: JiraActions, tenant: Any) -> None:
    a = Process(app, jira, tenant)
    b = Process(app, jira, jira.install("tenant-b", admins={ADMIN}))
    a.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["A only"]})
    assert a.by_account() == {ALICE: ["A only"]} and a.experts() == {"A only": [ALICE]}
    assert b.by_account() == {} and b.experts() == {}
    b.call("PUT", f"/api/user-skills?accountId={ALICE}", json={"skills": ["B only"]})
    assert a.by_account() == {ALICE: ["A only"]} and b.by_account() == {ALICE: ["B only"]}


def test_cache_is_bounded_least_recently_used_first_out() -> None:
    cache = AnswerCache(max_bytes=10)
    cache.put("a", 1, "aaaa")
    cache.put("b", 1, "bbbb")
    assert cache.get("a", 1) == "aaaa"  # now b is the least recently used
    cache.put("c", 1, "cccc")
    assert cache.get("b", 1) is None and cache.get("a", 1) == "aaaa" and cache.get("c", 1) == "cccc"
    assert cache.get("a", 2) is None  # another version is another answer
    cache.put("a", 2, "AA")
    assert cache.get("a", 1) is None and cache.get("a", 2) == "AA"
    cache.put("huge", 1, "x" * 11)  # larger than the whole cache: not kept, nothing evicted for it
    assert cache.get("huge", 1) is None and cache.get("c", 1) == "cccc"
