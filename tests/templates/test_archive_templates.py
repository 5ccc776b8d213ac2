"""The archive volumes' Word documents are templates (issue 9 item 1): doc_templates/archive_catalogue.docx (归档文件
目录), archive_cover.docx (卷皮) and archive_notes.docx (卷内备考表) carry their labels, fonts, widths, row heights and
page in the file; the sample volume (doc_templates/samples/archive_volume.json) renders in each; the printed PDF is
landscape / portrait A4 with the values of the volume, and a long catalogue repeats its header row on every page at
9 pt. An office's edited template is what the next archive prints, and a unit's input hash follows it."""
from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.enum.section import WD_ORIENT

from service.templates import catalogue
from service.yearend import volumes
from service.yearend.volumes import catalogue_docx, cover_docx, notes_docx, sample_volume, template_versions
from tests.templates.conftest import edit_part, shipped

NAMES = ("archive_catalogue", "archive_cover", "archive_notes")
RENDER = {"archive_catalogue": catalogue_docx, "archive_cover": cover_docx, "archive_notes": notes_docx}
A4 = (595.3, 841.9)  # points


def _sample() -> dict:
    return json.loads(catalogue.template("archive_catalogue").sample.read_text(encoding="utf-8"))


def _long_volume(rows: int = 45):
    """卷三 with `rows` monthly reports: three pages of catalogue."""
    data = _sample()
    data["volume"] = 3
    data["materials"] = [{"kind": "monthly_report", "title": f"紫荆村2020年{1 + n % 12}月社区教育培训月报表（{n}）",
                          "author": "紫荆村", "date": f"2020-{1 + n % 12:02d}-28", "pages": 1 + n % 3}
                         for n in range(rows)]
    return sample_volume(data)


def _heights(d) -> list[tuple[int, str]]:
    return [(r.height, str(r.height_rule)) for t in d.tables for r in t.rows]


def _sizes(d) -> set[float]:
    return {r.font.size.pt for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs
            for r in p.runs if r.font.size}


def test_the_geometry_is_in_the_template_files():
    """Opened with python-docx as a clerk opens them: page, orientation, row heights, header row and font sizes
    are the template's (none of them is in service/yearend/volumes.py)."""
    cat, cover, notes = (docx.Document(io.BytesIO(shipped(n))) for n in NAMES)
    s = cat.sections[0]
    assert s.orientation == WD_ORIENT.LANDSCAPE
    assert (s.page_width.mm, s.page_height.mm) == pytest.approx((297, 210), abs=0.1)
    head = cat.tables[0].rows[0]
    assert [c.text for c in head.cells] == ["件号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
    assert head._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None  # repeated on each page
    assert head.height == 560 * 635 and _sizes(cat) == {9.0}
    assert sum(cat.tables[0]._tbl.tblGrid.gridCol_lst[i].w for i in range(9)) == pytest.approx(
        s.page_width - s.left_margin - s.right_margin, abs=635)  # the table fills the landscape type area
    for d in (cover, notes):
        assert d.sections[0].orientation == WD_ORIENT.PORTRAIT
        assert d.sections[0].page_width.mm == pytest.approx(210, abs=0.1)
    assert [h for h, _ in _heights(cover)] == [900 * 635] * 8 and {r for _, r in _heights(cover)} == {"EXACTLY (2)"}
    assert [c.text for c in cover.tables[0].columns[0].cells] == ["全宗号", "全宗名称", "类　　目", "年　　度", "保管期限",
                                                                  "件　　数", "起止件号", "页　　数"]
    assert _sizes(cover) == {16.0}
    assert [h for h, _ in _heights(notes)] == [6000 * 635, 800 * 635, 800 * 635, 800 * 635] and _sizes(notes) >= {14.0}
    text = Path(volumes.__file__).read_text(encoding="utf-8")
    assert not re.search(r"\b(560|480|6000|800|900)\b", text) and "rpr(" not in text and "trHeight" not in text


def test_the_sample_renders_in_each_template_with_the_volume_values():
    rules, fonds, volume = sample_volume(_sample())
    assert len(volume.items) == 5 and sum(1 for i in volume.items if i.note) == 2 and volume.missing()
    cat = docx.Document(io.BytesIO(catalogue_docx(rules, fonds, volume)))
    rows = [[c.text for c in r.cells] for r in cat.tables[0].rows]
    assert len(rows) == 1 + 5 and [r[0] for r in rows[1:]] == ["1", "2", "3", "4", "5"]
    assert [r[1] for r in rows[1:]] == [i.code for i in volume.items] and rows[1][8].startswith("复制件")
    assert cat.core_properties.title == "紫荆村2020年度 卷二 条件与保障 归档文件目录"
    cover = docx.Document(io.BytesIO(cover_docx(rules, fonds, volume)))
    assert [c.text for c in cover.tables[0].columns[1].cells] == [
        "Z003", "紫荆村", "卷二 条件与保障", "2020", "永久、30年、10年", "5件", "0001—0005", f"{volume.pages}页"]
    notes = docx.Document(io.BytesIO(notes_docx(rules, fonds, volume)))
    said = [p.text for p in notes.tables[0].cell(0, 1).paragraphs]
    assert said[:3] == [f"本卷共5件，{volume.pages}页；归档文件均为 PDF 版式文件（存档件）及其 Word/Excel 原文件。",
                        "其中复制件2件，原件所在见归档文件目录备注。", "附件2建档要求中以下项目暂无材料，待补充："]
    assert said[3:] == [f"第{n}项：{t}" for n, t in volume.missing()]
    assert notes.tables[0].cell(3, 1).text == "2020年12月31日"
    # an empty volume: the catalogue says so in one row, the 备考表 lists every Annex 2 item
    empty = volumes.Volume(volume.spec)
    cat = docx.Document(io.BytesIO(catalogue_docx(rules, fonds, empty)))
    assert [r.cells[0].text for r in cat.tables[0].rows][1:] == ["（本卷暂无归档文件）"]
    notes = docx.Document(io.BytesIO(notes_docx(rules, fonds, empty)))
    assert len(notes.tables[0].cell(0, 1).paragraphs) == 2 + len(volume.spec.items)


def test_same_volume_same_bytes_and_the_register_names_the_template():
    from service.templates.provenance import recording

    rules, fonds, volume = sample_volume(_sample())
    for name in NAMES:
        with recording() as made:
            data = RENDER[name](rules, fonds, volume)
        assert data == RENDER[name](rules, fonds, volume)
        assert made[hashlib.sha256(data).hexdigest()] == hashlib.sha256(shipped(name)).hexdigest()
        dates = {i.date_time for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
        assert dates == {(2020, 12, 31, 0, 0, 0)}  # dated by the 立卷时间


def test_an_office_template_is_what_the_next_archive_prints(instance):
    """A clerk's Word edit (a label, the rows' font size) installed as the override: the catalogue uses it, and the
    unit archives' input hash changes with it (so a kept archive zip is not reused); rollback restores both."""
    from service.templates import store

    rules, fonds, volume = sample_volume(_sample())
    before, versions = catalogue_docx(rules, fonds, volume), template_versions()
    xml = zipfile.ZipFile(io.BytesIO(shipped("archive_catalogue"))).read("word/document.xml").decode()
    count = xml.count('<w:sz w:val="18"/>')
    edited = edit_part(edit_part(shipped("archive_catalogue"), ">备注<", ">附注<"),
                       '<w:sz w:val="18"/>', '<w:sz w:val="21"/>', count=count)
    store.install("archive_catalogue", edited)
    d = docx.Document(io.BytesIO(catalogue_docx(rules, fonds, volume)))
    assert d.tables[0].rows[0].cells[8].text == "附注" and _sizes(d) == {10.5}
    assert template_versions()["archive_catalogue"] == hashlib.sha256(edited).hexdigest() != versions[
        "archive_catalogue"]
    assert store.rollback("archive_catalogue")
    assert catalogue_docx(rules, fonds, volume) == before and template_versions() == versions


@pytest.mark.pdf
def test_the_printed_volume_documents(tmp_path):
    """Through LibreOffice: the catalogue landscape A4 with its rows at 9 pt, a 45-row catalogue on several pages
    with the header row again at the top of page 2; the cover and the 备考表 portrait A4 with the volume's values."""
    from service.pdf.convert import to_pdf

    rules, fonds, volume = sample_volume(_sample())
    lrules, lfonds, long = _long_volume()
    sources = []
    for name, data in (("catalogue", catalogue_docx(rules, fonds, volume)), ("cover", cover_docx(rules, fonds, volume)),
                       ("notes", notes_docx(rules, fonds, volume)), ("long", catalogue_docx(lrules, lfonds, long))):
        (tmp_path / f"{name}.docx").write_bytes(data)
        sources.append(tmp_path / f"{name}.docx")
    pdfs = {p.stem: p for p in to_pdf(sources, tmp_path)}

    def words(page):
        return page.extract_words(extra_attrs=["size"])

    with pdfplumber.open(pdfs["catalogue"]) as pdf:
        (page,) = pdf.pages
        assert (float(page.width), float(page.height)) == pytest.approx(A4[::-1], abs=1)
        ws = words(page)
        texts = {w["text"] for w in ws}
        assert {i.code for i in volume.items} <= texts and "归档文件目录" in texts
        assert {"件号", "档号", "题名", "备注"} <= texts
        row_sizes = {round(w["size"], 1) for w in ws if w["text"] in {i.code for i in volume.items}}
        assert row_sizes == {9.0}
    with pdfplumber.open(pdfs["long"]) as pdf:
        assert len(pdf.pages) >= 3
        codes = {i.code for i in long.items}
        seen = set()
        for n, page in enumerate(pdf.pages):
            ws = words(page)
            seen |= {w["text"] for w in ws} & codes
            if n:  # the header row repeats above the first row of every later page
                head = next(w for w in ws if w["text"] == "档号")
                first = min((w for w in ws if w["text"] in codes), key=lambda w: w["top"])
                assert head["top"] < first["top"] and head["top"] < 0.25 * float(page.height), n
                assert {"件号", "题名", "页数"} <= {w["text"] for w in ws if abs(w["top"] - head["top"]) < 3}
            assert {round(w["size"], 1) for w in ws if w["text"] in codes} <= {9.0}
        assert seen == codes
    for name, expected in (("cover", ["归档文件", "紫荆村社区教育档案", "卷二条件与保障", "0001—0005", "永久、30年、10年"]),
                           ("notes", ["卷内备考表", "本卷情况说明", "其中复制件2件", "立卷时间", "2020年12月31日"])):
        with pdfplumber.open(pdfs[name]) as pdf:
            (page,) = pdf.pages
            assert (float(page.width), float(page.height)) == pytest.approx(A4, abs=1)
            text = page.extract_text().replace(" ", "").replace("\u3000", "")
            assert all(e in text for e in expected), (name, text)
