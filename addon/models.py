"""The tenant-scoped tables. Every row but a Tenant belongs to exactly one tenant."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import (BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants room for many rows.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAME_MAX = 100
# str.casefold can lengthen a name (German sharp s becomes "ss"); three times is the worst case.
NAME_KEY_MAX = 3 * NAME_MAX
ACCOUNT_ID_MAX = 128


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Tenant(db.Model):
    """A Jira site that installed the add-on (one Connect `clientKey`)."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str] = mapped_column(String(255), unique=True)
    shared_secret: Mapped[str] = mapped_column(String(255))
    base_url: Mapped[str] = mapped_column(String(255))
    product_type: Mapped[str] = mapped_column(String(32), default="jira")
    installed: Mapped[bool] = mapped_column(Boolean, default=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Grows with every change to the tenant's skills, holdings or tree, in the changing transaction
    # (skills.versions.bump); answers built from those tables are cached per process while it holds.
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def __repr__(self) -> str:  # never the secret
        return f"<Tenant {self.client_key} installed={self.installed}>"


class Category(db.Model):
    """A node of the tenant's skill tree, ordered among its siblings by `position`."""

    __tablename__ = "categories"
    __table_args__ = (
        # Keys are unique per tenant, not across tenants: a tree exported from one Jira site can be
        # imported into another with its keys kept, and no tenant can learn another's keys by collision.
        UniqueConstraint("tenant_id", "key", name="uq_categories_tenant_key"),
        Index("ix_categories_tenant_parent", "tenant_id", "parent_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(36), default=lambda: str(uuid.uuid4()))
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), nullable=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Skill(db.Model):
    """A skill of the tenant's catalogue; `name_key` is the case-folded name that makes it unique."""

    __tablename__ = "skills"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name_key", name="uq_skills_tenant_name_key"),
        Index("ix_skills_category", "category_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserSkill(db.Model):
    """A user holding a skill; `id` grows with every insert, so it is the order skills were added."""

    __tablename__ = "user_skills"
    __table_args__ = (
        UniqueConstraint("skill_id", "account_id", name="uq_user_skills_skill_account"),
        # A user's skills in the order added, read without touching the table's other rows.
        Index("ix_user_skills_tenant_account", "tenant_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(String(ACCOUNT_ID_MAX))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(db.Model):
    """A tenant API token; only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(ACCOUNT_ID_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TenantChange(db.Model):
    """What one data version of a tenant changed: an account's holdings, the tree, or everything.

    Written by every writer in the transaction that bumps the version (skills.changes), so that a
    process holding an answer at an older version can patch it by what changed instead of
    rebuilding it. Old rows are pruned; a reader that finds a version without a row rebuilds.
    """

    __tablename__ = "tenant_changes"
    __table_args__ = (Index("ix_tenant_changes_tenant_version", "tenant_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    # "account" (account_id's holdings), "tree" (categories or the catalogue), "all" (anything),
    # "nothing" (a write that changed nothing still names its version).
    scope: Mapped[str] = mapped_column(String(8))
    account_id: Mapped[str | None] = mapped_column(String(ACCOUNT_ID_MAX), nullable=True)
