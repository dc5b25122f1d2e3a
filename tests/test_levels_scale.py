"""A tenant's scale of levels: the default, a stored scale, what a level value may be, and the
migration that brings levels in leaving every existing holding unrated."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, event, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from addon.extensions import db
from addon.models import Base, Level, Skill, Tenant, UserSkill
from addon.skills.levels import DEFAULT_SCALE, InvalidLevel, check_level, load_scale

LEVELS_REVISION = "5d2a9c71e3f4"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path}/levels.sqlite3")

    @event.listens_for(engine, "connect")
    def _foreign_keys(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def make_tenant(session: Session) -> int:
    tenant = Tenant(client_key="levels", shared_secret="s" * 40, base_url="https://levels.atlassian.net")
    session.add(tenant)
    session.flush()
    return tenant.id


def test_a_tenant_without_a_stored_scale_has_the_default(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        scale = load_scale(session, make_tenant(session))
    assert scale is DEFAULT_SCALE
    assert scale.as_json() == {"levels": [{"level": 1, "name": "Beginner", "description": ""},
                                          {"level": 2, "name": "Competent", "description": ""},
                                          {"level": 3, "name": "Proficient", "description": ""},
                                          {"level": 4, "name": "Expert", "description": ""}],
                               "expertLevel": 3}


def test_a_stored_scale_is_read_lowest_first_with_its_expert_level(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        tenant_id = make_tenant(session)
        session.execute(insert(Level), [
            {"tenant_id": tenant_id, "level": 2, "name": "Knows it", "name_key": "knows it", "description": "x"},
            {"tenant_id": tenant_id, "level": 1, "name": "Heard of it", "name_key": "heard of it", "description": ""}])
        session.execute(Tenant.__table__.update().where(Tenant.id == tenant_id).values(expert_level=2))
    with Session(engine) as session:
        scale = load_scale(session, tenant_id)
    assert [(entry.level, entry.name) for entry in scale.levels] == [(1, "Heard of it"), (2, "Knows it")]
    assert (scale.top, scale.expert_level, scale.name_of(2)) == (2, 2, "Knows it")


@pytest.mark.parametrize("value", [None, 1, 4])
def test_a_level_of_the_scale_or_null_is_accepted(value: object) -> None:
    assert check_level(value, DEFAULT_SCALE) == value


@pytest.mark.parametrize("value", [0, 5, 8, -1, "3", 2.5, 3.0, True, False, [3], {"level": 3}])
def test_anything_else_is_refused_with_the_range_in_the_message(value: object) -> None:
    with pytest.raises(InvalidLevel) as refused:
        check_level(value, DEFAULT_SCALE, "The level of 'Python'")
    assert "from 1 to 4" in refused.value.message and refused.value.message.startswith("The level of 'Python'")


def test_the_database_refuses_a_level_outside_every_scale(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        tenant_id = make_tenant(session)
        skill = Skill(tenant_id=tenant_id, name="Go", name_key="go")
        session.add(skill)
        session.flush()
        skill_id = skill.id
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        session.add(UserSkill(tenant_id=tenant_id, account_id="u-1", skill_id=skill_id, level=8))


def test_the_migration_leaves_existing_holdings_unrated(another_app, tmp_path: Path) -> None:
    """A database at the revision before levels, with holdings, upgraded: every holding unrated."""
    app = another_app(DATABASE_URL=f"sqlite:///{tmp_path}/old.sqlite3", SQLALCHEMY_DATABASE_URI=None)
    with app.app_context():
        with db.engine.connect() as conn:
            before = MigrationContext.configure(conn).get_current_heads()
        assert before == ()
        upgrade(revision=f"{LEVELS_REVISION}-1")  # the schema as it was before levels came
        with db.engine.begin() as conn:
            assert "level" not in {c["name"] for c in conn.execute(text("PRAGMA table_info(user_skills)")).mappings()}
            conn.execute(text("INSERT INTO tenants (id, client_key, product_type, installed, forge_installed, enabled, "
                              "created_at, updated_at, data_version, auth_epoch) VALUES (1, 'old', 'jira', 1, 0, 1, "
                              "'2026-01-01', '2026-01-01', 0, 0)"))
            conn.execute(text("INSERT INTO skills (id, tenant_id, name, name_key, position, created_at) "
                              "VALUES (1, 1, 'Go', 'go', 0, '2026-01-01'), (2, 1, 'Rust', 'rust', 0, '2026-01-01')"))
            conn.execute(text("INSERT INTO user_skills (tenant_id, account_id, skill_id, created_at) "
                              "VALUES (1, 'u-1', 1, '2026-01-01'), (1, 'u-1', 2, '2026-01-01')"))
        upgrade()
        with Session(db.engine) as session:
            rows = session.execute(select(UserSkill.account_id, UserSkill.skill_id, UserSkill.level)
                                   .order_by(UserSkill.id)).all()
            assert [tuple(row) for row in rows] == [("u-1", 1, None), ("u-1", 2, None)]
            assert load_scale(session, 1) is DEFAULT_SCALE


def test_a_change_of_the_skills_issues_need_is_logged_as_such(engine: Engine) -> None:
    """Answers built from holdings alone patch past it (no accounts, no tree); insights can see it."""
    from addon.skills import changes

    with Session(engine) as session, session.begin():
        tenant_id = make_tenant(session)
    with Session(engine) as session, session.begin():
        first = changes.record(session, tenant_id, (), issues=True)
        second = changes.record(session, tenant_id, ["u-1"])
        third = changes.record(session, tenant_id, ())
    with Session(engine) as session:
        assert changes.since(session, tenant_id, 0, first) == changes.Changes(issues=True)
        assert changes.since(session, tenant_id, first, second) == changes.Changes(accounts={"u-1"})
        assert changes.since(session, tenant_id, 0, third) == changes.Changes(accounts={"u-1"}, issues=True)
        scopes = session.execute(select(text("scope")).select_from(text("tenant_changes"))
                                 .order_by(text("version"))).scalars().all()
    assert scopes == ["issues", "account", "nothing"]
