"""学员考核表 (trainee assessment sheet), one per class, as an .xlsx form (portrait A4).

Columns 应到/实到/出勤率/听课记录/课堂提问/综合得分/等级/考核结果; the weighting and pass mark of config/assessment.yaml
are stated above the table. Filled: the scores computed from the records (values). Blank: the same columns with
formulas that compute 出勤率, 综合得分 and 考核结果 from what is typed in, by the same weights.
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter

from service.cndate import cn_date
from service.forms import sheet
from service.ooxml.cells import Formula
from service.records.queries.assessment import load_rules
from service.records.queries.documents import AssessmentSheet
from service.records.renderers.forms.geometry import columns, form
from service.records.renderers.forms.grid import class_form, field_row, sign_line

TITLE = "{township}社区教育培训学员考核表"
SHEET_TITLE = "学员考核表"
BLANK_ROWS = form("assessment")["blank_rows"]  # doc_templates/forms/records.yaml
COLUMNS = columns("assessment")
COL = {c.title: i for i, c in enumerate(COLUMNS, start=1)}
HEADER_ROW = 8
RATE_FORMAT = "0.0"


def assessment_title(township_short: str) -> str:
    return TITLE.format(township=township_short)


def _score_format(decimals: int) -> str:
    return "0" if decimals == 0 else "0." + "0" * decimals


def render_assessment_sheet(data: AssessmentSheet | None, *, township_short: str = "") -> bytes:
    """The sheet as normalised .xlsx bytes; `data=None` gives the blank form (with formulas)."""
    rules = load_rules()
    k = data.klass if data else None
    title = assessment_title(k.township_short if k else township_short)
    wb, ws = class_form(SHEET_TITLE, title, COLUMNS, k.unit if k else "")
    n = len(COLUMNS)
    field_row(ws, 3, [("培训项目", k.title if k else "", 1, 3, n)], sheet.ROW_DATA)
    field_row(ws, 4, [("办班时间", k.dates_text if k else "", 1, 3, 6),
                      ("培训教师", k.teachers_text if k else "", 7, 9, n)], sheet.ROW_DATA)
    field_row(ws, 5, [("培训内容", k.category_name if k else "", 1, 3, 6),
                      ("课次/课时", f"{k.sessions}次／{k.hours}课时" if k else "", 7, 9, n)], sheet.ROW_DATA)
    rules_text = data.rules_text if data else rules.describe()
    sheet.merged_line(ws, 6, 1, n, "考核办法：" + rules_text + "。", font=sheet.body_font(size=sheet.SIZE_TABLE),
                      align=sheet.LEFT, height=sheet.fitted_height([(rules_text, 90)], sheet.ROW_LINE))
    sheet.merged_line(ws, 7, 1, n, "", font=sheet.body_font(), align=sheet.LEFT, height=6)
    sheet.header_row(ws, HEADER_ROW, COLUMNS)
    score_format = _score_format(rules.decimals)
    items = data.rows if data else ()
    count = len(items) if data else BLANK_ROWS
    for i in range(count):
        r = HEADER_ROW + 1 + i
        if data:
            it = items[i]
            values = (it.seq, it.name, it.gender, it.sessions, it.attended, it.attendance_rate, it.notes,
                      it.questions, it.composite, it.grade, it.result, None)
        else:
            rate, total, grade, result = _formulas(r, rules)
            values = (i + 1, None, None, None, None, rate, None, None, total, grade, result, None)
        for c, (value, col) in enumerate(zip(values, COLUMNS), start=1):
            cell = sheet.data_cell(ws, r, c, float(value) if hasattr(value, "as_tuple") else value, col)
            if col.title == "出勤率（%）":
                cell.number_format = RATE_FORMAT
                cell.alignment = sheet.CENTER
            elif col.title == "综合得分":
                cell.number_format = score_format
                cell.alignment = sheet.CENTER
        ws.row_dimensions[r].height = sheet.ROW_DATA
    last = HEADER_ROW + count
    if data:
        total = len(items)
        rate = f"{data.passed * 100 / total:.1f}%" if total else "—"
        summary = f"参加考核{total}人，合格{data.passed}人，合格率{rate}。"
    else:
        summary = "参加考核＿＿人，合格＿＿人，合格率＿＿%。"
    sign_line(ws, last + 1, n, summary)
    sign_line(ws, last + 2, n, "考核人（培训教师）：＿＿＿＿＿＿　　审核人：＿＿＿＿＿＿　　日期：" + cn_date(None))
    sheet.a4_print_setup(ws, last_row=last + 2, ncols=n, repeat_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    return sheet.workbook_bytes(wb)


def _formulas(r: int, rules) -> tuple[Formula, Formula, Formula, Formula]:
    """出勤率, 综合得分, 等级 and 考核结果 of a blank row, by the configured weights, grades and pass mark."""
    L = {t: get_column_letter(i) for t, i in COL.items()}
    due, came, notes, ask, total = (f"{L[t]}{r}" for t in ("应到（次）", "实到（次）", "听课记录", "课堂提问", "综合得分"))
    w = rules.weights
    miss = format(rules.missing_score.normalize(), "f")
    rate = f'=IF(OR({due}="",{due}=0),"",ROUND({came}/{due}*100,1))'
    score = (f'=IF({due}="","",ROUND({came}/{due}*100*{w.attendance}+IF({notes}="",{miss},{notes})*{w.notes}'
             f'+IF({ask}="",{miss},{ask})*{w.questions},{rules.decimals}))')
    grade = f'=IF({total}="","",' + "".join(
        f'IF({total}>={g.min},"{g.name}",' for g in rules.grades[:-1]) + f'"{rules.grades[-1].name}"' + \
        ")" * (len(rules.grades) - 1) + ")"
    result = f'=IF({total}="","",IF({total}>={rules.pass_mark},"合格","不合格"))'
    return Formula(rate), Formula(score), Formula(grade), Formula(result)
