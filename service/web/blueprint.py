"""The `web` blueprint: who is signed in, security headers, and Chinese error pages for everything under /web."""
from __future__ import annotations

import logging

from flask import Blueprint, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

log = logging.getLogger(__name__)

web = Blueprint("web", __name__, url_prefix="/web", template_folder="templates", static_folder="static",
                static_url_path="/static")

PUBLIC = {"web.signin", "web.static", "web.not_found"}

# Pages only: the app-wide headers (helper `sec`) win where they are set; no inline script or style is used.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

ERROR_TEXT = {
    400: ("请求无效", "提交的内容无法处理。请返回上一页重试。"),
    403: ("无权访问", "您的令牌无权进行此操作。"),
    404: ("页面不存在", "所访问的页面不存在，或不属于您的单位。"),
    405: ("操作不被支持", "该页面不支持此操作。"),
    410: ("文件已过期", "文件已过期删除；登记仍保留，可重新生成。"),
    413: ("文件过大", "上传的文件超过了大小上限。"),
    429: ("操作过于频繁", "尝试次数过多，请稍后再试。"),
    503: ("暂时不可用", "服务暂时不可用，请稍后重试。"),
    500: ("服务器内部错误", "服务器出现错误，已记录日志。请稍后重试，或联系党政办。"),
}


@web.before_request
def _who() -> None:
    from service.web.auth import require_signed_in

    g.web = True
    if request.endpoint == "web.not_found":
        from service.web.auth import SignInRequired

        try:  # the 404 page keeps the navigation of a signed-in user
            require_signed_in()
        except SignInRequired:
            pass
    elif request.endpoint not in PUBLIC:
        require_signed_in()
        if request.method == "POST":
            from service.web import csrf

            csrf.protect()


@web.after_request
def _headers(resp):
    if resp.mimetype == "text/html":
        for key, value in HEADERS.items():
            resp.headers.setdefault(key, value)
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


@web.app_context_processor
def _globals() -> dict:
    return {"who": g.get("principal") if g.get("web") else None}


def error_page(status: int, detail: str | None = None):
    title, text = ERROR_TEXT.get(status, ERROR_TEXT[400] if status < 500 else ERROR_TEXT[500])
    return render_template("web/error.html", status=status, title=title, detail=detail or text), status


@web.errorhandler(CSRFError)
def _csrf(exc: CSRFError):
    return error_page(400, "表单已过期或缺少安全校验码：请刷新页面后重新提交。")


@web.errorhandler(HTTPException)
def _http(exc: HTTPException):
    detail = exc.description if exc.description and not exc.description.isascii() else None
    resp = error_page(exc.code or 500, detail)
    if exc.code == 429 and getattr(exc, "retry_after", None):
        return resp[0], 429, {"Retry-After": str(exc.retry_after)}
    return resp


@web.errorhandler(Exception)
def _unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http(exc)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_page(500)


@web.route("/<path:anything>", methods=["GET", "POST"])
def not_found(anything: str):
    """Any other address under /web: the Chinese 404 page (routing errors would otherwise answer JSON)."""
    raise NotFound()
