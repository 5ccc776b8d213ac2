"""`wenshu make KIND`: any document kind of the one list (service.kinds.KINDS), with the params POST /api/v1/jobs
takes, made the way the worker makes it (the kind's check, its items read from the store, each item written).
A kind added to the list can be made from the command line at once; `wenshu ledger|report|publicity|render` are
the same kinds with friendlier options."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from pydantic import ValidationError

import service.kinds
from service.kinds.kind import make


def _fail(lines: list[str], code: int) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(code)


def _types(schema: dict) -> set[str]:
    return {schema["type"]} if "type" in schema else {t for s in schema.get("anyOf", ()) for t in _types(s)}


def _value(text: str, field: dict):
    """`--set key=value`: the value as JSON (2020, true, ["xlsx"]), as text when it is no JSON or the field only
    takes text (a phone number, a name)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        if text[:1] in "[{":
            raise
        return text
    types = _types(field)
    takes_text = "string" in types and not types & {"integer", "number", "boolean"}
    return text if takes_text and isinstance(value, (int, float, bool)) else value


@click.command("make")
@click.argument("kind")
@click.option("--params", "params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="参数 JSON 文件（与 POST /api/v1/jobs 的 params 相同）")
@click.option("--set", "pairs", multiple=True, metavar="KEY=VALUE", help="单个参数，如 --set year=2020（可多次）")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="输出目录")
@click.option("--database-url", envvar="DATABASE_URL", default=None,
              help="数据库地址（默认：实例目录中的 SQLite 文件；也可用环境变量 DATABASE_URL）")
def make_cmd(kind: str, params_file: Path | None, pairs: tuple[str, ...], out_dir: Path,
             database_url: str | None) -> None:
    """按文书种类 KIND 生成文书（参数与流程同 POST /api/v1/jobs）。参数有误退出码 2；无可生成的文书退出码 1。"""
    from service.models.errors import chinese_errors, format_errors

    known = {k.name: k for k in service.kinds.KINDS}
    if kind not in known:
        _fail([f"未知的文书种类“{kind}”；可用：{'、'.join(known)}"], 2)
    k = known[kind]
    try:
        values = json.loads(params_file.read_text(encoding="utf-8")) if params_file else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail([f"参数文件 {params_file} 不是有效的 JSON：{exc}"], 2)
    if not isinstance(values, dict):
        _fail([f"参数文件 {params_file} 应为 JSON 对象"], 2)
    fields = k.params.model_json_schema().get("properties", {})
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            _fail([f"--set 应写作 参数名=值（收到“{pair}”）"], 2)
        try:
            values[key.strip()] = _value(text, fields.get(key.strip(), {}))
        except json.JSONDecodeError as exc:
            _fail([f"--set {key}：不是有效的 JSON（{exc}）"], 2)
    try:
        params = k.params.model_validate(values)
    except ValidationError as exc:
        _fail([f"“{k.title}”的参数有误，未生成任何文件："] + format_errors(chinese_errors(exc, k.params)).splitlines(), 2)
    store = _store(database_url) if (k.items or k.store or k.check) else None
    try:
        if k.check is not None:
            with store() as s:
                k.check(s, params)
        paths = make(k, params, store, out_dir)
    except (LookupError, ValueError) as exc:
        _fail([str(exc.args[0]) if exc.args else str(exc)], 1)
    if not paths:
        _fail(["所选范围内没有可生成的文书。"], 1)
    for p in paths:
        click.echo(str(p))


def _store(url: str | None):
    from service.records.store.session import open_store

    return open_store(url).transaction


commands = [make_cmd]
