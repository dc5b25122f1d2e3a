"""A read-only statement sent to PostgreSQL through psycopg's libpq connection, prepared once per server connection.

The fast path of addon.database.ReadStatement on PostgreSQL, kept apart so that psycopg is imported
only where PostgreSQL is used: addon.database imports this module the first time a statement runs
on a psycopg engine. Plain psycopg and SQLAlchemy's pooled connection; no Flask.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

import psycopg
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer
from sqlalchemy.pool import PoolProxiedConnection

# A libpq parameter that SQLAlchemy rendered without a cast: `$3` but not `$3::INTEGER` or `CAST($3 AS ...)`.
_UNTYPED_PARAMETER = re.compile(r"(?<!CAST\()\$\d+(?![\d:])")
# Keys of a pooled connection's `info` (kept for the life of its server connection).
_PREPARED = "skills_prepared_reads"
_TRANSFORMER = "skills_read_transformer"
# The server forgot the statement (psycopg sends DEALLOCATE ALL after a rollback of a transaction in
# which it had prepared its own), or a schema change altered its result ("cached plan must not change
# result type"): prepared again, once.
_PREPARE_AGAIN = frozenset({"26000", "0A000"})


class LibpqRead:
    """The statement on psycopg's libpq connection (`psycopg.pq`): one round trip, no driver machinery.

    psycopg's cursor would give the same rows; on the read behind every issue panel its Python layer
    (query conversion, its prepared-statement bookkeeping, the autocommit switch that keeps a lone
    SELECT out of a transaction, and back) cost about as much as the rest of the request's database
    work. Here the parameters and rows still go through psycopg's own adapters (a Transformer of the
    connection), so values come back exactly as its cursor returns them. The statement is prepared
    on a server connection the first time it runs there, unless psycopg was told not to prepare
    (`prepare_threshold=None`, as behind PgBouncer in transaction mode): then it is sent whole each time.
    Sent outside psycopg, it opens no transaction (the pool hands out connections with none open).
    """

    def __init__(self, sql: str, order: tuple[str, ...], fixed: dict[str, Any], name: bytes) -> None:
        """`sql` compiled for libpq's numbered parameters ($1, $2...), in `order`; `fixed` the values it binds itself."""
        untyped = _UNTYPED_PARAMETER.search(sql)
        if untyped is not None:
            # Sent as text with no type, the server would read it as text: psycopg's cursor would
            # have typed it from the Python value. Caught on first use, not guessed.
            raise TypeError(f"ReadStatement: parameter {untyped.group()} has no type in the SQL; "
                            "bind it with an Integer or String type, or cast() it")
        self.sql, self.order, self._fixed = sql, order, fixed
        self._sql_bytes = sql.encode("utf-8")
        self._name = name
        self._formats = [PyFormat.TEXT] * len(order)

    def __call__(self, connection: PoolProxiedConnection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        driver: Any = connection.driver_connection
        pgconn = driver.pgconn
        info = connection.info
        transformer = info.get(_TRANSFORMER)
        if transformer is None:
            transformer = info[_TRANSFORMER] = Transformer(driver)
        fixed = self._fixed
        values = transformer.dump_sequence([fixed[name] if name in fixed else params[name] for name in self.order],
                                           self._formats)
        if driver.prepare_threshold is None:
            result = pgconn.exec_params(self._sql_bytes, values)
        else:
            prepared: set[bytes] = info.setdefault(_PREPARED, set())
            if self._name not in prepared:
                self._prepare(pgconn, driver)
                prepared.add(self._name)
            result = pgconn.exec_prepared(self._name, values)
            if result.status == pq.ExecStatus.FATAL_ERROR and _sqlstate(result) in _PREPARE_AGAIN:
                prepared.discard(self._name)
                _check(pgconn.exec_(b"DEALLOCATE " + self._name), driver, allow_missing=True)
                self._prepare(pgconn, driver)
                prepared.add(self._name)
                result = pgconn.exec_prepared(self._name, values)
        _check(result, driver)
        transformer.set_pgresult(result)
        return transformer.load_rows(0, result.ntuples, tuple)

    def _prepare(self, pgconn: Any, driver: Any) -> None:
        _check(pgconn.prepare(self._name, self._sql_bytes), driver)


def _sqlstate(result: Any) -> str | None:
    state = result.error_field(pq.DiagnosticField.SQLSTATE)
    return state.decode("ascii") if state else None


def _check(result: Any, driver: Any, allow_missing: bool = False) -> None:
    """Raise what psycopg raises for a failed result: its error class for the SQLSTATE."""
    if result.status in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
        return
    state = _sqlstate(result)
    if allow_missing and state == "26000":
        return
    message = result.error_message.decode(driver.info.encoding, "replace").strip() or "The query failed."
    if state is None:  # no answer from the server: the connection failed
        raise psycopg.OperationalError(message)
    try:
        error_class = psycopg.errors.lookup(state)
    except KeyError:
        error_class = psycopg.DatabaseError
    raise error_class(message)
