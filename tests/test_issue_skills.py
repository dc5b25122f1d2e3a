"""The skills an issue needs: GET/PUT /api/issue-skills, Jira's permissions on the issue, the issue
property mirror (written, refused, caught up), and deleted issues (Connect webhook)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from addon.extensions import db
from addon.models import IssueMirror, IssueSkill, Skill, TenantChange
from addon.models import Tenant as TenantRow

from .conftest import jira_token
from .issue_support import grant

ADMIN, ALICE, BOB = "acc-admin", "acc-alice", "acc-bob"
ISSUE = 10001
URL = f"/api/issue-skills?issueId={ISSUE}"


@pytest.fixture
def tenant(jira):
    return jira.install("tenant-a", admins={ADMIN})


@pytest.fixture
def site(fake_jira, tenant) -> dict[str, Any]:
    """Jira's side of tenant-a: ALICE may edit the issue, BOB may only browse it."""
    data = fake_jira.site_data("tenant-a")
    grant(data, ALICE, "BROWSE_PROJECTS", ISSUE)
    grant(data, ALICE, "EDIT_ISSUES", ISSUE)
    grant(data, BOB, "BROWSE_PROJECTS", ISSUE)
    return data


def tenant_id(app, client_key: str = "tenant-a") -> int:
    with app.app_context():
        return db.session.execute(select(TenantRow.id).where(TenantRow.client_key == client_key)).scalar_one()


def stored(app) -> list[tuple[Any, ...]]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(
            select(IssueSkill.tenant_id, IssueSkill.issue_id, Skill.name, IssueSkill.min_level, IssueSkill.position)
            .join(Skill, Skill.id == IssueSkill.skill_id).order_by(IssueSkill.tenant_id, IssueSkill.issue_id,
                                                                   IssueSkill.position))]


def owed(app) -> list[tuple[int, int]]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(select(IssueMirror.tenant_id, IssueMirror.issue_id))]


def issue_calls(fake, fragment: str) -> list[dict[str, Any]]:
    return [c for c in fake.calls if fragment in c["path"]]


def test_an_issue_with_no_skills_answers_an_empty_list(jira, tenant, site):
    response = jira.request(tenant, "GET", URL, sub=BOB)
    assert response.status_code == 200
    assert response.json == {"issueId": str(ISSUE), "skills": [], "searchable": True}


def test_put_replaces_the_list_joins_the_catalogue_and_writes_the_property(app, jira, tenant, site, fake_jira):
    assert jira.request(tenant, "PUT", "/api/user-skills?accountId=acc-x", sub="acc-x",
                        json={"skills": ["Python"]}).status_code == 200
    response = jira.request(tenant, "PUT", URL, sub=ALICE,
                            json={"skills": [{"name": "python", "minLevel": 2}, "Figma", {"name": "Go"}]})
    assert response.status_code == 200, response.get_data(as_text=True)
    expected = {"issueId": str(ISSUE), "searchable": True, "skills": [
        {"name": "Python", "minLevel": 2}, {"name": "Figma", "minLevel": None}, {"name": "Go", "minLevel": None}]}
    assert response.json == expected
    assert jira.request(tenant, "GET", URL, sub=BOB).json == expected
    # Names as stored, in the order given; the new names joined the catalogue.
    assert fake_jira.issue_property("tenant-a", ISSUE) == {"skills": ["Python", "Figma", "Go"]}
    tree = jira.request(tenant, "GET", "/api/skill-tree", sub=BOB).json["skillTree"]
    assert {node["key"] for node in tree} == {"Python", "Figma", "Go"}
    puts = [c for c in issue_calls(fake_jira, "/properties/required-skills") if c.get("method") == "PUT"]
    assert len(puts) == 1 and puts[0]["verified"]
    assert owed(app) == []

    # Replaced, not merged: the list becomes exactly the new one.
    response = jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["Go"]})
    assert response.json["skills"] == [{"name": "Go", "minLevel": None}]
    assert fake_jira.issue_property("tenant-a", ISSUE) == {"skills": ["Go"]}


def test_an_empty_list_deletes_the_property_and_a_404_means_already_gone(app, jira, tenant, site, fake_jira):
    assert jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["Go"]}).status_code == 200
    response = jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": []})
    assert response.json == {"issueId": str(ISSUE), "skills": [], "searchable": True}
    assert fake_jira.issue_property("tenant-a", ISSUE) is None
    deletes = [c for c in issue_calls(fake_jira, "/properties/") if c.get("method") == "DELETE"]
    assert len(deletes) == 1
    # Again: Jira answers 404 (no such property), which is as good as a delete.
    response = jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": []})
    assert response.json["searchable"] is True and owed(app) == []


def test_each_write_logs_an_issues_change_and_a_tree_change_only_for_new_names(app, jira, tenant, site):
    jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["Go"]})
    jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["go", {"name": "GO", "minLevel": None}]})
    with app.app_context():
        rows = db.session.execute(select(TenantChange.version, TenantChange.scope)
                                  .order_by(TenantChange.version, TenantChange.scope)).all()
    by_version: dict[int, set[str]] = {}
    for version, scope in rows:
        by_version.setdefault(version, set()).add(scope)
    assert list(by_version.values()) == [{"issues", "tree"}, {"issues"}]


@pytest.mark.parametrize("query", ["issueId=abc", "issueId=0", "issueId=01", "issueId=1234567890123456789",
                                   "issueId=-5", "issueId=1.5", "issueId=", "", "issueId=1&issueId=2"])
def test_a_bad_issue_id_is_a_400_and_asks_jira_nothing(jira, tenant, site, fake_jira, query):
    for method in ("GET", "PUT"):
        response = jira.request(tenant, method, f"/api/issue-skills?{query}".rstrip("?"), sub=ALICE,
                                json={"skills": ["Go"]})
        assert response.status_code == 400, (method, query, response.get_data(as_text=True))
        assert set(response.json) >= {"error", "message"}
    assert fake_jira.calls == []


BAD_BODIES = [({"skills": [f"S{i}" for i in range(21)]}, 413), ({"skills": "Go"}, 400), ({}, 400),
              ({"skills": ["Go"], "extra": 1}, 400),
              ({"skills": [{"name": "Go", "minLevel": 2}, {"name": "go", "minLevel": 3}]}, 400),
              ({"skills": [{"name": "Go", "level": 2}]}, 400), ({"skills": [{"minLevel": 2}]}, 400),
              ({"skills": [""]}, 400), ({"skills": [7]}, 400), ({"skills": ["Py\u202ethon"]}, 400)] + [
    ({"skills": [{"name": "Go", "minLevel": level}]}, 400) for level in (0, 5, 8, -1, "3", 2.5, True, [2])]


@pytest.mark.parametrize("body,status", BAD_BODIES)
def test_bad_skills_change_nothing_and_send_nothing(app, jira, tenant, site, fake_jira, body, status):
    assert jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["Kept"]}).status_code == 200
    fake_jira.calls.clear()
    response = jira.request(tenant, "PUT", URL, sub=ALICE, json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"] and response.json["message"]
    assert stored(app) == [(tenant_id(app), ISSUE, "Kept", None, 0)]
    assert fake_jira.calls == []


def test_twenty_entries_as_sent_are_allowed_and_a_repeated_name_counts_once(jira, tenant, site):
    names = [f"S{i}" for i in range(19)] + ["s0"]
    response = jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": names})
    assert response.status_code == 200
    assert [entry["name"] for entry in response.json["skills"]] == names[:19]


# ---------------------------------------------------------------------------------------------
# Who may

def test_a_user_jira_does_not_let_browse_the_issue_gets_403(app, jira, tenant, site, fake_jira):
    response = jira.request(tenant, "GET", URL, sub="acc-stranger")
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    checks = [c for c in fake_jira.permission_calls() if "projectPermissions" in (c.get("body") or {})]
    assert checks[0]["body"] == {"accountId": "acc-stranger",
                                 "projectPermissions": [{"permissions": ["BROWSE_PROJECTS"], "issues": [ISSUE]}]}


def test_a_browser_may_read_but_not_change(app, jira, tenant, site, fake_jira):
    assert jira.request(tenant, "GET", URL, sub=BOB).status_code == 200
    response = jira.request(tenant, "PUT", URL, sub=BOB, json={"skills": ["Go"]})
    assert response.status_code == 403
    assert stored(app) == [] and fake_jira.issue_property("tenant-a", ISSUE) is None


def test_jira_administrators_and_api_tokens_may_do_both(app, jira, tenant, site, fake_jira, client):
    assert jira.request(tenant, "PUT", URL, sub=ADMIN, json={"skills": ["Go"]}).status_code == 200
    token = jira.request(tenant, "POST", "/api/tokens", sub=ADMIN, json={"name": "sync"}).json["token"]
    fake_jira.calls.clear()
    response = client.put(URL, json={"skills": ["Rust"]}, headers={"Authorization": "Bearer " + token})
    assert response.status_code == 200 and response.json["skills"] == [{"name": "Rust", "minLevel": None}]
    assert fake_jira.permission_calls() == []  # an API token is never checked
    assert fake_jira.issue_property("tenant-a", ISSUE) == {"skills": ["Rust"]}
    assert client.get(URL, headers={"Authorization-Skills": token}).status_code == 200


def test_answers_of_the_permission_check_are_cached(jira, tenant, site, fake_jira):
    for _ in range(3):
        assert jira.request(tenant, "GET", URL, sub=BOB).status_code == 200
        assert jira.request(tenant, "GET", URL, sub="acc-stranger").status_code == 403
    checks = [c for c in fake_jira.permission_calls() if "projectPermissions" in (c.get("body") or {})]
    assert len(checks) == 2


@pytest.mark.parametrize("failure", [503, 500, 403, 401, "timeout"])
def test_when_jira_cannot_say_the_answer_is_503_with_retry_after_and_nothing_changes(
        app, another_app, jira, tenant, site, fake_jira, failure):
    quick = another_app(JIRA_TIMEOUT_SECONDS=0.5, JIRA_MAX_RETRIES=0).test_client()
    fake_jira.fail_on["/permissions/check"] = failure
    fake_jira.hang_seconds = 1.0
    for method in ("GET", "PUT"):
        headers = jira.headers(tenant, method, URL, sub=ALICE)
        response = quick.open(URL, method=method, json={"skills": ["Go"]}, headers=headers)
        assert response.status_code == 503, (method, response.get_data(as_text=True))
        assert response.headers["Retry-After"] and response.json["error"] == "service_unavailable"
    assert stored(app) == []


# ---------------------------------------------------------------------------------------------
# The mirror: refused, caught up by the next write and by sync-issue-properties

def sync(app) -> Any:
    return app.test_cli_runner().invoke(args=["sync-issue-properties"])


@pytest.mark.parametrize("failure", [403, 503, "timeout"])
def test_a_refused_write_stores_the_skills_unsearchable_and_the_next_write_catches_up(
        app, another_app, jira, tenant, site, fake_jira, failure):
    quick = another_app(JIRA_TIMEOUT_SECONDS=0.5, JIRA_MAX_RETRIES=0).test_client()
    fake_jira.fail_on["/properties/"] = failure
    fake_jira.hang_seconds = 1.0
    headers = jira.headers(tenant, "PUT", URL, sub=ALICE)
    response = quick.put(URL, json={"skills": ["Go", "Rust"]}, headers=headers)
    assert response.status_code == 200
    assert response.json == {"issueId": str(ISSUE), "searchable": False, "skills": [
        {"name": "Go", "minLevel": None}, {"name": "Rust", "minLevel": None}]}
    assert jira.request(tenant, "GET", URL, sub=BOB).json["searchable"] is False
    assert owed(app) == [(tenant_id(app), ISSUE)]
    # The feature works without JQL: the suggestions answer all the same.
    assert jira.request(tenant, "GET", f"/api/issue-skills/suggestions?issueId={ISSUE}", sub=BOB).status_code == 200

    fake_jira.fail_on.clear()
    response = jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["Rust"]})
    assert response.json["searchable"] is True
    assert fake_jira.issue_property("tenant-a", ISSUE) == {"skills": ["Rust"]}
    assert owed(app) == []


def test_sync_writes_every_owed_mirror_and_drops_issues_jira_no_longer_has(app, jira, tenant, site, fake_jira):
    grant(site, ALICE, "EDIT_ISSUES", 10002, 10003)
    fake_jira.fail_on["/properties/"] = 403  # a Connect install granted only READ
    for issue_id, skills in ((ISSUE, ["Go"]), (10002, []), (10003, ["Rust"])):
        response = jira.request(tenant, "PUT", f"/api/issue-skills?issueId={issue_id}", sub=ALICE,
                                json={"skills": skills})
        assert response.json["searchable"] is False
    fake_jira.site_data("tenant-a").setdefault("properties", {})["10002"] = {"skills": ["Stale"]}

    refused = sync(app)  # still refused: reported, and nothing is lost
    assert "refuses this app's writes" in refused.output and len(owed(app)) == 3

    fake_jira.fail_on.clear()
    site["deleted_issues"] = {"10003"}
    done = sync(app)
    assert done.exit_code == 0, done.output
    assert "tenant-a: written 2, dropped 1" in done.output
    assert owed(app) == []
    assert fake_jira.issue_property("tenant-a", ISSUE) == {"skills": ["Go"]}
    assert fake_jira.issue_property("tenant-a", 10002) is None
    assert stored(app) == [(tenant_id(app), ISSUE, "Go", None, 0)]  # 10003's skills dropped
    assert jira.request(tenant, "GET", URL, sub=BOB).json["searchable"] is True
    # Later runs write the settled ones again, which is how an issue gone with its project is found.
    assert sync(app).output.splitlines() == ["tenant-a: written 1",
                                             "sync-issue-properties: 1 tenants with issue skills, none failed."]


def test_sync_drops_the_skills_of_issues_deleted_with_their_project(app, jira, tenant, site, fake_jira):
    """Deleting a project sends no per-issue event: the sync finds its issues gone (404) and drops them."""
    grant(site, ALICE, "EDIT_ISSUES", 10002, 10003)
    for issue_id in (ISSUE, 10002, 10003):
        response = jira.request(tenant, "PUT", f"/api/issue-skills?issueId={issue_id}", sub=ALICE,
                                json={"skills": ["Go"]})
        assert response.json["searchable"] is True
    site["deleted_issues"] = {"10002", "10003"}
    done = sync(app)
    assert done.exit_code == 0 and "tenant-a: written 1, dropped 2" in done.output, done.output
    assert stored(app) == [(tenant_id(app), ISSUE, "Go", None, 0)] and owed(app) == []


def test_sync_checks_a_bounded_number_of_settled_issues_from_a_random_place(app, another_app, jira, tenant, site,
                                                                            fake_jira):
    grant(site, ALICE, "EDIT_ISSUES", *range(10002, 10006))
    for issue_id in range(10001, 10006):
        jira.request(tenant, "PUT", f"/api/issue-skills?issueId={issue_id}", sub=ALICE, json={"skills": ["Go"]})
    bounded = another_app(SYNC_CHECKS_PER_TENANT=2)
    seen: set[str] = set()
    for _ in range(12):
        fake_jira.calls.clear()
        assert bounded.test_cli_runner().invoke(args=["sync-issue-properties"]).exit_code == 0
        written = [c["path"].split("/issue/")[1].split("/")[0] for c in fake_jira.calls if "/properties/" in c["path"]]
        assert len(written) == 2
        seen.update(written)
    assert len(seen) > 2  # not always the same two: a run starts from a random issue


def test_sync_exits_non_zero_when_jira_cannot_be_reached_and_honours_429(app, jira, tenant, site, fake_jira):
    fake_jira.fail_on["/properties/"] = 503
    jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["Go"]})
    failed = sync(app)
    assert failed.exit_code == 1 and "unavailable 1" in failed.output
    fake_jira.fail_on.clear()
    fake_jira.throttle.extend(["999"])  # longer than the client may wait: this tenant's run stops
    throttled = sync(app)
    assert throttled.exit_code == 1 and "429" in throttled.output and owed(app)
    fake_jira.throttle.extend(["1"])  # waited out, then written
    assert sync(app).exit_code == 0 and owed(app) == []


def test_a_write_of_an_older_state_never_settles_a_newer_one(app, jira, tenant, site, fake_jira):
    """Two writes to Jira may land in either order: one of a state the store no longer holds settles
    nothing, and owes one more write, so that the store's state is the last Jira hears."""
    from addon.skills import issue_skills

    fake_jira.fail_on["/properties/"] = 503
    jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["Go"]})
    with app.app_context():
        old = issue_skills.mirror_of(db.session, tenant_id(app), ISSUE)  # read by a slow writer of ["Go"]
        db.session.rollback()
    fake_jira.fail_on.clear()
    jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["Rust"]})  # written and settled
    assert owed(app) == []
    with app.app_context():  # the slow write of ["Go"] lands now, after ["Rust"]'s
        assert issue_skills.mirror_written(db.session, tenant_id(app), old) is False
        db.session.commit()
    assert owed(app) == [(tenant_id(app), ISSUE)]
    assert sync(app).exit_code == 0 and owed(app) == []
    assert fake_jira.issue_property("tenant-a", ISSUE) == {"skills": ["Rust"]}


# ---------------------------------------------------------------------------------------------
# Deleted issues: Connect's webhook

HOOK = "/connect/webhooks/issue-deleted"


def test_the_issue_deleted_webhook_drops_the_issue_s_skills_idempotently(app, jira, tenant, site, client):
    jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["Go"]})
    jira.request(tenant, "PUT", "/api/issue-skills?issueId=10002", sub=ADMIN, json={"skills": ["Rust"]})
    body = {"webhookEvent": "jira:issue_deleted", "issue": {"id": str(ISSUE), "key": "PRJ-1"}}
    for _ in range(2):
        response = client.post(HOOK, json=body, headers=jira.headers(tenant, "POST", HOOK, sub=None))
        assert response.status_code == 204
    assert stored(app) == [(tenant_id(app), 10002, "Rust", None, 0)]


def test_a_forged_or_other_tenant_webhook_changes_nothing(app, jira, tenant, site, client):
    other = jira.install("tenant-b", admins={ADMIN})
    jira.request(tenant, "PUT", URL, sub=ALICE, json={"skills": ["Go"]})
    body = {"issue": {"id": str(ISSUE)}}
    before = stored(app)
    refused = [
        {},
        {"Authorization": "JWT " + jira_token("POST", HOOK, "tenant-a", "w" * 40)},
        {"Authorization": "JWT " + jira_token("POST", "/connect/webhooks/other", "tenant-a", tenant.secret)},
        {"Authorization": "JWT " + jira_token("POST", HOOK, "tenant-a", tenant.secret, context=True)},
        {"Authorization": "JWT " + jira_token("POST", HOOK, "tenant-a", tenant.secret, exp_in=-120)},
    ]
    for headers in refused:
        response = client.post(HOOK, json=body, headers=headers)
        assert response.status_code == 401 and response.json["error"] == "unauthorized"
    # tenant-b's own webhook for the same issue id reaches only tenant-b's data.
    assert client.post(HOOK, json=body, headers=jira.headers(other, "POST", HOOK, sub=None)).status_code == 204
    assert stored(app) == before


@pytest.mark.parametrize("body", [{}, {"issue": {}}, {"issue": {"id": "PRJ-1"}}, {"issue": {"id": True}}, [1]])
def test_a_webhook_naming_no_issue_is_a_400(app, jira, tenant, site, client, body):
    response = client.post(HOOK, json=body, headers=jira.headers(tenant, "POST", HOOK, sub=None))
    assert response.status_code == 400 and response.json["error"]
