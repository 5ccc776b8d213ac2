"""Bearer-token authentication and the request limits. `g.principal` is set for every API request except the
public ones (health, the OpenAPI document, the docs pages); a missing, unknown or revoked token is a 401 problem.

Failed sign-ins are limited by client address, before authentication (issue 8.3): every 401 counts against the
address (SIGNIN_LIMIT, default 20 per minute, in the rate limiter's storage); past the limit the address gets 429
with Retry-After, whatever token it sends, until the window passes. Other addresses are not affected. Requests
with a valid token then count against RATE_LIMIT per token and endpoint; the pages (their own sign-in, by session)
per client address. How both are checked in one Redis round trip: service.api.ratelimit."""
from __future__ import annotations

from flask import current_app, g, request
from werkzeug.exceptions import NotFound, TooManyRequests, Unauthorized

from service.access.tokens import Principal, authenticate, known
from service.api.ratelimit import SIGNIN_LIMIT, items, limits_of

PUBLIC_ENDPOINTS = {"public.health", "openapi.doc_url", "openapi.openapi", "swagger.swagger", "static", "index",
                    "swagger.static", "swagger.oauth2-redirect", "openapi.static"}
__all__ = ["SIGNIN_LIMIT", "current", "require_office", "require_token"]


def current() -> Principal:
    return g.principal


def require_token():
    """before_request: the sign-in limit, authentication, then the request limit."""
    endpoint = request.endpoint
    if endpoint in PUBLIC_ENDPOINTS or endpoint is None or request.method == "OPTIONS":
        return None
    limits = limits_of(current_app)
    config = current_app.config
    rate = items(config["RATE_LIMIT"])
    address = request.remote_addr or ""
    if request.blueprint == "web":  # the pages sign in with a session instead (service.web.auth)
        _within(limits.hit(rate, limits.rate_key(f"ip:{address}", endpoint)), rate)
        return None
    signin = items(config.get("SIGNIN_LIMIT", SIGNIN_LIMIT))
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    who = known(token)
    if who is not None:  # accepted moments ago by this process: both limits in one round trip
        verdict, retry = limits.check(signin, address, rate, limits.rate_key(f"token:{who.token_id}", endpoint))
        if verdict == 1:
            return _signin_blocked(retry, signin)
        g.principal = who
        _within(retry if verdict == 2 else None, rate)
        return None
    retry = limits.signin_retry(signin, address)
    if retry is not None:
        return _signin_blocked(retry, signin)
    who = authenticate(token, config["TOKEN_CACHE_SECONDS"]) if token else None
    if who is None:
        limits.signin_failed(signin, address)
        raise Unauthorized()
    g.principal = who
    _within(limits.hit(rate, limits.rate_key(f"token:{who.token_id}", endpoint)), rate)
    return None


def _within(retry: int | None, rate) -> None:
    if retry is not None:
        raise TooManyRequests(description="；".join(map(str, rate)), retry_after=retry)


def _signin_blocked(retry: int, signin):
    from service.api.problems import problem

    limit = "；".join(map(str, signin))
    return problem(429, f"登录失败次数过多，请{retry}秒后再试（限额：{limit}）。", headers={"Retry-After": str(retry)})


def require_office() -> Principal:
    """Office-only resources do not exist for a centre token (404, not 403: nothing is revealed)."""
    who = current()
    if not who.is_office:
        raise NotFound()
    return who
