"""The template kinds are read off the one list of document kinds (issue 9 item 4): a kind added to
service.kinds.KINDS with its template file and sample JSON is listed, checked, overridden and rendered by
`wenshu template …`, `wenshu make` and the engine with no other module touched, and the register's template hash
names it."""
from __future__ import annotations

import hashlib
import json

import docx
import pytest
from click.testing import CliRunner
from pydantic import BaseModel

import service.kinds
from service.cli import main
from service.docx.engine import load_template
from service.kinds.kind import DocumentKind, make
from service.templates import catalogue
from service.templates.template import Template
from tests.templates.conftest import edit_part


def run(*args):
    return CliRunner().invoke(main, list(args))


class SlipParams(BaseModel):
    unit: str
    copies: int


def _text(path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


@pytest.fixture()
def slip(tmp_path, monkeypatch, instance):
    """A throwaway kind 领取单: its template drawn (python-docx here, Word for a clerk) in a folder of its own, its
    sample JSON beside it, its DocumentKind added to the one list and nowhere else."""
    folder = tmp_path / "slip_templates"
    folder.mkdir()
    d = docx.Document()
    d.add_paragraph("{{ unit }}领取通知{{ copies }}份。")
    d.add_paragraph("领取人签字：")
    d.save(str(folder / "slip.docx"))
    (folder / "slip.json").write_text(json.dumps({"unit": "示例村", "copies": 2}, ensure_ascii=False), "utf-8")
    template = Template("slip", "通知领取单", lambda data: dict(data), sample=folder / "slip.json", folder=folder)

    def render(data: dict, out_dir):
        path = out_dir / f"{data['unit']} 通知领取单.docx"
        path.write_bytes(load_template(template).render(dict(data)))
        return [path]

    kind = DocumentKind("slip", "通知领取单", SlipParams, render, templates=(template,))
    monkeypatch.setattr(service.kinds, "KINDS", service.kinds.KINDS + (kind,))
    return kind, folder


def test_a_kind_added_to_the_one_list_is_a_template_kind(slip, tmp_path):
    kind, folder = slip
    assert "slip" in catalogue.templates() and catalogue.template("slip") is kind.templates[0]
    shipped_sha = hashlib.sha256((folder / "slip.docx").read_bytes()).hexdigest()

    listed = run("template", "list")
    assert listed.exit_code == 0 and f"slip\tshipped\t{shipped_sha}\t通知领取单\t用于 slip" in listed.output
    fields = run("template", "fields", "slip")
    assert fields.exit_code == 0 and {"unit", "copies", "blank_rows"} <= set(fields.output.splitlines())

    ok = run("template", "check", str(folder / "slip.docx"))  # the kind guessed from the file name
    assert ok.exit_code == 0 and "“通知领取单”的模板" in ok.output
    bad = tmp_path / "bad.docx"
    bad.write_bytes(edit_part((folder / "slip.docx").read_bytes(), "{{ copies }}", "{{ copies }}{{ signer }}"))
    refused = run("template", "check", str(bad), "--kind", "slip")
    assert refused.exit_code == 2 and "“signer”不是“通知领取单”提供的字段" in refused.output


def test_the_added_kind_renders_its_template_and_an_override_wins(slip, tmp_path, instance):
    from service.templates.provenance import recording

    kind, folder = slip
    with recording() as made:
        (path,) = make(kind, SlipParams(unit="紫荆村", copies=3), None, tmp_path / "out")
    assert _text(path).startswith("紫荆村领取通知3份。")
    r = run("make", "slip", "--set", "unit=示例村", "--set", "copies=2", "--out", str(tmp_path / "cli"))
    assert r.exit_code == 0 and _text(tmp_path / "cli" / "示例村 通知领取单.docx").startswith("示例村领取通知2份。")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert made.for_file(path.name, digest) == hashlib.sha256((folder / "slip.docx").read_bytes()).hexdigest()

    edited = tmp_path / "edited.docx"  # a clerk changes the label in Word and installs it
    edited.write_bytes(edit_part((folder / "slip.docx").read_bytes(), "领取人签字", "领取人签名及日期"))
    assert run("template", "install", str(edited), "--kind", "slip").exit_code == 0
    assert (instance / "templates" / "slip.docx").read_bytes() == edited.read_bytes()
    with recording() as made:
        (path,) = make(kind, SlipParams(unit="紫荆村", copies=3), None, tmp_path / "again")
    assert "领取人签名及日期" in _text(path)
    assert made.for_file(path.name, hashlib.sha256(path.read_bytes()).hexdigest()) == \
        hashlib.sha256(edited.read_bytes()).hexdigest()
    assert "slip\toverride" in run("template", "list").output
    assert run("template", "rollback", "slip").exit_code == 0
    (path,) = make(kind, SlipParams(unit="紫荆村", copies=3), None, tmp_path / "back")
    assert "领取人签字" in _text(path)


def test_a_template_declared_twice_differently_is_refused(monkeypatch):
    """Two kinds sharing a template share its one declaration; a second, different one with the same name is an
    error, not a silent second table."""
    first = service.kinds.KINDS[0]
    clash = DocumentKind("clash", "冲突", SlipParams, lambda d, o: [],
                         templates=(Template(first.templates[0].name, "另一个", dict),))
    monkeypatch.setattr(service.kinds, "KINDS", service.kinds.KINDS + (clash,))
    with pytest.raises(ValueError, match="declared twice"):
        catalogue.templates()


def test_the_template_kinds_have_no_table_of_their_own():
    """Every template kind is a template some document kind declares, and the catalogue module keeps no list."""
    declared = {t.name: t for k in service.kinds.KINDS for t in k.templates}
    assert catalogue.templates() == declared
    assert not [n for n, v in vars(catalogue).items()
                if not n.startswith("__") and isinstance(v, (dict, tuple, list, set)) and v]
    assert set(declared) == {"notice", "ledger_card", "assessment", "quarterly", "public_notice", "certificate",
                             "archive_catalogue", "archive_cover", "archive_notes"}
