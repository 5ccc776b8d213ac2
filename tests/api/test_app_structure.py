"""How the service is put together (issue 9 item 5, app/db part): layers point one way (service/ never imports
tasks/), create_app() runs no migration (`wenshu db upgrade` does), settings come through create_app's config,
one session factory per process, and a token revoked elsewhere stops working within the token cache time."""
from __future__ import annotations

import ast
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from types import SimpleNamespace

from tests.api.conftest import auth
from tests.api.helpers import ROOT

PROBLEM = "application/problem+json"


def test_service_never_imports_tasks():
    offenders = []
    for path in sorted((ROOT / "service").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n == "tasks" or n.startswith("tasks.")]
    assert offenders == []


def _tables(db) -> set[str]:
    with sqlite3.connect(db) as c:
        return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_create_app_runs_no_migration_and_db_upgrade_does(tmp_path):
    db = tmp_path / "fresh.sqlite3"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db}", WENSHU_INSTANCE=str(tmp_path / "instance"))
    code = "from service.api import create_app\ncreate_app()\n"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    assert not db.exists() or "alembic_version" not in _tables(db)
    subprocess.run([sys.executable, "-m", "service.run", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    assert {"alembic_version", "jobs", "job_outbox", "api_tokens"} <= _tables(db)


def test_settings_come_from_create_app_config(api_env, tokens):
    """A test (or an embedding application) sets limits through create_app's config, not the environment."""
    from service.api import create_app

    app = create_app({"MAX_CONTENT_LENGTH": 2000})
    assert app.config["MAX_FORM_MEMORY_SIZE"] == 2000
    c = app.test_client()
    body = {"kind": "monthly-report", "params": {"unit": "x" * 3000, "year": 2020, "month": 6}}
    r = c.post("/api/v1/jobs", json=body, headers=auth(tokens["office"]))
    assert r.status_code == 413 and r.content_type == PROBLEM, r.json


def test_one_session_factory(api_env):
    from service.db import session as db
    from service.records.store.session import open_store

    store = open_store(migrate=False)
    assert store.engine is db.engine() and store.sessions is db.sessions()


def test_token_revoked_elsewhere_stops_working_within_the_cache_time(api_env):
    from service.access import tokens as t

    row, plain = t.create("centre", "缓存测试村")
    assert t.authenticate(plain, 1) is not None  # looked up and trusted for a second
    subprocess.run([sys.executable, "-m", "service.run", "token", "revoke", row.id], cwd=ROOT, check=True,
                   capture_output=True)  # another process: the CLI
    time.sleep(1.1)
    assert t.authenticate(plain, 1) is None


def test_the_token_cache_time_is_the_apps_setting(api_env):
    """create_app({"TOKEN_CACHE_SECONDS": 0}): every request looks its token up, so a token revoked by another
    process is refused at the very next request."""
    from service.access import tokens as t
    from service.api import create_app

    client = create_app({"TOKEN_CACHE_SECONDS": 0}).test_client()
    row, plain = t.create("centre", "缓存测试村")
    assert client.get("/api/v1/kinds", headers=auth(plain)).status_code == 200
    subprocess.run([sys.executable, "-m", "service.run", "token", "revoke", row.id], cwd=ROOT, check=True,
                   capture_output=True)
    r = client.get("/api/v1/kinds", headers=auth(plain))
    assert r.status_code == 401 and r.content_type == PROBLEM


def test_access_line_is_gunicorns_own_with_secrets_redacted():
    """The lean access line equals gunicorn's generic one (same format), the token in the query redacted."""
    from gunicorn.config import Config

    from service.accesslog import RedactingLogger

    cfg = Config()
    cfg.set("accesslog", "-")
    lines: list[str] = []

    class Capture(RedactingLogger):
        def __init__(self, c):
            super().__init__(c)
            self.access_log = SimpleNamespace(info=lambda msg, *a: lines.append(msg % a[0] if a else msg))

    log = Capture(cfg)
    environ = {"REMOTE_ADDR": "10.0.0.1", "REQUEST_METHOD": "GET", "RAW_URI": "/api/v1/jobs?token=wsk_a_b&x=1",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/api/v1/jobs", "QUERY_STRING": "token=wsk_a_b&x=1",
               "HTTP_USER_AGENT": "curl/8"}
    resp = SimpleNamespace(status="200 OK", sent=12, headers=[])
    req = SimpleNamespace(headers=[])
    log.access(resp, req, environ, dt.timedelta(milliseconds=3))
    super(RedactingLogger, log).access(resp, req, environ, dt.timedelta(milliseconds=3))  # gunicorn's path
    lean, generic = lines
    assert "wsk_a_b" not in lean and "token=[REDACTED]&x=1" in lean
    assert lean.split("]", 1)[1] == generic.split("]", 1)[1]  # the same after the timestamp
