"""The Forge verifier on /api: good FITs reach their own tenant, every bad one is a 401 that changes nothing."""
from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from addon.caller import TenantInfo
from addon.extensions import db
from addon.forge.auth import forge_token
from addon.forge.fit import Invocation
from addon.forge.jira import forge_authorizer
from addon.forge.tenants import SYSTEM_TOKEN_REFRESH, tenant_for
from addon.jira import JiraUnavailable
from addon.models import ForgeInstallation, Tenant

from tests.fits import BAD_FITS as BAD

from .conftest import APP_ARI, ForgeActions, JwksServer, fit_claims, sign_fit, snapshot

URL = "/api/user-skills?accountId=user-1"


def put(client: FlaskClient, headers: dict[str, str], skills: list[str], account: str = "user-1") -> Any:
    return client.put(f"/api/user-skills?accountId={account}", json={"skills": skills}, headers=headers)


def tenant_id_of(app: Flask, installation_id: str) -> int:
    with app.app_context():
        row = db.session.get(ForgeInstallation, installation_id)
        assert row is not None
        return row.tenant_id


def test_a_fit_reads_and_writes_its_own_tenant(client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site()
    assert put(client, forge.headers(site), ["Python", "SQL"]).json == {"added": ["Python", "SQL"], "existing": []}
    answer = client.get(URL, headers=forge.headers(site, principal="user-2"))
    assert answer.status_code == 200 and answer.json == {"skills": ["Python", "SQL"]}


def test_a_fit_for_installation_a_never_reaches_b(app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    a, b = forge.site(), forge.site()
    put(client, forge.headers(a), ["A-only"])
    put(client, forge.headers(b), ["B-only"])
    assert client.get(URL, headers=forge.headers(a)).json == {"skills": ["A-only"]}
    assert client.get(URL, headers=forge.headers(b)).json == {"skills": ["B-only"]}
    assert tenant_id_of(app, a.installation_id) != tenant_id_of(app, b.installation_id)
    # A token of A's installation that claims B's site is refused, not routed to B.
    forged = sign_fit(fit_claims(a.installation_id, a.api_base_url, b.cloud_id), forge.private_key, forge.kid)
    before = snapshot(app)
    assert client.get(URL, headers={"Authorization": "Bearer " + forged}).status_code == 401
    assert snapshot(app) == before


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_fit_is_a_401_that_changes_nothing_and_logs_no_token(
        app: Flask, client: FlaskClient, forge: ForgeActions, caplog: Any, case: str) -> None:
    caplog.set_level(logging.DEBUG)
    site = forge.site()
    put(client, forge.headers(site), ["Kept"])  # the installation exists and holds data
    token = BAD[case](forge, site)
    before = snapshot(app)
    for response in (client.get(URL, headers={"Authorization": "Bearer " + token, "x-forge-oauth-system": site.system_token}),
                     put(client, {"Authorization": "Bearer " + token}, ["Injected"])):
        assert response.status_code == 401, (case, response.json)
        assert response.json["error"] == "unauthorized" and response.json["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert token not in response.get_data(as_text=True)
    assert snapshot(app) == before
    for secret in (token, token.split(".")[-1] or token.split(".")[1], site.system_token):
        assert secret not in caplog.text
    assert "Forge token refused" in caplog.text  # the reason went to the log


def test_a_fit_of_an_uninstalled_installation_is_a_401(app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site()
    put(client, forge.headers(site), ["Kept"])
    forge.event(site, "avi:forge:uninstalled:app")
    before = snapshot(app)
    assert client.get(URL, headers=forge.headers(site)).status_code == 401
    assert put(client, forge.headers(site), ["Injected"]).status_code == 401
    assert snapshot(app) == before


def test_keys_that_cannot_be_fetched_are_a_503_not_a_401(app: Flask, client: FlaskClient, forge: ForgeActions,
                                                         jwks_server: JwksServer) -> None:
    site = forge.site()
    jwks_server.fail_with = 500
    before = snapshot(app)
    response = client.get(URL, headers=forge.headers(site))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json["error"] == "service_unavailable"
    assert snapshot(app) == before
    # Within the minute no new fetch is made: still "cannot know", and still no fetch per call.
    assert client.get(URL, headers=forge.headers(site)).status_code == 503
    assert jwks_server.requests == 1


def test_the_keys_are_fetched_once_for_many_calls(client: FlaskClient, forge: ForgeActions,
                                                  jwks_server: JwksServer) -> None:
    site = forge.site()
    for _ in range(10):
        assert client.get(URL, headers=forge.headers(site)).status_code == 200
    assert jwks_server.requests == 1


def test_bearer_jwts_and_api_tokens_are_told_apart(forge: ForgeActions) -> None:
    site = forge.site()
    token = forge.fit(site)
    assert forge_token({"Authorization": "Bearer " + token}) == token
    assert forge_token({"Authorization": "bearer " + token}) == token
    assert forge_token({"Authorization": "Bearer jus_" + "x" * 43}) is None
    assert forge_token({"Authorization": "JWT " + token}) is None
    assert forge_token({}) is None


def test_concurrent_first_calls_make_one_tenant(app: Flask, another_app: Any, forge: ForgeActions) -> None:
    """Two processes (two apps, their own engines), several threads each, one new installation."""
    site = forge.site()
    invocation = Invocation(APP_ARI, site.installation_id, site.api_base_url, site.cloud_id, "user-1")
    apps = [app, another_app()]
    barrier = threading.Barrier(6)
    tenants: list[int] = []
    errors: list[BaseException] = []

    def first_call(which: Flask) -> None:
        try:
            with which.app_context():
                barrier.wait()
                tenants.append(tenant_for(db.session, invocation).id)
                db.session.remove()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=first_call, args=(apps[n % 2],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(tenants) == 6 and len(set(tenants)) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Tenant)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(ForgeInstallation)) == 1


def test_the_admin_check_asks_jira_at_api_base_url_with_the_system_token(
        client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site(admins={"admin-1"})
    # Changing another user's skills takes an administrator: Jira is asked, for the FIT's principal.
    assert put(client, forge.headers(site, principal="admin-1"), ["Go"], account="user-9").status_code == 200
    assert put(client, forge.headers(site, principal="user-1"), ["Go"], account="user-9").status_code == 403
    checks = forge.fake.permission_calls()
    assert len(checks) == 2 and all(c["verified"] and c["token"] == site.system_token for c in checks)
    assert all(c["path"] == f"/ex/jira/{site.cloud_id}/rest/api/3/permissions/check" for c in checks)
    assert checks[0]["body"] == {"accountId": "admin-1", "globalPermissions": ["ADMINISTER"]}
    # Cached for a few minutes, as Connect's answers are.
    assert put(client, forge.headers(site, principal="admin-1"), ["Rust"], account="user-9").status_code == 200
    assert len(forge.fake.permission_calls()) == 2


def test_the_admin_check_waits_out_a_429_as_connect_calls_do(client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site(admins={"admin-1"})
    forge.fake.throttle.append("0")
    assert put(client, forge.headers(site, principal="admin-1"), ["Go"], account="user-9").status_code == 200
    assert len(forge.fake.permission_calls()) == 2  # the 429, then the answer


def test_a_call_without_a_system_token_uses_the_latest_one_received(client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site(admins={"admin-1"})
    never = forge.site(admins={"admin-1"})
    # requestRemote sends a FIT and no system token; the one Forge's installed event brought serves.
    forge.event(site, "avi:forge:installed:app")
    answer = put(client, forge.headers(site, principal="admin-1", system_token=False), ["Go"], account="user-9")
    assert answer.status_code == 200
    assert forge.fake.permission_calls()[-1]["token"] == site.system_token
    # An installation that never sent one cannot call Jira: an error, not a guess, and nothing changed.
    answer = put(client, forge.headers(never, principal="admin-1", system_token=False), ["Go"], account="user-9")
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert client.get("/api/user-skills?accountId=user-9", headers=forge.headers(never)).json == {"skills": []}


def test_the_system_token_stays_out_of_reprs(app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site()
    forge.event(site, "avi:forge:installed:app")
    with app.app_context():
        invocation = Invocation(APP_ARI, site.installation_id, site.api_base_url, site.cloud_id, "user-1")
        tenant = tenant_for(db.session, invocation)
        assert tenant.stored_system_token == site.system_token and site.system_token not in repr(tenant)
        row = db.session.get(ForgeInstallation, site.installation_id)
        assert site.system_token not in repr(row)
    info = TenantInfo(1, None, None, "https://api.atlassian.com/ex/jira/x", True, 0, installation_id="inst-1",
                      system_token="sys-secret-value")
    assert "sys-secret-value" not in repr(info)
    assert forge_authorizer(info, "POST", "/rest/api/3/permissions/check", "") == "Bearer sys-secret-value"
    with pytest.raises(JiraUnavailable):
        forge_authorizer(TenantInfo(1, None, None, "https://api.atlassian.com/ex/jira/x", True, 0), "POST", "/x", "")


def admin_put(client: FlaskClient, forge: ForgeActions, site: Any, admin: str = "admin-1", **headers: Any) -> Any:
    """An administrator changes another user's skills: the backend asks Jira, with the call's system token
    (each administrator's answer is cached a few minutes: a new `admin` makes Jira be asked again)."""
    return put(client, forge.headers(site, principal=admin, **headers), ["Go"], account="user-9")


def stored_token(app: Flask, site: Any) -> str | None:
    with app.app_context():
        row = db.session.get(ForgeInstallation, site.installation_id)
        return row.system_token if row is not None else None


def age_stored_token(app: Flask, site: Any) -> None:
    with app.app_context():
        row = db.session.get(ForgeInstallation, site.installation_id)
        assert row is not None and row.system_token_at is not None
        row.system_token_at = row.system_token_at - SYSTEM_TOKEN_REFRESH
        db.session.commit()


def test_the_stored_system_token_follows_the_newest_jira_accepted_at_most_once_a_minute(
        app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site(admins={"admin-1", "admin-2", "admin-3"})
    first = site.system_token
    assert admin_put(client, forge, site, "admin-1").status_code == 200
    assert stored_token(app, site) == first
    second = forge.new_system_token(site)
    assert admin_put(client, forge, site, "admin-2").status_code == 200
    assert forge.fake.permission_calls()[-1]["token"] == second
    assert stored_token(app, site) == first  # no write on every call
    age_stored_token(app, site)
    # A call that asks Jira nothing proves nothing about its token: it is not stored.
    assert client.get(URL, headers=forge.headers(site)).status_code == 200
    assert stored_token(app, site) == first
    # Jira accepts the newer token on an administrator check: it becomes the stored one.
    assert admin_put(client, forge, site, "admin-3").status_code == 200
    assert stored_token(app, site) == second


def test_a_planted_system_token_never_displaces_a_working_one(app: Flask, client: FlaskClient,
                                                              forge: ForgeActions) -> None:
    """Any user of the site can send our /api a FIT of their own with an `x-forge-oauth-system` header of
    their choosing (requestRemote, or the FIT copied out of their browser): never stored unverified."""
    site = forge.site(admins={"admin-1", "admin-2"})
    genuine = site.system_token
    forge.event(site, "avi:forge:installed:app")
    assert stored_token(app, site) == genuine
    age_stored_token(app, site)
    planted = {"x-forge-oauth-system": "sys-planted-" + "x" * 40}
    # On a call that asks Jira nothing...
    assert client.get(URL, headers={**forge.headers(site, system_token=False), **planted}).status_code == 200
    assert stored_token(app, site) == genuine
    # ...and on one whose Jira call it fails (the planter's own admin check cannot be answered).
    answer = put(client, {**forge.headers(site, principal="admin-1", system_token=False), **planted}, ["Go"],
                 account="user-9")
    assert answer.status_code == 503
    assert stored_token(app, site) == genuine
    # The site's calls without a token of their own (requestRemote) still reach Jira...
    assert admin_put(client, forge, site, "admin-2", system_token=False).status_code == 200
    assert forge.fake.permission_calls()[-1]["token"] == genuine
    # ...and the personal-data report still goes out with the working token.
    forge.fake.calls.clear()
    result = app.test_cli_runner().invoke(args=["report-accounts"])
    assert result.exit_code == 0, result.output
    reports = [c for c in forge.fake.calls if c["path"] == "/app/report-accounts/"]
    assert reports and all(c["verified"] and c["token"] == genuine for c in reports)


@pytest.mark.parametrize("setting", ["PRODUCTION", "production"])
def test_fits_of_another_forge_environment_of_the_app_are_refused(app: Flask, another_app: Any,
                                                                  forge: ForgeActions, setting: str) -> None:
    """A development or staging installation of the same app id must not join production's data by cloudId."""
    production = another_app(FORGE_ENVIRONMENT=setting).test_client()
    site = forge.site()
    before = snapshot(app)
    for kind in ("DEVELOPMENT", "STAGING"):
        token = forge.fit(site, environment=kind)
        assert production.get(URL, headers={"Authorization": "Bearer " + token}).status_code == 401
        event = forge.fit(site, principal=None, ui=False, environment=kind)
        response = production.post("/forge/lifecycle", json={"eventType": "avi:forge:installed:app"},
                                   headers={"Authorization": "Bearer " + event})
        assert response.status_code == 401
    assert snapshot(app) == before
    assert production.get(URL, headers=forge.headers(site, environment="PRODUCTION")).status_code == 200
    # Unset (the default), any environment is served, as before.
    assert client_of(app).get(URL, headers=forge.headers(forge.site(), environment="STAGING")).status_code == 200


def client_of(app: Flask) -> FlaskClient:
    return app.test_client()
