"""Whole-tenant answers (every user's skills, the experts tree), kept per process while still true.

Building one reads every holding of the tenant: at 10,000 users, a few hundred milliseconds of
queries and Python for what is nearly always the answer given last time. Every change to a tenant's
skills, holdings or tree bumps its data version in the changing transaction (skills.versions), so
an answer is served from memory only while the version it was built at is still the database's:
each process sees every other's writes at once, at the cost of one primary-key read.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

from flask import Response, current_app

from ..extensions import db
from ..skills import versions


class AnswerCache:
    """key -> (data version, serialized JSON), least recently used first out past `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[int, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: int) -> str | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or hit[0] != version:
                return None
            self._entries.move_to_end(key)
            return hit[1]

    def put(self, key: Hashable, version: int, body: str) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old[1])
            self._entries[key] = (version, body)
            self._size += len(body)
            while self._size > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._size -= len(evicted)


def cached_json(name: str, tenant_id: int, build: Callable[[], Any]) -> Response:
    """The JSON answer `build()` gives, from this process's cache while the tenant's data is unchanged."""
    # The version is read before the answer is built: an answer is never older than its version.
    version = versions.current(db.engine, tenant_id)
    cache: AnswerCache = current_app.extensions["answers"]
    body = cache.get((tenant_id, name), version) if version is not None else None
    if body is None:
        body = current_app.json.dumps(build()) + "\n"  # what jsonify sends
        if version is not None:
            cache.put((tenant_id, name), version, body)
    return current_app.response_class(body, mimetype=current_app.json.mimetype)
