"""Excel import on SQLite and PostgreSQL: located Chinese errors, all-or-nothing, no duplicates on re-import,
change reports, marked workbooks, hostile files."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from service.ooxml.cells import put_at
from service.records.exchange.importer import import_workbook
from service.records.exchange.marking import ERROR_FILL, ERRORS_SHEET, mark_errors
from service.records.exchange.upload import UploadRefused, check_xlsx
from service.records.exchange.workbooks import blank_roster, blank_schedule
from service.records.store.models import (
    Attendance,
    ClassTeacher,
    Enrolment,
    Teacher,
    Trainee,
    TraineeCategory,
    TrainingClass,
)
from service.records.store.session import upsert_units
from service.units import load_units

UNITS = ["紫荆村", "青龙村", "河岸小学"]


@pytest.fixture
def units_store(store, sample_dir):
    with store.transaction() as s:
        upsert_units(s, load_units(sample_dir / "units.json"))
    return store


def fill(template: bytes, sheets: dict[str, list[dict]]) -> bytes:
    """Type rows into a blank template the way a user does: values under the header titles."""
    wb = load_workbook(io.BytesIO(template))
    for name, rows in sheets.items():
        ws = wb[name]
        col = {str(c.value).rstrip("*"): c.column for c in ws[1]}
        for r, row in enumerate(rows, start=2):
            for title, value in row.items():
                put_at(ws, r, col[title], value)  # typed text stays text, as in Excel
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


TEACHERS = [
    {"姓名": "刘德明", "来源": "农技", "所在单位": "百胜镇农业服务中心", "联系电话": "13908261234", "志愿者": "是"},
    {"姓名": "陈慧", "来源": "学校", "所在单位": "河岸小学", "志愿者": "否"},
]
CLASSES = [
    {"办班单位": "紫荆村", "培训项目": "柑橘栽培技术培训", "培训内容类别": "4.农业科技类", "培训模式": "短平快",
     "培训方式": "现场教学", "培训地点": "紫荆村活动室", "开班日期": dt.datetime(2020, 5, 6),
     "结束日期": dt.datetime(2020, 5, 8), "课次": 3, "课时": 6, "培训教师": "刘德明"},
    {"办班单位": "河岸小学", "培训项目": "家庭教育讲座", "培训内容类别": "11", "培训模式": "资源共享",
     "培训方式": "讲座", "培训地点": "河岸小学多功能厅", "开班日期": "2020-05-20", "课次": 2, "课时": 4,
     "培训教师": "陈慧、刘德明", "培训对象": "学生家长"},
]
TRAINEES = [
    {"所属单位": "紫荆村", "姓名": "张大富", "性别": "男", "出生年份": 1955, "联系电话": "13800001111",
     "学员类别": "农民、老年"},
    {"所属单位": "紫荆村", "姓名": "李桂兰", "性别": "女", "出生年份": 1978, "学员类别": "农民"},
    {"所属单位": "青龙村", "姓名": "王小红", "性别": "女", "出生年份": 1985, "联系电话": "023-72810001",
     "学员类别": "家长"},
]
ENROLMENTS = [
    {"办班单位": "紫荆村", "培训项目": "柑橘栽培技术培训", "开班日期": "2020-05-06", "学员所属单位": "紫荆村",
     "学员姓名": "张大富", "学员联系电话": "13800001111", "出勤": "到到缺", "听课记录": 80, "课堂提问": 70},
    {"办班单位": "紫荆村", "培训项目": "柑橘栽培技术培训", "开班日期": "2020-05-06", "学员所属单位": "紫荆村",
     "学员姓名": "李桂兰", "出勤": "到迟到", "听课记录": 90, "课堂提问": 85},
    {"办班单位": "河岸小学", "培训项目": "家庭教育讲座", "开班日期": "2020-05-20", "学员所属单位": "青龙村",
     "学员姓名": "王小红", "学员联系电话": "02372810001", "出勤": "到到", "听课记录": 75, "课堂提问": 60},
]


def schedule(classes=CLASSES, teachers=TEACHERS) -> bytes:
    return fill(blank_schedule(UNITS), {"培训班": classes, "教师": teachers})


def roster(trainees=TRAINEES, enrolments=ENROLMENTS) -> bytes:
    return fill(blank_roster(UNITS), {"学员": trainees, "参训记录": enrolments})


def counts(s) -> dict[str, int]:
    return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in (
        Teacher, TrainingClass, ClassTeacher, Trainee, TraineeCategory, Enrolment, Attendance)}


def imp(store, data: bytes, **kw):
    with store.transaction() as s:
        return import_workbook(s, data, **kw)


def test_blank_templates_carry_headers_dropdowns_and_validation():
    wb = load_workbook(io.BytesIO(blank_schedule(UNITS)))
    assert wb.sheetnames[:2] == ["培训班", "教师"]
    ws = wb["培训班"]
    assert [c.value for c in ws[1]][:7] == ["办班单位*", "培训项目*", "培训内容类别*", "培训模式*", "培训方式*",
                                            "培训地点*", "开班日期*"]
    dvs = {str(dv.sqref)[0]: dv for dv in ws.data_validations.dataValidation}
    assert dvs["A"].type == "list"
    options = wb["选项"]
    assert options.sheet_state == "hidden"
    ref = dvs["A"].formula1.split("!")[1].replace("$", "")
    assert [r[0].value for r in options[ref]] == UNITS
    cat_ref = dvs["C"].formula1.split("!")[1].replace("$", "")
    cats = [r[0].value for r in options[cat_ref]]
    assert len(cats) == 13 and cats[3] == "4.农业科技类"
    assert dvs["G"].type == "date" and dvs["I"].type == "whole" and (dvs["I"].formula1, dvs["I"].formula2) == ("1", "200")
    assert "请从下拉列表中选择" in dvs["A"].error
    assert ws.print_title_rows == "$1:$1" and int(ws.page_setup.paperSize) == 9  # A4
    roster_wb = load_workbook(io.BytesIO(blank_roster(UNITS)))
    assert roster_wb.sheetnames[:2] == ["学员", "参训记录"]
    assert "身份证" not in "".join(str(c.value) for c in roster_wb["学员"][1])
    assert blank_roster(UNITS) == blank_roster(UNITS)  # byte-identical


def test_import_writes_records_equal_to_the_cells(units_store):
    r1 = imp(units_store, schedule())
    assert r1.ok, r1.summary()
    r2 = imp(units_store, roster())
    assert r2.ok, r2.summary()
    assert {k: (t.created, t.updated) for k, t in {**r1.tallies, **r2.tallies}.items()} == {
        "教师": (2, 0), "培训班": (2, 0), "学员": (3, 0), "参训记录": (3, 0)}
    with units_store.transaction() as s:
        c = s.scalars(select(TrainingClass).where(TrainingClass.title == "家庭教育讲座")).one()
        assert (c.unit.name, c.category_no, c.model_code, c.method, c.start_date, c.end_date, c.sessions, c.hours,
                c.audience) == ("河岸小学", 11, "resource_sharing", "讲座", dt.date(2020, 5, 20),
                                dt.date(2020, 5, 20), 2, 4, "学生家长")
        assert [s.get(Teacher, link.teacher_id).name for link in c.teacher_links] == ["陈慧", "刘德明"]
        t = s.scalars(select(Trainee).where(Trainee.name == "张大富")).one()
        assert (t.gender, t.birth_year, t.phone) == ("男", 1955, "13800001111")
        assert sorted(x.category for x in t.category_rows) == ["农民", "老年"]
        w = s.scalars(select(Trainee).where(Trainee.name == "王小红")).one()
        assert w.phone == "023-72810001"
        e = s.scalars(select(Enrolment).where(Enrolment.trainee_id == t.id)).one()
        assert ([a.mark for a in e.attendance], e.notes_score, e.question_score) == (["到", "到", "缺"], 80, 70)
        assert s.scalars(select(Teacher).where(Teacher.name == "刘德明")).one().volunteer is True


def test_reimport_creates_no_duplicates_and_an_edit_updates_and_reports(units_store):
    assert imp(units_store, schedule()).ok and imp(units_store, roster()).ok
    with units_store.transaction() as s:
        before = counts(s)
    again = imp(units_store, schedule())
    again2 = imp(units_store, roster())
    assert again.ok and again2.ok and again.changes == [] and again2.changes == []
    assert again.tallies["培训班"].unchanged == 2 and again2.tallies["学员"].unchanged == 3
    with units_store.transaction() as s:
        assert counts(s) == before
    edited = [dict(CLASSES[0], 课时=8, 培训教师="刘德明、陈慧"), CLASSES[1]]
    trainees = [dict(TRAINEES[0], 学员类别="老年"), *TRAINEES[1:]]
    enrol = [dict(ENROLMENTS[0], 出勤="到到到", 课堂提问=95), *ENROLMENTS[1:]]
    r1 = imp(units_store, schedule(classes=edited))
    r2 = imp(units_store, roster(trainees=trainees, enrolments=enrol))
    assert [(c.sheet, c.row, c.field, c.old, c.new) for c in r1.changes] == [
        ("培训班", 2, "课时", 6, 8), ("培训班", 2, "培训教师", ("刘德明",), ("刘德明", "陈慧"))]
    assert [(c.sheet, c.row, c.field, c.old, c.new) for c in r2.changes] == [
        ("学员", 2, "学员类别", ("农民", "老年"), ("老年",)),
        ("参训记录", 2, "课堂提问", 70, 95), ("参训记录", 2, "出勤", "到到缺", "到到到")]
    assert "课时由“6”改为“8”" in r1.summary()
    with units_store.transaction() as s:
        assert counts(s) == {**before, "trainee_categories": before["trainee_categories"] - 1,
                             "class_teachers": before["class_teachers"] + 1}
        c = s.scalars(select(TrainingClass).where(TrainingClass.title == "柑橘栽培技术培训")).one()
        assert c.hours == 8


def test_errors_name_sheet_row_and_column_in_chinese(units_store):
    classes = [
        dict(CLASSES[0], 培训内容类别="14.天文类"),  # row 2
        dict(CLASSES[1], 办班单位="火星村", 开班日期="2020-13-01"),  # row 3
        dict(CLASSES[0], 培训项目="电商培训", 培训教师="无名氏", 课次=0),  # row 4
        dict(CLASSES[0], 培训项目="电商培训2", 结束日期="2020-05-01", 培训模式="快速"),  # row 5
        {k: v for k, v in CLASSES[1].items() if k != "培训地点"},  # row 6
        CLASSES[1],  # row 7: same key as row 3? no - row 3 had another unit; duplicates row 6's key
    ]
    result = imp(units_store, schedule(classes=classes))
    got = {(e.sheet, e.row, e.column, e.field) for e in result.errors}
    assert ("培训班", 2, "C", "培训内容类别") in got
    assert ("培训班", 3, "A", "办班单位") in got
    assert ("培训班", 3, "G", "开班日期") in got
    assert ("培训班", 4, "K", "培训教师") in got and ("培训班", 4, "I", "课次") in got
    assert ("培训班", 5, "H", "结束日期") in got and ("培训班", 5, "D", "培训模式") in got
    assert ("培训班", 6, "F", "培训地点") in got
    assert ("培训班", 7, "B", "培训项目") in got
    text = {(e.row, e.column): e.message for e in result.errors}
    assert "不是附件1的培训内容类别" in text[(2, "C")]
    assert "不在单位名单中" in text[(3, "A")]
    assert "应为日期" in text[(3, "G")]
    assert "教师“无名氏”未登记" in text[(4, "K")]
    assert "应在1至200之间" in text[(4, "I")]
    assert "早于开班日期" in text[(5, "H")]
    assert text[(6, "F")] == "此项必填"
    assert "与第6行重复" in text[(7, "B")]
    assert str(result.errors[0]).startswith("【培训班】第2行C列（培训内容类别）：")

    assert imp(units_store, schedule()).ok
    trainees = [dict(TRAINEES[0], 性别="M"), dict(TRAINEES[1], 学员类别="农民、富人", 联系电话="12345"),
                TRAINEES[2]]
    enrol = [dict(ENROLMENTS[0], 出勤="到到"), dict(ENROLMENTS[1], 听课记录=120),
             dict(ENROLMENTS[2], 培训项目="不存在的班"),
             dict(ENROLMENTS[2], 学员姓名="赵六")]
    result = imp(units_store, roster(trainees=trainees, enrolments=enrol))
    got = {(e.sheet, e.row, e.column): e.message for e in result.errors}
    assert "不在可选值中" in got[("学员", 2, "C")]
    assert "“富人”不是可选值" in got[("学员", 3, "F")]
    assert "电话号码" in got[("学员", 3, "E")]
    assert "出勤应填3个字，现有2个" in got[("参训记录", 2, "G")]
    assert "应在0至100之间" in got[("参训记录", 3, "H")]
    assert "找不到培训班" in got[("参训记录", 4, "B")]
    assert "学员“赵六”" in got[("参训记录", 5, "E")]


def test_import_is_all_or_nothing(units_store):
    bad = [*CLASSES, dict(CLASSES[0], 培训项目="第三个班", 课时="六")]
    result = imp(units_store, schedule(classes=bad))
    assert not result.ok and [(e.row, e.column) for e in result.errors] == [(4, "J")]
    assert "没有写入任何记录" in result.summary()
    with units_store.transaction() as s:
        assert counts(s) == dict.fromkeys(counts(s), 0)


def test_centre_can_only_import_its_own_unit(units_store):
    result = imp(units_store, schedule(), unit_scope="紫荆村")
    assert [(e.row, e.column) for e in result.errors] == [(3, "A")]
    assert "只能导入本单位（紫荆村）的记录" in result.errors[0].message


def test_failed_import_comes_back_as_the_users_workbook_with_bad_cells_marked(units_store):
    data = schedule(classes=[CLASSES[0], dict(CLASSES[1], 课时=-1, 培训方式="唱歌")])
    result = imp(units_store, data)
    marked = load_workbook(io.BytesIO(mark_errors(data, result.errors)))
    assert marked.sheetnames[0] == ERRORS_SHEET and marked.sheetnames[1:3] == ["培训班", "教师"]
    ws = marked["培训班"]
    for ref in ("J3", "E3"):
        assert ws[ref].fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
        assert ws[ref].comment is not None
    assert "应在0至1000之间" in ws["J3"].comment.text and "“唱歌”不在可选值中" in ws["E3"].comment.text
    assert ws["J3"].value == -1 and ws["B2"].value == "柑橘栽培技术培训"  # the user's own data is kept
    assert ws["J2"].comment is None
    listing = [[c.value for c in row] for row in marked[ERRORS_SHEET].iter_rows(min_row=2)]
    assert sorted(r[:4] for r in listing) == [["培训班", 3, "E", "培训方式"], ["培训班", 3, "J", "课时"]]
    # the marked workbook is importable again once fixed
    wb = marked
    ws["J3"].value, ws["E3"].value = 4, "讲座"
    buf = io.BytesIO()
    wb.save(buf)
    assert imp(units_store, buf.getvalue()).ok


def test_a_workbook_with_many_errors_lists_them_all_and_comments_the_first_cells(monkeypatch):
    """Past MAX_COMMENTED_CELLS bad cells the rest are filled without a comment and a note says so; past
    ROWS_PER_SHEET errors the listing goes on in 导入错误（续2）…, each with its header; every error is listed once,
    in order, as text (a formula-like message stays text); marking the marked workbook again replaces the lists."""
    from service.records.exchange import marking
    from service.records.exchange.reader import CellError

    monkeypatch.setattr(marking, "MAX_COMMENTED_CELLS", 5)
    monkeypatch.setattr(marking, "ROWS_PER_SHEET", 6)
    errors = [CellError("培训班", r, "J", "课时", f"第{r}行课时应在0至1000之间") for r in range(2, 14)]
    errors += [CellError("培训班", 2, "E", "培训方式", "=HYPERLINK(\"http://example.invalid\",\"x\")"),
               CellError("工作簿", None, None, None, "  前后有空格  ")]
    data = mark_errors(blank_schedule(UNITS), errors)
    wb = load_workbook(io.BytesIO(data))
    names = [ERRORS_SHEET, f"{ERRORS_SHEET}（续2）", f"{ERRORS_SHEET}（续3）"]
    assert wb.sheetnames[:3] == names and wb.active.title == ERRORS_SHEET
    listed = []
    for name in names:
        ws = wb[name]
        assert [c.value for c in ws[1]][:5] == ["工作表", "行", "列", "字段", "错误说明"]
        assert ws.freeze_panes == "A2" and ws.column_dimensions["E"].width == 80
        listed += [tuple(c.value for c in row[:5]) for row in ws.iter_rows(min_row=2)]
    assert listed == [(e.sheet, e.row, e.column, e.field, e.message) for e in errors]
    assert [wb[n].max_row for n in names] == [7, 7, 3]
    formula = next(c for n in names for row in wb[n].iter_rows() for c in row if c.value == errors[-2].message)
    assert formula.data_type == "s" and formula.quotePrefix and formula.font.sz == 11
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert "共14处错误，标红的单元格13个；前5个单元格附批注" in wb[ERRORS_SHEET]["G1"].value
    ws = wb["培训班"]
    bad = [ws[f"J{r}"] for r in range(2, 14)]
    assert all(c.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:]) for c in bad + [ws["E2"]])
    assert [c.comment is not None for c in bad] == [True] * 5 + [False] * 7
    again = load_workbook(io.BytesIO(mark_errors(data, errors[:2])))
    assert again.sheetnames.count(ERRORS_SHEET) == 1 and not any("续" in n for n in again.sheetnames)
    assert [tuple(c.value for c in row[:3]) for row in again[ERRORS_SHEET].iter_rows(min_row=2)] == [
        ("培训班", 2, "J"), ("培训班", 3, "J")]


def test_a_large_upload_comes_back_as_the_listing_alone(monkeypatch):
    """Sheets larger than MAX_MARKED_XML are not loaded to be marked in place: the workbook handed back holds the
    导入错误 listing (every error) and a note saying why the user's own sheets are not in it."""
    from service.records.exchange import marking
    from service.records.exchange.reader import CellError

    upload = blank_schedule(UNITS)
    monkeypatch.setattr(marking, "MAX_MARKED_XML", marking._sheets_size(upload) - 1)
    errors = [CellError("培训班", r, "J", "课时", "应在0至1000之间") for r in range(2, 40)]
    wb = load_workbook(io.BytesIO(mark_errors(upload, errors)))
    assert wb.sheetnames == [ERRORS_SHEET]
    listed = [tuple(c.value for c in row[:5]) for row in wb[ERRORS_SHEET].iter_rows(min_row=2)]
    assert listed == [(e.sheet, e.row, e.column, e.field, e.message) for e in errors]
    assert "共38处错误。上传的工作簿较大，未在原表中标红" in wb[ERRORS_SHEET]["G1"].value
    monkeypatch.setattr(marking, "MAX_MARKED_XML", marking._sheets_size(upload))  # at the bound: marked in place
    assert load_workbook(io.BytesIO(mark_errors(upload, errors))).sheetnames[1:3] == ["培训班", "教师"]


def _xlsx_with(sheet_xml: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(blank_schedule(UNITS)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))
    return out.getvalue()


BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                   for i in range(1, 10))
        + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')


@pytest.mark.parametrize("make, message", [
    (lambda: _xlsx_with(BOMB), "XML 实体声明"),
    (lambda: _xlsx_with(b"<!-- " + b"x" * 70000 + b" -->" + BOMB.split(b"\n", 1)[1]), "XML 实体声明"),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel（.xls）"),
    (lambda: "姓名,性别\n张三,男\n".encode(), "不是 Excel 工作簿"),
    (lambda: b"PK\x03\x04garbage", "文件已损坏"),
    (lambda: _docx_like(), "不是 Excel 工作簿"),
    (lambda: _zip_bomb(), "压缩炸弹"),
    (lambda: b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024), "超过上限"),
])
def test_hostile_files_are_refused_cleanly_in_chinese(units_store, make, message):
    data = make()
    with pytest.raises(UploadRefused, match=message):
        imp(units_store, data)
    with units_store.transaction() as s:
        assert counts(s)["training_classes"] == 0


def _docx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _zip_bomb() -> bytes:
    src = zipfile.ZipFile(io.BytesIO(blank_schedule(UNITS)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info))
        z.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))
    return out.getvalue()


def test_upload_limit_is_the_configured_one():
    check_xlsx(blank_schedule(UNITS), max_bytes=1024 * 1024)
    with pytest.raises(UploadRefused, match=r"超过上限0\.0 MB"):
        check_xlsx(blank_schedule(UNITS), max_bytes=1000)


def _as_sets(batch) -> dict:
    return {"teachers": set(batch.teachers), "classes": set(batch.classes), "trainees": set(batch.trainees),
            "enrolments": set(batch.enrolments)}


def test_the_whole_sample_year_round_trips_through_the_import_workbooks(sample_store, store, sample_dir):
    """Export the loaded year as the two workbooks, import them into an empty store: the same records."""
    from service.records.exchange.export import export_workbooks, stored_batch

    with sample_store.transaction() as s:
        schedule_xlsx, roster_xlsx = export_workbooks(s)
        original = stored_batch(s)
    assert len(original.trainees) >= 5000 and len(original.classes) >= 300
    with store.transaction() as s:
        upsert_units(s, load_units(sample_dir / "units.json"))
    first = imp(store, schedule_xlsx)
    second = imp(store, roster_xlsx)
    assert first.ok and second.ok, (first.summary()[:500], second.summary()[:500])
    assert second.tallies["参训记录"].created == len(original.enrolments)
    with store.transaction() as s:
        assert _as_sets(stored_batch(s)) == _as_sets(original)


def test_a_centre_exports_its_own_records_and_reimports_them_unchanged(sample_store):
    from service.records.exchange.export import export_workbooks, stored_batch

    with sample_store.transaction() as s:
        schedule_xlsx, roster_xlsx = export_workbooks(s, "青龙村")
        mine = stored_batch(s, "青龙村")
        assert {c.unit for c in mine.classes} == {t.unit for t in mine.trainees} == {"青龙村"}
        for data in (schedule_xlsx, roster_xlsx):
            result = import_workbook(s, data, unit_scope="青龙村")
            assert result.ok and result.changes == [], result.summary()[:300]
            assert all(t.created == 0 and t.updated == 0 for t in result.tallies.values())
        s.rollback()
