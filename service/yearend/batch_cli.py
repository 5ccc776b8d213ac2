"""`wenshu archive --year 2020 --out DIR`: the whole year-end batch in-process, with a progress bar.

DIR receives the 考核结果 workbook, the 表彰决定 (.docx, .pdf), a 荣誉证书 folder and one archive zip per unit.
A re-run converts nothing new and rewrites nothing unchanged; a unit that fails is listed and the others complete
(exit 1 then). Bad input: a Chinese message, exit 2, nothing written.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from service.records.store.session import open_store
from service.yearend.batch import (
    BatchError,
    YearEndParams,
    office_materials,
    office_outputs,
    plan_batch,
    run_unit,
    write_outputs,
)
from service.yearend.cli import _refuse  # the year-end commands' refusal: Chinese message, exit 2


@click.command("archive")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="年度，如 2020")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="输出目录")
@click.option("--notice", "notice_path", default=None, type=click.Path(exists=True, path_type=Path),
              help="本年度的实施方案通知 notice.json（或其目录）：归入卷一，并作为表彰决定的依据")
@click.option("--agency-code", default=None, help="表彰决定的机关代字（默认取配置或依据通知）")
@click.option("--filed-on", default=None, help="立卷时间，如 2020-12-31（默认年度最后一天）")
@click.option("--database-url", envvar="DATABASE_URL", default=None,
              help="数据库地址（默认：实例目录中的 SQLite 文件；也可用环境变量 DATABASE_URL）")
def archive_cmd(year: int, out_dir: Path, notice_path: Path | None, agency_code: str | None, filed_on: str | None,
                database_url: str | None) -> None:
    """年终批处理：考核结果、表彰决定与荣誉证书、各单位卷一至卷五归档文件（每单位一个 zip）。"""
    import json

    from pydantic import ValidationError

    notice = None
    if notice_path is not None:
        path = notice_path / "notice.json" if notice_path.is_dir() else notice_path
        try:
            notice = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            _refuse(f"【实施方案通知】无法读取 {path.name}：{exc}")
    try:
        params = YearEndParams(year=year, notice=notice, agency_code=agency_code,
                               filed_on=dt.date.fromisoformat(filed_on) if filed_on else None)
    except (ValidationError, ValueError) as exc:
        _refuse(f"参数有误：{str(exc)[:300]}")
    store = open_store(database_url)
    try:
        with store.transaction() as s:
            plan = plan_batch(s, params)
    except BatchError as exc:
        _refuse(str(exc))
    with store.transaction() as s:
        files = office_outputs(s, plan)
    for path in write_outputs(out_dir, files):
        click.echo(str(path))
    office = office_materials(plan)
    failed, skipped = [], 0
    with click.progressbar(plan.units, label="归档", show_pos=True, file=sys.stderr,
                           item_show_func=lambda u: u or "") as bar:
        for unit in bar:
            outcome = run_unit(store.transaction, plan, unit, office)
            if outcome.error:
                failed.append((unit, outcome.error))
                continue
            skipped += outcome.archive.skipped
            click.echo(str(outcome.archive.write(out_dir)))
    done = len(plan.units) - len(failed)
    click.echo(f"{year}年度：{done}个单位已归档（其中{skipped}个输入未变、未重新生成），{len(failed)}个单位失败。", err=True)
    for unit, error in failed:
        click.echo(f"  {unit}：{error}", err=True)
    if failed:
        sys.exit(1)


commands = [archive_cmd]
