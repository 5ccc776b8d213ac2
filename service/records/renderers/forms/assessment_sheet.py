"""学员考核表 (trainee assessment sheet), one per class, as an .xlsx form (portrait A4).

Columns 应到/实到/出勤率/听课记录/课堂提问/综合得分/等级/考核结果; the weighting and pass mark of config/assessment.yaml
are stated above the table. Filled: the scores computed from the records (values). Blank: the same columns with
formulas that compute 出勤率, 综合得分 and 考核结果 from what is typed in, by the same weights.
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter

from service.cndate import cn_date
from service.forms import sheet
from service.forms.geometry import form
from service.ooxml.cells import Formula
from service.records.queries.assessment import load_rules
from service.records.queries.documents import AssessmentSheet
from service.records.renderers.forms.grid import class_form, field_row, sign_line

TITLE = "{township}社区教育培训学员考核表"
SHEET_TITLE = "学员考核表"
FORM = "assessment"  # its geometry: doc_templates/forms/records.yaml
# the columns' places (their titles and widths are the form description's)
(SEQ, NAME, GENDER, DUE, CAME, RATE, NOTES, QUESTIONS, SCORE, GRADE, RESULT, REMARK) = range(1, 13)
HEADER_ROW = 8
RATE_FORMAT = "0.0"


def columns() -> list[sheet.Column]:
    """序号 … 备注 in the order of the places above, as the rows are written."""
    cols = form(FORM).columns_list()
    if len(cols) != REMARK:
        raise ValueError(f"表格格式 {FORM} 应有{REMARK}列（序号至备注），现有{len(cols)}列")
    return cols


def assessment_title(township_short: str) -> str:
    return TITLE.format(township=township_short)


def _score_format(decimals: int) -> str:
    return "0" if decimals == 0 else "0." + "0" * decimals


def render_assessment_sheet(data: AssessmentSheet | None, *, township_short: str = "") -> bytes:
    """The sheet as normalised .xlsx bytes; `data=None` gives the blank form (with formulas)."""
    rules = load_rules()
    k = data.klass if data else None
    title = assessment_title(k.township_short if k else township_short)
    geometry = form(FORM)
    cols = columns()
    wb, ws = class_form(SHEET_TITLE, title, cols, k.unit if k else "")
    n = len(cols)
    data_height = sheet.height("data")
    field_row(ws, 3, [("培训项目", k.title if k else "", 1, 3, n)], data_height)
    field_row(ws, 4, [("办班时间", k.dates_text if k else "", 1, 3, 6),
                      ("培训教师", k.teachers_text if k else "", 7, 9, n)], data_height)
    field_row(ws, 5, [("培训内容", k.category_name if k else "", 1, 3, 6),
                      ("课次/课时", f"{k.sessions}次／{k.hours}课时" if k else "", 7, 9, n)], data_height)
    rules_text = data.rules_text if data else rules.describe()
    sheet.merged_line(ws, 6, 1, n, "考核办法：" + rules_text + "。", font=sheet.table_font(), align=sheet.LEFT,
                      height=sheet.fitted_height([(rules_text, geometry.width("rules_line"))], sheet.height("line")))
    sheet.merged_line(ws, 7, 1, n, "", font=sheet.body_font(), align=sheet.LEFT, height=geometry.height("gap"))
    sheet.header_row(ws, HEADER_ROW, cols)
    score_format = _score_format(rules.decimals)
    items = data.rows if data else ()
    count = len(items) if data else geometry.rows()
    for i in range(count):
        r = HEADER_ROW + 1 + i
        if data:
            it = items[i]
            values = (it.seq, it.name, it.gender, it.sessions, it.attended, it.attendance_rate, it.notes,
                      it.questions, it.composite, it.grade, it.result, None)
        else:
            rate, total, grade, result = _formulas(r, rules)
            values = (i + 1, None, None, None, None, rate, None, None, total, grade, result, None)
        for c, (value, col) in enumerate(zip(values, cols), start=1):
            cell = sheet.data_cell(ws, r, c, float(value) if hasattr(value, "as_tuple") else value, col)
            if c == RATE:
                cell.number_format = RATE_FORMAT
                cell.alignment = sheet.CENTER
            elif c == SCORE:
                cell.number_format = score_format
                cell.alignment = sheet.CENTER
        ws.row_dimensions[r].height = data_height
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
    due, came, notes, ask, total = (f"{get_column_letter(c)}{r}" for c in (DUE, CAME, NOTES, QUESTIONS, SCORE))
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
