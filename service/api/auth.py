"""Bearer-token authentication. `g.principal` is set for every API request except the public ones
(health, the OpenAPI document, the docs pages); a missing, unknown or revoked token is a 401 problem.

Failed sign-ins are limited by client address, before authentication (issue 8.3): every 401 counts against the
address (SIGNIN_LIMIT, default 20 per minute, in the rate limiter's storage); past the limit the address gets 429
with Retry-After, whatever token it sends, until the window passes. Other addresses are not affected."""
from __future__ import annotations

import logging
import math
import time

from flask import current_app, g, request
from limits import parse
from werkzeug.exceptions import NotFound, Unauthorized

from service.access.tokens import Principal, authenticate

PUBLIC_ENDPOINTS = {"public.health", "openapi.doc_url", "openapi.openapi", "swagger.swagger", "static", "index",
                    "swagger.static", "swagger.oauth2-redirect", "openapi.static"}


log = logging.getLogger(__name__)
SIGNIN_LIMIT = "20/minute"
SIGNIN_SCOPE = "signin"


def current() -> Principal:
    return g.principal


def require_token():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or request.method == "OPTIONS":
        return
    if request.blueprint == "web":  # the pages sign in with a session instead (service.web.auth)
        return
    blocked = _signin_blocked()
    if blocked is not None:
        return blocked
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    who = (authenticate(token.strip(), current_app.config["TOKEN_CACHE_SECONDS"])
           if scheme.lower() == "bearer" and token.strip() else None)
    if who is None:
        _signin_failed()
        raise Unauthorized()
    g.principal = who


def _signin_limit():
    limiter = current_app.extensions.get("wenshu_limiter")
    return (limiter.limiter, parse(current_app.config.get("SIGNIN_LIMIT", SIGNIN_LIMIT))) if limiter else (None, None)


def _signin_key() -> tuple[str, str, str]:
    return current_app.config.get("REDIS_PREFIX", ""), SIGNIN_SCOPE, request.remote_addr or ""


def _signin_blocked():
    """The 429 problem for an address past its failed sign-ins, else None (storage down: not limited)."""
    strategy, item = _signin_limit()
    if strategy is None:
        return None
    try:
        if strategy.test(item, *_signin_key()):
            return None
        reset = strategy.get_window_stats(item, *_signin_key()).reset_time
    except Exception:  # noqa: BLE001 - the limiter's storage is down: authentication still works
        log.warning("sign-in limit storage unavailable", exc_info=True)
        return None
    from service.api.problems import problem

    retry = max(1, math.ceil(reset - time.time()))
    return problem(429, f"登录失败次数过多，请{retry}秒后再试（限额：{item}）。", headers={"Retry-After": str(retry)})


def _signin_failed() -> None:
    strategy, item = _signin_limit()
    if strategy is None:
        return
    try:
        strategy.hit(item, *_signin_key())
    except Exception:  # noqa: BLE001
        log.warning("sign-in limit storage unavailable", exc_info=True)


def require_office() -> Principal:
    """Office-only resources do not exist for a centre token (404, not 403: nothing is revealed)."""
    who = current()
    if not who.is_office:
        raise NotFound()
    return who


def rate_key() -> str:
    who = g.get("principal")
    return f"token:{who.token_id}" if who else f"ip:{request.remote_addr}"
