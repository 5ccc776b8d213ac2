"""Alembic: one line of revisions, `alembic upgrade head` from the repository top works, and the migrated schema is
exactly the models' metadata (autogenerate finds nothing to add or drop) on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from service.db.models import metadata

ROOT = Path(__file__).resolve().parents[2]


def test_revisions_form_one_line_with_one_head():
    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    assert len(script.get_heads()) == 1, script.get_heads()
    bases = script.get_bases()
    assert bases == ["0001_baseline"]


def test_every_table_is_in_the_metadata():
    assert {"jobs", "documents", "api_tokens", "units", "trainees", "doc_numbers"} <= set(metadata.tables)


def test_alembic_upgrade_head_gives_exactly_the_model_schema(empty_db_url):
    env = {**os.environ, "DATABASE_URL": empty_db_url}
    alembic = Path(sys.executable).with_name("alembic")
    done = subprocess.run([str(alembic), "upgrade", "head"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    engine = create_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, metadata)
            head = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    finally:
        engine.dispose()
    assert tables - {"alembic_version"} == set(metadata.tables)
    assert diff == []
    assert head == ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_heads()


def test_a_database_at_both_old_heads_upgrades_to_the_one_head(empty_db_url):
    """Deployed databases stamped with the two 0002 heads move on with plain `upgrade head` (no data touched)."""
    from alembic import command

    from service.db import MIGRATIONS_DIR

    engine = create_engine(empty_db_url)
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002_jobs")
            command.upgrade(cfg, "0002_records")
            before = sorted(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
            command.upgrade(cfg, "head")
            after = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
            columns = {c["name"] for c in inspect(conn).get_columns("documents")}
    finally:
        engine.dispose()
    assert before == ["0002_jobs", "0002_records"]
    assert after == ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_heads()
    assert "template_sha256" in columns
