"""Database fixtures of the records tests: every test that takes `store` runs on SQLite AND PostgreSQL.

PostgreSQL: each test session creates its own database `wenshu_rec_<pid>_<hex>` through the `postgres` maintenance
database at DATABASE_URL_PG (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and drops it at the end.
If PostgreSQL cannot be reached the PostgreSQL half of the tests FAILS with the reason; it is never skipped.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from service.records.store import models
from service.records.store.session import Store, open_store

BACKENDS = ("sqlite", "postgresql")
PG_MAINTENANCE_URL = os.environ.get("DATABASE_URL_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# the records tables in dependency order (parents first): emptied in reverse after each test
RECORD_TABLES = [m.__table__ for m in (
    models.RecordsMeta, models.Unit, models.UnitYearCounts, models.Teacher, models.TrainingClass, models.ClassTeacher,
    models.Trainee, models.TraineeCategory, models.Enrolment, models.Attendance, models.Activity,
    models.ActivityParticipants, models.Volunteer, models.Funding, models.DocNumber,
)]
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "samples" / "baisheng-2020"


class _Databases:
    """Creates fresh databases for this session and removes them afterwards."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.pg_names: list[str] = []

    def url(self, backend: str, label: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.tmp / f'{label}.sqlite3'}"
        name = f"wenshu_rec_{os.getpid()}_{secrets.token_hex(4)}_{label}"
        try:
            admin = create_engine(PG_MAINTENANCE_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
        except Exception as exc:  # noqa: BLE001 - the reason is the message
            pytest.fail(
                f"PostgreSQL 不可用（{PG_MAINTENANCE_URL}）：{exc.__class__.__name__}: {exc}\n"
                "records 测试必须同时在 SQLite 和 PostgreSQL 上运行；请运行 `make services` 启动 PostgreSQL，"
                "或设置 DATABASE_URL_PG 指向可用的服务器。",
                pytrace=False,
            )
        self.pg_names.append(name)
        return make_url(PG_MAINTENANCE_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.pg_names:
            return
        admin = create_engine(PG_MAINTENANCE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.pg_names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = _Databases(tmp_path_factory.mktemp("records-db"))
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def _clean_store(databases, backend) -> Store:
    store = open_store(databases.url(backend, "clean"))
    yield store
    store.engine.dispose()


def _empty(store: Store) -> None:
    with store.engine.begin() as conn:
        for table in reversed(RECORD_TABLES):
            conn.execute(delete(table))


@pytest.fixture
def store(_clean_store) -> Store:
    """An empty, migrated records store (SQLite, then PostgreSQL). Emptied after each test."""
    _empty(_clean_store)
    yield _clean_store
    _empty(_clean_store)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def sample_store(databases, backend) -> Store:
    """A store holding the whole Baisheng 2020 sample (units + synthetic records), loaded once per backend.
    Read-only for tests: do not write to it."""
    from samples.loader import load_sample

    store = open_store(databases.url(backend, "sample"))
    with store.transaction() as s:
        load_sample(s, SAMPLE_DIR)
    yield store
    store.engine.dispose()


@pytest.fixture(scope="session")
def may_class_id(sample_store) -> int:
    """The first class 紫荆村 started in May 2020 in the sample."""
    import datetime as dt

    from service.records.queries.reports import class_ids

    with sample_store.transaction() as s:
        return class_ids(s, "紫荆村", dt.date(2020, 5, 1), dt.date(2020, 6, 1))[0]
