"""Alembic environment: runs on the connection handed in by service.db.upgrade(), or on DATABASE_URL."""
from __future__ import annotations

from alembic import context

from service.db import Base, make_engine

target_metadata = Base.metadata


def run() -> None:
    conn = context.config.attributes.get("connection")
    if conn is None:
        with make_engine().begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
