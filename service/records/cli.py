"""`wenshu` commands of the records area: ledger, assessment, report, publicity, records (templates, import).
The documents are made by their kinds (service.kinds.records), exactly as the jobs make them."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from pydantic import BaseModel, ValidationError

from service.kinds import records as kinds
from service.kinds.kind import DocumentKind, make, write_items
from service.records.queries import reports
from service.records.renderers import outputs
from service.records.store.session import Store, open_store
from service.units import normalize_phone

DB_OPTION = click.option("--database-url", envvar="DATABASE_URL", default=None,
                         help="数据库地址（默认：实例目录中的 SQLite 文件；也可用环境变量 DATABASE_URL）")
OUT_OPTION = click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
                          help="输出目录")


def _store(url: str | None) -> Store:
    return open_store(url)


def _month(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", value.strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise click.BadParameter(f"“{value}”不是月份，应写作 2020-05", param_hint="--month")
    return int(m[1]), int(m[2])


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _written(files: list[outputs.OutputFile], out_dir: Path) -> None:
    for f in files:
        click.echo(str(f.write(out_dir)))


def _params(model: type[BaseModel], **values) -> BaseModel:
    """The kind's params from the options; bad values end the command with the Chinese reasons."""
    from service.models.errors import chinese_errors, format_errors

    try:
        return model(**values)
    except ValidationError as exc:
        _fail(format_errors(chinese_errors(exc, model)))


def _make(kind: DocumentKind, params: BaseModel, out_dir: Path, database_url: str | None) -> list[Path]:
    """Make the kind's documents from the store, as a job would; a unit or class not found ends the command."""
    try:
        paths = make(kind, params, _store(database_url).transaction, out_dir)
    except (LookupError, ValueError) as exc:
        _fail(str(exc.args[0]) if exc.args else str(exc))
    for p in paths:
        click.echo(str(p))
    return paths


@click.command("ledger")
@click.option("--unit", required=True, help="单位名称，如 紫荆村")
@click.option("--month", required=True, help="月份，如 2020-05")
@OUT_OPTION
@DB_OPTION
def ledger_cmd(unit: str, month: str, out_dir: Path, database_url: str | None) -> None:
    """写出某单位某月开班的每个培训班的学员培训记录卡。"""
    year, mon = _month(month)
    params = _params(kinds.ClassDocumentsParams, unit=unit, year=year, month=mon)
    if not _make(kinds.LEDGER_CARDS, params, out_dir, database_url):
        click.echo(f"{unit}在{year}年{mon}月没有开班记录，未生成文件。", err=True)


@click.command("assessment")
@click.option("--class", "class_id", required=True, type=int, help="培训班编号")
@OUT_OPTION
@DB_OPTION
def assessment_cmd(class_id: int, out_dir: Path, database_url: str | None) -> None:
    """写出一个培训班的学员考核表。"""
    store = _store(database_url)
    with store.transaction() as s:
        try:
            item = kinds.class_item(reports.assessment_sheet(s, class_id), ["xlsx", "docx"])
        except reports.NotFound as exc:
            _fail(str(exc))
    for p in write_items(kinds.ASSESSMENT_SHEETS, [item], store.transaction, out_dir):
        click.echo(str(p))


@click.group("report")
def report_group() -> None:
    """月报表、季报。"""


@report_group.command("monthly")
@click.option("--unit", required=True, help="单位名称")
@click.option("--month", required=True, help="月份，如 2020-05")
@click.option("--filled-on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="填报时间，如 2020-06-03")
@click.option("--filler", default=None, help="填表人（默认：单位工作人员）")
@click.option("--phone", default=None, help="联系电话")
@click.option("--email", default="", help="邮箱")
@OUT_OPTION
@DB_OPTION
def monthly_cmd(unit, month, filled_on, filler, phone, email, out_dir, database_url) -> None:
    """写出某单位某月的社区教育培训月报表（附件3）。"""
    year, mon = _month(month)
    try:
        phone = normalize_phone(phone) if phone else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--phone") from None
    params = _params(kinds.MonthlyReportParams, unit=unit, year=year, month=mon,
                     filled_on=filled_on.date() if filled_on else None, filler=filler, phone=phone, email=email)
    _make(kinds.MONTHLY_REPORT, params, out_dir, database_url)


@report_group.command("quarterly")
@click.option("--year", required=True, type=int, help="年度，如 2020")
@click.option("--quarter", required=True, type=click.IntRange(1, 4), help="季度 1—4")
@click.option("--filled-on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="报出日期")
@OUT_OPTION
@DB_OPTION
def quarterly_cmd(year, quarter, filled_on, out_dir, database_url) -> None:
    """写出全镇某季度的社区教育培训季报表。"""
    params = _params(kinds.QuarterlyReportParams, year=year, quarter=quarter,
                     filled_on=filled_on.date() if filled_on else None)
    _make(kinds.QUARTERLY_REPORT, params, out_dir, database_url)


@click.command("publicity")
@click.option("--unit", required=True, help="单位名称，如 紫荆村")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="公示开始日期，如 2020-05-25")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="公示截止日期")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="只公示此日期前开班的项目（默认：公示截止后三个月内）")
@click.option("--phone", required=True, help="监督电话")
@click.option("--issuer", default=None, help="公示单位（默认：本镇社区教育学校）")
@OUT_OPTION
@DB_OPTION
def publicity_cmd(unit, start, end, until, phone, issuer, out_dir, database_url) -> None:
    """写出学习中心的培训项目公示（公示期后开班的培训项目；不含学员个人信息）。"""
    params = _params(kinds.PublicityParams, unit=unit, start=start.date(), end=end.date(),
                     until=until.date() if until else None, phone=phone, issuer=issuer)
    _make(kinds.PUBLICITY, params, out_dir, database_url)


@click.group("records")
def records_group() -> None:
    """培训记录：空白表、导入模板、导出、Excel 导入。"""


@records_group.command("blank")
@OUT_OPTION
@DB_OPTION
def blank_cmd(out_dir: Path, database_url: str | None) -> None:
    """写出各表的空白版（手工填写用）和两个导入模板（单位下拉取自记录库）。"""
    with _store(database_url).transaction() as s:
        files = outputs.store_blank_files(s)
    _written(files, out_dir)


@records_group.command("export")
@click.option("--unit", default=None, help="只导出该单位的记录（学习中心使用）")
@OUT_OPTION
@DB_OPTION
def export_cmd(unit: str | None, out_dir: Path, database_url: str | None) -> None:
    """把记录库中的培训班和学员导出为导入模板格式的工作簿，改好后可重新导入（只更新，不重复）。"""
    from service.jobs import kinds as registry
    from service.jobs.records_io_kinds import EXPORT_KIND, WORKBOOK_TITLES, ExportParams

    store = _store(database_url)
    if unit is not None:
        with store.transaction() as s:
            try:
                reports.unit_named(s, unit)
            except reports.NotFound as exc:
                _fail(str(exc))
    items = [(title, ExportParams(workbook=workbook, unit=unit).model_dump(mode="json"))
             for workbook, title in WORKBOOK_TITLES.items()]  # the export job's item, once per workbook
    for path in write_items(registry.get(EXPORT_KIND), items, store.transaction, out_dir):
        click.echo(str(path))


@records_group.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", default=None, help="只允许导入该单位的记录（学习中心使用）")
@click.option("--marked", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="导入失败时，把标出错误单元格的工作簿写到此处")
@DB_OPTION
def import_cmd(workbook: Path, unit: str | None, marked: Path | None, database_url: str | None) -> None:
    """导入培训班计划表或学员名册（.xlsx）。有任何错误则不写入任何记录。"""
    import json
    import shutil
    import tempfile

    from service.access.tokens import Principal
    from service.jobs import kinds as registry
    from service.jobs.records_io_kinds import IMPORT_KIND, MARKED_NAME, REPORT_NAME, discard_upload, keep_upload
    from service.records.exchange.reader import CellError

    # the import job's own path: the upload kept in the storage folder, the kind run on it (audited as "cli")
    params = keep_upload(Principal(token_id=None, role="centre" if unit else "office", unit=unit),
                         workbook.read_bytes(), workbook.name)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            make(registry.get(IMPORT_KIND), params, _store(database_url).transaction, Path(tmp))
            report = json.loads((Path(tmp) / REPORT_NAME).read_text(encoding="utf-8"))
            if not report["ok"] and marked is not None and (Path(tmp) / MARKED_NAME).is_file():
                marked.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(tmp) / MARKED_NAME, marked)
                click.echo(f"已标出错误的工作簿：{marked}", err=True)
    finally:
        discard_upload(params)
    if report["ok"]:
        click.echo(report["summary"])
        return
    click.echo(report["detail"])
    for e in report["errors"]:
        if e["message"] != report["detail"]:  # a refused workbook: its reason is the detail
            click.echo(f"  {CellError(**e)}")
    sys.exit(1)


commands = [ledger_cmd, assessment_cmd, report_group, publicity_cmd, records_group]
