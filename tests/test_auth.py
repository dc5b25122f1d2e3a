"""Authentication of /api requests, through the real decorator on a probe route."""
from __future__ import annotations

import base64
import time

import jwt
import pytest
from atlassian_jwt.url_utils import hash_url
from flask import Blueprint, g, jsonify

from addon.auth import require_auth
from addon.extensions import db
from addon.models import Tenant

from .conftest import JiraActions, jira_token

PROBE = "/api/probe/x?b=2&a=1"


def probe_blueprint() -> Blueprint:
    bp = Blueprint("probe", __name__, url_prefix="/api/probe")

    @bp.get("/<part>")
    @require_auth
    def any_token(part: str):
        return jsonify(tenant=g.caller.tenant.client_key, account=g.caller.account_id,
                       token=g.caller.is_api_token, context=g.caller.context_token)

    @bp.get("/url-bound/<part>")
    @require_auth(context=False, api_tokens=False)
    def url_bound_only(part: str):
        return jsonify(tenant=g.caller.tenant.client_key)

    return bp


@pytest.fixture
def extra_blueprints():
    return [probe_blueprint()]


@pytest.fixture
def tenant_a(jira: JiraActions):
    return jira.install("tenant-a", base_url="https://a.atlassian.net")


def get(client, url, token=None, **headers):
    if token is not None:
        headers["Authorization"] = "JWT " + token
    return client.get(url, headers=headers)


def assert_401(response):
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.json["error"] == "unauthorized"
    assert response.json["message"]


def test_url_bound_token_is_accepted(client, tenant_a):
    token = jira_token("GET", PROBE, tenant_a.client_key, tenant_a.secret, sub="acc-1")
    response = get(client, PROBE, token)
    assert response.status_code == 200
    assert response.json == {"tenant": "tenant-a", "account": "acc-1", "token": False, "context": False}


def test_token_in_query_is_left_out_of_the_hash(client, tenant_a):
    token = jira_token("GET", PROBE, tenant_a.client_key, tenant_a.secret, sub="acc-1")
    assert client.get(PROBE + "&jwt=" + token).status_code == 200


def test_context_token_is_accepted_where_allowed(client, tenant_a):
    token = jira_token("GET", "/ignored", tenant_a.client_key, tenant_a.secret, sub="acc-1", context=True)
    response = get(client, PROBE, token)
    assert response.status_code == 200 and response.json["context"] is True


def test_context_token_is_refused_where_only_url_bound_is_allowed(client, tenant_a):
    url = "/api/probe/url-bound/x"
    assert get(client, url, jira_token("GET", url, "tenant-a", tenant_a.secret)).status_code == 200
    assert_401(get(client, url, jira_token("GET", url, "tenant-a", tenant_a.secret, context=True)))


def test_no_token(client, tenant_a):
    response = client.get(PROBE)
    assert_401(response)
    assert response.headers["WWW-Authenticate"].startswith("JWT")


def test_wrong_secret(client, tenant_a):
    assert_401(get(client, PROBE, jira_token("GET", PROBE, "tenant-a", "not-the-secret-but-long-enough-for-hs256")))


def test_expired(client, tenant_a):
    assert_401(get(client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret, exp_in=-31 - 5)))


def test_expiry_leeway_is_at_most_30_seconds(client, tenant_a):
    assert get(client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret, exp_in=-20)).status_code == 200
    assert_401(get(client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret, exp_in=-40)))


def test_alg_none(client, tenant_a):
    now = int(time.time())
    token = jwt.encode({"iss": "tenant-a", "exp": now + 60, "qsh": hash_url("GET", PROBE)}, None, algorithm="none")
    assert_401(get(client, PROBE, token))


def test_hs512_is_refused(client, tenant_a):
    assert_401(get(client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret, algorithm="HS512")))


def test_qsh_of_another_url(client, tenant_a):
    assert_401(get(client, PROBE, jira_token("GET", "/api/probe/y?b=2&a=1", "tenant-a", tenant_a.secret)))
    assert_401(get(client, PROBE, jira_token("POST", PROBE, "tenant-a", tenant_a.secret)))
    assert_401(get(client, PROBE, jira_token("GET", "/api/probe/x?b=3&a=1", "tenant-a", tenant_a.secret)))


def test_missing_qsh_or_exp(client, tenant_a):
    now = int(time.time())
    for claims in ({"iss": "tenant-a", "exp": now + 60}, {"iss": "tenant-a", "qsh": hash_url("GET", PROBE)}):
        assert_401(get(client, PROBE, jwt.encode(claims, tenant_a.secret, algorithm="HS256")))


def test_unknown_tenant(client, tenant_a):
    assert_401(get(client, PROBE, jira_token("GET", PROBE, "tenant-zz", tenant_a.secret)))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("token", [
    "", "garbage", "a.b.c", "x" * 9000, "a.b", "a.b.c.d", "\u00e9.\u00e9.\u00e9",
    _b64(b'{"alg":"HS256"}') + "." + _b64(b"[1]") + ".c",  # claims not an object
    _b64(b"[" * 3000) + "." + _b64(b"{}") + ".c",  # nested past the parser's depth
    _b64(b'{"alg":"none"}') + "." + _b64(b'{"iss":"tenant-a"}') + ".",
])
def test_garbage_tokens(client, tenant_a, token):
    assert_401(client.get(PROBE, headers={"Authorization": "JWT " + token}))


def test_token_with_junk_in_a_segment_is_refused(client, tenant_a):
    # Lenient base64 would skip the junk; the verified decode must not.
    header, claims, signature = jira_token("GET", PROBE, "tenant-a", tenant_a.secret).split(".")
    assert_401(get(client, PROBE, f"{header}.{claims[:10]}!!!!{claims[10:]}.{signature}"))


def test_uninstalled_tenant_is_refused_and_reinstall_restores(client, jira, tenant_a):
    jira.uninstall(tenant_a)
    assert_401(get(client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret)))
    again = jira.install("tenant-a", secret="after-reinstall-long-enough-for-hs256-xx")
    assert get(client, PROBE, jira_token("GET", PROBE, "tenant-a", again.secret)).status_code == 200


def test_token_naming_tenant_b_signed_with_a_secret(client, jira, tenant_a):
    jira.install("tenant-b", base_url="https://b.atlassian.net")
    assert_401(get(client, PROBE, jira_token("GET", PROBE, "tenant-b", tenant_a.secret)))


def test_reinstall_with_new_secret_old_refused_new_accepted(client, jira, tenant_a):
    assert get(client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret)).status_code == 200
    new = jira.install("tenant-a", secret="rotated-secret-long-enough-for-hs256-xxx")
    assert_401(get(client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret)))
    assert get(client, PROBE, jira_token("GET", PROBE, "tenant-a", new.secret)).status_code == 200


def test_reinstall_on_another_process_takes_effect_at_once(another_app, client, jira, tenant_a):
    """Process 2 has cached the old secret; process 1 handles the re-install."""
    other = another_app()
    other.register_blueprint(probe_blueprint())
    other_client = other.test_client()
    assert get(other_client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret)).status_code == 200
    new = jira.install("tenant-a", secret="rotated-elsewhere-long-enough-for-hs256-x")
    assert get(other_client, PROBE, jira_token("GET", PROBE, "tenant-a", new.secret)).status_code == 200
    assert_401(get(other_client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret)))


def test_uninstall_on_another_process_is_seen_within_the_cache_window(another_app, client, jira, tenant_a):
    other = another_app(TENANT_CACHE_SECONDS=0)
    other.register_blueprint(probe_blueprint())
    other_client = other.test_client()
    assert get(other_client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret)).status_code == 200
    jira.uninstall(tenant_a)
    assert_401(get(other_client, PROBE, jira_token("GET", PROBE, "tenant-a", tenant_a.secret)))


def test_errors_never_echo_the_token(client, tenant_a):
    token = jira_token("GET", "/elsewhere", "tenant-a", tenant_a.secret)
    body = get(client, PROBE, token).get_data(as_text=True)
    assert token not in body and tenant_a.secret not in body


def test_refusals_log_no_token_or_secret(client, tenant_a, caplog):
    caplog.set_level("DEBUG")
    token = jira_token("GET", PROBE, "tenant-a", "wrong-secret-but-long-enough-for-hs256-x")
    get(client, PROBE, token)
    get(client, PROBE + "&jwt=" + token)
    assert token not in caplog.text and tenant_a.secret not in caplog.text


class TestBasePathPrefix:
    """APP_BASE_URL with a path: the qsh covers the path after that prefix."""

    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "APP_BASE_URL": "https://tunnel.example.test/skills"}

    def test_prefix_is_left_out_of_the_hash(self, app):
        with app.app_context():
            db.session.add(Tenant(client_key="tenant-p", shared_secret="prefix-secret-long-enough-for-hs256-xxxx", base_url="https://p.atlassian.net"))
            db.session.commit()
        client = app.test_client()
        token = jira_token("GET", PROBE, "tenant-p", "prefix-secret-long-enough-for-hs256-xxxx")
        # Mounted under /skills (SCRIPT_NAME), as behind a proxy that serves the app at that path.
        ok = client.get(PROBE, headers={"Authorization": "JWT " + token}, base_url="http://localhost/skills/")
        assert ok.status_code == 200, ok.get_data(as_text=True)
        with_prefix = jira_token("GET", "/skills" + PROBE, "tenant-p", "prefix-secret-long-enough-for-hs256-xxxx")
        bad = client.get(PROBE, headers={"Authorization": "JWT " + with_prefix},
                         base_url="http://localhost/skills/")
        assert bad.status_code == 401


def test_one_refusal_whether_the_client_key_is_unknown_uninstalled_or_installed(client, jira, tenant_a, caplog):
    """A caller without the secret cannot learn which client keys are installed (the log may say)."""
    caplog.set_level("INFO")
    gone = jira.install("tenant-gone", base_url="https://gone.atlassian.net")
    jira.uninstall(gone)
    forged = "a-secret-nobody-was-given-long-enough-for-hs256"
    answers = []
    for client_key in ("tenant-a", "tenant-gone", "tenant-never-installed"):
        response = get(client, PROBE, jira_token("GET", PROBE, client_key, forged))
        assert_401(response)
        answers.append((response.status_code, response.json, response.headers.get("WWW-Authenticate")))
    assert answers[0] == answers[1] == answers[2]
    assert "tenant-gone" in caplog.text and "not installed" in caplog.text
    assert "tenant-never-installed" in caplog.text and "unknown" in caplog.text
