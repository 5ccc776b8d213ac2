"""`wenshu yearend assess` (考核结果 workbook) and `wenshu yearend commend` (表彰决定 + 荣誉证书).

Bad input: a Chinese message, exit 2, nothing written. The 发文字号 of the 决定 is taken from the register
(service.records.store.register) in the same transaction that renders it: a failed render registers nothing.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import click

from service.files import write_atomic
from service.models.notice import DocNumber, NoticeValidationError, load_notice
from service.records.store.register import RegisterError, allocate, register
from service.records.store.session import open_store
from service.yearend import commendation, indicators, results_workbook

DB_OPTION = click.option("--database-url", envvar="DATABASE_URL", default=None,
                         help="数据库地址（默认：实例目录中的 SQLite 文件；也可用环境变量 DATABASE_URL）")
YEAR_OPTION = click.option("--year", required=True, type=click.IntRange(2000, 2100), help="考核年度，如 2020")
OUT_OPTION = click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
                          help="输出目录")
CERT_DIR = "荣誉证书"


def _refuse(message: str) -> None:
    click.echo(f"输入有误，未生成任何文件：{message}", err=True)
    sys.exit(2)


def _assessment(session, year: int, units: tuple[str, ...]) -> indicators.YearAssessment:
    try:
        a = indicators.assess(session, year, units=units or None)
    except indicators.UnknownUnits as exc:
        _refuse(str(exc))
    if not a.units:
        _refuse(f"【年度】记录库中没有单位数据，无法考核{year}年度：请先运行 wenshu load 或导入单位")
    return a


@click.group("yearend")
def yearend_group() -> None:
    """年终验收考核、表彰决定和荣誉证书。"""


@yearend_group.command("assess")
@YEAR_OPTION
@OUT_OPTION
@click.option("--unit", "units", multiple=True, help="只考核这些单位（可重复）；默认全部单位")
@DB_OPTION
def assess_cmd(year: int, out_dir: Path, units: tuple[str, ...], database_url: str | None) -> None:
    """按配置的考核指标计算各单位年度考核结果，写出考核结果工作簿（.xlsx）。"""
    with open_store(database_url).transaction() as s:
        a = _assessment(s, year, units)
    path = write_atomic(out_dir / results_workbook.filename(a), results_workbook.render(a))
    click.echo(str(path))


def _rule(text: str | None) -> commendation.Rule | None:
    if text is None:
        return None
    m = re.fullmatch(r"\s*(top|前)\s*[:：]?\s*(\d+)\s*", text) or re.fullmatch(r"\s*(score|分)\s*[:：>=≥]*\s*(\d+(?:\.\d+)?)\s*", text)
    if not m:
        _refuse(f"【评选规则】“{text}”无效：应写作 top:5（前5名）或 score:80（总分不低于80分）")
    if m[1] in ("top", "前"):
        return commendation.Rule(kind="top_n", n=max(1, int(m[2])))
    return commendation.Rule(kind="threshold", min_score=min(100.0, float(m[2])))


@yearend_group.command("commend")
@YEAR_OPTION
@OUT_OPTION
@click.option("--rule", "rule_text", default=None, help="评选规则：top:5（前5名）或 score:80（总分不低于80分）；默认按配置")
@click.option("--notice", "notice_path", default=None, type=click.Path(exists=True, path_type=Path),
              help="依据的实施方案通知（notice.json 或其目录）：引用其发文字号，沿用其机关代字")
@click.option("--agency-code", default=None, help="机关代字，如“某府发”（默认取配置或依据通知）")
@click.option("--serial", default=None, type=click.IntRange(1, 99999), help="发文序号（默认取发文登记的下一个号）")
@click.option("--date", "date_text", default=None, help="成文日期，如 2020-11-30（默认按配置）")
@DB_OPTION
def commend_cmd(year: int, out_dir: Path, rule_text: str | None, notice_path: Path | None, agency_code: str | None,
                serial: int | None, date_text: str | None, database_url: str | None) -> None:
    """按考核结果评选先进单位，写出表彰决定（.docx、.pdf）和荣誉证书文件夹（每个单位一份 .docx、.pdf）。"""
    config = commendation.load_config()
    rule = _rule(rule_text)
    try:
        date = dt.date.fromisoformat(date_text) if date_text else config.default_date(year)
    except ValueError:
        _refuse(f"【成文日期】“{date_text}”无效：应写作 2020-11-30")
    try:
        basis = load_notice(notice_path) if notice_path else None
    except NoticeValidationError as exc:
        _refuse(f"依据通知有误：{exc}")
    code = agency_code or config.agency_code or (basis.number.agency_code if basis else "")
    if not code:
        _refuse("【机关代字】未指定：请用 --agency-code 指定，或用 --notice 给出依据通知，或在配置中填写 agency_code")
    files: dict[str, bytes] = {}
    with open_store(database_url).transaction() as s:
        a = _assessment(s, year, ())
        selected = commendation.select(a, rule)
        if not selected:
            _refuse("没有符合评选规则的单位，未生成表彰决定")
        title = commendation.decision_model(a, selected, number=DocNumber(agency_code=code, year=date.year, serial=1),
                                            date=date, basis=basis).title
        try:
            row = (register(s, code, date.year, serial, title) if serial
                   else allocate(s, code, date.year, title))
        except RegisterError as exc:
            _refuse(str(exc))
        number = DocNumber(agency_code=code, year=date.year, serial=row.serial)
        docx, pdf, pages = commendation.render_decision(a, selected, number=number, date=date, basis=basis)
        files[commendation.decision_filename(title, ".docx", str(number))] = docx
        files[commendation.decision_filename(title, ".pdf", str(number))] = pdf
        honour, issuer = commendation.honour_of(a), commendation.issuer_of(a)
        certs = {commendation.certificate_filename(u.unit): commendation.render_certificate(
            u.unit, honour, issuer, date, year=year) for u in selected}
        pdfs = commendation.certificate_pdfs(certs, date)
        for name, data in {**certs, **pdfs}.items():
            files[f"{CERT_DIR}/{name}"] = data
    for name, data in files.items():
        click.echo(str(write_atomic(out_dir / name, data)))
    click.echo(f"表彰决定{number}共{pages}页；受表彰单位{len(selected)}个：{'、'.join(u.unit for u in selected)}", err=True)


commands = [yearend_group]
