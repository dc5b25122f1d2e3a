"""Issue skills for Forge callers: Jira's permissions and the property through the app system token, the
sync command for a Forge-only site, and deleted issues through POST /forge/events."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from addon.extensions import db
from addon.models import ForgeInstallation, IssueSkill

from tests.issue_support import grant

ADMIN, ALICE, BOB = "acc-admin", "acc-alice", "acc-bob"
ISSUE = 10001
URL = f"/api/issue-skills?issueId={ISSUE}"
DELETED = "avi:jira:deleted:issue"


@pytest.fixture
def site(forge, fake_jira):
    made = forge.site(admins={ADMIN})
    data = fake_jira.site_data(made.cloud_id)
    grant(data, ALICE, "BROWSE_PROJECTS", ISSUE, 10002)
    grant(data, ALICE, "EDIT_ISSUES", ISSUE, 10002)
    return made


def issue_rows(app) -> list[tuple[int, str]]:
    with app.app_context():
        return sorted((r.issue_id, r.skill_id) for r in db.session.execute(select(IssueSkill.issue_id, IssueSkill.skill_id)))


def stored_token(app, site) -> str | None:
    with app.app_context():
        return db.session.execute(select(ForgeInstallation.system_token).where(
            ForgeInstallation.installation_id == site.installation_id)).scalar_one()


def test_a_fit_caller_edits_an_issue_through_the_system_token(app, client, forge, site, fake_jira):
    response = client.put(URL, json={"skills": [{"name": "Go", "minLevel": 3}]}, headers=forge.headers(site, ALICE))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"issueId": str(ISSUE), "skills": [{"name": "Go", "minLevel": 3}], "searchable": True}
    assert fake_jira.issue_property(site.cloud_id, ISSUE) == {"skills": ["Go"]}
    calls = [c for c in fake_jira.calls if c["site"] == site.cloud_id]
    assert calls and all(c["verified"] and c["token"] == site.system_token for c in calls)
    assert stored_token(app, site) == site.system_token  # Jira accepted it: kept for calls without one
    assert client.get(URL, headers=forge.headers(site, BOB)).status_code == 403
    assert client.put(URL, json={"skills": []}, headers=forge.headers(site, ADMIN)).status_code == 200


def test_a_refused_forge_write_is_caught_up_by_sync_for_a_forge_only_site(app, client, forge, site, fake_jira):
    forge.event(site, "avi:forge:installed:app")  # Forge's own event stores its system token
    fake_jira.fail_on["/properties/"] = 503
    response = client.put(URL, json={"skills": ["Rust"]}, headers=forge.headers(site, ALICE))
    assert response.json["searchable"] is False
    fake_jira.fail_on.clear()
    result = app.test_cli_runner().invoke(args=["sync-issue-properties"])
    assert result.exit_code == 0, result.output
    assert f"site {site.cloud_id}: written 1" in result.output
    assert fake_jira.issue_property(site.cloud_id, ISSUE) == {"skills": ["Rust"]}
    assert client.get(URL, headers=forge.headers(site, ALICE)).json["searchable"] is True


def test_a_deleted_issue_event_drops_its_skills_once_whatever_the_retries(app, client, forge, site):
    for issue_id in (ISSUE, 10002):
        client.put(f"/api/issue-skills?issueId={issue_id}", json={"skills": ["Go"]}, headers=forge.headers(site, ALICE))
    event = {"eventType": DELETED, "issue": {"id": str(ISSUE), "key": "PRJ-1"}, "atlassianId": ALICE}
    assert forge.product_event(site, event).status_code == 204
    assert forge.product_event(site, event, retry=1).status_code == 204  # Forge's redelivery, wrapped
    assert [issue for issue, _ in issue_rows(app)] == [10002]
    wrapped = forge.product_event(site, {**event, "issue": {"id": "10002"}}, retry=2)
    assert wrapped.status_code == 204 and issue_rows(app) == []


def test_a_page_s_token_or_a_bad_event_changes_nothing(app, client, forge, site):
    client.put(URL, json={"skills": ["Go"]}, headers=forge.headers(site, ALICE))
    before = issue_rows(app)
    event = {"eventType": DELETED, "issue": {"id": str(ISSUE)}}
    # A FIT with a principal or a context is a page's call, never an event Forge sent.
    assert forge.product_event(site, event, principal=ALICE).status_code == 401
    assert forge.product_event(site, event, ui=True).status_code == 401
    assert client.post("/forge/events", json=event).status_code == 401
    for bad in ({"eventType": DELETED}, {"eventType": DELETED, "issue": {"id": "PRJ-1"}}, {"issue": {"id": "1"}},
                {"payload": [1]}):
        assert forge.product_event(site, bad).status_code == 400, bad
    # Another installation's event reaches only its own site's data.
    other = forge.site(admins={ADMIN})
    forge.event(other, "avi:forge:installed:app")
    assert forge.product_event(other, event).status_code == 204
    # Events this route does not handle are acknowledged and ignored.
    assert forge.product_event(site, {"eventType": "avi:jira:updated:issue", "issue": {"id": str(ISSUE)}}).status_code == 204
    assert issue_rows(app) == before


def test_an_event_of_an_unknown_or_uninstalled_installation_is_ignored(app, client, forge, site):
    client.put(URL, json={"skills": ["Go"]}, headers=forge.headers(site, ALICE))
    stranger = forge.site()
    event = {"eventType": DELETED, "issue": {"id": str(ISSUE)}}
    assert forge.product_event(stranger, event).status_code == 204
    forge.event(site, "avi:forge:uninstalled:app")
    assert forge.product_event(site, event).status_code == 204
    assert len(issue_rows(app)) == 1


@pytest.mark.parametrize("failure", [503, 403])
def test_when_forge_s_jira_cannot_say_the_answer_is_503_and_nothing_changes(app, client, forge, site, fake_jira,
                                                                          failure):
    fake_jira.fail_on["/permissions/check"] = failure
    for method in ("GET", "PUT"):
        response = client.open(URL, method=method, json={"skills": ["Go"]}, headers=forge.headers(site, ALICE))
        assert response.status_code == 503 and response.headers["Retry-After"], response.get_data(as_text=True)
    assert issue_rows(app) == []


def test_a_forge_write_refused_by_jira_is_caught_up_by_the_next_write(app, client, forge, site, fake_jira):
    fake_jira.fail_on["/properties/"] = 403
    assert client.put(URL, json={"skills": ["Go"]}, headers=forge.headers(site, ALICE)).json["searchable"] is False
    assert fake_jira.issue_property(site.cloud_id, ISSUE) is None
    fake_jira.fail_on.clear()
    response = client.put(URL, json={"skills": ["Go", "Rust"]}, headers=forge.headers(site, ALICE))
    assert response.json["searchable"] is True
    assert fake_jira.issue_property(site.cloud_id, ISSUE) == {"skills": ["Go", "Rust"]}


def test_a_forge_caller_gets_suggestions_with_open_issues_from_its_site(app, client, forge, site, fake_jira):
    for account in (ALICE, BOB):
        client.put(f"/api/user-skills?accountId={account}", json={"skills": ["Go"]}, headers=forge.headers(site, account))
    client.put(URL, json={"skills": ["Go"]}, headers=forge.headers(site, ALICE))
    fake_jira.site_data(site.cloud_id)["open_issues"] = {ALICE: 4, BOB: 1}
    response = client.get(f"/api/issue-skills/suggestions?issueId={ISSUE}", headers=forge.headers(site, ALICE))
    assert [(p["accountId"], p["openIssues"]) for p in response.json["people"]] == [(BOB, 1), (ALICE, 4)]
    counts = [c for c in fake_jira.calls if c["path"].endswith("/search/approximate-count")]
    assert len(counts) == 2 and all(c["site"] == site.cloud_id and c["verified"] for c in counts)
