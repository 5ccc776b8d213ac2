"""Issue 8.1: user text never becomes a formula in any workbook the service makes, and keeps all its characters.

Every payload of the corpus goes in through the real import path (service.records.exchange.importer) or the forms' models;
every workbook kind is rendered and read back: no cell is a formula except the service's own (合计 sums, the blank
forms' computed columns), the text is there as a string cell shown as text (quotePrefix), no <f> in the sheet XML
holds user text, and an exported workbook imports back unchanged.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from service.forms.annex3 import MonthlyReport, render_monthly_report
from service.forms.annex4 import LeadershipRow, LeadershipTable, render_leadership_table
from service.ooxml.cells import put
from service.records.exchange.export import export_workbooks, stored_batch
from service.records.exchange.importer import import_workbook
from service.records.exchange.marking import mark_errors
from service.records.exchange.workbooks import blank_roster, blank_schedule
from service.records.queries import reports
from service.records.renderers import outputs
from service.records.store.models import TrainingClass
from service.records.store.session import open_store, upsert_units
from service.units import load_units
from tests.records.test_records_import import fill  # types text the way Excel stores it

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "baisheng-2020"
UNIT = "紫荆村"
PAYLOADS = [
    '=HYPERLINK("http://example.invalid","x")',
    "=1+1",
    '=cmd|" /C calc"!A0',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "=-1",
    "+1",
    "-=1",
    "@A1",
]
# The service's own formulas: SUM of the 合计 rows and the IF/ROUND of blank forms' computed columns.
SERVICE_FORMULA = re.compile(r"^=(SUM|IF)\(")


def _day(i: int) -> dt.date:
    return dt.date(2020, 5, 1 + i)


def _workbooks(units: list[str], sessions: int = 2) -> tuple[bytes, bytes]:
    teachers = [{"姓名": f"教师{i}", "来源": "社会", "所在单位": p, "专业特长": p, "志愿者": "否"}
                for i, p in enumerate(PAYLOADS)]
    classes = [{"办班单位": UNIT, "培训项目": p, "培训内容类别": "4.农业科技类", "培训模式": "短平快",
                "培训方式": "讲座", "培训地点": p, "开班日期": _day(i).isoformat(), "课次": sessions, "课时": 4,
                "培训教师": f"教师{i}", "培训对象": p, "培训目标": p} for i, p in enumerate(PAYLOADS)]
    trainees = [{"所属单位": UNIT, "姓名": p, "性别": "女", "出生年份": 1970, "联系电话": f"138000011{i:02d}",
                 "学员类别": "农民"} for i, p in enumerate(PAYLOADS)]
    enrolments = [{"办班单位": UNIT, "培训项目": p, "开班日期": _day(i).isoformat(), "学员所属单位": UNIT,
                   "学员姓名": p, "学员联系电话": f"138000011{i:02d}", "出勤": "到到", "听课记录": 80,
                   "课堂提问": 70} for i, p in enumerate(PAYLOADS)]
    return (fill(blank_schedule(units), {"培训班": classes, "教师": teachers}),
            fill(blank_roster(units), {"学员": trainees, "参训记录": enrolments}))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('inj') / 'records.sqlite3'}")
    with store.transaction() as s:
        units = load_units(SAMPLE / "units.json")
        upsert_units(s, units)
        schedule, roster = _workbooks([u.name for u in units.units])
        for data in (schedule, roster):
            result = import_workbook(s, data)
            assert result.ok, result.summary()[:500]
    yield store
    store.engine.dispose()


def _formulas_and_strings(data: bytes) -> tuple[list[str], set[str]]:
    wb = load_workbook(io.BytesIO(data))
    formulas, strings = [], set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(str(cell.value))
                elif isinstance(cell.value, str):
                    strings.add(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    return formulas, strings


def _raw_formulas(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [f for name in z.namelist() if name.startswith("xl/worksheets/")
                for f in re.findall(r"<f[^>]*>(.*?)</f>", z.read(name).decode())]


def check_workbook(data: bytes, expected: set[str]) -> None:
    formulas, strings = _formulas_and_strings(data)
    assert all(SERVICE_FORMULA.match(f) for f in formulas), [f for f in formulas if not SERVICE_FORMULA.match(f)]
    for raw in _raw_formulas(data):
        assert not any(p.strip()[1:] in raw for p in PAYLOADS if len(p.strip()) > 3), raw
    missing = {e for e in expected if not any(e in s for s in strings)}
    assert not missing, missing


def stored(p: str) -> str:
    return p.strip()  # the importer trims cells, as it does for every text


def _class_ids(s) -> list[int]:
    return reports.class_ids(s, UNIT, _day(0), _day(len(PAYLOADS)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_put_writes_any_text_as_a_string_shown_as_text(payload):
    wb = Workbook()
    put(wb.active["A1"], payload)
    buf = io.BytesIO()
    wb.save(buf)
    assert _raw_formulas(buf.getvalue()) == []
    cell = load_workbook(buf).active["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (payload, "s", True)


def test_ledger_cards_and_assessment_sheets_hold_the_text_not_a_formula(store):
    with store.transaction() as s:
        ids = _class_ids(s)
        assert len(ids) == len(PAYLOADS)
        for cid in ids:
            title = s.get(TrainingClass, cid).title
            for f in outputs.ledger_card_files(s, cid, formats=("xlsx",)) + \
                    outputs.assessment_files(s, cid, formats=("xlsx",)):
                check_workbook(f.data, {title})


def test_monthly_and_quarterly_reports_from_the_store(store):
    with store.transaction() as s:
        check_workbook(outputs.monthly_report_file(s, UNIT, 2020, 5).data, {stored(p) for p in PAYLOADS})
        for f in outputs.quarterly_report_files(s, 2020, 2, formats=("xlsx",)):
            check_workbook(f.data, set())


def test_exports_hold_the_text_and_import_back_unchanged(store):
    with store.transaction() as s:
        before = stored_batch(s)
        schedule, roster = export_workbooks(s)
        expected = {stored(p) for p in PAYLOADS}
        check_workbook(schedule, expected)
        check_workbook(roster, expected)
        assert {c.title for c in before.classes} >= expected
        for data in (schedule, roster):
            result = import_workbook(s, data)
            assert result.ok and result.changes == [], result.summary()[:500]
        after = stored_batch(s)
        assert set(after.classes) == set(before.classes) and set(after.trainees) == set(before.trainees)
        assert set(after.teachers) == set(before.teachers)
        s.rollback()


def test_import_templates_and_marked_workbooks(store):
    names = [stored(p) for p in PAYLOADS]
    for data in (blank_schedule(names), blank_roster(names)):
        check_workbook(data, set(names))
    schedule, _ = _workbooks([u.name for u in load_units(SAMPLE / "units.json").units], sessions=0)
    with store.transaction() as s:
        result = import_workbook(s, schedule)  # 0 sessions: every class row is refused
        assert not result.ok
        s.rollback()
    marked = mark_errors(schedule, result.errors)
    check_workbook(marked, {stored(p) for p in PAYLOADS})


def test_annex3_and_annex4_from_their_models():
    payloads = [stored(p) for p in PAYLOADS]
    report = MonthlyReport(township_short="百胜", unit=payloads[0], year=2020, month=5, filler=payloads[4],
                           rows=[{"project": p, "trainees": 3, "location": p, "hours": 2, "method": "讲座",
                                  "remark": p} for p in payloads])
    check_workbook(render_monthly_report(report, township_short="百胜"), set(payloads))
    table = LeadershipTable(township="百胜镇", rows=[
        LeadershipRow(activity_room=p, leader=p, deputy=p, staff=p, leader_phone="13800001111") for p in payloads])
    check_workbook(render_leadership_table(table, township="百胜镇"), set(payloads))
