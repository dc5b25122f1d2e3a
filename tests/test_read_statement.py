"""ReadStatement on PostgreSQL: the hot reads' statements sent to libpq directly (addon.libpq.LibpqRead).

They must give what psycopg's cursor gives, survive the server forgetting or re-planning their
prepared statement, honour psycopg's "do not prepare" setting, and raise psycopg's errors.
SQLite runs them through its cursor and has none of this to test; it must not even load psycopg.
"""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import psycopg
import pytest
from sqlalchemy import Boolean, Integer, String, bindparam, cast, column, create_engine, func, literal, select, table, text

from addon.database import ReadStatement, configure_engine

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture
def engine(database_url: str) -> Iterator[Any]:
    """A one-connection pool, so that every read meets the same server connection."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite runs the statement through its cursor")
    made = create_engine(database_url, pool_size=1, max_overflow=0)
    configure_engine(made)
    yield made
    made.dispose()


def prepared_names(engine: Any) -> list[str]:
    """The statements prepared on the pool's one server connection, as the server lists them."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT name FROM pg_prepared_statements ORDER BY name")
        return [name for (name,) in cursor.fetchall()]
    finally:
        connection.close()


def test_an_app_on_sqlite_never_loads_psycopg(tmp_path: Path) -> None:
    """The libpq fast path is a module of its own, imported the first time a read runs on PostgreSQL."""
    code = (
        "import sys\n"
        "from addon import create_app\n"
        "from addon.extensions import db\n"
        "from addon.skills.user_skills import user_skills_and_epoch\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/app.sqlite3', 'LOG_FORMAT': 'text'}})\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    user_skills_and_epoch(db.engine, 1, 'someone')\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'psycopg'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1], env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


ECHO = select(cast(bindparam("number"), Integer) + 1, cast(bindparam("word"), String))


def test_rows_are_what_psycopgs_cursor_gives(engine) -> None:
    statement = select(cast(literal(True), Boolean), literal(None, String), literal("é ✓", String), func.now(),
                       cast(bindparam("number"), Integer) * 2, cast(bindparam("word"), String))
    read = ReadStatement(statement)
    params = {"number": 21, "word": "Ünïcode 'quoted' %s $1"}
    rows = read.rows(engine, params)
    with engine.connect() as conn:
        expected = [tuple(row) for row in conn.execute(statement, params)]
    assert [row[:3] + row[4:] for row in rows] == [row[:3] + row[4:] for row in expected]
    assert rows[0][4:] == (42, "Ünïcode 'quoted' %s $1")
    assert isinstance(rows[0][3], datetime) and rows[0][3].tzinfo is not None
    assert rows[0][0] is True and rows[0][1] is None


def test_a_parameter_the_sql_does_not_type_is_refused_on_first_use(engine) -> None:
    # Sent as untyped text the server would answer 't', where psycopg's cursor gives True.
    read = ReadStatement(select(literal(True)))
    with pytest.raises(TypeError, match=r"parameter \$1 has no type"):
        read.rows(engine, {})


def test_prepared_once_per_server_connection(engine) -> None:
    read = ReadStatement(ECHO)
    assert read.rows(engine, {"number": 1, "word": "a"}) == [(2, "a")]
    names = [name for name in prepared_names(engine) if name.startswith("skills_read_")]
    assert names == [read._name.decode()]
    assert read.rows(engine, {"number": 2, "word": "b"}) == [(3, "b")]
    assert [name for name in prepared_names(engine) if name.startswith("skills_read_")] == names


def test_prepared_again_when_the_server_forgot_it(engine) -> None:
    read = ReadStatement(ECHO)
    assert read.rows(engine, {"number": 1, "word": "a"}) == [(2, "a")]
    # What psycopg sends after a rollback of a transaction in which it had prepared its own statements.
    connection = engine.raw_connection()
    try:
        connection.cursor().execute("DEALLOCATE ALL")
        connection.commit()
    finally:
        connection.close()
    assert prepared_names(engine) == []
    assert read.rows(engine, {"number": 5, "word": "c"}) == [(6, "c")]
    assert read._name.decode() in prepared_names(engine)


def test_prepared_again_when_a_schema_change_alters_its_result(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS read_probe"))
        conn.execute(text("CREATE TABLE read_probe (a integer)"))
        conn.execute(text("INSERT INTO read_probe VALUES (7)"))
    try:
        probe = table("read_probe", column("a"))
        read = ReadStatement(select(probe.c.a).where(probe.c.a != cast(bindparam("not"), Integer)))
        assert read.rows(engine, {"not": 0}) == [(7,)]
        with engine.begin() as conn:
            # The prepared plan's result type changes: the server refuses to run it as it was.
            conn.execute(text("ALTER TABLE read_probe ALTER COLUMN a TYPE bigint"))
            conn.execute(text("UPDATE read_probe SET a = 8000000000"))
        assert read.rows(engine, {"not": 0}) == [(8000000000,)]
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE read_probe"))


def test_not_prepared_when_psycopg_is_told_not_to(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    # As behind PgBouncer in transaction mode, where a prepared statement may not be there next time.
    engine = create_engine(database_url, pool_size=1, max_overflow=0, connect_args={"prepare_threshold": None})
    try:
        read = ReadStatement(ECHO)
        for number in range(3):
            assert read.rows(engine, {"number": number, "word": "x"}) == [(number + 1, "x")]
        assert prepared_names(engine) == []
    finally:
        engine.dispose()


def test_errors_are_psycopgs_and_leave_the_connection_usable(engine) -> None:
    read = ReadStatement(select(literal(1) / cast(bindparam("divisor"), Integer)))
    with pytest.raises(psycopg.errors.DivisionByZero) as raised:
        read.rows(engine, {"divisor": 0})
    assert raised.value.sqlstate == "22012"
    assert "division by zero" in str(raised.value)
    assert read.rows(engine, {"divisor": 1}) == [(1,)]
    # No transaction was left open behind the failed read.
    connection = engine.raw_connection()
    try:
        assert connection.driver_connection.pgconn.transaction_status == psycopg.pq.TransactionStatus.IDLE
    finally:
        connection.close()


def test_a_read_opens_no_transaction(engine) -> None:
    read = ReadStatement(ECHO)
    connection = engine.raw_connection()
    try:
        before = connection.driver_connection.pgconn.transaction_status
    finally:
        connection.close()
    read.rows(engine, {"number": 1, "word": "a"})
    connection = engine.raw_connection()
    try:
        assert connection.driver_connection.pgconn.transaction_status == before == psycopg.pq.TransactionStatus.IDLE
    finally:
        connection.close()
