"""Fixtures of the issue-skills tests: levels set straight in the database, and Jira's issue data.

Until the levels API (PATCH /api/user-skill-levels) is in this branch, holdings' levels are set here
through SQLAlchemy; every test that needs a level goes through `set_levels`, so that one function
switches to the API later.
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select, update

from addon.extensions import db
from addon.models import Skill, UserSkill
from addon.skills.names import name_key


def set_levels(app: Flask, tenant_id: int, account_id: str, levels: dict[str, int | None]) -> None:
    """Give a user's held skills these levels (the user must hold each)."""
    with app.app_context():
        for name, level in levels.items():
            skill_id = db.session.execute(select(Skill.id).where(Skill.tenant_id == tenant_id,
                                                                 Skill.name_key == name_key(name))).scalar_one()
            changed = db.session.execute(update(UserSkill).where(
                UserSkill.tenant_id == tenant_id, UserSkill.account_id == account_id,
                UserSkill.skill_id == skill_id).values(level=level)).rowcount
            assert changed == 1, (account_id, name)
        db.session.commit()


def grant(site: dict[str, Any], account_id: str, permission: str, *issue_ids: int) -> None:
    """Jira grants `account_id` a project permission on these issues (the fake's permissions/check)."""
    site.setdefault("issue_permissions", {}).setdefault(account_id, {}).setdefault(permission, set()).update(issue_ids)
