"""Revocation is immediate on every process: two real gunicorn processes on one database.

Process 1 handles the lifecycle call or the revocation; process 2, whose caches were warmed first
(and keep a tenant for minutes), must refuse the old credential in the very next request.
The README, "Production": once the answer to that request is sent, no process accepts the old credential.
"""
from __future__ import annotations

import json as jsonlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from addon.extensions import db
from addon.models import UserSkill

from .conftest import APP_BASE_URL, APP_KEY, FakeJira, JiraActions, KeyServer, recorded_statements
from .pages_support import signed_page_url
from .test_api_auth import BODY, ROUTES
from .test_pages_http import PAGES

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "acc-admin"
ALICE = "3e63957f-c263-41cd-acda-748560232d49"
SKILLS = f"/api/user-skills?accountId={ALICE}"


class Answer:
    """A requests.Response read the way tests read Flask's test responses."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.text = response.text
        self.headers = response.headers

    @property
    def json(self) -> Any:
        return jsonlib.loads(self.text) if self.text else None

    def get_data(self, as_text: bool = False) -> Any:
        return self.text if as_text else self.text.encode()


class HttpClient:
    """The subset of Flask's test client that JiraActions uses, over real HTTP to one process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def open(self, path: str, method: str = "GET", headers: dict[str, str] | None = None,
             json: Any = None) -> Answer:
        return Answer(self.session.request(method, self.url + path, headers=headers, json=json, timeout=30))

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.open(path, "GET", **kwargs)

    def post(self, path: str, **kwargs: Any) -> Answer:
        return self.open(path, "POST", **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppProcess:
    """The project's app factory under gunicorn, one worker: a process with caches of its own."""

    def __init__(self, config: dict[str, Any], log: Path) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        # gunicorn calls the factory with literal arguments: the settings tests need and the
        # environment has no variable for (plain-http tenants on the fake Jira).
        target = f"addon:create_app({config!r})"
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                 "--threads", "4", "--access-logfile", "-", target],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.url + "/atlassian-connect.json", timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or the worker still booting
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def processes(database_url: str, key_server: KeyServer, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[AppProcess, AppProcess]]:
    config = {
        "APP_BASE_URL": APP_BASE_URL, "APP_KEY": APP_KEY, "DATABASE_URL": database_url,
        "CONNECT_KEYS_URL": key_server.url, "TENANT_HOSTS": "*.atlassian.net,127.0.0.1",
        "TENANT_ALLOW_HTTP": True,
        # Long enough that only a real confirmation, never the cache's expiry, can refuse in time.
        "TENANT_CACHE_SECONDS": 600,
    }
    logs = tmp_path_factory.mktemp("gunicorn")
    started: list[AppProcess] = []
    try:
        for n in (1, 2):
            started.append(AppProcess(config, logs / f"process-{n}.log"))
        yield started[0], started[1]
    finally:
        for process in started:
            process.stop()


@pytest.fixture
def one(processes: tuple[AppProcess, AppProcess], install_key: Any, fake_jira: FakeJira,
        app: Flask) -> JiraActions:
    """Jira talking to process 1: the lifecycle calls, token management, revocations.

    Depends on `app` so that the tables are emptied after the test.
    """
    return JiraActions(HttpClient(processes[0].url), install_key, fake_jira)  # type: ignore[arg-type]


@pytest.fixture
def two(processes: tuple[AppProcess, AppProcess], install_key: Any, fake_jira: FakeJira) -> JiraActions:
    """Jira (and its iframes) talking to process 2, whose caches the test warms first."""
    return JiraActions(HttpClient(processes[1].url), install_key, fake_jira)  # type: ignore[arg-type]


def client_key() -> str:
    # Each test its own site: the processes outlive a test's rows, and their caches with them.
    return "site-" + uuid.uuid4().hex[:12]


def stored_skills(app: Flask, account_id: str) -> list[int]:
    with app.app_context():
        return list(db.session.execute(select(UserSkill.skill_id).where(UserSkill.account_id == account_id))
                    .scalars())


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + secret}


def test_uninstall_is_refused_at_once_by_the_other_process(one: JiraActions, two: JiraActions, app: Flask) -> None:
    tenant = one.install(client_key(), admins={ADMIN})
    created = one.request(tenant, "POST", "/api/tokens", sub=ADMIN, json={"name": "script"})
    assert created.status_code == 201, created.text
    api_token = created.json["token"]
    # Warm process 2: the tenant (and its secret) cached, a cached whole-tenant answer, a write.
    assert two.request(tenant, "PUT", SKILLS, sub=ALICE, context=True, json={"skills": ["Before"]}).status_code == 200
    assert two.request(tenant, "GET", SKILLS, sub=ALICE).json == {"skills": ["Before"]}
    assert two.request(tenant, "GET", "/api/skills-by-account", sub=ALICE).status_code == 200
    assert two.client.get(SKILLS, headers=bearer(api_token)).status_code == 200
    held = stored_skills(app, ALICE)

    one.uninstall(tenant)

    refused = {
        "hot read": two.request(tenant, "GET", SKILLS, sub=ALICE),
        "context-token write": two.request(tenant, "PUT", SKILLS, sub=ALICE, context=True,
                                           json={"skills": ["After"]}),
        "remove": two.request(tenant, "DELETE", SKILLS, sub=ALICE, context=True, json={"skills": ["Before"]}),
        "cached answer": two.request(tenant, "GET", "/api/skills-by-account", sub=ALICE),
        "tree": two.request(tenant, "GET", "/api/skill-tree", sub=ALICE),
        "bad input": two.request(tenant, "PUT", SKILLS, sub=ALICE, context=True, json={"skills": [""]}),
        "API token": two.client.get(SKILLS, headers=bearer(api_token)),
    }
    assert {what: answer.status_code for what, answer in refused.items()} == {what: 401 for what in refused}
    assert all(answer.json["error"] == "unauthorized" for answer in refused.values())
    assert stored_skills(app, ALICE) == held


def test_a_new_secret_refuses_the_old_one_at_once_on_the_other_process(one: JiraActions, two: JiraActions,
                                                                       app: Flask) -> None:
    old = one.install(client_key(), secret="first-secret-" + uuid.uuid4().hex, admins={ADMIN})
    assert two.request(old, "GET", SKILLS, sub=ALICE).status_code == 200
    assert two.request(old, "PUT", SKILLS, sub=ALICE, context=True, json={"skills": ["Before"]}).status_code == 200
    held = stored_skills(app, ALICE)

    new = one.install(old.client_key, secret="second-secret-" + uuid.uuid4().hex, admins={ADMIN})

    assert two.request(old, "GET", SKILLS, sub=ALICE).status_code == 401
    assert two.request(old, "PUT", SKILLS, sub=ALICE, context=True, json={"skills": ["Old"]}).status_code == 401
    assert stored_skills(app, ALICE) == held
    assert two.request(new, "GET", SKILLS, sub=ALICE).json == {"skills": ["Before"]}
    assert two.request(new, "PUT", SKILLS, sub=ALICE, context=True, json={"skills": ["New"]}).status_code == 200
    assert two.request(old, "GET", SKILLS, sub=ALICE).status_code == 401


def test_a_reinstall_with_the_same_secret_keeps_working_on_the_other_process(one: JiraActions,
                                                                             two: JiraActions) -> None:
    """The epoch moved but the credential did not: process 2 carries on, its reads and writes right."""
    tenant = one.install(client_key(), admins={ADMIN})
    assert two.request(tenant, "PUT", SKILLS, sub=ALICE, context=True, json={"skills": ["Go"]}).status_code == 200
    assert two.request(tenant, "GET", "/api/skills-by-account", sub=ALICE).status_code == 200
    one.install(tenant.client_key, secret=tenant.secret, admins={ADMIN})
    assert two.request(tenant, "GET", SKILLS, sub=ALICE).json == {"skills": ["Go"]}
    one.install(tenant.client_key, secret=tenant.secret, admins={ADMIN})
    answer = two.request(tenant, "PUT", SKILLS, sub=ALICE, context=True, json={"skills": ["Rust"]})
    assert answer.status_code == 200 and answer.json == {"added": ["Rust"], "existing": []}
    one.install(tenant.client_key, secret=tenant.secret, admins={ADMIN})
    assert two.request(tenant, "GET", "/api/skills-by-account", sub=ALICE).json == {
        "skillsByAccountId": {ALICE: ["Go", "Rust"]}}


def test_a_level_change_is_seen_at_once_by_the_other_process(one: JiraActions, two: JiraActions) -> None:
    """Process 2 keeps whole-tenant answers (levels included) while unchanged: a write on process 1
    reaches every one of its level reads in the next request."""
    tenant = one.install(client_key(), admins={ADMIN})
    levels_url = f"/api/user-skill-levels?accountId={ALICE}"
    assert one.request(tenant, "PATCH", levels_url, sub=ALICE, context=True,
                       json={"levels": {"Go": 2, "Rust": None}}).status_code == 200

    def seen() -> tuple[Any, ...]:
        return (two.request(tenant, "GET", "/api/skill-levels-by-account", sub=ALICE).json,
                two.request(tenant, "GET", levels_url, sub=ALICE).json["skills"],
                two.request(tenant, "GET", "/api/skill-tree/skill-experts?skill=Go", sub=ALICE).json["levels"],
                two.request(tenant, "GET", "/api/levels", sub=ALICE).json["expertLevel"])

    go, rust = {"name": "Go", "level": 2}, {"name": "Rust", "level": None}
    assert seen() == ({"levelsByAccountId": {ALICE: [go, rust]}}, [go, rust], {ALICE: 2}, 3)
    assert one.request(tenant, "PATCH", levels_url, sub=ALICE, context=True,
                       json={"levels": {"Go": 4}}).status_code == 200
    go = {"name": "Go", "level": 4}
    assert seen() == ({"levelsByAccountId": {ALICE: [go, rust]}}, [go, rust], {ALICE: 4}, 3)
    scale = {"levels": [{"name": "Some"}, {"name": "More"}, {"name": "Most"}], "expertLevel": 2}
    assert one.request(tenant, "PUT", "/api/levels", sub=ADMIN, json=scale).status_code == 200
    go = {"name": "Go", "level": 3}
    assert seen() == ({"levelsByAccountId": {ALICE: [go, rust]}}, [go, rust], {ALICE: 3}, 2)
    bulk = {"levelsByAccountId": {ALICE: [{"name": "Rust", "level": 1}]}}
    assert one.request(tenant, "POST", "/api/skill-levels-by-account", sub=ADMIN, json=bulk).status_code == 200
    rust = {"name": "Rust", "level": 1}
    assert seen() == ({"levelsByAccountId": {ALICE: [rust]}}, [rust], {}, 2)  # Go: in the catalogue, held by none


def test_a_revoked_api_token_is_refused_at_once_by_the_other_process(one: JiraActions, two: JiraActions) -> None:
    tenant = one.install(client_key(), admins={ADMIN})
    created = one.request(tenant, "POST", "/api/tokens", sub=ADMIN, json={"name": "script"}).json
    assert two.client.get(SKILLS, headers=bearer(created["token"])).status_code == 200
    assert two.client.open(SKILLS, "PUT", headers=bearer(created["token"]),
                           json={"skills": ["Go"]}).status_code == 200

    assert one.request(tenant, "DELETE", f"/api/tokens/{created['id']}", sub=ADMIN).status_code == 204

    assert two.client.get(SKILLS, headers=bearer(created["token"])).status_code == 401
    assert two.client.open(SKILLS, "PUT", headers=bearer(created["token"]),
                           json={"skills": ["Rust"]}).status_code == 401
    assert two.request(tenant, "GET", SKILLS, sub=ALICE).json == {"skills": ["Go"]}


# ---------------------------------------------------------------------------------------------
# Every route, two app instances in this process (each its own caches), and what it costs


def table_rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    with app.app_context(), db.engine.connect() as connection:
        return {table.name: sorted(map(tuple, connection.execute(table.select())), key=repr)
                for table in db.metadata.sorted_tables}


@pytest.fixture
def stale(another_app: Any) -> Flask:
    """A second app instance whose tenant cache would keep a copy for ten minutes."""
    return another_app(TENANT_CACHE_SECONDS=600)


@pytest.mark.parametrize("method,url", ROUTES)
def test_every_route_refuses_a_cached_tenant_uninstalled_elsewhere_and_changes_nothing(
        jira: JiraActions, app: Flask, stale: Flask, method: str, url: str) -> None:
    tenant = jira.install("tenant-a", admins={ADMIN})
    client = stale.test_client()
    warm = client.get(SKILLS, headers=jira.headers(tenant, "GET", SKILLS, sub=ADMIN))
    assert warm.status_code == 200
    jira.uninstall(tenant)
    before = table_rows(app)
    response = client.open(url, method=method, json=BODY, headers=jira.headers(tenant, method, url, sub=ADMIN))
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.json["error"] == "unauthorized"
    assert table_rows(app) == before


@pytest.mark.parametrize("path", PAGES)
def test_every_page_refuses_a_cached_tenant_uninstalled_elsewhere(jira: JiraActions, stale: Flask, path: str) -> None:
    tenant = jira.install("tenant-a", admins={ADMIN})
    client = stale.test_client()
    assert client.get(signed_page_url(tenant, path, sub=ADMIN)).status_code == 200
    jira.uninstall(tenant)
    assert client.get(signed_page_url(tenant, path, sub=ADMIN)).status_code == 401


def test_enable_and_disable_callbacks_refuse_the_old_secret_after_a_rotation_elsewhere(
        jira: JiraActions, app: Flask, stale: Flask) -> None:
    old = jira.install("tenant-a", admins={ADMIN})
    body = {"key": APP_KEY, "clientKey": old.client_key, "sharedSecret": old.secret, "baseUrl": old.base_url,
            "eventType": "disabled"}
    client = stale.test_client()
    assert client.post("/lifecycle/disabled", json=body,
                       headers=jira.headers(old, "POST", "/lifecycle/disabled", sub=None)).status_code == 204
    new = jira.install("tenant-a", secret="rotated-" + uuid.uuid4().hex, admins={ADMIN})
    before = table_rows(app)
    refused = client.post("/lifecycle/disabled", json=body,
                          headers=jira.headers(old, "POST", "/lifecycle/disabled", sub=None))
    assert refused.status_code == 401 and table_rows(app) == before
    assert client.post("/lifecycle/disabled", json={**body, "sharedSecret": new.secret},
                       headers=jira.headers(new, "POST", "/lifecycle/disabled", sub=None)).status_code == 204


def test_the_hot_read_confirms_the_tenant_within_its_one_statement(jira: JiraActions, app: Flask,
                                                                   stale: Flask) -> None:
    tenant = jira.install("tenant-a", admins={ADMIN})
    client = stale.test_client()
    assert client.put(SKILLS, json={"skills": ["Go"]},
                      headers=jira.headers(tenant, "PUT", SKILLS, sub=ALICE)).status_code == 200

    def read() -> tuple[Any, list[str]]:
        with recorded_statements(stale) as statements:
            answer = client.get(SKILLS, headers=jira.headers(tenant, "GET", SKILLS, sub=ALICE))
        return answer, statements

    answer, statements = read()
    assert answer.json == {"skills": ["Go"]}
    assert len(statements) == 1 and "auth_epoch" in statements[0], statements
    # Another process re-installs with the same secret: the first read finds its copy stale and
    # proves the token again (a second look at the tenant), the next is back to one statement.
    jira.install("tenant-a", secret=tenant.secret, admins={ADMIN})
    answer, statements = read()
    assert answer.json == {"skills": ["Go"]} and len(statements) == 2
    answer, statements = read()
    assert answer.json == {"skills": ["Go"]} and len(statements) == 1


def test_a_cached_whole_tenant_answer_confirms_the_tenant_within_its_one_statement(
        jira: JiraActions, stale: Flask) -> None:
    tenant = jira.install("tenant-a", admins={ADMIN})
    client = stale.test_client()
    assert client.put(SKILLS, json={"skills": ["Go"]},
                      headers=jira.headers(tenant, "PUT", SKILLS, sub=ALICE)).status_code == 200
    for url in ("/api/skills-by-account", "/api/skill-tree/experts", "/api/skill-levels-by-account"):
        first = client.get(url, headers=jira.headers(tenant, "GET", url, sub=ALICE)).get_data()
        with recorded_statements(stale) as statements:
            again = client.get(url, headers=jira.headers(tenant, "GET", url, sub=ALICE)).get_data()
        assert again == first
        assert len(statements) == 1 and "auth_epoch" in statements[0] and "data_version" in statements[0]


def test_a_write_confirms_the_tenant_in_the_statement_that_locks_it(jira: JiraActions, stale: Flask) -> None:
    """No statement is added to a write: the version bump's UPDATE returns the epoch."""
    tenant = jira.install("tenant-a", admins={ADMIN})
    client = stale.test_client()
    client.get(SKILLS, headers=jira.headers(tenant, "GET", SKILLS, sub=ALICE))
    with recorded_statements(stale) as statements:
        answer = client.put(SKILLS, json={"skills": ["Go"]}, headers=jira.headers(tenant, "PUT", SKILLS, sub=ALICE))
    assert answer.status_code == 200
    on_tenants = [s for s in statements if " tenants" in s]
    assert len(on_tenants) == 1 and on_tenants[0].lstrip().startswith("UPDATE") and "auth_epoch" in on_tenants[0]


def test_a_token_of_a_tenant_uninstalled_elsewhere_is_refused_at_once(jira: JiraActions, stale: Flask) -> None:
    tenant = jira.install("tenant-a", admins={ADMIN})
    secret = jira.request(tenant, "POST", "/api/tokens", sub=ADMIN, json={"name": "script"}).json["token"]
    client = stale.test_client()
    assert client.get(SKILLS, headers=bearer(secret)).status_code == 200
    jira.uninstall(tenant)
    assert client.get(SKILLS, headers=bearer(secret)).status_code == 401
    assert client.put(SKILLS, json={"skills": ["Go"]}, headers=bearer(secret)).status_code == 401
