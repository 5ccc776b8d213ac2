"""Fixed vocabularies of the records store (from the issue and the notice) and the configured lists from config/.

The fixed ones are enforced by CHECK constraints; the configured ones (Annex 1 categories, 培训方式, training models)
live in config/ and are validated on the way in, so a township can extend them without a migration.
"""
from __future__ import annotations

from service.forms import catalog
from service.units import Registered

TEACHER_SOURCES = ("学校", "农技", "卫生院", "社会")
GENDERS = ("男", "女")
TRAINEE_CATEGORIES = ("农民", "下岗待业", "进城务工", "老年", "青少年", "家长", "管理人员", "其他")
# 出勤 marks per session (出勤簿 practice): present, late, leave of absence, absent.
ATTENDANCE_MARKS = ("到", "迟", "假", "缺")
ACTIVITY_KINDS = ("假期儿童活动", "亲子活动", "志愿服务", "其他活动")
FUNDING_DIRECTIONS = ("收入", "支出")
# The year's registered counts a unit reports (denominators of the year-end rates), with their Chinese labels.
REGISTERED_COUNTS = {name: field.title for name, field in Registered.model_fields.items()}
# A category separator accepted on import: 农民、老年 / 农民,老年 / 农民；老年 ...
LIST_SEPARATORS = "、,，;；/ "


def annex1_categories():
    """The 13 培训内容 categories of Annex 1 (one source: service.forms.catalog)."""
    return catalog.training_content().categories


def training_methods() -> tuple[str, ...]:
    return catalog.training_methods()


def training_models():
    return catalog.training_models()


def category_by_no(no: int):
    return next((c for c in annex1_categories() if c.no == no), None)


def model_by_code(code: str):
    return next((m for m in training_models() if m.code == code), None)


def split_list(text: str) -> list[str]:
    """Split a multi-valued cell (学员类别, 培训教师) on any accepted separator, keeping order, dropping repeats."""
    out: list[str] = []
    token = ""
    for ch in str(text or "") + LIST_SEPARATORS[0]:
        if ch in LIST_SEPARATORS:
            token = token.strip()
            if token and token not in out:
                out.append(token)
            token = ""
        else:
            token += ch
    return out
