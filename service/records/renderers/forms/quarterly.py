"""季报 (quarterly report) as an .xlsx form on landscape A4: a row per unit with 班次, 人次 and 课时 overall and
for each Annex 1 category, then the totals.

Fourteen groups of three columns do not fit one A4 width at a readable size, so the table is printed the way wide
statistical tables are: in column bands, one worksheet (and page) per band, the 序号/单位 columns and the unit rows
repeated, the continuation titled （续表）. Band 1 holds 合计 and the first categories, the next bands the rest.
Each band's two header rows repeat on every printed page. Filled: values from the records (totals included).
Blank: unit names typed on the first band (the others follow by formula), 合计 and totals by formula.
"""
from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter, quote_sheetname

from service.cndate import cn_date
from service.forms import sheet
from service.forms.geometry import form
from service.ooxml.cells import Formula
from service.records.queries.documents import QuarterlyReport, Tally
from service.records.renderers.forms.grid import boxed, sign_line
from service.records.vocab import annex1_categories

TITLE = "{township}社区教育培训季报表"
SHEET_TITLES = ("季报", "季报（续）", "季报（续二）", "季报（续三）")
FORM = "quarterly"  # its geometry: doc_templates/forms/records.yaml
MEASURES = ("班次", "人次", "课时")
TITLE_ROW, PERIOD_ROW, HEAD1, HEAD2, FIRST = 1, 2, 3, 4, 5
MIDDLE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def quarterly_title(township_short: str) -> str:
    return TITLE.format(township=township_short)


@dataclass(frozen=True)
class Layout:
    """What both the workbook and the Word version print: groups (合计 first) cut into column bands."""

    township: str
    title: str
    period: str
    labels: list[str]  # group headings: 合计, then "N.category"
    bands: list[list[tuple[int, str]]]  # per band: (group index, heading)
    units: list[str | None]  # one per table row (None: a blank row)
    values: list[list[Tally]] | None  # per unit row, per group; None for the blank form
    totals: list[Tally] | None


def layout(report: QuarterlyReport | None, *, township_short: str = "", year: int | None = None,
           quarter: int | None = None, blank_rows: int | None = None) -> Layout:
    """`blank_rows`: unit rows of the blank form (the form description's unless given)."""
    geometry = form(FORM)
    per_band = geometry.groups()  # groups of 班次/人次/课时 per printed page
    cats = [(c.no, c.name) for c in (report.categories if report else annex1_categories())]
    township = report.township_short if report else township_short
    labels = ["合计"] + [f"{no}.{name}" for no, name in cats]
    indexed = list(enumerate(labels))
    bands = [indexed[i:i + per_band] for i in range(0, len(indexed), per_band)]
    if report:
        t = report.totals
        return Layout(township, quarterly_title(township), report.period_text, labels, bands,
                      [r.unit for r in report.rows], [[r.total, *r.by_category] for r in report.rows],
                      [t.total, *t.by_category])
    period = f"{year or '　　　　'}年第{'一二三四'[quarter - 1] if quarter else '　　'}季度"
    rows = geometry.rows() if blank_rows is None else blank_rows
    return Layout(township, quarterly_title(township), period, labels, bands, [None] * rows, None, None)


def render_quarterly_report(report: QuarterlyReport | None, *, township_short: str = "", year: int | None = None,
                            quarter: int | None = None) -> bytes:
    """The report as normalised .xlsx bytes; `report=None` gives the blank form (year/quarter optional)."""
    lay = layout(report, township_short=township_short, year=year, quarter=quarter)
    township, title, period, labels, bands = lay.township, lay.title, lay.period, lay.labels, lay.bands
    units, values, totals = lay.units, lay.values, lay.totals
    geometry = form(FORM)
    seq_w, unit_w, num_w, total_w = (geometry.width(k) for k in ("seq", "unit", "number", "total"))
    table_size = geometry.size("table")
    head_font = sheet.header_font(size=table_size)
    groups = geometry.groups()  # groups of 班次/人次/课时 per band
    wb, first_ws = sheet.new_workbook(SHEET_TITLES[0], title)
    count = len(units)
    total_row = FIRST + count
    # where each group's three columns are: (sheet title, first column)
    place = {}
    for b, band in enumerate(bands):
        for j, (gi, _) in enumerate(band):
            place[gi] = (SHEET_TITLES[b], 3 + 3 * j)
    for b, band in enumerate(bands):
        ws = first_ws if b == 0 else wb.create_sheet(SHEET_TITLES[b])
        cols = [sheet.Column("序号", seq_w, "seq"), sheet.Column("单位", unit_w)]
        cols += [sheet.Column(m, total_w if b == 0 and j == 0 else num_w, "int")
                 for j in range(groups) for m in MEASURES]
        n = len(cols)
        sheet.set_columns(ws, cols)
        sheet.title_row(ws, TITLE_ROW, cols, title + ("（续表）" if b else ""))
        split = 2 + 3 * (groups // 2 + 1)
        sheet.merged_line(ws, PERIOD_ROW, 1, split,
                          f"报告期：{period}　　填报单位：{township}社区教育学校" + ("（盖章）" if b == 0 else ""),
                          font=sheet.body_font(), align=sheet.LEFT, height=sheet.height("line"))
        sheet.merged_line(ws, PERIOD_ROW, split + 1, n, "计量单位：班次、人次、课时", font=sheet.body_font(),
                          align=sheet.RIGHT)
        for col, text in ((1, "序号"), (2, "单位")):
            boxed(ws, HEAD1, col, col, text, font=head_font, align=MIDDLE)
            ws.cell(row=HEAD2, column=col).border = sheet.BOX
            ws.merge_cells(start_row=HEAD1, start_column=col, end_row=HEAD2, end_column=col)
        for j, (_, text) in enumerate(band):
            first = 3 + 3 * j
            boxed(ws, HEAD1, first, first + 2, text, font=head_font, align=MIDDLE)
            for k, m in enumerate(MEASURES):
                boxed(ws, HEAD2, first + k, first + k, m, font=head_font, align=MIDDLE)
        per_line = int(3 * num_w * sheet.size("body") / table_size / 2)  # CJK characters per line in a group header
        lines = max(-(-sheet.text_width(text) // (2 * per_line)) for _, text in band)
        ws.row_dimensions[HEAD1].height = max(geometry.height("groups_min"), lines * (table_size + 3) + 6)
        ws.row_dimensions[HEAD2].height = geometry.height("measures")
        for i in range(count):
            r = FIRST + i
            if report:
                unit = units[i]
            else:
                unit = None if b == 0 else Formula(f"=IF({quote_sheetname(SHEET_TITLES[0])}!B{r}=\"\",\"\","
                                                   f"{quote_sheetname(SHEET_TITLES[0])}!B{r})")
            cells = [i + 1, unit]
            for gi, _ in band:
                if values is not None:
                    cells += _tally(values[i][gi])
                elif gi == 0:
                    cells += [_row_total(r, k, place, len(labels)) for k in range(3)]
                else:
                    cells += [None, None, None]
            _write_row(ws, r, cells, cols, geometry, zero_shown={3, 4, 5} if b == 0 and report else set())
        if totals is not None:
            cells = [None, "合计"] + [v for gi, _ in band for v in _tally(totals[gi])]
        else:
            cells = [None, "合计"] + [
                Formula(f"=SUM({get_column_letter(c)}{FIRST}:{get_column_letter(c)}{total_row - 1})")
                for c in range(3, 3 + 3 * len(band))]
        _write_row(ws, total_row, cells, cols, geometry,
                   zero_shown=set(range(3, len(cells) + 1)) if report else set(), bold=True)
        last = total_row
        if b == len(bands) - 1:
            sign_line(ws, total_row + 2, n, "单位负责人：＿＿＿＿　统计负责人：＿＿＿＿　填表人：＿＿＿＿　"
                      "联系电话：＿＿＿＿＿＿　报出日期：" + cn_date(report.filled_on if report else None),
                      height=geometry.height("sign"))
            sign_line(ws, total_row + 3, n, "说明：班次为本季度开班的培训班数，人次为参训人次，课时为各班课时之和；"
                                            "类别按附件1《社区教育培训内容》。", height=geometry.height("note"))
            for r in (total_row + 2, total_row + 3):
                ws.cell(row=r, column=1).font = sheet.body_font(size=geometry.size("notes"))
            last = total_row + 3
        sheet.a4_print_setup(ws, last_row=last, ncols=n, repeat_rows=f"{HEAD1}:{HEAD2}", landscape=True,
                             margins_mm=geometry.margins())
        ws.freeze_panes = ws.cell(row=FIRST, column=3)
    return sheet.workbook_bytes(wb)


def _tally(t: Tally) -> list[int]:
    return [t.classes, t.trainees, t.hours]


def _row_total(r: int, k: int, place: dict, n_groups: int) -> Formula:
    """A blank row's 合计 of measure k: the sum over every category group, on whichever band it sits."""
    refs = []
    for gi in range(1, n_groups):
        title, first = place[gi]
        ref = f"{get_column_letter(first + k)}{r}"
        refs.append(ref if title == SHEET_TITLES[0] else f"{quote_sheetname(title)}!{ref}")
    return Formula(f"=SUM({','.join(refs)})")


def _write_row(ws, r: int, cells: list, cols: list[sheet.Column], geometry, *, zero_shown: set[int],
               bold: bool = False) -> None:
    """One table row; a 0 prints empty except in the columns of `zero_shown` (合计, totals of a filled report)."""
    size = geometry.size("cells")
    for c, (value, col) in enumerate(zip(cells, cols), start=1):
        cell = sheet.data_cell(ws, r, c, value, col)
        cell.font = sheet.header_font(size=size) if bold else sheet.body_font(size=size)
        cell.alignment = MIDDLE if c != 2 else Alignment(horizontal="left", vertical="center", wrap_text=True)
        if col.kind == "int":
            cell.number_format = "0" if c in zero_shown else sheet.INT_HIDE_ZERO
    ws.row_dimensions[r].height = geometry.height("row")
