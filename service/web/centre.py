"""A unit's pages (a centre sees only its own; the office every unit's): classes and trainees, the blank import
templates, the roster upload with its errors and marked workbook, and the pre-filled documents."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from flask import Response, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from service.access import audit
from service.db.session import session as db
from service.jobs import storage
from service.naming import content_disposition, document_filename
from service.records.store.models import Enrolment, Trainee, TraineeCategory, TrainingClass, Unit
from service.records.vocab import TRAINEE_CATEGORIES
from service.web.auth import require_unit
from service.web.blueprint import web
from service.web.forms import FieldErrors

XLSX = storage.MEDIA_TYPES[".xlsx"]
DOCUMENTS = {"ledger-cards": "学员培训记录卡", "assessment-sheets": "学员考核表", "monthly-report": "月报表"}
FORMATS = {"docx": "Word（.docx）", "xlsx": "Excel（.xlsx）", "pdf": "PDF（打印用）"}


def _unit(unit: str) -> Unit:
    require_unit(unit)
    with db() as s:
        row = s.scalars(select(Unit).where(Unit.name == unit)).one_or_none()
    if row is None:
        raise NotFound()
    return row


def _classes(s, unit_id: int, year: int | None = None) -> list[tuple[TrainingClass, int]]:
    counts = select(Enrolment.class_id, func.count(Enrolment.id).label("n")).group_by(Enrolment.class_id).subquery()
    stmt = (select(TrainingClass, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.class_id == TrainingClass.id)
            .where(TrainingClass.unit_id == unit_id).order_by(TrainingClass.start_date, TrainingClass.title))
    if year is not None:
        stmt = stmt.where(TrainingClass.start_date >= dt.date(year, 1, 1), TrainingClass.start_date < dt.date(year + 1, 1, 1))
    return list(s.execute(stmt).all())


def class_key(c: TrainingClass) -> str:
    """How a class is named on the pages and in forms: its start date and title (never an internal id)."""
    return f"{c.start_date.isoformat()}|{c.title}"


def _class_by_key(unit: Unit, start: str, title: str) -> TrainingClass:
    try:
        day = dt.date.fromisoformat(start)
    except ValueError:
        raise NotFound() from None
    with db() as s:
        c = s.scalars(select(TrainingClass).where(TrainingClass.unit_id == unit.id, TrainingClass.title == title,
                                                  TrainingClass.start_date == day)).one_or_none()
    if c is None:
        raise NotFound()
    return c


def attachment(data: bytes, name: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": content_disposition(name),
                                                      "Cache-Control": "private, no-store"})


@web.route("/units/<unit>/classes")
def unit_classes(unit: str):
    u = _unit(unit)
    with db() as s:
        years = sorted({d.year for d in s.scalars(select(TrainingClass.start_date)
                                                  .where(TrainingClass.unit_id == u.id))}, reverse=True)
        try:
            year = int(request.args.get("year", years[0] if years else dt.date.today().year))
        except ValueError:
            year = years[0] if years else dt.date.today().year
        rows = _classes(s, u.id, year)
    return render_template("web/classes.html", unit=u, rows=rows, year=year, years=years)


@web.route("/units/<unit>/classes/<start>/<title>")
def class_page(unit: str, start: str, title: str):
    from service.records.queries import reports

    u = _unit(unit)
    c = _class_by_key(u, start, title)
    with db() as s:
        card = reports.ledger_card(s, c.id)
    return render_template("web/class.html", unit=u, card=card, key=class_key(c))


@web.route("/units/<unit>/trainees")
def unit_trainees(unit: str):
    u = _unit(unit)
    with db() as s:
        trainees = list(s.scalars(select(Trainee).where(Trainee.unit_id == u.id).order_by(Trainee.name, Trainee.id)))
        cats: dict[int, set[str]] = {}
        for tid, cat in s.execute(select(TraineeCategory.trainee_id, TraineeCategory.category)
                                  .join(Trainee).where(Trainee.unit_id == u.id)):
            cats.setdefault(tid, set()).add(cat)
        classes = dict(s.execute(select(Enrolment.trainee_id, func.count(Enrolment.id)).join(Trainee)
                                 .where(Trainee.unit_id == u.id).group_by(Enrolment.trainee_id)).all())
    rows = [(t, "、".join(c for c in TRAINEE_CATEGORIES if c in cats.get(t.id, ())), classes.get(t.id, 0))
            for t in trainees]
    return render_template("web/trainees.html", unit=u, rows=rows)


@web.route("/units/<unit>/template/<which>")
def import_template(unit: str, which: str):
    """The blank import workbook, its unit drop-down limited to the units this user may import for."""
    from service.records.exchange.workbooks import blank_roster, blank_schedule
    from service.web.office import unit_names

    u = _unit(unit)
    if which not in ("schedule", "roster"):
        raise NotFound()
    names = unit_names() if g.principal.is_office else [u.name]
    data, title = (blank_schedule(names), "培训班计划表") if which == "schedule" else (blank_roster(names), "学员名册")
    return attachment(data, document_filename(f"{title}（导入模板）", ".xlsx"), XLSX)


@web.route("/units/<unit>/import", methods=["GET", "POST"])
def unit_import(unit: str):
    """Upload a filled roster or schedule: checked and kept, then imported by a worker (the API's import job, all
    or nothing); this page polls the job, then shows the errors in a table and the workbook with every bad cell
    marked."""
    from service.jobs.records_io_kinds import IMPORT_KIND, import_outcome, keep_upload
    from service.records.exchange.marking import MAX_COMMENTED_CELLS
    from service.records.exchange.upload import UploadRefused, check_xlsx
    from service.web.jobs import start_job

    u = _unit(unit)
    report = refused = marked = None
    running = False
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        try:
            check_xlsx(data, max_bytes=current_app.config["MAX_CONTENT_LENGTH"])
        except UploadRefused as exc:
            refused = str(exc)
        else:
            params = keep_upload(g.principal, data, upload.filename or "")  # a centre: its own unit's rows only
            job, _ = start_job(IMPORT_KIND, params.model_dump(mode="json"))
            return redirect(url_for("web.unit_import", unit=u.name, job=job.id,
                                    name=Path(upload.filename or "工作簿").stem))
    elif request.args.get("job"):
        job_id = request.args["job"]
        try:
            state, report, marked_id = import_outcome(job_id, g.principal.token_id)
        except LookupError:
            raise NotFound() from None
        running = state in ("accepted", "running")
        if not running and report is None:
            refused = "导入未能完成（工作簿无法读取或处理失败），没有写入任何记录。"
        if marked_id:
            marked = url_for("web.marked_workbook", unit=u.name, key=job_id, name=request.args.get("name", "工作簿"))
    status = 422 if refused or (report is not None and not report["ok"]) else 200
    return render_template("web/import.html", unit=u, report=report, refused=refused, marked=marked,
                           running=running, comment_limit=MAX_COMMENTED_CELLS), status


@web.route("/units/<unit>/import/marked/<key>")
def marked_workbook(unit: str, key: str):
    from service.api.routes import _send_document
    from service.jobs.records_io_kinds import import_outcome

    _unit(unit)
    try:
        _state, _report, marked_id = import_outcome(key, g.principal.token_id)
    except LookupError:
        raise NotFound() from None
    if marked_id is None:
        raise NotFound()
    resp = _send_document(marked_id)
    name = document_filename(f"{request.args.get('name', '工作簿')}（错误已标注）", ".xlsx")
    resp.headers["Content-Disposition"] = content_disposition(name)
    return resp


def _pdf_of(name: str, data: bytes) -> tuple[bytes, str]:
    from service.pdf.convert import to_pdf

    with tempfile.TemporaryDirectory(prefix="wenshu-web-pdf-") as tmp:
        src = Path(tmp) / "src" / name
        src.parent.mkdir()
        src.write_bytes(data)
        pdf, = to_pdf(src, Path(tmp) / "pdf")
        return pdf.read_bytes(), Path(name).with_suffix(".pdf").name


@web.route("/units/<unit>/documents", methods=["GET", "POST"])
def unit_documents(unit: str):
    """Ledger cards, assessment sheets or the monthly report: for a month (a job, with its progress page) or for
    one class (at once), as Word, Excel or PDF."""
    from service.records.renderers import outputs
    from service.web.jobs import start_job

    u = _unit(unit)
    with db() as s:
        classes = _classes(s, u.id)
    titles = {"document": "文书", "scope": "范围", "month": "月份", "class": "培训班", "format": "格式"}
    fields = tuple(titles)
    errors = FieldErrors(fields=fields)
    form = request.form
    if request.method == "POST":
        doc, scope, fmt = form.get("document", ""), form.get("scope", "month"), form.get("format", "docx")
        problems = []
        if doc not in DOCUMENTS:
            problems.append(("document", "请选择文书"))
        if fmt not in FORMATS:
            problems.append(("format", "请选择格式"))
        if doc == "monthly-report" and fmt == "docx":
            problems.append(("format", "月报表只有 Excel 与 PDF 格式"))
        if doc == "monthly-report" and scope != "month":
            problems.append(("scope", "月报表按月份生成：请选择“某月”"))
        year = month = None
        chosen = None
        if scope == "month":
            try:
                year, month = map(int, form.get("month", "").split("-"))
                dt.date(year, month, 1)
            except ValueError:
                problems.append(("month", "请选择月份（格式：YYYY-MM）"))
            if doc != "monthly-report" and fmt == "pdf":
                problems.append(("format", "PDF 请按单个培训班生成：选择“某个培训班”"))
        else:
            chosen = next((c for c, _ in classes if class_key(c) == form.get("class")), None)
            if chosen is None:
                problems.append(("class", "请选择培训班"))
        if problems:
            errors = FieldErrors([{"field": f, "title": titles[f], "message": m} for f, m in problems], fields)
        elif scope == "month" and fmt != "pdf":
            params = {"unit": u.name, "year": year, "month": month}
            if doc != "monthly-report":
                params["formats"] = [fmt]
            job, found = start_job(doc, params)
            if job is not None:
                return redirect(url_for("web.job_page", job_id=job.id))
            errors = FieldErrors(found, fields)
        else:
            with db() as s:
                if doc == "monthly-report":
                    file = outputs.monthly_report_file(s, u.name, year, month)
                else:
                    build = outputs.ledger_card_files if doc == "ledger-cards" else outputs.assessment_files
                    file, = build(s, chosen.id, formats=("docx" if fmt == "pdf" else fmt,))
                audit.record(s, g.principal, "download", detail=file.name)
            data, name = (_pdf_of(file.name, file.data) if fmt == "pdf" else (file.data, file.name))
            mimetype = storage.MEDIA_TYPES[Path(name).suffix]
            return attachment(data, name, mimetype)
    return render_template("web/documents.html", unit=u, classes=classes, class_key=class_key, documents=DOCUMENTS,
                           formats=FORMATS, errors=errors, form=form), (422 if errors else 200)
