"""Real servers: gunicorn with the project's gunicorn.conf.py, and the dev server; what they log.

A `jwt` in the query string authenticates however its name is percent-encoded (Werkzeug decodes
it), so no log line may hold it, whatever the spelling: proven here on the servers' own output.
"""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from .conftest import APP_BASE_URL, JiraActions, jira_token
from .live import BIN, free_port, serve

ALICE = "3e63957f-c263-41cd-acda-748560232d49"
# Spellings of the parameter name `jwt`: those Werkzeug decodes to exactly `jwt` authenticate.
AUTHENTICATING = ["jwt", "%6Awt", "%6awt", "j%77t", "jw%74", "%6A%77%74", "%6a%77%74"]
OTHERS = ["JWT", "%4Awt", "J%57T", "jWt"]  # not our parameter, but a token all the same: redacted too


def server_env(database_url: str, port: int) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "APP_BASE_URL": APP_BASE_URL, "PORT": str(port),
            "LOG_FORMAT": "json", "WEB_CONCURRENCY": "2", "GUNICORN_CMD_ARGS": ""}


def send_tokens_in_every_spelling(url: str, jira: JiraActions, tenant: Any) -> list[str]:
    """Authenticated reads with a fresh token in each spelling; returns every token sent."""
    sent = []
    path = f"/api/user-skills?accountId={ALICE}"
    for number, name in enumerate(AUTHENTICATING + OTHERS):
        token = jira_token("GET", path, tenant.client_key, tenant.secret, sub=ALICE, context=True,
                           jti=f"spelling-{number}")
        sent.append(token)
        response = requests.get(f"{url}{path}&{name}={token}", timeout=10,
                                headers={"X-Request-Id": f"spelling-{number}"})
        assert response.status_code == (200 if name in AUTHENTICATING else 401), (name, response.text)
        assert response.headers["X-Request-Id"] == f"spelling-{number}"
    # A page load, where Jira puts the token, and a token as the first parameter.
    token = jira_token("GET", "/pages/finder?xdm_e=x", tenant.client_key, tenant.secret, sub=ALICE, jti="page")
    sent.append(token)
    assert requests.get(f"{url}/pages/finder?%6Awt={token}&xdm_e=x", timeout=10).status_code == 200
    return sent


def assert_no_token(output: str, tokens: list[str]) -> None:
    for token in tokens:
        assert token not in output
        assert token.split(".")[2] not in output  # not even the signature alone


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_gunicorn_with_the_project_settings_serves_and_logs_no_token(database_url, jira: JiraActions,
                                                                      tmp_path) -> None:
    tenant = jira.install("tenant-a", admins={ALICE})
    port = free_port()
    # `gunicorn app:app` and nothing else: bind, workers and logs come from gunicorn.conf.py.
    with serve([str(BIN / "gunicorn"), "app:app"], server_env(database_url, port), port,
               tmp_path / "gunicorn.log") as server:
        descriptor = requests.get(server.url + "/atlassian-connect.json", timeout=10)
        assert descriptor.status_code == 200 and descriptor.json()["baseUrl"] == APP_BASE_URL
        ready = requests.get(server.url + "/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["status"] == "ok"
        tokens = send_tokens_in_every_spelling(server.url, jira, tenant)
    output = server.output()
    assert "Using worker: gthread" in output and f"Listening at: http://0.0.0.0:{port}" in output
    assert_no_token(output, tokens)
    access = [line for line in output.splitlines() if '"GET /api/user-skills HTTP/1.1"' in line]
    assert len(access) == len(AUTHENTICATING + OTHERS)  # the access log: path only, no query
    # Two workers write these logs: lines of consecutive requests may land in either order.
    assert sorted(line.rsplit("rid=", 1)[1] for line in access) == sorted(
        f"spelling-{n}" for n in range(len(AUTHENTICATING + OTHERS)))
    lines = sorted((line for line in json_lines(output) if line.get("route") == "/api/user-skills"),
                   key=lambda line: int(line["request_id"].rsplit("-", 1)[1]))
    assert [line["status"] for line in lines] == [200] * len(AUTHENTICATING) + [401] * len(OTHERS)
    with jira.client.application.app_context():
        from addon.extensions import db
        from addon.models import Tenant
        tenant_id = db.session.execute(db.select(Tenant.id).where(Tenant.client_key == "tenant-a")).scalar_one()
    first = lines[0]
    assert first["tenant"] == tenant_id and first["request_id"] == "spelling-0" and first["method"] == "GET"
    assert lines[-1]["tenant"] is None
    assert isinstance(first["duration_ms"], float) and first["time"].endswith("+00:00")


def test_dev_server_request_lines_are_redacted(database_url, jira: JiraActions, tmp_path) -> None:
    tenant = jira.install("tenant-a", admins={ALICE})
    port = free_port()
    command = [str(BIN / "flask"), "--app", "app", "run", "--host", "127.0.0.1", "--port", str(port)]
    with serve(command, server_env(database_url, port), port, tmp_path / "dev.log") as server:
        tokens = send_tokens_in_every_spelling(server.url, jira, tenant)
    output = server.output()
    assert_no_token(output, tokens)
    # Werkzeug writes the whole request line (with unreserved characters decoded: `%6Awt` shows
    # as `jwt`): one line a request, each with its token's value redacted.
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)  # it colours 4xx lines
    lines = [line for line in plain.splitlines() if '"GET /api/user-skills?' in line]
    assert len(lines) == len(AUTHENTICATING + OTHERS)
    assert all("=[redacted] HTTP/1.1" in line for line in lines), lines


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_log_format_of_a_real_server(database_url, tmp_path, log_format) -> None:
    port = free_port()
    env = {**server_env(database_url, port), "LOG_FORMAT": log_format, "WEB_CONCURRENCY": "1"}
    with serve([str(BIN / "gunicorn"), "app:app"], env, port, tmp_path / "g.log") as server:
        requests.get(server.url + "/nowhere?jwt=a.b.c", headers={"X-Request-Id": "r-404"}, timeout=10)
    line = next(line for line in server.output().splitlines() if "r-404" in line and "addon.requests" in line)
    if log_format == "json":
        assert {k: v for k, v in json.loads(line).items() if k not in ("time", "duration_ms")} == {
            "level": "info", "logger": "addon.requests", "message": "request", "method": "GET",
            "route": None, "status": 404, "tenant": None, "request_id": "r-404"}
    else:
        assert " INFO addon.requests request method=GET route=None status=404 " in line
        assert "request_id=r-404" in line and "a.b.c" not in line
