"""The migrations build exactly the schema the models describe, on an empty database."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from addon.extensions import db


def test_models_and_migrations_agree(app):
    # The session fixture migrated this database from empty with `flask db upgrade`'s code path.
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_upgrade_of_an_empty_sqlite_database(another_app, tmp_path):
    fresh = another_app(DATABASE_URL=f"sqlite:///{tmp_path}/fresh.sqlite3", SQLALCHEMY_DATABASE_URI=None)
    with fresh.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_heads()
            assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
