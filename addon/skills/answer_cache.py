"""Whole-tenant answers (skills.tenant_answers) kept per process, and patched by each write. No Flask in here.

Building one reads every holding of the tenant: at 10,000 users, a few hundred milliseconds of
queries and Python. Every change to a tenant's skills, holdings or tree bumps its data version in
the changing transaction and logs what it touched (skills.changes), so:
- while the version an answer was built at is still the database's, it is served from memory, at
  the cost of one primary-key read (skills.versions): each process sees every other's writes at once;
- when the version moved, the answer reads the log since its version and patches itself by the
  accounts named there (Answer.patch); a gap in the log or too much change rebuilds it.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

from sqlalchemy.orm import Session

from . import changes
from .tenant_answers import Answer, JsonStyle


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


class TenantAnswers:
    """Every kind of whole-tenant answer of every tenant this process serves, kept while true."""

    def __init__(self, max_bytes: int, dumps: Callable[[Any], str]) -> None:
        self.cache = AnswerCache(max_bytes)
        self._dumps = dumps
        self._style: JsonStyle | None = None

    @property
    def size(self) -> int:
        return self.cache.size

    @property
    def max_bytes(self) -> int:
        return self.cache.max_bytes

    @property
    def style(self) -> JsonStyle:
        """How the app writes JSON, found by asking its `dumps` at first use."""
        if self._style is None:
            self._style = JsonStyle(self._dumps)
        return self._style

    def get(self, session: Session, tenant_id: int, kind: type[Answer], version: int | None) -> Answer:
        """The answer `kind` of the tenant at its data `version` (read just before: an answer is never
        older than the version it is asked at): from memory, patched by what changed since, or built.

        `version` None: the tenant has no row (gone since its caller was authenticated): built, not kept.
        """
        if version is None:
            return kind.build(session, tenant_id, 0, self.style)
        key = (tenant_id, kind.name)
        answer = self.cache.get(key, version)
        if answer is None:
            with self.cache.key_lock(key):
                answer = self._fresh(session, key, kind, tenant_id, version)
        return answer

    def _fresh(self, session: Session, key: Hashable, kind: type[Answer], tenant_id: int, version: int) -> Answer:
        """The kept answer brought to `version` or later: patched when the log allows, else rebuilt."""
        hit = self.cache.latest(key)
        if hit is not None and hit[0] >= version:  # another thread brought it here while we waited
            return hit[1]
        if hit is not None:
            answer: Answer = hit[1]
            found = changes.since(session, tenant_id, answer.version, version)
            if found is not None:
                try:
                    patched = answer.patch(session, tenant_id, version, found)
                except BaseException:
                    self.cache.drop(key)  # half patched: never served again
                    raise
                if patched:
                    self.cache.put(key, version, answer)
                    return answer
        answer = kind.build(session, tenant_id, version, self.style)
        self.cache.put(key, version, answer)
        return answer
