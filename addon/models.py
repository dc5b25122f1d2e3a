"""The tenant-scoped tables. Every row but a Tenant belongs to exactly one tenant."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, MetaData,
                        PrimaryKeyConstraint, SmallInteger, String, Text, UniqueConstraint, false)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants room for many rows.
BigId = BigInteger().with_variant(Integer(), "sqlite")

NAME_MAX = 100
# A tenant's scale of levels has 2 to LEVELS_MAX named levels; a level is its position from 1.
LEVELS_MAX = 7
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
    """A Jira site that installed the add-on: through Connect (a `clientKey`), Forge, or both.

    The site is the same whichever front it came through: `cloud_id` joins a Forge installation to
    the site's Connect tenant. The Connect columns are empty for a site that only has the Forge app.
    """

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    shared_secret: Mapped[str | None] = mapped_column(String(255), nullable=True)
    base_url: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Atlassian's id of the site; unknown for Connect tenants installed before it was recorded.
    cloud_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    product_type: Mapped[str] = mapped_column(String(32), default="jira")
    # Each front has its own flag: uninstalling one must not refuse the other's callers.
    installed: Mapped[bool] = mapped_column(Boolean, default=True)  # the Connect add-on
    forge_installed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Grows with every change to the tenant's skills, holdings or tree, in the changing transaction
    # (skills.versions.bump); answers built from those tables are cached per process while it holds.
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Personal-data reporting (addon/privacy.py): when the tenant's accountIds were last reported to
    # Atlassian, and the earliest moment the next report may go (Atlassian's Cycle-Period).
    accounts_reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    accounts_report_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Grows with every change of the tenant's install state or credentials, on any front, in the
    # changing transaction (skills.credentials.revoke_credentials); every process checks the epoch
    # its cached copy was loaded at against this one (addon.auth), so revocation is immediate.
    auth_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The lowest level of the tenant's scale that counts as an expert; None while the tenant keeps
    # the default scale (no `levels` rows): skills.levels.DEFAULT_SCALE says which.
    expert_level: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)

    def __repr__(self) -> str:  # never the secret
        return (f"<Tenant {self.client_key or self.cloud_id} installed={self.installed} "
                f"forge_installed={self.forge_installed}>")


class ForgeInstallation(Base):
    """One installation of the Forge app (`app.installationId` of its tokens), serving a tenant.

    A row, not columns of Tenant, because a site can uninstall the Forge app and install it again
    under a new installation id: the old one must stay refused while the new one sees the site's data.
    """

    __tablename__ = "forge_installations"

    installation_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    api_base_url: Mapped[str] = mapped_column(String(255))
    installed: Mapped[bool] = mapped_column(Boolean, default=True)
    # The latest app system token Forge sent (header x-forge-oauth-system), for calls to Jira that
    # arrive without one. A credential: never logged, kept out of repr.
    system_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    system_token_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # When Forge minted (the FIT's `iat`) the newest lifecycle event applied to the installation; an
    # event older than this is ignored, so a late or replayed `installed` cannot undo an uninstall.
    # None until an event arrives (an installation a page's call provisioned).
    state_set_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:  # never the system token
        return f"<ForgeInstallation {self.installation_id} tenant={self.tenant_id} installed={self.installed}>"


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
        CheckConstraint(f"level IS NULL OR level BETWEEN 1 AND {LEVELS_MAX}", name="level_in_range"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(String(ACCOUNT_ID_MAX))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # How well the user knows the skill: a level of the tenant's scale, or None (not rated). The
    # documented user-skill API creates unrated holdings and never changes a kept holding's level.
    level: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)


class Level(Base):
    """One named level of a tenant's scale; a tenant with no rows keeps skills.levels.DEFAULT_SCALE."""

    __tablename__ = "levels"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "level", name="pk_levels"),
        UniqueConstraint("tenant_id", "name_key", name="uq_levels_tenant_name_key"),
        CheckConstraint(f"level BETWEEN 1 AND {LEVELS_MAX}", name="level_in_range"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    level: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_MAX))
    description: Mapped[str] = mapped_column(Text, default="")


class IssueSkill(Base):
    """A skill an issue needs, with the lowest level that meets it (None: any holder meets it).

    Issues are named by Jira's numeric id, which survives moves between projects; `position` keeps
    the order the issue's list was given in.
    """

    __tablename__ = "issue_skills"
    __table_args__ = (
        UniqueConstraint("tenant_id", "issue_id", "skill_id", name="uq_issue_skills_tenant_issue_skill"),
        # The insights count the issues that need each skill.
        Index("ix_issue_skills_tenant_skill", "tenant_id", "skill_id"),
        CheckConstraint(f"min_level IS NULL OR min_level BETWEEN 1 AND {LEVELS_MAX}", name="min_level_in_range"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    issue_id: Mapped[int] = mapped_column(BigInteger)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    min_level: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class IssueMirror(Base):
    """An issue whose Jira property `required-skills` does not yet show what we store (a write is owed).

    Our store is the truth, the property its mirror: a row exists only while a write to Jira is
    owed (Jira refused it or could not be reached), so `searchable` is the absence of a row.
    """

    __tablename__ = "issue_mirrors"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "issue_id", name="pk_issue_mirrors"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    issue_id: Mapped[int] = mapped_column(BigInteger)
    # When the write became owed, and when it was last tried (a sync run goes oldest first).
    owed_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    tried_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


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


class TenantChange(Base):
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
    # "account" (account_id's holdings, their levels included), "tree" (categories or the catalogue),
    # "issues" (the skills issues need), "scale" (the scale of levels), "all" (anything), "nothing" (a
    # write that changed nothing still names its version).
    scope: Mapped[str] = mapped_column(String(8))
    account_id: Mapped[str | None] = mapped_column(String(ACCOUNT_ID_MAX), nullable=True)
