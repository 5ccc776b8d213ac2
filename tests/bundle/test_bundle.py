"""`wenshu bundle`: contents, manifest, reproducibility (with --pdf too), LibreOffice opens every file."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import click
import pdfplumber
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from service.bundle import MANIFEST_SCHEMA, Manifest, NoticeDocument, build_bundle, canonical_json, source_digest
from service.config import SAMPLES_DIR
from service.forms.annex3 import load_monthly_report
from service.forms.cli import commands
from service.forms.validation import DataValidationError
from service.units import load_units

SAMPLE_DIR = SAMPLES_DIR / "baisheng-2020"

main = click.Group("wenshu", commands=commands)  # the commands as service.cli registers them

NOTICE_DATE = (2020, 6, 3, 0, 0, 0)


def _pdf_text(data: bytes) -> tuple[int, str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages), "".join((p.extract_text() or "") for p in pdf.pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_bundle_holds_notice_forms_pdfs_and_manifest(pdf_bundle, pdf_bundle_files):
    names = list(pdf_bundle_files)
    assert names[-1] == "manifest.json"
    assert names[:-1] == sorted(names[:-1])
    notice = [n for n in names if n.endswith("的通知.docx")]
    assert notice == ["涪百府发〔2020〕75号 重庆市涪陵区百胜镇人民政府关于印发《重庆市涪陵区百胜镇加强社区教育工作实施方案》的通知.docx"]
    assert "附件3 百胜镇社区教育培训月报表（空白）.xlsx" in names
    assert "附件3 百胜镇社区教育培训月报表（紫荆村2020年5月）.xlsx" in names
    assert "附件4 涪陵区百胜镇社区教育村（居委）活动室领导小组成员表（空白）.xlsx" in names
    assert "附件4 涪陵区百胜镇社区教育村（居委）活动室领导小组成员表.xlsx" in names
    office = [n for n in names if n.endswith((".docx", ".xlsx"))]
    assert len(office) == 5
    assert sorted(n for n in names if n.endswith(".pdf")) == sorted(n.rsplit(".", 1)[0] + ".pdf" for n in office)
    assert pdf_bundle.name.startswith("涪百府发〔2020〕75号 ") and pdf_bundle.name.endswith("（文件包）.zip")


def test_zip_entries_utf8_flagged_and_dated(pdf_bundle):
    with zipfile.ZipFile(io.BytesIO(pdf_bundle.data)) as zf:
        assert zf.testzip() is None
        for info in zf.infolist():
            assert info.date_time == NOTICE_DATE
            if not info.filename.isascii():
                assert info.flag_bits & 0x800, info.filename
        for name in zf.namelist():
            if name.endswith((".docx", ".xlsx")):
                with zipfile.ZipFile(io.BytesIO(zf.read(name))) as inner:
                    stamps = {i.date_time for i in inner.infolist()}
                    assert stamps <= {NOTICE_DATE, (1980, 1, 1, 0, 0, 0)}, name
                    assert inner.namelist()[0] == "[Content_Types].xml"


def test_manifest_matches_the_files(pdf_bundle, pdf_bundle_files):
    raw = json.loads(pdf_bundle_files["manifest.json"])
    manifest = Manifest.model_validate(raw)
    assert raw["schema"] == MANIFEST_SCHEMA and list(raw) == ["schema", "source_sha256", "files"]
    assert [f.name for f in manifest.files] == sorted(n for n in pdf_bundle_files if n != "manifest.json")
    for f in manifest.files:
        data = pdf_bundle_files[f.name]
        assert f.sha256 == hashlib.sha256(data).hexdigest() and f.size == len(data)
    kinds = {f.kind for f in manifest.files}
    assert {"notice-docx", "notice-pdf", "monthly-report-xlsx", "monthly-report-blank-xlsx", "leadership-table-xlsx",
            "leadership-table-blank-pdf"} <= kinds and len(kinds) == len(manifest.files)
    sources = {n: json.loads((SAMPLE_DIR / n).read_text(encoding="utf-8"))
               for n in ("notice.json", "units.json", "monthly_report.json")}
    assert manifest.source_sha256 == source_digest(sources)


def test_libreoffice_converted_every_office_file(pdf_bundle_files):
    pdfs = {n: _pdf_text(d) for n, d in pdf_bundle_files.items() if n.endswith(".pdf")}
    assert len(pdfs) == 5
    for name, (pages, text) in pdfs.items():
        assert pages >= 1 and text.strip(), name
    blank3 = pdfs["附件3 百胜镇社区教育培训月报表（空白）.pdf"]
    assert blank3[0] == 1 and "百胜镇社区教育培训月报表" in _flat(blank3[1])
    # the totals are formulas: LibreOffice computed them
    report = load_monthly_report(SAMPLE_DIR / "monthly_report.json")
    filled3 = _flat(pdfs["附件3 百胜镇社区教育培训月报表（紫荆村2020年5月）.pdf"][1])
    assert f"合计{report.total_trainees}{report.total_hours}" in filled3
    for row in report.rows:
        assert _flat(row.project)[:8] in filled3
    filled4 = pdfs["附件4 涪陵区百胜镇社区教育村（居委）活动室领导小组成员表.pdf"]
    assert filled4[0] == 1
    for unit in load_units(SAMPLE_DIR / "units.json").units:
        assert unit.leader_phone in filled4[1] and unit.leader.name in _flat(filled4[1])


def test_pdfs_are_normalised(pdf_bundle_files):
    import pikepdf

    for name, data in pdf_bundle_files.items():
        if name.endswith(".pdf"):
            with pikepdf.open(io.BytesIO(data)) as pdf:
                assert str(pdf.docinfo["/CreationDate"]) == "D:20200603000000+00'00'"
                assert "/Metadata" not in pdf.Root and "/DocChecksum" not in pdf.trailer


def test_two_runs_with_pdf_are_byte_identical(pdf_bundle):
    again = build_bundle(SAMPLE_DIR, pdf=True)  # the second LibreOffice call of the session
    assert again.sha256 == pdf_bundle.sha256


def _fake_notice(source_dir: Path) -> NoticeDocument:
    """A stand-in producer: proves the bundle works around any notice renderer with this signature."""
    import docx

    d = docx.Document()
    d.add_paragraph("测试通知")
    buf = io.BytesIO()
    d.save(buf)
    return NoticeDocument(title="关于测试的通知", number="测府发〔2021〕1号", date=dt.date(2021, 3, 1), docx=buf.getvalue())


def test_producer_is_swappable_and_office_only_bundle_reproducible():
    a = build_bundle(SAMPLE_DIR, produce_notice=_fake_notice)
    b = build_bundle(SAMPLE_DIR, produce_notice=_fake_notice)
    assert a.data == b.data
    with zipfile.ZipFile(io.BytesIO(a.data)) as zf:
        assert "测府发〔2021〕1号 关于测试的通知.docx" in zf.namelist()
        assert not [n for n in zf.namelist() if n.endswith(".pdf")]
        assert {i.date_time for i in zf.infolist()} == {(2021, 3, 1, 0, 0, 0)}
    assert a.name == "测府发〔2021〕1号 关于测试的通知（文件包）.zip"


def test_source_hash_ignores_formatting_but_not_content(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SAMPLE_DIR, src)
    units = json.loads((src / "units.json").read_text(encoding="utf-8"))
    (src / "units.json").write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")  # no indentation
    base = build_bundle(SAMPLE_DIR, produce_notice=_fake_notice).manifest.source_sha256
    assert build_bundle(src, produce_notice=_fake_notice).manifest.source_sha256 == base
    units["units"][0]["resident_population"] += 1
    (src / "units.json").write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    assert build_bundle(src, produce_notice=_fake_notice).manifest.source_sha256 != base
    assert canonical_json({"b": 1, "a": "社"}) == '{"a":"社","b":1}'.encode()


@pytest.fixture()
def bad_source(tmp_path) -> Path:
    src = tmp_path / "bad"
    shutil.copytree(SAMPLE_DIR, src)
    units = json.loads((src / "units.json").read_text(encoding="utf-8"))
    units["units"][3]["leader_phone"] = "023-6234567"
    (src / "units.json").write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    return src


def test_cli_bundle_writes_one_zip(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["bundle", str(SAMPLE_DIR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    [zip_path] = list(out.iterdir())
    digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    assert f"sha256 {digest}" in result.output
    with zipfile.ZipFile(zip_path) as zf:
        wb = load_workbook(io.BytesIO(zf.read("附件4 涪陵区百胜镇社区教育村（居委）活动室领导小组成员表.xlsx")))
        assert wb.active["B3"].value == "百胜社区居委会社区学习中心"


def test_cli_bad_units_reports_row_and_column_and_writes_nothing(bad_source, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["bundle", str(bad_source), "--out", str(out)])
    assert result.exit_code == 2
    assert "第4行（青龙村）【组长电话】" in result.output and "未生成任何文件" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_report_unit_must_exist_in_units(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SAMPLE_DIR, src)
    report = json.loads((src / "monthly_report.json").read_text(encoding="utf-8"))
    report["unit"] = "不存在村"
    (src / "monthly_report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataValidationError, match="“不存在村”不在单位数据中"):
        build_bundle(src, produce_notice=_fake_notice)
