"""What gunicorn answers before the app does: its request-line and header limits (gunicorn.conf.py).

Within the limits the app answers, with its own JSON; beyond them gunicorn does, with a short HTML
page, and docs/operations.md says so. Proven on a real gunicorn with the project's settings.
"""
from __future__ import annotations

import runpy
from pathlib import Path

import pytest
import requests

from .live import BIN, REPO, free_port, serve

LIMITS = runpy.run_path(str(REPO / "gunicorn.conf.py"))


@pytest.fixture(scope="module")
def gunicorn(database_url, tmp_path_factory):
    port = free_port()
    env = {"DATABASE_URL": database_url, "PORT": str(port), "WEB_CONCURRENCY": "1", "GUNICORN_CMD_ARGS": "",
           "LOG_FORMAT": "json"}
    with serve([str(BIN / "gunicorn"), "app:app"], env, port, tmp_path_factory.mktemp("limits") / "g.log") as server:
        yield server


def is_json_error(response: requests.Response, status: int) -> bool:
    return (response.status_code == status and response.headers["Content-Type"].startswith("application/json")
            and set(response.json()) >= {"error", "message"})


def test_a_long_query_within_the_limit_gets_the_apps_json(gunicorn) -> None:
    # gunicorn's default request line is 4094 bytes: a 6 KB query was its HTML 414.
    query = "accountId=" + "a" * 6000
    response = requests.get(f"{gunicorn.url}/api/user-skills?{query}", timeout=10)
    assert is_json_error(response, 401), (response.status_code, response.text[:200])


def test_a_large_header_within_the_limit_gets_the_apps_answer(gunicorn) -> None:
    # gunicorn's default header field is 8190 bytes: a 12 KB one was its HTML 431.
    response = requests.get(f"{gunicorn.url}/api/user-skills?accountId=a", timeout=10,
                            headers={"Authorization": "Bearer " + "x" * 12_000})
    assert is_json_error(response, 401), (response.status_code, response.text[:200])
    assert requests.get(f"{gunicorn.url}/healthz", headers={"X-Padding": "p" * 12_000}, timeout=10).json() == {
        "status": "ok"}


def test_beyond_the_limits_gunicorn_answers_as_the_operations_guide_says(gunicorn) -> None:
    line = requests.get(f"{gunicorn.url}/healthz?q=" + "a" * LIMITS["limit_request_line"], timeout=10)
    header = requests.get(f"{gunicorn.url}/healthz", timeout=10,
                          headers={"X-Padding": "p" * LIMITS["limit_request_field_size"]})
    assert (line.status_code, header.status_code) == (414, 431)
    guide = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    section = guide[guide.index("## Request limits"):]
    for phrase in (f"{LIMITS['limit_request_line']:,} bytes", f"{LIMITS['limit_request_field_size']:,} bytes",
                   f"{LIMITS['limit_request_fields']} header fields", "414", "431", "not JSON"):
        assert phrase in section, phrase
