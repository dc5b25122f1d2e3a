"""The skills an issue needs, each with an optional minimum level, and the mirror of them in Jira.

Issues are named by Jira's numeric id. Our store is the truth; the issue property `required-skills`
in Jira is its mirror, written after the change commits. A row of `issue_mirrors` exists while a
write of that property is owed (Jira refused it or could not be reached): the issue is not
searchable by JQL until the write is made, by the next change of the issue or by the sync command.

Every write of an issue's skills logs an `issues` change (skills.changes), with `tree` when a name
joined the catalogue, so cached whole-tenant answers and the insights stay current on every process.
No Flask in here, and no Jira: the edge calls Jira with what `mirror_of` gives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..models import IssueMirror, IssueSkill, Skill, utcnow
from . import changes
from .catalogue import ensure_skills, find_skills, insert_ignoring_conflicts
from .errors import InvalidInput, TooLarge
from .levels import Scale, check_level
from .names import clean_name, name_key

# Jira's issue ids are positive 64-bit integers: 1 to 18 digits stay below 2**63.
ISSUE_ID = re.compile(r"[1-9][0-9]{0,17}")
MAX_ISSUE_SKILLS = 20
PROPERTY_KEY = "required-skills"


class IssueSkillsError(InvalidInput):
    """Bad input for an issue's skills or a match; the message says what is wrong."""


@dataclass(frozen=True)
class Required:
    """A skill an issue (or a match) asks for: its name and the lowest level that meets it (None: any)."""

    name: str
    min_level: int | None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "minLevel": self.min_level}


def parse_issue_id(value: Any) -> int:
    """An `issueId` as the contract takes it: 1 to 18 digits, the first not 0."""
    if not isinstance(value, str) or ISSUE_ID.fullmatch(value) is None:
        raise IssueSkillsError("'issueId' must be a Jira issue's numeric id: 1 to 18 digits.")
    return int(value)


def deleted_issue_id(body: Any) -> int:
    """The id at `issue.id` of Jira's issue events (Connect's webhook, Forge's event): digits, as a string
    or a number."""
    issue = body.get("issue") if isinstance(body, dict) else None
    value = issue.get("id") if isinstance(issue, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or ISSUE_ID.fullmatch(value) is None:
        raise IssueSkillsError("The event names no issue: 'issue.id' must be the issue's numeric id.")
    return int(value)


def parse_required(values: Any, scale: Scale, least: int = 0, what: str = "skills") -> list[Required]:
    """A request's list of skills: names, or {"name", "minLevel"} objects; `least` to MAX_ISSUE_SKILLS
    entries as sent. A name given twice (ignoring case) counts once; twice with two levels is refused."""
    if not isinstance(values, list):
        raise IssueSkillsError(f"'{what}' must be an array of skill names or {{\"name\", \"minLevel\"}} objects.")
    if len(values) > MAX_ISSUE_SKILLS:
        raise TooLarge(f"At most {MAX_ISSUE_SKILLS} skills may be given; got {len(values)}.")
    if len(values) < least:
        raise IssueSkillsError(f"Give at least {least} skill{'s' if least > 1 else ''} in '{what}'.")
    found: dict[str, Required] = {}
    problems: list[str] = []
    for index, value in enumerate(values):
        try:
            entry = _entry(value, scale, f"{what}[{index}]")
        except InvalidInput as err:
            problems.append(err.message)
            continue
        key = name_key(entry.name)
        seen = found.get(key)
        if seen is None:
            found[key] = entry
        elif seen.min_level != entry.min_level:
            problems.append(f"{what}[{index}]: '{entry.name}' is given twice with different minimum levels.")
    if problems:
        raise IssueSkillsError("Some skills are not valid; nothing was changed.", problems[:50])
    return list(found.values())


def _entry(value: Any, scale: Scale, where: str) -> Required:
    if isinstance(value, str):
        return Required(clean_name(value, f"{where}: a skill name"), None)
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"name", "minLevel"})
        if unknown:
            raise IssueSkillsError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; "
                                   "allowed: name, minLevel.")
        if "name" not in value:
            raise IssueSkillsError(f"{where}: 'name' is required.")
        name = clean_name(value["name"], f"{where}: the skill name")
        return Required(name, check_level(value.get("minLevel"), scale, f"{where}: the minimum level of '{name}'"))
    raise IssueSkillsError(f"{where} must be a skill name or a {{\"name\", \"minLevel\"}} object.")


# ---------------------------------------------------------------------------------------------
# Reading

def issue_skills(session: Session, tenant_id: int, issue_id: int) -> tuple[list[Required], bool]:
    """The issue's skills in the order given, spelled as stored, and whether its mirror is written."""
    rows = session.execute(
        select(Skill.name, IssueSkill.min_level).join(Skill, Skill.id == IssueSkill.skill_id)
        .where(IssueSkill.tenant_id == tenant_id, IssueSkill.issue_id == issue_id)
        .order_by(IssueSkill.position, IssueSkill.id)).all()
    owed = session.execute(select(IssueMirror.issue_id).where(IssueMirror.tenant_id == tenant_id,
                                                              IssueMirror.issue_id == issue_id)).first()
    return [Required(name, level) for name, level in rows], owed is None


def answer(issue_id: int, skills: list[Required], searchable: bool) -> dict[str, Any]:
    """The contract's answer of GET /api/issue-skills."""
    return {"issueId": str(issue_id), "skills": [entry.as_json() for entry in skills], "searchable": searchable}


# ---------------------------------------------------------------------------------------------
# Writing

def set_issue_skills(session: Session, tenant_id: int, issue_id: int, wanted: list[Required]) -> None:
    """Make the issue need exactly `wanted` (in that order) and owe Jira the property's write.

    A name the catalogue lacks joins it (logged as a tree change). Commits nothing.
    """
    keys = [name_key(entry.name) for entry in wanted]
    new_names = bool(wanted) and len(find_skills(session, tenant_id, keys)) < len(keys)
    changes.record(session, tenant_id, (), issues=True, tree=new_names)
    catalogue = ensure_skills(session, tenant_id, [entry.name for entry in wanted]) if wanted else {}
    session.execute(delete(IssueSkill).where(IssueSkill.tenant_id == tenant_id, IssueSkill.issue_id == issue_id))
    if wanted:
        session.execute(IssueSkill.__table__.insert(), [
            {"tenant_id": tenant_id, "issue_id": issue_id, "skill_id": catalogue[key][0],
             "min_level": entry.min_level, "position": position}
            for position, (key, entry) in enumerate(zip(keys, wanted))])
    owe_mirror(session, tenant_id, issue_id)


def owe_mirror(session: Session, tenant_id: int, issue_id: int) -> None:
    """Record that Jira's property of the issue must be written again; a newer owing replaces an older."""
    now = utcnow()
    insert_ignoring_conflicts(session, IssueMirror, [{"tenant_id": tenant_id, "issue_id": issue_id,
                                                      "owed_since": now}], ["tenant_id", "issue_id"])
    session.execute(update(IssueMirror).where(IssueMirror.tenant_id == tenant_id, IssueMirror.issue_id == issue_id)
                    .values(owed_since=now, tried_at=None))


def forget_issues(session: Session, tenant_id: int, issue_ids: Iterable[int]) -> int:
    """Drop the skills (and any owed mirror) of issues that no longer exist; the skill rows deleted.

    Idempotent: an issue already forgotten changes nothing, and logs no change.
    """
    ids = list(dict.fromkeys(issue_ids))
    if not ids:
        return 0
    held = session.execute(select(IssueSkill.id).where(IssueSkill.tenant_id == tenant_id,
                                                       IssueSkill.issue_id.in_(ids)).limit(1)).first()
    if held is not None:
        changes.record(session, tenant_id, (), issues=True)
    deleted = session.execute(delete(IssueSkill).where(IssueSkill.tenant_id == tenant_id,
                                                       IssueSkill.issue_id.in_(ids))).rowcount
    session.execute(delete(IssueMirror).where(IssueMirror.tenant_id == tenant_id, IssueMirror.issue_id.in_(ids)))
    return int(deleted or 0)


# ---------------------------------------------------------------------------------------------
# The mirror in Jira

@dataclass(frozen=True)
class Mirror:
    """What Jira's property of an issue must say, as read with the owing it settles.

    `names` empty: the property must be deleted. `owed_since` None: nothing was owed when read.
    """

    issue_id: int
    names: list[str]
    owed_since: datetime | None

    @property
    def method(self) -> Literal["PUT", "DELETE"]:
        return "PUT" if self.names else "DELETE"

    @property
    def body(self) -> dict[str, list[str]] | None:
        return {"skills": self.names} if self.names else None


def mirror_of(session: Session, tenant_id: int, issue_id: int) -> Mirror:
    """The property the issue's stored skills make, and the owing a successful write settles."""
    names = session.execute(
        select(Skill.name).select_from(IssueSkill).join(Skill, Skill.id == IssueSkill.skill_id)
        .where(IssueSkill.tenant_id == tenant_id, IssueSkill.issue_id == issue_id)
        .order_by(IssueSkill.position, IssueSkill.id)).scalars().all()
    owed = session.execute(select(IssueMirror.owed_since).where(IssueMirror.tenant_id == tenant_id,
                                                                IssueMirror.issue_id == issue_id)).scalar_one_or_none()
    return Mirror(issue_id, list(names), owed)


def mirror_written(session: Session, tenant_id: int, mirror: Mirror) -> bool:
    """Jira holds `mirror` now: settle the owing it was read with. Whether the issue is now searchable.

    A newer change made meanwhile keeps its own owing. And as two writes to Jira may land in either
    order, a write of what the store no longer says may have overtaken the newer one's: then one more
    write is owed, so that the store's state is the last Jira hears.
    """
    if mirror.owed_since is not None:
        settled = session.execute(delete(IssueMirror).where(
            IssueMirror.tenant_id == tenant_id, IssueMirror.issue_id == mirror.issue_id,
            IssueMirror.owed_since == mirror.owed_since)).rowcount
        if settled:
            return True
    now = mirror_of(session, tenant_id, mirror.issue_id)
    if now.names != mirror.names:
        owe_mirror(session, tenant_id, mirror.issue_id)
        return False
    return now.owed_since is None


def mirror_failed(session: Session, tenant_id: int, issue_id: int) -> None:
    """A write was tried and not made: note when, so a sync run takes the longest-waiting first."""
    session.execute(update(IssueMirror).where(IssueMirror.tenant_id == tenant_id, IssueMirror.issue_id == issue_id)
                    .values(tried_at=utcnow()))


def owed_mirrors(session: Session, tenant_id: int, limit: int) -> list[int]:
    """Up to `limit` issues of the tenant whose property is owed, never-tried and longest-waiting first."""
    return list(session.execute(
        select(IssueMirror.issue_id).where(IssueMirror.tenant_id == tenant_id)
        .order_by(IssueMirror.tried_at.is_not(None), IssueMirror.tried_at, IssueMirror.owed_since,
                  IssueMirror.issue_id)
        .limit(limit)).scalars())


def settled_issues(session: Session, tenant_id: int, limit: int, start: int) -> list[int]:
    """Up to `limit` issues of the tenant with skills and no write owed, by id from `start` round to it:
    the issues a sync run checks are still in Jira (a deleted project sends no per-issue event)."""
    owed = select(IssueMirror.issue_id).where(IssueMirror.tenant_id == tenant_id)
    settled = (select(IssueSkill.issue_id).where(IssueSkill.tenant_id == tenant_id, IssueSkill.issue_id.not_in(owed))
               .distinct().order_by(IssueSkill.issue_id))
    found = list(session.execute(settled.where(IssueSkill.issue_id >= start).limit(limit)).scalars())
    if len(found) < limit:
        found += session.execute(settled.where(IssueSkill.issue_id < start).limit(limit - len(found))).scalars()
    return found


def issue_id_range(session: Session, tenant_id: int) -> tuple[int, int] | None:
    """The lowest and highest id of the tenant's issues with skills, or None when it has none."""
    low, high = session.execute(select(func.min(IssueSkill.issue_id), func.max(IssueSkill.issue_id))
                                .where(IssueSkill.tenant_id == tenant_id)).one()
    return (low, high) if low is not None else None


def tenants_with_issues(session: Session) -> list[int]:
    """The tenants with an owed mirror or an issue with skills: every tenant a sync run visits."""
    owing = select(IssueMirror.tenant_id)
    holding = select(IssueSkill.tenant_id)
    return sorted(set(session.execute(owing.union(holding)).scalars()))
