"""Personal-data reporting: `flask report-accounts` against the fake Jira, which checks every call's JWT."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from typing import Any, Iterator

import pytest

from addon.extensions import db
from addon.models import ApiToken, Tenant, UserSkill
from addon.database import as_utc as aware
from addon.privacy import BearerReporter, ReportFailed, parse_cycle_period

from .loopback import LoopbackServer, answer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN = "admin-1"
ACCOUNTS = [f"acc-{i:03d}" for i in range(95)]  # two batches: 90 and 5


def seed(jira, tenant, accounts=ACCOUNTS) -> None:
    body = {"skillsByAccountId": {a: ["Python", f"Skill {a}"] for a in accounts}}
    response = jira.request(tenant, "POST", "/api/skills-by-account", sub=ADMIN, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)


def holders(app, client_key: str) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            db.select(UserSkill.account_id, db.func.count()).join(Tenant, Tenant.id == UserSkill.tenant_id)
            .where(Tenant.client_key == client_key).group_by(UserSkill.account_id)).all()
        return dict(rows)


def tenant_row(app, client_key: str) -> Tenant:
    with app.app_context():
        row = db.session.execute(db.select(Tenant).where(Tenant.client_key == client_key)).scalar_one()
        db.session.expunge(row)
        return row


def report_calls(fake) -> list[dict[str, Any]]:
    return [c for c in fake.calls if c["path"].endswith("/rest/atlassian-connect/latest/report-accounts")]


def run(app):
    return app.test_cli_runner().invoke(args=["report-accounts"])


def test_report_erases_closed_accounts_and_honours_429_and_cycle_period(app, jira, fake_jira):
    tenant = jira.install("tenant-a", admins={ADMIN})
    seed(jira, tenant)
    before = jira.request(tenant, "GET", "/api/skills-by-account").get_json()["skillsByAccountId"]
    assert "acc-003" in before and "acc-091" in before  # the whole-tenant answer is now cached
    version = tenant_row(app, "tenant-a").data_version
    fake_jira.closed_accounts = {"acc-003", "acc-091", "someone-we-never-sent"}
    fake_jira.updated_accounts = {"acc-005"}
    fake_jira.throttle = ["1"]  # one 429 with Retry-After: 1, then the answers
    fake_jira.cycle_period = "14"
    started = datetime.now(timezone.utc)

    result = run(app)

    assert result.exit_code == 0, result.output
    calls = report_calls(fake_jira)
    assert len(calls) == 3 and all(c["verified"] for c in calls)  # the fake checked each JWT and qsh
    batches = [c["body"]["accounts"] for c in calls if "body" in c]
    assert [len(b) for b in batches] == [90, 5]
    assert sorted(a["accountId"] for b in batches for a in b) == ACCOUNTS
    held = holders(app, "tenant-a")
    assert "acc-003" not in held and "acc-091" not in held
    assert held["acc-005"] == 2 and len(held) == 93  # `updated` changes nothing
    after = jira.request(tenant, "GET", "/api/skills-by-account").get_json()["skillsByAccountId"]
    assert "acc-003" not in after and "acc-091" not in after and len(after) == 93
    row = tenant_row(app, "tenant-a")
    assert row.data_version > version
    assert aware(row.accounts_reported_at) >= started - timedelta(seconds=1)
    assert abs(aware(row.accounts_report_due_at) - (aware(row.accounts_reported_at) + timedelta(days=14))) < timedelta(seconds=1)
    assert "tenant-a: reported 95 in 2 batches, closed 2, erased 4; next due" in result.output

    # Within the cycle period nothing is sent again.
    fake_jira.calls.clear()
    again = run(app)
    assert again.exit_code == 0 and report_calls(fake_jira) == []
    assert "tenant-a: not due" in again.output


def test_nothing_to_report_is_a_204_and_changes_nothing(app, jira, fake_jira):
    tenant = jira.install("tenant-a", admins={ADMIN})
    seed(jira, tenant, ACCOUNTS[:3])
    version = tenant_row(app, "tenant-a").data_version
    result = run(app)
    assert result.exit_code == 0, result.output
    assert len(report_calls(fake_jira)) == 1
    assert holders(app, "tenant-a") == {a: 2 for a in ACCOUNTS[:3]}
    row = tenant_row(app, "tenant-a")
    assert row.data_version == version
    assert abs(aware(row.accounts_report_due_at) - aware(row.accounts_reported_at) - timedelta(days=7)) < timedelta(seconds=1)


def test_one_failing_tenant_does_not_stop_the_others_and_the_exit_is_non_zero(app, jira, fake_jira):
    jira.install("tenant-b", base_url=fake_jira.url + "/site/no-such-site")  # its Jira answers 404
    tenant = jira.install("tenant-a", admins={ADMIN})
    seed(jira, tenant, ACCOUNTS[:3])
    with app.app_context():
        tid = tenant_row(app, "tenant-b").id
        db.session.add(UserSkill(tenant_id=tid, account_id="b-user", skill_id=_skill(tid)))
        db.session.commit()
    fake_jira.closed_accounts = {"acc-001"}

    result = run(app)

    assert result.exit_code == 1
    assert "tenant-b: FAILED: report-accounts answered 404" in result.output
    assert "tenant-a: reported 3 in 1 batches, closed 1, erased 2" in result.output
    assert tenant_row(app, "tenant-b").accounts_report_due_at is None  # tried again at the next run
    assert holders(app, "tenant-b") == {"b-user": 1}
    fake_jira.calls.clear()
    second = run(app)
    assert second.exit_code == 1
    assert "tenant-a: not due" in second.output and "tenant-b: FAILED" in second.output


def _skill(tenant_id: int) -> int:
    from addon.models import Skill
    skill = Skill(tenant_id=tenant_id, name="Go", name_key="go")
    db.session.add(skill)
    db.session.flush()
    return skill.id


def test_a_long_retry_after_fails_the_tenant_until_it_has_passed(app, jira, fake_jira):
    tenant = jira.install("tenant-a", admins={ADMIN})
    seed(jira, tenant, ACCOUNTS[:2])
    fake_jira.throttle = ["3600"] * 5
    result = run(app)
    assert result.exit_code == 1
    assert "429" in result.output and "retry after 3600 s" in result.output
    assert len(report_calls(fake_jira)) == 1  # longer than REPORT_MAX_RETRY_AFTER_SECONDS: not waited for
    row = tenant_row(app, "tenant-a")
    assert aware(row.accounts_report_due_at) > datetime.now(timezone.utc) + timedelta(minutes=59)
    assert row.accounts_reported_at is None
    assert holders(app, "tenant-a") == {a: 2 for a in ACCOUNTS[:2]}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "REPORT_MAX_RETRY_AFTER_SECONDS": 5.0}


def test_the_real_command_in_a_subprocess(app, jira, fake_jira, database_url):
    tenant = jira.install("tenant-a", admins={ADMIN})
    seed(jira, tenant, ACCOUNTS[:4])
    fake_jira.closed_accounts = {"acc-002"}
    env = {**os.environ, "DATABASE_URL": database_url, "APP_KEY": "jira-user-skills"}
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "flask"), "--app", "app", "report-accounts"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "tenant-a: reported 4 in 1 batches, closed 1, erased 2" in done.stdout
    assert "acc-002" not in holders(app, "tenant-a")
    assert tenant.secret not in done.stdout + done.stderr


# ---------------------------------------------------------------------------------------------
# The Forge front's reporter: a bearer token to api.atlassian.com, plugged in beside Connect's


class BearerServer(LoopbackServer):
    """Stands in for api.atlassian.com/app/report-accounts/: checks the bearer token, 429 once."""

    def __init__(self, token: str) -> None:
        self.bodies: list[Any] = []
        self.statuses: list[int] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                import json
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != f"Bearer {token}" or self.path != "/app/report-accounts/":
                    status, body, headers = 401, b"{}", {}
                elif not server.statuses:
                    status, body, headers = 429, b"{}", {"Retry-After": "0"}
                else:
                    server.bodies.append(json.loads(raw))
                    closed = [{"accountId": a["accountId"], "status": "closed"}
                              for a in server.bodies[-1]["accounts"] if a["accountId"].endswith("1")]
                    status, body, headers = 200, json.dumps({"accounts": closed}).encode(), {"Cycle-Period": "P10D"}
                server.statuses.append(status)
                answer(self, status, body, headers)

            def log_message(self, *args: Any) -> None:
                pass

        self.serve(Handler)
        self.url += "/app/report-accounts/"


@pytest.fixture
def bearer_server() -> Iterator[BearerServer]:
    server = BearerServer("system-token-123")
    yield server
    server.stop()


def test_a_front_plugs_in_its_own_reporter(app, jira, fake_jira, bearer_server):
    tenant = jira.install("tenant-a", admins={ADMIN})
    seed(jira, tenant, ACCOUNTS[:12])
    app.extensions["account_reporters"] = [
        lambda t: BearerReporter("system-token-123", url=bearer_server.url) if t.client_key == "tenant-a" else None]
    result = run(app)
    assert result.exit_code == 0, result.output
    assert bearer_server.statuses == [429, 200] and report_calls(fake_jira) == []
    assert "closed 2, erased 4" in result.output  # acc-001 and acc-011
    row = tenant_row(app, "tenant-a")
    assert abs(aware(row.accounts_report_due_at) - aware(row.accounts_reported_at) - timedelta(days=10)) < timedelta(seconds=1)
    assert "system-token-123" not in repr(BearerReporter("system-token-123"))


def test_bearer_reporter_with_a_wrong_token_fails_cleanly(bearer_server):
    with pytest.raises(ReportFailed, match="401") as failed:
        BearerReporter("wrong-token", url=bearer_server.url).report([{"accountId": "a", "updatedAt": "2026-01-01T00:00:00.000Z"}])
    assert "wrong-token" not in str(failed.value)


@pytest.mark.parametrize("value, expected", [
    ("7", timedelta(days=7)), ("604800", timedelta(days=7)), ("P7D", timedelta(days=7)),
    ("PT168H", timedelta(days=7)), ("P2W", timedelta(days=14)), ("0", timedelta(hours=1)),
    ("P9999D", timedelta(days=90)), (None, None), ("", None), ("soon", None), ("P", None), ("-7", None),
    # Its unit is not documented: seconds, an ISO 8601 duration, or days written out are all read.
    ("86400", timedelta(days=1)), ("604800 seconds", timedelta(days=7)), ("P1DT12H", timedelta(days=1, hours=12)),
    ("7 days", timedelta(days=7)), ("1 day", timedelta(days=1)), ("14 Days", timedelta(days=14)),
    (" 30 days ", timedelta(days=30)), ("seven days", timedelta(days=7)), ("Fourteen days", timedelta(days=14)),
    ("2 weeks", timedelta(days=14)), ("7 fortnights", None), ("days", None), ("7 days ago", None),
])
def test_cycle_period_header(value, expected):
    assert parse_cycle_period(value) == expected


def test_the_creators_of_api_tokens_are_reported_and_forgotten_when_closed(app, jira, fake_jira):
    tenant = jira.install("tenant-a", admins={ADMIN, "admin-2"})
    seed(jira, tenant, ["acc-001", "admin-2"])
    made = {}
    for admin, name in ((ADMIN, "HR sync"), ("admin-2", "Reports")):
        response = jira.request(tenant, "POST", "/api/tokens", sub=admin, json={"name": name})
        assert response.status_code == 201, response.get_data(as_text=True)
        made[admin] = response.get_json()["token"]
    fake_jira.closed_accounts = {ADMIN}

    result = run(app)

    assert result.exit_code == 0, result.output
    sent = [a["accountId"] for c in report_calls(fake_jira) if "body" in c for a in c["body"]["accounts"]]
    assert sent == ["acc-001", ADMIN, "admin-2"]  # the token's creator too, each account once
    with app.app_context():
        creators = dict(db.session.execute(db.select(ApiToken.name, ApiToken.created_by)).all())
    assert creators == {"HR sync": "", "Reports": "admin-2"}
    # The closed admin's token is the site's: it still works.
    response = jira.client.get("/api/skills-by-account", headers={"Authorization": "Bearer " + made[ADMIN]})
    assert response.status_code == 200 and set(response.get_json()["skillsByAccountId"]) == {"acc-001", "admin-2"}

    # Nothing names the closed account any more: the next report leaves it out.
    with app.app_context():
        db.session.execute(db.update(Tenant).values(accounts_report_due_at=None))
        db.session.commit()
    fake_jira.calls.clear()
    assert run(app).exit_code == 0
    sent = [a["accountId"] for c in report_calls(fake_jira) if "body" in c for a in c["body"]["accounts"]]
    assert sent == ["acc-001", "admin-2"]
