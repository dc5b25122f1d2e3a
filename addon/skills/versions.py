"""A tenant's data version: one number that changes whenever its skills, holdings or tree change.

Every writer bumps it in its own transaction, before its other changes (it doubles as the lock on
the tenant's row that orders writers); readers compare it with the version an answer was built at.
"""
from __future__ import annotations

from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.orm import Session

from ..database import ReadStatement
from ..models import Tenant

_CURRENT = ReadStatement(select(Tenant.data_version).where(Tenant.id == bindparam("tenant_id")))


def bump(session: Session, tenant_id: int) -> None:
    """Mark every answer built from the tenant's data as stale, once this transaction commits.

    An UPDATE of the tenant's row: on PostgreSQL it holds the row's lock until commit, so the
    tenant's writers take turns; SQLite has one writer at a time anyway, and taking the write lock
    first avoids a read-then-upgrade deadlock.
    """
    session.execute(update(Tenant).where(Tenant.id == tenant_id).values(data_version=Tenant.data_version + 1))


def current(engine: Engine, tenant_id: int) -> int | None:
    """The tenant's committed data version, or None for an unknown tenant."""
    rows = _CURRENT.rows(engine, {"tenant_id": tenant_id})
    return rows[0][0] if rows else None
