"""Signed installs (RS256 from the key server), and every way an install can be refused."""
from __future__ import annotations

import time

import jwt
import pytest
from atlassian_jwt.url_utils import hash_url
from cryptography.hazmat.primitives.asymmetric import rsa

from addon.extensions import db
from addon.models import Tenant

from .conftest import APP_BASE_URL, APP_KEY, install_token, jira_token


def body(client_key: str = "tenant-a", secret: str = "s3cret-value-a-long-enough-for-hs256-xxxx", base_url: str = "https://a.atlassian.net"):
    return {"key": APP_KEY, "clientKey": client_key, "sharedSecret": secret, "baseUrl": base_url,
            "productType": "jira", "eventType": "installed"}


def tenants(app) -> list[tuple[str, str, str, bool]]:
    with app.app_context():
        rows = db.session.execute(db.select(Tenant).order_by(Tenant.id)).scalars()
        return [(t.client_key, t.shared_secret, t.base_url, t.installed) for t in rows]


def post_install(client, token: str | None, payload, path: str = "/lifecycle/installed", as_query: bool = False):
    headers = {} if token is None or as_query else {"Authorization": "JWT " + token}
    url = path + (f"?jwt={token}" if as_query else "")
    return client.post(url, json=payload, headers=headers)


def test_signed_install_stores_tenant(app, client, install_key, key_server):
    kid, key = install_key
    response = post_install(client, install_token(key, kid, "tenant-a"), body())
    assert response.status_code == 204
    assert tenants(app) == [("tenant-a", "s3cret-value-a-long-enough-for-hs256-xxxx", "https://a.atlassian.net", True)]
    assert f"/{kid}" in key_server.requests


def test_install_token_in_query_parameter_is_accepted(app, client, install_key):
    kid, key = install_key
    assert post_install(client, install_token(key, kid, "tenant-a"), body(), as_query=True).status_code == 204
    assert len(tenants(app)) == 1


def test_audience_with_trailing_slash_is_the_same_app(app, client, install_key):
    kid, key = install_key
    token = install_token(key, kid, "tenant-a", aud=APP_BASE_URL + "/")
    assert post_install(client, token, body()).status_code == 204


def refused(app, client, token, payload=None, status: int = 401, path: str = "/lifecycle/installed"):
    response = post_install(client, token, payload or body(), path=path)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json and response.json["error"] and response.json["message"]
    assert tenants(app) == []
    return response


def test_unsigned_install_is_refused(app, client):
    response = refused(app, client, None)
    assert response.json["error"] == "unauthorized"


def test_unsigned_alg_none_install_is_refused(app, client):
    now = int(time.time())
    token = jwt.encode({"iss": "tenant-a", "aud": APP_BASE_URL, "exp": now + 60,
                        "qsh": hash_url("POST", "/lifecycle/installed")}, None, algorithm="none")
    refused(app, client, token)


def test_unknown_kid_is_refused(app, client, install_key, key_server):
    _, key = install_key
    token = install_token(key, "0000-not-a-published-key", "tenant-a")
    refused(app, client, token)
    assert "/0000-not-a-published-key" in key_server.requests


@pytest.mark.parametrize("kid", ["../../etc/passwd", "a/b", "x?y=1", "@evil.example", "", "k" * 200])
def test_kid_that_is_not_a_key_name_never_reaches_a_url(app, client, install_key, key_server, kid):
    _, key = install_key
    before = list(key_server.requests)
    now = int(time.time())
    claims = {"iss": "tenant-a", "aud": APP_BASE_URL, "iat": now, "exp": now + 60,
              "qsh": hash_url("POST", "/lifecycle/installed")}
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
    refused(app, client, token)
    assert key_server.requests == before


def test_key_signed_by_someone_else_is_refused(app, client, install_key):
    kid, _ = install_key
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused(app, client, install_token(stranger, kid, "tenant-a"))


def test_wrong_audience_is_refused(app, client, install_key):
    kid, key = install_key
    refused(app, client, install_token(key, kid, "tenant-a", aud="https://other-app.example.test"))


def test_issuer_other_than_client_key_is_refused(app, client, install_key):
    kid, key = install_key
    refused(app, client, install_token(key, kid, "tenant-b"), body(client_key="tenant-a"))


def test_expired_install_is_refused(app, client, install_key):
    kid, key = install_key
    refused(app, client, install_token(key, kid, "tenant-a", exp_in=-120))


def test_install_qsh_of_another_route_is_refused(app, client, install_key):
    kid, key = install_key
    refused(app, client, install_token(key, kid, "tenant-a", path="/lifecycle/uninstalled"))


def test_context_token_on_lifecycle_is_refused(app, client, install_key):
    kid, key = install_key
    refused(app, client, install_token(key, kid, "tenant-a", qsh="context-qsh"))


def test_hs256_reinstall_cannot_replace_the_secret(app, client, jira):
    tenant = jira.install("tenant-a", secret="original-secret-long-enough-for-hs256-xx")
    # Signed with the current secret, as the pre-signed-install Connect did: no longer enough.
    token = jira_token("POST", "/lifecycle/installed", tenant.client_key, tenant.secret)
    response = client.post("/lifecycle/installed", json=body(secret="attacker-secret-long-enough-for-hs256-xx"),
                           headers={"Authorization": "JWT " + token})
    assert response.status_code == 401
    assert tenants(app)[0][1] == "original-secret-long-enough-for-hs256-xx"


def test_rs256_token_with_hs256_header_confusion_is_refused(app, client, install_key, key_server):
    """The public key used as an HMAC secret (the classic alg confusion) must not verify."""
    kid, key = install_key
    from cryptography.hazmat.primitives import serialization
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    now = int(time.time())
    claims = {"iss": "tenant-a", "aud": APP_BASE_URL, "exp": now + 60, "qsh": hash_url("POST", "/lifecycle/installed")}
    import hmac, hashlib, base64, json as _json
    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")
    signing_input = b64(_json.dumps({"alg": "HS256", "kid": kid}).encode()) + b"." + b64(_json.dumps(claims).encode())
    token = (signing_input + b"." + b64(hmac.new(pem, signing_input, hashlib.sha256).digest())).decode()
    refused(app, client, token)


@pytest.mark.parametrize("base_url", [
    "https://evil.example.com", "https://atlassian.net.evil.com", "http://a.atlassian.net.evil.com",
    "https://a.atlassian.net@evil.com", "javascript:alert(1)", "not a url",
])
def test_base_url_host_outside_tenant_hosts_is_refused(app, client, install_key, base_url):
    kid, key = install_key
    refused(app, client, install_token(key, kid, "tenant-a"), body(base_url=base_url), status=400)


def test_plain_http_jira_is_refused_outside_tests(another_app, install_key):
    strict = another_app(TENANT_ALLOW_HTTP=False)
    kid, key = install_key
    response = strict.test_client().post("/lifecycle/installed", json=body(base_url="http://a.atlassian.net"),
                                         headers={"Authorization": "JWT " + install_token(key, kid, "tenant-a")})
    assert response.status_code == 400


@pytest.mark.parametrize("payload", [None, [], "x", {"clientKey": "tenant-a"},
                                     {"clientKey": "tenant-a", "sharedSecret": "", "baseUrl": "https://a.atlassian.net"},
                                     {"clientKey": "tenant-a", "sharedSecret": 5, "baseUrl": "https://a.atlassian.net"}])
def test_malformed_install_body_is_400_and_stores_nothing(app, client, install_key, payload):
    kid, key = install_key
    response = client.post("/lifecycle/installed", data=b"{" if payload is None else None,
                           json=payload if payload is not None else None,
                           headers={"Authorization": "JWT " + install_token(key, kid, "tenant-a"),
                                    "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["error"] == "bad_request"
    assert tenants(app) == []


def test_reinstall_rotates_the_secret_and_keeps_data(app, client, jira):
    old = jira.install("tenant-a", secret="first-secret-long-enough-for-hs256-xxxxx")
    new = jira.install("tenant-a", secret="second-secret-long-enough-for-hs256-xxxx", base_url="https://renamed.atlassian.net")
    assert tenants(app) == [("tenant-a", "second-secret-long-enough-for-hs256-xxxx", "https://renamed.atlassian.net", True)]
    assert old.secret != new.secret


def test_uninstall_keeps_the_row_and_marks_it(app, client, jira):
    tenant = jira.install("tenant-a")
    jira.uninstall(tenant)
    assert tenants(app) == [("tenant-a", tenant.secret, tenant.base_url, False)]


def test_uninstall_needs_a_signed_token(app, client, jira):
    tenant = jira.install("tenant-a")
    token = jira_token("POST", "/lifecycle/uninstalled", tenant.client_key, tenant.secret)
    response = client.post("/lifecycle/uninstalled", json=body(), headers={"Authorization": "JWT " + token})
    assert response.status_code == 401
    assert tenants(app)[0][3] is True


@pytest.mark.parametrize("event", ["enabled", "disabled"])
def test_enable_and_disable_take_hs256_with_the_stored_secret(app, client, jira, event):
    tenant = jira.install("tenant-a")
    path = f"/lifecycle/{event}"
    ok = client.post(path, json=body(), headers=jira.headers(tenant, "POST", path, sub=None))
    assert ok.status_code == 204
    with app.app_context():
        assert db.session.execute(db.select(Tenant.enabled)).scalar_one() is (event == "enabled")
    forged = jira_token("POST", path, tenant.client_key, "not-the-secret-but-long-enough-for-hs256")
    assert client.post(path, json=body(), headers={"Authorization": "JWT " + forged}).status_code == 401
    context = client.post(path, json=body(), headers=jira.headers(tenant, "POST", path, context=True))
    assert context.status_code == 401
    assert client.post(path, json=body()).status_code == 401


def test_lifecycle_get_is_405_json(client):
    response = client.get("/lifecycle/installed")
    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]
