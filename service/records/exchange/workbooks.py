"""Blank, downloadable import workbooks: the class schedule (培训班 + 教师) and the roster (学员 + 参训记录).

Built from the same sheet definitions the importer reads (service.records.exchange.sheets): header row 1 (required columns
marked *), drop-downs fed from a hidden 选项 sheet (units, Annex 1 categories, models, 培训方式 ...), date / whole
number validation with Chinese prompts and error boxes, text-formatted phone columns, a 填写说明 sheet, A4 print.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from service.forms.geometry import form
from service.forms.sheet import BOX, CENTER, CREATOR, a4_print_setup, body_font, header_font, workbook_bytes
from service.ooxml.cells import put_at
from service.records import vocab
from service.records.exchange.sheets import (
    CLASSES,
    ENROLMENTS,
    NO,
    ROSTER_SHEETS,
    SCHEDULE_SHEETS,
    TEACHERS,
    TRAINEES,
    YES,
    Field,
    SheetSpec,
    category_label,
)

OPTIONS_SHEET = "选项"
HELP_SHEET = "填写说明"
DATA_ROWS = 5000  # rows that carry the validation
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
DATE_FORMAT = "yyyy-mm-dd"
SCHEDULE_TITLE = "培训班计划表"
ROSTER_TITLE = "学员名册"


def _choices(f: Field, unit_names: Sequence[str]) -> list[str]:
    if f.kind == "choice" and f.key.endswith("unit"):
        return list(unit_names)
    return list(f.choices()) if f.choices else []


def _validation(f: Field, source: str | None) -> DataValidation | None:
    common = {"allow_blank": not f.required, "showErrorMessage": True, "errorStyle": "stop",
                  "errorTitle": f"{f.title}有误", "showInputMessage": True, "promptTitle": f.title}
    if source:
        return DataValidation(type="list", formula1=source, showDropDown=False,
                              error=f"请从下拉列表中选择{f.title}。", prompt=f.hint or f"请从下拉列表中选择{f.title}。",
                              **common)
    if f.kind == "date":
        return DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                              formula2="DATE(2099,12,31)", error=f"{f.title}应为日期，如 2020-05-06。",
                              prompt=f.hint or "请填写日期，如 2020-05-06。", **common)
    if f.kind in ("int", "score"):
        return DataValidation(type="whole", operator="between", formula1=str(f.low), formula2=str(f.high),
                              error=f"{f.title}应为{f.low}至{f.high}之间的整数。",
                              prompt=f.hint or f"请填写{f.low}至{f.high}之间的整数。", **common)
    if f.kind == "text" and f.max_len:
        return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(f.max_len),
                              error=f"{f.title}不能超过{f.max_len}个字。", prompt=f.hint or f"不超过{f.max_len}个字。",
                              **common)
    if f.hint:
        return DataValidation(type=None, prompt=f.hint, **{k: v for k, v in common.items()
                                                           if k not in ("showErrorMessage", "errorStyle", "errorTitle")})
    return None


def _options_sheet(wb: Workbook, specs: Sequence[SheetSpec], unit_names: Sequence[str]) -> dict[str, str]:
    """A hidden sheet with one column per drop-down list; returns field title -> range formula."""
    ws = wb.create_sheet(OPTIONS_SHEET)
    ws.sheet_state = "hidden"
    sources: dict[str, str] = {}
    col = 0
    for spec in specs:
        for f in spec.fields:
            if f.kind not in ("choice", "bool") or f.title in sources:
                continue
            values = _choices(f, unit_names)
            if not values:
                continue
            col += 1
            letter = get_column_letter(col)
            put_at(ws, 1, col, f.title)
            for i, value in enumerate(values, start=2):
                put_at(ws, i, col, value)
            sources[f.title] = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    return sources


def _data_sheet(wb: Workbook, spec: SheetSpec, sources: dict[str, str], first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = spec.name
    shared, widths = form("import_workbook"), form(spec.form)
    for i, f in enumerate(spec.fields, start=1):
        letter = get_column_letter(i)
        cell = put_at(ws, 1, i, f.header)
        cell.font = header_font(size=shared.size("header"))
        cell.alignment = CENTER
        cell.border = BOX
        cell.fill = REQUIRED_FILL if f.required else HEADER_FILL
        ws.column_dimensions[letter].width = widths.width(f.width_key or f.key)
        if f.kind == "date":
            ws.column_dimensions[letter].number_format = DATE_FORMAT
        elif f.kind in ("phone", "text", "multi", "marks"):
            ws.column_dimensions[letter].number_format = "@"
        dv = _validation(f, sources.get(f.title) if f.kind in ("choice", "bool") else None)
        if dv is not None:
            dv.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = shared.height("header")
    ws.freeze_panes = "A2"
    a4_print_setup(ws, last_row=DATA_ROWS + 1, ncols=len(spec.fields), repeat_rows="1:1", landscape=True,
                   margins_mm=shared.margins())
    ws.print_area = None  # print what is filled in, not 5,000 empty validated rows


def _help_sheet(wb: Workbook, title: str, specs: Sequence[SheetSpec]) -> None:
    ws = wb.create_sheet(HELP_SHEET)
    shared = form("import_workbook")
    ws.column_dimensions["A"].width = shared.width("help_label")
    ws.column_dimensions["B"].width = shared.width("help_text")
    put_at(ws, 1, 1, f"{title}填写说明").font = header_font(size=shared.size("help_title"))
    row = 3
    lines = [("通则", "带 * 的列必填；有下拉箭头的列请从列表中选择；日期填写如 2020-05-06。"),
             ("通则", "请勿改动表头和工作表名称。同一份文件可以反复导入：已有的记录会被更新，不会重复。"),
             ("通则", "导入有错时不会写入任何记录；可下载标出错误单元格的工作簿，改正后重新导入。")]
    lines += [(spec.name, spec.note) for spec in specs]
    for spec in specs:
        for f in spec.fields:
            if f.hint:
                lines.append((spec.name, f"{f.title}：{f.hint}"))
    for label, text in lines:
        put_at(ws, row, 1, label).font = header_font(size=shared.size("help_text"))
        c = put_at(ws, row, 2, text)
        c.font = body_font(size=shared.size("help_text"))
        c.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1


def to_cell(f: Field, value):
    """A record value as the user would type it in the column of `f` (the importer reads it back)."""
    if value is None:
        return None
    if f.kind == "bool":
        return YES if value else NO
    if f.kind == "multi":
        return "、".join(value)
    if f.key == "category_no":
        return category_label(value)
    if f.key == "model_code":
        model = vocab.model_by_code(value)
        return model.name if model else value
    if f.kind == "phone" and value == "":
        return None
    return value


def blank_workbook(title: str, specs: Sequence[SheetSpec], unit_names: Sequence[str],
                   when: dt.date | None = None, rows: dict[str, list[dict]] | None = None) -> bytes:
    """The import workbook of `specs`; `rows` (sheet name -> field key -> value) fills it in."""
    wb = Workbook()
    wb.properties.creator = wb.properties.lastModifiedBy = CREATOR
    wb.properties.title = title
    sources = _options_sheet(wb, specs, unit_names)
    for i, spec in enumerate(specs):
        _data_sheet(wb, spec, sources, first=i == 0)
        ws = wb[spec.name]
        for r, values in enumerate((rows or {}).get(spec.name, ()), start=2):
            for c, f in enumerate(spec.fields, start=1):
                cell = put_at(ws, r, c, to_cell(f, values.get(f.key)))
                if f.kind == "date":
                    cell.number_format = DATE_FORMAT
                elif f.kind in ("phone", "text", "multi", "marks"):
                    cell.number_format = "@"
    _help_sheet(wb, title, specs)
    wb.move_sheet(OPTIONS_SHEET, offset=len(wb.sheetnames))  # keep the hidden list last
    wb.active = 0
    return workbook_bytes(wb, when)


def blank_schedule(unit_names: Sequence[str], when: dt.date | None = None) -> bytes:
    """The class-schedule import workbook: sheets 培训班 and 教师."""
    return blank_workbook(SCHEDULE_TITLE, SCHEDULE_SHEETS, unit_names, when)


def blank_roster(unit_names: Sequence[str], when: dt.date | None = None) -> bytes:
    """The roster import workbook: sheets 学员 and 参训记录."""
    return blank_workbook(ROSTER_TITLE, ROSTER_SHEETS, unit_names, when)


def schedule_workbook(unit_names: Sequence[str], classes, teachers, when: dt.date | None = None) -> bytes:
    """The class-schedule workbook filled with records (service.records.store.writer ClassRec / TeacherRec)."""
    return blank_workbook(SCHEDULE_TITLE, SCHEDULE_SHEETS, unit_names, when, {
        CLASSES.name: [vars(c) for c in classes], TEACHERS.name: [vars(t) for t in teachers]})


def roster_workbook(unit_names: Sequence[str], trainees, enrolments, when: dt.date | None = None) -> bytes:
    """The roster workbook filled with records (TraineeRec / EnrolmentRec)."""
    def enrolment(e) -> dict:
        (cu, ct, cs), (tu, tn, tp) = e.class_key, e.trainee_key
        return {"class_unit": cu, "class_title": ct, "class_start": cs, "trainee_unit": tu, "trainee_name": tn,
                "trainee_phone": tp, "marks": e.marks, "notes_score": e.notes_score,
                "question_score": e.question_score}

    return blank_workbook(ROSTER_TITLE, ROSTER_SHEETS, unit_names, when, {
        TRAINEES.name: [vars(t) for t in trainees], ENROLMENTS.name: [enrolment(e) for e in enrolments]})
