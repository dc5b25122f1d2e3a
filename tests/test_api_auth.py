"""Every /api route refuses every bad token (401), whatever the method: Connect JWTs, API tokens and
Forge Invocation Tokens alike."""
from __future__ import annotations

import logging
import time

import jwt
import pytest
from atlassian_jwt.url_utils import hash_url


from .conftest import jira_token
from .fits import BAD_FITS, fit_claims, sign_fit, snapshot

ROUTES = [
    ("GET", "/api/user-skills?accountId=u-1"), ("PUT", "/api/user-skills?accountId=u-1"),
    ("DELETE", "/api/user-skills?accountId=u-1"), ("GET", "/api/skills-by-account"),
    ("POST", "/api/skills-by-account"), ("GET", "/api/skill-tree/experts"), ("GET", "/api/skill-tree/expert-counts"),
    ("GET", "/api/skill-tree/skill-experts?skill=x"), ("GET", "/api/skill-tree"),
    ("PUT", "/api/skill-tree"), ("POST", "/api/skill-tree/categories"),
    ("PATCH", "/api/skill-tree/categories/00000000-0000-4000-8000-000000000000"),
    ("DELETE", "/api/skill-tree/categories/00000000-0000-4000-8000-000000000000"),
    ("PUT", "/api/skill-tree/categories/00000000-0000-4000-8000-000000000000/skills"),
    ("POST", "/api/tokens"), ("GET", "/api/tokens"), ("DELETE", "/api/tokens/some-id"),
    ("GET", "/api/issue-skills?issueId=10001"), ("PUT", "/api/issue-skills?issueId=10001"),
    ("GET", "/api/issue-skills/suggestions?issueId=10001"), ("POST", "/api/match"),
    ("GET", "/api/levels"), ("PUT", "/api/levels"), ("GET", "/api/user-skill-levels?accountId=u-1"),
    ("PATCH", "/api/user-skill-levels?accountId=u-1"), ("GET", "/api/skill-levels-by-account"),
    ("POST", "/api/skill-levels-by-account"), ("POST", "/api/levels/split-suffixes"),
]
BODY = {"skills": ["x"], "skillsByAccountId": {"u-1": ["x"]}, "skillTree": [], "displayName": "x", "name": "x",
        "levels": {"x": 2}, "expertLevel": 2, "levelsByAccountId": {"u-1": [{"name": "x", "level": 2}]},
        "apply": True}


def test_route_list_covers_every_api_route(app):
    """If a route is added without being listed here, this fails."""
    listed = {(m, p.split("?")[0].replace("00000000-0000-4000-8000-000000000000", "<key>")
               .replace("some-id", "<token_id>")) for m, p in ROUTES}
    actual = {(m, r.rule) for r in app.url_map.iter_rules() if r.rule.startswith("/api/")
              and r.rule != "/api/openapi.json" for m in r.methods - {"HEAD", "OPTIONS"}}
    assert actual == listed


def bad_tokens(tenant, other, method, url):
    now = int(time.time())
    yield "no token", {}
    yield "wrong secret", {"Authorization": "JWT " + jira_token(method, url, tenant.client_key, "w" * 40)}
    yield "expired", {"Authorization": "JWT " + jira_token(method, url, tenant.client_key, tenant.secret, exp_in=-120)}
    yield "alg none", {"Authorization": "JWT " + jwt.encode(
        {"iss": tenant.client_key, "exp": now + 60, "qsh": hash_url(method, url)}, None, algorithm="none")}
    yield "HS512", {"Authorization": "JWT " + jira_token(method, url, tenant.client_key, tenant.secret * 2, algorithm="HS512")}
    yield "qsh of another URL", {"Authorization": "JWT " + jira_token(method, "/api/other", tenant.client_key, tenant.secret)}
    yield "unknown tenant", {"Authorization": "JWT " + jira_token(method, url, "tenant-zz", tenant.secret)}
    yield "B named, A's secret", {"Authorization": "JWT " + jira_token(method, url, other.client_key, tenant.secret)}
    yield "unknown API token", {"Authorization": "Bearer jus_not-a-token"}
    yield "unknown API token header", {"Authorization-Skills": "jus_not-a-token"}


@pytest.mark.parametrize("method,url", ROUTES)
def test_bad_tokens_get_401_json(jira, method, url):
    tenant = jira.install("tenant-a", admins={"admin-1"})
    other = jira.install("tenant-b", admins={"admin-1"})
    for label, headers in bad_tokens(tenant, other, method, url):
        response = jira.client.open(url, method=method, json=BODY, headers=headers)
        assert response.status_code == 401, (label, response.get_data(as_text=True))
        assert response.json["error"] == "unauthorized", label


@pytest.mark.parametrize("method,url", ROUTES)
def test_uninstalled_tenant_gets_401(jira, method, url):
    tenant = jira.install("tenant-a", admins={"admin-1"})
    jira.uninstall(tenant)
    response = jira.request(tenant, method, url, sub="admin-1", json=BODY)
    assert response.status_code == 401


def test_openapi_document_lists_every_route(client):
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    documented = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    expected = {(m, p.split("?")[0].replace("00000000-0000-4000-8000-000000000000", "{key}")
                 .replace("some-id", "{id}")) for m, p in ROUTES}
    assert documented == expected


# ---------------------------------------------------------------------------------------------
# Forge Invocation Tokens: the same matrix, for every route

def bad_fits(forge, site, other):
    """Every FIT that must be refused for `site`, the installation and user being otherwise good."""
    for label, make in sorted(BAD_FITS.items()):
        yield label, make(forge, site)
    # A's installation naming B's site: a token cannot choose whose data it reaches.
    yield "A's installation, B's site", sign_fit(fit_claims(site.installation_id, site.api_base_url, other.cloud_id),
                                                 forge.private_key, forge.kid)
    # A Bearer JWT is read as a FIT, never as an API token: a Connect token sent as Bearer is refused.
    yield "a Connect JWT as Bearer", jira_token("GET", "/", "tenant-a", "s" * 40, sub="user-1", context=True)


@pytest.mark.parametrize("method,url", ROUTES)
def test_bad_fits_get_401_json_change_nothing_and_log_no_token(app, client, forge, caplog, method, url):
    caplog.set_level(logging.DEBUG)
    # user-1 is an administrator of both sites: only the token can stand in the way.
    site, other = forge.site(admins={"user-1"}), forge.site(admins={"user-1"})
    for installed in (site, other):
        assert client.put("/api/user-skills?accountId=user-1", json={"skills": ["Kept"]},
                          headers=forge.headers(installed)).status_code == 200
    before = snapshot(app)
    tokens = list(bad_fits(forge, site, other))
    for label, token in tokens:
        response = client.open(url, method=method, json=BODY,
                               headers={"Authorization": "Bearer " + token, "x-forge-oauth-system": site.system_token})
        assert response.status_code == 401, (label, response.get_data(as_text=True))
        assert response.json["error"] == "unauthorized", label
        assert token not in response.get_data(as_text=True)
    assert snapshot(app) == before
    for _label, token in tokens:
        assert token not in caplog.text and token.split(".")[1] not in caplog.text
    assert site.system_token not in caplog.text
    # The control: a good FIT of the same user passes authentication on this route.
    good = client.open(url, method=method, json=BODY, headers=forge.headers(site))
    assert good.status_code != 401, good.get_data(as_text=True)


@pytest.mark.parametrize("method,url", ROUTES)
def test_a_fit_of_an_uninstalled_installation_gets_401(app, client, forge, method, url):
    site = forge.site(admins={"user-1"})
    assert client.get("/api/user-skills?accountId=user-1", headers=forge.headers(site)).status_code == 200
    forge.event(site, "avi:forge:uninstalled:app")
    before = snapshot(app)
    response = client.open(url, method=method, json=BODY, headers=forge.headers(site))
    assert response.status_code == 401 and response.json["error"] == "unauthorized"
    assert snapshot(app) == before


def test_with_the_forge_front_off_every_fit_gets_401(another_app, forge):
    off = another_app(FORGE_APP_ID="").test_client()
    site = forge.site(admins={"user-1"})
    for method, url in ROUTES:
        response = off.open(url, method=method, json=BODY, headers=forge.headers(site))
        assert response.status_code == 401, (method, url)
