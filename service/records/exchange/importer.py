"""Import of the class-schedule and roster workbooks into the records store.

- Errors are reported by sheet, row and column with a Chinese message (`CellError`, service.records.exchange.reader).
- All or nothing: every row of every sheet is checked first; only a workbook without a single error is written,
  inside one savepoint of the caller's transaction.
- Re-importing creates no duplicates (natural keys, see service.records.store.writer); an edited re-import updates those
  records and reports every changed field (`ImportResult.changes`).
- A refused workbook can be handed back to the user with the bad cells marked: service.records.exchange.marking.
- Hostile files are refused before parsing (service.records.exchange.upload).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from lxml.etree import XMLSyntaxError
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.records.exchange import extras
from service.records.exchange.cells import header_key
from service.records.exchange.reader import CellError, SheetReader
from service.records.exchange.sheets import (
    ALL_SHEETS,
    CLASSES,
    ENROLMENTS,
    TEACHERS,
    TRAINEES,
)
from service.records.exchange.upload import UploadRefused, check_xlsx
from service.records.store.models import ClassTeacher, Enrolment, Teacher, Trainee, TrainingClass, Unit
from service.records.store.writer import (
    TEACHER_FIELDS,
    Batch,
    Change,
    ClassRec,
    EnrolmentRec,
    Tally,
    TeacherRec,
    TraineeRec,
    write_batch,
)


@dataclass
class ImportResult:
    errors: list[CellError] = field(default_factory=list)
    tallies: dict[str, Tally] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            lines = [f"导入失败：发现{len(self.errors)}处错误，没有写入任何记录。"]
            lines += [f"  {e}" for e in self.errors]
            return "\n".join(lines)
        parts = [f"【{name}】新增{t.created}条，更新{t.updated}条，未变{t.unchanged}条"
                 for name, t in self.tallies.items()]
        lines = ["导入成功：" + "；".join(parts) + "。"]
        lines += [f"  {c}" for c in self.changes]
        return "\n".join(lines)


def read_batch(session: Session, wb, *, unit_scope: str | None = None) -> tuple[Batch, list[CellError], list[str]]:
    """Check every known sheet of an open workbook against the store; the batch is valid only when no errors."""
    reader = SheetReader(session, unit_scope)
    present = {header_key(name): name for name in wb.sheetnames}
    found = [spec for spec in ALL_SHEETS if spec.name in present]
    if not found:
        names = "、".join(f"【{s.name}】" for s in ALL_SHEETS)
        reader.errors.append(CellError("工作簿", None, None, None,
                                       f"找不到可导入的工作表（应有{names}之一）；请使用系统提供的模板"))
        return Batch(), reader.errors, []
    batch = Batch()
    rows = {spec.name: reader.read_sheet(spec, wb[present[spec.name]]) for spec in found}

    # 教师
    teacher_names = set(session.scalars(select(Teacher.name)))
    foreign = _teachers_not_only_of(session, unit_scope) if unit_scope and TEACHERS.name in rows else {}
    for row in reader.unique(TEACHERS, rows.get(TEACHERS.name, [])):
        v = row.values
        if v["name"]:
            teacher_names.add(v["name"])  # referable even when the row has errors: no cascade of messages
        if v["source"] is None:
            continue
        rec = TeacherRec(v["name"], v["source"], v["organisation"], v["speciality"], v["phone"],
                         bool(v["volunteer"]))
        stored = foreign.get(rec.name)
        if stored is not None and any(getattr(stored, k) != getattr(rec, k) for k in TEACHER_FIELDS):
            reader.error(TEACHERS, row, "name", f"教师“{rec.name}”不是只为本单位（{unit_scope}）的培训班授课，"
                                                "学习中心不能修改其信息（可新增教师）；如需修改，请联系党政办")
            continue
        batch.teachers.append(rec)
        batch.rows[id(rec)] = row.number

    # 培训班
    classes: dict = {}
    for row in reader.unique(CLASSES, rows.get(CLASSES.name, [])):
        v = row.values
        if v["unit"] and v["title"] and v["start_date"] and v["sessions"]:
            classes[(v["unit"], v["title"], v["start_date"])] = v["sessions"]
        ok = reader.check_unit(CLASSES, row, "unit")
        end = v["end_date"] or v["start_date"]
        if v["start_date"] and end < v["start_date"]:
            reader.error(CLASSES, row, "end_date", f"结束日期{end.isoformat()}早于开班日期{v['start_date'].isoformat()}")
            ok = False
        for name in v["teachers"] or ():
            if name not in teacher_names:
                reader.error(CLASSES, row, "teachers", f"教师“{name}”未登记：请在【教师】表中补上此人（姓名、来源）")
                ok = False
        if not ok or any(v[f.key] is None for f in CLASSES.fields if f.required):
            continue
        rec = ClassRec(v["unit"], v["title"], v["start_date"], end, v["category_no"], v["model_code"], v["method"],
                       v["location"], v["sessions"], v["hours"], tuple(v["teachers"]), v["audience"], v["objective"])
        batch.classes.append(rec)
        batch.rows[id(rec)] = row.number

    # 学员
    unit_ids = dict(session.execute(select(Unit.name, Unit.id)).all())
    unit_names = {i: n for n, i in unit_ids.items()}
    trainees = {(unit_names[u], n, p) for u, n, p in session.execute(
        select(Trainee.unit_id, Trainee.name, Trainee.phone))}
    for row in reader.unique(TRAINEES, rows.get(TRAINEES.name, [])):
        v = row.values
        if v["unit"] and v["name"]:
            trainees.add((v["unit"], v["name"], v["phone"] or ""))
        if not reader.check_unit(TRAINEES, row, "unit"):
            continue
        if any(v[f.key] is None for f in TRAINEES.fields if f.required):
            continue
        rec = TraineeRec(v["unit"], v["name"], v["phone"] or "", v["gender"], v["birth_year"], tuple(v["categories"]))
        batch.trainees.append(rec)
        batch.rows[id(rec)] = row.number

    # 参训记录
    if ENROLMENTS.name in rows:
        stored = {(unit_names[u], t, d): s for u, t, d, s in session.execute(
            select(TrainingClass.unit_id, TrainingClass.title, TrainingClass.start_date, TrainingClass.sessions))}
        stored.update(classes)
        own_enrolled = _enrolled_in_classes_of(session, unit_scope) if unit_scope else set()
        for row in reader.unique(ENROLMENTS, rows[ENROLMENTS.name]):
            v = row.values
            ok = reader.check_unit(ENROLMENTS, row, "class_unit")
            ok = reader.check_unit(ENROLMENTS, row, "trainee_unit", scoped=False) and ok
            if not ok or any(v[f.key] is None for f in ENROLMENTS.fields if f.required):
                continue
            class_key = (v["class_unit"], v["class_title"], v["class_start"])
            trainee_key = (v["trainee_unit"], v["trainee_name"], v["trainee_phone"] or "")
            if unit_scope and trainee_key[0] != unit_scope and (class_key, trainee_key) not in own_enrolled:
                # The same answer whether or not that unit has such a trainee: no oracle over other units' rosters.
                reader.error(ENROLMENTS, row, "trainee_unit",
                             f"学习中心只能为本单位（{unit_scope}）的学员新增参训记录；外单位学员请由党政办导入")
                continue
            sessions = stored.get(class_key)
            if sessions is None:
                reader.error(ENROLMENTS, row, "class_title",
                             f"找不到培训班：{class_key[0]}《{class_key[1]}》{class_key[2].isoformat()}开班"
                             "（请先导入培训班表，并核对项目名称和开班日期）")
                continue
            if trainee_key not in trainees:
                phone = f"，电话{trainee_key[2]}" if trainee_key[2] else "，无电话"
                reader.error(ENROLMENTS, row, "trainee_name",
                             f"学员“{trainee_key[1]}”（{trainee_key[0]}{phone}）未登记：请在【学员】表中补上")
                continue
            if len(v["marks"]) != sessions:
                reader.error(ENROLMENTS, row, "marks",
                             f"该班共{sessions}次课，出勤应填{sessions}个字，现有{len(v['marks'])}个（“{v['marks']}”）")
                continue
            rec = EnrolmentRec(class_key, trainee_key, v["marks"], v["notes_score"], v["question_score"])
            batch.enrolments.append(rec)
            batch.rows[id(rec)] = row.number
    extras.read(reader, rows, session, batch)  # 志愿者, 经费, 活动
    reader.errors.sort(key=lambda e: ([s.name for s in ALL_SHEETS].index(e.sheet)
                                      if e.sheet in [s.name for s in ALL_SHEETS] else -1,
                                      e.row or 0, e.column or ""))
    return batch, reader.errors, [s.name for s in found]


def _teachers_not_only_of(session: Session, unit: str) -> dict[str, Teacher]:
    """Stored teachers a centre of `unit` may not edit: those not used solely by that unit's classes (used by
    another unit's class, or by no class at all), by name."""
    units: dict[int, set[str]] = {}
    for tid, name in session.execute(select(ClassTeacher.teacher_id, Unit.name)
                                     .join(TrainingClass, TrainingClass.id == ClassTeacher.class_id)
                                     .join(Unit, Unit.id == TrainingClass.unit_id)):
        units.setdefault(tid, set()).add(name)
    return {t.name: t for t in session.scalars(select(Teacher)) if units.get(t.id) != {unit}}


def _enrolled_in_classes_of(session: Session, unit: str) -> set[tuple]:
    """(class key, trainee key) of every stored enrolment in `unit`'s classes: a centre may re-import those."""
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    out = set()
    for cu, title, start, tu, name, phone in session.execute(
            select(TrainingClass.unit_id, TrainingClass.title, TrainingClass.start_date, Trainee.unit_id,
                   Trainee.name, Trainee.phone)
            .join(Enrolment, Enrolment.class_id == TrainingClass.id).join(Trainee, Trainee.id == Enrolment.trainee_id)
            .where(TrainingClass.unit_id == select(Unit.id).where(Unit.name == unit).scalar_subquery())):
        out.add(((names[cu], title, start), (names[tu], name, phone)))
    return out


def _refusal(exc: BaseException, *, default: bool = True) -> UploadRefused | None:
    """What to tell the user about a workbook openpyxl could not read (the cause may be deep in the chain)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return UploadRefused("工作簿含有 XML 实体声明（可能是 XML 炸弹），未导入。")
        if isinstance(seen, (zipfile.BadZipFile, ParseError, XMLSyntaxError)):
            return UploadRefused("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开，未导入。")
        seen = seen.__cause__ or seen.__context__
    if not default:
        return None
    return UploadRefused(f"无法读取此工作簿（{type(exc).__name__}），未导入。请用 Excel 或 WPS 打开后另存为 .xlsx 再试。")


def open_workbook(data: bytes, *, read_only: bool = True, max_bytes: int | None = None):
    """Open an uploaded .xlsx after the hostile-file checks. Raises UploadRefused (Chinese) when refused."""
    check_xlsx(data, max_bytes=max_bytes)
    try:
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=True)
    except Exception as exc:  # noqa: BLE001 - defusedxml, zipfile, openpyxl: all mean "cannot read it"
        raise _refusal(exc) from None


def import_workbook(session: Session, data: bytes, *, unit_scope: str | None = None,
                    max_bytes: int | None = None) -> ImportResult:
    """Check and import a schedule or roster workbook (any of the sheets 教师/培训班/学员/参训记录).

    Nothing is written unless the whole workbook is free of errors; then everything is written in one savepoint of
    the session's transaction (the caller commits). `unit_scope` limits a centre to its own unit's rows.
    Raises UploadRefused for a file that is not a harmless .xlsx.
    """
    wb = open_workbook(data, max_bytes=max_bytes)
    try:
        batch, errors, sheets = read_batch(session, wb, unit_scope=unit_scope)
    except Exception as exc:  # worksheets are parsed lazily: a hostile sheet surfaces here
        refusal = _refusal(exc, default=False)
        if refusal is None:
            raise
        raise refusal from None
    finally:
        wb.close()
    result = ImportResult(errors=errors, sheets=sheets)
    if errors:
        return result
    try:
        with session.begin_nested():
            written = write_batch(session, batch)
            written.tallies.update(extras.write(session, batch))
    except IntegrityError:  # another import wrote the same records meanwhile: nothing of this one is kept
        result.errors.append(CellError("工作簿", None, None, None,
                                       "另一次导入同时写入了相同的记录，本次没有写入任何记录；请重新导入"))
        return result
    result.tallies = {name: written.tallies[name] for name in sheets if name in written.tallies}
    result.changes = written.changes
    return result
