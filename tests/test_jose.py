"""The token primitives both fronts share (addon/jose.py): schemes, segments, times, headers."""
from __future__ import annotations

import base64
import binascii
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addon import jose


class Refused(Exception):
    pass


@pytest.mark.parametrize("value, scheme, expected", [
    ("Bearer abc", "Bearer", "abc"), ("bearer abc ", "Bearer", "abc"), ("BEARER  abc", "Bearer", "abc"),
    ("Bearer ", "Bearer", ""), ("Bearer", "Bearer", None), ("Bearerabc", "Bearer", None),
    ("JWT abc", "Bearer", None), ("jwt a.b.c", "JWT", "a.b.c"), ("", "JWT", None),
])
def test_credential_of_an_authorization_header(value: str, scheme: str, expected: str | None) -> None:
    assert jose.credential(value, scheme) == expected


def reencodes(segment: str) -> bytes:
    """Forge's check before the two fronts shared one: decode, encode again, compare."""
    data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != segment:
        raise ValueError("not canonical")
    return data


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. \n", max_size=12))
def test_decode_base64url_takes_exactly_the_canonical_spellings(segment: str) -> None:
    try:
        expected: bytes | None = reencodes(segment)
    except (ValueError, binascii.Error):
        expected = None
    try:
        found: bytes | None = jose.decode_base64url(segment)
    except ValueError:
        found = None
    assert found == expected


@given(st.binary(max_size=40))
def test_every_byte_string_has_one_canonical_spelling(data: bytes) -> None:
    segment = base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
    assert jose.canonical_base64url(segment) and jose.decode_base64url(segment) == data


@pytest.mark.parametrize("value", ["123", True, False, None, float("nan"), float("inf"), [1], {"t": 1}])
def test_a_time_is_a_finite_json_number(value: object) -> None:
    with pytest.raises(Refused, match="'exp' claim is not a time"):
        jose.numeric_date({"exp": value}, "exp", Refused)


def test_times_and_extensions() -> None:
    assert jose.numeric_date({"iat": 1700000000}, "iat", Refused) == 1700000000
    assert jose.numeric_date({"iat": 1.5}, "iat", Refused) == 1.5
    jose.refuse_extensions({"alg": "RS256", "kid": "k", "typ": "JWT"}, Refused)
    for name in jose.UNSUPPORTED_HEADER:
        with pytest.raises(Refused, match="extension"):
            jose.refuse_extensions({"alg": "RS256", name: None}, Refused)


def segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode("ascii")


def test_the_header_cache_decodes_each_header_once_and_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[str] = []
    original = jose.json_segment
    monkeypatch.setattr(jose, "json_segment", lambda part: decoded.append(part) or original(part))
    cache = jose.HeaderCache(size=3)
    header = segment({"alg": "HS256", "typ": "JWT"})
    assert cache.get(header) == {"alg": "HS256", "typ": "JWT"} and cache.get(header) == {"alg": "HS256", "typ": "JWT"}
    assert decoded == [header]
    for n in range(10):
        cache.get(segment({"alg": "HS256", "n": n}))
    assert len(cache._decoded) <= 3
    with pytest.raises(ValueError):
        cache.get("not json")


@pytest.mark.parametrize("value, valid", [("abc-DEF-123", True), ("a" * 64, True), ("a" * 65, False),
                                          ("", False), ("a/b", False), ("a b", False)])
def test_the_cloud_id_pattern(value: str, valid: bool) -> None:
    assert (jose.CLOUD_ID.fullmatch(value) is not None) == valid
