"""Tenant API tokens: created by Jira admins, shown once, stored hashed, revocable at once."""
from __future__ import annotations

import hashlib

import pytest

from addon.extensions import db
from addon.models import ApiToken

from .test_user_skills import ADMIN, U1, get

TOKENS = "/api/tokens"


@pytest.fixture
def tenant(jira):
    return jira.install("tenant-a", admins={ADMIN})


def create(jira, tenant, name="HR sync", sub=ADMIN):
    return jira.request(tenant, "POST", TOKENS, sub=sub, json={"name": name})


def bearer(token):
    return {"Authorization": "Bearer " + token}


def test_create_shows_token_once_and_stores_only_its_hash(app, jira, tenant):
    response = create(jira, tenant)
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"id", "name", "token", "createdAt"} and body["name"] == "HR sync"
    listing = jira.request(tenant, "GET", TOKENS, sub=ADMIN)
    assert listing.status_code == 200
    assert listing.json == {"tokens": [{"id": body["id"], "name": "HR sync", "createdAt": body["createdAt"],
                                        "lastUsedAt": None}]}
    assert body["token"] not in listing.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(ApiToken, body["id"])
        assert row.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
        assert body["token"] not in (row.token_hash, row.name)


def test_token_acts_as_admin_on_its_tenant_with_both_headers(jira, tenant):
    token = create(jira, tenant).json["token"]
    client = jira.client
    r = client.put(f"/api/user-skills?accountId={U1}", json={"skills": ["Go"]}, headers=bearer(token))
    assert r.status_code == 200
    r = client.post("/api/skills-by-account", json={"skillsByAccountId": {U1: ["Go", "Rust"]}},
                    headers={"Authorization-Skills": token})
    assert r.status_code == 200 and r.json["changes"][U1] == {"added": ["Rust"], "removed": []}
    assert client.get(f"/api/user-skills?accountId={U1}", headers=bearer(token)).json == {"skills": ["Go", "Rust"]}
    listing = jira.request(tenant, "GET", TOKENS, sub=ADMIN).json["tokens"]
    assert listing[0]["lastUsedAt"] is not None


def test_revoked_token_is_refused_at_once_on_every_process(another_app, jira, tenant):
    token_body = create(jira, tenant).json
    other_process = another_app().test_client()
    assert other_process.get(f"/api/user-skills?accountId={U1}", headers=bearer(token_body["token"])).status_code == 200
    assert jira.request(tenant, "DELETE", f"{TOKENS}/{token_body['id']}", sub=ADMIN).status_code == 204
    for client in (jira.client, other_process):
        r = client.get(f"/api/user-skills?accountId={U1}", headers=bearer(token_body["token"]))
        assert r.status_code == 401 and r.json["error"] == "unauthorized"
    assert jira.request(tenant, "GET", TOKENS, sub=ADMIN).json == {"tokens": []}


def test_another_tenants_token_only_ever_sees_its_own_tenant(jira, tenant):
    other = jira.install("tenant-b", admins={ADMIN})
    a_token = create(jira, tenant).json
    b_token = create(jira, other).json
    jira.client.put(f"/api/user-skills?accountId={U1}", json={"skills": ["A only"]}, headers=bearer(a_token["token"]))
    r = jira.client.get(f"/api/user-skills?accountId={U1}", headers=bearer(b_token["token"]))
    assert r.json == {"skills": []}
    # B's admin cannot revoke A's token, and does not see it.
    assert jira.request(other, "DELETE", f"{TOKENS}/{a_token['id']}", sub=ADMIN).status_code == 404
    assert [t["id"] for t in jira.request(other, "GET", TOKENS, sub=ADMIN).json["tokens"]] == [b_token["id"]]
    assert jira.client.get("/api/skills-by-account", headers=bearer(a_token["token"])).status_code == 200


def test_api_tokens_cannot_manage_tokens(jira, tenant):
    token = create(jira, tenant).json
    client = jira.client
    assert client.post(TOKENS, json={"name": "x"}, headers=bearer(token["token"])).status_code == 403
    assert client.get(TOKENS, headers=bearer(token["token"])).status_code == 403
    assert client.delete(f"{TOKENS}/{token['id']}", headers=bearer(token["token"])).status_code == 403
    assert len(jira.request(tenant, "GET", TOKENS, sub=ADMIN).json["tokens"]) == 1


def test_the_api_reference_names_no_api_token_for_managing_tokens(client):
    """docs/api.md (generated from this document) listed `Bearer <API token>` for POST /api/tokens,
    which answers an API token 403 (the test above): every other operation does take one."""
    doc = client.get("/api/openapi.json").json
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            schemes = {name for requirement in operation["security"] for name in requirement}
            manages_tokens = path.startswith("/api/tokens")
            assert not manages_tokens or "403" in operation["description"], (method, path)
            assert (schemes & {"apiToken", "apiTokenHeader"} == set()) == manages_tokens, (method, path, schemes)
            assert {"connectJwt", "forgeInvocationToken"} <= schemes, (method, path)


def test_non_admin_cannot_manage_tokens(jira, tenant):
    assert create(jira, tenant, sub="plain-user").status_code == 403
    assert jira.request(tenant, "GET", TOKENS, sub="plain-user").status_code == 403
    assert jira.request(tenant, "GET", TOKENS, sub=ADMIN).json == {"tokens": []}


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 3}, {"name": "x" * 101}, {"name": "a\tb"}])
def test_bad_token_names(jira, tenant, body):
    r = jira.request(tenant, "POST", TOKENS, sub=ADMIN, json=body)
    assert r.status_code == 400
    assert jira.request(tenant, "GET", TOKENS, sub=ADMIN).json == {"tokens": []}


@pytest.mark.parametrize("value", ["Bearer nope", "Bearer ", "Bearer " + "x" * 300, "Basic abc"])
def test_unknown_or_malformed_api_tokens(client, tenant, value):
    r = client.get(f"/api/user-skills?accountId={U1}", headers={"Authorization": value})
    assert r.status_code == 401


def test_token_of_uninstalled_tenant_is_refused(jira, tenant):
    token = create(jira, tenant).json["token"]
    jira.uninstall(tenant)
    assert jira.client.get(f"/api/user-skills?accountId={U1}", headers=bearer(token)).status_code == 401


def test_revoke_unknown_token_is_404(jira, tenant):
    r = jira.request(tenant, "DELETE", f"{TOKENS}/does-not-exist", sub=ADMIN)
    assert r.status_code == 404 and r.json["error"] == "not_found"


def test_revoked_token_never_used_again_even_by_admin_listing(jira, tenant):
    token = create(jira, tenant).json
    jira.request(tenant, "DELETE", f"{TOKENS}/{token['id']}", sub=ADMIN)
    assert get(jira, tenant, U1) == []


def test_token_use_is_written_once_a_minute_and_outside_the_request(app, jira, tenant):
    """Authentication adds no write to a read; the first use (and one a minute after) is noted on its own."""
    from datetime import timedelta

    from addon.models import utcnow

    from .conftest import recorded_statements

    token = create(jira, tenant).json
    url = f"/api/user-skills?accountId={U1}"

    def writes() -> list[str]:
        with recorded_statements(app) as statements:
            assert jira.client.get(url, headers=bearer(token["token"])).status_code == 200
        return [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]

    assert [w.split()[1] for w in writes()] == ["api_tokens"]
    first = jira.request(tenant, "GET", TOKENS, sub=ADMIN).json["tokens"][0]["lastUsedAt"]
    assert first is not None
    assert writes() == []
    with app.app_context():  # a minute and more later
        db.session.get(ApiToken, token["id"]).last_used_at = utcnow() - timedelta(minutes=2)
        db.session.commit()
    assert len(writes()) == 1
    assert jira.request(tenant, "GET", TOKENS, sub=ADMIN).json["tokens"][0]["lastUsedAt"] >= first
    # A write authenticated by the token (the request's own transaction) still goes through.
    r = jira.client.put(url, json={"skills": ["Go"]}, headers=bearer(token["token"]))
    assert r.status_code == 200 and get(jira, tenant, U1) == ["Go"]


def test_a_token_of_an_uninstalled_tenant_is_refused_as_an_unknown_one(jira, tenant):
    token = create(jira, tenant).json["token"]
    jira.uninstall(tenant)
    url = f"/api/user-skills?accountId={U1}"
    uninstalled = jira.client.get(url, headers=bearer(token))
    unknown = jira.client.get(url, headers=bearer("jus_" + "x" * 43))
    assert uninstalled.status_code == unknown.status_code == 401
    assert uninstalled.json == unknown.json
