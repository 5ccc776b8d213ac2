"""Jobs from the pages: submitting (the API's validation, scope check and submission), the progress page,
the downloads and the page-1 preview of a PDF."""
from __future__ import annotations

import logging
import subprocess
import tempfile
import time
from pathlib import Path

from flask import abort, g, jsonify, render_template, send_file, url_for
from pydantic import ValidationError
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from service.api.problems import translate
from service.db.session import session
from service.jobs import kinds as registry
from service.jobs import storage
from service.jobs.models import Document, Job
from service.jobs.store import RequestRefused, ScopeRefused, check_scope, items_of, submit, visible_job
from service.web.blueprint import error_page, web

log = logging.getLogger(__name__)

STATES = {"accepted": "排队中", "running": "生成中", "succeeded": "已完成", "partial": "部分完成", "failed": "失败"}
FINISHED = ("succeeded", "partial", "failed")


def start_job(kind_name: str, params: dict, prefix: str = "") -> tuple[Job | None, list[dict]]:
    """Validate `params` with the kind's own model (the API's), check the scope, record and send the job.
    Returns (job, []) or (None, Chinese field errors with paths relative to `prefix`)."""
    from service.jobs.dispatch import publish_plan

    kind = registry.get(kind_name)
    if kind is None:
        abort(404)
    try:
        model = kind.params.model_validate(params, strict=False)  # form fields arrive as text
    except ValidationError as exc:
        errors = translate(exc, kind.params)
        for e in errors:
            e["field"] = e["field"].removeprefix(prefix)
        return None, errors
    try:
        check_scope(g.principal, kind, model)
        job, created = submit(g.principal, kind, model)
    except ScopeRefused as exc:
        abort(exc.status, str(exc))
    except RequestRefused as exc:
        return None, [{"field": "", "title": "参数", "message": str(exc)}]
    if created:
        publish_plan(job.id)  # after the commit; broker down: the outbox row stays and the sweep sends it
    return job, []


def kind_title(name: str) -> str:
    kind = registry.get(name)
    return kind.title if kind else name


def progress(job: Job) -> dict:
    percent = 100 if job.state in FINISHED else (min(99, 100 * (job.done + job.failed) // job.total) if job.total else 0)
    text = STATES.get(job.state, job.state)
    if job.state in ("accepted", "running") and not job.total:
        text = "排队中（待工作进程读取记录、拆分各项）"  # the items are planned in the worker
    return {"state": job.state, "state_text": text, "done": job.done,
            "failed": job.failed, "total": job.total, "percent": percent, "finished": job.state in FINISHED}


def recent_jobs(limit: int = 10, unit: str | None = None) -> list[Job]:
    stmt = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit)
    if unit is not None:
        stmt = stmt.where(Job.unit == unit)
    with session() as s:
        return list(s.scalars(stmt))


def _job(job_id: str) -> Job:
    job = visible_job(g.principal, job_id)
    if job is None:
        raise NotFound()
    return job


def _documents(job_id: str) -> list[Document]:
    with session() as s:
        return list(s.scalars(select(Document).where(Document.job_id == job_id)
                              .order_by(Document.role.desc(), Document.item_idx, Document.filename)))


@web.route("/jobs/<job_id>")
def job_page(job_id: str):
    job = _job(job_id)
    docs = _documents(job.id)
    pdf = next((d for d in docs if d.media_type == storage.MEDIA_TYPES[".pdf"] and d.storage_path), None)
    failed = [i for i in items_of(job.id) if i.state == "failed"]
    return render_template("web/job.html", job=job, title=kind_title(job.kind), p=progress(job), docs=docs,
                           preview=url_for("web.job_preview", job_id=job.id) if pdf else None, failed=failed)


@web.route("/jobs/<job_id>/progress")
def job_progress(job_id: str):
    resp = jsonify(progress(_job(job_id)))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@web.route("/documents/<document_id>")
def document_file(document_id: str):
    """A produced file: the API's download (scope, audit log, ETag, Chinese file name)."""
    from service.api.routes import _send_document

    with session() as s:
        doc = s.get(Document, document_id)
    if doc is None or not g.principal.may_see(doc.unit):
        raise NotFound()
    if doc.storage_path is None or not storage.absolute(doc.storage_path).is_file():
        return error_page(410)
    return _send_document(document_id)


def _page_one_png(pdf: Path, out: Path, attempts: int = 3) -> Path | None:
    """Page 1 of a PDF as PNG (poppler's pdftoppm), written atomically next to the job's files. A duplicate
    delivery of the item may be replacing the file at this very moment: a failed read is tried again."""
    for attempt in range(attempts):
        with tempfile.TemporaryDirectory(prefix="wenshu-preview-") as tmp:
            proc = subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                                   str(Path(tmp) / "page")], capture_output=True, text=True, timeout=60)
            if proc.returncode == 0:
                return storage.write_atomic(out, (Path(tmp) / "page.png").read_bytes())
        log.warning("pdftoppm failed on %s (attempt %d): %s", pdf, attempt + 1, proc.stderr.strip()[-300:])
        time.sleep(1)
    return None


@web.route("/jobs/<job_id>/preview.png")
def job_preview(job_id: str):
    job = _job(job_id)
    pdf = next((d for d in _documents(job.id) if d.media_type == storage.MEDIA_TYPES[".pdf"] and d.storage_path),
               None)
    if pdf is None:
        raise NotFound()
    png = storage.storage_root() / "web" / "previews" / f"{pdf.id}.png"
    if not png.is_file():
        png.parent.mkdir(parents=True, exist_ok=True)
        if _page_one_png(storage.absolute(pdf.storage_path), png) is None:
            return error_page(503, "预览图暂时无法生成，请稍后刷新本页；文件可照常下载。")
    return send_file(png, mimetype="image/png", max_age=0)
