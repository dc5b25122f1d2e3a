"""Who should take the work: POST /api/match and GET /api/issue-skills/suggestions, ranked exactly as the
contract says, with open-issue counts from Jira for the answered people only."""
from __future__ import annotations

import time
from typing import Any

import pytest

from .issue_support import grant, set_levels
from .test_issue_skills import ADMIN, ALICE, BOB, ISSUE, tenant_id  # noqa: F401  (fixtures below)

CAROL, DAN, ERIN = "acc-carol", "acc-dan", "acc-erin"
SUGGEST = f"/api/issue-skills/suggestions?issueId={ISSUE}"


@pytest.fixture
def tenant(jira):
    return jira.install("tenant-a", admins={ADMIN})


@pytest.fixture
def people(app, jira, tenant) -> int:
    """Python, Go and Figma held at various levels (unrated where not set)."""
    holdings = {ALICE: ["Python", "Go"], BOB: ["Python", "Go", "Figma"], CAROL: ["Python"], DAN: ["Go", "Figma"],
                ERIN: ["Rust"]}
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN,
                            json={"skillsByAccountId": holdings})
    assert response.status_code == 200
    tid = tenant_id(app)
    set_levels(app, tid, ALICE, {"Python": 4, "Go": 2})
    set_levels(app, tid, BOB, {"Python": 2, "Go": 3})       # Figma unrated
    set_levels(app, tid, CAROL, {"Python": 3})
    set_levels(app, tid, DAN, {"Go": 4, "Figma": 1})
    return tid


def match(jira, tenant, body: dict[str, Any], sub: str = BOB) -> Any:
    response = jira.request(tenant, "POST", "/api/match", sub=sub, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def test_people_rank_by_skills_met_then_level_sum_then_account(jira, tenant, people):
    answer = match(jira, tenant, {"skills": [{"name": "python", "minLevel": 2}, "Go", "Figma"]})
    assert answer["skills"] == [{"name": "Python", "minLevel": 2}, {"name": "Go", "minLevel": None},
                                {"name": "Figma", "minLevel": None}]
    assert answer["people"] == [
        # 3 met: 2 + 3 + 0 (unrated counts 0)
        {"accountId": BOB, "covers": 3, "missing": [], "levels": {"Python": 2, "Go": 3, "Figma": None},
         "openIssues": None},
        # 2 met: ALICE 4 + 2 = 6, DAN 4 + 1 = 5
        {"accountId": ALICE, "covers": 2, "missing": ["Figma"], "levels": {"Python": 4, "Go": 2}, "openIssues": None},
        {"accountId": DAN, "covers": 2, "missing": ["Python"], "levels": {"Go": 4, "Figma": 1}, "openIssues": None},
        {"accountId": CAROL, "covers": 1, "missing": ["Go", "Figma"], "levels": {"Python": 3}, "openIssues": None},
    ]  # ERIN meets none: left out


def test_an_unrated_holding_meets_only_a_null_minimum_and_levels_show_unmet_holdings(jira, tenant, people):
    answer = match(jira, tenant, {"skills": [{"name": "Figma", "minLevel": 1}, {"name": "Go", "minLevel": 3}]})
    by_account = {p["accountId"]: p for p in answer["people"]}
    # BOB holds Figma unrated: it does not meet minLevel 1, but his level (null) is shown.
    assert by_account[BOB] == {"accountId": BOB, "covers": 1, "missing": ["Figma"],
                               "levels": {"Figma": None, "Go": 3}, "openIssues": None}
    assert by_account[DAN]["covers"] == 2
    assert ALICE not in by_account  # Go at 2 < 3, and no Figma
    assert [p["accountId"] for p in answer["people"]] == [DAN, BOB]


def test_equal_people_order_by_account_id(jira, tenant, people):
    # Each meets one: DAN's Figma at 1, then BOB's unrated Figma and ERIN's unrated Rust, both 0.
    answer = match(jira, tenant, {"skills": ["Rust", "Figma"]})
    assert [(p["accountId"], p["covers"]) for p in answer["people"]] == [(DAN, 1), (BOB, 1), (ERIN, 1)]
    # Level sums: ALICE 4 > CAROL 3 > BOB 2 > ERIN 0 (unrated)
    answer = match(jira, tenant, {"skills": ["Rust", {"name": "Python", "minLevel": 1}]})
    assert [p["accountId"] for p in answer["people"]] == [ALICE, CAROL, BOB, ERIN]


def test_limit_and_exclude(jira, tenant, people):
    answer = match(jira, tenant, {"skills": ["Python", "Go", "Figma"], "limit": 2, "exclude": [BOB]})
    assert [p["accountId"] for p in answer["people"]] == [ALICE, DAN]


def test_a_skill_no_one_knows_is_missing_for_everyone_and_joins_nothing(app, jira, tenant, people):
    answer = match(jira, tenant, {"skills": ["Cobol", "Rust"]})
    assert answer["skills"] == [{"name": "Cobol", "minLevel": None}, {"name": "Rust", "minLevel": None}]
    assert answer["people"] == [{"accountId": ERIN, "covers": 1, "missing": ["Cobol"], "levels": {"Rust": None},
                                 "openIssues": None}]
    tree = jira.request(tenant, "GET", "/api/skill-tree", sub=BOB).json["skillTree"]
    assert "Cobol" not in {node["key"] for node in tree}
    assert match(jira, tenant, {"skills": ["Cobol"]})["people"] == []


@pytest.mark.parametrize("body", [
    {}, {"skills": []}, {"skills": [f"S{i}" for i in range(21)]}, {"skills": "Go"},
    {"skills": ["Go"], "limit": 0}, {"skills": ["Go"], "limit": 51}, {"skills": ["Go"], "limit": "5"},
    {"skills": ["Go"], "limit": True}, {"skills": ["Go"], "limit": 2.5},
    {"skills": ["Go"], "exclude": "acc-x"}, {"skills": ["Go"], "exclude": ["bad id!"]},
    {"skills": ["Go"], "exclude": [f"acc-{i}" for i in range(201)]}, {"skills": ["Go"], "exclude": [5]},
    {"skills": [{"name": "Go", "minLevel": 5}]}, {"skills": ["Go"], "other": 1},
    {"skills": ["Go"], "limit": None}, {"skills": ["Go"], "exclude": None},
])
def test_bad_match_input_is_a_4xx(jira, tenant, people, fake_jira, body):
    response = jira.request(tenant, "POST", "/api/match", sub=BOB, json=body)
    assert response.status_code in (400, 413), (body, response.get_data(as_text=True))
    assert response.json["error"] and response.json["message"]


def test_exactly_twenty_skills_and_two_hundred_excluded_are_accepted(jira, tenant, people):
    answer = match(jira, tenant, {"skills": ["Python"] + [f"S{i}" for i in range(19)], "limit": 50,
                                  "exclude": [f"acc-{i}" for i in range(199)] + [ALICE]})
    assert [p["accountId"] for p in answer["people"]] == [CAROL, BOB]  # Python at 3, then at 2


# ---------------------------------------------------------------------------------------------
# Suggestions: the issue's skills, with each answered person's open issues from Jira

@pytest.fixture
def issue(app, jira, tenant, people, fake_jira) -> dict[str, Any]:
    site = fake_jira.site_data("tenant-a")
    grant(site, BOB, "BROWSE_PROJECTS", ISSUE)
    assert jira.request(tenant, "PUT", f"/api/issue-skills?issueId={ISSUE}", sub=ADMIN,
                        json={"skills": ["Python", "Go"]}).status_code == 200
    return site


def count_calls(fake_jira) -> list[dict[str, Any]]:
    return [c for c in fake_jira.calls if c["path"].endswith("/rest/api/3/search/approximate-count")]


def test_suggestions_fill_open_issues_and_fewer_come_first_among_equals(jira, tenant, issue, fake_jira):
    issue["open_issues"] = {ALICE: 7, BOB: 2, CAROL: 0, DAN: 1}
    response = jira.request(tenant, "GET", SUGGEST, sub=BOB)
    assert response.status_code == 200, response.get_data(as_text=True)
    people = response.json["people"]
    assert [(p["accountId"], p["covers"], p["openIssues"]) for p in people] == [
        (ALICE, 2, 7), (BOB, 2, 2), (DAN, 1, 1), (CAROL, 1, 0)]
    # ALICE (4 + 2) before BOB (2 + 3), DAN (Go 4) before CAROL (Python 3): unequal level sums decide,
    # not the workload.
    jqls = sorted(c["body"]["jql"] for c in count_calls(fake_jira))
    assert jqls == sorted(f'assignee = "{a}" AND resolution = EMPTY' for a in (ALICE, BOB, CAROL, DAN))


def test_workload_breaks_ties_of_covers_and_level_sum(app, jira, tenant, issue, fake_jira):
    set_levels(app, tenant_id(app), BOB, {"Python": 3})  # BOB 3 + 3 = 6 = ALICE's 4 + 2
    issue["open_issues"] = {ALICE: 7, BOB: 2}
    people = jira.request(tenant, "GET", SUGGEST + "&limit=2", sub=BOB).json["people"]
    assert [(p["accountId"], p["openIssues"]) for p in people] == [(BOB, 2), (ALICE, 7)]
    assert len(count_calls(fake_jira)) == 2  # at most `limit` counts asked


def test_counts_are_cached_and_a_failure_leaves_null_and_answers_200(jira, tenant, issue, fake_jira):
    issue["open_issues"] = {ALICE: 7}
    fake_jira.fail_on["/approximate-count"] = 500
    people = jira.request(tenant, "GET", SUGGEST, sub=BOB).json["people"]
    assert [p["openIssues"] for p in people] == [None, None, None, None]
    fake_jira.fail_on.clear()
    jira.request(tenant, "GET", SUGGEST, sub=BOB)
    asked = len(count_calls(fake_jira))
    people = jira.request(tenant, "GET", SUGGEST, sub=BOB).json["people"]
    assert people[0]["openIssues"] == 7 and len(count_calls(fake_jira)) == asked  # from the cache


def test_a_jira_that_hangs_costs_at_most_its_short_timeout_not_one_per_person(another_app, jira, tenant, issue,
                                                                               fake_jira):
    quick = another_app(OPEN_ISSUES_TIMEOUT_SECONDS=0.5).test_client()
    fake_jira.fail_on["/approximate-count"] = "timeout"
    fake_jira.hang_seconds = 1.5
    started = time.monotonic()
    response = quick.get(SUGGEST, headers=jira.headers(tenant, "GET", SUGGEST, sub=BOB))
    took = time.monotonic() - started
    assert response.status_code == 200 and [p["openIssues"] for p in response.json["people"]] == [None] * 4
    assert took < 1.4, took  # four counts in parallel, each bounded by 0.5 s: not four hangs in a row


def test_an_issue_without_skills_suggests_no_one_and_asks_jira_nothing_more(jira, tenant, people, fake_jira):
    grant(fake_jira.site_data("tenant-a"), BOB, "BROWSE_PROJECTS", 10009)
    response = jira.request(tenant, "GET", "/api/issue-skills/suggestions?issueId=10009", sub=BOB)
    assert response.json == {"skills": [], "people": []}
    assert count_calls(fake_jira) == []


@pytest.mark.parametrize("query", ["limit=0", "limit=51", "limit=x", "limit=", "limit=1&limit=2"])
def test_a_bad_limit_is_a_400(jira, tenant, issue, query):
    url = f"{SUGGEST}&{query}"
    assert jira.request(tenant, "GET", url, sub=BOB).status_code == 400


def test_suggestions_need_browse_permission(jira, tenant, issue, fake_jira):
    response = jira.request(tenant, "GET", SUGGEST, sub="acc-stranger")
    assert response.status_code == 403
    assert count_calls(fake_jira) == []
