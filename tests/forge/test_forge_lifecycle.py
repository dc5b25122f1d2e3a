"""POST /forge/lifecycle: installed and uninstalled events, idempotent and in any order."""
from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from addon.extensions import db
from addon.models import ForgeInstallation, Tenant

from .conftest import ForgeActions, ForgeSite, snapshot

INSTALLED = "avi:forge:installed:app"
UNINSTALLED = "avi:forge:uninstalled:app"


def read(client: FlaskClient, forge: ForgeActions, site: ForgeSite, account: str = "user-1") -> Any:
    return client.get(f"/api/user-skills?accountId={account}", headers=forge.headers(site))


def installation(app: Flask, site: ForgeSite) -> ForgeInstallation | None:
    with app.app_context():
        return db.session.get(ForgeInstallation, site.installation_id)


def tenant_of(app: Flask, site: ForgeSite) -> Tenant:
    with app.app_context():
        row = db.session.get(ForgeInstallation, site.installation_id)
        assert row is not None
        tenant = db.session.get(Tenant, row.tenant_id)
        assert tenant is not None
        db.session.expunge(tenant)
        return tenant


def test_installed_creates_the_tenant_of_the_site(app: Flask, forge: ForgeActions) -> None:
    site = forge.site()
    forge.event(site, INSTALLED)
    row = installation(app, site)
    assert row is not None and row.installed and row.api_base_url == site.api_base_url
    assert row.system_token == site.system_token
    tenant = tenant_of(app, site)
    assert tenant.cloud_id == site.cloud_id and tenant.forge_installed
    assert tenant.client_key is None and not tenant.installed  # no Connect install for this site


def test_each_event_twice_changes_nothing(app: Flask, forge: ForgeActions) -> None:
    site = forge.site()
    forge.event(site, INSTALLED)
    once = snapshot(app)
    forge.event(site, INSTALLED)
    assert snapshot(app) == once
    forge.event(site, UNINSTALLED)
    once = snapshot(app)
    forge.event(site, UNINSTALLED)
    assert snapshot(app) == once


def test_uninstalled_refuses_later_calls_and_keeps_the_data(app: Flask, client: FlaskClient,
                                                            forge: ForgeActions) -> None:
    site = forge.site()
    forge.event(site, INSTALLED)
    put = client.put("/api/user-skills?accountId=user-1", json={"skills": ["Go"]}, headers=forge.headers(site))
    assert put.status_code == 200
    forge.event(site, UNINSTALLED)
    refused = read(client, forge, site)
    assert refused.status_code == 401 and refused.json["error"] == "unauthorized"
    assert not tenant_of(app, site).forge_installed
    forge.event(site, INSTALLED)  # installed again: the data is there
    assert read(client, forge, site).json["skills"] == ["Go"]


def test_uninstalled_before_any_other_call_is_remembered(client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site()
    forge.event(site, UNINSTALLED)
    assert read(client, forge, site).status_code == 401


def test_the_first_ui_call_provisions_and_the_late_installed_event_changes_nothing(
        app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site()
    assert read(client, forge, site).json == {"skills": []}
    assert tenant_of(app, site).forge_installed
    before = snapshot(app)
    forge.event(site, INSTALLED)
    after = snapshot(app)
    # Nothing changes but the system token: one that came with Forge's own event is stored (a page's
    # call is not proof enough, tests/forge/test_forge_auth.py).
    [(installation_id, tenant_id, installed, token, base)] = before["installations"]
    assert token is None and after.pop("installations") == [(installation_id, tenant_id, installed,
                                                              site.system_token, base)]
    assert after == {name: rows for name, rows in before.items() if name != "installations"}


def test_a_new_installation_of_the_same_site_sees_its_data_and_the_old_one_stays_refused(
        app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    old = forge.site()
    forge.event(old, INSTALLED)
    client.put("/api/user-skills?accountId=user-1", json={"skills": ["Rust"]}, headers=forge.headers(old))
    forge.event(old, UNINSTALLED)
    new = forge.site(cloud_id=old.cloud_id)
    forge.event(new, INSTALLED)
    assert read(client, forge, new).json["skills"] == ["Rust"]
    assert tenant_of(app, new).id == tenant_of(app, old).id
    assert read(client, forge, old).status_code == 401


@pytest.mark.parametrize("event_type", ["avi:forge:upgraded:app", "avi:jira:created:issue", "something-else"])
def test_other_events_are_acknowledged_and_change_nothing(app: Flask, forge: ForgeActions, event_type: str) -> None:
    known = forge.site()
    forge.event(known, INSTALLED)
    before = snapshot(app)
    forge.event(known, event_type)
    forge.event(forge.site(), event_type)  # not even an unknown installation is provisioned
    assert snapshot(app) == before


MALFORMED: dict[str, Any] = {
    "not JSON": b"{nope",
    "an array": [1, 2],
    "no eventType": {"id": None},
    "eventType not a string": {"eventType": 7},
    "another installation": {"eventType": INSTALLED, "id": "ari:cloud:ecosystem::installation/other"},
    "another site": {"eventType": INSTALLED, "context": "ari:cloud:jira::site/another-site"},
    "context not a site": {"eventType": INSTALLED, "context": "ari:cloud:confluence::space/1"},
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_event_is_a_400_and_changes_nothing(app: Flask, client: FlaskClient, forge: ForgeActions,
                                                        case: str) -> None:
    site = forge.site()
    before = snapshot(app)
    body = MALFORMED[case]
    if isinstance(body, dict) and body.get("id") is None:
        body = {k: v for k, v in body.items() if k != "id"}
    headers = forge.headers(site, principal=None, ui=False)
    kwargs: dict[str, Any] = {"data": body, "content_type": "application/json"} if isinstance(body, bytes) else {"json": body}
    response = client.post("/forge/lifecycle", headers=headers, **kwargs)
    assert response.status_code == 400, response.json
    assert set(response.json) >= {"error", "message"}
    assert snapshot(app) == before


def test_an_event_without_a_valid_fit_is_a_401_and_changes_nothing(app: Flask, client: FlaskClient,
                                                                    forge: ForgeActions, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    site = forge.site()
    before = snapshot(app)
    body = {"eventType": INSTALLED, "id": site.installation_id}
    token = forge.fit(site, principal=None, aud="ari:cloud:ecosystem::app/another")
    for headers in ({}, {"Authorization": "Bearer " + token, "x-forge-oauth-system": site.system_token},
                    {"Authorization": "JWT " + forge.fit(site, principal=None)}):
        response = client.post("/forge/lifecycle", json=body, headers=headers)
        assert response.status_code == 401
    assert snapshot(app) == before
    assert token not in caplog.text and site.system_token not in caplog.text


def test_the_front_is_off_without_an_app_id(another_app: Any, forge: ForgeActions) -> None:
    off = another_app(FORGE_APP_ID="")
    site = forge.site()
    response = off.test_client().post("/forge/lifecycle", json={"eventType": INSTALLED},
                                      headers=forge.headers(site, principal=None, ui=False))
    assert response.status_code == 401
    assert installation(off, site) is None


def test_installing_or_uninstalling_makes_every_cached_copy_of_the_site_stale(app: Flask, forge: ForgeActions) -> None:
    """The site's auth epoch moves with each change of its Forge install state (skills.credentials), and
    only then: a process holding the site's Connect secret, or a request in flight, is checked against it."""
    site = forge.site()
    forge.event(site, INSTALLED)
    installed = tenant_of(app, site).auth_epoch
    forge.event(site, INSTALLED)  # the same event again changes nothing, the epoch included
    assert tenant_of(app, site).auth_epoch == installed
    forge.event(site, UNINSTALLED)
    uninstalled = tenant_of(app, site).auth_epoch
    assert uninstalled > installed
    forge.event(site, INSTALLED)
    assert tenant_of(app, site).auth_epoch > uninstalled


# ---------------------------------------------------------------------------------------------
# Only Forge itself drives the lifecycle (the review's findings 1 and 2)

ADMIN = "admin-1"


def api_token(client: FlaskClient, forge: ForgeActions, site: ForgeSite) -> dict[str, str]:
    created = client.post("/api/tokens", json={"name": "HR sync"}, headers=forge.headers(site, principal=ADMIN))
    assert created.status_code == 201, created.get_data(as_text=True)
    return {"Authorization": "Bearer " + created.json["token"]}


def post_event(client: FlaskClient, site: ForgeSite, token: str, event_type: str) -> Any:
    return client.post("/forge/lifecycle", json={"eventType": event_type, "id": site.installation_id},
                       headers={"Authorization": "Bearer " + token, "x-forge-oauth-system": site.system_token})


# The FITs a page's invokeRemote/requestRemote call carries: a user (`principal`), the page (`context`).
USERS_FITS = {
    "principal and context": {"principal": "user-1", "ui": True},
    "principal only": {"principal": "user-1", "ui": False},
    "context only": {"principal": None, "ui": True},
}


@pytest.mark.parametrize("case", sorted(USERS_FITS))
def test_a_users_fit_can_neither_uninstall_nor_reinstall_the_site(
        app: Flask, client: FlaskClient, forge: ForgeActions, case: str) -> None:
    """invokeRemote may call any path of the remote: a page's FIT on /forge/lifecycle is a 401 that changes nothing."""
    site = forge.site(admins={ADMIN})
    forge.event(site, INSTALLED)
    bearer = api_token(client, forge, site)
    before = snapshot(app)
    response = post_event(client, site, forge.fit(site, **USERS_FITS[case]), UNINSTALLED)
    assert response.status_code == 401 and response.json["error"] == "unauthorized"
    assert snapshot(app) == before
    # The site's administrators and its API tokens are still served.
    assert read(client, forge, site, ADMIN).status_code == 200
    assert client.get("/api/user-skills?accountId=user-1", headers=bearer).status_code == 200
    # Nor can a user switch back on an installation Forge uninstalled.
    forge.event(site, UNINSTALLED)
    before = snapshot(app)
    response = post_event(client, site, forge.fit(site, **USERS_FITS[case]), INSTALLED)
    assert response.status_code == 401
    assert snapshot(app) == before
    assert client.get("/api/user-skills?accountId=user-1", headers=bearer).status_code == 401


def test_an_installed_event_minted_before_the_uninstall_does_not_reactivate(
        app: Flask, client: FlaskClient, forge: ForgeActions) -> None:
    """An event FIT still inside its lifetime, or a retried `installed` that arrives after `uninstalled`:
    older (by its FIT's iat) than the installation's last state change, so ignored."""
    site = forge.site(admins={ADMIN})
    now = int(time.time())
    forge.event(site, INSTALLED, fit={"issued_at": now - 20})
    bearer = api_token(client, forge, site)
    forge.event(site, UNINSTALLED, fit={"issued_at": now - 5})
    uninstalled = snapshot(app)
    epoch = tenant_of(app, site).auth_epoch
    forge.event(site, INSTALLED, fit={"issued_at": now - 10})  # 204: acknowledged, so Forge stops retrying it
    assert snapshot(app) == uninstalled and tenant_of(app, site).auth_epoch == epoch
    forge.event(site, INSTALLED, retry=1, fit={"issued_at": now - 10})  # the same, redelivered
    assert snapshot(app) == uninstalled and tenant_of(app, site).auth_epoch == epoch
    assert read(client, forge, site, ADMIN).status_code == 401
    assert client.get("/api/user-skills?accountId=user-1", headers=bearer).status_code == 401
    # A later install (by its token's iat) does reactivate it, as the contract says.
    forge.event(site, INSTALLED, fit={"issued_at": now})
    assert read(client, forge, site, ADMIN).status_code == 200
    assert client.get("/api/user-skills?accountId=user-1", headers=bearer).status_code == 200


def test_an_uninstall_older_than_the_last_install_is_ignored(app: Flask, client: FlaskClient,
                                                             forge: ForgeActions) -> None:
    site = forge.site()
    now = int(time.time())
    forge.event(site, INSTALLED, fit={"issued_at": now - 5})
    before = snapshot(app)
    forge.event(site, UNINSTALLED, fit={"issued_at": now - 30})
    assert snapshot(app) == before and read(client, forge, site).status_code == 200


def test_an_uninstall_that_arrives_first_stays_final_against_an_older_install(
        client: FlaskClient, forge: ForgeActions) -> None:
    site = forge.site()
    now = int(time.time())
    forge.event(site, UNINSTALLED, fit={"issued_at": now - 5})  # the installation is new to us
    forge.event(site, INSTALLED, fit={"issued_at": now - 15})
    assert read(client, forge, site).status_code == 401


# ---------------------------------------------------------------------------------------------
# Forge's documented event shapes

@pytest.mark.parametrize("event_type, installed", [(INSTALLED, True), (UNINSTALLED, False)])
def test_a_retried_event_comes_wrapped_in_payload_and_is_handled(app: Flask, forge: ForgeActions,
                                                                 event_type: str, installed: bool) -> None:
    """On a retry Forge posts {"payload": {..., "retryContext": {...}}}: the event is not lost."""
    site = forge.site()
    forge.event(site, event_type, retry=2)
    row = installation(app, site)
    assert row is not None and row.installed is installed
    assert tenant_of(app, site).forge_installed is installed
    once = snapshot(app)
    forge.event(site, event_type, retry=3)  # handled twice: nothing changes
    assert snapshot(app) == once


@pytest.mark.parametrize("body", [{"payload": 5}, {"payload": [1]}, {"payload": {"id": "x"}}, {"payload": None}])
def test_a_malformed_retry_wrapper_is_a_400_and_changes_nothing(app: Flask, client: FlaskClient,
                                                                forge: ForgeActions, body: Any) -> None:
    site = forge.site()
    before = snapshot(app)
    response = client.post("/forge/lifecycle", json=body, headers=forge.headers(site, principal=None, ui=False))
    assert response.status_code == 400 and set(response.json) >= {"error", "message"}
    assert snapshot(app) == before


def test_the_event_may_name_its_installation_by_its_bare_id(app: Flask, client: FlaskClient,
                                                              forge: ForgeActions) -> None:
    """The life-cycle events reference shows `id` as the installation's uuid; the FIT has its ARI."""
    site = forge.site()
    bare = site.installation_id.rsplit("/", 1)[1]
    forge.event(site, UNINSTALLED, id=bare)
    assert read(client, forge, site).status_code == 401
    before = snapshot(app)
    forge.event(site, INSTALLED, expect=400, id=str(uuid.uuid4()))  # another installation's
    assert snapshot(app) == before


def test_an_event_type_cannot_forge_a_log_line(forge: ForgeActions, caplog: Any) -> None:
    """LOG_FORMAT=text: the event type is logged; a newline in it must not start a second, fake line."""
    from addon.logs import TextFormatter

    caplog.set_level(logging.INFO)
    fake = "2026-12-07T10:00:00.000+00:00 INFO addon.forge x uninstalled"  # the event type is <= 100
    forge.event(forge.site(), "avi:forge:odd:app\r\n" + fake + "\x1b[2K\u2028")
    [record] = [r for r in caplog.records if "ignored" in r.getMessage()]
    line = TextFormatter().format(record)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\u2028" not in line
    assert "avi:forge:odd:app\\r\\n2026-12-07T10:00:00.000+00:00 INFO" in line and "\\x1b[2K\\u2028" in line
