"""Whole-tenant answers (every user's skills, the experts tree), kept per process and patched by each write.

Building one reads every holding of the tenant: at 10,000 users, a few hundred milliseconds of
queries and Python. Every change to a tenant's skills, holdings or tree bumps its data version in
the changing transaction and logs what it touched (skills.changes), so:
- while the version an answer was built at is still the database's, it is served from memory, at
  the cost of one primary-key read: each process sees every other's writes at once;
- when the version moved, the answer reads the log since its version and patches itself by the
  accounts named there (skills.tenant_answers); a gap in the log or too much change rebuilds it.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable

from flask import Response, current_app

from ..auth import confirm_tenant
from ..extensions import db
from ..skills import changes, versions
from ..skills.tenant_answers import Answer, JsonStyle


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str) else value.nbytes


class AnswerCache:
    """key -> (data version, answer), least recently used first out past `max_bytes`.

    An answer is a string or an object with `nbytes`; its size is taken again at each `put`.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[int, Any, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self.style: JsonStyle | None = None  # how the app writes JSON, found at first use

    @property
    def size(self) -> int:
        return self._size

    def get(self, key: Hashable, version: int) -> Any:
        """The answer kept for `key` if it is at `version`."""
        hit = self.latest(key)
        return hit[1] if hit is not None and hit[0] == version else None

    def latest(self, key: Hashable) -> tuple[int, Any] | None:
        """(version, answer) kept for `key`, whatever its version."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            self._entries.move_to_end(key)
            return hit[0], hit[1]

    def put(self, key: Hashable, version: int, value: Any) -> None:
        size = _size(value)
        with self._lock:
            self._pop(key)
            if size > self.max_bytes:
                return
            self._entries[key] = (version, value, size)
            self._size += size
            while self._size > self.max_bytes:
                _, (_, _, evicted) = self._entries.popitem(last=False)
                self._size -= evicted

    def drop(self, key: Hashable) -> None:
        with self._lock:
            self._pop(key)

    def _pop(self, key: Hashable) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._size -= old[2]

    def key_lock(self, key: Hashable) -> threading.Lock:
        """One builder or patcher per answer at a time; the others wait for its work."""
        with self._lock:
            lock = self._key_locks.get(key)
            if lock is None:
                lock = self._key_locks[key] = threading.Lock()
            return lock


def tenant_answer(kind: type[Answer], tenant_id: int) -> Response:
    """The answer `kind` of the tenant: from memory, patched by what changed since, or built."""
    return current_app.response_class(current_answer(kind, tenant_id).body, mimetype=current_app.json.mimetype)


def current_answer(kind: type[Answer], tenant_id: int) -> Answer:
    """The answer `kind` of the tenant at the database's version, for a view that serves part of it."""
    cache: AnswerCache = current_app.extensions["answers"]
    if cache.style is None:
        cache.style = JsonStyle(current_app.json.dumps)
    # The version is read before the answer is patched or built: an answer is never older than its version.
    # The tenant's auth epoch comes with it and confirms the caller's credentials (addon.auth).
    found = versions.current_and_epoch(db.engine, tenant_id)
    confirm_tenant(found[1] if found is not None else None)
    version = found[0] if found is not None else None
    key = (tenant_id, kind.name)
    answer = cache.get(key, version) if version is not None else None
    if answer is None:
        if version is None:  # no such tenant row (gone since authentication): nothing to keep
            answer = kind.build(db.session, tenant_id, 0, cache.style)
        else:
            with cache.key_lock(key):
                answer = _fresh(cache, key, kind, tenant_id, version)
    return answer


def _fresh(cache: AnswerCache, key: Hashable, kind: type[Answer], tenant_id: int, version: int) -> Answer:
    """The kept answer brought to `version` or later: patched when the log allows, else rebuilt."""
    assert cache.style is not None
    hit = cache.latest(key)
    if hit is not None and hit[0] >= version:  # another thread brought it here while we waited
        return hit[1]
    if hit is not None:
        answer: Answer = hit[1]
        found = changes.since(db.session, tenant_id, answer.version, version)
        if found is not None:
            try:
                answer.patch(db.session, tenant_id, version, found)
            except BaseException:
                cache.drop(key)  # half patched: never served again
                raise
            cache.put(key, version, answer)
            return answer
    answer = kind.build(db.session, tenant_id, version, cache.style)
    cache.put(key, version, answer)
    return answer
