"""Whole-tenant answers computed the plain way (every row read, the tree built whole), for tests to
hold the app's kept and patched answers against. Plain SQLAlchemy over a Session, as the domain."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from addon.models import UserSkill
from addon.skills import tree


def load_experts(session: Session, tenant_id: int) -> dict[int, list[str]]:
    """skill id -> the accounts holding it, in the order they acquired it: one query."""
    experts: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(select(UserSkill.skill_id, UserSkill.account_id)
                           .where(UserSkill.tenant_id == tenant_id).order_by(UserSkill.id))
    for skill_id, account_id in rows:
        experts[skill_id].append(account_id)
    return experts


def experts_tree(session: Session, tenant_id: int) -> list[dict[str, Any]]:
    """The documented 'skill tree with experts': every skill of the catalogue with its experts."""
    catalogue = tree.load_catalogue(session, tenant_id)
    experts = load_experts(session, tenant_id)
    return tree.nodes(catalogue, lambda skill: experts.get(skill.id, []))
