"""Personal-data reporting of Forge tenants: `flask report-accounts` to Forge's report-accounts with the system token."""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from addon.extensions import db
from addon.models import Tenant, UserSkill

from .conftest import ForgeActions, ForgeSite

ADMIN = "admin-1"
ACCOUNTS = [f"acc-{i:03d}" for i in range(95)]  # two batches: 90 and 5


def seed(client: FlaskClient, forge: ForgeActions, site: ForgeSite, accounts: list[str] = ACCOUNTS) -> None:
    body = {"skillsByAccountId": {a: ["Python", f"Skill {a}"] for a in accounts}}
    response = client.post("/api/skills-by-account", json=body, headers=forge.headers(site, principal=ADMIN))
    assert response.status_code == 200, response.get_data(as_text=True)


def holders(app: Flask, site: ForgeSite) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(db.select(UserSkill.account_id).join(Tenant, Tenant.id == UserSkill.tenant_id)
                                      .where(Tenant.cloud_id == site.cloud_id)))


def forge_reports(fake: Any) -> list[dict[str, Any]]:
    return [c for c in fake.calls if c["path"] == "/app/report-accounts/"]


def run(app: Flask) -> Any:
    return app.test_cli_runner().invoke(args=["report-accounts"])


def test_a_forge_only_tenant_is_reported_with_its_system_token(app: Flask, client: FlaskClient,
                                                                forge: ForgeActions) -> None:
    site = forge.site(admins={ADMIN})
    seed(client, forge, site)
    forge.fake.closed_accounts = {"acc-003", "acc-091"}
    forge.fake.throttle = ["1"]  # one 429 with Retry-After: 1, waited out
    result = run(app)
    assert result.exit_code == 0, result.output
    calls = forge_reports(forge.fake)
    assert [len(c.get("body", {}).get("accounts", [])) for c in calls] == [0, 90, 5]  # the 429, then two batches
    assert all(c["verified"] and c["token"] == site.system_token for c in calls)
    assert f"site {site.cloud_id}: reported 95 in 2 batches, closed 2, erased 4" in result.output
    assert holders(app, site) == set(ACCOUNTS) - {"acc-003", "acc-091"}
    assert site.system_token not in result.output


def test_an_uninstalled_forge_tenant_is_not_reported(app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site(admins={ADMIN})
    seed(client, forge, site, ACCOUNTS[:3])
    forge.event(site, "avi:forge:uninstalled:app")
    result = run(app)
    assert result.exit_code == 0 and "0 tenants" in result.output, result.output
    assert forge_reports(forge.fake) == []


def test_a_forge_tenant_without_a_system_token_fails_clearly_and_the_others_are_reported(
        app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    silent, fine = forge.site(admins={ADMIN}), forge.site(admins={ADMIN})
    # requestRemote calls carry no system token: the installation exists, no credential is stored.
    assert client.get("/api/user-skills?accountId=acc-000",
                      headers=forge.headers(silent, system_token=False)).status_code == 200
    seed(client, forge, fine, ACCOUNTS[:3])
    result = run(app)
    assert result.exit_code == 1
    assert f"site {silent.cloud_id}: FAILED: no way to report this tenant" in result.output
    assert f"site {fine.cloud_id}: reported 3 in 1 batches" in result.output


def test_a_reinstall_needs_no_uninstall_event(app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    """Forge sends no lifecycle event to a remote on uninstall (FRGE-1246): the site's next installation
    (a new installation id) joins its data by cloudId, and the report goes with that installation's token."""
    first = forge.site(admins={ADMIN})
    forge.event(first, "avi:forge:installed:app")
    seed(client, forge, first, ACCOUNTS[:3])
    again = forge.site(cloud_id=first.cloud_id, admins={ADMIN})  # uninstalled, installed again: nothing told us
    forge.event(again, "avi:forge:installed:app")
    assert client.get("/api/user-skills?accountId=acc-001", headers=forge.headers(again)).json["skills"] == [
        "Python", "Skill acc-001"]
    result = run(app)
    assert result.exit_code == 0, result.output
    assert f"site {first.cloud_id}: reported 3 in 1 batches" in result.output
    assert [c["token"] for c in forge_reports(forge.fake)] == [again.system_token]
