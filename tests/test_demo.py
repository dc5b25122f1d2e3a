"""The demo (`scripts/run --demo`, that is `flask demo`): a demo site on SQLite, its API token, the
context JWTs its pages call the real /api with, the stand-in that answers for its Jira, and the two
refusals: no demo mode but on SQLite with a loopback APP_BASE_URL, and no demo site without it."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import jwt
import pytest
import requests
from flask import Flask

from addon import create_app
from addon.caller import TenantInfo
from addon.connect.jwt import sign_hs256
from addon.demo import DemoRefused, Started, refusal, start
from addon.demo.site import ADMIN, DESIGN_KEY, EXAMPLE_PEOPLE, SITE, UX_KEY
from addon.demo.standin import BASE_URL
from addon.extensions import db
from addon.models import Tenant

from .conftest import APP_KEY, jira_token, make_config
from .demo_support import DEMO_BASE_URL, demo, demo_config, demo_database, made  # noqa: F401 (fixtures)
from .live import REPO, free_port, serve

ALEX, MARIA, SAM = (p.account_id for p in EXAMPLE_PEOPLE)


def context_token(client: Any, account_id: str) -> str:
    response = client.post("/demo/token", json={"accountId": account_id})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["token"]


def as_person(client: Any, account_id: str) -> dict[str, str]:
    return {"Authorization": "JWT " + context_token(client, account_id)}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + token}


# ---------------------------------------------------------------------------------------------
# The demo site

def test_the_demo_site_holds_the_seed_and_a_few_dozen_more(demo):
    app, started = demo
    client = app.test_client()
    assert started.token.startswith("jus_")
    by_account = client.get("/api/skills-by-account", headers=bearer(started.token)).json["skillsByAccountId"]
    # The three accounts of the Skills for Jira API's example, with its skills in its order.
    assert by_account[ALEX][:3] == ["Engineering - Beginner", "JavaScript", "HTML/CSS"]
    assert by_account[MARIA][:4] == ["Marketing - Competent", "Marketing - Expert", "English - Expert",
                                     "Social Media Marketing"]
    assert by_account[SAM] == ["QA - Competent", "Test Automation", "Selenium", "Python"]
    assert 30 <= len(by_account) - 4 <= 60  # a few dozen people more than the seed's and the admin
    # The example's Design > UX tree, keys kept, with its experts.
    experts = client.get("/api/skill-tree/experts", headers=bearer(started.token)).json["experts"]
    design = next(node for node in experts if node["type"] == "category" and node["key"] == DESIGN_KEY)
    ux = next(node for node in design["children"] if node.get("key") == UX_KEY)
    leaves = {leaf["key"]: leaf["experts"] for leaf in ux["children"]}
    assert list(leaves) == ["User Flows", "Wireframes", "Usability Testing"]
    assert {ALEX, MARIA} <= set(leaves["Usability Testing"]) and ALEX in leaves["User Flows"]


def test_each_start_sets_the_site_anew_and_refuses_the_old_credentials(demo, demo_database, key_server, made):
    app, first = demo
    client = app.test_client()
    old_jwt = context_token(client, ALEX)
    assert client.put(f"/api/user-skills?accountId={ALEX}", json={"skills": ["Rust"]},
                      headers=bearer(first.token)).status_code == 200
    again = create_app(demo_config(demo_database, key_server))
    made.append(again)
    second = start(again)
    other = again.test_client()
    assert other.get(f"/api/user-skills?accountId={ALEX}", headers=bearer(first.token)).status_code == 401
    assert other.get(f"/api/user-skills?accountId={ALEX}", headers={"Authorization": "JWT " + old_jwt}).status_code == 401
    answer = other.get(f"/api/user-skills?accountId={ALEX}", headers=bearer(second.token))
    assert answer.status_code == 200 and "Rust" not in answer.json["skills"]


def test_a_write_in_the_pages_is_seen_with_the_printed_token(demo):
    app, started = demo
    client = app.test_client()
    response = client.put(f"/api/user-skills?accountId={SAM}", json={"skills": ["Kotlin"]},
                          headers=as_person(client, SAM))
    assert response.status_code == 200 and response.json == {"added": ["Kotlin"], "existing": []}
    assert client.get(f"/api/user-skills?accountId={SAM}", headers=bearer(started.token)).json["skills"][-1] == "Kotlin"


def test_context_tokens_act_as_the_person_and_jira_says_who_administers(demo):
    app, _ = demo
    client = app.test_client()
    claims = jwt.decode(context_token(client, ALEX), options={"verify_signature": False})
    assert (claims["iss"], claims["sub"], claims["qsh"]) == ("demo", ALEX, "context-qsh")
    # Someone else's skills: only an administrator may, and the stand-in says who is one.
    body = {"skills": ["Negotiation"]}
    refused = client.put(f"/api/user-skills?accountId={SAM}", json=body, headers=as_person(client, ALEX))
    assert refused.status_code == 403
    assert client.put(f"/api/user-skills?accountId={SAM}", json=body, headers=as_person(client, ADMIN.account_id)).status_code == 200
    assert client.get("/api/tokens", headers=as_person(client, ALEX)).status_code == 403
    tokens = client.get("/api/tokens", headers=as_person(client, ADMIN.account_id))
    assert [t["name"] for t in tokens.json["tokens"]] == ["demo"]


def test_tokens_only_for_people_of_the_demo_and_only_from_json(demo):
    client = demo[0].test_client()
    assert client.post("/demo/token", json={"accountId": "5b10ac8d82e05b22cc7d4ef5"}).status_code == 400
    assert client.post("/demo/token", json={}).status_code == 400
    # A form post (what a page of another site can send without asking) gets no token.
    response = client.post("/demo/token", data={"accountId": ALEX})
    assert response.status_code == 415 and "token" not in response.get_data(as_text=True)


def test_the_standin_checks_the_apps_calls_as_jira_does(demo):
    app, _ = demo
    standin = app.extensions["demo"]
    path, query = "/rest/api/3/user/bulk", f"accountId={ALEX}"
    good = sign_hs256("GET", f"{path}?{query}", APP_KEY, standin.shared_secret)
    assert standin.app_call("GET", path, query, "JWT " + good, None)[0] == 200
    for label, token in [("another secret", sign_hs256("GET", f"{path}?{query}", APP_KEY, "x" * 48)),
                         ("another issuer", sign_hs256("GET", f"{path}?{query}", "demo", standin.shared_secret)),
                         ("another call", sign_hs256("GET", path, APP_KEY, standin.shared_secret)),
                         ("expired", sign_hs256("GET", f"{path}?{query}", APP_KEY, standin.shared_secret,
                                                now=time.time() - 3600))]:
        assert standin.app_call("GET", path, query, "JWT " + token, None)[0] == 401, label
    assert standin.app_call("GET", path, query, "", None)[0] == 401
    # The app's own client, signing as it does for any Connect site, reaches it in process.
    with app.app_context():
        tenant = TenantInfo(1, "demo", standin.shared_secret, BASE_URL, True, 0)
        checker = app.extensions["connect"].permissions
        assert checker.is_admin(tenant, ADMIN.account_id) is True
        assert checker.is_admin(tenant, ALEX) is False


def test_the_pages_ask_the_standin_for_names_and_issues(demo):
    app, _ = demo
    client = app.test_client()
    people = client.get(f"/demo/jira/rest/api/3/user/bulk?maxResults=90&accountId={ALEX}&accountId={SAM}&accountId=nobody",
                        headers=as_person(client, MARIA))
    assert people.status_code == 200
    assert [(u["accountId"], u["displayName"]) for u in people.json["values"]] == [(ALEX, "Alex Kim"), (SAM, "Sam Patel")]
    issue = client.get("/demo/jira/rest/api/3/issue/DEMO-1?fields=assignee", headers=as_person(client, MARIA))
    assert issue.json["fields"]["assignee"]["accountId"] == ALEX
    assert client.get("/demo/jira/rest/api/3/issue/DEMO-99", headers=as_person(client, MARIA)).status_code == 404
    for query in ("maxResults=abc&accountId=x", "maxResults=0&accountId=x", "maxResults=%C2%B2&accountId=x", "maxResults=10"):
        bad = client.get(f"/demo/jira/rest/api/3/user/bulk?{query}", headers=as_person(client, MARIA))
        assert bad.status_code == 400 and bad.json["errorMessages"], query
    assert client.get("/demo/jira/rest/api/3/nothing", headers=as_person(client, MARIA)).status_code == 404
    # Only the demo site's people, with a valid token, may ask.
    url = f"/demo/jira/rest/api/3/user/bulk?accountId={ALEX}"
    assert client.get(url).status_code == 401
    forged = jira_token("GET", "/", "demo", "w" * 48, sub=ALEX, context=True)
    assert client.get(url, headers={"Authorization": "JWT " + forged}).status_code == 401
    expired = sign_hs256("GET", "/", "demo", app.extensions["demo"].shared_secret, ttl_seconds=-120, sub=ALEX,
                         qsh="context-qsh")
    assert client.get(url, headers={"Authorization": "JWT " + expired}).status_code == 401
    with app.app_context():  # another site, installed as any Connect site is
        db.session.add(Tenant(client_key="tenant-a", shared_secret="s" * 48, base_url="https://a.atlassian.net"))
        db.session.commit()
    answer = client.get(url, headers={"Authorization": "JWT " + jira_token("GET", "/", "tenant-a", "s" * 48,
                                                                          sub="acc-admin", context=True)})
    assert answer.status_code == 403 and answer.json["error"] == "forbidden"


def test_the_demo_answers_only_under_a_loopback_name(demo):
    """A page of a site whose name resolves to 127.0.0.1 (DNS rebinding) gets no token and no page."""
    client = demo[0].test_client()
    for host in ("skills.attacker.example", "127.0.0.1.nip.example:3000", "10.1.2.3:3000"):
        assert client.post("/demo/token", json={"accountId": ALEX}, headers={"Host": host}).status_code == 403, host
        assert client.get("/demo/", headers={"Host": host}).status_code == 403, host
    for host in ("localhost:3000", "127.0.0.1:3000", "[::1]:3000"):
        assert client.post("/demo/token", json={"accountId": ALEX}, headers={"Host": host}).status_code == 200, host


def test_the_front_door_points_to_the_demo(demo):
    client = demo[0].test_client()
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/demo/")
    page = client.get("/demo/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Dana Reyes (Jira administrator)" in page.get_data(as_text=True)
    framed = client.get(f"/demo/pages/user?as={ALEX}")
    assert framed.status_code == 200 and "host-demo.js" in framed.get_data(as_text=True)
    assert "host-connect.js" not in framed.get_data(as_text=True)
    refused = client.get(f"/demo/pages/admin?as={ALEX}", headers={"Accept": "text/html"})
    assert refused.status_code == 403 and "Only Jira administrators" in refused.get_data(as_text=True)
    for bad in ("/demo/pages/user?accountId=%3Cscript%3E", "/demo/pages/panel?issueKey=DEMO-99",
                "/demo/pages/finder?as=nobody", "/demo/pages/nothing", "/demo/nothing"):
        assert client.get(bad).status_code in (400, 404), bad


# ---------------------------------------------------------------------------------------------
# The refusals

@pytest.mark.parametrize("base_url,database,allowed", [
    ("http://localhost:3000", "sqlite:///x.sqlite3", True),
    ("http://127.0.0.1:3100", "sqlite:///x.sqlite3", True),
    ("http://127.8.9.10", "sqlite:///x.sqlite3", True),
    ("http://[::1]:3000", "sqlite:///x.sqlite3", True),
    ("https://skills.example.com", "sqlite:///x.sqlite3", False),
    ("http://localhost.example.com:3000", "sqlite:///x.sqlite3", False),
    ("http://0.0.0.0:3000", "sqlite:///x.sqlite3", False),
    ("http://10.0.0.5:3000", "sqlite:///x.sqlite3", False),
    ("http://localhost:3000", "postgresql+psycopg://skills:skills@127.0.0.1:1/skills", False),
])
def test_demo_mode_only_on_sqlite_with_a_loopback_base_url(base_url, database, allowed):
    reason = refusal({"SQLALCHEMY_DATABASE_URI": database, "APP_BASE_URL": base_url})
    assert (reason is None) == allowed, reason


def test_demo_mode_refuses_to_start_elsewhere(demo_database, key_server):
    with pytest.raises(DemoRefused, match="loopback APP_BASE_URL"):
        create_app(demo_config(demo_database, key_server, APP_BASE_URL="https://skills.example.com"))
    with pytest.raises(DemoRefused, match="SQLite only"):
        create_app(demo_config("postgresql+psycopg://skills:skills@127.0.0.1:1/skills", key_server,
                               SQLALCHEMY_DATABASE_URI=None))


def test_without_demo_mode_no_demo_pages_and_the_demo_site_is_uninstalled(demo, demo_database, key_server, made):
    app, started = demo
    client = app.test_client()
    jwt_of_alex = context_token(client, ALEX)
    assert client.get(f"/api/user-skills?accountId={ALEX}", headers=bearer(started.token)).status_code == 200
    plain = create_app(make_config(demo_database, key_server.url, APP_BASE_URL=DEMO_BASE_URL))
    made.append(plain)
    other = plain.test_client()
    for path in ("/demo/", "/demo/user", "/demo/pages/finder", "/demo/static/host-demo.js"):
        assert other.get(path).status_code == 404, path
    assert other.post("/demo/token", json={"accountId": ALEX}).status_code == 404
    url = f"/api/user-skills?accountId={ALEX}"
    assert other.get(url, headers=bearer(started.token)).status_code == 401
    assert other.get(url, headers={"Authorization": "JWT " + jwt_of_alex}).status_code == 401
    # ...and on the demo's own process too, at once (the auth epoch moved).
    assert client.get(url, headers=bearer(started.token)).status_code == 401
    home = other.get("/")
    assert home.status_code == 200 and "records who knows what" in home.get_data(as_text=True)
    assert "scripts/run --demo" in home.get_data(as_text=True)


# ---------------------------------------------------------------------------------------------
# `flask demo` as scripts/run --demo starts it

def flask_env(tmp_path: Path) -> dict[str, str]:
    """What scripts/run gives `flask demo`: the defaults (APP_BASE_URL empty: http://localhost:$PORT)."""
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "APP_BASE_URL": "", "LOG_FORMAT": "text"}


def listening(port: int) -> list[str]:
    """The local addresses of the sockets listening on `port`, as /proc/net/tcp and tcp6 list them."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.rsplit(":", 1)
                if state == "0A" and int(hex_port, 16) == port:
                    found.append(address)
    return found


def test_flask_demo_listens_on_127_0_0_1_alone_and_prints_a_working_token(tmp_path):
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    env = {**os.environ, **flask_env(tmp_path)}
    subprocess.run([*flask, "db", "upgrade"], cwd=REPO, env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    with serve([*flask, "demo"], {**flask_env(tmp_path), "PORT": str(port)}, port, tmp_path / "demo.log") as served:
        assert listening(port) == ["0100007F"]  # 127.0.0.1, and nothing on other addresses or IPv6
        printed = served.output()
        assert f"http://127.0.0.1:{port}/demo/" in printed
        token = printed.split("TOKEN=", 1)[1].split()[0]
        answer = requests.get(f"{served.url}/api/skills-by-account", headers=bearer(token), timeout=10)
        assert answer.status_code == 200 and SAM in answer.json()["skillsByAccountId"]
        assert requests.get(f"{served.url}/demo/", timeout=10).status_code == 200
        assert token not in "".join(line for line in printed.splitlines() if "TOKEN=" not in line)


@pytest.mark.parametrize("setting,says", [
    ({"APP_BASE_URL": "https://skills.example.com"}, "loopback APP_BASE_URL"),
    ({"DATABASE_URL": "postgresql://skills:skills@127.0.0.1:1/skills"}, "SQLite only"),
])
def test_flask_demo_refuses_to_start_elsewhere(tmp_path, setting, says):
    port = free_port()
    env = {**os.environ, **flask_env(tmp_path), "PORT": str(port), **setting}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "demo"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert says in done.stderr and "Traceback" not in done.stderr
    assert listening(port) == []
