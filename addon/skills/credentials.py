"""A tenant's auth epoch: one number that grows with every change of its install state or credentials.

Authentication keeps a copy of each tenant per process (a cache), so that a request costs no
database round trip to learn its tenant's secret. Every front changes a tenant's install state or
credentials (Connect install, re-install with a new secret, uninstall; Forge install, uninstall)
in a transaction that also calls `revoke_credentials`; each request then checks the epoch its copy
was loaded at against the database's, within a statement it makes anyway (addon.auth), so the
change is seen by every process once that transaction commits. A read whose statement also reads
the epoch returns it with its value, as a `Stamped` value.
"""
from __future__ import annotations

from typing import Generic, NamedTuple, TypeVar

from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.orm import Session

from ..database import ReadStatement
from ..models import Tenant

T = TypeVar("T")


class Stamped(NamedTuple, Generic[T]):
    """What a read found, and the tenant's auth epoch its statement read with it (None: no such tenant)."""

    epoch: int | None
    value: T


_CURRENT = ReadStatement(select(Tenant.auth_epoch).where(Tenant.id == bindparam("tenant_id")))
# session.info key: (transaction, tenant id, epoch) read with the tenant's row lock (note_locked).
_LOCKED = "skills.credentials.locked"


def revoke_credentials(session: Session, tenant_id: int) -> None:
    """Make every process's copy of the tenant stale once this transaction commits.

    Call it in the transaction that changes the tenant's install state or credentials, on any front.
    """
    session.execute(update(Tenant).where(Tenant.id == tenant_id).values(auth_epoch=Tenant.auth_epoch + 1))


def current(engine: Engine, tenant_id: int) -> int | None:
    """The tenant's committed epoch (one primary-key read), or None for an unknown tenant."""
    rows = _CURRENT.rows(engine, {"tenant_id": tenant_id})
    return rows[0][0] if rows else None


def note_locked(session: Session, tenant_id: int, epoch: int) -> None:
    """Record the epoch a statement of this transaction read while taking the tenant's row lock."""
    session.info[_LOCKED] = (_transaction(session), tenant_id, epoch)


def _transaction(session: Session) -> object:
    """The database transaction under way: a note is good for that one only (not after a rollback)."""
    return session.connection().get_transaction()


def in_transaction(session: Session, tenant_id: int) -> int | None:
    """The tenant's epoch, held for the rest of this transaction: no change of it can commit before this one.

    A writer has locked the tenant's row already (skills.versions.bump, which notes the epoch it
    read): that epoch, at no cost. Otherwise a shared lock on the row, taken now (PostgreSQL; a
    SQLite writer holds the database's only write lock anyway).
    """
    noted = session.info.get(_LOCKED)
    if noted is not None and noted[0] is _transaction(session) and noted[1] == tenant_id:
        return noted[2]
    return session.execute(select(Tenant.auth_epoch).where(Tenant.id == tenant_id)
                           .with_for_update(read=True)).scalar_one_or_none()
