"""Database connections: configuration, the hot read's statement, and a server that drops connections.

The dropped-connection tests need PostgreSQL (a SQLite file has no connections to lose); there the
server really ends the app's connections, as a restart or a failover does.
"""
from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url

from addon.config import load
from addon.extensions import db

from .conftest import JiraActions

ALICE = "3e63957f-c263-41cd-acda-748560232d49"
READ = f"/api/user-skills?accountId={ALICE}"


def test_database_urls_and_engine_options(tmp_path) -> None:
    postgres = load(str(tmp_path), environ={"DATABASE_URL": "postgres://u:p@db.example/skills"})
    assert postgres["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert postgres["SQLALCHEMY_ENGINE_OPTIONS"] == {}
    sqlite = load(str(tmp_path), environ={})
    assert sqlite["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    chosen = load(str(tmp_path), {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 3}}, environ={})
    assert chosen["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_size": 3}


def test_hot_read_sees_every_committed_write_in_order(client, jira: JiraActions) -> None:
    tenant = jira.install("tenant-a", admins={ALICE})
    for batch in (["Python"], ["Go", "Rust"], ["SQL"]):
        response = jira.request(tenant, "PUT", READ, sub=ALICE, json={"skills": batch})
        assert response.status_code == 200, response.get_data(as_text=True)
    response = jira.request(tenant, "GET", READ, sub=ALICE)
    assert response.get_json() == {"skills": ["Python", "Go", "Rust", "SQL"]}
    # The hot read leaves no transaction open behind it: a write on the same pool goes through at once.
    response = jira.request(tenant, "DELETE", READ, sub=ALICE, json={"skills": ["Go"]})
    assert response.status_code == 200
    assert jira.request(tenant, "GET", READ, sub=ALICE).get_json() == {"skills": ["Python", "Rust", "SQL"]}


# ---------------------------------------------------------------------------------------------
# A database server that drops the app's connections (PostgreSQL only)

@pytest.fixture
def postgres(app) -> Any:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a SQLite file has no server connections to drop")
        return db.engine


def drop_app_connections(engine: Any) -> int:
    """End every other session on the test database, as a server restart would; returns how many."""
    url = make_url(engine.url)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                         dbname=url.database, autocommit=True) as admin:
        rows = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall()
    return len(rows)


@pytest.fixture
def quickly_idle(postgres, another_app, install_key, fake_jira) -> tuple[Any, JiraActions]:
    """An app process whose pooled connections are idle after 50 ms, its engine, and Jira's side for it."""
    other = another_app(DATABASE_PING_IDLE_SECONDS=0.05)
    with other.app_context():
        engine = db.engine
    return engine, JiraActions(other.test_client(), install_key, fake_jira)


def count_pings(monkeypatch, engine: Any) -> list[int]:
    pings: list[int] = []
    original = engine.dialect.do_ping

    def counting(dbapi_connection: Any) -> bool:
        pings.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return pings


def test_busy_connections_are_not_pinged_idle_ones_are(client, jira: JiraActions, postgres, quickly_idle,
                                                       monkeypatch) -> None:
    tenant = jira.install("tenant-a", admins={ALICE})
    assert jira.request(tenant, "GET", READ, sub=ALICE).status_code == 200
    pings = count_pings(monkeypatch, postgres)
    for _ in range(5):
        assert jira.request(tenant, "GET", READ, sub=ALICE).status_code == 200
    assert pings == []
    # The same on a process whose connections are idle after 50 ms: each one is pinged once idle.
    idle_engine, idle_jira = quickly_idle
    assert idle_jira.request(tenant, "GET", READ, sub=ALICE).status_code == 200
    idle_pings = count_pings(monkeypatch, idle_engine)
    time.sleep(0.1)
    assert idle_jira.request(tenant, "GET", READ, sub=ALICE).status_code == 200
    assert len(idle_pings) == 1


def warm_pool(engine: Any, connections: int) -> None:
    """Leave `connections` recently used connections in the pool, as concurrent requests do."""
    held = [engine.raw_connection() for _ in range(connections)]
    for connection in held:
        connection.close()


def tenant_with_python(jira: JiraActions) -> Any:
    tenant = jira.install("tenant-a", admins={ALICE})
    assert jira.request(tenant, "PUT", READ, sub=ALICE, json={"skills": ["Python"]}).status_code == 200
    return tenant


def add_go_and_check(jira: JiraActions, tenant: Any) -> None:
    response = jira.request(tenant, "PUT", READ, sub=ALICE, json={"skills": ["Go"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert jira.request(tenant, "GET", READ, sub=ALICE).get_json() == {"skills": ["Python", "Go"]}


def test_hot_read_survives_connections_dropped_while_in_use(client, jira: JiraActions, postgres) -> None:
    tenant = tenant_with_python(jira)
    warm_pool(postgres, 3)
    assert drop_app_connections(postgres) >= 3
    # The pooled connections were used a moment ago, so they are not pinged: the read meets one
    # dead, marks the rest of the pool for a ping, and retries on one that the ping replaces.
    response = jira.request(tenant, "GET", READ, sub=ALICE)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"skills": ["Python"]}
    # A write through the ORM session right after: its connection is pinged and replaced first.
    add_go_and_check(jira, tenant)


def test_idle_connections_dropped_by_the_server_are_replaced_before_use(client, postgres, quickly_idle) -> None:
    idle_engine, idle_jira = quickly_idle
    tenant = tenant_with_python(idle_jira)
    assert drop_app_connections(idle_engine) >= 1
    time.sleep(0.1)
    add_go_and_check(idle_jira, tenant)


def test_a_write_that_meets_a_dropped_connection_is_a_503_and_changes_nothing(client, jira: JiraActions,
                                                                               postgres) -> None:
    tenant = tenant_with_python(jira)
    warm_pool(postgres, 1)
    assert drop_app_connections(postgres) >= 1
    # Used a moment ago, so not pinged: the write's first statement meets the dead connection.
    response = jira.request(tenant, "PUT", READ, sub=ALICE, json={"skills": ["Go"]})
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json()["error"] == "service_unavailable"
    assert response.headers["Retry-After"] == "1"
    assert jira.request(tenant, "GET", READ, sub=ALICE).get_json() == {"skills": ["Python"]}
    add_go_and_check(jira, tenant)
