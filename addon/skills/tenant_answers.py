"""Whole-tenant answers as serialised JSON that a write patches instead of rebuilding. No Flask in here.

GET /api/skills-by-account, GET /api/skill-levels-by-account and GET /api/skill-tree/experts answer
with every holding of the tenant:
at 10,000 people x 15 skills, 150,000 rows read and a few megabytes of JSON. Building that costs
many times what serialising it does, and an HR sync writes all day. So the answer is kept as its
JSON text plus the offsets of its parts, one per account (skills and levels by account) or one per skill's
list of experts (the tree); a write names the accounts it touched (skills.changes) and the answer
re-reads those accounts' holdings alone and splices their new parts into the text. Tree changes
rebuild the tree's skeleton (categories and skill leaves, a few thousand rows), keeping every
skill's experts. The bytes are exactly those json.dumps gives for the whole answer; tests check
each kind of write against a full rebuild. skills.answer_cache keeps them, per process.

A new kind of answer is a subclass of `Answer`; one keyed by account ({field: {account: value}},
such as a levels-by-account answer) is a subclass of `ByAccount` that names its `field` and how to
`read` the values of every account or of some: SkillsByAccount below is the example.
"""
from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections import defaultdict
from itertools import accumulate
from operator import add
from json.encoder import encode_basestring, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, Callable, ClassVar, Collection, Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import UserSkill
from . import tree
from .catalogue import chunks
from .changes import Changes
from .user_skills import LevelValue, levels_by_account, skills_by_account

# A string no stored text can hold (names have no control characters): marks where parts go.
_MARK = "\x00"


class JsonStyle:
    """How the app's `dumps` writes JSON (separators, ASCII escapes), found by asking it."""

    def __init__(self, dumps: Callable[[Any], str]) -> None:
        self.dumps = dumps
        probe = dumps({"a": [0, 0]})  # '{"a": [0, 0]}' with the default separators
        self.key_sep = probe[len('{"a"'):probe.index("[")]
        self.item_sep = probe[probe.index("0") + 1:probe.rindex("0")]
        self.string: Callable[[str], str] = (encode_basestring_ascii if dumps("\u00e9") == '"\\u00e9"'
                                             else encode_basestring)
        self.sorts_keys = dumps({"b": 0, "a": 0}).startswith('{"a"')

    def strings(self, values: Iterable[str]) -> str:
        """A JSON array of strings, as `dumps` writes it."""
        return "[" + self.item_sep.join(map(self.string, values)) + "]"

    def around(self, answer: Any) -> tuple[str, list[tuple[str, str]]]:
        """`dumps(answer)` cut at each string that starts with _MARK: the text before the first,
        then for each such string what follows _MARK in it and the text after it."""
        pieces = self.dumps(answer).split(self.dumps(_MARK)[:-1])  # '"\\u0000': the string's opening
        marked = []
        for piece in pieces[1:]:
            end = piece.index('"')
            marked.append((piece[:end], piece[end + 1:]))
        return pieces[0], marked


class Spliced:
    """A JSON text made of fixed text and keyed parts; parts are replaced without re-serialising the rest.

    Kept encoded (UTF-8): the bytes a response sends, held once rather than as text and bytes.
    """

    def __init__(self, gaps: Sequence[str], keys: list[Any], parts: Sequence[bytes]) -> None:
        """The text gaps[0] + parts[0] + gaps[1] + ... + parts[-1] + gaps[-1]."""
        gaps = [gap.encode() for gap in gaps]
        self.text = b"".join(_interleave(gaps, parts))
        self.keys = keys
        self.lengths = array("q", map(len, parts))
        self._gap_lengths = array("q", map(len, gaps))

    def starts(self) -> array:
        """Where each part begins in the text."""
        # map(add) and accumulate run in C: 50,000 parts in a few milliseconds, a generator took 15.
        steps = map(add, self._gap_lengths, self.lengths)
        return array("q", accumulate(steps, initial=0))[:-1] if self.keys else array("q")

    def part(self, index: int, starts: array | None = None) -> bytes:
        start = (starts if starts is not None else self.starts())[index] + self._gap_lengths[index]
        return self.text[start:start + self.lengths[index]]

    def replace(self, new_parts: dict[int, bytes]) -> None:
        """Put new text at the parts of these indexes: a few slices of the old text and one join."""
        starts = self.starts()
        pieces: list[bytes] = []
        done = 0  # text before this offset has been taken
        for index in sorted(new_parts):
            start = starts[index] + self._gap_lengths[index]
            pieces.append(self.text[done:start])
            pieces.append(new_parts[index])
            done = start + self.lengths[index]
            self.lengths[index] = len(new_parts[index])
        pieces.append(self.text[done:])
        self.text = b"".join(pieces)

    @property
    def nbytes(self) -> int:
        return len(self.text) + 8 * (len(self.lengths) + len(self._gap_lengths)) + 64 * len(self.keys)


def _interleave(gaps: Sequence[bytes], parts: Sequence[bytes]) -> Iterator[bytes]:
    yield gaps[0]
    for part, gap in zip(parts, gaps[1:]):
        yield part
        yield gap


class Answer:
    """One whole-tenant answer of one tenant at one data version: JSON text, patched in place.

    A kind has a `name` (unique: the cache's key), `build`s itself whole, says its `nbytes`, and may
    `patch` itself by what the change log names (skills.changes) instead of being built again. Every
    writer of what it shows logs its change (changes.record), in the writing transaction.
    """

    name: ClassVar[str]
    version: int
    body: bytes  # encoded once per change, not once per request

    @classmethod
    def build(cls, session: Session, tenant_id: int, version: int, style: JsonStyle) -> "Answer":
        raise NotImplementedError

    def patch(self, session: Session, tenant_id: int, version: int, changes: Changes) -> bool:
        """Bring the answer to `version`, given what changed since its own; True when done.

        False (this default) leaves it untouched, and the cache builds it again.
        """
        return False

    @property
    def nbytes(self) -> int:
        """About what this answer holds in memory, for the cache's bound."""
        raise NotImplementedError


class ByAccount(Answer):
    """{field: {account: value, ...}}: one part per account, accounts sorted, each re-read when a write names it.

    A kind names its `field` and `read`s the values of every account (`accounts` None) or of those
    named, leaving out an account that has none (it leaves the answer); `encode` writes one value
    (the app's `dumps` unless a kind knows a faster way to the same text).
    """

    field: ClassVar[str]

    @classmethod
    def read(cls, session: Session, tenant_id: int, accounts: Collection[str] | None) -> dict[str, Any]:
        raise NotImplementedError

    def __init__(self, version: int, style: JsonStyle, values: dict[str, Any]) -> None:
        self.version = version
        self.style = style
        keys = sorted(values)
        before, [(_, after)] = style.around({self.field: _MARK})
        self._outer = (before, after + "\n")
        self.text = self._spliced(keys, [self._part(key, values[key]) for key in keys])
        self._key_bytes = sum(map(len, keys)) + 49 * len(keys)  # the keys' str objects
        self.body = self.text.text

    def encode(self, value: Any) -> str:
        """One account's value as JSON text, as `dumps` writes it inside the whole answer."""
        return self.style.dumps(value)

    def _spliced(self, keys: list[str], parts: list[bytes]) -> Spliced:
        before, after = self._outer
        if not keys:
            return Spliced([before + "{}" + after], [], [])
        return Spliced([before + "{"] + [self.style.item_sep] * (len(keys) - 1) + ["}" + after], keys, parts)

    def _part(self, account: str, value: Any) -> bytes:
        return (self.style.string(account) + self.style.key_sep + self.encode(value)).encode()

    @classmethod
    def build(cls, session: Session, tenant_id: int, version: int, style: JsonStyle) -> "ByAccount":
        return cls(version, style, cls.read(session, tenant_id, None))

    def patch(self, session: Session, tenant_id: int, version: int, changes: Changes) -> bool:
        if changes.accounts:
            values = self.read(session, tenant_id, changes.accounts)
            keys = self.text.keys
            replaced: dict[int, bytes] = {}
            structural = False  # an account appears or disappears: gaps change, rebuild the text
            for account in changes.accounts:
                index = bisect_left(keys, account)
                present = index < len(keys) and keys[index] == account
                if present and account in values:
                    replaced[index] = self._part(account, values[account])
                elif present or account in values:
                    structural = True
            if structural:
                self._restructure(values, changes.accounts)
            elif replaced:
                self.text.replace(replaced)
            self.body = self.text.text
        self.version = version
        return True

    def _restructure(self, values: dict[str, Any], touched: set[str]) -> None:
        """Accounts came or went: new text from the old parts kept and the touched accounts' new ones."""
        old = self.text
        starts = old.starts()
        parts = {key: old.part(i, starts) for i, key in enumerate(old.keys) if key not in touched}
        for account in touched:
            if account in values:
                parts[account] = self._part(account, values[account])
        keys = sorted(parts)
        self.text = self._spliced(keys, [parts[key] for key in keys])
        self._key_bytes = sum(map(len, keys)) + 49 * len(keys)

    @property
    def nbytes(self) -> int:
        return self.text.nbytes + self._key_bytes


class SkillsByAccount(ByAccount):
    """{"skillsByAccountId": {account: [skill, ...], ...}}: each account's skills in the order added."""

    name = "skills-by-account"
    field = "skillsByAccountId"

    @classmethod
    def read(cls, session: Session, tenant_id: int, accounts: Collection[str] | None) -> dict[str, list[str]]:
        return skills_by_account(session, tenant_id, accounts)

    def encode(self, value: list[str]) -> str:
        return self.style.strings(value)


class LevelsByAccount(ByAccount):
    """{"levelsByAccountId": {account: [{"name": skill, "level": n or null}, ...], ...}}: skills-by-account's
    accounts, each holding with its level; a level write patches the account's part like any holding's."""

    name = "levels-by-account"
    field = "levelsByAccountId"

    @classmethod
    def read(cls, session: Session, tenant_id: int,
             accounts: Collection[str] | None) -> dict[str, list[tuple[str, LevelValue]]]:
        return levels_by_account(session, tenant_id, accounts)

    def __init__(self, version: int, style: JsonStyle, values: dict[str, Any]) -> None:
        # Each holding's object as `dumps` writes it: {"name", "level"} as built, or sorted ("level" first).
        self._name_key = style.string("name") + style.key_sep
        self._level_key = style.string("level") + style.key_sep
        self._level_first = style.sorts_keys
        super().__init__(version, style, values)

    def encode(self, value: list[tuple[str, LevelValue]]) -> str:
        string, comma = self.style.string, self.style.item_sep
        objects = []
        for name, level in value:
            named = self._name_key + string(name)
            levelled = self._level_key + ("null" if level is None else str(level))
            objects.append("{" + (levelled + comma + named if self._level_first else named + comma + levelled) + "}")
        return "[" + comma.join(objects) + "]"


class ExpertsTree(Answer):
    """{"experts": [node, ...]}: one part per skill leaf, its list of experts in the order acquired."""

    name = "experts"

    def __init__(self, version: int, style: JsonStyle, catalogue: tree.Catalogue,
                 experts: dict[int, list[str]], held: dict[str, array]) -> None:
        self.version = version
        self.style = style
        self.held = held  # account -> its holdings as (skill id, row id) pairs, flattened
        # Per account: its key (49 bytes + length), a dict slot, an array of pairs (64 + 16 a holding).
        self._held_bytes = sum(self._account_bytes(account, pairs) for account, pairs in held.items())
        self._shape(catalogue, {skill_id: style.strings(accounts).encode() for skill_id, accounts in experts.items()})

    def _shape(self, catalogue: tree.Catalogue, parts: dict[int, bytes]) -> None:
        """The text of the tree from the catalogue, each skill's experts from `parts` (none if absent)."""
        # Each skill's list of experts is a slot: a mark naming the skill, where its part goes.
        before, marked = self.style.around({"experts": tree.nodes(catalogue, lambda skill: f"{_MARK}{skill.id}")})
        keys = [int(skill_id) for skill_id, _ in marked]
        gaps = [before] + [gap for _, gap in marked]
        gaps[-1] += "\n"
        self.text = Spliced(gaps, keys, [parts.get(key, b"[]") for key in keys])
        self.index = {key: i for i, key in enumerate(keys)}
        self.body = self.text.text

    @classmethod
    def build(cls, session: Session, tenant_id: int, version: int, style: JsonStyle) -> "ExpertsTree":
        catalogue = tree.load_catalogue(session, tenant_id)
        experts: dict[int, list[str]] = defaultdict(list)
        pairs: dict[str, array] = {}
        # Plain rows through the session's connection: every holding of the tenant passes here.
        rows = session.connection().execute(
            select(UserSkill.skill_id, UserSkill.account_id, UserSkill.id)
            .where(UserSkill.tenant_id == tenant_id).order_by(UserSkill.id))
        # One string per account, not one per holding: at 50,000 people, 700,000 strings (50 MB)
        # fewer while the answer is built, so a lower high-water mark for the process.
        same: dict[str, str] = {}
        for skill_id, account_id, row_id in rows:
            account_id = same.setdefault(account_id, account_id)
            held = pairs.get(account_id)
            if held is None:
                held = pairs[account_id] = array("q")
            experts[skill_id].append(account_id)
            held.append(skill_id)
            held.append(row_id)
        return cls(version, style, catalogue, experts, pairs)

    def patch(self, session: Session, tenant_id: int, version: int, changes: Changes) -> bool:
        removed: dict[int, set[str]] = defaultdict(set)
        appended: dict[int, list[tuple[int, str]]] = defaultdict(list)
        if changes.accounts:
            now = _holdings_of(session, tenant_id, changes.accounts)
            for account in changes.accounts:
                before = self.held.get(account, array("q"))
                old = dict(zip(before[::2], before[1::2]))
                new = {skill_id: row_id for skill_id, row_id in now.get(account, ())}
                for skill_id, row_id in old.items():
                    if new.get(skill_id) != row_id:
                        removed[skill_id].add(account)
                for skill_id, row_id in new.items():
                    # A holding newer than the answer: its row id is larger than any the answer
                    # holds (ids grow; the tenant's writers take turns), so it goes last.
                    if old.get(skill_id) != row_id:
                        appended[skill_id].append((row_id, account))
                if before:
                    self._held_bytes -= self._account_bytes(account, before)
                if new:
                    self.held[account] = pairs = array("q", [n for pair in new.items() for n in pair])
                    self._held_bytes += self._account_bytes(account, pairs)
                else:
                    self.held.pop(account, None)
        starts = self.text.starts()
        parts: dict[int, bytes] = {}
        for skill_id in removed.keys() | appended.keys():
            index = self.index.get(skill_id)
            accounts = json.loads(self.text.part(index, starts)) if index is not None else []
            gone = removed.get(skill_id)
            if gone:
                accounts = [account for account in accounts if account not in gone]
            accounts.extend(account for _, account in sorted(appended.get(skill_id, ())))
            parts[skill_id] = self.style.strings(accounts).encode()
        if changes.tree or any(skill_id not in self.index for skill_id in parts):
            # The skeleton changed (or a skill is new): reshape, keeping every unchanged skill's part.
            kept = {key: self.text.part(i, starts) for i, key in enumerate(self.text.keys) if key not in parts}
            self._shape(tree.load_catalogue(session, tenant_id), kept | parts)
        else:
            if parts:
                self.text.replace({self.index[skill_id]: part for skill_id, part in parts.items()})
                self.body = self.text.text
        self.version = version
        return True

    @staticmethod
    def _account_bytes(account: str, pairs: array) -> int:
        return len(account) + 49 + 32 + 64 + 8 * len(pairs)

    @property
    def nbytes(self) -> int:
        return self.text.nbytes + self._held_bytes + 100 * len(self.index)


def _holdings_of(session: Session, tenant_id: int, accounts: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """account -> its holdings in the order added, as (skill id, row id), for these accounts only."""
    held: dict[str, list[tuple[int, int]]] = defaultdict(list)
    connection = session.connection()
    for part in chunks(sorted(accounts)):
        rows = connection.execute(select(UserSkill.account_id, UserSkill.skill_id, UserSkill.id)
                                  .where(UserSkill.tenant_id == tenant_id, UserSkill.account_id.in_(part))
                                  .order_by(UserSkill.id))
        for account_id, skill_id, row_id in rows:
            held[account_id].append((skill_id, row_id))
    return held
