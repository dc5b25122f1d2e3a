"""The pages over HTTP: each first load needs the jwt Jira signs for the iframe URL; headers that let
only Jira frame them and only our scripts and Atlassian's run in them; the descriptor's modules."""
from __future__ import annotations

import re

import pytest

from .conftest import APP_KEY, JiraActions, jira_token
from .pages_support import JIRA_PARAMS, signed_page_url

ADMIN = "acc-admin"
# What Chromium sends when it loads a document into an iframe.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

PAGES = [
    "/pages/finder",
    "/pages/user?accountId=acc-bob",
    "/panels/issue?issueKey=PRJ-12",
    "/pages/admin",
]


@pytest.fixture
def tenant(jira: JiraActions):
    return jira.install("tenant-a", admins={ADMIN})


def page_url(path: str) -> str:
    return path + ("&" if "?" in path else "?") + JIRA_PARAMS


@pytest.mark.parametrize("path", PAGES)
def test_each_page_loads_with_the_jwt_jira_signs(client, tenant, path):
    response = client.get(signed_page_url(tenant, path, sub=ADMIN))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'id="page-data"' in html
    assert "<script>" not in html  # no inline script: data travels as application/json


def refusals(tenant):
    """Ways a first load can be wrong, each signed as an attacker or a confused client would."""
    def token(path, **kwargs):
        return page_url(path) + "&jwt=" + jira_token("GET", page_url(path), tenant.client_key, tenant.secret,
                                                     sub=ADMIN, **kwargs)
    return {
        "no jwt": lambda path: (page_url(path), {}),
        "expired": lambda path: (token(path, exp_in=-120), {}),
        "context token": lambda path: (page_url(path) + "&jwt=" + jira_token(
            "GET", "/", tenant.client_key, tenant.secret, sub=ADMIN, context=True), {}),
        "wrong secret": lambda path: (page_url(path) + "&jwt=" + jira_token(
            "GET", page_url(path), tenant.client_key, "another-secret-" + "x" * 32, sub=ADMIN), {}),
        "signed for another URL": lambda path: (page_url(path) + "&jwt=" + jira_token(
            "GET", page_url("/pages/finder?x=1"), tenant.client_key, tenant.secret, sub=ADMIN), {}),
        "unknown tenant": lambda path: (page_url(path) + "&jwt=" + jira_token(
            "GET", page_url(path), "tenant-z", tenant.secret, sub=ADMIN), {}),
        "context token in header": lambda path: (page_url(path), {"Authorization": "JWT " + jira_token(
            "GET", "/", tenant.client_key, tenant.secret, sub=ADMIN, context=True)}),
    }


REFUSALS = ["no jwt", "expired", "context token", "wrong secret", "signed for another URL", "unknown tenant",
            "context token in header"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("case", REFUSALS)
def test_each_page_refuses_a_load_without_a_valid_jwt(client, tenant, path, case):
    url, headers = refusals(tenant)[case](path)
    response = client.get(url, headers={**headers, "Accept": BROWSER_ACCEPT})
    assert response.status_code == 401
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "could not be shown" in html
    assert "page-data" not in html
    assert "API token" not in html  # pages take only Jira's signed link
    assert "eyJ" not in html  # no token is echoed back
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("path", PAGES)
def test_each_page_refuses_an_api_token(client, jira, tenant, path):
    created = jira.request(tenant, "POST", "/api/tokens", sub=ADMIN, json={"name": "script"})
    assert created.status_code == 201
    secret = created.json["token"]
    response = client.get(page_url(path), headers={"Authorization": "Bearer " + secret})
    assert response.status_code == 401


@pytest.mark.parametrize("path", PAGES)
def test_each_page_refuses_an_uninstalled_tenant(client, jira, tenant, path):
    url = signed_page_url(tenant, path, sub=ADMIN)
    jira.uninstall(tenant)
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("path", PAGES)
def test_page_headers_let_only_jira_frame_and_only_us_and_atlassian_run_scripts(client, tenant, path):
    response = client.get(signed_page_url(tenant, path, sub=ADMIN))
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"].split() == ["'self'", "https://connect-cdn.atl-paas.net"]
    ancestors = csp["frame-ancestors"].split()
    assert ancestors[0] == "'self'"
    # TENANT_HOSTS of the tests: *.atlassian.net and 127.0.0.1 (the fake Jira, on loopback http).
    assert "https://*.atlassian.net" in ancestors
    assert "https://127.0.0.1" in ancestors
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == "'none'"
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert '<script src="https://connect-cdn.atl-paas.net/all.js"></script>' in html


def test_script_source_follows_the_configured_all_js(app_config, tenant):
    from addon import create_app
    from addon.extensions import db

    app = create_app({**app_config, "CONNECT_JS_URL": "http://127.0.0.1:9/stand-in/all.js",
                      "TENANT_HOSTS": "*.atlassian.net,*.jira.com", "TENANT_ALLOW_HTTP": False})
    response = app.test_client().get(signed_page_url(tenant, "/pages/finder", sub="acc-1"))
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' http://127.0.0.1:9;" in csp
    assert "frame-ancestors 'self' https://*.atlassian.net https://*.jira.com" in csp
    assert 'src="http://127.0.0.1:9/stand-in/all.js"' in response.get_data(as_text=True)


def test_admin_page_refuses_someone_who_is_not_a_jira_admin(client, tenant):
    response = client.get(signed_page_url(tenant, "/pages/admin", sub="acc-not-admin"),
                          headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 403
    assert "Only Jira administrators" in response.get_data(as_text=True)


def test_user_page_is_the_viewers_own_without_an_account_id(client, tenant):
    response = client.get(signed_page_url(tenant, "/pages/user?accountId=", sub="acc-me"))
    assert response.status_code == 200
    data = page_data(response)
    assert data["accountId"] == "acc-me" and data["own"] is True and data["canEdit"] is True


def test_user_page_is_read_only_for_others_and_editable_for_admins(client, tenant):
    other = page_data(client.get(signed_page_url(tenant, "/pages/user?accountId=acc-bob", sub="acc-me")))
    assert other["accountId"] == "acc-bob" and other["own"] is False and other["canEdit"] is False
    admin = page_data(client.get(signed_page_url(tenant, "/pages/user?accountId=acc-bob", sub=ADMIN)))
    assert admin["canEdit"] is True


@pytest.mark.parametrize("path", ["/pages/user?accountId=not%20an%20id", "/panels/issue", "/panels/issue?issueKey=../x"])
def test_bad_page_parameters_are_a_400_page(client, tenant, path):
    response = client.get(signed_page_url(tenant, path, sub="acc-me"), headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 400
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_page_errors_for_anything_but_a_browser_are_the_contracts_json(client, tenant, path, accept):
    response = client.get(page_url(path), headers={"Accept": accept} if accept else {})
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized" and response.json["message"]
    forbidden = client.get(signed_page_url(tenant, "/pages/admin", sub="acc-not-admin"),
                           headers={"Accept": accept} if accept else {})
    assert forbidden.status_code == 403 and forbidden.json["error"] == "forbidden"


def test_page_data_is_escaped_json_that_cannot_close_its_script_block(client, tenant):
    evil = "acc-1</script><script>alert(1)</script>"
    response = client.get(signed_page_url(tenant, "/pages/finder", sub=evil))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert page_data(response)["viewer"] == evil


def test_static_files_need_no_jwt(client):
    for name in ("pages.css", "common.js", "user.js", "finder.js", "panel.js", "admin.js", "csv.js"):
        response = client.get("/pages/static/" + name)
        assert response.status_code == 200, name
        response.close()


def page_data(response):
    import json

    match = re.search(r'<script type="application/json" id="page-data">(.*?)</script>',
                      response.get_data(as_text=True), re.S)
    assert match, response.get_data(as_text=True)
    return json.loads(match.group(1))


# ---------------------------------------------------------------------------------------------
# The descriptor's modules

def descriptor_modules(client):
    return client.get("/atlassian-connect.json").json["modules"]


def module_url(url: str) -> str:
    """A module URL as Jira fills in its context parameters."""
    return url.replace("{ac.accountId}", "").replace("{issue.key}", "PRJ-7").replace("{issue.id}", "10007")


def test_descriptor_declares_the_pages_where_jira_shows_them(client):
    modules = descriptor_modules(client)
    pages = {page["key"]: page for page in modules["generalPages"]}
    assert pages["skills-finder"]["location"] == "system.top.navigation.bar"
    assert pages["user-skills"]["url"] == "/pages/user?accountId={ac.accountId}"
    [item] = modules["webItems"]
    assert item["location"] == "system.user.options/personal"
    assert item["context"] == "page" and item["url"] in pages  # a web item that opens our general page
    [panel] = modules["webPanels"]
    assert panel["location"] == "atl.jira.view.issue.right.context"
    assert "{issue.key}" in panel["url"] and "issueId={issue.id}" in panel["url"]
    [admin] = modules["adminPages"]
    assert {"condition": "user_is_admin"} in admin["conditions"]
    # Every module but a webhook has a key (Atlassian's Webhook module has none).
    keys = [m["key"] for kind, items in modules.items() if kind != "webhooks" for m in items]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9-]+", key) for key in keys)


def test_every_descriptor_module_url_routes_to_a_page_of_ours(client, tenant):
    modules = descriptor_modules(client)
    urls = [m["url"] for kind in ("generalPages", "webPanels", "adminPages") for m in modules[kind]]
    assert len(urls) == 4
    for url in urls:
        response = client.get(signed_page_url(tenant, module_url(url), sub=ADMIN))
        assert response.status_code == 200, (url, response.get_data(as_text=True))
        assert response.mimetype == "text/html"
        assert page_data(response)["appKey"] == APP_KEY


def test_page_module_keys_the_scripts_navigate_to_exist(client):
    from addon import pages

    keys = {m["key"] for kind, items in descriptor_modules(client).items() if kind != "webhooks" for m in items}
    assert {pages.FINDER_MODULE, pages.USER_MODULE, pages.ADMIN_MODULE} <= keys


@pytest.mark.parametrize("issue_id", ["abc", "0", "1234567890123456789", "-1"])
def test_the_issue_panel_refuses_an_issue_id_that_is_not_one(client, tenant, issue_id):
    response = client.get(signed_page_url(tenant, f"/panels/issue?issueKey=PRJ-7&issueId={issue_id}", sub=ADMIN),
                          headers={"Accept": "text/html"})
    assert response.status_code == 400 and "numeric id" in response.get_data(as_text=True)
