"""`wenshu form …` (the Annex 3 / Annex 4 workbooks) and `wenshu bundle` (the reproducible document bundle).

Bad data stops the command with a Chinese message naming row and column, exit status 2, and nothing written.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from service.naming import document_filename


def _fail_on_bad_data(fn):
    """Turn a validation error (any ValueError subclass carrying Chinese messages) into exit status 2."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            click.echo(f"错误：{exc}", err=True)
            sys.exit(2)
    return wrapper


@click.group("form")
def form() -> None:
    """社区教育表格（Excel）：附件3 月报表、附件4 领导小组成员表。"""


def _write_form(outdir: Path, stem: str, data: bytes) -> None:
    from service.files import write_atomic

    click.echo(write_atomic(outdir / document_filename(stem, ".xlsx"), data))


@form.command("monthly-report")
@click.option("--data", "data_path", type=click.Path(path_type=Path), help="月报数据 JSON；省略则生成空白表。")
@click.option("--township-short", default="", help="空白表标题中的镇名，如 百胜镇。")
@click.option("--out", "outdir", required=True, type=click.Path(path_type=Path, file_okay=False), help="输出目录。")
@_fail_on_bad_data
def monthly_report(data_path: Path | None, township_short: str, outdir: Path) -> None:
    """附件3 社区教育培训月报表（.xlsx），空白或按数据填好。"""
    from service.forms.annex3 import load_monthly_report, monthly_report_name, render_monthly_report

    if data_path is None and not township_short:
        raise click.UsageError("生成空白表需要 --township-short（如 百胜镇）")
    report = load_monthly_report(data_path) if data_path else None
    _write_form(outdir, monthly_report_name(report, township_short=township_short),
                render_monthly_report(report, township_short=township_short))


@form.command("leadership")
@click.option("--units", "units_path", type=click.Path(path_type=Path), help="单位数据 units.json；省略则生成空白表。")
@click.option("--township", default="", help="空白表标题中的镇全称，如 重庆市涪陵区百胜镇。")
@click.option("--out", "outdir", required=True, type=click.Path(path_type=Path, file_okay=False), help="输出目录。")
@_fail_on_bad_data
def leadership(units_path: Path | None, township: str, outdir: Path) -> None:
    """附件4 村（居委）活动室领导小组成员表（.xlsx），空白或按单位数据填好。"""
    from service.forms.annex4 import LeadershipTable, leadership_table_name, render_leadership_table
    from service.units import load_units

    if units_path is None and not township:
        raise click.UsageError("生成空白表需要 --township（如 重庆市涪陵区百胜镇）")
    table = LeadershipTable.from_units(load_units(units_path)) if units_path else None
    _write_form(outdir, leadership_table_name(table, township=township),
                render_leadership_table(table, township=township))


@click.command("bundle")
@click.argument("source_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--out", "outdir", required=True, type=click.Path(path_type=Path, file_okay=False), help="输出目录。")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 生成各文件的 PDF。")
@_fail_on_bad_data
def bundle(source_dir: Path, outdir: Path, pdf: bool) -> None:
    """把通知（含附件）、附件3/附件4 表格（空白和已填）、可选 PDF 和 manifest.json 打成一个可复现的 zip。"""
    from service.bundle import build_bundle

    result = build_bundle(source_dir, pdf=pdf)
    path = result.write(outdir)
    click.echo(f"{path}\nsha256 {result.sha256}\n{len(result.manifest.files)} 个文件")


commands = [form, bundle]
