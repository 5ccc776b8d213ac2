"""RFC 9457 problem details (application/problem+json) with a Chinese `detail` and, for bad input, the field path.

Every error the API returns goes through `problem()`: validation errors (422), unknown or hidden resources (404),
missing or bad tokens (401), bodies over the configured limit (413), rate limits (429), and anything unexpected
(500, logged; a bug, never caused by input).
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Response, current_app, json, request
from pydantic import BaseModel, Field, ValidationError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "请求格式错误",
    401: "未认证",
    403: "无权操作",
    404: "未找到",
    405: "不支持的请求方法",
    406: "无法提供所要求的格式",
    409: "冲突",
    410: "文件已过期",
    413: "请求体过大",
    415: "不支持的内容类型",
    416: "请求的范围无效",
    422: "请求数据不合格",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂不可用",
}

DETAILS = {
    400: "请求无法解析。",
    401: "缺少或无效的访问令牌：请在 Authorization 头中提供 Bearer 令牌。",
    404: "所请求的资源不存在。",
    405: "该地址不支持此请求方法。",
    406: "无法按所要求的格式提供内容。",
    415: "请以 application/json 发送请求体。",
    416: "Range 请求头超出文件范围。",
    500: "服务器内部错误，已记录日志。",
}


class FieldError(BaseModel):
    field: str = Field(title="字段路径", description="出错字段的路径，如 params.number.year")
    title: str = Field(title="字段名称", description="字段的中文名称")
    message: str = Field(title="错误说明")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(default="about:blank", title="问题类型")
    title: str = Field(title="标题")
    status: int = Field(title="HTTP 状态码")
    detail: str = Field(title="详细说明（中文）")
    instance: str | None = Field(default=None, title="请求路径")
    errors: list[FieldError] | None = Field(default=None, title="字段错误")


def problem(status: int, detail: str | None = None, *, errors: list[dict] | None = None,
            headers: dict[str, str] | None = None, title: str | None = None) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "错误"),
        "status": status,
        "detail": detail or DETAILS.get(status) or TITLES.get(status, "错误"),
        "instance": request.path if request else None,
    }
    if errors:
        body["errors"] = errors
    resp = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def detail_from(errors: list[dict]) -> str:
    first = errors[0]
    more = f"（另有{len(errors) - 1}处错误）" if len(errors) > 1 else ""
    return f"{first['title']}（{first['field'] or '请求体'}）：{first['message']}{more}"


def validation_problem(errors: list[dict]) -> Response:
    return problem(422, detail_from(errors), errors=errors)


def translate(exc: ValidationError, model: type[BaseModel] | None, prefix: str = "") -> list[dict]:
    """Chinese field errors for a pydantic error (service.models.errors), the field path prefixed by where it was
    (query, path, params...)."""
    from service.models.errors import chinese_errors

    out = chinese_errors(exc, model, whole="请求")
    for e in out:
        e["field"] = ".".join(p for p in (prefix, e["field"]) if p)
    return out


def http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="wenshu"'
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        return problem(413, f"请求体超过上限（{limit} 字节）。", headers=headers)
    if status == 429:
        retry = getattr(exc, "retry_after", None)
        if retry:
            headers["Retry-After"] = str(retry)
        return problem(429, f"请求过于频繁，请稍后再试（限额：{exc.description}）。", headers=headers)
    detail = DETAILS.get(status)
    if detail is None:
        detail = exc.description if exc.description and not exc.description.isascii() else TITLES.get(status, "错误")
    return problem(status, detail, headers=headers)


def unexpected_error(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return http_error(exc)
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OperationalError):
        log.exception("database unavailable")
        return problem(503, "数据库暂不可用，请稍后重试。", headers={"Retry-After": "5"})
    log.exception("unexpected error on %s %s", request.method, request.path)
    return problem(500)


def spec_response(description: str) -> dict:
    return {"description": description,
            "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def common_responses() -> dict:
    """Problem responses every operation can give; declared on each operation of the OpenAPI document."""
    return {
        400: spec_response("请求格式错误"),
        401: spec_response("缺少或无效的令牌"),
        404: spec_response("不存在，或不属于本令牌的单位"),
        413: spec_response("请求体超过上限"),
        422: spec_response("请求数据不合格（中文说明与字段路径）"),
        429: spec_response("请求过于频繁"),
        500: spec_response("服务器内部错误"),
        503: spec_response("数据库暂不可用"),
    }
