"""The 公文 model: a notice (通知) with its masthead, body, closing, imprint, an optional issued document and annexes.

Everything is data: another township, year or organ is another JSON file. Numbering of headings is generated
from the block levels (restarting under each parent), never typed.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from service.docnumber import doc_number
from service.layout.imprint import imprint_overflow  # the 版记 must fit one page (clause 7.4)
from service.models.errors import chinese_errors, format_errors
from service.models.text import TRIMMED_PATTERN, CleanText

Text = Annotated[str, Field(min_length=1, max_length=4000)]
Name = Annotated[str, Field(min_length=1, max_length=60)]


class Model(CleanText):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


def _no_edge_space(v: str) -> str:
    if v != v.strip():
        raise ValueError("首尾不能有空格")
    return v


class DocNumber(Model):
    """发文字号: 机关代字〔年份〕序号号 — 六角括号, no 第, no zero padding."""

    # no spaces, brackets or digits; \x85 named too, since a JSON-Schema (ECMAScript) \s does not include it
    agency_code: str = Field(title="机关代字", min_length=1, max_length=20,
                             pattern=r"^[^\s\x00-\x1f\x85〔〕\[\]【】()（）0-9]+$")
    year: int = Field(title="年份", ge=1949, le=2100)
    serial: int = Field(title="序号", ge=1, le=99999)

    def __str__(self) -> str:
        return doc_number(self.agency_code, self.year, self.serial)


class Classification(Model):
    level: Literal["绝密", "机密", "秘密"] = Field(title="密级")
    period: str | None = Field(default=None, title="保密期限", max_length=10, pattern=r"^\d+(年|个月)$")

    def __str__(self) -> str:
        return f"{self.level}★{self.period}" if self.period else self.level


class Masthead(Model):
    """发文机关标志. Several organs = joint issuance (host organ first); suffix is usually 文件."""

    organs: list[Name] = Field(title="发文机关", min_length=1, max_length=6)
    suffix: Literal["文件", ""] = Field(default="", title="标志后缀")


class Paragraph(Model):
    type: Literal["paragraph"] = Field(title="类型")
    text: Text = Field(title="文字")


class Heading(Model):
    """A numbered heading. With `body`, a run-in heading: number, heading and text share one paragraph."""

    type: Literal["heading"] = Field(title="类型")
    level: int = Field(title="层级", ge=1, le=4)
    text: Text = Field(title="标题文字")
    body: str | None = Field(default=None, title="段内正文", max_length=4000)


class LeadIn(Model):
    """An unnumbered lead-in line such as 第一阶段：…"""

    type: Literal["lead_in"] = Field(title="类型")
    text: Text = Field(title="文字")


class Table(Model):
    type: Literal["table"] = Field(title="类型")
    columns: list[Annotated[str, Field(max_length=40)]] = Field(title="表头", min_length=1, max_length=12)
    rows: list[list[Annotated[str, Field(max_length=200)]]] = Field(default_factory=list, title="表格行", max_length=500)
    widths: list[Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]] | None = Field(
        default=None, title="列宽比例", max_length=12)
    caption: str | None = Field(default=None, title="表上说明", max_length=200)
    footer: str | None = Field(default=None, title="表下说明", max_length=200)

    @model_validator(mode="after")
    def _shape(self) -> "Table":
        n = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row) != n:
                raise ValueError(f"第{i + 1}行有 {len(row)} 个单元格，表头有 {n} 列")
        if self.widths is not None and len(self.widths) != n:
            raise ValueError("列宽比例的个数须与表头列数相同")
        return self


Block = Annotated[Union[Paragraph, Heading, LeadIn, Table], Field(discriminator="type")]


class Annex(Model):
    """附件: listed in the 附件说明 and, when it has blocks, bound after the body on its own pages (clause 7.3.7)."""

    title: str = Field(title="附件标题", min_length=1, max_length=100)
    listed_as: str | None = Field(default=None, title="附件说明原文", max_length=100)
    # the annex's pages: its own blocks, or a standard form of the programme laid out from config/
    source: Literal["training_content", "archive_volumes", "monthly_report", "leadership_table"] | None = Field(
        default=None, title="附件来源")
    blocks: list[Block] = Field(default_factory=list, title="附件内容", max_length=2000)


class Signature(Model):
    organs: list[Name] = Field(title="发文机关署名", min_length=1, max_length=6)
    date: dt.date = Field(title="成文日期")
    sealed: bool = Field(default=True, title="加盖印章")


class Imprint(Model):
    """版记: 抄送机关, 印发机关 and 印发日期. `recipients_at` says where the 主送机关 stand: on page 1 (body), in the
    版记 as 主送：… above 抄送 (imprint), or on page 1 unless they would leave it without 正文 (auto, clause 7.3.2)."""

    cc: list[Name] = Field(default_factory=list, title="抄送机关", max_length=40)
    printer: Name = Field(title="印发机关")
    print_date: dt.date = Field(title="印发日期")
    recipients_at: Literal["auto", "body", "imprint"] = Field(default="auto", title="主送机关位置")

    @model_validator(mode="after")
    def _fits_one_page(self) -> "Imprint":
        problem = imprint_overflow([], self.cc)
        if problem:
            raise ValueError(problem)
        return self


class IssuedDocument(Model):
    """A document the notice 印发s or 转发s: its own title, body and 附件说明, after the notice's date."""

    title: str = Field(title="标题", min_length=1, max_length=120)
    blocks: list[Block] = Field(title="正文", min_length=1, max_length=2000)
    attachments: list[Annex] = Field(default_factory=list, title="附件", max_length=30)


class Notice(Model):
    copy_number: str | None = Field(default=None, title="份号", pattern=r"^\d{6}$")
    classification: Classification | None = Field(default=None, title="密级和保密期限")
    urgency: Literal["特急", "加急"] | None = Field(default=None, title="紧急程度")
    masthead: Masthead = Field(title="发文机关标志")
    number: DocNumber = Field(title="发文字号")
    signers: list[Name] = Field(default_factory=list, title="签发人", max_length=8)
    title: str = Field(title="标题", min_length=1, max_length=120, json_schema_extra={"pattern": TRIMMED_PATTERN})
    recipients: list[Name] = Field(default_factory=list, title="主送机关", max_length=40)
    blocks: list[Block] = Field(title="正文", min_length=1, max_length=2000)
    attachments: list[Annex] = Field(default_factory=list, title="附件", max_length=30)
    signature: Signature = Field(title="署名和成文日期")
    note: str | None = Field(default=None, title="附注", max_length=400)
    issued: IssuedDocument | None = Field(default=None, title="印发的文件")
    imprint: Imprint = Field(title="版记")

    _no_space = field_validator("title")(_no_edge_space)

    @property
    def upward(self) -> bool:
        """上行文: carries 签发人."""
        return bool(self.signers)

    @property
    def annexes(self) -> list[Annex]:
        """Every annex in binding order: the notice's own, then the issued document's."""
        own = list(self.attachments)
        return own + (list(self.issued.attachments) if self.issued else [])

    @model_validator(mode="after")
    def _consistency(self) -> "Notice":
        if self.imprint.print_date < self.signature.date:
            raise ValueError("印发日期不能早于成文日期")
        if len(self.masthead.organs) > 1 and len(self.signature.organs) < len(self.masthead.organs):
            raise ValueError("联合行文时，署名须包含所有发文机关")
        if self.imprint.recipients_at == "imprint":
            if not self.recipients:
                raise ValueError("版记 › 主送机关位置为 imprint（移至版记）时，须填写主送机关")
            problem = imprint_overflow(self.recipients, self.imprint.cc)
            if problem:
                raise ValueError(problem)
        return self


class NoticeValidationError(ValueError):
    """Bad input: `errors` holds Chinese messages, each naming its field."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__(format_errors(errors))


def parse_notice(data: dict) -> Notice:
    try:
        return Notice.model_validate(data)
    except ValidationError as exc:
        raise NoticeValidationError(chinese_errors(exc, Notice)) from None


def load_notice(path: Path | str) -> Notice:
    path = Path(path)
    if path.is_dir():
        path = path / "notice.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NoticeValidationError([{"field": "", "title": "文件", "message": f"找不到 {path}"}]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise NoticeValidationError([{"field": "", "title": "文件", "message": f"不是有效的 UTF-8 JSON：{exc}"}]) from None
    return parse_notice(data)


def heading_label(level: int, n: int) -> str:
    """The generated 层次序数 for the n-th heading of a level: 一、 /（一）/ 1. /（1）."""
    import cn2an

    from service.layout.profile import profile

    pattern = profile()["7.3.3"]["numbering"][level]
    return pattern.format(cn=cn2an.an2cn(n), n=n)


DATE_RE = re.compile(r"^\d{4}年([1-9]|1[0-2])月([1-9]|[12]\d|3[01])日$")


