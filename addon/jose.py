"""Token primitives both fronts share: compact JWS segments, JWT times, Authorization schemes, cloudIds.

Plain functions and one small per-app cache; no Flask, no keys, no policy. Each front keeps its own
rules and its own refusal (connect/jwt.py: Jira's HS256 tokens and Atlassian's signed installs;
forge/fit.py: Forge Invocation Tokens): a check here that refuses raises the exception its caller
names, with a message for a person that never quotes the token.
"""
from __future__ import annotations

import base64
import json
import math
import re
from typing import Any, Callable

# Header parameters that change how a token is read (RFC 7515 4.1.11, RFC 7797): neither front implements any.
UNSUPPORTED_HEADER = ("crit", "b64", "jku", "jwk", "x5u", "x5c")
# An Atlassian site's cloudId, wherever a token, an install or an ARI names it.
CLOUD_ID_PATTERN = r"[0-9A-Za-z-]{1,64}"
CLOUD_ID = re.compile(CLOUD_ID_PATTERN)

_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64URL_INDEX = {c: i for i, c in enumerate(_B64URL)}
_B64URL_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")

Refusal = Callable[[str], Exception]


def credential(authorization: str, scheme: str) -> str | None:
    """The credential of an `Authorization` header value in `scheme` ("Bearer", "JWT"), stripped
    (possibly empty); None when the value is of another scheme. The scheme compares
    case-insensitively (RFC 9110 11.1), and is followed by one space."""
    size = len(scheme) + 1
    if authorization[:size].lower() == scheme.lower() + " ":
        return authorization[size:].strip()
    return None


def json_segment(segment: str) -> Any:
    """A base64url segment's JSON; raises ValueError (binascii's and JSON's errors), TypeError or RecursionError."""
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def canonical_base64url(segment: str) -> bool:
    """Whether `segment`, made of base64url characters, is the one spelling (no padding) of the bytes it decodes to.

    Other spellings exist where the last character carries unused bits, or the length leaves a
    lone character; they decode to the same bytes, so a signature made over one of them would
    let the same claims travel in several forms. PyJWT refuses them ("Invalid payload padding").
    """
    extra = len(segment) % 4
    if extra == 1:
        return False
    if extra == 0 or not segment:
        return True
    unused_bits = 0x0F if extra == 2 else 0x03
    return _B64URL_INDEX.get(segment[-1], 1) & unused_bits == 0


def decode_base64url(segment: str) -> bytes:
    """The bytes of a canonical base64url segment (no padding); ValueError for any other spelling."""
    if _B64URL_SEGMENT.fullmatch(segment) is None or not canonical_base64url(segment):
        raise ValueError("not canonical base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def refuse_extensions(header: dict[str, Any], refused: Refusal) -> None:
    """Refuse a header that asks for a JWS extension: a front that ignored one would misread the token."""
    if any(name in header for name in UNSUPPORTED_HEADER):
        raise refused("The token's header asks for a JWS extension that is not supported.")


def numeric_date(claims: dict[str, Any], name: str, refused: Refusal) -> float:
    """The claim `name` as a JWT NumericDate: a finite JSON number, never a string or a boolean
    (PyJWT also takes "123" and true; Atlassian sends integers)."""
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise refused(f"The token's '{name}' claim is not a time.")
    return value


class HeaderCache:
    """segment -> its decoded JSON: a front sees a handful of headers (one per signing key), each decoded
    once per app rather than once per request. Bounded: a flood of made-up headers only empties it."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._decoded: dict[str, Any] = {}

    def get(self, segment: str) -> Any:
        """The JSON of a header segment, as json_segment gives it (and raises)."""
        header = self._decoded.get(segment)
        if header is None:
            header = json_segment(segment)
            if len(self._decoded) >= self.size:
                self._decoded.clear()
            self._decoded[segment] = header
        return header
