"""The tenant of a verified FIT: found by its installation, provisioned on first sight, joined by cloudId.

Plain SQLAlchemy over a Session the caller passes; no Flask. Forge sends lifecycle events at least
once and in any order with the first UI calls, so every write here is idempotent and race-safe: two
processes seeing a new installation at once end with one tenant and one installation row.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, and_, bindparam, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..database import ReadStatement
from ..models import ForgeInstallation, Tenant, utcnow
from ..skills.credentials import revoke_credentials
from .fit import Invocation

log = logging.getLogger(__name__)

# The stored system token serves calls that arrive without one (requestRemote) and the personal-data
# report. Only a token that came with one of Forge's own events, or that Jira accepted on a call, is
# stored: a page's call may carry an `x-forge-oauth-system` header its user chose. Following the
# newest accepted one at most once a minute saves a write on every call.
SYSTEM_TOKEN_REFRESH = timedelta(minutes=1)
_ATTEMPTS = 3


class InstallationRefused(Exception):
    """The installation was uninstalled: its tokens are refused until Forge installs it again."""


@dataclass(frozen=True)
class ForgeTenant:
    """The tenant a FIT acts for, and the installation it came through."""

    id: int
    installation_id: str
    cloud_id: str | None
    api_base_url: str
    installed: bool
    # The tenant's auth epoch as read with the installation (skills.credentials; addon.auth confirms it).
    auth_epoch: int = 0
    stored_system_token: str | None = None
    stored_system_token_at: datetime | None = None

    def __repr__(self) -> str:  # keeps the system token out of logs and tracebacks
        return (f"ForgeTenant(id={self.id}, installation_id={self.installation_id!r}, "
                f"cloud_id={self.cloud_id!r}, installed={self.installed})")


_INSTALLATION = (select(ForgeInstallation.tenant_id, ForgeInstallation.installation_id, Tenant.cloud_id,
                        ForgeInstallation.api_base_url, ForgeInstallation.installed, Tenant.auth_epoch,
                        ForgeInstallation.system_token, ForgeInstallation.system_token_at)
                 .join(Tenant, Tenant.id == ForgeInstallation.tenant_id))


def load(session: Session, installation_id: str) -> ForgeTenant | None:
    row = session.execute(_INSTALLATION.where(ForgeInstallation.installation_id == installation_id)).one_or_none()
    return _tenant(row) if row is not None else None


# Every Forge call reads its installation: compiled once and run on a pooled connection, as the hot
# user-skills read is, rather than through the ORM session (measured on SQLite on a busy machine:
# about 70 us, against over a millisecond for the same query through a session and its rollback).
_INSTALLATION_READ = ReadStatement(_INSTALLATION.where(ForgeInstallation.installation_id == bindparam("installation")))


def load_installation(engine: Engine, installation_id: str) -> ForgeTenant | None:
    """`load` on a connection of the engine's pool, outside any session: one round trip, nothing held."""
    rows = _INSTALLATION_READ.rows(engine, {"installation": installation_id})
    return _tenant(rows[0]) if rows else None


def _tenant(row: Any) -> ForgeTenant:
    tenant_id, installation_id, cloud_id, api_base_url, installed, epoch, token, token_at = row
    # Straight from the driver on the hot path: SQLite gives 0/1 and ISO text, PostgreSQL bool and datetime.
    if isinstance(token_at, str):
        token_at = datetime.fromisoformat(token_at)
    return ForgeTenant(tenant_id, installation_id, cloud_id, api_base_url, bool(installed), int(epoch), token,
                       _aware(token_at))


def tenant_for(session: Session, invocation: Invocation, known: ForgeTenant | None = None) -> ForgeTenant:
    """The tenant of a verified FIT's installation, provisioned if this is its first call.

    `known` is the installation as the caller just read it (load_installation), if it did.
    Raises InstallationRefused for an uninstalled installation. Commits what it writes: it runs
    before the request's own work, and what it learnt (a new installation, a moved apiBaseUrl)
    holds whatever that work does. The call's system token is not stored here (see SYSTEM_TOKEN_REFRESH).
    """
    tenant = known if known is not None else load(session, invocation.installation_id)
    if tenant is None:
        tenant = provision(session, invocation, installed=True)
    if not tenant.installed:
        raise InstallationRefused("The Forge app is not installed for this installation.")
    return _keep_up_to_date(session, tenant, invocation)


def provision(session: Session, invocation: Invocation, installed: bool, system_token: str | None = None,
              state_set_at: datetime | None = None) -> ForgeTenant:
    """Create the installation (and its tenant, unless its site already has one); a no-op if it exists."""
    for attempt in range(1, _ATTEMPTS + 1):
        existing = load(session, invocation.installation_id)
        if existing is not None:
            return existing
        try:
            tenant_id = _site_tenant(session, invocation.cloud_id)
            if tenant_id is None:
                # A site new to us; its Connect columns stay empty until a Connect install joins it.
                tenant = Tenant(cloud_id=invocation.cloud_id, installed=False, enabled=True,
                                forge_installed=installed)
                session.add(tenant)
                session.flush()
                tenant_id = tenant.id
            now = utcnow()
            session.add(ForgeInstallation(
                installation_id=invocation.installation_id, tenant_id=tenant_id,
                api_base_url=invocation.api_base_url, installed=installed, state_set_at=state_set_at,
                system_token=system_token, system_token_at=now if system_token else None))
            session.flush()
            _sync_forge_flag(session, tenant_id)
            session.commit()
        except IntegrityError:
            # Another process provisioned the site or the installation first: read what it made.
            session.rollback()
            if attempt == _ATTEMPTS:
                raise
            continue
        log.info("Forge installation %s provisioned for tenant %s (installed=%s)",
                 invocation.installation_id, tenant_id, installed)
        break
    made = load(session, invocation.installation_id)
    if made is None:  # deleted between our commit and this read: as good as never installed
        raise InstallationRefused("The Forge installation vanished while it was provisioned.")
    return made


def set_installed(session: Session, invocation: Invocation, installed: bool, system_token: str | None,
                  at: datetime) -> ForgeTenant:
    """Record a lifecycle event minted `at` (its FIT's `iat`): the installation is (re)installed or
    uninstalled, unless an event minted later was already applied. Idempotent.

    The event came from Forge itself (lifecycle.py refuses a page's FIT), so its system token is stored.
    """
    tenant = provision(session, invocation, installed=installed, system_token=system_token, state_set_at=at)
    row = ForgeInstallation
    # One conditional UPDATE: of two events racing, the one minted later is the one that stays.
    applied = session.execute(
        update(row).where(row.installation_id == invocation.installation_id,
                          or_(row.state_set_at.is_(None), row.state_set_at <= at))
        .values(installed=installed, state_set_at=at)).rowcount  # type: ignore[attr-defined]
    if not applied:
        session.rollback()
        log.info("Forge %s event for installation %s is older than its last state change; ignored",
                 "installed" if installed else "uninstalled", invocation.installation_id)
        return tenant
    if tenant.installed != installed:
        _sync_forge_flag(session, tenant.id)
        # Every process's copy of the tenant is stale now: a request in flight with it is refused at commit.
        revoke_credentials(session, tenant.id)
        session.commit()
        log.info("Forge installation %s %s", invocation.installation_id,
                 "installed" if installed else "uninstalled")
        tenant = replace(tenant, installed=installed)
    else:
        session.commit()
    if system_token and system_token != tenant.stored_system_token:
        session.execute(update(row).where(row.installation_id == invocation.installation_id)
                        .values(system_token=system_token, system_token_at=utcnow()))
        session.commit()
        tenant = replace(tenant, stored_system_token=system_token)
    return _keep_up_to_date(session, tenant, invocation)


def remember_system_token(engine: Engine, installation_id: str, token: str) -> bool:
    """Store a system token Jira just accepted on a call, unless it is the stored one or that one is
    less than SYSTEM_TOKEN_REFRESH old; whether it was stored.

    One conditional UPDATE on a connection of its own: it runs in the middle of a request (the
    administrator check), whose session must not be committed by it.
    """
    row = ForgeInstallation
    now = utcnow()
    with engine.begin() as connection:
        stored = connection.execute(
            update(row).where(row.installation_id == installation_id,
                              or_(row.system_token.is_(None),
                                  and_(row.system_token != token,
                                       or_(row.system_token_at.is_(None),
                                           row.system_token_at <= now - SYSTEM_TOKEN_REFRESH))))
            .values(system_token=token, system_token_at=now)).rowcount
    return bool(stored)


def _site_tenant(session: Session, cloud_id: str | None) -> int | None:
    if cloud_id is None:
        return None
    return session.execute(select(Tenant.id).where(Tenant.cloud_id == cloud_id)).scalar_one_or_none()


def _sync_forge_flag(session: Session, tenant_id: int) -> None:
    """tenants.forge_installed: whether any of the tenant's Forge installations is installed."""
    any_installed = exists().where(ForgeInstallation.tenant_id == tenant_id, ForgeInstallation.installed)
    session.execute(update(Tenant).where(Tenant.id == tenant_id).values(forge_installed=any_installed))


def _keep_up_to_date(session: Session, tenant: ForgeTenant, invocation: Invocation) -> ForgeTenant:
    """Store what a verified FIT tells that we lack: a moved apiBaseUrl, the cloudId."""
    if invocation.api_base_url != tenant.api_base_url:
        session.execute(update(ForgeInstallation).where(ForgeInstallation.installation_id == tenant.installation_id)
                        .values(api_base_url=invocation.api_base_url))
        session.commit()
        tenant = replace(tenant, api_base_url=invocation.api_base_url)
    if tenant.cloud_id is None and invocation.cloud_id is not None:
        tenant = _fill_cloud_id(session, tenant, invocation.cloud_id)
    return tenant


def _fill_cloud_id(session: Session, tenant: ForgeTenant, cloud_id: str) -> ForgeTenant:
    if _site_tenant(session, cloud_id) is not None:
        # Another tenant already is that site (its Connect tenant): two tenants are not merged here,
        # and this is seen on every call of the installation, so it is not a warning each time.
        log.debug("Forge installation %s names site %s, which another tenant holds",
                  tenant.installation_id, cloud_id)
        return tenant
    try:
        session.execute(update(Tenant).where(Tenant.id == tenant.id, Tenant.cloud_id.is_(None))
                        .values(cloud_id=cloud_id))
        session.commit()
    except IntegrityError:  # the site's tenant was made meanwhile
        session.rollback()
        log.warning("Forge installation %s names site %s, which another tenant holds; left as it is",
                    tenant.installation_id, cloud_id)
        return tenant
    return replace(tenant, cloud_id=cloud_id)


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives back naive datetimes for timezone-aware columns; they were stored in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
