"""A unit's year-end archive: every document the service makes for it, filed in 卷一–卷五, packed as one zip.

    archive = build_unit_archive(session, "紫荆村", 2020, office=office_materials)
    archive.write(out_dir)          # <unit>2020年度社区教育档案.zip

The zip holds, per volume, `卷一 领导与管理/卷一 卷皮.docx`, `… 归档文件目录.xlsx/.docx`, `… 备考表.docx` and the
items under `文件/` (each 件: its PDF — the archive copy, with its 归档章 on page 1 (service.yearend.stamp) — and
its Word/Excel source, named by 档号 and 题名),
plus the completeness report and manifest.json (sha256 of every file; source_sha256 = the unit's input hash).

Item PDFs and page counts come from the PDF cache (service.yearend.archive_cache): only documents never seen
before are converted, in one LibreOffice call per unit. The unit's input hash covers every item's input hash, the
filing rules and the code; when a zip for that hash exists, the unit is not rebuilt at all (`skipped`).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.bundle import BundleFile, pack
from service.files import write_atomic
from service.naming import document_filename
from service.yearend import archive_cache as cache
from service.yearend.stamp import stamp_pdf
from service.yearend.volumes import (
    Fonds,
    Material,
    Volume,
    catalogue_docx,
    catalogue_xlsx,
    completeness,
    completeness_xlsx,
    cover_docx,
    file_materials,
    filing_rules,
    notes_docx,
    template_versions,
)

ITEMS_FOLDER = "文件"


@dataclass(frozen=True)
class UnitArchive:
    unit: str
    name: str  # the zip's file name
    data: bytes
    input_hash: str
    skipped: bool  # True: an identical archive existed, nothing was rendered
    converted: int  # documents converted to PDF for this archive
    items: int
    missing: list[tuple[str, int, str]]  # (卷, 项目, 建档要求) with no material yet

    def write(self, out_dir: Path) -> Path:
        target = Path(out_dir) / self.name
        if target.is_file() and target.read_bytes() == self.data:
            return target
        return write_atomic(target, self.data)


def archive_name(unit: str, year: int) -> str:
    return document_filename(f"{unit}{year}年度社区教育档案", ".zip")


def _template(text: str, **values) -> str:
    return text.format(**values)


# ----------------------------------------------------------------------------------------------- materials
def unit_materials(session: Session, unit: str, year: int) -> list[Material]:
    """What the records store gives for `unit` in `year`: the Annex 4 leadership form, each quarter's 培训项目公示,
    each month's Annex 3 report, each class's ledger card and assessment sheet (Word, the source of their PDFs),
    and the registers of its activities, volunteers and funding. A register or 公示 with no data is not made (its
    Annex 2 item stays in the completeness report)."""
    from service.forms.annex3 import render_monthly_report
    from service.forms.annex4 import LeadershipTable, render_leadership_table
    from service.records.queries import reports
    from service.records.renderers.word import render_assessment_docx, render_ledger_card_docx
    from service.records.store.session import get_meta, township_short, unit_rows
    from service.units import Leadership
    from service.yearend import registers

    rules = filing_rules()
    township = get_meta(session, "township")
    u = reports.unit_named(session, unit)  # a clear message for an unknown unit
    ctx = {"township": township, "township_short": township_short(session) or "", "unit": unit, "year": year}
    out: list[Material] = []

    def add(kind: str, data: dict, render: Callable[[], bytes], suffix: str, day: dt.date, category=None, **fmt):
        rule = rules.kinds[kind]
        out.append(Material(kind=kind, title=_template(rule.title, **ctx, **fmt),
                            author=_template(rule.author, **ctx, **fmt), date=day,
                            key=cache.input_key(kind, data), suffix=suffix,
                            render=lambda: (render(), None, None), category=category))

    row = next(r for r in unit_rows(session, year) if r["name"] == unit)
    table = LeadershipTable(township=township, rows=[Leadership.of_row(row)])
    add("leadership_table", table.model_dump(mode="json"), lambda t=table: render_leadership_table(t), ".xlsx",
        dt.date(year, 1, 1))
    out += publicity_materials(session, rules, ctx, u.leader_phone)

    for month in range(1, 13):
        start, end = reports.month_bounds(year, month)
        if not reports.class_ids(session, unit, start, end):
            continue
        rep = reports.monthly_report(session, unit, year, month)
        add("monthly_report", rep.model_dump(mode="json"), lambda r=rep: render_monthly_report(r), ".xlsx",
            rep.filled_on or end - dt.timedelta(days=1), month=month)

    for cid in reports.class_ids(session, unit, dt.date(year, 1, 1), dt.date(year + 1, 1, 1)):
        card = reports.ledger_card(session, cid)
        k = card.klass
        add("ledger_card", card.model_dump(mode="json"), lambda c=card: render_ledger_card_docx(c), ".docx",
            k.end_date, category=k.category_no, title=k.title)
        sheet = reports.assessment_sheet(session, cid)
        add("assessment_sheet", sheet.model_dump(mode="json"), lambda s=sheet: render_assessment_docx(s), ".docx",
            k.end_date, category=k.category_no, title=k.title)

    heading = f"单位：{unit}　年度：{year}"
    for kind, rule in rules.kinds.items():
        if not (rule.activity or kind in ("volunteer_register", "funding_register")):
            continue
        title = _template(rule.title, **ctx)
        if rule.activity:
            data = registers.activity_register(session, u.id, year, rule.activity, title, heading)
        elif kind == "volunteer_register":
            data = registers.volunteer_register(session, u.id, year, title, heading)
        else:
            data = registers.funding_register(session, u.id, year, title, heading)
        if data is not None:
            add(kind, data, lambda d=data: registers.render_register(d), ".xlsx", dt.date(year, 12, 31))
    return out


def publicity_materials(session: Session, rules, ctx: dict, phone: str | None) -> list[Material]:
    """One 培训项目公示 per quarter with classes starting in it, posted `publicity_days` before the quarter (the
    unit's leader phone as 监督电话). None without a phone: a 公示 needs one."""
    from service.records.queries import reports
    from service.render.public_notice import Publicity, render_public_notice

    if not phone:
        return []
    rule, year = rules.kinds["publicity"], ctx["year"]
    out = []
    for quarter in range(1, 5):
        start, end = reports.quarter_bounds(year, quarter)
        notice = reports.project_notice(session, ctx["unit"], start, end)
        if not notice.items:
            continue
        posted = start - dt.timedelta(days=rules.publicity_days)
        pub = Publicity(issuer=_template(rule.author, **ctx), start=posted, end=start - dt.timedelta(days=1),
                        phone=phone, date=posted)

        def render(n=notice, p=pub):
            r = render_public_notice(n, p)
            return r.docx, r.pdf, r.report.pages
        data = {"notice": notice.model_dump(mode="json"), "publicity": pub.model_dump(mode="json")}
        out.append(Material(kind="publicity", title=_template(rule.title, **ctx, quarter="一二三四"[quarter - 1]),
                            author=pub.issuer, date=posted, key=cache.input_key("publicity", data), suffix=".docx",
                            render=render))
    return out


def fonds_of(session: Session, unit: str, year: int, filed_on: dt.date | None = None) -> Fonds:
    from service.records.store.models import Unit

    rules = filing_rules()
    names = list(session.scalars(select(Unit.name).order_by(Unit.sort_order, Unit.id)))
    day = filed_on or dt.date.fromisoformat(rules.filed_on.format(year=year))
    return Fonds(code=rules.fonds_code.format(unit_no=names.index(unit) + 1), name=unit, year=year, filed_on=day)


def unit_input_hash(fonds: Fonds, materials: list[Material]) -> str:
    """Everything a unit's archive is made from: its fonds, each item's input hash and catalogue fields, the rules
    the code fingerprint and the volume templates in use (an office's override of one makes new volume documents)."""
    body = {"fonds": [fonds.code, fonds.name, fonds.year, fonds.filed_on.isoformat()],
            "items": sorted([m.kind, m.key, m.title, m.author, m.date.isoformat(), m.number, m.category]
                            for m in materials),
            "rules": filing_rules().model_dump(mode="json"), "code": cache.code_fingerprint(),
            "filing": cache.code_fingerprint(filing=True), "templates": template_versions()}
    return cache.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8"))


# ----------------------------------------------------------------------------------------------- the zip
def volume_files(fonds: Fonds, volumes: list[Volume], docs: dict[str, cache.Cached]) -> list[BundleFile]:
    rules = filing_rules()
    files: list[BundleFile] = []
    for v in volumes:
        folder, label = v.label, v.spec.label
        files += [BundleFile(f"{folder}/{label} 卷皮.docx", "cover-docx", cover_docx(rules, fonds, v)),
                  BundleFile(f"{folder}/{label} 归档文件目录.xlsx", "catalogue-xlsx", catalogue_xlsx(rules, fonds, v)),
                  BundleFile(f"{folder}/{label} 归档文件目录.docx", "catalogue-docx", catalogue_docx(rules, fonds, v)),
                  BundleFile(f"{folder}/{label} 备考表.docx", "notes-docx", notes_docx(rules, fonds, v))]
        for item in v.items:
            doc = docs[item.material.key]
            kind = item.material.kind.replace("_", "-")
            pdf = stamp_pdf(doc.pdf.read_bytes(), item.stamp(fonds), item.material.kind)  # the archive copy
            files.append(BundleFile(f"{folder}/{ITEMS_FOLDER}/{item.stem}.pdf", f"{kind}-pdf", pdf))
            files.append(BundleFile(f"{folder}/{ITEMS_FOLDER}/{item.stem}{item.material.suffix}",
                                    f"{kind}-{item.material.suffix[1:]}", doc.source.read_bytes()))
    report = document_filename(f"{fonds.name}{fonds.year}年度建档完整性报告", ".xlsx")
    files.append(BundleFile(report, "completeness-xlsx", completeness_xlsx(fonds, volumes)))
    return files


def build_unit_archive(session: Session, unit: str, year: int, office: list[Material] = (), *,
                       filed_on: dt.date | None = None, convert=None, reuse: bool = True) -> UnitArchive:
    """The unit's archive zip. Raises (with a Chinese message where the data are at fault) when its data cannot
    be filed; the caller reports that unit and goes on with the others. `reuse=False` rebuilds the zip even when
    one for the same inputs exists (item PDFs still come from the cache); `convert` replaces LibreOffice."""
    fonds = fonds_of(session, unit, year, filed_on)
    materials = unit_materials(session, unit, year) + list(office)
    digest = unit_input_hash(fonds, materials)
    name = archive_name(unit, year)
    outline = file_materials(filing_rules(), fonds, materials, dict.fromkeys((m.key for m in materials), 0))
    missing, count = completeness(outline), sum(len(v.items) for v in outline)
    hit = cache.cached_many(session, [digest]).get(digest) if reuse else None
    if hit is not None:  # same inputs as an archive already built: nothing to render
        return UnitArchive(unit, name, hit.pdf.read_bytes(), digest, True, 0, count, missing)
    keys = list(dict.fromkeys(m.key for m in materials))
    docs = cache.cached_many(session, keys)
    todo = [cache.Pending(m.key, m.kind, m.suffix, m.render, m.date) for m in materials if m.key not in docs]
    if todo:
        docs.update(cache.fill(session, todo, convert))
    volumes = file_materials(filing_rules(), fonds, materials, {k: d.pages for k, d in docs.items()})
    data, _ = pack(volume_files(fonds, volumes, docs), source_sha256=digest, when=fonds.filed_on)
    cache.put_file(session, digest, "unit-zip", data, ".zip")
    return UnitArchive(unit, name, data, digest, False, len({p.key for p in todo}), count, missing)
