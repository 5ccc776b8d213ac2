"""A unit's year-end registers (登记表) of what the records hold besides classes, each filed as one 件:
活动登记表 (one per activity kind held), 志愿者名册 and 经费收支登记表.

    data = activity_register(session, unit_id, year, "亲子活动")   # plain JSON data, or None: nothing held
    xlsx = render_register(data)                                    # A4 workbook, same data -> same bytes

The data are plain (they are hashed into the archive cache's key); None means the records hold nothing of that
kind for the unit's year, and the Annex 2 item stays in the completeness report.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from service.forms import sheet
from service.forms.geometry import form


def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def _columns(name: str) -> list[tuple[str, float, str]]:
    """The register's columns (title, width, kind) from doc_templates/forms/yearend.yaml, in the order the rows are
    written; they are part of the data, so an edited width makes a new document (and cache entry)."""
    return [(c.title, c.width, c.kind) for c in form(name).columns_list()]


def _register(title: str, heading: str, columns: list[tuple[str, float, str]], rows: list[list], total: list | None,
              year: int, landscape: bool = False) -> dict:
    return {"title": title, "heading": heading, "columns": columns, "rows": rows, "total": total,
            "when": dt.date(year, 12, 31).isoformat(), "landscape": landscape}


def activity_register(session: Session, unit_id: int, year: int, kind: str, title: str, heading: str) -> dict | None:
    """活动登记表: each activity of `kind` held in `year`, with its participants per category."""
    from service.records.store.models import Activity, ActivityParticipants

    start, end = _year(year)
    acts = session.execute(select(Activity.id, Activity.title, Activity.held_on, Activity.location).where(
        Activity.unit_id == unit_id, Activity.kind == kind, Activity.held_on >= start,
        Activity.held_on < end).order_by(Activity.held_on, Activity.title, Activity.id)).all()
    if not acts:
        return None
    counts: dict[int, list[tuple[str, int]]] = {}
    for aid, cat, n in session.execute(
            select(ActivityParticipants.activity_id, ActivityParticipants.category, ActivityParticipants.count)
            .where(ActivityParticipants.activity_id.in_([a.id for a in acts]))
            .order_by(ActivityParticipants.activity_id, ActivityParticipants.category)):
        counts.setdefault(aid, []).append((cat, n))
    rows = [[i, a.held_on.strftime("%Y-%m-%d"), a.title, a.location or "",
             "、".join(f"{c}{n}人" for c, n in counts.get(a.id, [])), sum(n for _, n in counts.get(a.id, []))]
            for i, a in enumerate(acts, start=1)]
    total = ["合计", "", f"{len(rows)}次", "", "", sum(r[-1] for r in rows)]
    return _register(title, heading, _columns("activity_register"), rows, total, year)


def volunteer_register(session: Session, unit_id: int, year: int, title: str, heading: str) -> dict | None:
    """志愿者名册: the unit's volunteers in `year` (joined before its end, or with no joining date)."""
    from service.records.store.models import Volunteer

    vols = session.execute(select(Volunteer.name, Volunteer.phone, Volunteer.occupation, Volunteer.joined_on,
                                  Volunteer.teacher_id).where(
        Volunteer.unit_id == unit_id, or_(Volunteer.joined_on.is_(None), Volunteer.joined_on < _year(year)[1]))
        .order_by(Volunteer.joined_on, Volunteer.name, Volunteer.id)).all()
    if not vols:
        return None
    rows = [[i, v.name, v.phone or "", v.occupation or "", v.joined_on.strftime("%Y-%m-%d") if v.joined_on else "",
             "兼任授课教师" if v.teacher_id else ""] for i, v in enumerate(vols, start=1)]
    return _register(title, heading, _columns("volunteer_register"), rows, ["合计", f"{len(rows)}人", "", "", "", ""], year)


def funding_register(session: Session, unit_id: int, year: int, title: str, heading: str) -> dict | None:
    """经费收支登记表: every income and expense booked in `year`, with the year's totals."""
    from service.records.store.models import Funding

    start, end = _year(year)
    books = session.execute(select(Funding.booked_on, Funding.direction, Funding.source, Funding.purpose,
                                   Funding.amount).where(and_(Funding.unit_id == unit_id, Funding.booked_on >= start,
                                                              Funding.booked_on < end))
                            .order_by(Funding.booked_on, Funding.direction, Funding.source, Funding.id)).all()
    if not books:
        return None

    def money(x: Decimal) -> str:
        return f"{x:.2f}"
    rows = [[i, b.booked_on.strftime("%Y-%m-%d"), b.direction, b.source, b.purpose or "",
             money(b.amount) if b.direction == "收入" else "", money(b.amount) if b.direction == "支出" else ""]
            for i, b in enumerate(books, start=1)]
    income = sum((b.amount for b in books if b.direction == "收入"), Decimal(0))
    spent = sum((b.amount for b in books if b.direction == "支出"), Decimal(0))
    total = ["合计", "", "", "", f"结余{money(income - spent)}元", money(income), money(spent)]
    return _register(title, heading, _columns("funding_register"), rows, total, year)


def render_register(data: dict) -> bytes:
    """The register as an A4 workbook: title, a heading line, the table (header repeated on every page), totals."""
    cols = [sheet.Column(t, w, k) for t, w, k in data["columns"]]
    wb, ws = sheet.new_workbook("登记表", data["title"])
    sheet.set_columns(ws, cols)
    sheet.title_row(ws, 1, cols, data["title"])
    sheet.merged_line(ws, 2, 1, len(cols), data["heading"], font=sheet.body_font(), align=sheet.LEFT,
                      height=sheet.height("line"))
    sheet.header_row(ws, 3, cols)
    rows = data["rows"] + ([data["total"]] if data["total"] else [])
    for r, values in enumerate(rows, start=4):
        for c, (value, col) in enumerate(zip(values, cols), start=1):
            sheet.data_cell(ws, r, c, value, col)
        ws.row_dimensions[r].height = sheet.fitted_height([(str(v), col.width) for v, col in zip(values, cols)])
    sheet.a4_print_setup(ws, last_row=3 + len(rows), ncols=len(cols), repeat_rows="1:3",
                         landscape=data["landscape"])
    return sheet.workbook_bytes(wb, dt.date.fromisoformat(data["when"]))
