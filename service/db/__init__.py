"""The records store: SQLAlchemy 2 engine, session factory and declarative base.

SQLite (the embedded default, WAL mode with a short busy timeout, `WENSHU_DB_BUSY_TIMEOUT` seconds, default 2: a
request that meets a held write lock fails fast with 503 + Retry-After instead of queueing for 30 s) or PostgreSQL
via DATABASE_URL (needed for more than one worker process: SQLite has one writer at a time).
SQLite commits with `synchronous=NORMAL` (`WENSHU_SQLITE_SYNCHRONOUS`, FULL for an fsync per commit): in WAL mode
that never corrupts the database and loses nothing when a process dies; a power cut may roll back the last
commits. An fsync per commit (~5 ms on a virtual disk) would cap the one SQLite writer near 200 commits/s.
Schema changes go through Alembic (service/db/migrations); `upgrade()` applies the one line of revisions.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from service.config import settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    """Now as naive UTC: the tables' times."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def busy_timeout() -> float:
    """Seconds a SQLite connection waits for another writer's lock before giving up (OperationalError)."""
    return float(os.environ.get("WENSHU_DB_BUSY_TIMEOUT", 2.0))


def sqlite_synchronous() -> str:
    value = os.environ.get("WENSHU_SQLITE_SYNCHRONOUS", "NORMAL").upper()
    if value not in ("NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"WENSHU_SQLITE_SYNCHRONOUS 只能是 NORMAL、FULL 或 EXTRA（现为 {value}）")
    return value


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout() * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA synchronous={sqlite_synchronous()}")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    url = url or settings().database_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": busy_timeout()})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url)
    _ping_idle_connections(engine)
    return engine


def ping_idle_seconds() -> float:
    """A pooled connection idle longer than this is pinged before use (WENSHU_DB_PING_IDLE, default 1 s; 0: every
    checkout, as pool_pre_ping)."""
    return float(os.environ.get("WENSHU_DB_PING_IDLE", 1.0))


def _ping_idle_connections(engine: Engine) -> None:
    """pool_pre_ping, for connections idle a while only: a dead one (the server restarted) is replaced before a
    request uses it. One used within the last ping_idle_seconds() is not pinged, which saves two round trips (BEGIN
    and SELECT 1) per request under load; should the server restart within that second, the request that meets a
    dead connection fails (503) and the pool is refreshed (SQLAlchemy's disconnect handling)."""
    idle = ping_idle_seconds()

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, _proxy) -> None:
        last = record.info.get("checked_in")
        if last is not None and time.monotonic() - last < idle:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # noqa: BLE001 - the pool discards this connection and checks out another
            raise DisconnectionError("connection failed its ping") from exc


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the Alembic head."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
