"""A tenant's data version: one number that changes whenever its skills, holdings or tree change.

Every writer bumps it in its own transaction, before its other changes (it doubles as the lock on
the tenant's row that orders writers); readers compare it with the version an answer was built at.
"""
from __future__ import annotations

from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.orm import Session

from ..database import ReadStatement
from ..models import Tenant
from . import credentials

# The tenant's auth epoch comes with its data version at no cost: the request's one statement
# also confirms the caller's credentials (addon.auth.tenant_read).
_CURRENT = ReadStatement(select(Tenant.auth_epoch, Tenant.data_version).where(Tenant.id == bindparam("tenant_id")))


def bump(session: Session, tenant_id: int) -> int:
    """Mark every answer built from the tenant's data as stale, once this transaction commits.

    An UPDATE of the tenant's row: on PostgreSQL it holds the row's lock until commit, so the
    tenant's writers take turns; SQLite has one writer at a time anyway, and taking the write lock
    first avoids a read-then-upgrade deadlock. Returns the new version (skills.changes logs it).
    """
    version, epoch = session.execute(update(Tenant).where(Tenant.id == tenant_id)
                                     .values(data_version=Tenant.data_version + 1)
                                     .returning(Tenant.data_version, Tenant.auth_epoch)).one()
    # Read under the row's lock: the epoch this transaction commits under, checked before commit.
    credentials.note_locked(session, tenant_id, epoch)
    return version


def current_and_epoch(engine: Engine, tenant_id: int) -> credentials.Stamped[int | None]:
    """The tenant's committed data version and its auth epoch in one primary-key read (None, None: no such tenant)."""
    rows = _CURRENT.rows(engine, {"tenant_id": tenant_id})
    return credentials.Stamped(*rows[0]) if rows else credentials.Stamped(None, None)
