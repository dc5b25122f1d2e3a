"""The engine-level helpers of the database: compiled hot reads, idle pings, lost connections.

Plain SQLAlchemy, no Flask: the domain (addon.skills) and the web layer both take an Engine.
"""
from __future__ import annotations

import itertools
import time
from datetime import datetime, timezone
from typing import Any, Mapping, Protocol

from sqlalchemy import Dialect, Engine, Select, event, exc
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection


# A server connection used this recently is trusted without a ping (see ping_idle_connections).
PING_AFTER_IDLE_SECONDS = 1.0
_LAST_USED = "skills_last_used"


class ReadStatement:
    """A read-only SELECT for the request path, compiled once per dialect, run on a pooled DBAPI connection.

    The hottest route (GET /api/user-skills, behind every issue panel) costs more in SQLAlchemy's
    Connection and Result than in the query itself. This keeps what matters of that machinery: the
    engine's pool, its connect and checkout events (SQLite pragmas, the idle ping), and recovery
    from a dropped server connection (one retry on a fresh connection). On PostgreSQL (psycopg)
    the statement goes to libpq directly, prepared once per server connection (addon.libpq):
    outside a transaction, a lone SELECT sees the same committed data without BEGIN and ROLLBACK.
    On SQLite, a cursor runs it. Only for columns that need no result processing by SQLAlchemy.
    """

    def __init__(self, statement: Select[Any]) -> None:
        self._statement = statement
        self._runners: dict[tuple[type, str], _Runner] = {}
        self._name = f"skills_read_{next(_STATEMENT_NUMBERS)}".encode()

    def _runner(self, dialect: Dialect) -> "_Runner":
        key = (type(dialect), dialect.paramstyle)
        runner = self._runners.get(key)
        if runner is None:
            if dialect.name == "postgresql" and dialect.driver == "psycopg":
                from . import libpq  # psycopg is imported where PostgreSQL is used, not before

                # libpq takes $1, $2...: the statement is compiled for them, with the casts that let
                # the server infer each parameter's type.
                numbered = type(dialect)(paramstyle="numeric_dollar")
                compiled = self._statement.compile(dialect=numbered)
                runner = libpq.LibpqRead(str(compiled), tuple(compiled.positiontup or ()), _fixed(compiled),
                                         self._name)
            else:
                compiled = self._statement.compile(dialect=dialect)
                order = tuple(compiled.positiontup or ()) if dialect.positional else None
                runner = _CursorRead(str(compiled), order, _fixed(compiled))
            self._runners[key] = runner
        return runner

    def _sql(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
        """The SQL text run for `dialect`, and the order of its parameters if they are positional."""
        runner = self._runner(dialect)
        return runner.sql, runner.order

    def rows(self, engine: Engine, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of the statement run with `params` on a connection of `engine`'s pool."""
        run = self._runner(engine.dialect)
        for attempt in (1, 2):
            connection = engine.raw_connection()
            try:
                return run(connection, params)
            except engine.dialect.loaded_dbapi.Error as err:
                if attempt == 2 or not engine.dialect.is_disconnect(err, connection.dbapi_connection, None):
                    raise
                # Every connection of the pool may be as dead as this one: the idle ping, told by the
                # pool's invalidate event, pings them at their next use.
                connection.invalidate(err)
            finally:
                connection.close()
        raise AssertionError("unreachable")


# Names of prepared statements on PostgreSQL: one per ReadStatement.
_STATEMENT_NUMBERS = itertools.count(1)


def _fixed(compiled: Any) -> dict[str, Any]:
    """The values the statement itself binds (literals), by parameter name; the caller gives the rest."""
    return {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}


class _Runner(Protocol):
    """A statement compiled for one dialect, run on a pooled connection: _CursorRead, or libpq.LibpqRead."""

    sql: str
    order: tuple[str, ...] | None

    def __call__(self, connection: PoolProxiedConnection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]: ...


class _CursorRead:
    """The statement through the DBAPI cursor (SQLite)."""

    def __init__(self, sql: str, order: tuple[str, ...] | None, fixed: dict[str, Any]) -> None:
        self.sql, self.order, self._fixed = sql, order, fixed

    def __call__(self, connection: PoolProxiedConnection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        fixed = self._fixed
        args: Any = ({**fixed, **params} if self.order is None else
                     tuple(fixed[name] if name in fixed else params[name] for name in self.order))
        cursor = connection.cursor()
        try:
            cursor.execute(self.sql, args)
            return cursor.fetchall()
        finally:
            cursor.close()


class _IdlePing:
    """pool_pre_ping for connections idle longer than `idle_seconds` only; see ping_idle_connections.

    One per engine, held by the engine's own event listeners: no registry outside it.
    """

    def __init__(self, engine: Engine, idle_seconds: float) -> None:
        self.engine = engine
        self.idle_seconds = idle_seconds
        self.suspect_before = 0.0  # connections last used before this moment are pinged whatever their age

    def used(self, _dbapi_connection: Any, record: ConnectionPoolEntry | None) -> None:
        if record is not None:
            record.info[_LAST_USED] = time.monotonic()

    def lost(self, _dbapi_connection: Any, _record: ConnectionPoolEntry, error: BaseException | None) -> None:
        """A connection was invalidated for an error (a dead server connection): ping every pooled one before its next use."""
        if error is not None:
            self.suspect_before = time.monotonic()

    def checkout(self, dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        last = record.info.get(_LAST_USED)
        if last is not None and last >= self.suspect_before and time.monotonic() - last < self.idle_seconds:
            return
        dialect = self.engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            if not dialect.is_disconnect(err, dbapi_connection, None):
                raise
            # What a failed pool_pre_ping does: replace this and every older connection of the pool.
            raise exc.InvalidatePoolError() from err
        record.info[_LAST_USED] = time.monotonic()


def ping_idle_connections(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Check a pooled server connection before use when it has been idle, as pool_pre_ping does always.

    A server can drop connections (restarts, failovers, idle timeouts of a proxy), and a pre-ping
    finds that out before a request uses one, at the price of a round trip on every checkout: on
    the hot read, one of its two. Under load a connection goes back and forth within milliseconds,
    so only connections idle for `idle_seconds` are pinged. One that died while in steady use is
    found by the statement that meets it: SQLAlchemy then replaces every older connection of the
    pool, and a connection invalidated for an error (ReadStatement's too, which then retries once)
    has every pooled one pinged before its next use, so at most the requests already holding a
    dead connection fail, as they would with pool_pre_ping.
    """
    ping = _IdlePing(engine, idle_seconds)
    event.listen(engine, "connect", ping.used)
    event.listen(engine, "checkin", ping.used)
    event.listen(engine, "invalidate", ping.lost)
    event.listen(engine, "checkout", ping.checkout)


def configure_engine(engine: Engine, ping_idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Per-connection settings of SQLite; the idle-connection ping for a database server."""
    if engine.dialect.name != "sqlite":
        ping_idle_connections(engine, ping_idle_seconds)
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # SQLite enforces foreign keys (and so ON DELETE) only when asked, per connection.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Readers never wait for the writer (several gunicorn workers share the file).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def database_unavailable(err: BaseException, engine: Engine) -> bool:
    """A transient database failure (PEP 249's OperationalError), through SQLAlchemy or straight from the driver."""
    if isinstance(err, exc.OperationalError):
        return True
    if isinstance(err, exc.DBAPIError) and err.connection_invalidated:
        return True
    return isinstance(err, engine.dialect.loaded_dbapi.OperationalError)


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime: SQLite gives back naive ones for timezone-aware columns, stored in UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
