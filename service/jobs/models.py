"""Tables of the job pipeline: jobs and their items, the outbox and the permanent document register.

Units are referred to by name (no foreign key): jobs and documents carry the unit name the records store uses.
Times are naive UTC (service.db.utcnow).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow

JOB_STATES = ("accepted", "running", "succeeded", "partial", "failed")  # partial: some items failed


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("token_id", "idempotency_key", name="uq_jobs_idempotency"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    unit: Mapped[str | None] = mapped_column(String(128), index=True)
    period: Mapped[str | None] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(JSON)
    input_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True, default="accepted")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    token_id: Mapped[str | None] = mapped_column(String(16), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime)
    dispatch_count: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    expired: Mapped[bool] = mapped_column(Boolean, default=False)
    result_document_id: Mapped[str | None] = mapped_column(String(32))


class JobItem(Base):
    """One document (or group of files) of a job; a chunk task renders several."""

    __tablename__ = "job_items"
    __table_args__ = (Index("ix_job_items_lease", "state", "lease_until"),)  # the sweep's look-up of lapsed leases

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(255))
    params: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)  # a worker holds this pending item until then
    lease_owner: Mapped[str | None] = mapped_column(String(255))  # that worker's hostname


class JobOutbox(Base):
    """A publish not yet confirmed: written with the job in the submit's transaction, deleted by the worker once the
    job is planned and its chunks are sent. The sweep re-sends what stays here longer than its grace."""

    __tablename__ = "job_outbox"

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class Document(Base):
    """The permanent register: every produced file, kept after the file itself has expired."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("job_id", "item_idx", "filename", name="uq_documents_job_file"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32), index=True)
    item_idx: Mapped[int | None] = mapped_column(Integer)  # None: the job's bundle
    role: Mapped[str] = mapped_column(String(16), default="document")  # document | bundle
    unit: Mapped[str | None] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    period: Mapped[str | None] = mapped_column(String(32), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128))
    input_hash: Mapped[str] = mapped_column(String(64), index=True)
    item_params: Mapped[dict | None] = mapped_column(JSON)
    file_hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    storage_path: Mapped[str | None] = mapped_column(String(512))  # relative to the storage dir; None once expired
    template_sha256: Mapped[str | None] = mapped_column(String(64))  # the template version that made the file
