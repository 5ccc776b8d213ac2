"""Issue 8.5: control characters, U+FFFE/U+FFFF and lone surrogates in any text field are refused at validation:
422 problem+json naming the field in Chinese (no job created), CLI exit 2 with the Chinese message, no traceback,
nothing written. Before, the API answered 202 and the job failed with XMLSyntaxError; the CLI exited 1."""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.conftest import SAMPLE_DIR, UNIT_A, auth

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = "application/problem+json"
BAD = ["\x00", "\x01", "\x07", "\x1b", "\x1f", "\x0b", "\ufffe", "\uffff", "\ud800", "\udfff"]


def _jobs_total(client, token) -> int:
    return client.get("/api/v1/jobs", headers=auth(token)).json["total"]


def _assert_refused(r, field: str, title: str) -> None:
    assert r.status_code == 422, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.content_type == PROBLEM
    body = r.get_data(as_text=True)
    assert "pydantic" not in body and "Input should" not in body and "Value error" not in body
    err = next(e for e in r.json["errors"] if e["field"] == field)
    assert title in err["title"] and ("字符" in err["message"] or "代理码位" in err["message"]), err
    assert title in r.json["detail"]


@pytest.mark.parametrize("ch", BAD)
def test_notice_title_with_a_control_character_is_422(client, tokens, notice_data, ch):
    data = copy.deepcopy(notice_data)
    data["title"] = "关于开展" + ch + "培训的通知"
    before = _jobs_total(client, tokens["office"])
    r = client.post("/api/v1/jobs", data=json.dumps({"kind": "notice", "params": {"notice": data}}),
                    content_type="application/json", headers=auth(tokens["office"]))
    _assert_refused(r, "params.notice.title", "标题")
    assert _jobs_total(client, tokens["office"]) == before  # nothing accepted, nothing to fail later


@pytest.mark.parametrize("where", ["paragraph", "table", "signature", "tab_in_title"])
def test_nested_text_fields_are_checked_too(client, tokens, notice_data, where):
    data = copy.deepcopy(notice_data)
    if where == "paragraph":
        data["blocks"].insert(0, {"type": "paragraph", "text": "第一段\x0c第二段"})
        field, title = "params.notice.blocks.0.paragraph.text", "文字"
    elif where == "table":
        data["blocks"].insert(0, {"type": "table", "columns": ["甲", "乙"], "rows": [["1", "2\x08"]]})
        field, title = "params.notice.blocks.0.table.rows", "表格行"
    elif where == "signature":
        data["signature"]["organs"] = ["百胜镇人民政府\x1f"]
        field, title = "params.notice.signature.organs", "发文机关署名"
    else:
        data["title"] = "关于\t开展培训的通知"
        field, title = "params.notice.title", "标题"
    r = client.post("/api/v1/jobs", json={"kind": "notice", "params": {"notice": data}},
                    headers=auth(tokens["office"]))
    _assert_refused(r, field, title)


def test_record_job_params_and_query_strings(client, tokens):
    r = client.post("/api/v1/jobs", json={"kind": "monthly-report", "params": {
        "unit": UNIT_A, "year": 2020, "month": 5, "filler": "张\x1b三"}}, headers=auth(tokens["A"]))
    _assert_refused(r, "params.filler", "填表人")
    r = client.get("/api/v1/jobs?kind=no%00te", headers=auth(tokens["office"]))
    _assert_refused(r, "query.kind", "文书种类")


def test_multi_line_notes_keep_their_line_breaks():
    from service.forms.annex3 import parse_monthly_report

    raw = json.loads((SAMPLE_DIR / "monthly_report.json").read_text(encoding="utf-8"))
    assert parse_monthly_report({**raw, "note": "第一行\n第二行\t备注"}).note == "第一行\n第二行\t备注"
    with pytest.raises(ValueError, match="控制字符"):
        parse_monthly_report({**raw, "note": "第一行\x00"})


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def _assert_cli_refused(p: subprocess.CompletedProcess, out: Path, *words: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stdout[-500:], p.stderr[-2000:])
    assert "Traceback" not in p.stderr and "XMLSyntaxError" not in p.stderr
    for w in words:
        assert w in p.stderr, p.stderr
    assert not out.exists() or not any(out.iterdir())


def test_cli_render_notice_exits_2_and_writes_nothing(tmp_path):
    data = json.loads((SAMPLE_DIR / "notice.json").read_text(encoding="utf-8"))
    data["title"] = "关于开展\x07培训的通知"
    src = tmp_path / "notice.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    _assert_cli_refused(_cli("render", "notice", str(src), "--out", str(out)), out, "标题", "控制字符")


def test_cli_bundle_and_forms_exit_2_and_write_nothing(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SAMPLE_DIR, src, ignore=shutil.ignore_patterns("records"))
    units = json.loads((src / "units.json").read_text(encoding="utf-8"))
    units["units"][1]["leader"]["name"] = "王\x00五"
    (src / "units.json").write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    _assert_cli_refused(_cli("bundle", str(src), "--out", str(out)), out, "组长", "控制字符")
    _assert_cli_refused(_cli("form", "leadership", "--units", str(src / "units.json"), "--out", str(out)), out,
                        "组长", "控制字符")


def test_import_cells_refuse_control_characters_but_keep_line_breaks():
    from service.records.exchange.cells import CellValueError, parse_cell
    from service.records.exchange.sheets import CLASSES

    objective = CLASSES.field("objective")
    assert parse_cell(objective, "第一行\n第二行") == "第一行\n第二行"
    for ch in ("\x01", "\x1b", "\uffff"):
        with pytest.raises(CellValueError, match="控制字符"):
            parse_cell(CLASSES.field("title"), f"培训{ch}班")
