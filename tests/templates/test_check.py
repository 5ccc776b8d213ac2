"""The template check and the CLI: shipped templates pass; SSTI payloads, unknown tags, broken zips and XML bombs
are refused with Chinese reasons (exit 2); an edited label or blank-row count is accepted and shows in the output."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from click.testing import CliRunner

from service.cli import main
from service.templates import catalogue
from service.templates.check import check_template
from tests.templates.conftest import edit_part, shipped

OWN = ("ledger_card", "assessment", "quarterly", "public_notice", "archive_catalogue", "archive_cover",
       "archive_notes")


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("name", list(catalogue.templates()))
def test_every_shipped_template_passes_its_check(name):
    report = check_template(shipped(name), name)
    assert report.reasons == [] and report.tags


@pytest.mark.parametrize("name", OWN)
def test_templates_carry_no_python_docx_leftovers(name):
    names = zipfile.ZipFile(io.BytesIO(shipped(name))).namelist()
    assert not [n for n in names if "stylesWithEffects" in n or "thumbnail" in n or n.startswith("customXml")]
    assert len(shipped(name)) < 40_000


@pytest.mark.parametrize("name", ("ledger_card", "assessment", "quarterly", "archive_catalogue", "archive_cover",
                                  "archive_notes"))
def test_record_templates_are_valid_ooxml_as_files(name):
    """A clerk opens the template itself in Word/WPS: no tag inside an attribute value (w:trHeight, w:tcW …),
    every row height and section property reads back with python-docx, the body ends with a paragraph."""
    import re

    xml = zipfile.ZipFile(io.BytesIO(shipped(name))).read("word/document.xml").decode("utf-8")
    assert not re.findall(r'="[^"]*\{[{%][^"]*"', xml)
    d = docx.Document(io.BytesIO(shipped(name)))
    heights = [row.height for t in d.tables for row in t.rows]
    assert heights and all(h is None or h >= 0 for h in heights)
    assert all(s.page_width and s.left_margin for s in d.sections)
    assert d.element.body[-1].tag.endswith("}sectPr") and d.element.body[-2].tag.endswith("}p")


def test_fields_lists_what_the_kind_provides():
    r = run("template", "fields", "ledger_card")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert {"k.unit", "k.teachers", "rows", "title", "blank_rows"} <= set(lines)
    assert run("template", "fields", "no_such_kind").exit_code == 2


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__ }}",
    "{{ title.__class__.__mro__[1].__subclasses__() }}",
    "{{ title|attr('__class__') }}",
    "{{ self.__init__.__globals__ }}",
])
def test_ssti_payloads_are_refused(tmp_path, payload):
    bad = edit_part(shipped("ledger_card"), "{{ title }}", payload)
    path = tmp_path / "ledger_card.docx"
    path.write_bytes(bad)
    r = run("template", "check", str(path))
    assert r.exit_code == 2, r.output
    assert "不安全的表达式" in r.output and "Traceback" not in r.output


def test_an_unknown_tag_is_refused_by_name(tmp_path):
    bad = edit_part(shipped("ledger_card"), "{{ k.unit }}", "{{ k.unit }}{{ k.id_card }}{{ secret }}")
    path = tmp_path / "card.docx"
    path.write_bytes(bad)
    r = run("template", "check", str(path), "--kind", "ledger_card")
    assert r.exit_code == 2
    assert "标签“k.id_card”不是“学员培训记录卡”提供的字段" in r.output
    assert "标签“secret”不是" in r.output


def test_a_loop_variable_typo_is_caught_by_the_dry_run():
    bad = edit_part(shipped("quarterly"), "{{ r.unit }}", "{{ r.unit_name }}", count=2)  # filled and blank row
    report = check_template(bad, "quarterly")
    assert report.reasons and "试生成失败" in report.reasons[0]


def test_a_broken_zip_and_an_xml_bomb_are_refused(tmp_path):
    data = shipped("assessment")
    path = tmp_path / "assessment.docx"
    path.write_bytes(data[: len(data) // 2])
    r = run("template", "check", str(path))
    assert r.exit_code == 2 and "文件已损坏" in r.output
    bomb = edit_part(data, "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>",
                     '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>')
    report = check_template(bomb, "assessment")
    assert any("实体声明" in r for r in report.reasons)
    assert check_template(b"", "assessment").reasons == ["文件是空的。"]


def test_a_template_of_the_wrong_type_is_refused():
    report = check_template(shipped("ledger_card"), "ledger_card", suffix=".xlsx")
    assert report.reasons == ["“学员培训记录卡”的模板应为Word 文档（.docx），收到的是.xlsx文件。"]


def test_an_edited_label_is_accepted_installed_and_rendered_then_rolled_back(instance, tmp_path):
    from service.records.renderers.word import render_ledger_card_docx

    edited = edit_part(shipped("ledger_card"), "学员代表签字", "学员代表签名确认")
    path = tmp_path / "ledger_card.docx"
    path.write_bytes(edited)
    r = run("template", "check", str(path))
    assert r.exit_code == 0 and "合格" in r.output
    before = render_ledger_card_docx(None, township_short="某某镇")
    r = run("template", "install", str(path), "--kind", "ledger_card")
    assert r.exit_code == 0, r.output
    assert (instance / "templates" / "ledger_card.docx").read_bytes() == edited
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(render_ledger_card_docx(None))).paragraphs)
    assert "学员代表签名确认" in text
    listed = run("template", "list").output
    assert "ledger_card\toverride" in listed
    assert run("template", "rollback", "ledger_card").exit_code == 0
    assert render_ledger_card_docx(None, township_short="某某镇") == before
    assert list((instance / "templates" / "history").iterdir())  # the office's file is kept
    assert run("template", "rollback", "ledger_card").exit_code == 2


def test_the_blank_row_count_lives_in_the_template(instance):
    from service.records.renderers.word import render_ledger_card_docx
    from service.templates import store

    assert len(docx.Document(io.BytesIO(render_ledger_card_docx(None))).tables[1].rows) == 1 + 14
    store.install("ledger_card", edit_part(shipped("ledger_card"), "blank_rows(14)", "blank_rows(20)"))
    assert len(docx.Document(io.BytesIO(render_ledger_card_docx(None))).tables[1].rows) == 1 + 20


@pytest.mark.pdf
def test_the_edited_label_prints_in_the_pdf(instance, tmp_path):
    import pdfplumber

    from service.pdf.convert import to_pdf
    from service.records.renderers.word import render_assessment_docx
    from service.templates import store

    edited = edit_part(shipped("assessment"), "考核人（培训教师）", "考核教师签名")
    assert check_template(edited, "assessment").ok
    store.install("assessment", edited)
    src = tmp_path / "assessment.docx"
    src.write_bytes(render_assessment_docx(None, township_short="某某镇"))
    (pdf_path,) = to_pdf([src], tmp_path)
    with pdfplumber.open(pdf_path) as pdf:
        text = "".join(p.extract_text() for p in pdf.pages).replace(" ", "")
    assert "考核教师签名" in text and "考核人（培训教师）" not in text


def test_provenance_names_the_template_of_each_file():
    import hashlib

    from service.docx.engine import load_template
    from service.records.renderers.word import render_ledger_card_docx
    from service.templates.provenance import recording

    with recording() as made:
        data = render_ledger_card_docx(None, township_short="某某镇")
    digest = hashlib.sha256(data).hexdigest()
    sha = load_template("ledger_card").sha256
    assert sha == hashlib.sha256(shipped("ledger_card")).hexdigest()
    siblings = {"卡.docx": digest, "卡.pdf": "0" * 64, "卡.xlsx": "1" * 64}
    assert made.for_file("卡.docx", digest, siblings) == sha
    assert made.for_file("卡.pdf", "0" * 64, siblings) == sha  # converted from the .docx
    assert made.for_file("卡.xlsx", "1" * 64, siblings) is None
    assert render_ledger_card_docx(None, township_short="某某镇") == data  # reproducible bytes
