"""The year-end batch: every unit's 考核结果, the commendation and all archive volumes, from one request.

    plan = plan_batch(session, YearEndParams(year=2020, notice=...))    # once: assessment, 发文字号 (register)
    office_outputs(session, plan) -> {name: bytes}                       # 考核结果, 表彰决定 .docx/.pdf, 荣誉证书/
    build_unit_archive(session, unit, year, office_materials(plan, unit))   # one zip per unit (archive.py)

`plan_batch` runs once per request (the API at submission, the CLI at start): it computes the assessment, selects
the commended units and takes the 表彰决定's number from the register (the same number again on a re-run with the
same title, so a re-run is byte-identical). Every later step is a plain function of the plan, so the job's
workers (items = the township's documents + one per unit, chunked over workers) and the CLI (in-process) run the
same code. A unit whose data cannot be filed fails alone; the others complete.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models.notice import Notice
from service.yearend import archive_cache as cache
from service.yearend.archive import UnitArchive, build_unit_archive
from service.yearend.volumes import Material, filing_rules

CERT_DIR = "荣誉证书"


class YearEndParams(BaseModel):
    """年终批处理：各单位验收考核结果、表彰决定与荣誉证书、各单位卷一至卷五归档文件（每单位一个 zip）。"""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int = Field(ge=2000, le=2100, title="年度")
    notice: Notice | None = Field(default=None, title="实施方案通知",
                                description="本年度的红头通知（notice.json 的内容）：归入各单位卷一，并作为表彰决定的依据")
    agency_code: str | None = Field(default=None, min_length=1, max_length=20, title="机关代字",
                                    description="表彰决定的机关代字；不填取配置或依据通知的机关代字")
    top_n: int | None = Field(default=None, ge=1, le=500, title="表彰前N名", description="不填按配置的评选规则")
    min_score: float | None = Field(default=None, ge=0, le=100, title="表彰分数线", description="与前N名二选一")
    date: dt.date | None = Field(default=None, title="表彰决定成文日期", description="不填按配置")
    filed_on: dt.date | None = Field(default=None, title="立卷时间", description="不填为年度最后一天")


@dataclass(frozen=True)
class Plan:
    """What every step of one batch shares (plain data: it travels in the job items)."""

    params: dict  # YearEndParams, JSON
    assessment: dict  # indicators.YearAssessment, JSON
    selected: list[str]  # commended units, best first
    number: dict | None  # 表彰决定's DocNumber, JSON (None: no unit qualifies)
    date: str  # 成文日期 of the decision
    quarterly: list[dict] = field(default_factory=list)  # the township's 季报 (QuarterlyReport JSON) with classes
    sizes: dict[str, int] = field(default_factory=dict)  # unit -> its classes in the year (the work it makes)

    def to_json(self) -> dict:
        return dict(vars(self))

    @classmethod
    def from_json(cls, data: dict) -> "Plan":
        return cls(**data)

    @property
    def year(self) -> int:
        return self.params["year"]

    @property
    def units(self) -> list[str]:
        return [u["unit"] for u in self.assessment["units"]]

    @property
    def biggest_first(self) -> list[str]:
        """The units, most work first: parallel workers then finish together (the longest unit does not start
        last)."""
        order = {u: i for i, u in enumerate(self.units)}
        return sorted(self.units, key=lambda u: (-self.sizes.get(u, 0), order[u]))


class BatchError(ValueError):
    """A request the batch refuses before doing anything (Chinese message naming the field)."""


# ----------------------------------------------------------------------------------------------- planning
def _notice(params: YearEndParams):

    return params.notice  # validated with the request (the notice model's own Chinese errors)


def _agency_code(params: YearEndParams, config, notice) -> str:
    code = params.agency_code or config.agency_code or (notice.number.agency_code if notice else "")
    if not code:
        raise BatchError("【机关代字】未指定：请填写 agency_code，或给出实施方案通知 notice（沿用其机关代字），"
                         "或在 config/yearend_commendation.yaml 填写 agency_code")
    return code


def check_batch(session: Session, params: YearEndParams) -> None:
    """What the request itself can refuse cheaply (the rest is planned in the worker): the notice, the 机关代字,
    and a year with units in the store."""
    from service.records.store.models import Unit
    from service.yearend import commendation

    _agency_code(params, commendation.load_config(), _notice(params))
    if session.scalar(select(Unit.id).limit(1)) is None:
        raise BatchError(f"【年度】记录库中没有单位数据，无法进行{params.year}年度年终处理：请先载入或导入单位")


def plan_batch(session: Session, params: YearEndParams) -> Plan:
    """Assess the year, select the commended units and take the decision's 发文字号 (reused when the register
    already holds one for the same title)."""
    from service.models.notice import DocNumber
    from service.records.store.models import DocNumber as Registered
    from service.records.store.register import allocate
    from service.yearend import commendation, indicators

    notice = _notice(params)
    a = indicators.assess(session, params.year)
    if not a.units:
        raise BatchError(f"【年度】记录库中没有单位数据，无法进行{params.year}年度年终处理：请先载入或导入单位")
    config = commendation.load_config()
    rule = (commendation.Rule(kind="top_n", n=params.top_n) if params.top_n else
            commendation.Rule(kind="threshold", min_score=params.min_score) if params.min_score is not None else None)
    selected = commendation.select(a, rule)
    date = params.date or config.default_date(params.year)
    number = None
    if selected:
        code = _agency_code(params, config, notice)
        title = commendation.decision_model(a, selected, number=DocNumber(agency_code=code, year=date.year, serial=1),
                                            date=date, basis=notice).title
        row = session.scalars(select(Registered).where(Registered.agency_code == code, Registered.year == date.year,
                                                       Registered.title == title).order_by(Registered.serial)).first()
        row = row or allocate(session, code, date.year, title)
        number = {"agency_code": code, "year": date.year, "serial": row.serial}
    return Plan(params=params.model_dump(mode="json"), assessment=a.model_dump(mode="json"),
                selected=[u.unit for u in selected], number=number, date=date.isoformat(),
                quarterly=quarterly_reports(session, params.year), sizes=unit_sizes(session, params.year))


def unit_sizes(session: Session, year: int) -> dict[str, int]:
    """Classes per unit in `year`: one ledger card and one assessment sheet each, most of a unit's documents."""
    from sqlalchemy import func

    from service.records.store.models import TrainingClass, Unit

    q = (select(Unit.name, func.count(TrainingClass.id)).join(TrainingClass, TrainingClass.unit_id == Unit.id)
         .where(TrainingClass.start_date >= dt.date(year, 1, 1), TrainingClass.start_date < dt.date(year + 1, 1, 1))
         .group_by(Unit.name))
    return {name: n for name, n in session.execute(q).all()}  # noqa: C416 - rows, not pairs


def warm() -> None:
    """Load what every unit's archive needs once in this process (the modules, the code fingerprints, the 归档章's
    font subset), so that worker processes forked after it share them instead of each paying for them."""
    import service.yearend.archive  # noqa: F401
    import service.yearend.registers  # noqa: F401
    from service.records.queries import reports  # noqa: F401
    from service.records.renderers import word  # noqa: F401
    from service.yearend.stamp import warm as warm_stamp

    cache.code_fingerprint()
    cache.code_fingerprint(filing=True)
    warm_stamp()


def quarterly_reports(session: Session, year: int) -> list[dict]:
    """The township's 季报 of `year` (JSON), for the quarters in which classes started."""
    from service.records.queries import reports

    return [reports.quarterly_report(session, year, q).model_dump(mode="json") for q in range(1, 5)
            if reports.class_ids(session, None, *reports.quarter_bounds(year, q))]


# ----------------------------------------------------------------------------------------------- office documents
def _material(kind: str, data, title: str, author: str, day: dt.date, suffix: str,
              render: Callable[[], tuple[bytes, bytes | None, int | None]], number: str = "") -> Material:
    return Material(kind=kind, title=title, author=author, date=day, key=cache.input_key(kind, data), suffix=suffix,
                    render=render, number=number)


def office_materials(plan: Plan) -> dict[str, list[Material]]:
    """The township's documents filed in the units' volumes: {"*": for every unit, unit: for that unit only}.
    Nothing is rendered here: each material renders on a cache miss only."""
    from service.models.notice import DocNumber
    from service.render.paginate import render_measured
    from service.yearend import commendation, results_workbook
    from service.yearend.indicators import YearAssessment

    rules = filing_rules().kinds
    a = YearAssessment.model_validate(plan.assessment)
    notice = _notice(YearEndParams.model_validate(plan.params))
    ctx = {"township": a.township, "township_short": a.township_short, "year": a.year}
    common: list[Material] = []
    if notice is not None:
        def render_notice(n=notice):
            r = render_measured(n)
            return r.docx, r.pdf, r.report.pages
        common.append(_material("notice", plan.params["notice"], rules["notice"].title.format(title=notice.title),
                                "、".join(notice.signature.organs), notice.signature.date, ".docx", render_notice,
                                str(notice.number)))
    common.append(_material("results", plan.assessment, results_workbook.title(a),
                            rules["results"].author.format(**ctx), dt.date(a.year, 12, 31), ".xlsx",
                            lambda: (results_workbook.render(a), None, None)))
    for data in plan.quarterly:
        common.append(_quarterly_material(data, rules["quarterly_report"].author.format(**ctx)))
    out: dict[str, list[Material]] = {"*": common}
    if plan.number is None:
        return out
    selected = [a.unit(u) for u in plan.selected]
    date = dt.date.fromisoformat(plan.date)
    number = DocNumber.model_validate(plan.number)
    decision = commendation.decision_model(a, selected, number=number, date=date, basis=notice)

    def render_decision():
        return commendation.render_decision(a, selected, number=number, date=date, basis=notice)
    common.append(_material("decision", {"notice": decision.model_dump(mode="json")}, decision.title,
                            "、".join(decision.signature.organs), date, ".docx", render_decision, str(number)))
    honour, issuer = commendation.honour_of(a), commendation.issuer_of(a)
    for u in plan.selected:
        out[u] = [_material("certificate", {"unit": u, "honour": honour, "issuer": issuer, "date": plan.date},
                            f"{u}“{honour}”荣誉证书", issuer, date, ".docx",
                            lambda u=u: (commendation.render_certificate(u, honour, issuer, date, year=a.year),
                                         None, None))]
    return out


def _quarterly_material(data: dict, author: str) -> Material:
    from service.records.queries.documents import QuarterlyReport
    from service.records.queries.reports import quarter_bounds
    from service.records.renderers.forms import render_quarterly_report
    from service.records.renderers.forms.quarterly import quarterly_title

    report = QuarterlyReport.model_validate(data)
    _, end = quarter_bounds(report.year, report.quarter)
    return _material("quarterly_report", data, f"{quarterly_title(report.township_short)}（{report.period_text}）",
                     author, end - dt.timedelta(days=1), ".xlsx", lambda: (render_quarterly_report(report), None, None))


def office_for(office: dict[str, list[Material]], unit: str) -> list[Material]:
    return office["*"] + office.get(unit, [])


def office_outputs(session: Session, plan: Plan) -> dict[str, bytes]:
    """The township's files of the batch (name → bytes): the 考核结果 workbook, the 表彰决定 .docx and .pdf and
    the 荣誉证书 folder (PDF and .docx per commended unit). Converts (once) what the cache lacks."""
    from service.naming import document_filename

    office = office_materials(plan)
    wanted = [m for ms in office.values() for m in ms if m.kind in ("results", "decision", "certificate")]
    docs = cache.cached_many(session, [m.key for m in wanted])
    todo = [cache.Pending(m.key, m.kind, m.suffix, m.render, m.date) for m in wanted if m.key not in docs]
    if todo:
        docs.update(cache.fill(session, todo))
    out: dict[str, bytes] = {}
    for m in wanted:
        doc = docs[m.key]
        if m.kind == "results":
            out[document_filename(m.title, ".xlsx")] = doc.source.read_bytes()
        elif m.kind == "decision":
            for suffix, path in ((".docx", doc.source), (".pdf", doc.pdf)):  # the name says what it is
                out[document_filename(f"表彰决定 {m.title}", suffix, m.number)] = path.read_bytes()
        else:
            unit = next(u for u, ms in office.items() if m in ms)
            for suffix, path in ((".pdf", doc.pdf), (".docx", doc.source)):
                out[f"{CERT_DIR}/{document_filename(f'{unit} 荣誉证书', suffix)}"] = path.read_bytes()
    return out


# ----------------------------------------------------------------------------------------------- running
@dataclass(frozen=True)
class UnitOutcome:
    unit: str
    archive: UnitArchive | None
    error: str | None = None


def unit_error(exc: BaseException) -> str:
    """The Chinese message of a unit that cannot be filed (data problems name the field; others the type)."""
    from pydantic import ValidationError

    from service.models.errors import chinese_errors, inline_errors

    if isinstance(exc, ValidationError):
        return f"数据不合格：{inline_errors(chinese_errors(exc), 5)}"
    if isinstance(exc, (ValueError, LookupError)) and str(exc):
        return str(exc)[:500]
    return f"生成失败（{type(exc).__name__}: {str(exc)[:200]}）"


def run_unit(transaction, plan: Plan, unit: str, office: dict[str, list[Material]] | None = None, **build
             ) -> UnitOutcome:
    """One unit's archive in its own transaction; a failure is the unit's outcome, not an exception."""
    office = office if office is not None else office_materials(plan)
    filed_on = plan.params.get("filed_on")
    try:
        with transaction() as s:
            archive = build_unit_archive(s, unit, plan.year, office_for(office, unit),
                                         filed_on=dt.date.fromisoformat(filed_on) if filed_on else None, **build)
        return UnitOutcome(unit, archive)
    except Exception as exc:  # noqa: BLE001 - reported for this unit; the others go on
        return UnitOutcome(unit, None, unit_error(exc))


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    from service.files import write_atomic

    paths = []
    for name, data in sorted(files.items()):
        target = Path(out_dir) / name
        if not (target.is_file() and target.read_bytes() == data):
            write_atomic(target, data)
        paths.append(target)
    return paths
