"""Forge's side in tests: a JWKS server on loopback with our own RSA keys, FITs signed as Forge signs
them, and the requests Forge Remote sends (the fixtures that hand them out are in tests/conftest.py)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Callable

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient

from tests.loopback import LoopbackServer, answer

if TYPE_CHECKING:
    from tests.conftest import FakeJira

APP_UUID = "406d303d-0393-4ec4-ad7c-1435be94583a"
APP_ARI = "ari:cloud:ecosystem::app/" + APP_UUID


class JwksServer(LoopbackServer):
    """Serves a JWKS document at /.well-known/jwks.json, as forge.cdn.prod.atlassian-dev.net does."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.requests = 0
        self.fail_with: int | None = None
        self.delay = 0.0
        self.document: Any = None  # served instead of the keys when set
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.requests += 1
                if server.delay:
                    time.sleep(server.delay)
                if self.path != "/.well-known/jwks.json" or server.fail_with:
                    answer(self, server.fail_with or 404)
                    return
                document = server.document if server.document is not None else server.jwks()
                body = document if isinstance(document, bytes) else json.dumps(document).encode()
                answer(self, 200, body, {"Content-Type": "application/json"})

            def log_message(self, *args: Any) -> None:
                pass

        self.serve(Handler)
        self.url += "/.well-known/jwks.json"

    def new_key(self, bits: int = 2048) -> tuple[str, rsa.RSAPrivateKey]:
        kid = "fit-" + uuid.uuid4().hex
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        return kid, self.keys[kid]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(kid, key) for kid, key in self.keys.items()]}

    def reset(self) -> None:
        self.requests = 0
        self.fail_with = None
        self.delay = 0.0
        self.document = None


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(kid: str, key: rsa.RSAPrivateKey) -> dict[str, str]:
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": _b64(numbers.n), "e": _b64(numbers.e)}



def fit_claims(installation_id: str, api_base_url: str, cloud_id: str | None = None,
               principal: str | None = "user-1", exp_in: int = 300, audience: str = APP_ARI,
               environment: str = "DEVELOPMENT", issued_at: int | None = None, **extra: Any) -> dict[str, Any]:
    """Claims as the Forge docs show a FIT's: the app and its installation, the site, the user.

    `issued_at` sets `iat` and `nbf` (a token minted earlier, still inside its lifetime)."""
    now = int(time.time()) if issued_at is None else issued_at
    claims: dict[str, Any] = {
        "iss": "forge/invocation-token", "aud": audience, "iat": now, "nbf": now, "exp": now + exp_in,
        "jti": str(uuid.uuid4()),
        "app": {"id": APP_ARI, "version": "3", "installationId": installation_id, "apiBaseUrl": api_base_url,
                "environment": {"type": environment, "id": str(uuid.uuid4())},
                "module": {"type": "xen:invokeRemote", "key": "skills-page"}},
    }
    if cloud_id is not None:
        claims["context"] = {"cloudId": cloud_id, "moduleKey": "skills-page"}
    if principal is not None:
        claims["principal"] = principal
    claims.update(extra)
    return claims


def sign_fit(claims: dict[str, Any], key: Any, kid: str | None, algorithm: str = "RS256") -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


@dataclass
class ForgeSite:
    """A Jira site with the Forge app installed: its installation, cloudId and system token."""

    cloud_id: str
    installation_id: str
    api_base_url: str
    system_token: str
    admins: set[str] = field(default_factory=set)


class ForgeActions:
    """Forge's side: sites, FITs, events, requests as Forge Remote sends them."""

    def __init__(self, client: FlaskClient, key: tuple[str, rsa.RSAPrivateKey], fake: FakeJira) -> None:
        self.client = client
        self.kid, self.private_key = key
        self.fake = fake

    def site(self, cloud_id: str | None = None, admins: set[str] | None = None) -> ForgeSite:
        cloud_id = cloud_id or str(uuid.uuid4())
        token = "sys-" + uuid.uuid4().hex
        base = self.fake.forge_site(cloud_id, token, admins)
        return ForgeSite(cloud_id, "ari:cloud:ecosystem::installation/" + str(uuid.uuid4()), base, token,
                         set(admins or ()))

    def new_system_token(self, site: ForgeSite) -> str:
        site.system_token = "sys-" + uuid.uuid4().hex
        self.fake.forge_site(site.cloud_id, site.system_token)
        return site.system_token

    def fit(self, site: ForgeSite, principal: str | None = "user-1", ui: bool = True, **extra: Any) -> str:
        claims = fit_claims(site.installation_id, site.api_base_url, site.cloud_id if ui else None,
                            principal, **extra)
        return sign_fit(claims, self.private_key, self.kid)

    def headers(self, site: ForgeSite, principal: str | None = "user-1", system_token: bool = True,
                **extra: Any) -> dict[str, str]:
        headers = {"Authorization": "Bearer " + self.fit(site, principal, **extra)}
        if system_token:
            headers["x-forge-oauth-system"] = site.system_token
        return headers

    def event(self, site: ForgeSite, event_type: str, expect: int | None = 204, retry: int = 0,
              fit: dict[str, Any] | None = None, **body: Any) -> Any:
        """A lifecycle event as Forge sends it to the trigger's remote endpoint (no user, system token).

        `retry` > 0: Forge's redelivery, the event wrapped as {"payload": {..., "retryContext": ...}}
        ("Sending Atlassian app and lifecycle events to a remote", Handling retries). `fit`: more
        keyword arguments for the token's claims (fit_claims), e.g. an earlier `issued_at`."""
        payload: dict[str, Any] = {"eventType": event_type, "id": site.installation_id,
                                   "installerAccountId": "installer-1", "app": {"id": APP_UUID, "version": "3.0.0"},
                                   "environment": {"id": str(uuid.uuid4())},
                                   "context": f"ari:cloud:jira::site/{site.cloud_id}"}
        payload.update(body)
        if retry:
            payload = {"payload": {**payload, "retryContext": {
                "retryData": None, "retryCount": retry, "retryReason": "INVALID_REMOTE_INVOCATION_ERROR"}}}
        response = self.client.post("/forge/lifecycle", json=payload,
                                    headers=self.headers(site, principal=None, ui=False, **(fit or {})))
        if expect is not None:
            assert response.status_code == expect, response.get_data(as_text=True)
        return response


    def product_event(self, site: ForgeSite, body: dict[str, Any], retry: int = 0, principal: str | None = None,
                      ui: bool = False) -> Any:
        """A Jira product event (a trigger's remote endpoint, POST /forge/events), as Forge sends it:
        no user, no context, the system token; `retry` > 0 wraps it as Forge's redelivery does."""
        payload: dict[str, Any] = dict(body)
        if retry:
            payload = {"payload": {**payload, "retryContext": {"retryCount": retry, "retryReason": "TIMEOUT"}}}
        return self.client.post("/forge/events", json=payload, headers=self.headers(site, principal=principal, ui=ui))


def snapshot(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a Forge call can change, to show that a refused call changed nothing."""
    from addon.extensions import db
    from addon.models import ApiToken, Category, ForgeInstallation, IssueSkill, Level, Skill, Tenant, UserSkill

    with app.app_context():
        return {
            "tenants": [tuple(r) for r in db.session.execute(db.select(
                Tenant.id, Tenant.client_key, Tenant.cloud_id, Tenant.installed, Tenant.forge_installed,
                Tenant.expert_level).order_by(Tenant.id))],
            "levels": [tuple(r) for r in db.session.execute(db.select(
                Level.tenant_id, Level.level, Level.name, Level.description).order_by(Level.tenant_id, Level.level))],
            "issue_skills": [tuple(r) for r in db.session.execute(db.select(
                IssueSkill.tenant_id, IssueSkill.issue_id, IssueSkill.skill_id, IssueSkill.min_level)
                .order_by(IssueSkill.id))],
            "installations": [tuple(r) for r in db.session.execute(db.select(
                ForgeInstallation.installation_id, ForgeInstallation.tenant_id, ForgeInstallation.installed,
                ForgeInstallation.system_token, ForgeInstallation.api_base_url)
                .order_by(ForgeInstallation.installation_id))],
            "user_skills": [tuple(r) for r in db.session.execute(db.select(
                UserSkill.tenant_id, UserSkill.account_id, UserSkill.skill_id, UserSkill.level)
                .order_by(UserSkill.id))],
            "skills": [tuple(r) for r in db.session.execute(db.select(
                Skill.id, Skill.tenant_id, Skill.name, Skill.category_id, Skill.position).order_by(Skill.id))],
            "categories": [tuple(r) for r in db.session.execute(db.select(
                Category.id, Category.tenant_id, Category.key, Category.parent_id, Category.display_name,
                Category.description, Category.position).order_by(Category.id))],
            "api_tokens": [tuple(r) for r in db.session.execute(db.select(
                ApiToken.id, ApiToken.tenant_id, ApiToken.name, ApiToken.token_hash).order_by(ApiToken.id))],
        }


# ---------------------------------------------------------------------------------------------
# FITs that must be refused (401): name -> (Forge's side, a site) -> the token

def _claims(site: ForgeSite, **extra: Any) -> dict[str, Any]:
    return fit_claims(site.installation_id, site.api_base_url, site.cloud_id, "user-1", **extra)


def _without(site: ForgeSite, name: str, in_app: bool = False) -> dict[str, Any]:
    claims = _claims(site)
    del (claims["app"] if in_app else claims)[name]
    return claims


BAD_FITS: dict[str, Callable[[ForgeActions, ForgeSite], str]] = {
    "another aud": lambda f, s: sign_fit(_claims(s, aud="ari:cloud:ecosystem::app/" + str(uuid.uuid4())), f.private_key, f.kid),
    "another iss": lambda f, s: sign_fit(_claims(s, iss="connect/" + s.installation_id), f.private_key, f.kid),
    "alg none": lambda f, s: _none_header(f.kid) + "." + f.fit(s).split(".")[1] + ".",
    "HS256": lambda f, s: sign_fit(_claims(s), "some-shared-secret-that-is-long-enough", f.kid, "HS256"),
    "HS256 keyed with the public key": lambda f, s: _hs256_public(f, _claims(s)),
    "unknown kid": lambda f, s: sign_fit(_claims(s), f.private_key, "fit-" + uuid.uuid4().hex),
    "expired": lambda f, s: sign_fit(_claims(s, exp_in=-120), f.private_key, f.kid),
    "missing principal": lambda f, s: sign_fit(_without(s, "principal"), f.private_key, f.kid),
    "missing installationId": lambda f, s: sign_fit(_without(s, "installationId", in_app=True), f.private_key, f.kid),
    "missing apiBaseUrl": lambda f, s: sign_fit(_without(s, "apiBaseUrl", in_app=True), f.private_key, f.kid),
    "signed by another key": lambda f, s: sign_fit(_claims(s), _OTHER_KEY, f.kid),
}


def _none_header(kid: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": kid}).encode()).rstrip(b"=").decode()


def _hs256_public(forge: ForgeActions, claims: dict[str, Any]) -> str:
    """The RS/HS confusion attack: HMAC keyed with the PEM of the public key the verifier holds."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    pem = forge.private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = b64(json.dumps({"alg": "HS256", "kid": forge.kid}).encode()) + "." + b64(json.dumps(claims).encode())
    return signing_input + "." + b64(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())


_OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
