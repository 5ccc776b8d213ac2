"""Commendation (表彰): which units qualify, the 表彰决定 as a 公文 (决定) and one 荣誉证书 per unit.

The 决定 is the notice model (service.models.notice) filled from config/yearend_commendation.yaml and rendered by
the notice's measured layout (service.render.paginate): masthead, 发文字号, title, body, the commended units in an
annex, signature and an even-page 版记 — GB/T 9704 as measured for the notice. The certificate is the docxtpl
template doc_templates/certificate.docx (landscape A4, built by service.yearend.certificate_template).
"""
from __future__ import annotations

import datetime as dt
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

import cn2an
import yaml
from pydantic import BaseModel, ConfigDict, Field

from service.config import CONFIG_DIR
from service.docx.engine import load_template
from service.models.notice import DocNumber, Notice, parse_notice
from service.naming import document_filename
from service.ooxml.normalize import normalize_pdf
from service.render.paginate import render_measured
from service.yearend.indicators import UnitAssessment, YearAssessment

CONFIG_PATH = CONFIG_DIR / "yearend_commendation.yaml"
CERTIFICATE_TEMPLATE = "certificate"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Model):
    """top_n: the n best scores (ties at the n-th place all qualify); threshold: every score >= min_score."""

    kind: Literal["top_n", "threshold"]
    n: int = Field(default=3, ge=1)
    min_score: float = Field(default=0, ge=0, le=100)


class CertificateText(_Model):
    title: str
    reason: str
    formula: str


class CommendationConfig(_Model):
    rule: Rule
    eligible_kinds: tuple[str, ...]
    honour: str
    issuer: str
    printer: str
    agency_code: str = ""
    date: str = Field(pattern=r"^\d{1,2}-\d{1,2}$")
    recipients: tuple[str, ...]
    title: str
    plan: str
    body: tuple[str, ...] = Field(min_length=1)
    annex_title: str
    annex_columns: tuple[str, ...]
    annex_widths: tuple[float, ...]
    certificate: CertificateText

    def default_date(self, year: int) -> dt.date:
        month, day = map(int, self.date.split("-"))
        return dt.date(year, month, day)


@lru_cache(maxsize=4)
def load_config(path: str | None = None) -> CommendationConfig:
    with open(path or CONFIG_PATH, encoding="utf-8") as fh:
        return CommendationConfig.model_validate(yaml.safe_load(fh))


def select(assessment: YearAssessment, rule: Rule | None = None, *,
           eligible_kinds: tuple[str, ...] | None = None) -> list[UnitAssessment]:
    """The commended units, best first: eligible kinds only, at least one indicator met (a unit that met none is
    not 成效突出, whatever partial points it has: a year without records commends nobody), by the rule (config by
    default)."""
    config = load_config()
    rule = rule or config.rule
    kinds = config.eligible_kinds if eligible_kinds is None else eligible_kinds
    pool = [u for u in assessment.ranking() if u.kind in kinds and u.score > 0 and u.met > 0]
    if rule.kind == "threshold":
        return [u for u in pool if u.score >= rule.min_score]
    if len(pool) <= rule.n:
        return pool
    cut = pool[rule.n - 1].score  # ties with the n-th score qualify too
    return [u for u in pool if u.score >= cut]


def _words(assessment: YearAssessment, config: CommendationConfig, **extra) -> dict:
    words = {"year": assessment.year, "township": assessment.township, "township_short": assessment.township_short}
    words["honour"] = config.honour.format(**words)
    words["issuer"] = config.issuer.format(**words)
    words["plan"] = config.plan.format(**words)
    words.update(extra)
    return words


def honour_of(assessment: YearAssessment, config: CommendationConfig | None = None) -> str:
    return _words(assessment, config or load_config())["honour"]


def issuer_of(assessment: YearAssessment, config: CommendationConfig | None = None) -> str:
    return _words(assessment, config or load_config())["issuer"]


def default_number(year: int, *, basis: Notice | None = None, config: CommendationConfig | None = None,
                   serial: int = 1) -> DocNumber:
    """发文字号 from the configured 机关代字, else the basis notice's (the CLI allocates the serial)."""
    code = (config or load_config()).agency_code or (basis.number.agency_code if basis is not None else "")
    if not code:
        raise ValueError("【机关代字】未配置：请在 config/yearend_commendation.yaml 填写 agency_code，或用 --agency-code 指定")
    return DocNumber(agency_code=code, year=year, serial=serial)


def decision_model(assessment: YearAssessment, selected: list[UnitAssessment], *, number: DocNumber | None = None,
                   date: dt.date | None = None, basis: Notice | None = None,
                   config: CommendationConfig | None = None) -> Notice:
    """The 表彰决定 as a Notice: title, body and the annex listing the commended units (validated)."""
    config = config or load_config()
    if not selected:
        raise ValueError("没有符合表彰条件的单位，不能生成表彰决定")
    date = date or config.default_date(assessment.year)
    number = number or default_number(date.year, basis=basis, config=config)
    basis_text = f"（{basis.number}）" if basis is not None else ""
    words = _words(assessment, config, count=len(selected), first=selected[0].unit, basis=basis_text)
    words["title"] = config.title.format(**words)
    rows = [[str(i), u.unit, f"{u.score:.1f}"] for i, u in enumerate(selected, start=1)]
    annex_title = config.annex_title.format(**words)
    data = {
        "masthead": {"organs": [words["issuer"]]},
        "number": number.model_dump(),
        "title": words["title"],
        "recipients": list(config.recipients),
        "blocks": [{"type": "paragraph", "text": text.format(**words)} for text in config.body],
        "attachments": [{"title": annex_title, "blocks": [{
            "type": "table", "columns": list(config.annex_columns), "rows": rows,
            "widths": list(config.annex_widths)}]}],
        "signature": {"organs": [words["issuer"]], "date": date.isoformat(), "sealed": True},
        "imprint": {"printer": config.printer.format(**words), "print_date": date.isoformat()},
    }
    return parse_notice(data)


def render_decision(assessment: YearAssessment, selected: list[UnitAssessment], *, number: DocNumber | None = None,
                    date: dt.date | None = None, basis: Notice | None = None, pdf: bool = True,
                    config: CommendationConfig | None = None) -> tuple[bytes, bytes | None, int]:
    """(.docx, PDF or None, page count) of the 表彰决定, laid out by the notice's measured layout."""
    n = decision_model(assessment, selected, number=number, date=date, basis=basis, config=config)
    rendered = render_measured(n)
    return rendered.docx, (normalize_pdf(rendered.pdf, n.signature.date) if pdf else None), rendered.report.pages


def decision_filename(notice_or_title: Notice | str, suffix: str, number: str | None = None) -> str:
    if isinstance(notice_or_title, Notice):
        return document_filename(notice_or_title.title, suffix, str(notice_or_title.number))
    return document_filename(notice_or_title, suffix, number)


# ------------------------------------------------------------------------------------------------ certificates

def chinese_date(d: dt.date) -> str:
    """二〇二〇年十一月三十日 (certificates only; a 公文's 成文日期 stays in Arabic numerals)."""
    year = "".join("〇一二三四五六七八九"[int(ch)] for ch in str(d.year))
    return f"{year}年{cn2an.an2cn(d.month)}月{cn2an.an2cn(d.day)}日"


def certificate_context(unit: str, honour: str, issuer: str, date: dt.date, *, year: int | None = None,
                        config: CommendationConfig | None = None) -> dict:
    text = (config or load_config()).certificate
    words = {"year": year or date.year, "honour": honour}
    return {"title": text.title, "unit": unit, "reason": text.reason.format(**words), "formula": text.formula,
            "issuer": issuer, "date": chinese_date(date),
            "core": {"title": f"{unit} {text.title}", "date": f"{date.isoformat()}T00:00:00Z"}}


def render_certificate(unit: str, honour: str, issuer: str, date: dt.date, *, year: int | None = None,
                       config: CommendationConfig | None = None) -> bytes:
    """One 荣誉证书 (.docx, landscape A4): the unit, the honour, 特发此证，以资鼓励, the issuer and the date."""
    context = certificate_context(unit, honour, issuer, date, year=year, config=config)
    return load_template(CERTIFICATE_TEMPLATE).render(context, when=date)


def certificate_filename(unit: str, suffix: str = ".docx") -> str:
    return document_filename(f"{unit} 荣誉证书", suffix)


def certificate_pdfs(docs: dict[str, bytes], date: dt.date) -> dict[str, bytes]:
    """PDFs of several certificates ({file name: .docx bytes}) in one LibreOffice call, keyed by the .pdf name."""
    from service.pdf.convert import to_pdf

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, data in enumerate(docs.values()):
            path = Path(tmp) / f"c{i:04d}.docx"
            path.write_bytes(data)
            paths.append(path)
        pdfs = to_pdf(paths, Path(tmp) / "pdf") if paths else []
        return {Path(name).with_suffix(".pdf").name: normalize_pdf(p.read_bytes(), date)
                for name, p in zip(docs, pdfs)}
