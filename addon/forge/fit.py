"""Forge Invocation Tokens (FIT) as plain functions: Forge signs them RS256, we check them.

Nothing here knows Flask or the database; the caller passes the keys and what the token must match.
Each refusal says why (for the log); callers answer every refusal with one 401 message. What
Connect's tokens share with these (segments, times, headers, the cloudId) is in addon.jose.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from ..jose import CLOUD_ID, CLOUD_ID_PATTERN, HeaderCache, decode_base64url, json_segment, numeric_date, \
    refuse_extensions

ISSUER = "forge/invocation-token"
APP_ARI_PREFIX = "ari:cloud:ecosystem::app/"
RS256 = "RS256"
# A FIT carries the invocation's context and is a few kilobytes at most.
MAX_TOKEN_LENGTH = 16 * 1024
# Key ids are matched against these before they are looked up or logged.
KID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_MAX_ID = 255
_ACCOUNT_ID_MAX = 128
# `app.apiBaseUrl` names the site in its path: https://api.atlassian.com/ex/jira/<cloudId>
_CLOUD_IN_API_PATH = re.compile(rf"/ex/[a-z]+/({CLOUD_ID_PATTERN})/?$")
_SITE_ARI = re.compile(rf"ari:cloud:[a-z]+::site/({CLOUD_ID_PATTERN})")


class FitRefused(Exception):
    """The token is refused; the message says why, for the log, and never quotes the token."""


class KeysUnavailable(Exception):
    """Forge's signing keys were needed and could not be fetched: the call cannot be judged now."""


@dataclass(frozen=True)
class Invocation:
    """What a verified FIT says about a call: which installation, which site, which user."""

    app_id: str
    installation_id: str
    api_base_url: str
    cloud_id: str | None
    principal: str | None
    environment_id: str | None = None
    module_key: str | None = None
    # When Forge minted the token (`iat`, else `nbf`): orders lifecycle events.
    issued_at: float | None = None
    environment_type: str | None = None


def app_audience(app_id: str) -> str:
    """The `aud` of our FITs: FORGE_APP_ID with the ARI prefix added when the setting lacks it."""
    app_id = app_id.strip()
    return app_id if app_id.startswith(APP_ARI_PREFIX) else APP_ARI_PREFIX + app_id


def looks_like_jwt(token: str, headers: HeaderCache | None = None) -> bool:
    """Whether a Bearer credential is a JWT (three base64url segments, a JSON header naming an `alg`).

    Cheap, so that API tokens (`jus_...`, never dotted) and FITs go to their own verifier; a JWT with
    a header Forge would never send (alg none, HS256) is still a JWT, and the FIT check refuses it
    with its own reason.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        return False
    header_part = token.split(".", 1)[0]
    if not _SEGMENT.fullmatch(header_part):
        return False
    try:
        header = headers.get(header_part) if headers is not None else json_segment(header_part)
    except (ValueError, TypeError, RecursionError):
        return False
    return isinstance(header, dict) and isinstance(header.get("alg"), str)


def unverified_header(token: str, headers: HeaderCache | None = None) -> dict[str, Any]:
    """The header, before any check, to learn which key to verify with.

    `headers` keeps each header decoded: Forge signs with a handful (one per key).
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise FitRefused("The token is missing or too long.")
    parts = token.split(".")
    if len(parts) != 3 or not all(_SEGMENT.fullmatch(part) for part in parts):
        raise FitRefused("The token is not a compact JWS.")
    try:
        header = headers.get(parts[0]) if headers is not None else json_segment(parts[0])
    except (ValueError, TypeError, RecursionError):
        raise FitRefused("The token's header is not JSON.") from None
    if not isinstance(header, dict):
        raise FitRefused("The token's header is not a JSON object.")
    return header


def verify(token: str, key_for: Callable[[str], RSAPublicKey], app_id: str, leeway: float,
           require_principal: bool = True, allow_http: bool = False, environment: str = "",
           event: bool = False, headers: HeaderCache | None = None) -> Invocation:
    """The invocation a FIT describes, once its signature, issuer, audience, times and claims check out.

    `key_for(kid)` gives Forge's public key of that id: it raises FitRefused for an unknown key and
    KeysUnavailable when the keys cannot be fetched. `require_principal` asks for the acting user;
    `event` instead refuses what only a user's call carries (see `invocation_from_claims`).
    `environment`, when set, is the only `app.environment.type` served. `allow_http` lets tests
    serve `app.apiBaseUrl` on loopback http. `headers` is the front's cache of decoded headers.
    """
    if not app_id.strip():
        raise FitRefused("The Forge front is off: FORGE_APP_ID is not set.")
    header = unverified_header(token, headers)
    # The algorithm is ours, never the token's: no "none", no HMAC keyed with the public key.
    if header.get("alg") != RS256:
        raise FitRefused("Only RS256 tokens are accepted from Forge.")
    refuse_extensions(header, FitRefused)
    kid = header.get("kid")
    if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid):
        raise FitRefused("The token names no valid signing key.")
    key = key_for(kid)
    audience = app_audience(app_id)
    claims = verify_rs256(token, key, audience, leeway)
    return invocation_from_claims(claims, audience, require_principal, allow_http, environment, event)


def verify_rs256(token: str, key: RSAPublicKey, audience: str, leeway: float,
                 now: float | None = None) -> dict[str, Any]:
    """The claims of a token signed RS256 by `key` for `audience` by Forge, in time.

    Checked here rather than by PyJWT because it runs on every Forge call and PyJWT's own parsing
    and option handling cost several times the RSA check itself (the same reason Connect's HS256
    check is written out in connect/jwt.py). The checks are PyJWT's (tests compare the two on
    generated tokens), stricter where it is lenient: canonical base64url only, times must be JSON
    numbers, `iss` and `aud` must be strings.
    """
    signing_input, _, signature_part = token.rpartition(".")
    payload_part = signing_input.partition(".")[2]
    try:
        signature = decode_base64url(signature_part)
        payload = decode_base64url(payload_part)
    except ValueError:
        raise FitRefused("The token is not canonical base64url.") from None
    try:
        key.verify(signature, signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise FitRefused("The token's signature does not verify.") from None
    try:
        claims = json.loads(payload)
    except (ValueError, RecursionError):
        raise FitRefused("The token's claims are not JSON.") from None
    if not isinstance(claims, dict):
        raise FitRefused("The token's claims are not a JSON object.")
    for name in ("exp", "iss", "aud"):
        if claims.get(name) is None:
            raise FitRefused(f"The token has no '{name}' claim.")
    moment = time.time() if now is None else now
    if numeric_date(claims, "exp", FitRefused) <= moment - leeway:
        raise FitRefused("The token has expired.")
    for name in ("nbf", "iat"):
        if name in claims and numeric_date(claims, name, FitRefused) > moment + leeway:
            raise FitRefused("The token is not valid yet.")
    if claims["iss"] != ISSUER:
        raise FitRefused("The token was not issued by Forge.")
    aud = claims["aud"]
    audiences = aud if isinstance(aud, list) else [aud]
    if not all(isinstance(value, str) for value in audiences) or audience not in audiences:
        raise FitRefused("The token was issued for another app.")
    return claims


def invocation_from_claims(claims: dict[str, Any], audience: str, require_principal: bool,
                           allow_http: bool = False, environment: str = "", event: bool = False) -> Invocation:
    """The Invocation of verified claims; refuses claims that are missing, mistyped or inconsistent.

    `event`: the token must be one Forge mints for its own invocations (events, triggers), never a
    page's: "Forge Remote essentials" gives `principal` to UI modules only and no `context` when
    Forge invokes from the backend, while every invokeRemote/requestRemote call from a page carries
    both. Such a token must also say when it was minted, which orders events.
    """
    app = claims.get("app")
    if not isinstance(app, dict):
        raise FitRefused("The token has no 'app' claim.")
    app_claim_id = app.get("id")
    if app_claim_id is not None and (not isinstance(app_claim_id, str) or app_audience(app_claim_id) != audience):
        raise FitRefused("The token's 'app.id' is not this app.")
    installation_id = _identifier(app.get("installationId"), "app.installationId")
    api_base_url = _api_base_url(app.get("apiBaseUrl"), allow_http)

    cloud_ids = set()
    context = claims.get("context")
    if context is not None and not isinstance(context, dict):
        raise FitRefused("The token's 'context' claim is not an object.")
    if context and context.get("cloudId") is not None:
        cloud_ids.add(_cloud_id(context.get("cloudId"), "context.cloudId"))
    in_path = _CLOUD_IN_API_PATH.search(urlsplit(api_base_url).path)
    if in_path:
        cloud_ids.add(in_path.group(1))
    if len(cloud_ids) > 1:
        raise FitRefused("The token's 'context.cloudId' is not the site of its 'app.apiBaseUrl'.")

    principal = _principal(claims.get("principal"))
    if require_principal and principal is None and not event:
        raise FitRefused("The token has no 'principal' claim.")
    if event and (principal is not None or context is not None):
        raise FitRefused("The token carries a 'principal' or 'context': a page's call, not an event Forge sent.")
    issued_at = next((numeric_date(claims, name, FitRefused) for name in ("iat", "nbf") if claims.get(name) is not None), None)
    if event and issued_at is None:
        raise FitRefused("The event's token says neither 'iat' nor 'nbf': it cannot be ordered.")

    app_environment = app.get("environment")
    environment_id = app_environment.get("id") if isinstance(app_environment, dict) else None
    environment_type = app_environment.get("type") if isinstance(app_environment, dict) else None
    if not isinstance(environment_type, str):
        environment_type = None
    # A development or staging installation of the same app id must not reach production's data.
    if environment and (environment_type or "").upper() != environment:
        raise FitRefused(f"The token is for the Forge environment {environment_type!r}, not {environment}.")
    module = app.get("module")
    module_key = module.get("key") if isinstance(module, dict) else None
    return Invocation(
        app_id=audience,
        installation_id=installation_id,
        api_base_url=api_base_url,
        cloud_id=cloud_ids.pop() if cloud_ids else None,
        principal=principal,
        environment_id=environment_id if isinstance(environment_id, str) else None,
        module_key=module_key if isinstance(module_key, str) else None,
        issued_at=issued_at,
        environment_type=environment_type,
    )


def cloud_id_of_site_ari(value: object) -> str | None:
    """The cloudId in a site ARI (`ari:cloud:jira::site/<cloudId>`), as lifecycle events name their site."""
    if not isinstance(value, str):
        return None
    match = _SITE_ARI.fullmatch(value)
    return match.group(1) if match else None


def _identifier(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FitRefused(f"The token has no '{name}' claim.")
    if len(value) > _MAX_ID or any(ord(ch) < 33 or ord(ch) == 127 for ch in value):
        raise FitRefused(f"The token's '{name}' claim is malformed.")
    return value


def _cloud_id(value: object, name: str) -> str:
    if not isinstance(value, str) or not CLOUD_ID.fullmatch(value):
        raise FitRefused(f"The token's '{name}' claim is malformed.")
    return value


def _api_base_url(value: object, allow_http: bool) -> str:
    if not isinstance(value, str) or not value:
        raise FitRefused("The token has no 'app.apiBaseUrl' claim.")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise FitRefused("The token's 'app.apiBaseUrl' is not a URL.") from None
    # The system token goes to this address: https only (loopback http in tests).
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise FitRefused("The token's 'app.apiBaseUrl' is not https.")
    if not parts.hostname or parts.username or parts.password or parts.query or parts.fragment:
        raise FitRefused("The token's 'app.apiBaseUrl' is not a plain base URL.")
    if len(value) > _MAX_ID:
        raise FitRefused("The token's 'app.apiBaseUrl' is too long.")
    return value.rstrip("/")


def _principal(value: object) -> str | None:
    """The acting user's accountId; Forge documents a string, an `{accountId}` object is taken too."""
    if isinstance(value, dict):
        value = value.get("accountId")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > _ACCOUNT_ID_MAX:
        raise FitRefused("The token's 'principal' claim is malformed.")
    return value
