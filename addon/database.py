"""The engine-level helpers of the database: compiled hot reads, idle pings, lost connections.

Plain SQLAlchemy, no Flask: the domain (addon.skills) and the web layer both take an Engine.
"""
from __future__ import annotations

import time
import weakref
from datetime import datetime, timezone
from typing import Any, Mapping

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
    from a dropped server connection (one retry on a fresh connection). On PostgreSQL the statement
    runs outside a transaction: a lone SELECT sees the same committed data, without BEGIN and
    ROLLBACK round trips. Only for columns that need no result processing (integers, strings).
    """

    def __init__(self, statement: Select[Any]) -> None:
        self._statement = statement
        self._compiled: dict[tuple[type, str], tuple[str, tuple[str, ...] | None]] = {}

    def _sql(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
        """The SQL text for `dialect`'s driver, and the order of its parameters if they are positional."""
        key = (type(dialect), dialect.paramstyle)
        compiled = self._compiled.get(key)
        if compiled is None:
            statement = self._statement.compile(dialect=dialect)
            order = tuple(statement.positiontup or ()) if dialect.positional else None
            compiled = self._compiled[key] = (str(statement), order)
        return compiled

    def rows(self, engine: Engine, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of the statement run with `params` on a connection of `engine`'s pool."""
        sql, order = self._sql(engine.dialect)
        args: Any = tuple(params[name] for name in order) if order is not None else dict(params)
        autocommit = engine.dialect.name == "postgresql"
        for attempt in (1, 2):
            connection = engine.raw_connection()
            try:
                return _fetch_all(connection, sql, args, autocommit)
            except engine.dialect.loaded_dbapi.Error as err:
                if attempt == 2 or not engine.dialect.is_disconnect(err, connection.dbapi_connection, None):
                    raise
                # Every connection of the pool may be as dead as this one: ping them at their next use.
                connection_lost(engine)
                connection.invalidate(err)
            finally:
                connection.close()
        raise AssertionError("unreachable")


def _fetch_all(connection: PoolProxiedConnection, sql: str, args: Any, autocommit: bool) -> list[tuple[Any, ...]]:
    driver = connection.driver_connection
    if autocommit:
        driver.autocommit = True  # type: ignore[union-attr]
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, args)
            return cursor.fetchall()
        finally:
            cursor.close()
    finally:
        if autocommit and not driver.closed:  # type: ignore[union-attr]
            driver.autocommit = False  # type: ignore[union-attr]


class _IdlePing:
    """pool_pre_ping for connections idle longer than `idle_seconds` only; see ping_idle_connections."""

    def __init__(self, engine: Engine, idle_seconds: float) -> None:
        self.engine = engine
        self.idle_seconds = idle_seconds
        self.suspect_before = 0.0  # connections last used before this moment are pinged whatever their age

    def used(self, _dbapi_connection: Any, record: ConnectionPoolEntry | None) -> None:
        if record is not None:
            record.info[_LAST_USED] = time.monotonic()

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


_idle_pings: "weakref.WeakKeyDictionary[Engine, _IdlePing]" = weakref.WeakKeyDictionary()


def ping_idle_connections(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Check a pooled server connection before use when it has been idle, as pool_pre_ping does always.

    A server can drop connections (restarts, failovers, idle timeouts of a proxy), and a pre-ping
    finds that out before a request uses one, at the price of a round trip on every checkout: on
    the hot read, one of its two. Under load a connection goes back and forth within milliseconds,
    so only connections idle for `idle_seconds` are pinged. One that died while in steady use is
    found by the statement that meets it: SQLAlchemy then replaces every older connection of the
    pool (ReadStatement does the same and retries once), so at most the requests already holding
    a dead connection fail, as they would with pool_pre_ping.
    """
    ping = _idle_pings[engine] = _IdlePing(engine, idle_seconds)
    event.listen(engine, "connect", ping.used)
    event.listen(engine, "checkin", ping.used)
    event.listen(engine, "checkout", ping.checkout)


def connection_lost(engine: Engine) -> None:
    """A connection of `engine` was found dead: ping every pooled one before its next use."""
    ping = _idle_pings.get(engine)
    if ping is not None:
        ping.suspect_before = time.monotonic()


def configure_engine(engine: Engine) -> None:
    """Per-connection settings of SQLite; the idle-connection ping for a database server."""
    if engine.dialect.name != "sqlite":
        ping_idle_connections(engine)
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
