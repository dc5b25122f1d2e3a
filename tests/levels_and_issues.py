"""Writes of levels, scales and the skills issues need, for tests, until their routes exist.

PATCH /api/user-skill-levels, PUT /api/levels and PUT /api/issue-skills ("Levels" and "Skills an
issue needs" in the contract) are being built beside the insights. Until they are merged, tests
write what those routes would, here and nowhere else, through SQLAlchemy in one transaction that
logs its change as the routes' writers will (skills.changes: the accounts whose holdings changed,
`issues=True` for an issue's skills, `tree=True` when a name joined the catalogue). Each helper takes
the arguments of its route, so that switching one to `jira.request(...)` touches this file alone.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from flask import Flask
from sqlalchemy import case, delete, func, insert, select, update

from addon.extensions import db
from addon.models import IssueSkill, Level, Skill, Tenant, UserSkill
from addon.skills import changes
from addon.skills.catalogue import ensure_skills, find_skills
from addon.skills.names import name_key



def tenant_id(app: Flask, client_key: str) -> int:
    with app.app_context():
        found = db.session.execute(select(Tenant.id).where(Tenant.client_key == client_key)).scalar_one()
        db.session.remove()
    return found


def _catalogue(session: Any, tenant: int, names: Iterable[str]) -> tuple[dict[str, tuple[int, str]], bool]:
    """name_key -> (skill id, stored name), creating missing names; and whether any name was new."""
    wanted = list(names)
    known = find_skills(session, tenant, [name_key(name) for name in wanted])
    return ensure_skills(session, tenant, wanted), len(known) < len({name_key(name) for name in wanted})


def set_levels(app: Flask, client_key: str, account_id: str, levels: Mapping[str, int | None]) -> None:
    """PATCH /api/user-skill-levels?accountId=A {"levels": {...}}: each named skill at that level;
    a skill the user lacks is added with it, after the others."""
    tenant = tenant_id(app, client_key)
    with app.app_context():
        session = db.session
        changes.record(session, tenant, [account_id])
        found, _ = _catalogue(session, tenant, levels)
        held = set(session.execute(select(UserSkill.skill_id).where(
            UserSkill.tenant_id == tenant, UserSkill.account_id == account_id)).scalars())
        for name, level in levels.items():
            skill_id = found[name_key(name)][0]
            if skill_id in held:
                session.execute(update(UserSkill).where(UserSkill.skill_id == skill_id,
                                                        UserSkill.account_id == account_id).values(level=level))
            else:
                session.execute(insert(UserSkill).values(tenant_id=tenant, account_id=account_id,
                                                         skill_id=skill_id, level=level))
                held.add(skill_id)
        session.commit()
        db.session.remove()


def rate_everyone(app: Flask, client_key: str, every: int) -> None:
    """A level for every holding at once (a big site's levels, as POST /api/skill-levels-by-account
    would set them): the holding with row id n gets level n % every when that is a level of the
    default scale (1 to 4), else stays unrated."""
    tenant = tenant_id(app, client_key)
    with app.app_context():
        changes.record(db.session, tenant, None)
        remainder = UserSkill.id % every
        db.session.execute(update(UserSkill).where(UserSkill.tenant_id == tenant).values(
            level=case((remainder.between(1, 4), remainder), else_=None)))
        db.session.commit()
        db.session.remove()


def set_scale(app: Flask, client_key: str, names: list[str], expert_level: int) -> None:
    """PUT /api/levels {"levels": [{"name"}...], "expertLevel": k}: holdings and issues' minimum levels
    above a smaller scale's top take its top level."""
    tenant = tenant_id(app, client_key)
    with app.app_context():
        session = db.session
        top = len(names)
        old_top = session.execute(select(func.count()).select_from(Level).where(Level.tenant_id == tenant)).scalar_one() or 4
        # A new size may re-level holdings: "anything changed"; a new expert level or names change no holding.
        changes.record(session, tenant, None if top != old_top else (), issues=top != old_top)
        session.execute(delete(Level).where(Level.tenant_id == tenant))
        session.execute(insert(Level), [{"tenant_id": tenant, "level": n, "name": name, "name_key": name_key(name),
                                         "description": ""} for n, name in enumerate(names, start=1)])
        session.execute(update(Tenant).where(Tenant.id == tenant).values(expert_level=expert_level))
        session.execute(update(UserSkill).where(UserSkill.tenant_id == tenant, UserSkill.level > top).values(level=top))
        session.execute(update(IssueSkill).where(IssueSkill.tenant_id == tenant, IssueSkill.min_level > top)
                        .values(min_level=top))
        session.commit()
        db.session.remove()


def set_issue_skills(app: Flask, client_key: str, issue_id: int, skills: list[Any]) -> None:
    """PUT /api/issue-skills?issueId=I {"skills": [...]}: the issue's list replaced; each entry a name
    (any level) or (name, minimum level); a name the catalogue lacks joins it."""
    entries = [(entry, None) if isinstance(entry, str) else tuple(entry) for entry in skills]
    tenant = tenant_id(app, client_key)
    with app.app_context():
        session = db.session
        # Whether a name is new is known only after looking: logged with the tree flag when one is.
        found, new_name = _catalogue(session, tenant, [name for name, _ in entries]) if entries else ({}, False)
        changes.record(session, tenant, (), tree=new_name, issues=True)
        session.execute(delete(IssueSkill).where(IssueSkill.tenant_id == tenant, IssueSkill.issue_id == issue_id))
        rows = [{"tenant_id": tenant, "issue_id": issue_id, "skill_id": found[name_key(name)][0],
                 "min_level": level, "position": position} for position, (name, level) in enumerate(entries)]
        if rows:
            session.execute(insert(IssueSkill), rows)
        session.commit()
        db.session.remove()


def issue_skills(app: Flask, client_key: str) -> dict[int, list[tuple[str, int | None]]]:
    """Every issue's skills as stored: issue id -> [(name, minimum level)] in order."""
    tenant = tenant_id(app, client_key)
    found: dict[int, list[tuple[str, int | None]]] = {}
    with app.app_context():
        for issue, name, level in db.session.execute(
                select(IssueSkill.issue_id, Skill.name, IssueSkill.min_level).join(Skill, Skill.id == IssueSkill.skill_id)
                .where(IssueSkill.tenant_id == tenant).order_by(IssueSkill.issue_id, IssueSkill.position)):
            found.setdefault(issue, []).append((name, level))
        db.session.remove()
    return found
