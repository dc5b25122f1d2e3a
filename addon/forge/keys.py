"""Forge's token-signing public keys: the JWKS document at FORGE_JWKS_URL, cached per process."""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable

import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

from .fit import KID_PATTERN, FitRefused, KeysUnavailable

log = logging.getLogger(__name__)

_MAX_JWKS_BYTES = 256 * 1024
_MAX_KEYS = 100
_MIN_RSA_BITS = 2048


class ForgeKeys:
    """kid -> RSA public key, from one JWKS document re-read when old or when a token names a new kid.

    Public keys are safe to keep per process. Re-reading is bounded: at most one fetch every
    `min_refetch` seconds whatever the tokens name, so a flood of made-up `kid`s costs a dict
    look-up each. A failed fetch answers KeysUnavailable only when the call needs it (an unknown
    kid); keys already held keep serving, so an outage of the key endpoint does not stop the app.
    """

    def __init__(self, url: str, timeout: float = 5.0, max_age: float = 3600.0, min_refetch: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.timeout = timeout
        self.max_age = max_age
        self.min_refetch = min_refetch
        self.clock = clock
        self._keys: dict[str, RSAPublicKey] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._tried_at: float | None = None  # last attempt, successful or not
        self._lock = threading.Lock()

    def get(self, kid: str) -> RSAPublicKey:
        """The key named `kid`; FitRefused if Forge has no such key, KeysUnavailable if we cannot know."""
        if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid):
            raise FitRefused("The token names no valid signing key.")
        key = self._keys.get(kid)
        if key is not None and not self._stale():
            return key
        with self._lock:
            # Another thread may have fetched while this one waited.
            key = self._keys.get(kid)
            if key is not None and not self._stale():
                return key
            if self._may_fetch():
                self._refresh()
            key = self._keys.get(kid)
            if key is not None:
                return key  # a stale key still serves while the key endpoint is down
            if self._fetched_at is None or (self._tried_at is not None and self._tried_at > self._fetched_at):
                # We could not read Forge's keys lately: this kid may well be real.
                raise KeysUnavailable("Forge's signing keys could not be fetched.")
        raise FitRefused("The token names a signing key Forge does not publish.")

    def _stale(self) -> bool:
        return self._fetched_at is None or self.clock() - self._fetched_at >= self.max_age

    def _may_fetch(self) -> bool:
        return self._tried_at is None or self.clock() - self._tried_at >= self.min_refetch

    def _refresh(self) -> None:
        """Fetch the JWKS; keep what we had if the fetch fails. Called with the lock held."""
        self._tried_at = self.clock()
        try:
            keys = self._fetch()
        except KeysUnavailable as err:
            log.warning("Forge JWKS fetch failed: %s", err)
            return
        self._keys = keys
        self._fetched_at = self.clock()
        log.info("Forge JWKS fetched: %d keys", len(keys))

    def _fetch(self) -> dict[str, RSAPublicKey]:
        try:
            with requests.get(self.url, timeout=self.timeout, allow_redirects=False, stream=True,
                              headers={"Accept": "application/json"}) as response:
                if response.status_code != 200:
                    raise KeysUnavailable(f"the key endpoint answered {response.status_code}")
                body = response.raw.read(_MAX_JWKS_BYTES + 1, decode_content=True)
        except requests.RequestException as err:
            raise KeysUnavailable(type(err).__name__) from None
        if len(body) > _MAX_JWKS_BYTES:
            raise KeysUnavailable("the key document is too large")
        try:
            document = json.loads(body)
        except ValueError:
            raise KeysUnavailable("the key document is not JSON") from None
        return parse_jwks(document)


def parse_jwks(document: Any) -> dict[str, RSAPublicKey]:
    """The usable RS256 signing keys of a JWKS document; keys that are not are left out and logged."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeysUnavailable("the key document has no 'keys' list")
    keys: dict[str, RSAPublicKey] = {}
    for jwk in document["keys"][:_MAX_KEYS]:
        kid = jwk.get("kid") if isinstance(jwk, dict) else None
        if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid):
            log.warning("Forge JWKS: a key without a valid kid was skipped")
            continue
        if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
            log.warning("Forge JWKS: key %s is not an RS256 signing key; skipped", kid)
            continue
        if any(name in jwk for name in ("d", "p", "q")):
            # A private key published by mistake is still usable as its public half, but say so.
            log.warning("Forge JWKS: key %s carries private parameters; only its public half is used", kid)
        try:
            key = RSAAlgorithm.from_jwk({name: jwk[name] for name in ("kty", "n", "e") if name in jwk})
        except (InvalidKeyError, ValueError, TypeError):
            log.warning("Forge JWKS: key %s could not be read; skipped", kid)
            continue
        if not isinstance(key, RSAPublicKey) or key.key_size < _MIN_RSA_BITS:
            log.warning("Forge JWKS: key %s is not an RSA public key of %d bits or more; skipped", kid, _MIN_RSA_BITS)
            continue
        keys[kid] = key
    if not keys:
        raise KeysUnavailable("the key document holds no usable key")
    return keys
