"""Tenant API tokens: `jus_` secrets, stored only as their SHA-256, created by administrators,
listed, revoked, and looked up on every request that carries one."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..database import as_utc
from ..models import ApiToken, Tenant, utcnow
from .catalogue import chunks
from .errors import InvalidInput, NotFound
from .names import InvalidName, clean_name

PREFIX = "jus_"
MAX_TOKENS_PER_TENANT = 100
# Longer than any token we make: a longer one is not ours, and is refused before it is hashed.
MAX_LENGTH = 256
# last_used_at is a hint for admins, not an audit log: one write a minute is plenty.
LAST_USED_GRANULARITY = timedelta(minutes=1)


class TokenError(InvalidInput):
    """A token request the rules refuse; the token routes have answered `invalid_request` since they shipped."""

    code = "invalid_request"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class TokenInfo:
    """A token as administrators see it: never the secret."""

    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class Holder:
    """What a presented secret proves: its token, and the tenant it belongs to as its row says now."""

    token_id: str
    last_used_at: datetime | None
    tenant_id: int
    client_key: str | None
    shared_secret: str | None
    base_url: str | None
    # The tenant's site has the Connect add-on or the Forge app installed.
    installed: bool
    auth_epoch: int

    def __repr__(self) -> str:  # keeps the tenant's secret out of logs and tracebacks
        return f"Holder(token_id={self.token_id!r}, tenant_id={self.tenant_id}, installed={self.installed})"


def _info(token: ApiToken) -> TokenInfo:
    return TokenInfo(token.id, token.name, as_utc(token.created_at),
                     as_utc(token.last_used_at) if token.last_used_at is not None else None)


def clean_token_name(value: object) -> str:
    try:
        return clean_name(value, "A token name")
    except InvalidName as err:
        raise TokenError(err.message) from None


def create(session: Session, tenant_id: int, name: str, created_by: str | None) -> tuple[TokenInfo, str]:
    """A new token for the tenant and its secret, shown this once; at most MAX_TOKENS_PER_TENANT a tenant."""
    count = session.execute(select(func.count()).select_from(ApiToken)
                            .where(ApiToken.tenant_id == tenant_id)).scalar_one()
    if count >= MAX_TOKENS_PER_TENANT:
        raise TokenError(f"A site can have at most {MAX_TOKENS_PER_TENANT} API tokens; revoke one first.",
                         code="limit_exceeded")
    secret = new_secret()
    token = ApiToken(tenant_id=tenant_id, name=name, token_hash=hash_token(secret), created_by=created_by or "")
    session.add(token)
    session.flush()
    return _info(token), secret


def forget_creators(session: Session, tenant_id: int, account_ids: list[str]) -> None:
    """Blank `created_by` on the tokens these (closed) accounts created: personal data, kept nowhere."""
    for part in chunks(account_ids):
        session.execute(update(ApiToken).where(ApiToken.tenant_id == tenant_id, ApiToken.created_by.in_(part))
                        .values(created_by=""))


def list_tokens(session: Session, tenant_id: int) -> list[TokenInfo]:
    """The tenant's tokens, oldest first."""
    rows = session.execute(select(ApiToken).where(ApiToken.tenant_id == tenant_id)
                           .order_by(ApiToken.created_at, ApiToken.id)).scalars()
    return [_info(token) for token in rows]


def revoke(session: Session, tenant_id: int, token_id: str) -> None:
    """Delete the tenant's token `token_id`; it stops working with this transaction's commit."""
    result = session.execute(delete(ApiToken).where(ApiToken.tenant_id == tenant_id, ApiToken.id == token_id))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("No API token with that id on this site.")


_HOLDER = (select(ApiToken.id, ApiToken.last_used_at, Tenant.id, Tenant.client_key, Tenant.shared_secret,
                  Tenant.base_url, Tenant.installed, Tenant.forge_installed, Tenant.auth_epoch)
           .join(Tenant, Tenant.id == ApiToken.tenant_id))


def holder(engine: Engine, secret: str) -> Holder | None:
    """The token and tenant a presented secret belongs to, or None.

    On a connection of its own, not the request's session: authentication leaves the request's
    transaction unstarted, and the database is shared, so a revocation anywhere is seen at once.
    """
    if len(secret) > MAX_LENGTH:
        return None
    with engine.connect() as connection:
        row = connection.execute(_HOLDER.where(ApiToken.token_hash == hash_token(secret))).one_or_none()
    if row is None:
        return None
    token_id, last_used_at, tenant_id, client_key, shared_secret, base_url, connect_installed, forge_installed, epoch = row
    # A token serves its tenant while either front is installed on the site: the Connect add-on or
    # the Forge app (tenants.forge_installed: any installation installed). Neither: refused.
    return Holder(token_id, as_utc(last_used_at) if last_used_at is not None else None, tenant_id, client_key,
                  shared_secret, base_url, bool(connect_installed or forge_installed), epoch)


def record_use(engine: Engine, found: Holder, now: datetime | None = None) -> None:
    """Note that the token was used, at most once a LAST_USED_GRANULARITY, in a short transaction of its own.

    Most uses write nothing. The write is not the request's: on SQLite (WAL) a session that had
    read and then wrote after another connection committed would fail with SQLITE_BUSY_SNAPSHOT,
    and on PostgreSQL the row lock would be held for the whole request.
    """
    now = now or utcnow()
    stale = now - LAST_USED_GRANULARITY
    if found.last_used_at is not None and found.last_used_at >= stale:
        return
    with engine.begin() as connection:
        # The condition again: of several processes that saw the old value, one writes.
        connection.execute(update(ApiToken).where(
            ApiToken.id == found.token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < stale)).values(last_used_at=now))
