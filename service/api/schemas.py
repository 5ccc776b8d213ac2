"""Request and response models of the API. The OpenAPI document is generated from these (flask-openapi3), and the
same models validate requests: the document cannot drift from the behaviour."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, create_model

from service.jobs.kinds import kinds
from service.jobs.models import JOB_STATES
from service.models.text import CleanText


def _utc(value: datetime) -> datetime:
    """Times are stored as naive UTC; the API sends them as RFC 3339 with an explicit offset."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]
JobState = Literal[JOB_STATES]  # type: ignore[valid-type]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]


class JobPath(BaseModel):
    job_id: Id = Field(title="任务编号")


class DocumentPath(BaseModel):
    document_id: Id = Field(title="文书编号")


class SubmitHeaders(CleanText):
    model_config = ConfigDict(strict=False)  # header and query values are text: "50" is the number 50
    idempotency_key: str | None = Field(default=None, alias="Idempotency-Key", title="幂等键", min_length=1,
                                        max_length=255, description="同一令牌以同一幂等键重复提交时，返回原任务。")

    @classmethod
    def model_json_schema(cls, *args, **kwargs) -> dict:
        """flask-openapi3 asks a header model for its JSON schema (no arguments, only read) on every request: made
        once per process. Any other call (the OpenAPI document's) is pydantic's own."""
        if args or kwargs:
            return super().model_json_schema(*args, **kwargs)
        if "_schema" not in cls.__dict__:
            type.__setattr__(cls, "_schema", super().model_json_schema())
        return cls.__dict__["_schema"]


class Page(CleanText):
    model_config = ConfigDict(strict=False)
    limit: int = Field(default=50, ge=1, le=500, title="每页条数")
    offset: int = Field(default=0, ge=0, le=10_000_000, title="起始位置")


class JobQuery(Page):
    state: JobState | None = Field(default=None, title="状态")
    kind: str | None = Field(default=None, max_length=64, title="文书种类")


class DocumentQuery(Page):
    kind: str | None = Field(default=None, max_length=64, title="文书种类")
    unit: str | None = Field(default=None, max_length=128, title="单位")
    period: str | None = Field(default=None, max_length=32, title="期间")
    role: Literal["document", "bundle"] | None = Field(default=None, title="类别")


class Progress(BaseModel):
    done: int = Field(title="已完成")
    failed: int = Field(title="失败")
    total: int = Field(title="总数")


class ItemError(BaseModel):
    item: int = Field(title="项目序号")
    label: str = Field(title="项目")
    message: str = Field(title="错误说明")


class DocumentView(BaseModel):
    id: str = Field(title="文书编号")
    job_id: str = Field(title="任务编号")
    role: Literal["document", "bundle"] = Field(title="类别")
    kind: str = Field(title="文书种类")
    unit: str | None = Field(title="单位")
    period: str | None = Field(title="期间")
    filename: str = Field(title="文件名")
    media_type: str = Field(title="媒体类型")
    size: int = Field(title="字节数")
    sha256: str = Field(title="文件 SHA-256")
    input_sha256: str = Field(title="输入数据 SHA-256")
    template_sha256: str | None = Field(default=None, title="模板 SHA-256", description="生成该文件的模板版本")
    page_count: int | None = Field(title="页数")
    created_at: UtcDateTime = Field(title="生成时间")
    expires_at: UtcDateTime | None = Field(title="文件过期时间")
    available: bool = Field(title="文件可下载")
    href: str = Field(title="下载地址")


class JobView(BaseModel):
    id: str = Field(title="任务编号")
    kind: str = Field(title="文书种类")
    state: JobState = Field(title="状态")
    unit: str | None = Field(title="单位")
    period: str | None = Field(title="期间")
    progress: Progress = Field(title="进度")
    errors: list[ItemError] = Field(title="各项错误")
    warnings: list[ItemError] = Field(default_factory=list, title="各项警告（如无字形的字符）")
    error: str | None = Field(title="任务错误")
    created_at: UtcDateTime = Field(title="提交时间")
    updated_at: UtcDateTime = Field(title="更新时间")
    finished_at: UtcDateTime | None = Field(title="完成时间")
    expires_at: UtcDateTime | None = Field(title="结果过期时间")
    expired: bool = Field(title="结果已过期")
    href: str = Field(title="任务地址")
    result: DocumentView | None = Field(title="结果文件")
    documents: list[DocumentView] = Field(title="各份文书")


class JobList(BaseModel):
    items: list[JobView]
    total: int


class DocumentList(BaseModel):
    items: list[DocumentView]
    total: int


class KindView(BaseModel):
    name: str = Field(title="文书种类")
    title: str = Field(title="名称")
    description: str = Field(title="说明")
    office_only: bool = Field(title="仅党政办可用")


class KindList(BaseModel):
    items: list[KindView]


class WhoAmI(BaseModel):
    token_id: str = Field(title="令牌编号")
    role: Literal["office", "centre"] = Field(title="角色")
    unit: str | None = Field(title="单位")


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(title="状态")
    database: bool = Field(title="数据库可用")
    broker: bool = Field(title="消息队列可用")


class AuditView(BaseModel):
    id: int
    at: UtcDateTime
    token_id: str | None
    role: str | None
    unit: str | None
    action: str
    job_id: str | None
    document_id: str | None
    detail: str | None


class AuditList(BaseModel):
    items: list[AuditView]


class NoKinds(BaseModel):
    """Shown when no renderer is installed: every request is refused with 422."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["__none__"] = Field(title="文书种类")


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_"))


@lru_cache(maxsize=1)
def job_request_model() -> type[BaseModel]:
    """`{"kind": ..., "params": {...}}`, one member per registered kind, discriminated by `kind`."""
    members = []
    for k in kinds().values():
        members.append(create_model(
            f"{_camel(k.name)}Request",
            __config__=ConfigDict(extra="forbid", title=f"{k.title}（{k.name}）"),
            kind=(Literal[k.name], Field(title="文书种类", description=k.title)),  # type: ignore[valid-type]
            params=(k.params, Field(title="参数", description=k.description)),
        ))
    if not members:
        members = [NoKinds]
    union = members[0] if len(members) == 1 else Annotated[Union[tuple(members)], Field(discriminator="kind")]
    return type("JobRequest", (RootModel[union],), {"__doc__": "文书生成请求"})  # type: ignore[valid-type]
