"""A fresh database per backend for the schema tests: SQLite in a temporary folder, and a PostgreSQL database of
this session's own (`wenshu_db_<pid>_<hex>`, created through DATABASE_URL_PG's maintenance database, dropped at
the end). PostgreSQL unreachable: the test fails with the reason, it is never skipped."""
from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_MAINTENANCE_URL = os.environ.get("DATABASE_URL_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(params=("sqlite", "postgresql"))
def empty_db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'schema.sqlite3'}"
        return
    name = f"wenshu_db_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        admin = create_engine(PG_MAINTENANCE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - the reason is the message
        pytest.fail(f"PostgreSQL 不可用（{PG_MAINTENANCE_URL}）：{exc}；请运行 `make services`。", pytrace=False)
    yield make_url(PG_MAINTENANCE_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
