"""Turning rows into API views (one place, used by the job and document endpoints)."""
from __future__ import annotations

from flask import url_for

from service.api.schemas import DocumentView, ItemError, JobView, Progress
from service.jobs.models import Document, Job, JobItem


def document_view(d: Document) -> DocumentView:
    return DocumentView(
        id=d.id, job_id=d.job_id, role=d.role, kind=d.kind, unit=d.unit, period=d.period, filename=d.filename,
        media_type=d.media_type, size=d.size, sha256=d.file_hash, input_sha256=d.input_hash,
        template_sha256=d.template_sha256,
        page_count=d.page_count, created_at=d.created_at, expires_at=d.expires_at,
        available=d.storage_path is not None,
        href=url_for("api.document_file", document_id=d.id),
    )


def job_view(job: Job, items: list[JobItem], docs: list[Document]) -> JobView:
    result = next((d for d in docs if d.id == job.result_document_id), None)
    return JobView(
        id=job.id, kind=job.kind, state=job.state, unit=job.unit, period=job.period,
        progress=Progress(done=job.done, failed=job.failed, total=job.total),
        errors=[ItemError(item=i.idx, label=i.label, message=i.error or "") for i in items if i.state == "failed"],
        warnings=[ItemError(item=i.idx, label=i.label, message=i.error) for i in items if i.state == "done" and i.error],
        error=job.error, created_at=job.created_at, updated_at=job.updated_at, finished_at=job.finished_at,
        expires_at=job.expires_at, expired=job.expired, href=url_for("api.get_job", job_id=job.id),
        result=document_view(result) if result else None,
        documents=[document_view(d) for d in docs if d.role == "document"],
    )
