"""Refusals a security review found missing: tenant base URLs that parse two ways, install-key floods."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler
from typing import Any, Iterator

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from addon.connect.jwt import TokenError
from addon.connect.keys import InstallKeys
from addon.connect.tenants import host_allowed
from addon.extensions import db
from addon.models import Tenant

from .conftest import install_token
from .loopback import LoopbackServer, answer

PATTERNS = ["*.atlassian.net", "*.jira.com", "127.0.0.1"]


@pytest.mark.parametrize("base_url", [
    "https://evil.com\\.atlassian.net",  # urlsplit: a subdomain of atlassian.net; urllib3: evil.com
    "https://evil.com\\@a.atlassian.net",
    "https://a.atlassian.net\\@evil.com",
    "https://evil.com\t.atlassian.net",  # urlsplit drops tabs and newlines
    "https://evil.com\n.atlassian.net",
    "https://evil.com\r.atlassian.net",
    "https://evil.com .atlassian.net",
    "https://evil.com%2f.atlassian.net",
    "https://evil.com%5c.atlassian.net",
    "https://evil.com/.atlassian.net",
    "https://evil.com?.atlassian.net",
    "https://evil.com#.atlassian.net",
    "https://user@a.atlassian.net",
    "https://[::1].atlassian.net",
    "https://a.atlassian.net.",
    "https://a..atlassian.net",
    "https://a.atlassian.net:99999",
    "https://a.atlassian.net/jira?x=1",
    "https://a.atlassian.net/j\\ira",
    "https://ａ.atlassian.net",  # full-width letter: IDNA would fold it
    "HTTPS://a.atlassian.net\x00",
])
def test_base_url_that_is_not_plainly_a_tenant_host_is_refused(base_url):
    assert not host_allowed(base_url, PATTERNS)


@pytest.mark.parametrize("base_url", [
    "https://a.atlassian.net", "https://A-b.Atlassian.NET", "https://a.atlassian.net/jira",
    "https://a.atlassian.net:443", "https://x.jira.com/wiki/",
])
def test_plain_tenant_base_urls_pass(base_url):
    assert host_allowed(base_url, PATTERNS)


def test_backslash_install_is_refused_and_nothing_stored(app, client, install_key):
    kid, key = install_key
    body = {"key": "jira-user-skills", "clientKey": "tenant-a", "baseUrl": "https://evil.com\\.atlassian.net",
            "sharedSecret": "s3cret-value-a-long-enough-for-hs256-xxxx", "productType": "jira"}
    response = client.post("/lifecycle/installed", json=body,
                           headers={"Authorization": "JWT " + install_token(key, kid, "tenant-a")})
    assert response.status_code == 400
    assert response.get_json()["error"]
    with app.app_context():
        assert db.session.execute(db.select(Tenant)).first() is None


# ---------------------------------------------------------------------------------------------
# Install-key fetches: a flood of junk `kid` values costs a 401, not a fetch each


class CountingKeyServer(LoopbackServer):
    """A loopback key server that counts fetches and can hold each answer until released."""

    def __init__(self, pem_by_kid: dict[str, bytes]) -> None:
        self.fetches: list[str] = []
        self.release = threading.Event()
        self.release.set()
        self.arrived = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.fetches.append(self.path)
                server.arrived.set()
                server.release.wait(10)
                pem = pem_by_kid.get(self.path.lstrip("/"))
                answer(self, 200 if pem else 404, pem or b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.serve(Handler)


@pytest.fixture
def counting_keys(install_key) -> Iterator[tuple[CountingKeyServer, str]]:
    kid, key = install_key
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    server = CountingKeyServer({kid: pem})
    yield server, kid
    server.release.set()
    server.stop()


def test_unknown_kid_is_fetched_once_then_refused_from_the_negative_cache(counting_keys):
    server, _ = counting_keys
    keys = InstallKeys(server.url, 3600)
    for _ in range(20):
        with pytest.raises(TokenError):
            keys.get("0000-unknown")
    assert server.fetches == ["/0000-unknown"]


def test_a_flood_of_new_kids_makes_a_bounded_number_of_fetches(counting_keys):
    server, good_kid = counting_keys
    keys = InstallKeys(server.url, 3600, fetches_per_minute=5)
    for i in range(200):
        with pytest.raises(TokenError):
            keys.get(f"junk-{i}")
    assert len(server.fetches) == 5
    # Keys already known are served from the cache whatever the flood did.
    fresh = InstallKeys(server.url, 3600, fetches_per_minute=5)
    fresh.get(good_kid)
    for i in range(50):
        with pytest.raises(TokenError):
            fresh.get(f"junk-b-{i}")
    assert fresh.get(good_kid) is not None
    assert server.fetches.count(f"/{good_kid}") == 1


def test_a_slow_key_server_holds_one_request_not_every_request(counting_keys):
    server, good_kid = counting_keys
    keys = InstallKeys(server.url, 3600)
    server.release.clear()
    server.arrived.clear()
    outcome: list[Any] = []
    slow = threading.Thread(target=lambda: outcome.append(keys.get(good_kid)))
    slow.start()
    assert server.arrived.wait(5)
    # While one fetch is in flight, other new kids are refused at once, without a fetch of their own.
    for i in range(30):
        with pytest.raises(TokenError):
            keys.get(f"junk-{i}")
    assert len(server.fetches) == 1
    server.release.set()
    slow.join(10)
    assert outcome and outcome[0] is not None


@pytest.mark.parametrize("kid", ["good-kid\n", "good-kid\r\n", "\ngood-kid", "good kid"])
def test_kid_with_a_line_break_is_refused_without_a_fetch(counting_keys, kid):
    server, _ = counting_keys
    with pytest.raises(TokenError):
        InstallKeys(server.url, 3600).get(kid)
    assert server.fetches == []


def test_junk_install_tokens_cost_a_401_each_through_the_app(app, client, install_key, counting_keys):
    server, _ = counting_keys
    app.extensions["connect"].install_keys = InstallKeys(server.url, 3600, fetches_per_minute=3)
    _, key = install_key
    for i in range(40):
        token = jwt.encode({"iss": "tenant-a"}, key, algorithm="RS256", headers={"kid": f"junk-{i % 20}"})
        response = client.post("/lifecycle/installed", json={}, headers={"Authorization": "JWT " + token})
        assert response.status_code == 401
    assert len(server.fetches) == 3
