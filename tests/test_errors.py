"""Every error is the contract's JSON; 500s roll back and log no secret."""
import pytest
from flask import Blueprint

from addon.extensions import db
from addon.models import Tenant



def test_unknown_route_is_json_404(client):
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.json == {"error": "not_found", "message": "No such resource."}


def test_body_over_5_mb_is_json_413(client):
    response = client.post("/lifecycle/installed", data=b"x" * (5 * 1024 * 1024 + 1),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json["error"] == "payload_too_large"


@pytest.fixture
def extra_blueprints():
    bp = Blueprint("boom", __name__)

    @bp.post("/boom")
    def boom():
        db.session.add(Tenant(client_key="half-written", shared_secret="do-not-log-this-secret-value",
                              base_url="https://x.atlassian.net"))
        db.session.flush()
        raise RuntimeError("driver said: do-not-log-this-secret-value")

    return [bp]


def test_500_is_json_rolls_back_and_logs_no_secret(app, caplog):
    failing_app = app
    caplog.set_level("DEBUG")
    response = failing_app.test_client().post("/boom")
    assert response.status_code == 500
    assert response.json["error"] == "internal_error"
    assert "do-not-log-this-secret-value" not in response.get_data(as_text=True)
    assert "do-not-log-this-secret-value" not in caplog.text
    assert "RuntimeError" in caplog.text
    with failing_app.app_context():
        assert db.session.execute(db.select(Tenant)).first() is None


@pytest.mark.parametrize("body", [
    b'{"skills": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",  # deeper than the parser goes
    b'{"skills": ["\\ud800"]}',  # a lone surrogate: parses, but is not text
    b'{"\\udfff": 1}',
    b"\xff\xfe",
])
def test_json_the_parser_or_database_cannot_take_is_400(jira, body):
    tenant = jira.install("tenant-a")
    url = "/api/user-skills?accountId=u-1"
    headers = jira.headers(tenant, "PUT", url, sub="u-1")
    response = jira.client.put(url, data=body, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"] == "bad_request"
    assert jira.request(tenant, "GET", url, sub="u-1").json == {"skills": []}


def test_install_body_with_lone_surrogate_is_400(client, install_key):
    from .conftest import install_token
    kid, key = install_key
    body = b'{"clientKey": "tenant-a", "sharedSecret": "\\ud800' + b"x" * 40 + b'", "baseUrl": "https://a.atlassian.net"}'
    response = client.post("/lifecycle/installed", data=body, headers={
        "Authorization": "JWT " + install_token(key, kid, "tenant-a"), "Content-Type": "application/json"})
    assert response.status_code == 400


def test_access_logs_of_a_real_server_never_hold_the_jwt(jira, live_server, caplog):
    import requests
    from .conftest import jira_token
    caplog.set_level("INFO")
    tenant = jira.install("tenant-a")
    url = "/api/user-skills?accountId=u-1"
    token = jira_token("GET", url, tenant.client_key, tenant.secret, sub="u-1")
    assert requests.get(f"{live_server.url}{url}&jwt={token}", timeout=10).status_code == 200
    assert requests.get(f"{live_server.url}/pages/finder?xdm_e=x&jwt={token}&cp=1", timeout=10).status_code == 401
    access = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/api/user-skills?accountId=u-1&jwt=[redacted]" in line for line in access), access
    assert token not in caplog.text
    assert token.split(".")[2] not in caplog.text


def test_gunicorn_access_log_lines_are_redacted():
    import logging
    from addon.logs import RedactTokens
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1,
                               '%(h)s "%(r)s" %(s)s', {"h": "127.0.0.1", "r": "GET /pages/admin?jwt=aaa.bbb.ccc&x=1 HTTP/1.1", "s": "200"}, None)
    assert RedactTokens().filter(record)
    assert record.getMessage() == '127.0.0.1 "GET /pages/admin?jwt=[redacted]&x=1 HTTP/1.1" 200'


class TestBodyLimitFromConfiguration:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "MAX_CONTENT_LENGTH": 1024 * 1024}

    def test_the_413_names_the_configured_limit(self, client):
        response = client.post("/lifecycle/installed", data=b"x" * (1024 * 1024 + 1),
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 413 and response.json["message"] == "The request body is larger than 1 MB."
        assert "1 MB" in client.get("/api/openapi.json").json["components"]["responses"]["E413"]["description"]
