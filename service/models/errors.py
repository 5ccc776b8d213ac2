"""Turn pydantic validation errors into Chinese messages that name the field by its Chinese title and path."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

_MESSAGES = {
    "missing": "必须填写",
    "string_too_short": "不能为空" ,
    "string_too_long": "过长（最多 {max_length} 个字符）",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "date_from_datetime_parsing": "不是有效日期（格式：YYYY-MM-DD）",
    "date_parsing": "不是有效日期（格式：YYYY-MM-DD）",
    "date_type": "不是有效日期（格式：YYYY-MM-DD）",
    "string_type": "必须是文字",
    "bool_type": "必须是 true 或 false",
    "bool_parsing": "必须是 true 或 false",
    "literal_error": "只能是 {expected}",
    "extra_forbidden": "是未知字段",
    "union_tag_invalid": "类型只能是 {expected_tags}",
    "union_tag_not_found": "缺少类型字段 {discriminator}",
    "string_pattern_mismatch": "格式不正确",
    "model_type": "格式不正确（应为对象）",
    "list_type": "格式不正确（应为列表）",
    "json_invalid": "不是有效的 JSON",
    "string_unicode": "含有无效的字符（单独的代理码位），请删除后重新提交",
    "greater_than": "必须大于 {gt}",
    "less_than": "必须小于 {lt}",
    "float_type": "必须是数字",
    "float_parsing": "必须是数字",
    "finite_number": "必须是有限的数字",
    "int_from_float": "必须是整数",
    "dict_type": "格式不正确（应为对象）",
    "model_attributes_type": "格式不正确（应为对象）",
    "tuple_type": "格式不正确（应为列表）",
    "enum": "只能是 {expected}",
    "date_future": "不能是将来的日期",
    "none_required": "必须为空",
}


def field_titles(model: type[BaseModel] | None, loc: tuple[Any, ...], *, items: bool = True) -> list[str]:
    """Walk an error location through the model and collect each step's Chinese title: list positions as
    `第N项` (left out when not `items`), discriminated-union tags skipped, unknown keys as they are."""
    parts: list[str] = []
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            if items:
                parts.append(f"第{step + 1}项")
            continue
        fields = getattr(current, "model_fields", None)
        if fields and step in fields:
            info = fields[step]
            parts.append(info.title or str(step))
            current = _inner_model(info.annotation)
        elif isinstance(current, list):  # discriminated union: find the member that has the field
            member = next((m for m in current if step in m.model_fields), None)
            if member is None:
                continue  # the union tag itself
            info = member.model_fields[step]
            parts.append(info.title or str(step))
            current = _inner_model(info.annotation)
        elif step not in ("function-after", "function-before"):
            if model is None or not (isinstance(current, list) or current is None):
                parts.append(str(step))
    return parts


# pydantic's English sentences that may carry a Chinese value ("Input should be '男' or '女'")
_ENGLISH = ("Input should", "Field required", "Value error")


def _inner_model(annotation: Any) -> Any:
    """The model (or list of union members) a field holds, through list[...] / Optional[...] / Annotated."""
    import typing

    seen = annotation
    for _ in range(5):
        if isinstance(seen, type) and issubclass(seen, BaseModel):
            return seen
        args = [a for a in typing.get_args(seen) if a is not type(None)]
        if not args:
            return None
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(models) > 1:
            return models
        seen = args[0] if not models else models[0]
        if typing.get_origin(seen) is typing.Annotated:
            seen = typing.get_args(seen)[0]
    return None


def chinese_message(err: dict) -> str:
    """One pydantic error (an item of `exc.errors()`) in Chinese; pydantic's own English never reaches a user."""
    template = _MESSAGES.get(err["type"])
    ctx = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in err.get("ctx", {}).items()}
    if template:
        try:
            return template.format(**ctx)
        except (KeyError, IndexError):
            return template
    message = str(ctx.get("error") or err.get("msg", "格式不正确")).removeprefix("Value error, ")
    if message.isascii() or message.startswith(_ENGLISH):
        return "格式不正确"
    return message


def chinese_errors(exc: ValidationError, model: type[BaseModel] | None = None, *, whole: str = "文档"
                   ) -> list[dict[str, str]]:
    """[{field: 'a.b.0', title: '正文 › 第1项 › 文字', message: '…'}] for every error — the project's one translation
    of pydantic errors. Without the model the title is the field path; `whole` names an error of the whole input."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        out.append({
            "field": ".".join(str(p) for p in loc),
            "title": " › ".join(field_titles(model, loc)) or whole,
            "message": chinese_message(err),
        })
    return out


def format_errors(errors: list[dict[str, str]]) -> str:
    """One line per error, with its field path (the commands' output)."""
    return "\n".join(f"{e['title']}（{e['field']}）：{e['message']}" for e in errors)


def inline_errors(errors: list[dict[str, str]], limit: int | None = None) -> str:
    """The errors in one line, `标题：原因；…` (a job item's or a refused request's message)."""
    return "；".join(f"{e['title']}：{e['message']}" for e in errors[:limit])
