"""Forge's JWKS, cached per process: fetched once, re-read at most once a minute, a failed fetch is not a 401."""
from __future__ import annotations

import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from addon.forge.fit import FitRefused, KeysUnavailable
from addon.forge.keys import ForgeKeys, parse_jwks

from .conftest import JwksServer, public_jwk


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys(jwks_server: JwksServer, clock: Clock) -> ForgeKeys:
    return ForgeKeys(jwks_server.url, timeout=0.5, max_age=3600, min_refetch=60, clock=clock)


def test_keys_are_fetched_once_and_cached(keys: ForgeKeys, jwks_server: JwksServer,
                                          forge_key: tuple[str, rsa.RSAPrivateKey]) -> None:
    kid, private = forge_key
    for _ in range(50):
        assert keys.get(kid).public_numbers() == private.public_key().public_numbers()
    assert jwks_server.requests == 1


def test_unknown_kids_refetch_at_most_once_a_minute(keys: ForgeKeys, jwks_server: JwksServer, clock: Clock,
                                                    forge_key: tuple[str, rsa.RSAPrivateKey]) -> None:
    keys.get(forge_key[0])
    with pytest.raises(FitRefused):
        keys.get("forged-now")  # just fetched: no second fetch for it
    assert jwks_server.requests == 1
    clock.now += 60
    for n in range(200):  # a flood of made-up key ids: one fetch between them all
        with pytest.raises(FitRefused, match="does not publish"):
            keys.get(f"forged-{n}")
    assert jwks_server.requests == 2
    clock.now += 59
    with pytest.raises(FitRefused):
        keys.get("forged-x")
    assert jwks_server.requests == 2
    clock.now += 1
    with pytest.raises(FitRefused):
        keys.get("forged-y")
    assert jwks_server.requests == 3


def test_a_rotated_key_is_found_by_the_refetch(keys: ForgeKeys, jwks_server: JwksServer, clock: Clock,
                                               forge_key: tuple[str, rsa.RSAPrivateKey]) -> None:
    keys.get(forge_key[0])
    clock.now += 61
    kid, private = jwks_server.new_key()
    try:
        assert keys.get(kid).public_numbers() == private.public_key().public_numbers()
    finally:
        del jwks_server.keys[kid]


def test_a_failed_fetch_for_an_unknown_kid_is_unavailable_not_refused(keys: ForgeKeys, jwks_server: JwksServer,
                                                                       clock: Clock) -> None:
    jwks_server.fail_with = 500
    with pytest.raises(KeysUnavailable):
        keys.get("fit-anything")
    # Within the minute no new fetch is tried, and the answer is still "cannot know", not 401.
    with pytest.raises(KeysUnavailable):
        keys.get("fit-anything")
    assert jwks_server.requests == 1


def test_held_keys_keep_serving_while_the_endpoint_is_down(keys: ForgeKeys, jwks_server: JwksServer,
                                                           clock: Clock, forge_key: tuple[str, rsa.RSAPrivateKey]) -> None:
    keys.get(forge_key[0])
    jwks_server.fail_with = 503
    clock.now += 7200  # older than max_age: re-read, which fails
    assert keys.get(forge_key[0]) is not None
    assert jwks_server.requests == 2
    with pytest.raises(KeysUnavailable):
        keys.get("fit-new-key")  # may be real: we could not read Forge's keys lately
    jwks_server.fail_with = None
    clock.now += 60
    with pytest.raises(FitRefused):
        keys.get("fit-new-key")  # the endpoint answered: Forge has no such key


def test_the_fetch_has_a_timeout(keys: ForgeKeys, jwks_server: JwksServer) -> None:
    jwks_server.delay = 2.0
    started = time.monotonic()
    with pytest.raises(KeysUnavailable):
        keys.get("fit-anything")
    assert time.monotonic() - started < 1.9


@pytest.mark.parametrize("document", [b"not json", b"[]", b'{"keys": "no"}', b'{"keys": []}', b"x" * 300_000])
def test_a_malformed_document_is_unavailable(keys: ForgeKeys, jwks_server: JwksServer, document: bytes) -> None:
    jwks_server.document = document
    with pytest.raises(KeysUnavailable):
        keys.get("fit-anything")


def test_keys_that_are_not_rs256_signing_keys_are_left_out(forge_key: tuple[str, rsa.RSAPrivateKey]) -> None:
    kid, private = forge_key
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_numbers = ec_key.public_key().public_numbers()
    document: dict[str, Any] = {"keys": [
        public_jwk(kid, private),
        public_jwk("small", small),
        {**public_jwk("enc", private), "use": "enc"},
        {**public_jwk("hs", private), "alg": "HS256"},
        {**public_jwk("bad kid/..", private)},
        {"kty": "EC", "kid": "ec", "crv": "P-256", "x": str(ec_numbers.x), "y": str(ec_numbers.y)},
        {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
        "not an object",
    ]}
    assert list(parse_jwks(document)) == [kid]
