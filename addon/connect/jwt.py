"""Connect JWT as plain functions: query string hashes, HS256 tokens from Jira, RS256 signed installs.

Nothing here knows Flask or the database; callers pass in what the token must match. What Forge's
tokens share with these (segments, times, headers) is in addon.jose.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import jwt
from atlassian_jwt.url_utils import hash_url

from ..jose import HeaderCache, canonical_base64url, json_segment, numeric_date, refuse_extensions

CONTEXT_QSH = "context-qsh"
HS256 = "HS256"
RS256 = "RS256"
# A token is only a few hundred bytes; anything much larger is not one of Jira's.
MAX_TOKEN_LENGTH = 8192
# header.claims.signature, base64url without padding; an HS256 signature is 32 bytes: 43 characters.
_HS256_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}")
# Jira puts `iat` in every token it signs (context tokens included); one without it is not Jira's.
HS256_REQUIRED = ("exp", "iat", "iss", "qsh")


class TokenError(Exception):
    """The token is refused; the message says why, for a person, and never quotes the token."""


def query_string_hash(method: str, relative_url: str) -> str:
    """The `qsh` of a request, with atlassian-jwt's canonical form (the `jwt` parameter left out)."""
    return hash_url(method, relative_url)


# Paths whose canonical form is the path itself: no ';' (path parameters), ':' (urlparse would read
# a scheme), '&', '%' or anything else that atlassian-jwt's URL parsing treats specially.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/._~-]*")
# Queries of name=value pairs made of characters that quote() never escapes, each with one '=' at
# most: the common case, such as `accountId=5b10ac8d82e05b22cc7d4ef5`.
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9._~-]+(?:=[A-Za-z0-9._~-]*)?(?:&[A-Za-z0-9._~-]+(?:=[A-Za-z0-9._~-]*)?)*")


def request_query_string_hash(method: str, path: str, query: str) -> str:
    """`query_string_hash(method, path?query)` for a request's own path and raw query, without
    re-parsing them as a URL (it runs on every request). Gives atlassian-jwt's hash exactly, which
    tests check on generated paths and queries; other paths go through atlassian-jwt itself.
    """
    if _PLAIN_PATH.fullmatch(path) is None or "#" in query:
        return hash_url(method, f"{path}?{query}" if query else path)
    groups: dict[str, list[str]] = {}
    if _PLAIN_QUERY.fullmatch(query) is not None:
        # Nothing in it is escaped or would be: parse_qsl's and quote's answers are the text itself.
        for piece in query.split("&"):
            key, _, value = piece.partition("=")
            if key != "jwt":
                groups.setdefault(key, []).append(value)
        pairs = sorted((key, ",".join(sorted(values))) for key, values in groups.items())
    else:
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key != "jwt":
                groups.setdefault(key, []).append(value)
        # Values sorted as decoded, pairs sorted as encoded: atlassian-jwt's order (Connect's JWT-20).
        pairs = sorted((quote(key, "~"), ",".join(quote(value, "~") for value in sorted(values)))
                       for key, values in groups.items())
    canonical = f"{method.upper()}&/{path.strip('/')}&" + "&".join(f"{key}={value}" for key, value in pairs)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def base_path(base_url: str) -> str:
    """The path of a base URL, without its trailing slash: what request paths are made relative to."""
    return urlsplit(base_url).path.rstrip("/")


def path_below(path: str, base: str) -> str:
    """`path` relative to the base path `base` (base_path's), as Connect hashes it."""
    if base and (path == base or path.startswith(base + "/")):
        return path[len(base):] or "/"
    return path


def relative_path(path: str, base_url: str) -> str:
    """`path` relative to the path of `base_url`, as Connect hashes it."""
    return path_below(path, base_path(base_url))


def relative_url(path: str, query_string: str, base_url: str) -> str:
    """`path?query` relative to the path of `base_url`, as Connect hashes it."""
    path = relative_path(path, base_url)
    return f"{path}?{query_string}" if query_string else path


def unverified_parts(token: str, headers: HeaderCache | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before any check, to learn which key and tenant to verify with.

    `headers` keeps each header decoded: Jira signs every token with one of a handful.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("The token is missing or malformed.")
    # Only picks the key to verify with; the signature check then covers these same bytes. Parsed
    # here by hand because it runs on every request, and PyJWT's unverified decode costs as much as
    # its verified one.
    try:
        header_part, claims_part, _ = token.split(".")
        header = headers.get(header_part) if headers is not None else json_segment(header_part)
        claims = json_segment(claims_part)
    except (ValueError, TypeError, RecursionError):  # binascii and JSON errors are ValueErrors
        raise TokenError("The token is malformed.") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenError("The token is malformed.")
    return dict(header), claims


def _decode(token: str, key: Any, algorithm: str, leeway: int, audience: list[str] | None,
            required: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {"require": required, "verify_aud": audience is not None}
    try:
        # The algorithm list is ours, never the token's header: no "none", no HS/RS confusion.
        return jwt.decode(token, key, algorithms=[algorithm], audience=audience,
                          leeway=leeway, options=options)
    except jwt.ExpiredSignatureError:
        raise TokenError("The token has expired.") from None
    except jwt.InvalidAudienceError:
        raise TokenError("The token was issued for another app.") from None
    except jwt.MissingRequiredClaimError as err:
        raise TokenError(f"The token has no '{err.claim}' claim.") from None
    except jwt.ImmatureSignatureError:
        raise TokenError("The token is not valid yet.") from None
    except jwt.PyJWTError:
        raise TokenError("The token's signature does not verify.") from None


def verify_hs256(token: str, shared_secret: str, leeway: int,
                 parts: tuple[dict[str, Any], dict[str, Any]] | None = None,
                 now: float | None = None, audiences: tuple[str, ...] = ()) -> dict[str, Any]:
    """Claims of a Connect token from Jira, signed with the tenant's shared secret.

    `parts` is what `unverified_parts` gave for this token when the caller already parsed it.
    Verified here rather than by PyJWT because it runs on every request and PyJWT parses the token
    again and merges its options each time, several times the cost of the check itself. The checks
    are PyJWT's, stricter where it is lenient (tests compare the two on generated tokens):
    the token must be canonical base64url, times must be JSON numbers, and the signature is compared
    in constant time over its canonical encoding. `iat` is required, and an `aud` claim is refused
    unless it names one of `audiences` (Jira sends none; PyJWT refuses any `aud` it was not told to
    expect).
    """
    if not isinstance(token, str) or _HS256_SHAPE.fullmatch(token) is None:
        raise TokenError("The token is malformed.")
    header_part, claims_part, _ = token.split(".")
    if not (canonical_base64url(claims_part) and canonical_base64url(header_part)):
        raise TokenError("The token is malformed.")
    header, claims = parts if parts is not None else unverified_parts(token)
    if header.get("alg") != HS256:
        raise TokenError("Only HS256 tokens are accepted here.")
    refuse_extensions(header, TokenError)
    signing_input, _, signature = token.rpartition(".")
    digest = hmac.digest(shared_secret.encode("utf-8"), signing_input.encode("ascii"), "sha256")
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=")
    if not hmac.compare_digest(expected, signature.encode("ascii")):
        raise TokenError("The token's signature does not verify.")
    check_claims(claims, leeway, HS256_REQUIRED, now)
    check_audience(claims, audiences)
    return claims


def check_audience(claims: dict[str, Any], audiences: tuple[str, ...]) -> None:
    """An `aud` claim, when present, must name this app: a string or a list of strings, one of `audiences`."""
    if "aud" not in claims:
        return
    aud = claims["aud"]
    named = [aud] if isinstance(aud, str) else aud
    if not isinstance(named, list) or not all(isinstance(item, str) for item in named):
        raise TokenError("The token's 'aud' claim is malformed.")
    if not any(item in audiences for item in named):
        raise TokenError("The token was issued for another app.")


def check_claims(claims: dict[str, Any], leeway: float, required: tuple[str, ...],
                 now: float | None = None) -> None:
    """The registered claims of a verified token: present, well-typed and in time."""
    for name in required:
        if claims.get(name) is None:
            raise TokenError(f"The token has no '{name}' claim.")
    moment = time.time() if now is None else now
    if "iat" in claims and int(numeric_date(claims, "iat", TokenError)) > moment + leeway:
        raise TokenError("The token is not valid yet.")
    if "nbf" in claims and int(numeric_date(claims, "nbf", TokenError)) > moment + leeway:
        raise TokenError("The token is not valid yet.")
    if "exp" in claims and int(numeric_date(claims, "exp", TokenError)) <= moment - leeway:
        raise TokenError("The token has expired.")
    for name in ("iss", "sub", "jti"):
        if name in claims and not isinstance(claims[name], str):
            raise TokenError(f"The token's '{name}' claim is not a string.")


def verify_rs256(token: str, public_key_pem: str, audiences: list[str], leeway: int) -> dict[str, Any]:
    """Claims of an install or uninstall token signed by Atlassian with the key named by `kid`."""
    header, _ = unverified_parts(token)
    if header.get("alg") != RS256:
        raise TokenError("Lifecycle installs must be signed with RS256.")
    return _decode(token, public_key_pem, RS256, leeway, audiences, ["exp", "iss", "qsh", "aud"])


def check_qsh(claims: dict[str, Any], expected: str, allow_context: bool) -> bool:
    """Whether the token is bound to this request; returns True for a context token."""
    qsh = claims.get("qsh")
    if qsh == CONTEXT_QSH:
        if not allow_context:
            raise TokenError("A context token is not accepted here.")
        return True
    if not isinstance(qsh, str) or qsh != expected:
        raise TokenError("The token was issued for another request.")
    return False


def sign_hs256(method: str, relative: str, issuer: str, shared_secret: str,
               ttl_seconds: int = 180, now: float | None = None, **claims: Any) -> str:
    """An HS256 token for one call: `iss` the issuer, `qsh` of the call, then `claims` (a `sub`...).

    The add-on's calls to Jira (issuer: the app key); tests and the benchmark sign requests as
    Jira does with it (issuer: the tenant's clientKey, `sub` the user).
    """
    issued = int(now if now is not None else time.time())
    payload = {"iss": issuer, "iat": issued, "exp": issued + ttl_seconds,
               "qsh": query_string_hash(method, relative), **claims}
    return jwt.encode(payload, shared_secret, algorithm=HS256)
