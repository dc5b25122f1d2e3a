"""Levels from names: Skills for Jira sites encode a level in a skill's name ("Engineering - Beginner").

`split_suffixes` turns every skill named `<base> - <level name of the scale>` (the level name compared
case-insensitively) into the base skill at that level, for each of its holders, and takes the
suffixed skill out of the catalogue:
- a holder's level of the base is the highest of their suffixed skills' and of the level they
  already had for the base (unrated counts lowest);
- a holder who lacked the base gets it where their first suffixed skill was in their list (that
  holding becomes the base's, so it keeps its place);
- a base new to the catalogue takes the name, category and place of the first suffixed skill (the
  one that joined the catalogue first); an existing base keeps its own;
- an issue that needs a suffixed skill needs the base, with that level as its minimum (the highest,
  where it needed several), and its Jira property owes a write (the names in it changed).
A name with two suffixes ("Go - Expert - Expert") loses one per run: its base is itself suffixed.
Preview and change come from one plan; the change is one transaction. No Flask in here.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from ..models import IssueMirror, IssueSkill, Skill, UserSkill
from . import changes as change_log
from .catalogue import chunks, insert_ignoring_conflicts
from .levels import Scale, load_scale
from .names import InvalidName, clean_name, name_key

SEPARATOR = " - "


@dataclass
class Suffixed:
    """A skill whose name ends in a level name: what it becomes."""

    skill_id: int
    name: str
    base: str  # the base's name as it will be stored
    level: int
    holders: int = 0


@dataclass
class Group:
    """The suffixed skills of one base, and the base's catalogue row if it has one."""

    base_id: int | None
    base_name: str
    sources: list[Suffixed] = field(default_factory=list)  # in the order they joined the catalogue
    first_category: int | None = None
    first_position: int = 0


@dataclass
class Result:
    """What the split changes (or would): each suffixed skill, and how many holdings change."""

    skills: list[Suffixed]
    holdings_changed: int

    def as_json(self) -> dict[str, Any]:
        return {"skills": [{"from": s.name, "to": s.base, "level": s.level, "holders": s.holders}
                           for s in self.skills],
                "holdingsChanged": self.holdings_changed}


def split_name(name: str, levels: dict[str, int]) -> tuple[str, int] | None:
    """(base, level) when `name` is `<base> - <a level name>`; the longest level name that fits wins."""
    start = name.find(SEPARATOR)
    while start != -1:
        level = levels.get(name_key(name[start + len(SEPARATOR):].strip()))
        if level is not None:
            try:
                return clean_name(name[:start]), level
            except InvalidName:  # nothing before the separator
                return None
        start = name.find(SEPARATOR, start + 1)
    return None


def _groups(session: Session, tenant_id: int, scale: Scale) -> dict[str, Group]:
    """base name key -> its group, for every suffixed skill of the catalogue."""
    levels = {name_key(entry.name): entry.level for entry in scale.levels}
    catalogue = session.execute(select(Skill.id, Skill.name, Skill.name_key, Skill.category_id, Skill.position)
                                .where(Skill.tenant_id == tenant_id).order_by(Skill.id)).all()
    by_key = {key: (skill_id, name) for skill_id, name, key, _, _ in catalogue}
    found: list[tuple[Any, str, int]] = []
    for row in catalogue:
        split = split_name(row.name, levels)
        if split is not None:
            found.append((row, *split))
    suffixed_keys = {row.name_key for row, _, _ in found}
    groups: dict[str, Group] = {}
    for row, base, level in found:
        if name_key(base) in suffixed_keys:  # its base is itself suffixed: the next run takes it
            continue
        group = groups.get(name_key(base))
        if group is None:
            existing = by_key.get(name_key(base))
            group = groups[name_key(base)] = Group(existing[0] if existing else None,
                                                   existing[1] if existing else base,
                                                   first_category=row.category_id, first_position=row.position)
        group.sources.append(Suffixed(row.id, row.name, group.base_name, level))
    return groups


def split_suffixes(session: Session, tenant_id: int, apply: bool) -> Result:
    """What splitting the level suffixes changes; with `apply`, change it (in the caller's transaction)."""
    if apply:
        # The tenant's row locked first, as every writer does: the plan below is the state it changes.
        change_log.record(session, tenant_id, ())
    groups = _groups(session, tenant_id, load_scale(session, tenant_id))
    level_of = {s.skill_id: s.level for group in groups.values() for s in group.sources}
    base_of = {s.skill_id: key for key, group in groups.items() for s in group.sources}
    base_ids = {group.base_id: key for key, group in groups.items() if group.base_id is not None}

    # Every holding of a suffixed skill or of its base: account -> base key -> [(row id, skill id, level)].
    holdings: dict[str, dict[str, list[tuple[int, int, int | None]]]] = defaultdict(lambda: defaultdict(list))
    holders: dict[int, int] = defaultdict(int)
    for part in chunks(list(level_of) + list(base_ids)):
        for account_id, row_id, skill_id, level in session.execute(
                select(UserSkill.account_id, UserSkill.id, UserSkill.skill_id, UserSkill.level)
                .where(UserSkill.tenant_id == tenant_id, UserSkill.skill_id.in_(part))):
            holdings[account_id][base_of.get(skill_id) or base_ids[skill_id]].append((row_id, skill_id, level))
            holders[skill_id] += 1
    for group in groups.values():
        for source in group.sources:
            source.holders = holders[source.skill_id]

    doomed: list[int] = []  # holdings of suffixed skills that go
    relevelled: list[dict[str, Any]] = []  # base holdings whose level changes: {id, level}
    repointed: list[tuple[int, str, int]] = []  # a holder's first suffixed holding becomes the base's: (id, base key, level)
    changed = 0  # as people count it: each suffixed holding removed, each base holding created or re-levelled
    for key, rows in ((key, rows) for held in holdings.values() for key, rows in held.items()):
        base_id = groups[key].base_id
        base = [row for row in rows if row[1] == base_id]
        sources = sorted(row for row in rows if row[1] != base_id)  # in the order the holder added them
        if not sources:
            continue
        top = max([level_of[skill_id] for _, skill_id, _ in sources] + [level for *_, level in base if level is not None])
        changed += len(sources)
        if base:
            doomed.extend(row_id for row_id, _, _ in sources)
            if base[0][2] != top:
                relevelled.append({"id": base[0][0], "level": top})
                changed += 1
        else:
            repointed.append((sources[0][0], key, top))
            doomed.extend(row_id for row_id, _, _ in sources[1:])
            changed += 1
    skills = sorted((s for group in groups.values() for s in group.sources),
                    key=lambda s: (name_key(s.base), s.level, name_key(s.name)))
    if apply and groups:
        _apply(session, tenant_id, groups, doomed, relevelled, repointed, level_of, base_of)
    return Result(skills, changed)


def _apply(session: Session, tenant_id: int, groups: dict[str, Group], doomed: list[int],
           relevelled: list[dict[str, Any]], repointed: list[tuple[int, str, int]], level_of: dict[int, int],
           base_of: dict[int, str]) -> None:
    """Carry out the plan: bases created, holdings and issues' needs moved, suffixed skills deleted.

    Logged as "anything changed": the holdings that become the base's keep their place in their
    holder's list, which a patch (that puts a new holding last) could not tell; every answer rebuilds.
    """
    change_log.record(session, tenant_id, None)
    new = {key: group for key, group in groups.items() if group.base_id is None}
    if new:
        session.execute(insert(Skill), [{"tenant_id": tenant_id, "name": group.base_name, "name_key": key,
                                         "category_id": group.first_category,
                                         "position": group.first_position if group.first_category is not None else 0}
                                        for key, group in new.items()])
        for part in chunks(list(new)):
            for skill_id, key in session.execute(select(Skill.id, Skill.name_key)
                                                 .where(Skill.tenant_id == tenant_id, Skill.name_key.in_(part))):
                new[key].base_id = skill_id
    for part in chunks(doomed):
        session.execute(delete(UserSkill).where(UserSkill.id.in_(part)))
    # ORM bulk UPDATEs by primary key: one executemany each.
    if relevelled:
        session.execute(update(UserSkill), relevelled)
    if repointed:
        session.execute(update(UserSkill), [{"id": row_id, "skill_id": groups[key].base_id, "level": level}
                                            for row_id, key, level in repointed])
    _move_issue_needs(session, tenant_id, groups, level_of, base_of)
    for part in chunks(list(level_of)):
        session.execute(delete(Skill).where(Skill.tenant_id == tenant_id, Skill.id.in_(part)))


def _move_issue_needs(session: Session, tenant_id: int, groups: dict[str, Group], level_of: dict[int, int],
                      base_of: dict[int, str]) -> None:
    """Issues needing a suffixed skill need its base, at least at that level (the highest of several)."""
    base_ids = {group.base_id: key for key, group in groups.items()}
    needs: dict[tuple[int, str], list[tuple[int, int, int, int | None]]] = defaultdict(list)
    for part in chunks(list(level_of) + [i for i in base_ids if i is not None]):
        for row_id, issue_id, skill_id, position, min_level in session.execute(
                select(IssueSkill.id, IssueSkill.issue_id, IssueSkill.skill_id, IssueSkill.position,
                       IssueSkill.min_level)
                .where(IssueSkill.tenant_id == tenant_id, IssueSkill.skill_id.in_(part))):
            key = base_of.get(skill_id) or base_ids[skill_id]
            needs[(issue_id, key)].append((position, row_id, skill_id, min_level))
    doomed: list[int] = []
    changed: list[dict[str, Any]] = []
    issues: set[int] = set()
    for (issue_id, key), rows in needs.items():
        group = groups[key]
        base = [row for row in rows if row[2] == group.base_id]
        sources = sorted(row for row in rows if row[2] != group.base_id)
        if not sources:
            continue
        issues.add(issue_id)
        levels = [level_of[skill_id] for _, _, skill_id, _ in sources] + [r[3] for r in base if r[3] is not None]
        keep = base[0] if base else sources[0]
        changed.append({"id": keep[1], "skill_id": group.base_id, "min_level": max(levels)})
        doomed.extend(row_id for _, row_id, _, _ in sources if row_id != keep[1])
    for part in chunks(doomed):
        session.execute(delete(IssueSkill).where(IssueSkill.id.in_(part)))
    if changed:
        session.execute(update(IssueSkill), changed)
    # Jira's property lists the names the issue needs: they changed, so its mirror owes a write.
    insert_ignoring_conflicts(session, IssueMirror, [{"tenant_id": tenant_id, "issue_id": issue_id}
                                                     for issue_id in sorted(issues)], ["tenant_id", "issue_id"])
