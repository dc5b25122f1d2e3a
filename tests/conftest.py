"""Fixtures: a fresh database per test, an app, and Jira's side of the handshake (signing as Jira does)."""
from __future__ import annotations

import json
from contextlib import contextmanager
import os
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any, Iterator
from urllib.parse import urlsplit

import jwt
import pytest
from atlassian_jwt.url_utils import hash_url
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event
from werkzeug.serving import make_server
from werkzeug.wsgi import ClosingIterator

from addon import create_app
from addon.connect.jwt import CONTEXT_QSH, HS256, sign_hs256
from addon.database import ReadStatement
from addon.extensions import db

from tests.fits import APP_UUID, ForgeActions, JwksServer
from tests.loopback import LoopbackServer, answer

APP_BASE_URL = "https://skills.example.test"
APP_KEY = "jira-user-skills"


# ---------------------------------------------------------------------------------------------
# Servers on loopback: every one is made, has a `url`, and is stopped by its fixture with `stop()`

# ---------------------------------------------------------------------------------------------
# Atlassian's install-key server

class KeyServer(LoopbackServer):
    """Serves PEM public keys at /{kid}, as connect-install-keys.atlassian.com does."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.requests.append(self.path)
                key = server.keys.get(self.path.lstrip("/"))
                if key is None:
                    answer(self, 404)
                    return
                pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
                answer(self, 200, pem, {"Content-Type": "application/x-pem-file"})

            def log_message(self, *args: Any) -> None:
                pass

        self.serve(Handler)

    def new_key(self) -> tuple[str, rsa.RSAPrivateKey]:
        kid = str(uuid.uuid4())
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return kid, self.keys[kid]


@pytest.fixture(scope="session")
def key_server() -> Iterator[KeyServer]:
    server = KeyServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def install_key(key_server: KeyServer) -> tuple[str, rsa.RSAPrivateKey]:
    return key_server.new_key()


# ---------------------------------------------------------------------------------------------
# Jira, faked on loopback: checks the add-on's signed calls as Jira does and answers them

class FakeJira(LoopbackServer):
    """Sites at http://127.0.0.1:PORT/site/<clientKey>; each knows its shared secret and its admins.

    A call is accepted only with `Authorization: JWT` signed HS256 with the site's secret, `iss` the
    app key, not expired, and `qsh` of the call relative to the site's base URL, as Jira checks it.
    """

    def __init__(self) -> None:
        self.sites: dict[str, dict[str, Any]] = {}
        self.forge_sites: dict[str, dict[str, Any]] = {}  # cloudId -> valid system tokens, admins
        self.calls: list[dict[str, Any]] = []
        self.throttle: list[str] = []  # Retry-After values to answer 429 with, one per call
        self.fail_with: int | None = None
        # Personal-data reporting: accounts Atlassian answers as closed or updated, and its Cycle-Period.
        self.closed_accounts: set[str] = set()
        self.updated_accounts: set[str] = set()
        self.cycle_period: str | None = None
        # Issues (tests/conftest.py IssueJira): what each path fragment fails with ("timeout": no answer
        # for `hang_seconds`), and how long every issue call takes (a stand-in for Jira's latency).
        self.fail_on: dict[str, Any] = {}
        self.hang_seconds = 3.0
        self.issue_delay = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                answer(self, status, data, {**(headers or {}), "Content-Type": "application/json"})

            def do_GET(self) -> None:  # noqa: N802
                parts = self.path.split("/", 3)  # "", "site", key, rest
                site = fake.sites.get(parts[2]) if len(parts) > 3 and parts[1] == "site" else None
                fake.calls.append({"path": self.path, "site": parts[2] if site else None, "verified": False})
                # Atlassian's public endpoint naming a site's cloudId: no authentication.
                if site is not None and parts[3] == "_edge/tenant_info" and site.get("cloud_id"):
                    return self._answer(200, {"cloudId": site["cloud_id"]})
                return self._answer(404, {"errorMessages": ["not faked"]})

            def do_PUT(self) -> None:  # noqa: N802
                self.do_POST("PUT")

            def do_DELETE(self) -> None:  # noqa: N802
                self.do_POST("DELETE")

            def do_POST(self, method: str = "POST") -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.path.startswith("/ex/jira/"):
                    return self._forge_call(raw, method)
                if self.path == "/app/report-accounts/":
                    return self._forge_report_accounts(raw)
                parts = self.path.split("/", 3)  # "", "site", key, rest
                site = fake.sites.get(parts[2]) if len(parts) > 3 and parts[1] == "site" else None
                call = {"path": self.path, "site": parts[2] if site else None, "verified": False}
                fake.calls.append(call)
                if site is None:
                    return self._answer(404, {"errorMessages": ["no such site"]})
                auth = self.headers.get("Authorization", "")
                try:
                    claims = jwt.decode(auth[4:] if auth.startswith("JWT ") else "", site["secret"],
                                        algorithms=["HS256"], options={"require": ["exp", "iss", "qsh"]})
                except jwt.PyJWTError:
                    return self._answer(401, {"errorMessages": ["bad jwt"]})
                relative = self.path[len(f"/site/{parts[2]}"):]
                if claims["iss"] != APP_KEY or claims["qsh"] != hash_url(method, relative):
                    return self._answer(401, {"errorMessages": ["bad iss or qsh"]})
                call["verified"] = True
                call["method"] = method
                if fake.throttle:
                    return self._answer(429, {"errorMessages": ["slow down"]},
                                        {"Retry-After": fake.throttle.pop(0)})
                if fake.fail_with:
                    return self._answer(fake.fail_with, {"errorMessages": ["broken"]})
                if fake.issue_call(self, site, call, method, relative.split("?")[0], raw):
                    return None
                if relative.split("?")[0] == "/rest/api/3/permissions/check":
                    body = json.loads(raw or b"{}")
                    call["body"] = body
                    admin = body.get("accountId") in site["admins"] and "ADMINISTER" in body.get("globalPermissions", [])
                    return self._answer(200, {"globalPermissions": ["ADMINISTER"] if admin else [],
                                              "projectPermissions": []})
                if relative.split("?")[0] == "/rest/atlassian-connect/latest/report-accounts":
                    return self._report_accounts(call, raw)
                return self._answer(404, {"errorMessages": ["not faked"]})

            def _report_accounts(self, call: dict[str, Any], raw: bytes) -> None:
                """As the user-privacy guide describes: at most 90 accounts, each an accountId and an
                RFC 3339 updatedAt; 200 with the closed and updated ones, or 204 when there are none."""
                body = json.loads(raw or b"{}")
                call["body"] = body
                accounts = body.get("accounts") if isinstance(body, dict) else None
                if not isinstance(accounts, list) or not 0 < len(accounts) <= 90 or not all(
                        isinstance(a, dict) and set(a) == {"accountId", "updatedAt"} and isinstance(a["accountId"], str)
                        and isinstance(a["updatedAt"], str)
                        and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", a["updatedAt"])
                        for a in accounts):
                    return self._answer(400, {"errorMessages": ["bad report"]})
                headers = {"Cycle-Period": fake.cycle_period} if fake.cycle_period else {}
                answers = [{"accountId": a["accountId"], "status": status} for a in accounts
                           for status, ids in (("closed", fake.closed_accounts), ("updated", fake.updated_accounts))
                           if a["accountId"] in ids]
                if not answers:
                    return self._answer(204, None, headers)
                return self._answer(200, {"accounts": answers}, headers)

            def _forge_report_accounts(self, raw: bytes) -> None:
                """Forge's report-accounts at api.atlassian.com: Bearer an app system token of a site."""
                call: dict[str, Any] = {"path": self.path, "site": None, "verified": False}
                fake.calls.append(call)
                auth = self.headers.get("Authorization", "")
                sites = [cloud for cloud, site in fake.forge_sites.items()
                         if auth.startswith("Bearer ") and auth[7:] in site["tokens"]]
                if not sites:
                    return self._answer(401, {"errorMessages": ["bad system token"]})
                call.update(site=sites[0], verified=True, token=auth[7:])
                if fake.throttle:
                    return self._answer(429, {"errorMessages": ["slow down"]}, {"Retry-After": fake.throttle.pop(0)})
                return self._report_accounts(call, raw)

            def _forge_call(self, raw: bytes, method: str = "POST") -> None:
                """A call at a Forge `app.apiBaseUrl` (/ex/jira/<cloudId>/...): Bearer app system token."""
                parts = self.path.split("/", 4)  # "", "ex", "jira", cloudId, rest
                site = fake.forge_sites.get(parts[3]) if len(parts) > 4 else None
                call = {"path": self.path, "site": parts[3] if site else None, "verified": False}
                fake.calls.append(call)
                if site is None:
                    return self._answer(404, {"errorMessages": ["no such site"]})
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Bearer ") or auth[7:] not in site["tokens"]:
                    return self._answer(401, {"errorMessages": ["bad system token"]})
                call["verified"] = True
                call["token"] = auth[7:]
                call["method"] = method
                if fake.throttle:
                    return self._answer(429, {"errorMessages": ["slow down"]},
                                        {"Retry-After": fake.throttle.pop(0)})
                if fake.fail_with:
                    return self._answer(fake.fail_with, {"errorMessages": ["broken"]})
                if fake.issue_call(self, site, call, method, "/" + parts[4].split("?")[0], raw):
                    return None
                if "/" + parts[4].split("?")[0] == "/rest/api/3/permissions/check":
                    body = json.loads(raw or b"{}")
                    call["body"] = body
                    admin = body.get("accountId") in site["admins"] and "ADMINISTER" in body.get("globalPermissions", [])
                    return self._answer(200, {"globalPermissions": ["ADMINISTER"] if admin else [],
                                              "projectPermissions": []})
                return self._answer(404, {"errorMessages": ["not faked"]})

            def log_message(self, *args: Any) -> None:
                pass

        self.serve(Handler)

    def issue_call(self, handler: Any, site: dict[str, Any], call: dict[str, Any], method: str, path: str,
                   raw: bytes) -> bool:
        """Jira's issue APIs as a site (Connect or Forge) answers them; False for any other path.

        - POST /rest/api/3/permissions/check with projectPermissions: the permissions each account holds
          on each issue (site["issue_permissions"][accountId][permission] = {issue ids}), as Jira answers;
        - PUT/DELETE /rest/api/3/issue/{id}/properties/required-skills: the property stored per issue,
          the body checked (404 for an issue in site["deleted_issues"]; 404 to a DELETE of no property);
        - POST /rest/api/3/search/approximate-count: the JQL checked, the count of site["open_issues"].
        """
        property_path = re.fullmatch(r"/rest/api/3/issue/([0-9]+)/properties/required-skills", path)
        count_path = path == "/rest/api/3/search/approximate-count"
        body = json.loads(raw) if raw else None
        permission_check = path == "/rest/api/3/permissions/check" and isinstance(body, dict) \
            and "projectPermissions" in body
        if not (property_path or count_path or permission_check):
            return False
        call["body"] = body
        if self.issue_delay:
            time.sleep(self.issue_delay)
        failure = next((value for fragment, value in self.fail_on.items() if fragment in path), None)
        if failure == "timeout":
            time.sleep(self.hang_seconds)
            try:  # the app has stopped waiting by now
                handler._answer(503, {"errorMessages": ["too late"]})
            except (BrokenPipeError, ConnectionResetError):
                pass
            return True
        if failure:
            handler._answer(failure, {"errorMessages": ["failing on request"]})
            return True
        if permission_check:
            asked = body["projectPermissions"]
            ok = set(body) == {"accountId", "projectPermissions"} and isinstance(asked, list) and len(asked) == 1 \
                and set(asked[0]) == {"permissions", "issues"} and len(asked[0]["permissions"]) == 1 \
                and all(isinstance(i, int) and not isinstance(i, bool) for i in asked[0]["issues"])
            if not ok:
                handler._answer(400, {"errorMessages": ["bad permission check"]})
                return True
            permission = asked[0]["permissions"][0]
            held = site.get("issue_permissions", {}).get(body["accountId"], {}).get(permission, set())
            issues = [i for i in asked[0]["issues"] if i in held]
            handler._answer(200, {"globalPermissions": [], "projectPermissions": [
                {"permission": permission, "issues": issues, "projects": []}] if issues else []})
            return True
        if count_path:
            jql = body.get("jql", "") if isinstance(body, dict) else ""
            found = re.fullmatch(r'assignee = "([A-Za-z0-9:_-]+)" AND resolution = EMPTY', jql)
            if method != "POST" or found is None or set(body) != {"jql"}:
                handler._answer(400, {"errorMessages": ["bad jql"]})
                return True
            handler._answer(200, {"count": site.get("open_issues", {}).get(found.group(1), 0)})
            return True
        issue_id = property_path.group(1)
        properties = site.setdefault("properties", {})
        if issue_id in site.get("deleted_issues", set()):
            handler._answer(404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]})
            return True
        if method == "PUT":
            if not (isinstance(body, dict) and set(body) == {"skills"} and isinstance(body["skills"], list)
                    and body["skills"] and all(isinstance(n, str) and n for n in body["skills"])):
                handler._answer(400, {"errorMessages": ["bad property"]})
                return True
            status = 200 if issue_id in properties else 201
            properties[issue_id] = body
            handler._answer(status, {})
            return True
        if method == "DELETE":
            if raw:
                handler._answer(400, {"errorMessages": ["a DELETE has no body"]})
                return True
            if properties.pop(issue_id, None) is None:
                handler._answer(404, {"errorMessages": ["no such property"]})
                return True
            handler._answer(204)
            return True
        handler._answer(405, {"errorMessages": ["method"]})
        return True

    def issue_property(self, site: str, issue_id: int | str) -> Any:
        """The `required-skills` property the site (a Connect clientKey or a Forge cloudId) holds for an issue."""
        found = self.sites.get(site) or self.forge_sites.get(site) or {}
        return found.get("properties", {}).get(str(issue_id))

    def site_data(self, site: str) -> dict[str, Any]:
        """The mutable record of a Connect (clientKey) or Forge (cloudId) site, for issue fixtures."""
        return self.sites.get(site) or self.forge_sites[site]

    def site(self, client_key: str, secret: str, admins: set[str] | None = None,
             cloud_id: str | None = None) -> str:
        """A Connect site; with `cloud_id`, its /_edge/tenant_info names it."""
        self.sites[client_key] = {"secret": secret, "admins": set(admins or ()), "cloud_id": cloud_id}
        return f"{self.url}/site/{client_key}"

    def forge_site(self, cloud_id: str, system_token: str, admins: set[str] | None = None) -> str:
        """The site's API as a Forge remote reaches it; returns the `app.apiBaseUrl` of its FITs."""
        site = self.forge_sites.setdefault(cloud_id, {"tokens": set(), "admins": set()})
        site["tokens"].add(system_token)
        site["admins"].update(admins or ())
        return f"{self.url}/ex/jira/{cloud_id}"

    def reset(self) -> None:
        self.sites.clear()
        self.forge_sites.clear()
        self.calls.clear()
        self.throttle.clear()
        self.fail_with = None
        self.closed_accounts.clear()
        self.updated_accounts.clear()
        self.cycle_period = None
        self.fail_on.clear()
        self.hang_seconds = 3.0
        self.issue_delay = 0.0

    def permission_calls(self) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["path"].endswith("/rest/api/3/permissions/check")]


@pytest.fixture(scope="session")
def fake_jira_server() -> Iterator[FakeJira]:
    server = FakeJira()
    yield server
    server.stop()


@pytest.fixture
def fake_jira(fake_jira_server: FakeJira) -> Iterator[FakeJira]:
    fake_jira_server.reset()
    yield fake_jira_server
    fake_jira_server.reset()


# ---------------------------------------------------------------------------------------------
# Database: migrated once per run, emptied after every test

@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    app = create_app({"DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": None})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # A run starts from nothing, whatever an earlier run left.
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        db.engine.dispose()
    return url


def empty_all_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def make_config(database_url: str, key_server_url: str, **overrides: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "APP_BASE_URL": APP_BASE_URL,
        "APP_KEY": APP_KEY,
        "DATABASE_URL": database_url,
        "CONNECT_KEYS_URL": key_server_url,
        "TENANT_HOSTS": "*.atlassian.net,127.0.0.1",
        "TENANT_ALLOW_HTTP": True,
        "JIRA_MAX_RETRY_AFTER_SECONDS": 2.0,
        # Installs on *.atlassian.net hosts must not reach the internet; tests that need the site's
        # cloudId from /_edge/tenant_info turn it on for sites of the fake Jira.
        "TENANT_INFO_TIMEOUT_SECONDS": 0,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(database_url: str, key_server: KeyServer, jwks_server: JwksServer,
               fake_jira_server: FakeJira) -> dict[str, Any]:
    """Overridable by a test module (e.g. a base URL with a path). Both fronts are on, as in production:
    the Forge app's id, and Forge's keys at the loopback JWKS server."""
    return make_config(database_url, key_server.url, FORGE_APP_ID=APP_UUID, FORGE_JWKS_URL=jwks_server.url,
                       FORGE_REPORT_ACCOUNTS_URL=f"{fake_jira_server.url}/app/report-accounts/")


@pytest.fixture
def extra_blueprints() -> list[Any]:
    """Blueprints a test module adds to the app (probe routes that exercise the real decorators)."""
    return []


@pytest.fixture
def app(app_config: dict[str, Any], extra_blueprints: list[Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    for blueprint in extra_blueprints:
        app.register_blueprint(blueprint)
    yield app
    with app.app_context():
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def another_app(app_config: dict[str, Any]) -> Iterator[Any]:
    """Another app process on the same database (its own caches); engines closed afterwards."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        other = create_app({**app_config, **overrides})
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


# ---------------------------------------------------------------------------------------------
# Jira: installs signed as Atlassian signs them, tokens signed as Jira signs them

def install_token(private_key: rsa.RSAPrivateKey, kid: str, client_key: str, path: str = "/lifecycle/installed",
                  aud: str = APP_BASE_URL, exp_in: int = 180, **extra: Any) -> str:
    now = int(time.time())
    claims = {"iss": client_key, "aud": aud, "iat": now, "exp": now + exp_in,
              "qsh": hash_url("POST", path), "sub": "connect:" + client_key}
    claims.update(extra)
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": kid})


def jira_token(method: str, url: str, client_key: str, secret: str, sub: str | None = None,
               context: bool = False, exp_in: int = 180, algorithm: str = "HS256", **extra: Any) -> str:
    """A token as Jira signs it: HS256 over the tenant secret, `qsh` of the URL or `context-qsh`.

    Signed by the add-on's own sign_hs256, which the benchmark signs with too.
    """
    if sub:
        extra["sub"] = sub
    if context:
        extra["qsh"] = CONTEXT_QSH
    token = sign_hs256(method, url, client_key, secret, ttl_seconds=exp_in, **extra)
    if algorithm == HS256:
        return token
    # A token Jira never sends, for the refusal tests: the same claims under another algorithm.
    return jwt.encode(jwt.decode(token, options={"verify_signature": False}), secret, algorithm=algorithm)


class Tenant:
    def __init__(self, client_key: str, secret: str, base_url: str) -> None:
        self.client_key = client_key
        self.secret = secret
        self.base_url = base_url


class JiraActions:
    """Jira's side in tests, after flaskr's AuthActions: install tenants, sign requests."""

    def __init__(self, client: FlaskClient, install_key: tuple[str, rsa.RSAPrivateKey], fake: FakeJira) -> None:
        self.client = client
        self.kid, self.private_key = install_key
        self.fake = fake

    def install(self, client_key: str = "tenant-a", base_url: str | None = None,
                secret: str | None = None, expect: int = 204, admins: set[str] | None = None,
                cloud_id: str | None = None, cloud_id_in_body: bool = True) -> Tenant:
        """Install a tenant; without a base_url its site is on the fake Jira, with `admins` as ADMINISTER.

        `cloud_id` names the site: in the install body, or else only at its /_edge/tenant_info.
        """
        secret = secret or "secret-" + uuid.uuid4().hex + uuid.uuid4().hex
        if base_url is None:
            base_url = self.fake.site(client_key, secret, admins, cloud_id)
        body = {"key": APP_KEY, "clientKey": client_key, "sharedSecret": secret, "baseUrl": base_url,
                "productType": "jira", "eventType": "installed"}
        if cloud_id and cloud_id_in_body:
            body["cloudId"] = cloud_id
        token = install_token(self.private_key, self.kid, client_key)
        response = self.client.post("/lifecycle/installed", json=body, headers={"Authorization": "JWT " + token})
        assert response.status_code == expect, response.get_data(as_text=True)
        return Tenant(client_key, secret, base_url)

    def uninstall(self, tenant: Tenant) -> None:
        body = {"key": APP_KEY, "clientKey": tenant.client_key, "sharedSecret": tenant.secret,
                "baseUrl": tenant.base_url, "eventType": "uninstalled"}
        token = install_token(self.private_key, self.kid, tenant.client_key, path="/lifecycle/uninstalled")
        response = self.client.post("/lifecycle/uninstalled", json=body, headers={"Authorization": "JWT " + token})
        assert response.status_code == 204, response.get_data(as_text=True)

    def headers(self, tenant: Tenant, method: str, url: str, sub: str | None = "user-1",
                context: bool = False, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": "JWT " + jira_token(method, url, tenant.client_key, tenant.secret,
                                                     sub=sub, context=context, **kwargs)}

    def request(self, tenant: Tenant, method: str, url: str, sub: str | None = "user-1",
                context: bool = False, **kwargs: Any) -> Any:
        """Send `method url` as Jira (or an iframe, with `context=True`) would, signed for `sub`."""
        headers = self.headers(tenant, method, url, sub=sub, context=context)
        headers.update(kwargs.pop("headers", {}))
        return self.client.open(url, method=method, headers=headers, **kwargs)


@pytest.fixture
def jira(client: FlaskClient, install_key: tuple[str, rsa.RSAPrivateKey], fake_jira: FakeJira) -> JiraActions:
    return JiraActions(client, install_key, fake_jira)


# ---------------------------------------------------------------------------------------------
# Forge: its key server on loopback, and Forge Remote's side of every call (tests/fits.py)

@pytest.fixture(scope="session")
def jwks_server_session() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def jwks_server(jwks_server_session: JwksServer) -> Iterator[JwksServer]:
    jwks_server_session.reset()
    yield jwks_server_session
    jwks_server_session.reset()


@pytest.fixture(scope="session")
def forge_key(jwks_server_session: JwksServer) -> tuple[str, rsa.RSAPrivateKey]:
    return jwks_server_session.new_key()


@pytest.fixture
def forge(client: FlaskClient, forge_key: tuple[str, rsa.RSAPrivateKey], fake_jira: FakeJira) -> ForgeActions:
    return ForgeActions(client, forge_key, fake_jira)


# ---------------------------------------------------------------------------------------------
# A real HTTP server around the app, for tests where HTTP itself is under test

class LiveServer:
    def __init__(self, app: Flask) -> None:
        self._busy = 0  # requests being answered
        self._idle = threading.Condition()
        self.server = make_server("127.0.0.1", 0, self._counted(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _counted(self, app: Any) -> Any:
        def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
            with self._idle:
                self._busy += 1
            try:
                answer = app(environ, start_response)
            except BaseException:
                self._done()
                raise
            return ClosingIterator(answer, self._done)  # closes the app's answer, then counts it done
        return wsgi

    def _done(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def stop(self) -> None:
        """Stop accepting, and let the requests already in hand finish (up to 10 s).

        Its request threads outlive `shutdown()`: a browser's last call of one test, still being
        answered, would otherwise write into the tables the next test starts from.
        """
        self.server.shutdown()
        self.thread.join(5)
        with self._idle:
            self._idle.wait_for(lambda: self._busy == 0, timeout=10)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app)
    yield server
    server.stop()


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends inside the block, to count queries.

    Through SQLAlchemy's cursor events, and the hot-path ReadStatements, which run on the DBAPI
    connection directly and so bypass those events.
    """
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    original_rows = ReadStatement.rows

    def recording_rows(self: ReadStatement, on: Any, params: Any) -> Any:
        if on is engine:
            seen.append(self._sql(engine.dialect)[0])
        return original_rows(self, on, params)

    event.listen(engine, "before_cursor_execute", record)
    ReadStatement.rows = recording_rows  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        ReadStatement.rows = original_rows  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", record)


def host_of(url: str) -> str:
    return urlsplit(url).netloc


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The one Chromium of the page tests (Connect and Forge alike): Playwright's sync API allows one
    running instance per thread, so a second launch while the first lives would fail."""
    from .pages_support import chromium  # only the page tests need Playwright
    with chromium() as launched:
        yield launched
