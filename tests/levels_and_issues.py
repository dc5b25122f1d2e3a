"""Writes of levels, scales and the skills issues need, for tests, through the writers their routes call.

PATCH /api/user-skill-levels, PUT /api/levels and PUT /api/issue-skills ("Levels" and "Skills an
issue needs" in the contract) check their caller and body, then call skills.user_skills.set_levels,
skills.levels.set_scale and skills.issue_skills.set_issue_skills in one transaction, which log their
change (skills.changes) as every writer does. These helpers call the same writers with the arguments
of those routes, by tenant (the routes' callers, Jira permissions and Jira's property mirror are the
subject of their own tests), so that a test can write thousands of them quickly.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from flask import Flask
from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from addon.extensions import db
from addon.models import Tenant, UserSkill
from addon.skills import changes
from addon.skills import issue_skills as issue_writes
from addon.skills import levels as scales
from addon.skills import user_skills as holdings


def tenant_id(app: Flask, client_key: str) -> int:
    with app.app_context():
        found = db.session.execute(select(Tenant.id).where(Tenant.client_key == client_key)).scalar_one()
        db.session.remove()
    return found


def _write(app: Flask, client_key: str, write: Callable[[Session, int], Any]) -> None:
    """`write(session, tenant id)` in one transaction, committed, as a route does after its checks."""
    tenant = tenant_id(app, client_key)
    with app.app_context():
        write(db.session, tenant)
        db.session.commit()
        db.session.remove()


def set_levels(app: Flask, client_key: str, account_id: str, levels: Mapping[str, int | None]) -> None:
    """PATCH /api/user-skill-levels?accountId=A {"levels": {...}}: each named skill at that level;
    a skill the user lacks is added with it, after the others."""
    _write(app, client_key, lambda session, tenant: holdings.set_levels(session, tenant, account_id, levels))


def rate_everyone(app: Flask, client_key: str, every: int) -> None:
    """A level for every holding at once (a big site's levels, as POST /api/skill-levels-by-account
    would set them): the holding with row id n gets level n % every when that is a level of the
    default scale (1 to 4), else stays unrated."""
    def rate(session: Session, tenant: int) -> None:
        changes.record(session, tenant, None)
        remainder = UserSkill.id % every
        session.execute(update(UserSkill).where(UserSkill.tenant_id == tenant).values(
            level=case((remainder.between(1, 4), remainder), else_=None)))

    _write(app, client_key, rate)


def set_scale(app: Flask, client_key: str, names: list[str], expert_level: int) -> None:
    """PUT /api/levels {"levels": [{"name"}...], "expertLevel": k}: holdings and issues' minimum levels
    above a smaller scale's top take its top level."""
    scale = scales.parse_scale([{"name": name} for name in names], expert_level)
    _write(app, client_key, lambda session, tenant: scales.set_scale(session, tenant, scale))


def set_issue_skills(app: Flask, client_key: str, issue_id: int, skills: list[Any]) -> None:
    """PUT /api/issue-skills?issueId=I {"skills": [...]}: the issue's list replaced; each entry a name
    (any level) or (name, minimum level); a name the catalogue lacks joins it."""
    wanted = [issue_writes.Required(entry, None) if isinstance(entry, str) else issue_writes.Required(*entry)
              for entry in skills]
    _write(app, client_key, lambda session, tenant: issue_writes.set_issue_skills(session, tenant, issue_id, wanted))
