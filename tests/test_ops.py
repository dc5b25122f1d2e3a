"""Operations: health probes, HTTPS behind a proxy, and the challenge a refused caller is sent."""
from __future__ import annotations

import os
import socket
import threading
from typing import Any, Iterator

import pytest
from flask import Blueprint, request
from sqlalchemy import make_url

from addon.extensions import db

from .conftest import recorded_statements


def dispose(app: Any) -> None:
    with app.app_context():
        db.engine.dispose()


# ---------------------------------------------------------------------------------------------
# /healthz and /readyz

def test_healthz_answers_without_a_token_or_the_database(client, app) -> None:
    with recorded_statements(app) as statements:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert statements == []


def test_readyz_answers_when_the_database_does(client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "ok"


def assert_not_ready(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json()["status"] == "unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_readyz_is_503_on_an_unusable_sqlite_file_while_healthz_stays_up(another_app, tmp_path, caplog) -> None:
    missing = tmp_path / "no-such-directory" / "skills.sqlite3"
    app = another_app(DATABASE_URL=f"sqlite:///{missing}", SQLALCHEMY_DATABASE_URI=None)
    client = app.test_client()
    assert_not_ready(client.get("/readyz"))
    assert client.get("/healthz").status_code == 200
    assert "OperationalError" in caplog.text


def test_readyz_is_503_when_no_database_server_listens(another_app) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://skills:do-not-log-this-password@127.0.0.1:{port}/skills_test"
    app = another_app(DATABASE_URL=url, SQLALCHEMY_DATABASE_URI=None)
    response = app.test_client().get("/readyz")
    assert_not_ready(response)
    assert "do-not-log-this-password" not in response.get_data(as_text=True)


class TcpRelay:
    """A TCP relay to the database server: stopping it is the server going away, for the app."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = 0
        self.listener: socket.socket | None = None
        self.open: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            self.open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def stop(self) -> None:
        """No new connections, and every open one cut, as a stopped server does."""
        assert self.listener is not None
        # shutdown wakes the thread blocked in accept(); close alone would leave the port listening.
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for sock in self.open:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.open.clear()


@pytest.fixture
def relay_to_postgres() -> Iterator[tuple[TcpRelay, Any]]:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("needs the PostgreSQL server of scripts/with-postgres (on SQLite: the unusable-file test)")
    parsed = make_url(url)
    relay = TcpRelay(parsed.host or "127.0.0.1", parsed.port or 5432)
    relay.start()
    yield relay, parsed.set(host="127.0.0.1", port=relay.port)
    try:
        relay.stop()
    except OSError:
        pass


def test_readyz_follows_a_postgresql_server_that_stops_and_comes_back(another_app, relay_to_postgres) -> None:
    relay, url = relay_to_postgres
    app = another_app(DATABASE_URL=url.render_as_string(hide_password=False), SQLALCHEMY_DATABASE_URI=None)
    client = app.test_client()
    assert client.get("/readyz").status_code == 200  # and a pooled connection is left open
    relay.stop()
    assert_not_ready(client.get("/readyz"))
    assert client.get("/healthz").status_code == 200
    relay.start()
    assert client.get("/readyz").status_code == 200
    dispose(app)
    relay.stop()


# ---------------------------------------------------------------------------------------------
# Behind a TLS proxy

probe = Blueprint("proxy_probe", __name__)


@probe.get("/probe/where")
def where() -> dict[str, Any]:
    return {"scheme": request.scheme, "host": request.host, "remote": request.remote_addr}


@probe.get("/probe/own-hsts")
def own_hsts() -> tuple[dict[str, Any], dict[str, str]]:
    return {}, {"Strict-Transport-Security": "max-age=60; includeSubDomains"}


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "skills.example.com",
             "X-Forwarded-For": "203.0.113.9"}


def app_with_probe(another_app: Any, **config: Any) -> Any:
    app = another_app(**config)
    app.register_blueprint(probe)
    return app


def test_forwarded_headers_are_ignored_unless_the_proxy_is_trusted(another_app) -> None:
    client = app_with_probe(another_app).test_client()
    response = client.get("/probe/where", headers=FORWARDED)
    assert response.get_json() == {"scheme": "http", "host": "localhost", "remote": "127.0.0.1"}
    assert "Strict-Transport-Security" not in response.headers


def test_a_trusted_proxy_makes_the_request_https_with_its_host(another_app) -> None:
    client = app_with_probe(another_app, TRUST_PROXY=1).test_client()
    response = client.get("/probe/where", headers=FORWARDED)
    assert response.get_json() == {"scheme": "https", "host": "skills.example.com", "remote": "203.0.113.9"}
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    # Every answer over HTTPS carries it, errors and probes included.
    assert "Strict-Transport-Security" in client.get("/healthz", headers=FORWARDED).headers
    assert "Strict-Transport-Security" in client.get("/api/user-skills", headers=FORWARDED).headers
    # Plain http through the same proxy: no HSTS (browsers ignore it there anyway).
    plain = client.get("/probe/where", headers={**FORWARDED, "X-Forwarded-Proto": "http"})
    assert plain.get_json()["scheme"] == "http" and "Strict-Transport-Security" not in plain.headers


def test_only_the_trusted_proxy_s_own_value_counts(another_app) -> None:
    # The client sent its own X-Forwarded-* ahead of the proxy's: one trusted proxy reads only the last.
    client = app_with_probe(another_app, TRUST_PROXY=1).test_client()
    headers = {"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "evil.example, skills.example.com",
               "X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    response = client.get("/probe/where", headers=headers)
    assert response.get_json() == {"scheme": "http", "host": "skills.example.com", "remote": "203.0.113.9"}


def test_https_served_directly_gets_hsts(client) -> None:
    assert client.get("/healthz", base_url="https://localhost").headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_an_answer_s_own_hsts_is_kept_and_not_doubled(another_app) -> None:
    client = app_with_probe(another_app).test_client()
    response = client.get("/probe/own-hsts", base_url="https://localhost")
    assert response.headers.getlist("Strict-Transport-Security") == ["max-age=60; includeSubDomains"]
    # A 404 from Werkzeug over HTTPS carries it too.
    missing = client.get("/no-such-page", base_url="https://localhost")
    assert missing.status_code == 404 and missing.headers["Strict-Transport-Security"] == "max-age=31536000"


# ---------------------------------------------------------------------------------------------
# The challenge of a 401 names the scheme that was tried

def test_401_challenge_names_the_scheme_tried(client, jira) -> None:
    url = "/api/user-skills?accountId=u-1"
    none = client.get(url)
    assert none.status_code == 401
    assert none.headers["WWW-Authenticate"] == 'JWT realm="jira-user-skills", Bearer realm="jira-user-skills"'
    for headers in ({"Authorization": "Bearer jus_not-a-token"}, {"Authorization-Skills": "jus_not-a-token"}):
        refused = client.get(url, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"] == 'Bearer realm="jira-user-skills"'
    bad_jwt = client.get(url, headers={"Authorization": "JWT not.a.jwt"})
    assert bad_jwt.status_code == 401
    assert bad_jwt.headers["WWW-Authenticate"] == 'JWT realm="jira-user-skills"'
