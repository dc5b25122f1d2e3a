"""The tenant-scoped tables. Every row but a Tenant belongs to exactly one tenant."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import (BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, MetaData, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants room for many rows.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAME_MAX = 100
# str.casefold can lengthen a name (German sharp s becomes "ss"); three times is the worst case.
NAME_KEY_MAX = 3 * NAME_MAX
ACCOUNT_ID_MAX = 128


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Plain SQLAlchemy declarative base: the models import without Flask (addon.extensions wraps it)."""

    # Named constraints, so that Alembic migrations can refer to them on every database.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Tenant(Base):
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


class Category(Base):
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


class Skill(Base):
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


class UserSkill(Base):
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


class ApiToken(Base):
    """A tenant API token; only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(ACCOUNT_ID_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
