"""Signing in and out of the pages with a token (the API's tokens), kept in the Flask session.

The session holds the token's id and a fingerprint of its hash, never the token: a revoked or rotated token
ends every session signed in with it at the next request. Failed sign-ins are rate-limited per address.
"""
from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import NotFound, TooManyRequests

from service.access.tokens import Principal, authenticate
from service.api.ratelimit import items, limits_of
from service.web.blueprint import web

FINGERPRINT = 16


class SignInRequired(Exception):
    pass


def _principal(token_id: str, fingerprint: str) -> Principal | None:
    from service.access.models import ApiToken
    from service.db.session import session as db

    with db() as s:
        row = s.get(ApiToken, token_id)
        if row is None or row.revoked_at is not None or row.token_hash[:FINGERPRINT] != fingerprint:
            return None
        return Principal(row.id, row.role, row.unit)


def require_signed_in() -> None:
    who = _principal(session.get("tid", ""), session.get("fp", "")) if session.get("tid") else None
    if who is None:
        session.clear()
        raise SignInRequired()
    g.principal = who


@web.errorhandler(SignInRequired)
def _to_signin(exc):
    return redirect(url_for("web.signin", next=request.full_path if request.method == "GET" else None))


def require_office() -> Principal:
    """Office pages do not exist for a centre (404: nothing is revealed)."""
    if not g.principal.is_office:
        raise NotFound()
    return g.principal


def require_unit(unit: str) -> str:
    """A unit's pages: the office sees every unit, a centre only its own (404 for any other)."""
    if not g.principal.may_see(unit):
        raise NotFound()
    return unit


def home_url() -> str:
    who = g.principal
    return url_for("web.dashboard") if who.is_office else url_for("web.unit_classes", unit=who.unit)


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/web/") and not target.startswith("//"):
        return target
    return None


@web.route("/signin", methods=["GET", "POST"])
def signin():
    from service.web import csrf

    error = None
    if request.method == "POST":
        _signin_allowed()
        csrf.protect()
        from service.access.models import ApiToken
        from service.db.session import session as db

        who = authenticate(request.form.get("token", "").strip(), current_app.config["TOKEN_CACHE_SECONDS"])
        if who is not None:
            with db() as s:
                digest = s.get(ApiToken, who.token_id).token_hash
            session.clear()  # a fresh session (and CSRF secret) on every sign-in
            session.permanent = True
            session.update(tid=who.token_id, fp=digest[:FINGERPRINT])
            g.principal = who
            return redirect(_safe_next(request.args.get("next")) or home_url())
        error = "令牌无效或已被撤销，请核对后重试。"
        _signin_failed()
    return render_template("web/signin.html", error=error), (401 if error else 200)


SIGNIN_SCOPE = "signin-page"  # the form's failed sign-ins, counted apart from the API's


def _signin_allowed() -> None:
    """Failed sign-ins count against SIGNIN_LIMIT per client address (service.api.ratelimit): past it, 429."""
    limits = limits_of(current_app)
    if limits is None:
        return
    retry = limits.signin_retry(items(current_app.config["SIGNIN_LIMIT"]), request.remote_addr or "", SIGNIN_SCOPE)
    if retry is not None:
        raise TooManyRequests(retry_after=retry)


def _signin_failed() -> None:
    limits = limits_of(current_app)
    if limits is not None:
        limits.signin_failed(items(current_app.config["SIGNIN_LIMIT"]), request.remote_addr or "", SIGNIN_SCOPE)


@web.route("/signout", methods=["POST"])
def signout():
    session.clear()
    return redirect(url_for("web.signin"))


@web.route("/")
def home():
    return redirect(home_url())
