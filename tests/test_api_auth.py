"""Every /api route refuses every bad token (401), whatever the method."""
from __future__ import annotations

import time

import jwt
import pytest
from atlassian_jwt.url_utils import hash_url


from .conftest import jira_token

ROUTES = [
    ("GET", "/api/user-skills?accountId=u-1"), ("PUT", "/api/user-skills?accountId=u-1"),
    ("DELETE", "/api/user-skills?accountId=u-1"), ("GET", "/api/skills-by-account"),
    ("POST", "/api/skills-by-account"), ("GET", "/api/skill-tree/experts"), ("GET", "/api/skill-tree"),
    ("PUT", "/api/skill-tree"), ("POST", "/api/skill-tree/categories"),
    ("PATCH", "/api/skill-tree/categories/00000000-0000-4000-8000-000000000000"),
    ("DELETE", "/api/skill-tree/categories/00000000-0000-4000-8000-000000000000"),
    ("PUT", "/api/skill-tree/categories/00000000-0000-4000-8000-000000000000/skills"),
    ("POST", "/api/tokens"), ("GET", "/api/tokens"), ("DELETE", "/api/tokens/some-id"),
]
BODY = {"skills": ["x"], "skillsByAccountId": {"u-1": ["x"]}, "skillTree": [], "displayName": "x", "name": "x"}


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
