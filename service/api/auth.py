"""Bearer-token authentication. `g.principal` is set for every API request except the public ones
(health, the OpenAPI document, the docs pages); a missing, unknown or revoked token is a 401 problem."""
from __future__ import annotations

from flask import g, request
from werkzeug.exceptions import NotFound, Unauthorized

from service.jobs.tokens import Principal, authenticate

PUBLIC_ENDPOINTS = {"public.health", "openapi.doc_url", "openapi.openapi", "swagger.swagger", "static", "index",
                    "swagger.static", "swagger.oauth2-redirect", "openapi.static"}


def current() -> Principal:
    return g.principal


def require_token() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or request.method == "OPTIONS":
        return
    if request.blueprint == "web":  # the pages sign in with a session instead (service.web.auth)
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    who = authenticate(token.strip())
    if who is None:
        raise Unauthorized()
    g.principal = who


def require_office() -> Principal:
    """Office-only resources do not exist for a centre token (404, not 403: nothing is revealed)."""
    who = current()
    if not who.is_office:
        raise NotFound()
    return who


def rate_key() -> str:
    who = g.get("principal")
    return f"token:{who.token_id}" if who else f"ip:{request.remote_addr}"
