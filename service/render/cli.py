"""`wenshu render notice …` (the notice kind, service.kinds.notice) and `wenshu doctor`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from service.kinds.notice import write_notice
from service.lint import lint, normalise
from service.models.notice import NoticeValidationError, load_notice, parse_notice


@click.group("render")
def render_group() -> None:
    """生成公文。"""


@render_group.command("notice")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="输出目录")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF（打印以 PDF 为准）")
@click.option("--normalise", is_flag=True, help="自动修正半角标点、日期写法等机械性问题")
def render_notice_cmd(source: Path, out: Path, pdf: bool, normalise: bool) -> None:
    """把 SOURCE（notice.json 或其所在目录）排成红头文件。"""
    try:
        if normalise:
            path = source / "notice.json" if source.is_dir() else source
            notice = parse_notice(_normalised(path))
        else:
            notice = load_notice(source)
    except NoticeValidationError as exc:
        click.echo("输入有误，未生成任何文件：", err=True)
        click.echo(str(exc), err=True)
        sys.exit(2)
    for finding in lint(notice.model_dump(mode="json")):
        click.echo(f"提示 {finding}", err=True)
    try:  # the layout may find what the model could not (a 版记 LibreOffice cannot fit one page)
        out.mkdir(parents=True, exist_ok=True)
        paths, rendered = write_notice(notice, out, pdf=pdf)
    except NoticeValidationError as exc:
        click.echo("输入有误，未生成任何文件：", err=True)
        click.echo(str(exc), err=True)
        sys.exit(2)
    for note in rendered.report.notes:
        click.echo(f"排版 {note}", err=True)
    for p in paths:
        click.echo(str(p))


def _normalised(path: Path) -> dict:
    try:
        return normalise(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise NoticeValidationError([{"field": "", "title": "文件", "message": f"无法读取 {path}：{exc}"}]) from None


@click.command("doctor")
def doctor() -> None:
    """检查 LibreOffice 与字体映射。"""
    from service.layout.fonts import matched_fonts
    from service.pdf.convert import soffice_version

    click.echo(soffice_version())
    for official, found in matched_fonts().items():
        click.echo(f"字体 {official} -> {found}")


commands = [render_group, doctor]
