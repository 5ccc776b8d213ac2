"""`wenshu template …`: the fields a kind provides, checking a template file, the list of templates in use, and an
office's override (install / roll back) from the command line."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from service.templates import catalogue, store
from service.templates.check import check_template, guess_kind
from service.templates.template import Template


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(2)


def _kind_or_fail(name: str) -> Template:
    try:
        return catalogue.template(name)
    except KeyError as exc:
        _fail([exc.args[0]])


@click.group("template")
def template() -> None:
    """文书模板：字段、检查、覆盖与回退。"""


@template.command("fields")
@click.argument("kind")
def fields_cmd(kind: str) -> None:
    """列出模板种类 KIND 提供的标签字段（rows[] 为列表 rows 的一项）。"""
    tk = _kind_or_fail(kind)
    click.echo(f"# {tk.title}（{tk.name}{tk.suffix}）可用的标签字段")
    for f in catalogue.fields(tk.name):
        click.echo(f)


@template.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", "kind", default=None, help="模板种类；不填则按文件名判断（如 ledger_card.docx）")
def check_cmd(file: Path, kind: str | None) -> None:
    """检查模板文件：合格退出码 0；否则退出码 2 并列出原因。"""
    if not file.is_file():
        _fail([f"找不到文件：{file}"])
    if kind is not None:
        _kind_or_fail(kind)
    kind = kind or guess_kind(file.name)
    report = check_template(file.read_bytes(), kind, suffix=file.suffix.lower() or None)
    if not report.ok:
        _fail([f"模板不合格：{file}"] + [f"  - {r}" for r in report.reasons])
    what = f"“{catalogue.template(kind).title}”的模板" if kind else "模板（未指定种类，只检查了文件与标签安全）"
    click.echo(f"合格：{file} 可作为{what}；sha256 {report.sha256}")


@template.command("list")
def list_cmd() -> None:
    """列出各种类正在使用的模板（内置或本单位覆盖）及其 sha256。"""
    for row in catalogue.listing():
        used = "、".join(row["used_by"]) or "—"
        click.echo(f"{row['kind']}\t{row['source']}\t{row['sha256']}\t{row['title']}\t用于 {used}")


@template.command("install")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--kind", "kind", required=True, help="模板种类")
def install_cmd(file: Path, kind: str) -> None:
    """检查后把 FILE 作为本单位的 KIND 模板（覆盖内置模板）。"""
    tk = _kind_or_fail(kind)
    data = file.read_bytes()
    report = check_template(data, tk.name, suffix=file.suffix.lower() or None)
    if not report.ok:
        _fail([f"模板不合格，未安装：{file}"] + [f"  - {r}" for r in report.reasons])
    store.install(tk.name, data, tk.suffix)
    click.echo(f"已安装：{tk.title} 使用 {file.name}（sha256 {report.sha256}）")


@template.command("rollback")
@click.argument("kind")
def rollback_cmd(kind: str) -> None:
    """KIND 回退到内置模板。"""
    tk = _kind_or_fail(kind)
    if not store.rollback(tk.name, tk.suffix):
        _fail([f"“{tk.title}”没有本单位覆盖的模板，已在使用内置模板。"])
    click.echo(f"已回退：{tk.title} 使用内置模板")


commands = [template]
