"""The Flask application: a JSON API under /api/v1, its OpenAPI 3.1 document and interactive docs.

Why flask-openapi3 (not APIFlask): the request models of this project are pydantic v2 (the notice model, the
records and annex data), and flask-openapi3 validates requests with those very models and generates the
OpenAPI 3.1 document from them, so the document cannot drift from what is enforced. APIFlask is built on
marshmallow/apispec and would need every pydantic model restated as a schema. flask-openapi3's Swagger UI
plugin (flask-openapi3-swagger) ships the UI's JavaScript and CSS inside the wheel: the docs work on an
intranet with no CDN.

    create_app()  ->  /api/v1/...            the API (Bearer tokens)
                      /api/v1/openapi.json   the OpenAPI document
                      /api/v1/swagger        interactive docs (bundled assets)
                      /                      a Chinese start page
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache

from flask import render_template
from flask_openapi3 import Info, OpenAPI
from flask_openapi3.models import Schema
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from service.accesslog import RedactFilter
from service.api import problems
from service.api.auth import SIGNIN_LIMIT, require_token
from service.api.ratelimit import init_limits
from service.config import settings as base_settings
from service.jobs.settings import job_settings, limits_url

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

SWAGGER_HTML = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<title>社教文书 API 文档</title>
<link rel="shortcut icon" href="swagger/images/swagger.svg">
<link rel="stylesheet" type="text/css" href="swagger/css/swagger-ui.css">
<link rel="stylesheet" type="text/css" href="/static/swagger-page.css">
</head>
<body>
<div id="swagger-ui" data-url="{{doc_url}}"></div>
<script src="swagger/js/swagger-ui-bundle.js"></script>
<script src="swagger/js/swagger-ui-standalone-preset.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>"""

# Every response (issue 8.4): no MIME sniffing, never framed, and pages load only the service's own scripts,
# styles, images and data (Swagger UI's bundled assets included; its icons are data: SVGs).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
}


_SECURITY_HEADERS = tuple((name.lower(), name, value) for name, value in SECURITY_HEADERS.items())


def _security_headers(response):
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # one pass over the headers, not one per header
    for lower, name, value in _SECURITY_HEADERS:
        if lower not in present:
            headers.add(name, value)
    return response


def _on_validation_error(exc: ValidationError):
    """flask-openapi3 hands every request-validation failure here: answer 422 problem+json in Chinese."""
    from flask import request

    from service.api.schemas import job_request_model

    errors = None
    if exc.title == job_request_model().__name__:
        errors = _job_request_errors(request.get_json(silent=True))
    if errors is None:
        where, model = _model_places().get(exc.title, ("", None))
        errors = problems.translate(exc, model, where)
    return problems.validation_problem(errors)


def _job_request_errors(data) -> list[dict] | None:
    """Errors of a job request, against the requested kind's own params model (Chinese titles, `params.` path)."""
    from service.jobs.kinds import kinds

    if not isinstance(data, dict):
        return [{"field": "", "title": "请求体", "message": "应为 JSON 对象：{\"kind\": …, \"params\": {…}}"}]
    known = kinds()
    if not isinstance(data.get("kind"), str) or data["kind"] not in known:  # a list or object is no kind either
        names = "、".join(known) or "（暂无）"
        return [{"field": "kind", "title": "文书种类", "message": f"只能是 {names}"}]
    extra = sorted(set(data) - {"kind", "params"})
    if extra:
        return [{"field": extra[0], "title": extra[0], "message": "是未知字段"}]
    model = known[data["kind"]].params
    try:
        model.model_validate(data.get("params"))
    except ValidationError as exc:
        return problems.translate(exc, model, "params")
    return None


@lru_cache(maxsize=1)
def _model_places() -> dict:
    """Request models by name (pydantic's error title), with where they come from (path, query, header, form)."""
    from service.api import schemas as S
    from service.api.records import ExportPath, ExportQuery, ImportForm, ImportPath
    from service.api.templates import TemplateKindPath, TemplateUpload

    return {m.__name__: (where, m) for where, m in (
        ("path", S.JobPath), ("path", S.DocumentPath), ("header", S.SubmitHeaders), ("query", S.Page),
        ("query", S.JobQuery), ("query", S.DocumentQuery), ("form", ImportForm),
        ("path", ExportPath), ("query", ExportQuery), ("path", ImportPath), ("path", TemplateKindPath),
        ("form", TemplateUpload))}



def settings_from_env() -> dict:
    """The API's settings as Flask config keys, read from the environment once per app (create_app's defaults;
    its `config` argument overrides any of them, so tests need no environment variables)."""
    js = job_settings()
    return {
        "MAX_CONTENT_LENGTH": base_settings().max_body,  # the one request-body and upload limit (413 above it)
        "RATE_LIMIT": js.rate_limit,  # per token
        "SIGNIN_LIMIT": os.environ.get("WENSHU_SIGNIN_LIMIT", SIGNIN_LIMIT),  # failed sign-ins per client address
        "REDIS_PREFIX": js.redis_prefix,  # rate-limit keys share the broker's Redis
        "RATELIMIT_STORAGE_URI": limits_url(),
        # the web pages' session cookie: Secure unless WENSHU_COOKIE_SECURE=0 (a plain-http intranet); signed with
        # WENSHU_SECRET_KEY, or (None) a key generated once into the instance directory (service.web.init_web)
        # an API process trusts a token it has just looked up this long (0: looks up every request)
        "TOKEN_CACHE_SECONDS": float(os.environ.get("WENSHU_TOKEN_CACHE_SECONDS", 2)),
        "SESSION_COOKIE_SECURE": os.environ.get("WENSHU_COOKIE_SECURE", "1").strip().lower()
        not in ("0", "false", "no", "off"),
        "SECRET_KEY": os.environ.get("WENSHU_SECRET_KEY") or None,
    }


def create_app(config: dict | None = None) -> OpenAPI:
    from service.api.records import records
    from service.api.routes import api, public
    from service.api.templates import templates
    from service.web import init_web

    app = OpenAPI(
        __name__,
        info=Info(title="社教文书 API", version="1",
                  description="提交文书生成任务、查询进度、下载文书；令牌：Authorization: Bearer wsk_…"),
        security_schemes={"bearer": {"type": "http", "scheme": "bearer", "description": "wenshu token create 生成的令牌"}},
        responses=problems.common_responses(),
        validation_error_status=422,
        validation_error_callback=_on_validation_error,
        doc_prefix=API_PREFIX,
        doc_url="/openapi.json",
        template_folder="templates",
    )
    app.config.update(
        JSON_AS_ASCII=False,
        SWAGGER_HTML_STRING=SWAGGER_HTML,
        OPENAPI_HTML_STRING='<meta http-equiv="refresh" content="0; url=swagger">',
        **settings_from_env(),
    )
    app.json.ensure_ascii = False
    app.config.update(config or {})
    app.config["MAX_FORM_MEMORY_SIZE"] = (config or {}).get("MAX_FORM_MEMORY_SIZE", app.config["MAX_CONTENT_LENGTH"])

    app.components_schemas["Problem"] = Schema(**problems.Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
    app.components_schemas["FieldError"] = Schema(**problems.FieldError.model_json_schema())
    app.register_api(public)
    app.register_api(api)
    app.register_api(records)
    app.register_api(templates)

    app.before_request(_check_length)
    app.before_request(_single_query_values)
    app.after_request(_security_headers)
    logging.getLogger("werkzeug").addFilter(RedactFilter())  # the development server's access log
    init_limits(app)
    app.before_request(require_token)  # the sign-in limit, the token, the per-token limit (service.api.auth)
    init_web(app)  # the Chinese pages under /web (sessions, CSRF, failed sign-ins limited by the same limits)

    app.register_error_handler(HTTPException, problems.http_error)
    app.register_error_handler(Exception, problems.unexpected_error)

    @app.get("/", doc_ui=False)
    def index():
        return render_template("index.html", prefix=API_PREFIX)

    return app  # the schema is brought up to date before (`wenshu db upgrade`, run by `wenshu run`/`serve`)


def _check_length():
    from flask import current_app, request

    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        raise RequestEntityTooLarge()


def _single_query_values():
    """Every query parameter of the API is one value: a repeated one (?unit=a&unit=b) is refused, not half read."""
    from flask import request

    repeated = sorted({k for k, v in request.args.lists() if len(v) > 1})
    if repeated:
        return problems.validation_problem([{"field": f"query.{k}", "title": k, "message": "只能出现一次"}
                                            for k in repeated])
    return None
