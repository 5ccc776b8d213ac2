"""The template kinds: one declaration each, in KINDS below. A kind names its template file (doc_templates/<name>
<suffix>, an office may override it), a Chinese title, and how its sample data (doc_templates/samples/<name>.json, or
`sample_path`) becomes the template's context. The tag fields a kind provides are read off that sample context, so
`wenshu template fields KIND`, the upload check and the dry run all agree with what the renderer passes.

Adding a kind (e.g. 表彰决定): draw doc_templates/<name>.docx in Word with tags, write its sample JSON, add one
TemplateKind line here, and render it with `load_template(name).render(context)`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from service.config import SAMPLES_DIR, TEMPLATE_DIR

SAMPLE_DIR = TEMPLATE_DIR / "samples"


@dataclass(frozen=True)
class TemplateKind:
    name: str
    title: str
    context: Callable[[Any], dict]  # sample JSON -> the template context the renderer builds
    suffix: str = ".docx"
    sample_path: Path | None = None  # default: doc_templates/samples/<name>.json

    def sample_context(self) -> dict:
        path = self.sample_path or SAMPLE_DIR / f"{self.name}.json"
        return self.context(json.loads(path.read_text(encoding="utf-8")))


def _ledger_card(data: dict) -> dict:
    from service.records.queries.documents import LedgerCard
    from service.records.renderers.word import ledger_card_context

    return ledger_card_context(LedgerCard.model_validate(data))


def _assessment(data: dict) -> dict:
    from service.records.queries.documents import AssessmentSheet
    from service.records.renderers.word import assessment_context

    return assessment_context(AssessmentSheet.model_validate(data))


def _quarterly(data: dict) -> dict:
    from service.records.queries.documents import QuarterlyReport
    from service.records.renderers.word import quarterly_context

    return quarterly_context(QuarterlyReport.model_validate(data))


def _public_notice(data: dict) -> dict:
    from service.records.queries.documents import ProjectNotice
    from service.render.public_notice import Publicity, public_notice_context

    return public_notice_context(ProjectNotice.model_validate(data["notice"]),
                                 Publicity.model_validate(data["publicity"]))


def _notice(data: dict) -> dict:
    from service.models.notice import parse_notice
    from service.render.notice import ImprintPlacement, context

    return context(parse_notice(data), ImprintPlacement())


def _certificate(data: dict) -> dict:
    import datetime as dt

    from service.yearend.commendation import certificate_context

    return certificate_context(data["unit"], data["honour"], data["issuer"], dt.date.fromisoformat(data["date"]),
                               year=data.get("year"))


KINDS: dict[str, TemplateKind] = {k.name: k for k in (
    TemplateKind("ledger_card", "学员培训记录卡", _ledger_card),
    TemplateKind("assessment", "学员考核表", _assessment),
    TemplateKind("quarterly", "社区教育培训季报表", _quarterly),
    TemplateKind("public_notice", "培训项目公示", _public_notice),
    TemplateKind("certificate", "荣誉证书", _certificate),
    TemplateKind("notice", "红头文件（通知正文）", _notice, sample_path=SAMPLES_DIR / "baisheng-2020" / "notice.json"),
)}


def kind(name: str) -> TemplateKind:
    if name not in KINDS:
        raise KeyError(f"未知的模板种类“{name}”；可用：{'、'.join(KINDS)}")
    return KINDS[name]


def _paths(value: Any, prefix: str, out: set[str]) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            _paths(sub, f"{prefix}.{key}" if prefix else str(key), out)
        if prefix:
            out.add(prefix)
    elif isinstance(value, (list, tuple)):
        out.add(prefix)
        for item in value:
            _paths(item, prefix + "[]", out)
    elif hasattr(value, "__dict__") and not isinstance(value, (str, int, float)):
        _paths({k: v for k, v in vars(value).items() if not k.startswith("_")}, prefix, out)
    else:
        out.add(prefix)


@lru_cache(maxsize=None)
def fields(name: str) -> tuple[str, ...]:
    """The tag fields of kind `name`: dotted paths of its context (`rows[]` is an item of the list `rows`), plus
    the engine's helper functions (blank_rows)."""
    from service.docx.engine import TEMPLATE_GLOBALS

    out: set[str] = set()
    _paths(kind(name).sample_context(), "", out)
    return tuple(sorted(out | set(TEMPLATE_GLOBALS)))
