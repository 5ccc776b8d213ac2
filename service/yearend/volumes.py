"""Filing a unit's year into the five volumes of Annex 2 (DA/T 22-2015): 件号, 档号, 归档章 data, and the volume
documents — 归档文件目录 (.xlsx and .docx), 卷内备考表 and 卷皮 (.docx; docxtpl templates
doc_templates/archive_catalogue|cover|notes.docx) — plus the completeness report.

    rules = filing_rules()
    volumes = file_materials(rules, fonds, materials, pages)      # -> list[Volume], 卷一..卷五, numbered
    catalogue_xlsx(volume, fonds) / catalogue_docx(...) / cover_docx(...) / notes_docx(...)
    completeness(volumes) -> the Annex 2 items with no material yet

Where each kind of document goes, its 保管期限, 题名 and 责任者, and the 档号 pattern are data in
config/archive_filing.yaml; the volumes and their items are config/annex2_archive_volumes.yaml.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import yaml
from pydantic import BaseModel, ConfigDict, Field

from service.cndate import cn_date
from service.config import CONFIG_DIR
from service.forms import sheet
from service.forms.geometry import form
from service.yearend.stamp import StampRule

FILING_CONFIG = CONFIG_DIR / "archive_filing.yaml"
VOLUMES_CONFIG = CONFIG_DIR / "annex2_archive_volumes.yaml"
RETENTION_ORDER = ("永久", "30年", "10年")
# DA/T 22-2015 5.5 (件号 in place of 序号: items run from 0001 within a volume): the columns of catalogue_rows, their
# titles and widths in the workbook in doc_templates/forms/yearend.yaml
CATALOGUE_FORM, COMPLETENESS_FORM = "archive_catalogue", "archive_completeness"
# the Word volume documents: docxtpl templates doc_templates/<name>.docx (declared by the year-end kind); a row of
# the catalogue template is `r.<field>`, the fields in the order of catalogue_rows
CATALOGUE_TEMPLATE, COVER_TEMPLATE, NOTES_TEMPLATE = "archive_catalogue", "archive_cover", "archive_notes"
VOLUME_TEMPLATES = (CATALOGUE_TEMPLATE, COVER_TEMPLATE, NOTES_TEMPLATE)
CATALOGUE_FIELDS = ("seq", "code", "number", "author", "title", "date", "secret", "pages", "note")


# ----------------------------------------------------------------------------------------------- config
class KindRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    file_in: list[tuple[int, int]] = Field(min_length=1)
    retention: str
    author: str
    title: str
    item_by_category: dict[int, int] = Field(default_factory=dict)
    activity: str | None = None  # an activity register: the activity kind it lists (vocab.ACTIVITY_KINDS)


class FilingRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    archive_code: str
    category_code: str
    fonds_code: str
    problem_code: str
    retention_codes: dict[str, str]
    filed_on: str
    compiler: str = ""
    checker: str = ""
    date_format: str = "%Y%m%d"
    publicity_days: int = Field(default=7, ge=1, le=60)
    stamp: StampRule = StampRule()
    kinds: dict[str, KindRule]


class VolumeSpec(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    no: int = Field(alias="no")
    label: str
    name: str
    items: list[str]


@lru_cache(maxsize=1)
def filing_rules() -> FilingRules:
    rules = FilingRules.model_validate(yaml.safe_load(FILING_CONFIG.read_text(encoding="utf-8")))
    specs = {v.no: v for v in volume_specs()}
    for name, k in rules.kinds.items():
        if k.retention not in rules.retention_codes:
            raise ValueError(f"{FILING_CONFIG.name}: {name} 的保管期限“{k.retention}”不在 retention_codes 中")
        for vol, item in [*k.file_in, *((k.file_in[0][0], i) for i in k.item_by_category.values())]:
            if vol not in specs or not 1 <= item <= len(specs[vol].items):
                raise ValueError(f"{FILING_CONFIG.name}: {name} 归入卷{vol}第{item}项，附件2中没有该项")
    return rules


@lru_cache(maxsize=1)
def volume_specs() -> tuple[VolumeSpec, ...]:
    data = yaml.safe_load(VOLUMES_CONFIG.read_text(encoding="utf-8"))
    return tuple(VolumeSpec.model_validate(v) for v in data["volumes"])


# ----------------------------------------------------------------------------------------------- filing
@dataclass(frozen=True)
class Fonds:
    """The 立档单位 of a unit's archive."""

    code: str  # 全宗号
    name: str  # 全宗名称
    year: int
    filed_on: dt.date  # 立卷时间


@dataclass(frozen=True)
class Material:
    """One document to file (one 件), before it is numbered."""

    kind: str  # a key of FilingRules.kinds
    title: str  # 题名
    author: str  # 责任者
    date: dt.date
    key: str  # input hash (service.yearend.archive_cache)
    suffix: str  # of the source file: .docx | .xlsx
    render: Callable[[], tuple[bytes, bytes | None, int | None]]  # -> source, ready PDF or None, pages
    number: str = ""  # 文号
    category: int | None = None  # 附件1 category of a class document (item_by_category)


@dataclass(frozen=True)
class Item:
    """A numbered 件 in a volume, with its 归档章 data."""

    volume: int
    annex_item: int  # the Annex 2 item it is material for (1-based)
    seq: int  # 件号
    code: str  # 档号
    retention: str
    pages: int  # 页数: pages of its PDF
    material: Material
    note: str = ""  # 备注
    problem: str = ""  # 问题 code of the 档号 (the 归档章's 机构（问题） cell)

    @property
    def stem(self) -> str:
        from service.naming import document_filename

        return document_filename(f"{self.code} {self.material.title}", ".pdf")[:-4]

    def stamp(self, fonds: Fonds) -> dict:
        """归档章 (DA/T 22-2015 appendix A): 全宗号 / 年度 / 件号 over 机构（问题） / 保管期限 / 页数, the same
        values as in the 档号."""
        return {"全宗号": fonds.code, "年度": fonds.year, "件号": f"{self.seq:04d}", "机构（问题）": self.problem,
                "保管期限": self.retention, "页数": self.pages}


@dataclass
class Volume:
    spec: VolumeSpec
    items: list[Item] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.spec.label} {self.spec.name}"

    @property
    def pages(self) -> int:
        return sum(i.pages for i in self.items)

    def covered(self) -> set[int]:
        return {i.annex_item for i in self.items}

    def missing(self) -> list[tuple[int, str]]:
        return [(n, text) for n, text in enumerate(self.spec.items, start=1) if n not in self.covered()]

    def retentions(self) -> list[str]:
        have = {i.retention for i in self.items}
        return [r for r in RETENTION_ORDER if r in have] + sorted(have - set(RETENTION_ORDER))


def file_materials(rules: FilingRules, fonds: Fonds, materials: list[Material], pages: dict[str, int]) -> list[Volume]:
    """Place every material in its volume(s) and number the items: 件号 from 1 within a volume, ordered by
    Annex 2 item, date, title; a document filed in several volumes is a copy after the first (备注 says where)."""
    volumes = {s.no: Volume(s) for s in volume_specs()}
    placed: list[tuple[int, int, int, Material]] = []  # volume, annex item, copy index, material
    for m in materials:
        rule = rules.kinds[m.kind]
        for n, (vol, item) in enumerate(rule.file_in):
            if n == 0 and m.category is not None:
                item = rule.item_by_category.get(m.category, item)
            placed.append((vol, item, n, m))
    numbered: dict[tuple[int, str], Item] = {}
    for vol in volumes:
        rows = sorted((p for p in placed if p[0] == vol), key=lambda p: (p[1], p[3].date, p[3].title, p[3].key))
        for seq, (_, item, copy, m) in enumerate(rows, start=1):
            retention = rules.kinds[m.kind].retention
            problem = rules.problem_code.format(volume=vol)
            code = rules.archive_code.format(**{
                "全宗号": fonds.code, "门类代码": rules.category_code, "年度": fonds.year,
                "保管期限代码": rules.retention_codes[retention], "问题代码": problem, "卷号": vol, "件号": seq})
            it = Item(vol, item, seq, code, retention, pages[m.key], m, problem=problem)
            volumes[vol].items.append(it)
            numbered[(copy, m.key)] = it
    for vol in volumes.values():  # copies name the original's 档号
        vol.items[:] = [i if (0, i.material.key) in numbered and numbered[(0, i.material.key)] is i
                        else _copy_note(i, numbered[(0, i.material.key)]) for i in vol.items]
    return [volumes[k] for k in sorted(volumes)]


def _copy_note(item: Item, original: Item) -> Item:
    from dataclasses import replace

    return replace(item, note=f"复制件，原件见{volume_specs()[original.volume - 1].label}（{original.code}）")


def completeness(volumes: list[Volume]) -> list[tuple[str, int, str]]:
    """(卷, 项目序号, 建档要求) of every Annex 2 item with no material yet."""
    return [(v.spec.label, n, text) for v in volumes for n, text in v.missing()]


# ----------------------------------------------------------------------------------------------- Excel
def _ymd(rules: FilingRules, day: dt.date) -> str:
    return day.strftime(rules.date_format)


def catalogue_rows(rules: FilingRules, volume: Volume) -> list[list]:
    return [[i.seq, i.code, i.material.number, i.material.author, i.material.title, _ymd(rules, i.material.date),
             "", i.pages, i.note] for i in volume.items]


def _fonds_line(fonds: Fonds, volume: Volume) -> str:
    return f"全宗号：{fonds.code}　全宗名称：{fonds.name}　年度：{fonds.year}　类目：{volume.label}"


def catalogue_xlsx(rules: FilingRules, fonds: Fonds, volume: Volume) -> bytes:
    """归档文件目录 of one volume: landscape A4, header rows repeated on every page."""
    cols = form(CATALOGUE_FORM).columns_list()
    wb, ws = sheet.new_workbook("归档文件目录", f"{fonds.name}{fonds.year}年度归档文件目录")
    sheet.set_columns(ws, cols)
    sheet.title_row(ws, 1, cols, "归档文件目录")
    sheet.merged_line(ws, 2, 1, len(cols), _fonds_line(fonds, volume), font=sheet.body_font(), align=sheet.LEFT,
                      height=sheet.height("line"))
    sheet.header_row(ws, 3, cols)
    rows = catalogue_rows(rules, volume) or [["", "", "", "", "（本卷暂无归档文件）", "", "", "", ""]]
    for r, values in enumerate(rows, start=4):
        for c, (value, col) in enumerate(zip(values, cols), start=1):
            sheet.data_cell(ws, r, c, value, col)
        ws.row_dimensions[r].height = sheet.fitted_height([(str(v), col.width) for v, col in zip(values, cols)])
    sheet.a4_print_setup(ws, last_row=3 + len(rows), ncols=len(cols), repeat_rows="1:3", landscape=True)
    return sheet.workbook_bytes(wb, fonds.filed_on)


def completeness_xlsx(fonds: Fonds, volumes: list[Volume]) -> bytes:
    """建档完整性报告: each Annex 2 item, how many items are filed for it, and what is still missing."""
    cols = form(COMPLETENESS_FORM).columns_list()
    wb, ws = sheet.new_workbook("完整性报告", f"{fonds.name}{fonds.year}年度建档完整性报告")
    sheet.set_columns(ws, cols)
    sheet.title_row(ws, 1, cols, f"{fonds.name}{fonds.year}年度社区教育建档完整性报告")
    missing = completeness(volumes)
    sheet.merged_line(ws, 2, 1, len(cols), f"附件2共{sum(len(v.spec.items) for v in volumes)}项，"
                      f"暂无材料{len(missing)}项（须手工补充后归档）", font=sheet.body_font(), align=sheet.LEFT,
                      height=sheet.height("line"))
    sheet.header_row(ws, 3, cols)
    r = 4
    for v in volumes:
        counts: dict[int, int] = {}
        for i in v.items:
            counts[i.annex_item] = counts.get(i.annex_item, 0) + 1
        for n, text in enumerate(v.spec.items, start=1):
            have = counts.get(n, 0)
            values = [v.label, n, text, have, "已有材料" if have else "暂无材料，请补充"]
            for c, (value, col) in enumerate(zip(values, cols), start=1):
                sheet.data_cell(ws, r, c, value, col)
            ws.row_dimensions[r].height = sheet.fitted_height([(str(x), col.width) for x, col in zip(values, cols)])
            r += 1
    sheet.a4_print_setup(ws, last_row=r - 1, ncols=len(cols), repeat_rows="1:3", landscape=True)
    return sheet.workbook_bytes(wb, fonds.filed_on)


# ----------------------------------------------------------------------------------------------- Word
def volume_context(rules: FilingRules, fonds: Fonds, volume: Volume) -> dict:
    """The context of the volume templates (doc_templates/archive_catalogue|cover|notes.docx): the labels, wording,
    fonts, widths and heights are in the templates, the values here."""
    items = volume.items
    return {
        "fonds_code": fonds.code, "fonds_name": fonds.name, "year": str(fonds.year), "category": volume.label,
        "rows": [dict(zip(CATALOGUE_FIELDS, map(str, values))) for values in catalogue_rows(rules, volume)],
        "count": len(items), "pages": volume.pages,
        "span": f"{items[0].seq:04d}—{items[-1].seq:04d}" if items else "—",
        "retention": "、".join(volume.retentions()) or "—",
        "copies": sum(1 for i in items if i.note),
        "missing": [{"no": n, "text": text} for n, text in volume.missing()],
        "compiler": rules.compiler, "checker": rules.checker, "filed_on": cn_date(fonds.filed_on),
        "core": {"title": f"{fonds.name}{fonds.year}年度 {volume.label}",  # + the document's name, in the template
                 "date": f"{fonds.filed_on.isoformat()}T00:00:00Z"},
    }


def sample_volume(data: dict) -> tuple[FilingRules, Fonds, Volume]:
    """A template sample (doc_templates/samples/archive_volume.json): a fonds, the volume's number and the
    materials, filed as the archive files them (件号, 档号, copies)."""
    rules, f = filing_rules(), data["fonds"]
    fonds = Fonds(f["code"], f["name"], int(f["year"]), dt.date.fromisoformat(f["filed_on"]))
    materials, pages = [], {}
    for n, m in enumerate(data["materials"]):
        key = f"sample-{n}"
        materials.append(Material(m["kind"], m["title"], m["author"], dt.date.fromisoformat(m["date"]), key,
                                  ".docx", _no_source, number=m.get("number", "")))
        pages[key] = int(m["pages"])
    return rules, fonds, file_materials(rules, fonds, materials, pages)[int(data["volume"]) - 1]


def _no_source() -> tuple[bytes, bytes | None, int | None]:
    raise RuntimeError("a template sample has no source documents")


def volume_docx(template: str, rules: FilingRules, fonds: Fonds, volume: Volume) -> bytes:
    """One of the volume documents (CATALOGUE_TEMPLATE, COVER_TEMPLATE, NOTES_TEMPLATE) of `volume`; the zip is
    dated by the 立卷时间, so the same volume gives the same bytes."""
    from service.docx.engine import load_template

    return load_template(template).render(volume_context(rules, fonds, volume), when=fonds.filed_on)


def template_versions() -> dict[str, str]:
    """sha256 of the volume template files in use now (an office's override wins): part of a unit's input hash."""
    from service.templates import store

    return {name: store.sha256_file(store.resolve(name)) for name in VOLUME_TEMPLATES}


def catalogue_docx(rules: FilingRules, fonds: Fonds, volume: Volume) -> bytes:
    """归档文件目录 of one volume as Word: landscape A4, the header row repeats on every page."""
    return volume_docx(CATALOGUE_TEMPLATE, rules, fonds, volume)


def cover_docx(rules: FilingRules, fonds: Fonds, volume: Volume) -> bytes:
    """卷皮 (cover) of a volume: 全宗名称, 类目, 年度, 保管期限, 件数, 起止件号 (and 全宗号, 页数)."""
    return volume_docx(COVER_TEMPLATE, rules, fonds, volume)


def notes_docx(rules: FilingRules, fonds: Fonds, volume: Volume) -> bytes:
    """卷内备考表: 本卷情况说明 (件数, 页数, copies, the Annex 2 items still missing), 立卷人, 检查人, 立卷时间."""
    return volume_docx(NOTES_TEMPLATE, rules, fonds, volume)
