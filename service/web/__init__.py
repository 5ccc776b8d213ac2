"""Server-rendered Chinese pages for the office (党政办) and the learning centres (学习中心), under /web.

The pages sign in with a token (the same tokens as the API) into a Flask session, and call the same service
functions as the API (job submission, records import, the document register); they hold no business logic.

    init_web(app)   registers the blueprint, CSRF protection (Flask-WTF) on every form, the session cookie
                    settings and the Chinese error pages; failed sign-ins are limited with the API's limits
                    (service.web.auth).

Settings come from the app's config, as create_app(config) sets it (service.api.settings_from_env reads
WENSHU_COOKIE_SECURE and WENSHU_SECRET_KEY; a test passes SESSION_COOKIE_SECURE / SECRET_KEY in its config):
SESSION_COOKIE_SECURE (True by default; False for a plain-http intranet) and SECRET_KEY (when empty, one generated
once into the instance directory, shared by all workers).
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from service.web.blueprint import web

csrf = CSRFProtect()


def _instance_secret_key() -> str:
    """The key generated once into the instance directory (shared by all workers), for an app configured without
    SECRET_KEY."""
    from service.config import settings

    path = settings().instance_dir / "web-secret-key"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)  # complete or absent: the first worker wins, the others read its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()


class PagesSession(SecureCookieSessionInterface):
    """The pages' signed-cookie session. The JSON API (under /api/, Bearer tokens) opens none: reading and signing
    the cookie on every API request was ~30 µs of a submit's CPU."""

    def open_session(self, app, request):
        if request.path.startswith("/api/"):
            return None  # Flask's null session: empty, never saved
        return super().open_session(app, request)


def init_web(app: Flask) -> None:
    from service.web import auth, centre, jobs, office  # noqa: F401 (their routes)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key()
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="wenshu_session", PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
                      WTF_CSRF_CHECK_DEFAULT=False,  # only the pages' forms: the JSON API takes Bearer tokens
                      WTF_CSRF_TIME_LIMIT=None)  # a form's token is valid as long as its session
    app.session_interface = PagesSession()
    csrf.init_app(app)
    app.register_blueprint(web)
