"""`wenshu load samples/<set>/`: a sample set into the records store."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from samples.loader import load_sample
from service.forms.validation import DataValidationError
from service.records.store.session import open_store

LABELS = {"units": "单位", "activities": "活动", "volunteers": "志愿者", "funding": "经费"}


@click.command("load")
@click.argument("sample_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--database-url", envvar="DATABASE_URL", default=None,
              help="数据库地址（默认：实例目录中的 SQLite 文件；也可用环境变量 DATABASE_URL）")
def load_cmd(sample_dir: Path, database_url: str | None) -> None:
    """载入样例数据集（单位数据 units.json 和培训记录）到记录库。可重复运行，不会产生重复记录。"""
    try:
        with open_store(database_url).transaction() as s:
            summary = load_sample(s, sample_dir)
    except DataValidationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    for key, value in summary.items():
        label = LABELS.get(key, key)
        if isinstance(value, dict):
            click.echo(f"{label}：新增{value['created']}，更新{value['updated']}，未变{value['unchanged']}")
        else:
            click.echo(f"{label}：新增{value}")


commands = [load_cmd]
