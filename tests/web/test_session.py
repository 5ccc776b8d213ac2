"""Sessions of the pages without a browser: CSRF on every form, the cookie settings, failed sign-ins limited,
security headers, Chinese error pages."""
from __future__ import annotations

import re

import pytest


def _csrf(client, path="/web/signin") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_form_without_csrf_token_is_refused_in_chinese(app, tokens):
    client = app.test_client()
    resp = client.post("/web/signin", data={"token": tokens["office"]})
    assert resp.status_code == 400 and "安全校验码" in resp.text and resp.mimetype == "text/html"
    token = _csrf(client)
    assert client.post("/web/signin", data={"token": tokens["office"], "csrf_token": token}).status_code == 302
    # signed in, a form posted without its token is refused as well (revoking a token here)
    resp = client.post("/web/office/tokens", data={"role": "office"})
    assert resp.status_code == 400 and "安全校验码" in resp.text


def test_failed_sign_ins_are_rate_limited(app):
    client = app.test_client()
    app.config["SIGNIN_LIMIT"] = "3/minute"
    try:
        env = {"REMOTE_ADDR": "10.77.0.1"}
        token = re.search(r'value="([^"]+)"', client.get("/web/signin", environ_base=env).text).group(1)
        codes = [client.post("/web/signin", data={"token": "wsk_x_y", "csrf_token": token}, environ_base=env).status_code
                 for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        resp = client.post("/web/signin", data={"token": "wsk_x_y", "csrf_token": token}, environ_base=env)
        assert resp.status_code == 429 and "尝试次数过多" in resp.text
        # another address is not affected
        other = {"REMOTE_ADDR": "10.77.0.2"}
        assert client.post("/web/signin", data={"token": "wsk_x_y", "csrf_token": token},
                           environ_base=other).status_code in (400, 401)
    finally:
        app.config["SIGNIN_LIMIT"] = "5/minute;30/hour"


def test_cookie_settings_come_from_the_app_config(web_env, monkeypatch, tmp_path):
    """Secure and signed by default; create_app(config) sets them for a test, the environment for a deployment."""
    from service.api import create_app

    monkeypatch.delenv("WENSHU_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("WENSHU_SECRET_KEY", raising=False)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    generated = app.config["SECRET_KEY"]  # none configured: the instance's key, the same for every app
    assert len(generated) >= 40 and create_app().config["SECRET_KEY"] == generated

    app = create_app({"SESSION_COOKIE_SECURE": False, "SECRET_KEY": "k" * 40})
    assert app.config["SESSION_COOKIE_SECURE"] is False and app.secret_key == "k" * 40
    client = app.test_client()
    resp = client.get("/web/signin")
    cookie = resp.headers["Set-Cookie"]
    assert "wenshu_session=" in cookie and "HttpOnly" in cookie and "Secure" not in cookie

    monkeypatch.setenv("WENSHU_COOKIE_SECURE", "0")
    monkeypatch.setenv("WENSHU_SECRET_KEY", "e" * 40)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is False and app.secret_key == "e" * 40
    assert create_app({"SESSION_COOKIE_SECURE": True}).config["SESSION_COOKIE_SECURE"] is True


def test_headers_and_chinese_404(app):
    client = app.test_client()
    resp = client.get("/web/signin")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in resp.text and " style=" not in resp.text
    resp = client.get("/web/no/such/page")
    assert resp.status_code == 404 and "页面不存在" in resp.text and resp.mimetype == "text/html"
    # the API still answers problem+json
    resp = client.get("/api/v1/no-such")
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", ["/web/office", "/web/units/x/classes"])
def test_pages_need_sign_in(app, path):
    resp = app.test_client().get(path)
    assert resp.status_code == 302 and "/web/signin" in resp.headers["Location"]
