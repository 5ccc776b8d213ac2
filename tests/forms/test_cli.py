"""`wenshu form …`: writes the workbook, or nothing with a Chinese error naming row and column."""
from __future__ import annotations

import json

import click
from click.testing import CliRunner
from openpyxl import load_workbook

from service.config import SAMPLES_DIR
from service.forms.cli import commands

SAMPLE = SAMPLES_DIR / "baisheng-2020"
main = click.Group("wenshu", commands=commands)  # the commands as service.cli registers them


def test_monthly_report_filled_and_blank(tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["form", "monthly-report", "--data", str(SAMPLE / "monthly_report.json"), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    path = tmp_path / "百胜镇社区教育培训月报表（紫荆村2020年5月）.xlsx"
    assert load_workbook(path).active["B5"].value == "“党的十九大精神”宣传诠释专题讲座"
    r = runner.invoke(main, ["form", "monthly-report", "--township-short", "某某镇", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert load_workbook(tmp_path / "某某镇社区教育培训月报表（空白）.xlsx").active["A1"].value == "某某镇社区教育培训月报表"
    r = runner.invoke(main, ["form", "monthly-report", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "--township-short" in r.output


def test_leadership_filled_and_bad_phone_writes_nothing(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    r = runner.invoke(main, ["form", "leadership", "--units", str(SAMPLE / "units.json"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert [p.name for p in out.iterdir()] == ["涪陵区百胜镇社区教育村（居委）活动室领导小组成员表.xlsx"]

    bad = tmp_path / "units.json"
    data = json.loads((SAMPLE / "units.json").read_text(encoding="utf-8"))
    data["units"][0]["leader_phone"] = "1390826010"
    data["units"][10]["leader"]["name"] = ""
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out2 = tmp_path / "out2"
    r = runner.invoke(main, ["form", "leadership", "--units", str(bad), "--out", str(out2)])
    assert r.exit_code == 2
    assert "第1行（百胜社区居委会）【组长电话】" in r.output
    assert "第11行（百胜镇中学）【组长·姓名】" in r.output
    assert not out2.exists()
