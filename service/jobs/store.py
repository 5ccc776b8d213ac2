"""Accepting a job: validate against its kind, honour Idempotency-Key, and record in ONE transaction the job, the
audit entry and the dispatch mark (an outbox row). The job's planning task is published after
the commit (service.jobs.dispatch.publish_plan); when that publish fails, or the process dies first, the outbox row stays and the
sweep re-sends it. So a submit either answers with its job or leaves nothing behind, and an accepted job is never
lost. The request does not read the records (the worker's planning task takes that snapshot)."""
from __future__ import annotations

import secrets
from types import SimpleNamespace

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.access.models import AuditEntry
from service.access.tokens import Principal
from service.db import utcnow
from service.db.session import insert_rows, session, write_transaction
from service.jobs import kinds as registry
from service.jobs.models import Job, JobItem, JobOutbox

_JOBS, _AUDIT, _OUTBOX = Job.__table__, AuditEntry.__table__, JobOutbox.__table__


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before with a different request."""


class RequestRefused(ValueError):
    """The request is well-formed but cannot be served: no document in its scope, or an unknown unit or class."""


class ScopeRefused(Exception):
    """A principal may not request this kind or unit: `status` 403 (refused) or 404 (another unit's)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def check_scope(who: Principal, kind: registry.JobKind, params: BaseModel) -> None:
    """A centre requests only its own unit's documents, and none of the office-only kinds."""
    if who.is_office:
        return
    unit = kind.unit(params)
    if kind.office_only:
        raise ScopeRefused(403, f"“{kind.title}”仅限党政办生成。")
    if unit is None:
        raise ScopeRefused(403, f"学习中心只能生成本单位的“{kind.title}”：请在参数中填写单位（unit）为“{who.unit}”。")
    if unit != who.unit:
        raise ScopeRefused(404, f"未找到单位“{unit}”。")


class NothingToGenerate(RequestRefused):
    """No record in the request's scope (an unknown unit or class, a month without classes): answered 404."""


class _CheckSession:
    """The session a kind's check gets: `connection()` is the transaction's Core connection itself (the usual check
    runs one statement on it); anything else opens an ORM session on that connection, only when a check needs one
    (an ORM session and its transaction bookkeeping cost more than the lookup)."""

    def __init__(self, conn):
        self._conn, self._session = conn, None

    def connection(self, *_a, **_kw):
        return self._conn

    def __getattr__(self, name):
        if self._session is None:
            self._session = Session(bind=self._conn)
        return getattr(self._session, name)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


def new_job_id() -> str:
    return secrets.token_hex(16)


def submit(who: Principal, kind: registry.JobKind, params: BaseModel,
           idempotency_key: str | None = None) -> tuple[Job | SimpleNamespace, bool]:
    """Record a job. Returns (job, created); created is False when the Idempotency-Key matched an earlier job.
    A created job is returned as what was written (a Job's attributes, no ORM object and no re-read)."""
    data = params.model_dump(mode="json")
    digest = registry.input_hash(kind.name, data)
    if idempotency_key:
        existing = find_idempotent(who, idempotency_key)
        if existing is not None:
            return _same_or_conflict(existing, digest), False
    now = utcnow()
    row = {"id": new_job_id(), "kind": kind.name, "unit": kind.unit(params), "period": kind.period(params), "params": data,
           "input_hash": digest, "state": "accepted", "total": 1 if kind.items is None else 0, "done": 0, "failed": 0,
           "token_id": who.token_id, "idempotency_key": idempotency_key, "created_at": now, "updated_at": now,
           "dispatched_at": now, "dispatch_count": 0, "expired": False}
    try:
        with write_transaction() as conn:  # Core statements on one connection: no ORM session to flush
            if kind.check is not None:
                s = _CheckSession(conn)  # the kind's look at the store, inside this transaction
                try:
                    kind.check(s, params)
                except LookupError as exc:
                    raise NothingToGenerate(str(exc.args[0]) if exc.args else str(exc)) from None
                except ValueError as exc:
                    raise RequestRefused(str(exc)) from None
                finally:
                    s.close()
            insert_rows(conn, [
                (_JOBS, row),
                (_AUDIT, {"at": now, "token_id": who.token_id, "role": who.role, "unit": who.unit,
                          "action": "submit", "job_id": row["id"], "document_id": None, "detail": kind.name}),
                (_OUTBOX, {"job_id": row["id"], "sent_at": now, "attempts": 0})])
    except IntegrityError:
        existing = find_idempotent(who, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return _same_or_conflict(existing, digest), False
    return SimpleNamespace(**row, error=None, finished_at=None, expires_at=None, result_document_id=None), True


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
