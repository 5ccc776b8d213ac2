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
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
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
    return create_engine(url, pool_pre_ping=True)


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
