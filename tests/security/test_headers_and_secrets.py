"""Issue 8.4: security headers on every page, Swagger UI keeps no token, access logs carry no token or key from
a query string, and `wenshu run` writes the first office token to a 0600 file instead of printing it."""
from __future__ import annotations

import logging
import os
import stat
import sys

import pytest

from tests.api.conftest import auth
from tests.api.helpers import Proc, free_port, wait_for

CSP_MUST = ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]


@pytest.mark.parametrize("path", ["/", "/api/v1/swagger", "/api/v1/openapi.json", "/api/v1/health",
                                  "/api/v1/no-such-page", "/static/swagger-init.js"])
def test_security_headers_on_every_page(client, path):
    r = client.get(path)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    csp = r.headers["Content-Security-Policy"]
    assert all(part in csp for part in CSP_MUST), csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp


def test_api_answers_carry_the_headers_too(client, tokens):
    r = client.get("/api/v1/whoami", headers=auth(tokens["A"]))
    assert r.status_code == 200 and r.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_and_swagger_does_not_persist_the_token(client):
    html = client.get("/api/v1/swagger").get_data(as_text=True)
    assert "<script>" not in html and "<style>" not in html and "persistAuthorization: true" not in html
    assert "onload=" not in html and "style=" not in html
    js = client.get("/static/swagger-init.js").get_data(as_text=True)
    assert "persistAuthorization: false" in js and "localStorage" not in js
    index = client.get("/").get_data(as_text=True)
    assert "<script" not in index and "<style>" not in index and "style=" not in index


def test_redact_hides_tokens_and_keys_in_query_strings():
    from service.accesslog import RedactFilter, redact

    line = 'GET /api/v1/jobs?token=wsk_SECRET1&limit=5&api_key=SECRET2&Idempotency-Key=SECRET3 HTTP/1.1'
    out = redact(line)
    assert "SECRET" not in out and "limit=5" in out and out.count("[REDACTED]") == 3
    assert "SECRET" not in redact('"Authorization: Bearer wsk_SECRET4"')
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s', ("127.0.0.1", line, 200),
                               None)
    assert RedactFilter().filter(record) and "SECRET" not in record.getMessage()


def test_gunicorn_access_log_has_no_token(api_env, app, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    proc = Proc([sys.executable, "-m", "service.run", "serve", "--port", str(port), "--workers", "1"],
                dict(os.environ), log)
    try:
        from tests.api.http import request

        base = f"http://127.0.0.1:{port}"

        def up():
            try:
                return request("GET", base + "/api/v1/health?token=wsk_LEAKED1&x=1", timeout=2)[0] == 200
            except OSError:
                return False

        wait_for(lambda: up() or not proc.alive(), 60, 0.2, "server")
        request("GET", base + "/api/v1/jobs?access_key=LEAKED2&limit=1", timeout=5)
        wait_for(lambda: "access_key" in log.read_text(errors="replace"), 10, 0.2, "access log")
        text = log.read_text(errors="replace")
        assert "GET /api/v1/health?token=[REDACTED]&x=1" in text, proc.tail()
        assert "LEAKED" not in text
    finally:
        proc.stop()


def test_wenshu_run_writes_the_first_token_to_a_0600_file(api_env, tmp_path):
    instance = tmp_path / "instance"
    env = dict(os.environ, WENSHU_INSTANCE=str(instance))
    env.pop("DATABASE_URL", None)  # a fresh SQLite database in the new instance folder: no token yet
    log = tmp_path / "run.log"
    proc = Proc([sys.executable, "-m", "service.run", "run", "--port", str(free_port()), "--web-workers", "1",
                 "--concurrency", "1"], env, log)
    try:
        wait_for(lambda: "首次运行" in log.read_text(errors="replace") or not proc.alive(), 60, 0.2, "first run")
        text = log.read_text(errors="replace")
    finally:
        proc.stop()
    token_file = instance / "first-office-token.txt"
    assert str(token_file) in text, text[-2000:]
    token = token_file.read_text(encoding="utf-8").strip()
    assert token.startswith("wsk_") and token not in log.read_text(errors="replace")
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
