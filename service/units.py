"""Unit data: villages, residents' committees, schools and related bodies with their 领导小组 (Annex 4)
and the year's registered counts (denominators of the year-end rates).

One source: `samples/<set>/units.json` is read here for Annex 4 and loaded by the records store (issue 4).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import phonenumbers
from pydantic import AfterValidator, Field, NonNegativeInt

from service.forms.validation import DataValidationError, FieldIssue, StrictModel, read_json, validate_data
from service.models.text import MULTILINE

UnitKind = Literal["村", "居委", "学校", "相关单位"]
UNIT_KINDS: tuple[str, ...] = UnitKind.__args__  # type: ignore[attr-defined]

# A bare 8-digit local number is read as Chongqing (023): the area this service was built for.
DEFAULT_AREA_CODE = "023"
_PHONE_JUNK = re.compile(r"[ \-－—()（）]")
_ALLOWED_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "landline",
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
}


def normalize_phone(raw: str, default_area_code: str = DEFAULT_AREA_CODE) -> str:
    """A Chinese mobile (`13812345678`) or landline with area code (`023-62345678`), normalised.

    Accepts spaces, hyphens, brackets and a +86 prefix. A bare 8-digit number gets `default_area_code`.
    Raises ValueError with a Chinese message otherwise.
    """
    text = str(raw).strip()
    digits = _PHONE_JUNK.sub("", text)
    if not digits:
        raise ValueError("电话号码不能为空")
    if not re.fullmatch(r"\+?[0-9０-９]+", digits):
        raise ValueError(f"电话号码“{text}”含有非数字字符")
    if re.fullmatch(r"\d{8}", digits):
        digits = default_area_code + digits
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        raise ValueError(f"电话号码“{text}”无法识别") from None
    kind = _ALLOWED_TYPES.get(phonenumbers.number_type(number))
    if number.country_code != 86 or not phonenumbers.is_valid_number(number) or kind is None:
        raise ValueError(f"电话号码“{text}”无效：应为11位手机号码，或带区号的固定电话（如023-62345678）")
    national = phonenumbers.national_significant_number(number)
    if kind == "mobile":
        return national
    area = phonenumbers.length_of_geographical_area_code(number)
    return f"0{national[:area]}-{national[area:]}"


# The OpenAPI document states what a phone may be: the characters normalize_phone reads (pattern) and, as format
# "cn-phone", that it must be a valid Chinese mobile or landline number (checked by phonenumbers).
PHONE_FORMAT = "cn-phone"
_SEPARATORS = r" \-－—()（）"
PHONE_PATTERN = rf"^[{_SEPARATORS}]*\+?[{_SEPARATORS}]*[0-9０-９][0-9０-９{_SEPARATORS}]*$"
Phone = Annotated[str, Field(max_length=20, pattern=PHONE_PATTERN, json_schema_extra={
    "format": PHONE_FORMAT, "description": "11位手机号码，或带区号的固定电话（如 023-62345678）"}),
    AfterValidator(normalize_phone)]
Name = Annotated[str, Field(min_length=1, max_length=40)]


RoomName = Annotated[str, Field(min_length=1, max_length=60)]

# The unit's 领导小组 (Annex 4), declared once: role -> title. Each role is one person's name; the leader also has a
# phone. The units file, the records store, the Annex 4 form and the office's unit form all read it from here.
PEOPLE: dict[str, str] = {"leader": "组长", "deputy": "副组长", "staff": "工作人员"}


class Person(StrictModel):
    name: Name = Field(title="姓名")


class Leadership(StrictModel):
    """A unit's 领导小组 as Annex 4 lists it: the activity room, one name per role (PEOPLE), the leader's phone."""

    activity_room: RoomName = Field(title="活动室名称")
    leader: Name = Field(title=PEOPLE["leader"])
    deputy: Name = Field(title=PEOPLE["deputy"])
    staff: Name = Field(title=PEOPLE["staff"])
    leader_phone: Phone = Field(title="组长电话")

    @classmethod
    def of_row(cls, row: dict) -> "Leadership":
        """From a units.json row (each role a {"name": …} object)."""
        return cls.model_validate({"activity_room": row.get("activity_room"), "leader_phone": row.get("leader_phone"),
                                   **{role: (row.get(role) or {}).get("name") for role in PEOPLE}})


class Registered(StrictModel):
    """The year's registered counts the year-end rates divide by (建档要求 卷二、卷三)."""

    laid_off: NonNegativeInt = Field(title="下岗待业人员")
    migrant_workers: NonNegativeInt = Field(title="进城务工人员")
    rural_labour: NonNegativeInt = Field(title="农村劳动力")
    children: NonNegativeInt = Field(title="儿童")
    parents: NonNegativeInt = Field(title="家长")
    managers: NonNegativeInt = Field(title="专兼职管理人员")


class Unit(StrictModel):
    name: Name = Field(title="单位名称")
    kind: UnitKind = Field(title="单位类别")
    resident_population: NonNegativeInt = Field(title="常住人口")
    activity_room: RoomName = Field(title="活动室名称")
    leader: Person = Field(title=PEOPLE["leader"])
    deputy: Person = Field(title=PEOPLE["deputy"])
    staff: Person = Field(title=PEOPLE["staff"])
    leader_phone: Phone = Field(title="组长电话")
    registered: Registered = Field(title="登记人数")

    def leadership(self) -> Leadership:
        return Leadership(activity_room=self.activity_room, leader_phone=self.leader_phone,
                          **{role: getattr(self, role).name for role in PEOPLE})


class UnitsFile(StrictModel):
    synthetic: bool = Field(title="合成数据标记")
    note: Annotated[str, MULTILINE] = Field(default="", title="说明")
    township: Name = Field(title="镇（乡、街道）全称")
    township_short: Name = Field(title="镇（乡、街道）简称")
    year: int = Field(ge=2000, le=2100, title="年度")
    units: list[Unit] = Field(min_length=1, title="单位")

    def unit(self, name: str) -> Unit:
        for u in self.units:
            if u.name == name:
                return u
        raise KeyError(name)


SOURCE = "单位数据"


def parse_units(raw: object, source: str = SOURCE) -> UnitsFile:
    """Validate plain data (already parsed JSON, or rows from the records store) into a UnitsFile."""
    data = validate_data(UnitsFile, raw, source=source, rows_key="units", label_key="name")
    issues: list[FieldIssue] = []
    for column, attr in (("单位名称", "name"), ("活动室名称", "activity_room")):
        seen: dict[str, int] = {}
        for i, unit in enumerate(data.units, start=1):
            value = getattr(unit, attr)
            if value in seen:
                issues.append(FieldIssue(i, unit.name, column, f"units.{i - 1}.{attr}",
                                         f"“{value}”与第{seen[value]}行重复"))
            else:
                seen[value] = i
    if issues:
        raise DataValidationError(source, issues)
    return data


def load_units(path: str | Path) -> UnitsFile:
    """Read and validate a units.json file. Raises DataValidationError (Chinese, row + column)."""
    path = Path(path)
    return parse_units(read_json(path, source=f"{SOURCE}（{path.name}）"), source=f"{SOURCE}（{path.name}）")


_PROVINCE_PREFIX = re.compile(r"^(?:北京市|天津市|上海市|重庆市|.{2,3}?省|.{2,8}?自治区)")


def local_township_name(township: str) -> str:
    """The township as the forms title it, without the provincial-level prefix:
    `重庆市涪陵区百胜镇` -> `涪陵区百胜镇`."""
    return _PROVINCE_PREFIX.sub("", township, count=1) or township
