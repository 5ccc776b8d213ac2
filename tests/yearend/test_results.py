"""The 考核结果 workbook: ranking, each unit's indicators (value, target, result), formula-safe text, reproducible."""
from __future__ import annotations

import io
import zipfile

from click.testing import CliRunner
from openpyxl import load_workbook

from service.cli import main
from service.yearend import results_workbook
from service.yearend.indicators import assess

YEAR = 2020


def _wb(data: bytes):
    return load_workbook(io.BytesIO(data))


def _detail_rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows(min_row=3)]


def test_workbook_cells_match_the_assessment(sample_store):
    with sample_store.transaction() as s:
        a = assess(s, YEAR)
    data = results_workbook.render(a)
    assert data == results_workbook.render(a)  # byte-identical
    wb = _wb(data)
    assert wb.sheetnames == ["总分排名", "考核结果", "指标说明"]
    rank = wb["总分排名"]
    assert rank["A1"].value == "百胜镇2020年度社区教育验收考核结果（总分排名）"
    assert [c.value for c in rank[2]] == ["名次", "单位名称", "单位类别", "总分", "达标项数", "考核项数", "同类名次"]
    rows = [[c.value for c in row] for row in rank.iter_rows(min_row=3, max_row=2 + len(a.units))]
    assert [r[1] for r in rows] == [u.unit for u in a.ranking()]
    ranks = [r[0] for r in rows]
    assert ranks == sorted(ranks) and ranks[0] == 1
    for r in rows:
        u = a.unit(r[1])
        assert r[3] == float(u.score) and r[4] == u.met and r[5] == u.applicable and r[2] == u.kind

    detail = wb["考核结果"]
    assert [c.value for c in detail[2]] == ["序号", "单位名称", "考核指标", "分子", "分母", "数值", "目标", "结果", "说明"]
    cells = {(r[1], r[2]): r for r in _detail_rows(detail) if r[1]}
    # merged unit cells: the name is on the block's first row only; find every indicator by walking the blocks
    unit = None
    seen = 0
    for r in _detail_rows(detail):
        unit = r[1] or unit
        if r[2] == "总分":
            assert r[5] == float(a.unit(unit).score) and r[7] == f"第{a.unit(unit).rank}名"
            continue
        ind = next(i for i in a.unit(unit).indicators if i.name == r[2])
        assert r[7] == {"met": "达标", "not_met": "未达标", "missing": "缺数据", "data_error": "数据错误"}[ind.status]
        assert r[6] == float(ind.target)
        assert (r[5] is None) == (ind.value is None)
        if ind.value is not None:
            assert r[5] == float(ind.value) and r[4] == ind.denominator
        seen += 1
    assert seen == sum(len(u.indicators) for u in a.units) and cells
    row = next(row for row in detail.iter_rows(min_row=3) if row[2].value == "社区成员培训率")
    assert row[5].number_format == "0.00%" and row[6].number_format == "0.00%"
    rules = wb["指标说明"]
    names = [c.value for c in rules["A"][2:]]
    assert names == [t.name for t in a.targets]
    assert "至少出勤一次" in rules["E3"].value and "40%" in rules["F3"].value


def test_missing_and_error_statuses_and_formula_like_names_stay_text(tiny_store):
    with tiny_store.transaction() as s:
        a = assess(s, YEAR)
    data = results_workbook.render(a)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheets = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in x or "<f " in x for x in sheets)  # no formula anywhere
    wb = _wb(data)
    rank = wb["总分排名"]
    odd = next(c for c in rank["B"] if c.value == "=SUM(1,2)")
    assert odd.data_type == "s"
    statuses = [r[7] for r in _detail_rows(wb["考核结果"])]
    assert "数据错误" in statuses and "缺数据" in statuses and "达标" in statuses
    err = next(r for r in _detail_rows(wb["考核结果"]) if r[7] == "数据错误")
    assert err[2] == "管理人员培训率" and err[5] == 2 and "超过100%" in err[8]


def test_cli_assess_writes_the_workbook(tiny_store, tmp_path):
    url = tiny_store.engine.url.render_as_string(hide_password=False)
    r = CliRunner().invoke(main, ["yearend", "assess", "--year", str(YEAR), "--out", str(tmp_path),
                                  "--database-url", url])
    assert r.exit_code == 0, r.output
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == ["某镇2020年度社区教育验收考核结果.xlsx"]
    assert _wb(files[0].read_bytes())["总分排名"]["B3"].value == "甲村"
    bad = CliRunner().invoke(main, ["yearend", "assess", "--year", str(YEAR), "--out", str(tmp_path / "x"),
                                    "--unit", "不存在村", "--database-url", url])
    assert bad.exit_code == 2 and "不存在村" in bad.output and not (tmp_path / "x").exists()


def test_workbook_follows_its_form_description(sample_store, monkeypatch, tmp_path):
    """Widths, heights and sizes are doc_templates/forms/yearend.yaml's: an edited copy changes the workbook."""
    from service.forms.geometry import form
    from tests.forms.edited_forms import edit_forms

    with sample_store.transaction() as s:
        a = assess(s, YEAR)
    wb = _wb(results_workbook.render(a))
    assert wb["总分排名"].column_dimensions["B"].width == 22 and wb["指标说明"].row_dimensions[3].height == 48

    ranking = [c.model_dump() for c in form("results_ranking").columns]
    ranking[1]["width"] = 30
    detail = [c.model_dump() for c in form("results_detail").columns]
    detail[8]["width"] = 40
    edit_forms(monkeypatch, tmp_path, {"results_ranking": {"columns": ranking, "heights": {"note": 50},
                                                           "sizes": {"note": 9}},
                                       "results_detail": {"columns": detail},
                                       "results_rules": {"heights": {"row": 60}}})
    wb = _wb(results_workbook.render(a))
    rank = wb["总分排名"]
    note = 3 + len(a.units)
    assert rank.column_dimensions["B"].width == 30
    assert rank.row_dimensions[note].height == 50 and rank.cell(note, 1).font.sz == 9
    assert wb["考核结果"].column_dimensions["I"].width == 40
    assert wb["指标说明"].row_dimensions[3].height == 60
