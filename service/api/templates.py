"""Templates through the API (office role only; a centre token sees 404): the templates in use, an office's
override upload (checked: package, tags the kind provides, sandbox, dry run with sample data) and the roll back to
the shipped template. The next job renders with whatever is installed (the engine recompiles on change)."""
from __future__ import annotations

from typing import Literal

from flask import Response
from flask_openapi3 import APIBlueprint, FileStorage, Tag
from pydantic import BaseModel, Field

from service.access import audit
from service.api.auth import require_office
from service.api.problems import common_responses, problem, spec_response
from service.db.session import session
from service.templates import catalogue, store
from service.templates.check import MAX_BYTES, check_template

templates = APIBlueprint("templates", __name__, url_prefix="/api/v1", abp_security=[{"bearer": []}],
                         abp_responses=common_responses())
T_TEMPLATES = Tag(name="文书模板", description="查看、上传（覆盖）与回退本单位的文书模板（党政办）")
MEDIA = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class TemplateView(BaseModel):
    kind: str = Field(title="模板种类")
    title: str = Field(title="名称")
    source: str = Field(title="使用中的模板", description="shipped：内置；override：本单位上传")
    sha256: str | None = Field(title="使用中模板的 sha256")
    shipped_sha256: str | None = Field(title="内置模板的 sha256")
    override_sha256: str | None = Field(title="本单位模板的 sha256")
    used_by: list[str] = Field(title="用于文书种类", description="填写此模板的文书种类（GET /kinds 的 name）")


class TemplateList(BaseModel):
    items: list[TemplateView]


class TemplateDetail(TemplateView):
    fields: list[str] = Field(title="可用的标签字段")


class TemplateKindPath(BaseModel):
    kind: str = Field(title="模板种类", max_length=64)


KindName = Literal[tuple(catalogue.templates())]  # the schema lists the kinds an upload may name


class TemplateUpload(BaseModel):
    kind: KindName = Field(title="模板种类", description="如 ledger_card、assessment、quarterly")
    file: FileStorage = Field(title="模板文件（.docx）")


def _row(kind: str) -> dict:
    return next(r for r in catalogue.listing() if r["kind"] == kind)


def _unknown(kind: str) -> Response:
    return problem(404, f"未知的模板种类“{kind}”；可用：{'、'.join(catalogue.templates())}。")


@templates.get("/templates", tags=[T_TEMPLATES], summary="模板列表", responses={200: TemplateList})
def list_templates():
    """各种类正在使用的模板（内置或本单位覆盖）及 sha256。"""
    require_office()
    return {"items": catalogue.listing()}


@templates.get("/templates/<kind>", tags=[T_TEMPLATES], summary="模板详情与字段", responses={200: TemplateDetail})
def template_detail(path: TemplateKindPath):
    """模板状态与该种类提供的标签字段（同 wenshu template fields）。"""
    require_office()
    if path.kind not in catalogue.templates():
        return _unknown(path.kind)
    return {**_row(path.kind), "fields": list(catalogue.fields(path.kind))}


@templates.get("/templates/<kind>/file", tags=[T_TEMPLATES], summary="下载使用中的模板",
               responses={200: {"description": "模板文件"}})
def template_file(path: TemplateKindPath):
    """下载正在使用的模板，在 Word/WPS 中修改后再上传。"""
    from service.naming import content_disposition

    require_office()
    if path.kind not in catalogue.templates():
        return _unknown(path.kind)
    tk = catalogue.template(path.kind)
    data = store.resolve(tk.name, tk.suffix, tk.folder).read_bytes()
    return Response(data, mimetype=MEDIA[tk.suffix], headers={
        "Content-Disposition": content_disposition(f"{tk.name}{tk.suffix}"), "Cache-Control": "private, no-store"})


@templates.post("/templates", tags=[T_TEMPLATES], summary="上传本单位模板（覆盖内置）",
                responses={201: TemplateView, 422: spec_response("模板不合格（逐条给出原因）")})
def upload_template(form: TemplateUpload):
    """检查后安装：文件须为有效的 .docx、标签须为该种类提供的字段、不得含不安全表达式、用示例数据试生成成功。
    下一个任务即使用新模板；旧的本单位模板保留在 instance/templates/history/。"""
    who = require_office()
    if form.kind not in catalogue.templates():
        return problem(422, f"未知的模板种类“{form.kind}”。", errors=[
            {"field": "form.kind", "title": "模板种类", "message": f"只能是 {'、'.join(catalogue.templates())}"}])
    tk = catalogue.template(form.kind)
    name = form.file.filename or ""
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else tk.suffix
    data = form.file.read(MAX_BYTES + 1)
    report = check_template(data, tk.name, suffix=suffix)
    if not report.ok:
        return problem(422, f"模板不合格，未安装：{report.reasons[0]}", errors=[
            {"field": "form.file", "title": "模板文件", "message": r} for r in report.reasons])
    store.install(tk.name, data, tk.suffix)
    with session() as s:
        audit.record(s, who, "template.install", detail=f"{tk.name} {report.sha256} {name}")
    return _row(tk.name), 201


@templates.delete("/templates/<kind>", tags=[T_TEMPLATES], summary="回退到内置模板", responses={200: TemplateView})
def rollback_template(path: TemplateKindPath):
    """删除本单位模板（移入 history/），此后使用内置模板。"""
    who = require_office()
    if path.kind not in catalogue.templates():
        return _unknown(path.kind)
    tk = catalogue.template(path.kind)
    if not store.rollback(tk.name, tk.suffix):
        return problem(404, f"“{tk.title}”没有本单位上传的模板，已在使用内置模板。")
    with session() as s:
        audit.record(s, who, "template.rollback", detail=tk.name)
    return _row(tk.name)

