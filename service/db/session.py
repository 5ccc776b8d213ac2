"""The process's one engine and session factory (re-created after fork) for the configured database: jobs, tokens,
the register and the records store (service.records.store.open_store() uses these too)."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service.db import busy_timeout, make_engine, make_sessionmaker, upgrade

_lock = threading.Lock()
_state: dict = {}


def engine() -> Engine:
    with _lock:
        if _state.get("pid") != os.getpid():
            if _state.get("engine") is not None and _state.get("pid") is not None:
                _state["engine"].dispose(close=False)
            eng = make_engine()
            _state.update(pid=os.getpid(), engine=eng, sessionmaker=make_sessionmaker(eng))
        return _state["engine"]


def sessions() -> sessionmaker:
    """The process's session factory."""
    engine()
    return _state["sessionmaker"]


def reset() -> None:
    """Forget the engine (tests switch DATABASE_URL between sessions)."""
    with _lock:
        if _state.get("engine") is not None:
            _state["engine"].dispose()
        _state.clear()


@contextmanager
def session() -> Iterator[Session]:
    """A transaction: committed on success, rolled back on any exception."""
    with sessions()() as s, s.begin():
        yield s


_writer = threading.Lock()


@contextmanager
def write_transaction() -> Iterator[Connection]:
    """The submit path's connection for a kind's check and one `insert_rows` (no ORM session).

    SQLite: a write transaction. The process's writers take turns on a lock first: a thread waiting for it wakes
    as soon as it is free instead of polling SQLite's busy handler (sleeps of 1-100 ms), and still gives up after
    the busy timeout (OperationalError: the API's fast 503).
    PostgreSQL: an autocommit connection. The rows go in one INSERT statement, atomic by itself, so no BEGIN and
    COMMIT round trips; the check's read before it sees committed data as it would at the start of a READ
    COMMITTED transaction (which takes no lock either)."""
    eng = engine()
    if eng.dialect.name != "sqlite":
        with eng.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")
        return
    if not _writer.acquire(timeout=busy_timeout()):
        raise OperationalError("write lock", None, TimeoutError("database is locked (busy writers)"))
    try:
        with eng.begin() as conn:
            yield conn
    finally:
        _writer.release()


_inserts: dict = {}


def insert_rows(conn: Connection, rows: list[tuple[Table, dict]]) -> None:
    """INSERT rows (table, values) on `conn`. The statement is written once per dialect, tables and column lists,
    and the values pass through the columns' own bind processors (JSON, dates, booleans stored as SQLAlchemy
    stores them); it runs as driver SQL (connection events fire as for any statement) without compiling a Core
    statement per call. On PostgreSQL the rows go in one statement (data-modifying WITH clauses): one round trip."""
    dialect = conn.dialect
    key = (dialect.name, tuple((table.name, tuple(row)) for table, row in rows))
    prepared = _inserts.get(key)
    if prepared is None:
        q = dialect.identifier_preparer
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        sqls = [f"INSERT INTO {q.format_table(table)} ({', '.join(q.quote(n) for n in row)}) "
                f"VALUES ({', '.join([mark] * len(row))})" for table, row in rows]
        if dialect.name == "postgresql" and len(sqls) > 1:
            sqls = ["WITH " + ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(sqls[:-1])) + " " + sqls[-1]]
        procs = [tuple(table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in row)
                 for table, row in rows]
        prepared = _inserts[key] = (sqls, procs)
    sqls, procs = prepared
    params = [tuple(v if f is None or v is None else f(v) for f, v in zip(fs, row.values()))
              for fs, (_, row) in zip(procs, rows)]
    if len(sqls) == 1:
        conn.exec_driver_sql(sqls[0], tuple(v for p in params for v in p))
    else:
        for sql, p in zip(sqls, params):
            conn.exec_driver_sql(sql, p)


def migrate() -> None:
    upgrade(engine())
