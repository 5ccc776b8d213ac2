"""Alembic environment: runs on the connection handed in by service.db.upgrade(), or on the URL of alembic.ini's
`sqlalchemy.url` / DATABASE_URL (the command line: `alembic upgrade head` at the repository top).

`target_metadata` holds every model (service.db.models), so `alembic revision --autogenerate` compares the whole
schema and never proposes to drop a table it does not know.
"""
from __future__ import annotations

from alembic import context

from service.db import make_engine
from service.db.models import metadata

target_metadata = metadata


def _configure_and_run(conn) -> None:
    context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    conn = context.config.attributes.get("connection")
    if conn is not None:
        _configure_and_run(conn)
        return
    with make_engine(context.config.get_main_option("sqlalchemy.url") or None).begin() as conn:
        _configure_and_run(conn)


run()
