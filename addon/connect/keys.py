"""Atlassian's install-signing public keys: `GET {CONNECT_KEYS_URL}/{kid}` returns a PEM."""
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
_KID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
_MAX_PEM_BYTES = 16 * 1024


class InstallKeys:
    """Fetches and caches public keys; public keys are safe to keep per process."""

    def __init__(self, base_url: str, ttl_seconds: int, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl_seconds
        self.timeout = timeout
        self._cache: dict[str, tuple[float, RSAPublicKey]] = {}
        self._lock = threading.Lock()

    def get(self, kid: object) -> RSAPublicKey:
        if not isinstance(kid, str) or not _KID.match(kid):
            raise TokenError("The token names no valid signing key.")
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(kid)
        if hit and hit[0] > now:
            return hit[1]
        key = self._fetch(kid)
        with self._lock:
            self._cache[kid] = (now + self.ttl, key)
        return key

    def _fetch(self, kid: str) -> RSAPublicKey:
        url = f"{self.base_url}/{quote(kid, safe='')}"
        try:
            response = requests.get(url, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException:
            raise TokenError("The signing key could not be fetched.") from None
        if response.status_code != 200 or len(response.content) > _MAX_PEM_BYTES:
            raise TokenError("The token names an unknown signing key.")
        try:
            key = load_pem_public_key(response.content)
        except ValueError:
            raise TokenError("The signing key is not a valid public key.") from None
        if not isinstance(key, RSAPublicKey):
            raise TokenError("The signing key is not an RSA key.")
        return key
