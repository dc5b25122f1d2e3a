"""Atlassian's install-signing public keys: `GET {CONNECT_KEYS_URL}/{kid}` returns a PEM.

The `kid` comes from a token nobody has verified yet, so a fetch must cost an attacker more than it
costs us: a name that failed is remembered (negative cache), fetches are rationed per process (a
token bucket), only one is in flight at a time, and each has a short timeout. Atlassian publishes
a handful of keys that change rarely, so a legitimate install almost never needs a fetch at all.
"""
from __future__ import annotations

import re
import threading
import time
from urllib.parse import quote

import requests
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .jwt import TokenError

# Key ids are UUID-like names; anything else must not reach a URL (no "../", no "?", no host).
# Matched with fullmatch: `$` would also match before a trailing newline.
_KID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_MAX_PEM_BYTES = 16 * 1024
# Bounded: every junk `kid` of a flood may land here.
_MAX_NEGATIVE = 10_000


class InstallKeys:
    """Fetches and caches public keys; public keys (and their absence) are safe to keep per process."""

    def __init__(self, base_url: str, ttl_seconds: int, timeout: float = 2.0,
                 negative_ttl_seconds: float = 300.0, fetches_per_minute: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl_seconds
        self.timeout = timeout
        self.negative_ttl = negative_ttl_seconds
        self.capacity = fetches_per_minute
        self._cache: dict[str, tuple[float, RSAPublicKey]] = {}
        self._missing: dict[str, float] = {}
        self._lock = threading.Lock()
        self._fetching = threading.Lock()  # one fetch in flight per process
        self._tokens = fetches_per_minute
        self._refilled = time.monotonic()

    def get(self, kid: object) -> RSAPublicKey:
        if not isinstance(kid, str) or _KID.fullmatch(kid) is None:
            raise TokenError("The token names no valid signing key.")
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(kid)
            missing_until = self._missing.get(kid, 0.0)
        if hit and hit[0] > now:
            return hit[1]
        if missing_until > now:
            raise TokenError("The token names an unknown signing key.")
        # Never wait behind another fetch: a slow key server would otherwise hold every worker.
        if not self._fetching.acquire(blocking=False):
            raise TokenError("The signing key could not be fetched now; try again.")
        try:
            if not self._take_token(now):
                raise TokenError("The signing key could not be fetched now; try again.")
            try:
                key = self._fetch(kid)
            except _Unknown as err:
                self._remember_missing(kid, now)
                raise TokenError(str(err)) from None
        finally:
            self._fetching.release()
        with self._lock:
            self._cache[kid] = (now + self.ttl, key)
        return key

    def _take_token(self, now: float) -> bool:
        """One fetch from the bucket, refilled at `capacity` a minute up to `capacity`."""
        with self._lock:
            self._tokens = min(self.capacity, self._tokens + (now - self._refilled) * self.capacity / 60.0)
            self._refilled = now
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True

    def _remember_missing(self, kid: str, now: float) -> None:
        with self._lock:
            if len(self._missing) >= _MAX_NEGATIVE:
                self._missing = {k: t for k, t in self._missing.items() if t > now}
                if len(self._missing) >= _MAX_NEGATIVE:
                    self._missing.clear()
            self._missing[kid] = now + self.negative_ttl

    def _fetch(self, kid: str) -> RSAPublicKey:
        url = f"{self.base_url}/{quote(kid, safe='')}"
        try:
            response = requests.get(url, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException:
            # Not remembered as missing: the key server may be down, not the key unknown.
            raise TokenError("The signing key could not be fetched.") from None
        if 400 <= response.status_code < 500:
            raise _Unknown("The token names an unknown signing key.")
        if response.status_code != 200 or len(response.content) > _MAX_PEM_BYTES:
            raise TokenError("The signing key could not be fetched.")
        try:
            key = load_pem_public_key(response.content)
        except ValueError:
            raise _Unknown("The signing key is not a valid public key.") from None
        if not isinstance(key, RSAPublicKey):
            raise _Unknown("The signing key is not an RSA key.")
        return key


class _Unknown(Exception):
    """The key server answered, and not with a usable key for this `kid`."""
