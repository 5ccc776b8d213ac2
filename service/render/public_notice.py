"""培训项目公示: a centre's coming training projects (培训目标, 方案, 计划), posted for the public.

It uses the 公文 engine and type (GB/T 9704 body layout: 22 × 28, 2号 title, level fonts, signature and date per
clause 7.3.5) with its own template doc_templates/public_notice.docx (the 公文 block template, editable), but
carries no red masthead, no 文号 and no 版记. It states the 公示期 and a 监督电话 and
shows no trainee's personal data: the input has none (service.records.queries.reports.project_notice).
"""
from __future__ import annotations

import datetime as dt

from pydantic import Field

from service.cndate import cn_date
from service.docx.engine import load_template
from service.forms.validation import StrictModel
from service.layout.profile import profile
from service.models.notice import Heading, Paragraph, Signature
from service.records.queries.documents import ProjectNotice
from service.render.notice import (
    Blocks,
    ImprintPlacement,
    add_body,
    add_signature,
    add_title,
    block_text,
    fit_signature_blocks,
    postprocess,
)
from service.render.paginate import Rendered, render_signature_fitted
from service.units import Phone


class Publicity(StrictModel):
    """What the centre adds to its classes to post the 公示."""

    issuer: str = Field(title="公示单位", min_length=1, max_length=60)
    start: dt.date = Field(title="公示开始日期")
    end: dt.date = Field(title="公示截止日期")
    phone: Phone = Field(title="监督电话")
    date: dt.date = Field(title="落款日期")


def notice_title(pn: ProjectNotice) -> str:
    return f"{pn.unit}社区教育培训项目公示"


def public_blocks(pn: ProjectNotice, pub: Publicity, placement: ImprintPlacement | None = None) -> Blocks:
    b = Blocks(profile())
    b.blank(1)
    add_title(b, notice_title(pn))
    b.blank()
    where = pn.activity_room or pn.unit
    body = [Paragraph(type="paragraph", text=(
        f"根据社区教育培训项目公示制度，现将{where}近期开展的社区教育培训项目的培训目标、培训方案和培训计划"
        "公示如下，接受群众监督。"))]
    if not pn.items:
        body.append(Paragraph(type="paragraph", text="本期暂无新开培训项目。"))
    for item in pn.items:
        body.append(Heading(type="heading", level=1, text=item.title))
        body.append(Paragraph(type="paragraph", text=f"培训目标：{item.objective or '提高学员' + item.category_name + '方面的知识和技能'}。"
                              .replace("。。", "。")))
        body.append(Paragraph(type="paragraph", text=(
            f"培训方案：面向{item.audience}开展{item.category_name}培训，授课教师{item.teachers or '待定'}，"
            f"培训地点{item.location}，共{item.hours}课时。")))
        body.append(Paragraph(type="paragraph", text=f"培训计划：{item.plan}。"))
    body.append(Paragraph(type="paragraph", text=(
        f"公示期：{cn_date(pub.start)}至{cn_date(pub.end)}。公示期内对上述培训项目有意见或建议的，"
        f"请向{pub.issuer}反映。监督电话：{pub.phone}。")))
    add_body(b, body)
    start = len(b.items)
    add_signature(b, Signature(organs=[pub.issuer], date=pub.date, sealed=True))
    b.signature = (start, len(b.items))
    fit_signature_blocks(b, placement or ImprintPlacement())
    return b


def public_notice_context(pn: ProjectNotice, pub: Publicity, placement: ImprintPlacement | None = None) -> dict:
    """The context of doc_templates/public_notice.docx (the 公文 block template without masthead and 版记)."""
    return {
        "core": {"title": notice_title(pn), "date": f"{pub.date.isoformat()}T00:00:00Z"},
        "blocks": public_blocks(pn, pub, placement).items,
        "imprint": None,
    }


def render_public_notice_docx(pn: ProjectNotice, pub: Publicity, placement: ImprintPlacement | None = None) -> bytes:
    """Plain data in, .docx bytes out."""
    return load_template("public_notice").render(public_notice_context(pn, pub, placement),
                                                 postprocess=postprocess(None), when=pub.date)


def render_public_notice(pn: ProjectNotice, pub: Publicity) -> Rendered:
    """The 公示 laid out through LibreOffice, so that 署名 and date never stand alone (clause 7.3.5.5); the CLI and
    the job tasks call this with plain data and get the .docx and its PDF."""
    b = public_blocks(pn, pub)
    texts = [block_text(item) for item in b.items]
    return render_signature_fitted(lambda placement: render_public_notice_docx(pn, pub, placement),
                                   texts, b.signature, sealed=True)
