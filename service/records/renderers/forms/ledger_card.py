"""学员培训记录卡 (training ledger card), one per class, as an .xlsx form (portrait A4).

Header fields 办班时间 / 培训内容 / 培训方式 / 培训教师姓名 (and 培训项目, 地点, 模式, 课次课时), a roster with a
signature column whose header row repeats on every printed page, then the 学员代表签字 line. Blank when data is None.
"""
from __future__ import annotations

from service.cndate import cn_date
from service.forms import sheet
from service.forms.geometry import form
from service.records.queries.documents import LedgerCard
from service.records.renderers.forms.grid import class_form, field_row, sign_line

TITLE = "{township}社区教育学员培训记录卡"
SHEET_TITLE = "学员培训记录卡"
FORM = "ledger_card"  # its geometry: doc_templates/forms/records.yaml
FIELD_ROWS = 5  # rows 3-7, under the title (1) and the unit line (2)
HEADER_ROW = 3 + FIELD_ROWS  # the roster's column headings, repeated on every printed page


def columns() -> list[sheet.Column]:
    """序号, 姓名, 性别, 出生年份, 所在村（社区）/单位, 学员类别, 出勤, 学员签名 — in this order, as rows are written."""
    return form(FORM).columns_list()


def ledger_title(township_short: str) -> str:
    return TITLE.format(township=township_short)


def render_ledger_card(card: LedgerCard | None, *, township_short: str = "") -> bytes:
    """The card as normalised .xlsx bytes; `card=None` gives the blank form."""
    k = card.klass if card else None
    township = k.township_short if k else township_short
    title = ledger_title(township)
    geometry = form(FORM)
    cols = columns()
    row_sign = geometry.height("sign")  # room for a handwritten signature
    wb, ws = class_form(SHEET_TITLE, title, cols, k.unit if k else "")
    n = len(cols)
    teachers = k.teachers_text if k else ""
    rows = [
        [("培训项目", k.title if k else "", 1, 3, n)],
        [("办班时间", k.dates_text if k else "", 1, 3, 5), ("培训地点", k.location if k else "", 6, 7, n)],
        [("培训内容", k.category_name if k else "", 1, 3, 5), ("培训模式", k.model_name if k else "", 6, 7, n)],
        [("培训方式", k.method if k else "", 1, 3, 5),
         ("课次/课时", f"{k.sessions}次／{k.hours}课时" if k else "", 6, 7, n)],
        [("培训教师姓名", teachers, 1, 3, n)],
    ]
    whole, half = sum(c.width for c in cols[2:]), geometry.width("half_field")  # a field's value, for fitting
    for i, pairs in enumerate(rows):
        height = sheet.fitted_height([(pairs[0][1], whole if len(pairs) == 1 else half)])
        field_row(ws, 3 + i, pairs, height)
    header = HEADER_ROW
    sheet.header_row(ws, header, cols)
    items = card.rows if card else ()
    count = max(len(items), geometry.rows()) if not card else len(items)
    for i in range(count):
        r = header + 1 + i
        item = items[i] if i < len(items) else None
        values = ((item.seq, item.name, item.gender, item.birth_year, item.home_unit, item.categories,
                   f"{item.attended}/{item.sessions}", None) if item else (i + 1,) + (None,) * 7)
        for c, (value, col) in enumerate(zip(values, cols), start=1):
            sheet.data_cell(ws, r, c, value, col)
        ws.row_dimensions[r].height = max(row_sign, sheet.fitted_height(
            [(item.home_unit, cols[4].width), (item.categories, cols[5].width)] if item else [], row_sign))
    last = header + count
    sign_line(ws, last + 2, n, "学员代表签字：＿＿＿＿＿＿＿＿　　　　签字日期：" + cn_date(None))
    sign_line(ws, last + 3, n, "填卡人：＿＿＿＿＿＿　　　　社区教育学习中心（盖章）")
    sheet.a4_print_setup(ws, last_row=last + 3, ncols=n, repeat_rows=f"{header}:{header}",
                         margins_mm=geometry.margins())
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    return sheet.workbook_bytes(wb)
