"""`wenshu archive`: the year-end batch through the CLI on a small synthetic year (3 units, 8 classes, the sample
notice), so LibreOffice converts a few dozen documents once per session.

What a user checks: DIR holds the 考核结果 workbook, the 表彰决定 .docx/.pdf, the 荣誉证书 PDFs and one zip per
unit; each volume's 归档文件目录 lists exactly the items in its folder with the page counts of their PDFs; the
completeness report names the Annex 2 items without material; a second run is byte-identical and converts
nothing; a unit with broken data fails alone.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "baisheng-2020"
YEAR = 2020
SMALL_UNITS = (0, 2, 10)  # 百胜社区居委会 (居委), 紫荆村 (村): commended; 百胜镇中学 (学校): not eligible


def small_year(session, classes: int = 8, trainees: int = 160) -> list[str]:
    """Load three units of the sample and a small synthetic year for them; returns the unit names."""
    from samples.loader import write_extras
    from samples.synthetic import generate
    from service.records.store.session import upsert_units
    from service.records.store.writer import write_batch
    from service.units import parse_units

    raw = json.loads((SAMPLE / "units.json").read_text(encoding="utf-8"))
    raw["units"] = [raw["units"][i] for i in SMALL_UNITS]
    units = parse_units(raw)
    spec = yaml.safe_load((SAMPLE / "records" / "dataset.yaml").read_text(encoding="utf-8"))
    spec.update(classes=classes, trainees=trainees, teachers=20, class_size=[8, 20], big_class=24)
    upsert_units(session, units)
    data = generate(units, spec)
    write_batch(session, data.batch)
    write_extras(session, data)
    return [u.name for u in units.units]


@pytest.fixture(scope="module")
def env(tmp_path_factory, databases, backend):  # noqa: F811 - fixtures
    """A private instance (a database on SQLite, then on PostgreSQL, + storage) holding the small year."""
    from service.config import settings
    from service.records.store.session import open_store

    inst = tmp_path_factory.mktemp(f"archive-instance-{backend}")
    saved = {k: os.environ.get(k) for k in ("WENSHU_STORAGE", "DATABASE_URL")}
    os.environ["WENSHU_STORAGE"] = str(inst / "storage")
    os.environ.pop("DATABASE_URL", None)
    settings.cache_clear()
    url = databases.url(backend, "archive")
    store = open_store(url)
    with store.transaction() as s:
        names = small_year(s)
    yield {"url": url, "store": store, "units": names, "tmp": inst}
    store.engine.dispose()
    for k, v in saved.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    settings.cache_clear()


def run_archive(env, out: Path):
    from service.cli import main

    return CliRunner().invoke(main, ["archive", "--year", str(YEAR), "--out", str(out), "--notice",
                                                     str(SAMPLE), "--database-url", env["url"]])


@pytest.fixture(scope="module")
def first_run(env):
    out = env["tmp"] / "out1"
    result = run_archive(env, out)
    assert result.exit_code == 0, result.stderr + result.stdout
    return out, result


def _zips(out: Path) -> dict[str, zipfile.ZipFile]:
    return {p.name: zipfile.ZipFile(p) for p in sorted(out.glob("*.zip"))}


def test_dir_holds_results_decision_certificates_and_one_zip_per_unit(env, first_run):
    out, result = first_run
    names = [p.name for p in out.iterdir()]
    assert any("考核结果" in n and n.endswith(".xlsx") for n in names)
    assert any("表彰决定" in n and n.endswith(".docx") for n in names)
    assert any("表彰决定" in n and n.endswith(".pdf") for n in names)
    certs = sorted((out / "荣誉证书").glob("*.pdf"))
    assert certs
    for c in certs:  # landscape
        with pikepdf.open(c) as pdf:
            box = [float(x) for x in pdf.pages[0].mediabox]
        assert box[2] > box[3], c.name
    zips = _zips(out)
    assert len(zips) == len(env["units"])
    for unit in env["units"]:
        zf = zips[f"{unit}{YEAR}年度社区教育档案.zip"]
        entries = zf.namelist()
        for label in ("卷一", "卷二", "卷三", "卷四", "卷五"):
            assert any(e.startswith(label) for e in entries), label
        assert any("归档文件目录" in e for e in entries) and any("备考表" in e for e in entries)
        manifest = json.loads(zf.read("manifest.json"))
        assert sorted(f["name"] for f in manifest["files"]) == sorted(e for e in entries if e != "manifest.json")
        for f in manifest["files"]:
            import hashlib

            assert hashlib.sha256(zf.read(f["name"])).hexdigest() == f["sha256"], f["name"]
    assert "3个单位已归档" in result.stderr


def _catalogue(zf: zipfile.ZipFile, folder: str) -> list[tuple[str, int]]:
    name = next(e for e in zf.namelist() if e.startswith(folder + "/") and e.endswith("归档文件目录.xlsx"))
    ws = load_workbook(io.BytesIO(zf.read(name))).active
    head = [c.value for c in ws[3]]
    assert head == ["件号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[1]]
    for r in rows:
        assert re.fullmatch(r"\d{8}", r[5]), r  # DA/T 22: 8-digit date
        assert r[1].endswith(f"-{r[0]:04d}")  # 档号 ends with 件号
    return [(r[1], r[7]) for r in rows]


def test_every_catalogue_lists_exactly_the_items_in_its_folder_with_their_pdf_page_counts(first_run):
    out, _ = first_run
    checked = 0
    for zf in _zips(out).values():
        folders = sorted({e.split("/")[0] for e in zf.namelist() if "/" in e})
        assert len(folders) == 5
        for folder in folders:
            listed = dict(_catalogue(zf, folder))
            pdfs = {Path(e).name[:-4]: e for e in zf.namelist() if e.startswith(f"{folder}/文件/") and e.endswith(".pdf")}
            in_folder = {stem.split(" ")[0]: e for stem, e in pdfs.items()}
            assert set(listed) == set(in_folder), folder
            for code, entry in in_folder.items():
                with pikepdf.open(io.BytesIO(zf.read(entry))) as pdf:
                    assert listed[code] == len(pdf.pages), entry
                stem = entry[:-4]
                assert any(e in zf.namelist() for e in (stem + ".docx", stem + ".xlsx")), entry  # its source
                checked += 1
    assert checked > 20
    # the notice and the decision went to 卷一, the leadership form to 卷一 and (as a copy) 卷二, the class forms to 卷三
    zf = next(iter(_zips(out).values()))
    vol1 = [e for e in zf.namelist() if e.startswith("卷一") and e.endswith(".pdf")]
    assert any("通知" in e for e in vol1) and any("决定" in e for e in vol1) and any("领导小组" in e for e in vol1)
    assert any("领导小组" in e for e in zf.namelist() if e.startswith("卷二") and e.endswith(".pdf"))
    vol3 = [e for e in zf.namelist() if e.startswith("卷三") and e.endswith(".pdf")]
    assert any("记录卡" in e for e in vol3) and any("考核表" in e for e in vol3) and any("月报表" in e for e in vol3)


def test_catalogue_prints_each_archive_code_and_date_on_one_line(first_run, tmp_path):
    """The 归档文件目录 as printed: every 档号 and 8-digit date is one word of the PDF (never wrapped)."""
    import pdfplumber

    from service.pdf.convert import to_pdf

    out, _ = first_run
    zf = next(iter(_zips(out).values()))
    entry = next(e for e in zf.namelist() if e.startswith("卷三") and e.endswith("归档文件目录.docx"))
    codes = [code for code, _pages in _catalogue(zf, entry.split("/")[0])]
    (tmp_path / "cat.docx").write_bytes(zf.read(entry))
    (pdf,) = to_pdf([tmp_path / "cat.docx"], tmp_path)
    with pdfplumber.open(pdf) as doc:
        words = {w["text"] for page in doc.pages for w in page.extract_words()}
    assert codes and all(code in words for code in codes), sorted(words)[:40]
    assert any(re.fullmatch(r"20\d{6}", w) for w in words)
    assert not any(re.fullmatch(r"20\d{1,5}", w) for w in words)  # no date split over two lines
    assert {"件号", "密级", "页数"} <= words


def test_completeness_report_names_the_annex2_items_without_material(first_run):
    from service.yearend.volumes import volume_specs

    out, _ = first_run
    zf = next(iter(_zips(out).values()))
    report = next(e for e in zf.namelist() if "完整性报告" in e)
    ws = load_workbook(io.BytesIO(zf.read(report))).active
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(rows) == sum(len(v.items) for v in volume_specs())
    status = {(r[0].split(" ")[0], r[1]): (r[3], r[4]) for r in rows}
    assert status[("卷一", 3)][0] >= 1 and status[("卷一", 3)][1] == "已有材料"  # 领导小组
    assert status[("卷三", 1)][0] >= 1
    assert all(status[("卷四", n)] == (0, "暂无材料，请补充") for n in range(1, 10))  # nothing in the records
    # the 备考表 of 卷四 says the same
    from docx import Document

    notes = next(e for e in zf.namelist() if e.startswith("卷四") and e.endswith("备考表.docx"))
    text = "\n".join(c.text for t in Document(io.BytesIO(zf.read(notes))).tables for r in t.rows for c in r.cells)
    assert "本卷共0件" in text and "第9项" in text


def test_second_run_is_byte_identical_and_converts_nothing(env, first_run, monkeypatch):
    import service.pdf.convert
    import service.render.paginate

    def refuse(*a, **k):
        raise AssertionError("LibreOffice called on a warm re-run")

    monkeypatch.setattr(service.pdf.convert, "to_pdf", refuse)
    monkeypatch.setattr(service.render.paginate, "_convert", refuse)
    out1, _ = first_run
    out2 = env["tmp"] / "out2"
    result = run_archive(env, out2)
    assert result.exit_code == 0, result.stderr
    assert "其中3个输入未变" in result.stderr
    files1 = {p.relative_to(out1): p.read_bytes() for p in out1.rglob("*") if p.is_file()}
    files2 = {p.relative_to(out2): p.read_bytes() for p in out2.rglob("*") if p.is_file()}
    assert files1.keys() == files2.keys()
    assert [k for k in files1 if files1[k] != files2[k]] == []


def test_an_office_template_override_is_what_the_next_run_files(env, first_run, monkeypatch):
    """The office edits the 荣誉证书 template (wenshu template install): the next run files certificates made from
    it, not the PDFs cached from the shipped one; after a rollback the first run's files come back unchanged."""
    import subprocess

    from service.config import settings
    from service.templates import store
    from tests.templates.conftest import edit_part, shipped

    monkeypatch.setenv("WENSHU_INSTANCE", str(env["tmp"] / "instance-override"))
    settings.cache_clear()
    out1, _ = first_run
    try:
        store.install("certificate", edit_part(shipped("certificate"), ">{{ issuer }}<", ">{{ issuer }}（印）<"))
        out3 = env["tmp"] / "out-override"
        result = run_archive(env, out3)
        assert result.exit_code == 0, result.stderr
        certs = sorted((out3 / "荣誉证书").glob("*.pdf"))
        assert [c.name for c in certs] == sorted(c.name for c in (out1 / "荣誉证书").glob("*.pdf"))
        for c in certs:  # the PDF LibreOffice printed from the edited template
            text = subprocess.run(["pdftotext", "-layout", str(c), "-"], capture_output=True, text=True).stdout
            assert "（印）" in text.replace(" ", ""), c.name
        first, now = _zips(out1), _zips(out3)
        filed = [(z, n) for z, zf in now.items() for n in zf.namelist() if "荣誉证书" in n and n.endswith(".pdf")]
        assert filed and all(now[z].read(n) != first[z].read(n) for z, n in filed)  # the units' filed copies too
    finally:
        store.rollback("certificate")
    out4 = env["tmp"] / "out-rollback"
    assert run_archive(env, out4).exit_code == 0
    assert sorted((out4 / "荣誉证书").glob("*.pdf"))
    assert {p.name: p.read_bytes() for p in (out4 / "荣誉证书").glob("*.pdf")} == {
        p.name: p.read_bytes() for p in (out1 / "荣誉证书").glob("*.pdf")}
    settings.cache_clear()


def test_a_unit_with_broken_data_fails_alone(env, first_run):
    from sqlalchemy import select, update

    from service.records.store.models import Unit

    broken = env["units"][1]
    with env["store"].transaction() as s:
        phone = s.scalar(select(Unit.leader_phone).where(Unit.name == broken))
        s.execute(update(Unit).where(Unit.name == broken).values(leader_phone="12345"))
    try:
        out = env["tmp"] / "out3"
        result = run_archive(env, out)
        assert result.exit_code == 1
        assert "1个单位失败" in result.stderr and broken in result.stderr and "leader_phone" in result.stderr
        zips = {p.name for p in out.glob("*.zip")}
        assert len(zips) == len(env["units"]) - 1 and not any(broken in z for z in zips)
    finally:
        with env["store"].transaction() as s:
            s.execute(update(Unit).where(Unit.name == broken).values(leader_phone=phone))


def test_bad_input_exits_2_and_writes_nothing(env):
    from service.cli import main

    out = env["tmp"] / "out-bad"
    result = CliRunner().invoke(main, ["archive", "--year", str(YEAR), "--out", str(out),
                                                       "--database-url", env["url"]])
    assert result.exit_code == 2 and "机关代字" in result.stderr
    assert not out.exists()


def test_every_item_pdf_carries_its_filing_stamp_on_page_one(first_run):
    """The 归档章 (DA/T 22-2015 appendix A) on page 1 of every filed PDF: 全宗号/年度/件号 over 机构（问题）/保管期限/
    页数 at the configured place, the values of its catalogue row, covering no text of the page."""
    import pdfplumber

    from service.yearend.stamp import MM, box
    from service.yearend.volumes import filing_rules

    out, _ = first_run
    rules = filing_rules()
    retention_of = {v: k for k, v in rules.retention_codes.items()}
    checked = set()
    for zf in _zips(out).values():
        kinds = {f["name"]: f["kind"][:-4].replace("-", "_") for f in json.loads(zf.read("manifest.json"))["files"]}
        for folder in sorted({e.split("/")[0] for e in zf.namelist() if "/" in e}):
            for code, pages in _catalogue(zf, folder):
                entry = next(e for e in zf.namelist() if e.startswith(f"{folder}/文件/{code} ") and e.endswith(".pdf"))
                fonds, _cat, year, retention, problem, seq = re.fullmatch(
                    r"(\w+)-(\w+)·(\d{4})-(\w+)-(\w+)-(\d{4})", code).groups()
                with pdfplumber.open(io.BytesIO(zf.read(entry))) as pdf:
                    assert len(pdf.pages) == pages
                    page = pdf.pages[0]
                    x0, top, x1, bottom = box(rules.stamp, kinds[entry], float(page.width), float(page.height))
                    inside = page.within_bbox((x0 - 1, top - 1, x1 + 1, bottom + 1)).extract_words()
                    texts = [w["text"] for w in inside]
                    assert texts == ["全宗号", "年度", "件号", fonds, year, seq, "机构（问题）", "保管期限", "页数",
                                     problem, retention_of[retention], str(pages)], (entry, texts)
                    stamp_chars = len("".join(texts))
                    near = [c for c in page.chars if c["x1"] > x0 - 2 and c["x0"] < x1 + 2
                            and c["bottom"] > top - 1 * MM and c["top"] < bottom + 1 * MM]
                    assert len(near) == stamp_chars, (entry, "".join(c["text"] for c in near))  # no text covered
                checked.add(kinds[entry])
    assert {"notice", "decision", "results", "leadership_table", "monthly_report", "ledger_card",
            "assessment_sheet", "certificate", "publicity", "quarterly_report", "volunteer_register",
            "funding_register", "activities_parent_child"} <= checked


def test_stamping_keeps_the_pages_and_is_reproducible(first_run):
    """The stamp changes page 1 only: same page count, page 2 untouched, same bytes on a second stamping."""
    import pikepdf

    from service.yearend.stamp import stamp_pdf

    out, _ = first_run
    zf = next(iter(_zips(out).values()))
    entry = next(e for e in zf.namelist() if "通知" in e and e.endswith(".pdf"))
    stem = entry[:-4]
    # the unstamped PDF: the cache's copy, found by the sha256 of the source filed beside it
    from service.config import settings

    src = next(e for e in zf.namelist() if e.startswith(stem) and e.endswith(".docx"))
    import hashlib

    digest = hashlib.sha256(zf.read(src)).hexdigest()
    cached = [p for p in (settings().storage_dir / "archive-cache").rglob("*.docx")
              if hashlib.sha256(p.read_bytes()).hexdigest() == digest]
    plain = cached[0].with_suffix(".pdf").read_bytes()
    values = {"全宗号": "Z001", "年度": YEAR, "件号": "0001", "机构（问题）": "J1", "保管期限": "永久", "页数": 9}
    once, twice = stamp_pdf(plain, values, "notice"), stamp_pdf(plain, values, "notice")
    assert once == twice and once != plain
    with pikepdf.open(io.BytesIO(plain)) as a, pikepdf.open(io.BytesIO(once)) as b:
        assert len(a.pages) == len(b.pages) > 1
        assert a.pages[1].Contents.read_bytes() == b.pages[1].Contents.read_bytes()
        font = b.pages[0].Resources.Font["/WenshuArchiveStamp"]
        assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor  # embedded


def test_publicity_quarterly_reports_and_registers_are_filed_where_the_records_hold_data(env, first_run):
    """培训项目公示 (a quarter with classes), the township's 季报, the activity registers (per kind), the 志愿者名册 and
    the 经费收支登记表 are filed in their Annex 2 items exactly when the records hold data for them (hand-counted
    in SQL); an item with no data stays in the completeness report."""
    from sqlalchemy import text

    out, _ = first_run
    sql = {
        "activities": "SELECT a.kind, COUNT(*) FROM activities a JOIN units u ON u.id = a.unit_id WHERE u.name = :u "
                      "AND a.held_on >= '2020-01-01' AND a.held_on < '2021-01-01' GROUP BY a.kind",
        "volunteers": "SELECT COUNT(*) FROM volunteers v JOIN units u ON u.id = v.unit_id WHERE u.name = :u "
                      "AND (v.joined_on IS NULL OR v.joined_on < '2021-01-01')",
        "funding": "SELECT COUNT(*) FROM funding f JOIN units u ON u.id = f.unit_id WHERE u.name = :u "
                   "AND f.booked_on >= '2020-01-01' AND f.booked_on < '2021-01-01'",
        "starts": "SELECT c.start_date FROM training_classes c JOIN units u ON u.id = c.unit_id WHERE u.name = :u "
                  "AND c.start_date >= '2020-01-01' AND c.start_date < '2021-01-01'",
        "all_starts": "SELECT start_date FROM training_classes WHERE start_date >= '2020-01-01' "
                      "AND start_date < '2021-01-01'",
    }
    seen_missing = seen_filed = 0
    with env["store"].transaction() as s:
        for unit in env["units"]:
            q = {k: s.execute(text(v), {"u": unit}).all() for k, v in sql.items()}
            for k in ("starts", "all_starts"):  # the quarters in which classes started
                q[k[:-6] + "quarters"] = sorted({((d if isinstance(d, dt.date) else dt.date.fromisoformat(d)).month
                                                  + 2) // 3 for (d,) in q[k]})
            zf = _zips(out)[f"{unit}{YEAR}年度社区教育档案.zip"]
            pdfs = [e for e in zf.namelist() if "/文件/" in e and e.endswith(".pdf")]

            def filed(folder: str, words: str, pdfs=pdfs) -> list[str]:
                return [e for e in pdfs if e.startswith(folder) and words in e]
            kinds = dict(q["activities"])
            for kind, folder, words in (("亲子活动", "卷三", "亲子活动登记表"), ("假期儿童活动", "卷三", "假期儿童活动登记表"),
                                        ("志愿服务", "卷二", "志愿服务活动登记表"), ("其他活动", "卷一", "社区教育活动登记表")):
                assert len(filed(folder, words)) == (1 if kinds.get(kind) else 0), (unit, kind)
            assert len(filed("卷二", "志愿者名册")) == (1 if q["volunteers"][0][0] else 0)
            assert len(filed("卷二", "经费收支登记表")) == (2 if q["funding"][0][0] else 0)  # 第8项, copy in 第7项
            assert sorted(e.split("（")[-1][:-5] for e in filed("卷一", "培训项目公示")) == sorted(
                f"{YEAR}年第{'一二三四'[n - 1]}季度" for n in q["quarters"])
            assert len(filed("卷三", "季报表")) == len(q["all_quarters"]) > 0
            report = next(e for e in zf.namelist() if "完整性报告" in e)
            ws = load_workbook(io.BytesIO(zf.read(report))).active
            status = {(r[0].split(" ")[0], r[1]): r[4] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
            for (vol, item), has in ((("卷三", 5), kinds.get("亲子活动")), (("卷三", 6), kinds.get("假期儿童活动")),
                                     (("卷二", 8), q["funding"][0][0]), (("卷二", 7), q["funding"][0][0])):
                assert status[(vol, item)] == ("已有材料" if has else "暂无材料，请补充"), (unit, vol, item)
                seen_missing += not has
                seen_filed += bool(has)
    assert seen_filed  # the small year holds some of these data


def test_the_stamp_font_subset_carries_no_timestamp():
    """The embedded subset is the same bytes at any time (a font saved with a fresh head.modified would make each
    run's archive PDFs differ)."""
    import time

    from service.layout.glyphs import face_file
    from service.yearend.stamp import _subset
    from service.yearend.volumes import filing_rules

    path, index = face_file(filing_rules().stamp.face)
    first = _subset(path, index, "全宗号年度件号0123")
    time.sleep(1.1)
    assert _subset(path, index, "全宗号年度件号0123") == first
