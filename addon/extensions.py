"""Extensions, created unbound and attached in create_app with init_app."""
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Connection, Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so that Alembic migrations can refer to them on every database.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def read_connection() -> Connection:
    """A connection for one read statement; on PostgreSQL, outside any transaction.

    A lone SELECT sees the same committed data either way; without the transaction, PostgreSQL is
    spared the BEGIN and ROLLBACK round trips around it (two of the hot read's five). SQLite has no
    round trips, and switching its connection's mode costs more than it saves.
    """
    connection = db.engine.connect()
    if connection.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
    return connection


def configure_engine(engine: Engine) -> None:
    """SQLite enforces foreign keys (and so ON DELETE) only when asked, per connection."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Readers never wait for the writer (several gunicorn workers share the file).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
