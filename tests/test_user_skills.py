"""The documented user-skill API through HTTP with signed tokens: the seed's examples and the contract's rules."""
from __future__ import annotations

import pytest

U1 = "3e63957f-c263-41cd-acda-748560232d49"
U2 = "63314adf8b75455be455c8a0"
U3 = "61a4ad9cf241500072f37d74"
ADMIN = "admin-0001"


@pytest.fixture
def tenant(jira):
    return jira.install("tenant-a", admins={ADMIN})


def put(jira, tenant, account, skills, sub=None, **kw):
    return jira.request(tenant, "PUT", f"/api/user-skills?accountId={account}", sub=sub or account,
                        json={"skills": skills}, **kw)


def get(jira, tenant, account, sub="viewer-1"):
    response = jira.request(tenant, "GET", f"/api/user-skills?accountId={account}", sub=sub)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["skills"]


def delete(jira, tenant, account, skills, sub=None):
    return jira.request(tenant, "DELETE", f"/api/user-skills?accountId={account}", sub=sub or account,
                        json={"skills": skills})


def all_skills(jira, tenant):
    response = jira.request(tenant, "GET", "/api/skills-by-account", sub="viewer-1")
    assert response.status_code == 200
    return response.json["skillsByAccountId"]


def seed_three_users(jira, tenant):
    assert put(jira, tenant, U1, ["Engineering - Beginner", "JavaScript", "HTML/CSS"]).status_code == 200
    assert put(jira, tenant, U2, ["Marketing - Competent", "Marketing - Expert", "English - Expert",
                                  "Social Media Marketing"]).status_code == 200
    assert put(jira, tenant, U3, ["QA - Competent", "Test Automation", "Selenium", "Python"]).status_code == 200


# --- The seed document's examples, exactly --------------------------------------------------------

def test_seed_get_user_skills(jira, tenant):
    put(jira, tenant, U1, ["Engineering - Beginner", "JavaScript", "HTML/CSS"])
    response = jira.request(tenant, "GET", f"/api/user-skills?accountId={U1}", sub="someone-else")
    assert response.json == {"skills": ["Engineering - Beginner", "JavaScript", "HTML/CSS"]}


def test_seed_add_user_skills(jira, tenant):
    put(jira, tenant, U1, ["Engineering - Beginner", "JavaScript"])
    response = put(jira, tenant, U1, ["Engineering - Beginner", "JavaScript", "HTML/CSS"])
    assert response.status_code == 200
    assert response.json == {"added": ["HTML/CSS"], "existing": ["Engineering - Beginner", "JavaScript"]}


def test_seed_remove_user_skills(jira, tenant):
    put(jira, tenant, U1, ["Engineering - Beginner", "JavaScript", "HTML/CSS"])
    response = delete(jira, tenant, U1, ["HTML/CSS", "Product Discovery"])
    assert response.status_code == 200
    assert response.json == {"removed": ["HTML/CSS"], "missing": ["Product Discovery"]}
    assert get(jira, tenant, U1) == ["Engineering - Beginner", "JavaScript"]


def test_seed_get_all_users_skills(jira, tenant):
    seed_three_users(jira, tenant)
    assert all_skills(jira, tenant) == {
        U1: ["Engineering - Beginner", "JavaScript", "HTML/CSS"],
        U2: ["Marketing - Competent", "Marketing - Expert", "English - Expert", "Social Media Marketing"],
        U3: ["QA - Competent", "Test Automation", "Selenium", "Python"],
    }


def test_seed_bulk_update(jira, tenant):
    seed_three_users(jira, tenant)
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": {
        U1: ["Engineering - Beginner"],
        U2: ["Marketing - Expert", "Marketing - Master", "English - Expert", "Social Media Marketing"]}})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"changes": {
        U1: {"added": [], "removed": ["JavaScript", "HTML/CSS"]},
        U2: {"added": ["Marketing - Master"], "removed": ["Marketing - Competent"]}}}
    assert all_skills(jira, tenant) == {
        U1: ["Engineering - Beginner"],
        U2: ["Marketing - Expert", "English - Expert", "Social Media Marketing", "Marketing - Master"],
        U3: ["QA - Competent", "Test Automation", "Selenium", "Python"],  # unlisted: untouched
    }


# --- Semantics ----------------------------------------------------------------------------------

def test_user_without_skills_gets_an_empty_list_and_is_left_out_of_all(jira, tenant):
    assert get(jira, tenant, "nobody-1") == []
    put(jira, tenant, U1, ["Go"])
    delete(jira, tenant, U1, ["Go"])
    assert all_skills(jira, tenant) == {}


def test_names_are_trimmed_compared_ignoring_case_and_first_spelling_kept(jira, tenant):
    assert put(jira, tenant, U1, ["  JavaScript  "]).json == {"added": ["JavaScript"], "existing": []}
    # Another user's spelling maps to the stored one.
    assert put(jira, tenant, U2, ["JAVASCRIPT", "python"]).json == {"added": ["JavaScript", "python"], "existing": []}
    assert put(jira, tenant, U1, ["javascript", "Python"]).json == {"added": ["python"], "existing": ["JavaScript"]}
    assert delete(jira, tenant, U1, ["PYTHON", "Rust"]).json == {"removed": ["python"], "missing": ["Rust"]}


def test_duplicates_in_a_request_count_once_in_request_order(jira, tenant):
    put(jira, tenant, U1, ["B"])
    response = put(jira, tenant, U1, ["C", "b", "A", "c", "B", "a"])
    assert response.json == {"added": ["C", "A"], "existing": ["B"]}
    assert get(jira, tenant, U1) == ["B", "C", "A"]
    assert delete(jira, tenant, U1, ["a", "x", "A", "X", "b"]).json == {"removed": ["A", "B"], "missing": ["x"]}


def test_bulk_lists_every_listed_account_and_removed_in_held_order(jira, tenant):
    put(jira, tenant, U1, ["A", "B", "C", "D"])
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": {
        U1: ["d", "E", "b", "E"], U2: [], U3: ["New"]}})
    assert response.json == {"changes": {U1: {"added": ["E"], "removed": ["A", "C"]},
                                         U2: {"added": [], "removed": []},
                                         U3: {"added": ["New"], "removed": []}}}
    assert get(jira, tenant, U1) == ["B", "D", "E"]


def test_bulk_empty_list_removes_all(jira, tenant):
    put(jira, tenant, U1, ["A", "B"])
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": {U1: []}})
    assert response.json == {"changes": {U1: {"added": [], "removed": ["A", "B"]}}}
    assert get(jira, tenant, U1) == []


def test_tenants_never_see_each_other(jira, tenant):
    other = jira.install("tenant-b", admins={ADMIN})
    put(jira, tenant, U1, ["Secret skill of A"])
    assert get(jira, other, U1) == []
    assert all_skills(jira, other) == {}
    put(jira, other, U1, ["secret skill of a"])
    assert get(jira, other, U1) == ["secret skill of a"]  # B's own first spelling
    assert get(jira, tenant, U1) == ["Secret skill of A"]


def test_limit_of_500_skills_a_user(jira, tenant):
    assert put(jira, tenant, U1, [f"skill {i}" for i in range(500)]).status_code == 200
    response = put(jira, tenant, U1, ["one too many"])
    assert response.status_code == 400 and response.json["error"] == "invalid_request"
    assert "500" in response.json["message"]
    assert len(get(jira, tenant, U1)) == 500
    assert put(jira, tenant, U1, ["skill 0", "SKILL 1"]).json == {"added": [], "existing": ["skill 0", "skill 1"]}


def test_more_than_500_in_one_request_is_413(jira, tenant):
    response = put(jira, tenant, U1, [f"s{i}" for i in range(501)])
    assert response.status_code == 413
    assert get(jira, tenant, U1) == []


def test_bulk_over_10000_accounts_is_413_and_changes_nothing(jira, tenant):
    put(jira, tenant, U1, ["Keep"])
    mapping = {f"acc-{i}": [] for i in range(10_001)}
    mapping[U1] = []
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": mapping})
    assert response.status_code == 413
    assert get(jira, tenant, U1) == ["Keep"]


def test_bulk_of_10000_accounts_is_applied(jira, tenant):
    mapping = {f"acc-{i}": [f"s{i % 50}", f"t{i % 7}"] for i in range(10_000)}
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": mapping})
    assert response.status_code == 200
    assert len(response.json["changes"]) == 10_000
    everything = all_skills(jira, tenant)
    assert len(everything) == 10_000 and everything["acc-123"] == ["s23", "t4"]


# --- Bad input: a 4xx JSON, nothing changed ----------------------------------------------------

BAD_SKILL_BODIES = [
    ({"skills": "HTML"}, 400), ({"skills": None}, 400), ({"skills": [1]}, 400), ({"skills": [""]}, 400),
    ({"skills": ["   "]}, 400), ({"skills": ["x" * 101]}, 400), ({"skills": ["bad\x00name"]}, 400),
    ({"skills": ["line\nbreak"]}, 400), ({"skills": [["nested"]]}, 400), ({}, 400), ({"skill": ["a"]}, 400),
    ({"skills": ["Py\u202ethon"]}, 400), ({"skills": ["Go\u200b"]}, 400), ({"skills": ["\ufeffRust"]}, 400),
    ([], 400), ("text", 400),
]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
@pytest.mark.parametrize("body,status", BAD_SKILL_BODIES)
def test_bad_skill_bodies(jira, tenant, method, body, status):
    put(jira, tenant, U1, ["Kept"])
    response = jira.request(tenant, method, f"/api/user-skills?accountId={U1}", sub=U1, json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"] and response.json["message"]
    assert get(jira, tenant, U1) == ["Kept"]


def test_look_alike_names_are_refused_and_joiners_kept(jira, tenant):
    response = put(jira, tenant, U1, ["Python", "Pyth\u200bon", "\u202enohtyP"])
    assert response.status_code == 400 and len(response.json["details"]) == 2
    assert all("invisible formatting characters" in detail for detail in response.json["details"])
    assert get(jira, tenant, U1) == []
    emoji = "\U0001f469\u200d\U0001f4bb"
    assert put(jira, tenant, U1, [emoji, "Python"]).json == {"added": [emoji, "Python"], "existing": []}


def test_one_bad_name_among_good_ones_changes_nothing(jira, tenant):
    response = put(jira, tenant, U1, ["Good", "", "Also good"])
    assert response.status_code == 400
    assert response.json["details"]
    assert get(jira, tenant, U1) == []


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_not_json_is_415_and_broken_json_400(jira, tenant, method):
    url = f"/api/user-skills?accountId={U1}"
    headers = jira.headers(tenant, method, url, sub=U1)
    r = jira.client.open(url, method=method, data="skills=a", headers={**headers, "Content-Type": "text/plain"})
    assert r.status_code == 415 and r.json["error"] == "unsupported_media_type"
    r = jira.client.open(url, method=method, data="{nope", headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json["error"] == "bad_request"


@pytest.mark.parametrize("query", ["", "?accountId=", "?accountId=has%20space", "?accountId=" + "a" * 129,
                                   "?accountId=%3Cscript%3E"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_bad_account_id(jira, tenant, query, method):
    response = jira.request(tenant, method, "/api/user-skills" + query, sub=U1, json={"skills": ["x"]})
    assert response.status_code == 400
    assert "accountId" in response.json["message"]
    assert all_skills(jira, tenant) == {}


@pytest.mark.parametrize("mapping", [
    [], "x", None, {"bad id!": ["a"]}, {U1: "a"}, {U1: [""]}, {U1: ["ok"], U2: ["x" * 101]}, {U1: [None]},
])
def test_bad_bulk_bodies_change_nothing(jira, tenant, mapping):
    put(jira, tenant, U1, ["Kept"])
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"skillsByAccountId": mapping})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert get(jira, tenant, U1) == ["Kept"]


def test_bulk_without_mapping_is_400(jira, tenant):
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json={"other": {}})
    assert response.status_code == 400


def test_body_over_5mb_is_413(jira, tenant):
    url = f"/api/user-skills?accountId={U1}"
    big = '{"skills": ["' + "a" * (5 * 1024 * 1024) + '"]}'
    response = jira.client.put(url, data=big, headers={**jira.headers(tenant, "PUT", url, sub=U1),
                                                       "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json["error"] == "payload_too_large"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_account_id_given_twice_is_refused(jira, tenant, method):
    put(jira, tenant, U1, ["Go"])
    url = f"/api/user-skills?accountId={U1}&accountId={U2}"
    response = jira.request(tenant, method, url, sub=ADMIN, json={"skills": ["Rust"]})
    assert response.status_code == 400 and response.json["error"] == "bad_request"
    assert "accountId" in response.json["message"]
    assert get(jira, tenant, U1) == ["Go"] and get(jira, tenant, U2) == []
