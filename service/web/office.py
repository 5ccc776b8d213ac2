"""The office's pages: dashboard, units, tokens, the new notice, and the month's reports of every unit."""
from __future__ import annotations

import datetime as dt

from flask import redirect, render_template, request, url_for
from pydantic import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from service.access import tokens as token_store
from service.api.problems import translate
from service.db.session import session
from service.jobs.models import Job
from service.records.store.models import Unit
from service.records.vocab import REGISTERED_COUNTS
from service.units import PEOPLE, UNIT_KINDS
from service.units import Unit as UnitModel
from service.web import figures
from service.web.auth import require_office
from service.web.blueprint import web
from service.web.forms import (
    BLOCK_TYPES,
    FieldErrors,
    block_errors_to_form,
    form_blocks,
    notice_data,
    notice_defaults,
)
from service.web.jobs import progress, recent_jobs, start_job


def _int_arg(name: str, default: int, lo: int, hi: int) -> int:
    try:
        value = int(request.values.get(name, default))
    except ValueError:
        return default
    return value if lo <= value <= hi else default


def unit_names() -> list[str]:
    with session() as s:
        return list(s.scalars(select(Unit.name).order_by(Unit.sort_order, Unit.id)))


@web.route("/office")
def dashboard():
    """This year's figures of every unit against the notice's targets (the year-end indicators), one indicator
    charted at a time, and the recent jobs."""
    require_office()
    from service.web.jobs import kind_title
    from service.yearend.indicators import assess

    with session() as s:
        year = _int_arg("year", figures.default_year(s), 2000, 2100)
        years = sorted(set(figures.years_with_classes(s)) | {year, dt.date.today().year}, reverse=True)
        assessment = assess(s, year)
    ids = [t.id for t in assessment.targets]
    indicator = request.args.get("indicator") if request.args.get("indicator") in ids else ids[0]
    return render_template("web/dashboard.html", year=year, years=years, a=assessment,
                           chart=figures.bar_chart(assessment, indicator),
                           jobs=[(j, kind_title(j.kind), progress(j)) for j in recent_jobs()])


# ---- units ----------------------------------------------------------------------------------------------------

UNIT_FIELDS = ("name", "kind", "resident_population", "activity_room", *(f"{role}.name" for role in PEOPLE),
               "leader_phone", *(f"registered.{k}" for k in REGISTERED_COUNTS))


def _unit_form_data(form: MultiDict) -> dict:
    data: dict = {"registered": {}}
    for path in UNIT_FIELDS:
        value = form.get(path, "").strip()
        if "." in path:
            head, tail = path.split(".")
            data.setdefault(head, {})[tail] = value
        else:
            data[path] = value
    return data


def _unit_form_values(row: dict) -> MultiDict:
    out = MultiDict()
    for path in UNIT_FIELDS:
        head, _, tail = path.partition(".")
        value = row.get(head, "")
        out[path] = str((value.get(tail, "") if isinstance(value, dict) else value) or "") if tail else str(value)
    return out


@web.route("/office/units")
def units():
    require_office()
    from service.records.store.session import unit_rows

    with session() as s:
        year = _int_arg("year", figures.default_year(s), 2000, 2100)
        rows = unit_rows(s, year)
    return render_template("web/units.html", rows=rows, year=year, counts=REGISTERED_COUNTS)


@web.route("/office/units/new", methods=["GET", "POST"], defaults={"name": None})
@web.route("/office/units/<name>/edit", methods=["GET", "POST"])
def unit_edit(name: str | None):
    require_office()
    from service.records.store.session import save_unit, unit_rows

    with session() as s:
        year = _int_arg("year", figures.default_year(s), 2000, 2100)
        current = next((r for r in unit_rows(s, year) if r["name"] == name), None) if name else None
    if name and current is None:
        raise NotFound()
    errors = FieldErrors(fields=UNIT_FIELDS)
    form = request.form if request.method == "POST" else _unit_form_values(current or {})
    if request.method == "POST":
        data = _unit_form_data(request.form)
        if name:
            data["name"] = name  # a unit's name is its key in jobs, tokens and the register: not renamed here
        try:
            unit = UnitModel.model_validate(data, strict=False)  # form fields arrive as text
        except ValidationError as exc:
            errors = FieldErrors(translate(exc, UnitModel), UNIT_FIELDS)
        else:
            with session() as s:
                if not name and s.scalar(select(Unit.id).where(Unit.name == unit.name)) is not None:
                    errors = FieldErrors([{"field": "name", "title": "单位名称", "message": "已有同名单位"}], UNIT_FIELDS)
                else:
                    save_unit(s, unit, year)
            if not errors:
                return redirect(url_for("web.units", year=year, saved=unit.name))
    return render_template("web/unit_edit.html", name=name, form=form, errors=errors, year=year, kinds=UNIT_KINDS,
                           counts=REGISTERED_COUNTS), (422 if errors else 200)


# ---- tokens ---------------------------------------------------------------------------------------------------

@web.route("/office/tokens", methods=["GET", "POST"])
def tokens():
    require_office()
    created = None
    errors = FieldErrors(fields=("role", "unit", "label"))
    names = unit_names()
    if request.method == "POST":
        role, unit = request.form.get("role", ""), request.form.get("unit") or None
        label = request.form.get("label", "").strip()[:255] or None
        if role == "centre" and unit not in names:
            errors = FieldErrors([{"field": "unit", "title": "单位", "message": "学习中心令牌必须选择一个单位"}],
                                 errors.fields)
        else:
            try:
                created = token_store.create(role, unit, label)
            except ValueError as exc:
                errors = FieldErrors([{"field": "role", "title": "角色", "message": str(exc)}], errors.fields)
    rows = token_store.list_tokens()
    return render_template("web/tokens.html", rows=rows, created=created, units=names, errors=errors,
                           form=request.form), (422 if errors else 200)


@web.route("/office/tokens/<token_id>/revoke", methods=["POST"])
def token_revoke(token_id: str):
    require_office()
    token_store.revoke(token_id)
    return redirect(url_for("web.tokens"))


# ---- the notice ------------------------------------------------------------------------------------------------

NOTICE_FIELDS = ("masthead.organs", "masthead.suffix", "number.agency_code", "number.year", "number.serial", "title",
                 "recipients", "blocks", "signature.organs", "signature.date", "signature.sealed", "imprint.cc",
                 "imprint.printer", "imprint.print_date", "note")


@web.route("/office/notice", methods=["GET", "POST"])
def notice():
    require_office()
    errors = FieldErrors(fields=NOTICE_FIELDS)
    if request.method == "POST":
        form = request.form
        job, found = start_job("notice", {"notice": notice_data(form), "pdf": True}, prefix="notice.")
        if job is not None:
            return redirect(url_for("web.job_page", job_id=job.id))
        errors = FieldErrors(block_errors_to_form(found, form), NOTICE_FIELDS)
    else:
        from service.records.store.session import get_meta

        with session() as s:
            form = notice_defaults(get_meta(s, "township"))
    return render_template("web/notice.html", form=form, blocks=form_blocks(form), block_types=BLOCK_TYPES,
                           errors=errors), (422 if errors else 200)


# ---- the month's reports ----------------------------------------------------------------------------------------

@web.route("/office/reports", methods=["GET", "POST"])
def reports():
    require_office()
    from service.records.queries.reports import monthly_report

    today = dt.date.today()
    year, month = _int_arg("year", today.year, 2000, 2100), _int_arg("month", today.month, 1, 12)
    names = unit_names()
    errors = []
    if request.method == "POST":
        for name in names:
            job, found = start_job("monthly-report", {"unit": name, "year": year, "month": month})
            errors += [{**e, "title": f"{name}：{e['title']}"} for e in found]
        if not errors:
            return redirect(url_for("web.reports", year=year, month=month))
    period = f"{year}-{month:02d}"
    with session() as s:
        classes = {n: len(monthly_report(s, n, year, month).rows) for n in names}
        latest = {}
        for job in s.scalars(select(Job).where(Job.kind == "monthly-report", Job.period == period)
                             .order_by(Job.created_at)):
            latest[job.unit] = job
    rows = [(n, classes[n], latest.get(n), progress(latest[n]) if n in latest else None) for n in names]
    missing = [n for n in names if not classes[n]]
    return render_template("web/reports.html", year=year, month=month, rows=rows, missing=missing, errors=errors)


# ---- the year end -----------------------------------------------------------------------------------------------

YEAR_END_FIELDS = ("year", "agency_code", "top_n", "min_score", "date", "filed_on")


@web.route("/office/year-end", methods=["GET", "POST"])
def year_end():
    """Start the year-end batch (the `year-end` job: results, commendation, every unit's archive volumes);
    its progress and downloads are on the job's page; earlier batches are listed with their progress."""
    require_office()
    errors = FieldErrors(fields=YEAR_END_FIELDS)
    with session() as s:  # the notices made here: one of them is the batch's 实施方案 (filed in 卷一, cited)
        notices = list(s.scalars(select(Job).where(Job.kind == "notice", Job.state == "succeeded")
                                 .order_by(Job.created_at.desc()).limit(20)))
    if request.method == "POST":
        params = {k: request.form.get(k, "").strip() for k in YEAR_END_FIELDS}
        params = {k: v for k, v in params.items() if v or k == "year"}
        basis = next((j for j in notices if j.id == request.form.get("notice")), None)
        if basis is not None:
            params["notice"] = basis.params["notice"]
        job, found = start_job("year-end", params)
        if job is not None:
            return redirect(url_for("web.job_page", job_id=job.id))
        errors = FieldErrors(found, YEAR_END_FIELDS)
        form = request.form
    else:
        with session() as s:
            form = MultiDict({"year": str(figures.default_year(s))})
    with session() as s:
        batches = list(s.scalars(select(Job).where(Job.kind == "year-end").order_by(Job.created_at.desc()).limit(10)))
    return render_template("web/year_end.html", form=form, errors=errors, notices=notices, batches=[(j, progress(j)) for j in batches]), \
        (422 if errors else 200)
