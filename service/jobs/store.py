"""Accepting a job: validate against its kind, honour Idempotency-Key, record the job and its items in one
transaction. Dispatching to Celery happens after the commit (tasks.dispatch), so a broker outage never loses
an accepted job: it stays `accepted` and the sweep sends it when the broker is back."""
from __future__ import annotations

import secrets

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.jobs import audit
from service.jobs import kinds as registry
from service.jobs.db import session
from service.jobs.models import Job, JobItem, utcnow
from service.jobs.tokens import Principal


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before with a different request."""


class RequestRefused(ValueError):
    """The request is well-formed but cannot be served: no document in its scope, or an unknown unit or class."""


class NothingToGenerate(RequestRefused):
    """No record in the request's scope (an unknown unit or class, a month without classes): answered 404."""


def new_job_id() -> str:
    return secrets.token_hex(16)


def submit(who: Principal, kind: registry.JobKind, params: BaseModel,
           idempotency_key: str | None = None) -> tuple[Job, bool]:
    """Record a job. Returns (job, created); created is False when the Idempotency-Key matched an earlier job."""
    data = params.model_dump(mode="json")
    digest = registry.input_hash(kind.name, data)
    if idempotency_key:
        existing = find_idempotent(who, idempotency_key)
        if existing is not None:
            return _same_or_conflict(existing, digest), False
    try:
        items = kind.split(params)
    except LookupError as exc:
        raise NothingToGenerate(str(exc.args[0]) if exc.args else str(exc)) from None
    except ValueError as exc:
        raise RequestRefused(str(exc)) from None
    if not items:
        raise NothingToGenerate("所选范围内没有可生成的文书（例如该月没有开班记录）")
    now = utcnow()
    job = Job(id=new_job_id(), kind=kind.name, unit=kind.unit(params), period=kind.period(params), params=data,
              input_hash=digest, state="accepted", total=len(items), done=0, failed=0,
              token_id=who.token_id, idempotency_key=idempotency_key, created_at=now, updated_at=now,
              dispatch_count=0, expired=False)
    try:
        with session() as s:
            s.add(job)
            s.flush()
            s.add_all(JobItem(job_id=job.id, idx=i, label=label[:255], params=item, state="pending", attempts=0)
                      for i, (label, item) in enumerate(items))
            audit.record(s, who, "submit", job_id=job.id, detail=kind.name)
    except IntegrityError:
        existing = find_idempotent(who, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return _same_or_conflict(existing, digest), False
    return job, True


def _same_or_conflict(job: Job, digest: str) -> Job:
    if job.input_hash != digest:
        raise IdempotencyConflict(job.id)
    return job


def find_idempotent(who: Principal, key: str) -> Job | None:
    with session() as s:
        return s.scalar(select(Job).where(Job.token_id == who.token_id, Job.idempotency_key == key))


def visible_job(who: Principal, job_id: str) -> Job | None:
    """The job if this principal may see it (else None: the API answers 404 either way)."""
    with session() as s:
        job = s.get(Job, job_id)
    if job is None or not who.may_see(job.unit):
        return None
    return job


def items_of(job_id: str) -> list[JobItem]:
    with session() as s:
        return list(s.scalars(select(JobItem).where(JobItem.job_id == job_id).order_by(JobItem.idx)))
