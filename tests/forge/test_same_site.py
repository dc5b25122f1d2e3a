"""One site, two fronts: a Forge install of a site that had the Connect add-on sees the same data."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from addon.extensions import db
from addon.models import ForgeInstallation, Tenant

from tests.conftest import JiraActions

from .conftest import ForgeActions

URL = "/api/user-skills?accountId=user-1"


def connect_tenant(app: Flask, client_key: str) -> Tenant:
    with app.app_context():
        tenant = db.session.execute(db.select(Tenant).where(Tenant.client_key == client_key)).scalar_one()
        db.session.expunge(tenant)
        return tenant


@pytest.mark.parametrize("in_body", [True, False], ids=["cloudId in the install", "cloudId from tenant_info"])
def test_a_connect_install_records_the_site_cloud_id(app: Flask, jira: JiraActions, in_body: bool) -> None:
    cloud = str(uuid.uuid4())
    jira.install("tenant-c", cloud_id=cloud, cloud_id_in_body=in_body)
    assert connect_tenant(app, "tenant-c").cloud_id == cloud
    asked = [c for c in jira.fake.calls if c["path"].endswith("/_edge/tenant_info")]
    assert len(asked) == (0 if in_body else 1)


def test_an_install_whose_site_names_no_cloud_id_still_succeeds(app: Flask, jira: JiraActions) -> None:
    jira.install("tenant-c")  # the fake site's tenant_info answers 404
    assert connect_tenant(app, "tenant-c").cloud_id is None


@pytest.mark.parametrize("bad", ["", "../x", 42, "x" * 65])
def test_a_malformed_cloud_id_is_not_recorded(app: Flask, client: FlaskClient, jira: JiraActions, bad: Any) -> None:
    from tests.conftest import APP_KEY, install_token
    base = jira.fake.site("tenant-c", "s" * 40)
    body = {"key": APP_KEY, "clientKey": "tenant-c", "sharedSecret": "s" * 40, "baseUrl": base, "cloudId": bad}
    token = install_token(jira.private_key, jira.kid, "tenant-c")
    assert client.post("/lifecycle/installed", json=body, headers={"Authorization": "JWT " + token}).status_code == 204
    assert connect_tenant(app, "tenant-c").cloud_id is None


def test_forge_sees_what_connect_stored_and_connect_sees_what_forge_stored(
        app: Flask, client: FlaskClient, jira: JiraActions, forge: ForgeActions) -> None:
    cloud = str(uuid.uuid4())
    tenant = jira.install("tenant-c", cloud_id=cloud)
    assert jira.request(tenant, "PUT", URL, json={"skills": ["Kotlin"]}).status_code == 200
    site = forge.site(cloud_id=cloud)
    assert client.get(URL, headers=forge.headers(site)).json == {"skills": ["Kotlin"]}
    with app.app_context():
        row = db.session.get(ForgeInstallation, site.installation_id)
        assert row is not None and row.tenant_id == connect_tenant(app, "tenant-c").id
    client.put(URL, json={"skills": ["Scala"]}, headers=forge.headers(site))
    assert jira.request(tenant, "GET", URL).json == {"skills": ["Kotlin", "Scala"]}


def test_a_connect_install_after_forge_joins_the_forge_tenant(app: Flask, client: FlaskClient,
                                                                jira: JiraActions, forge: ForgeActions) -> None:
    site = forge.site()
    client.put(URL, json={"skills": ["Elixir"]}, headers=forge.headers(site))
    tenant = jira.install("tenant-c", cloud_id=site.cloud_id)
    assert jira.request(tenant, "GET", URL).json == {"skills": ["Elixir"]}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Tenant)) == 1
        row = db.session.get(ForgeInstallation, site.installation_id)
        assert row is not None and row.tenant_id == connect_tenant(app, "tenant-c").id


def test_uninstalling_one_front_leaves_the_other_working(app: Flask, client: FlaskClient,
                                                         jira: JiraActions, forge: ForgeActions) -> None:
    cloud = str(uuid.uuid4())
    tenant = jira.install("tenant-c", cloud_id=cloud)
    site = forge.site(cloud_id=cloud)
    forge.event(site, "avi:forge:installed:app")
    jira.uninstall(tenant)
    assert jira.request(tenant, "GET", URL).status_code == 401
    assert client.get(URL, headers=forge.headers(site)).status_code == 200
    jira.install("tenant-c", cloud_id=cloud, secret=tenant.secret)
    forge.event(site, "avi:forge:uninstalled:app")
    assert client.get(URL, headers=forge.headers(site)).status_code == 401
    assert jira.request(tenant, "GET", URL).status_code == 200
    row = connect_tenant(app, "tenant-c")
    assert row.installed and not row.forge_installed


def test_another_connect_tenant_of_the_same_site_is_not_merged(app: Flask, jira: JiraActions) -> None:
    cloud = str(uuid.uuid4())
    jira.install("tenant-c", cloud_id=cloud)
    jira.install("tenant-d", cloud_id=cloud)
    assert connect_tenant(app, "tenant-c").cloud_id == cloud
    assert connect_tenant(app, "tenant-d").cloud_id is None


def test_a_site_learnt_after_provisioning_is_recorded_unless_another_tenant_is_that_site(
        app: Flask, client: FlaskClient, jira: JiraActions, forge: ForgeActions) -> None:
    from .conftest import ForgeSite, fit_claims, sign_fit

    def call(site: ForgeSite, cloud: str | None) -> Any:
        claims = fit_claims(site.installation_id, jira.fake.url + "/gateway/" + site.installation_id[-12:], cloud)
        return client.get(URL, headers={"Authorization": "Bearer " + sign_fit(claims, forge.private_key, forge.kid)})

    def cloud_of(site: ForgeSite) -> str | None:
        with app.app_context():
            row = db.session.get(ForgeInstallation, site.installation_id)
            assert row is not None
            return db.session.get(Tenant, row.tenant_id).cloud_id

    learnt, taken = forge.site(), forge.site()
    assert call(learnt, None).status_code == 200 and cloud_of(learnt) is None
    assert call(learnt, learnt.cloud_id).status_code == 200 and cloud_of(learnt) == learnt.cloud_id
    jira.install("tenant-c", cloud_id=taken.cloud_id)
    assert call(taken, None).status_code == 200
    assert call(taken, taken.cloud_id).status_code == 200 and cloud_of(taken) is None


def install_claiming(client: FlaskClient, jira: JiraActions, client_key: str, claimed: str,
                     tenant_info_names: str | None) -> Any:
    """A signed Connect install whose body names `claimed` as its cloudId (the install JWT does not sign
    the body), from a site whose /_edge/tenant_info names `tenant_info_names`."""
    from tests.conftest import APP_KEY, Tenant as ConnectTenant, install_token
    secret = "secret-" + uuid.uuid4().hex + uuid.uuid4().hex
    base = jira.fake.site(client_key, secret, cloud_id=tenant_info_names)
    body = {"key": APP_KEY, "clientKey": client_key, "sharedSecret": secret, "baseUrl": base,
            "productType": "jira", "eventType": "installed", "cloudId": claimed}
    token = install_token(jira.private_key, jira.kid, client_key)
    response = client.post("/lifecycle/installed", json=body, headers={"Authorization": "JWT " + token})
    assert response.status_code == 204, response.get_data(as_text=True)
    return ConnectTenant(client_key, secret, base)


@pytest.mark.parametrize("tenant_info", ["names nothing", "names another site"])
def test_a_connect_install_joins_a_forge_only_site_only_when_tenant_info_confirms_it(
        app: Flask, client: FlaskClient, jira: JiraActions, forge: ForgeActions, tenant_info: str) -> None:
    site = forge.site()
    assert client.put(URL, json={"skills": ["Elixir"]}, headers=forge.headers(site)).status_code == 200
    other = None if tenant_info == "names nothing" else str(uuid.uuid4())
    intruder = install_claiming(client, jira, "tenant-x", site.cloud_id, other)
    # Its own tenant, without the site's id: the Forge site's data stays out of its reach.
    assert jira.request(intruder, "GET", URL).json == {"skills": []}
    assert jira.request(intruder, "PUT", URL, json={"skills": ["Cobol"]}).status_code == 200
    assert client.get(URL, headers=forge.headers(site)).json == {"skills": ["Elixir"]}
    row = connect_tenant(app, "tenant-x")
    assert row.cloud_id is None
    with app.app_context():
        forge_row = db.session.get(ForgeInstallation, site.installation_id)
        assert forge_row is not None and forge_row.tenant_id != row.id
    # The site's own install, which its tenant_info confirms, joins it.
    tenant = install_claiming(client, jira, "tenant-c", site.cloud_id, site.cloud_id)
    assert jira.request(tenant, "GET", URL).json == {"skills": ["Elixir"]}
    assert connect_tenant(app, "tenant-c").cloud_id == site.cloud_id
