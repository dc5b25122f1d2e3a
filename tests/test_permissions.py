"""Who may change what: self, Jira administrators (asked of Jira, signed), API tokens."""
from __future__ import annotations

import pytest

from .test_user_skills import ADMIN, U1, all_skills, get, put

BULK = "/api/skills-by-account"


@pytest.fixture
def tenant(jira):
    return jira.install("tenant-a", admins={ADMIN})


def test_self_edit_needs_no_jira_call(jira, tenant, fake_jira):
    assert put(jira, tenant, U1, ["Go"], sub=U1).status_code == 200
    assert fake_jira.permission_calls() == []


def test_other_users_skills_refused_for_non_admin(jira, tenant, fake_jira):
    put(jira, tenant, U1, ["Go"])
    for method in ("PUT", "DELETE"):
        response = jira.request(tenant, method, f"/api/user-skills?accountId={U1}", sub="colleague-7",
                                json={"skills": ["Go", "Rust"]})
        assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert get(jira, tenant, U1) == ["Go"]
    calls = fake_jira.permission_calls()
    assert calls and all(c["verified"] for c in calls)
    assert calls[0]["body"] == {"accountId": "colleague-7", "globalPermissions": ["ADMINISTER"]}


def test_admin_may_edit_others_and_the_answer_is_cached(jira, tenant, fake_jira):
    assert put(jira, tenant, U1, ["Go"], sub=ADMIN).status_code == 200
    assert put(jira, tenant, U1, ["Rust"], sub=ADMIN).status_code == 200
    assert get(jira, tenant, U1) == ["Go", "Rust"]
    assert len(fake_jira.permission_calls()) == 1


def test_bulk_refused_for_non_admin(jira, tenant):
    put(jira, tenant, U1, ["Go"])
    response = jira.request(tenant, "POST", BULK, sub=U1, json={"skillsByAccountId": {U1: []}})
    assert response.status_code == 403
    assert get(jira, tenant, U1) == ["Go"]


def test_anonymous_token_cannot_change_anything(jira, tenant):
    response = jira.request(tenant, "PUT", f"/api/user-skills?accountId={U1}", sub=None, json={"skills": ["Go"]})
    assert response.status_code == 403
    assert get(jira, tenant, U1) == []


def test_permission_check_honours_429_retry_after(jira, tenant, fake_jira):
    fake_jira.throttle = ["1"]
    response = put(jira, tenant, U1, ["Go"], sub=ADMIN)
    assert response.status_code == 200
    calls = fake_jira.permission_calls()
    assert len(calls) == 2 and all(c["verified"] for c in calls)


def test_jira_throttling_too_long_is_503_and_nothing_changes(jira, tenant, fake_jira):
    fake_jira.throttle = ["3600"]
    response = put(jira, tenant, U1, ["Go"], sub=ADMIN)
    assert response.status_code == 503 and response.json["error"] == "service_unavailable"
    assert get(jira, tenant, U1) == []


def test_jira_unreachable_is_503_never_allowed(jira, tenant, fake_jira):
    fake_jira.fail_with = 500
    response = jira.request(tenant, "POST", BULK, sub=ADMIN, json={"skillsByAccountId": {U1: ["Go"]}})
    assert response.status_code == 503
    assert all_skills(jira, tenant) == {}


def test_permission_call_with_wrong_secret_is_refused_by_jira(jira, tenant, fake_jira, app):
    """If we signed with the wrong secret, Jira (the fake) says 401 and we refuse with 503."""
    fake_jira.sites["tenant-a"]["secret"] = "a-different-secret-than-the-one-we-stored-xx"
    response = put(jira, tenant, U1, ["Go"], sub=ADMIN)
    assert response.status_code == 503
    assert [c["verified"] for c in fake_jira.permission_calls()] == [False]


def test_retry_after_parsing():
    from addon.jira import retry_after_seconds
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert 9 <= retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480) <= 11
