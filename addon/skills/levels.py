"""A tenant's scale of levels (how well someone knows a skill), and the rules a level value follows.

A scale has 2 to 7 named levels, lowest first; a level is its position from 1. A tenant that never
changed its scale has no `levels` rows and uses DEFAULT_SCALE. A holding's or an issue's level is
an integer of the scale or None (not rated / any level). No Flask in here.

What the features built on levels use:
- `load_scale(session, tenant_id)`: the tenant's `Scale` (its levels, `top`, `expert_level`, `name_of`);
- `check_level(value, scale)`: a value as the contract allows a level (an int of the scale, or None);
- `parse_scale(levels, expert_level)`: a scale as PUT /api/levels sends it, every mistake named;
- `set_scale(session, tenant_id, scale)`: store it; what lay above a smaller scale's top takes its top.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from ..models import LEVELS_MAX, IssueSkill, Level, Tenant, UserSkill
from . import changes as change_log
from .errors import InvalidInput
from .names import InvalidName, clean_name, name_key

LEVELS_MIN = 2
DESCRIPTION_MAX = 500
# What a level of a PUT /api/levels body may hold; `level` (sent back from a GET) is ignored.
LEVEL_FIELDS = frozenset({"name", "description", "level"})


@dataclass(frozen=True)
class ScaleLevel:
    level: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class Scale:
    """A tenant's levels, lowest first, and the lowest level that counts as an expert."""

    levels: tuple[ScaleLevel, ...]
    expert_level: int

    @property
    def top(self) -> int:
        return len(self.levels)

    def name_of(self, level: int) -> str:
        return self.levels[level - 1].name

    def as_json(self) -> dict[str, Any]:
        """The contract's answer of GET /api/levels."""
        return {"levels": [{"level": entry.level, "name": entry.name, "description": entry.description}
                           for entry in self.levels],
                "expertLevel": self.expert_level}


DEFAULT_SCALE = Scale(tuple(ScaleLevel(n, name) for n, name in
                            enumerate(("Beginner", "Competent", "Proficient", "Expert"), start=1)),
                      expert_level=3)


def load_scale(session: Session, tenant_id: int) -> Scale:
    """The tenant's scale: its stored levels, or DEFAULT_SCALE when it has none."""
    rows = session.execute(select(Level.level, Level.name, Level.description)
                           .where(Level.tenant_id == tenant_id).order_by(Level.level)).all()
    if not rows:
        return DEFAULT_SCALE
    expert = session.execute(select(Tenant.expert_level).where(Tenant.id == tenant_id)).scalar_one_or_none()
    levels = tuple(ScaleLevel(level, name, description or "") for level, name, description in rows)
    return Scale(levels, expert if expert is not None and 1 <= expert <= len(levels) else DEFAULT_SCALE.expert_level)


class InvalidLevel(InvalidInput):
    """A level value that is neither an integer of the scale nor null."""


def check_level(value: Any, scale: Scale, what: str = "A level") -> int | None:
    """`value` as a level of `scale` (an int from 1 to its top) or None; anything else is refused.

    JSON's true/false are not levels, nor "3" or 2.5 or 3.0: only integers, as the contract says.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= scale.top:
        raise InvalidLevel(f"{what} must be a whole number from 1 to {scale.top} (the levels of this site's "
                           f"scale) or null for not rated; got {_shown(value)}.")
    return value


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value[:40]}"'
    return text[:60]


class InvalidScale(InvalidInput):
    """A scale PUT /api/levels cannot take; `details` names each mistake."""


def parse_scale(levels: Any, expert_level: Any) -> Scale:
    """The scale a request sends (levels lowest first, each a `name` and maybe a `description`), checked whole.

    Names follow the skill-name rules (`clean_name`) and differ case-insensitively; a description is
    at most DESCRIPTION_MAX characters (null: none); `expert_level` is a level of the new scale.
    """
    if not isinstance(levels, list):
        raise InvalidScale(f"'levels' must be an array of {LEVELS_MIN} to {LEVELS_MAX} levels, lowest first.")
    if not LEVELS_MIN <= len(levels) <= LEVELS_MAX:
        raise InvalidScale(f"A scale has {LEVELS_MIN} to {LEVELS_MAX} levels; this one has {len(levels)}.")
    entries: list[ScaleLevel] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(levels, start=1):
        where = f"Level {number}"
        if not isinstance(entry, dict):
            problems.append(f"{where} must be an object with a 'name' (and a 'description' if you like).")
            continue
        unknown = sorted(set(entry) - LEVEL_FIELDS)
        if unknown:
            problems.append(f"{where} has unknown field(s) {', '.join(map(repr, unknown))}; "
                            "a level has 'name' and 'description'.")
        try:
            name = clean_name(entry.get("name"), f"The name of level {number}")
        except InvalidName as err:
            problems.append(err.message)
            continue
        if name_key(name) in seen:
            problems.append(f"{where} is called {name!r} like level {seen[name_key(name)]}; "
                            "level names must differ (case-insensitively).")
        seen.setdefault(name_key(name), number)
        description = entry.get("description")
        if description is None:
            description = ""
        elif not isinstance(description, str):
            problems.append(f"The description of level {number} must be a string or null.")
            continue
        elif len(description) > DESCRIPTION_MAX:
            problems.append(f"The description of level {number} must be at most {DESCRIPTION_MAX} characters.")
            continue
        entries.append(ScaleLevel(number, name, description.strip()))
    if isinstance(expert_level, bool) or not isinstance(expert_level, int) or not 1 <= expert_level <= len(levels):
        problems.append(f"'expertLevel' must be a whole number from 1 to {len(levels)} (a level of this scale): "
                        "the lowest level that counts as an expert.")
    if problems:
        raise InvalidScale("The scale is not valid; nothing was changed.", details=problems)
    return Scale(tuple(entries), expert_level)


@dataclass(frozen=True)
class Clamped:
    """What a new scale did to what lay above its top: holdings and issues' minimum levels moved down."""

    holdings: int = 0
    issue_skills: int = 0


def set_scale(session: Session, tenant_id: int, scale: Scale) -> Clamped:
    """Make `scale` the tenant's, in the caller's transaction; holdings and issues' `min_level`s above
    its top take its top level.

    The change log says the scale changed, and names the accounts whose holdings moved (and that the
    skills issues need did, when one moved): their answers are patched, the others' are kept.
    """
    # The tenant's row locked first (as every writer does), so no write of a level above the new top
    # can slip in between the clamp and the commit; the accounts it moves are logged once found.
    change_log.record(session, tenant_id, (), scale=True)
    top = scale.top
    moved = session.execute(select(UserSkill.account_id).where(UserSkill.tenant_id == tenant_id,
                                                               UserSkill.level > top).distinct()).scalars().all()
    holdings = session.execute(update(UserSkill).where(UserSkill.tenant_id == tenant_id, UserSkill.level > top)
                               .values(level=top)).rowcount if moved else 0
    issue_skills = session.execute(update(IssueSkill).where(IssueSkill.tenant_id == tenant_id,
                                                            IssueSkill.min_level > top)
                                   .values(min_level=top)).rowcount
    if moved or issue_skills:
        change_log.record(session, tenant_id, moved, issues=issue_skills > 0)
    session.execute(delete(Level).where(Level.tenant_id == tenant_id))
    session.execute(insert(Level), [{"tenant_id": tenant_id, "level": entry.level, "name": entry.name,
                                     "name_key": name_key(entry.name), "description": entry.description}
                                    for entry in scale.levels])
    session.execute(update(Tenant).where(Tenant.id == tenant_id).values(expert_level=scale.expert_level))
    return Clamped(holdings, issue_skills)
