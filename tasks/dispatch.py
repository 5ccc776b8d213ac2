"""Sending jobs to the workers, and the sweep that re-sends what was accepted but not finished.

A dispatch is a chord: one chunk task per `chunk_size` items, then the finish task (manifest check + bundle).
Each dispatch of a job has its own generation number in its task ids, so a re-sent job never shares chord
bookkeeping with an earlier attempt, and a re-delivered message keeps its id.

The sweep re-sends a job when (a) it was never sent (broker down at submit), (b) Redis lost its data (the
epoch key we keep there is gone: this Redis persists nothing, so queued messages and chord state vanished), or
(c) it made no progress for `stale_after` seconds. Re-sending is safe: items already done are skipped.
"""
from __future__ import annotations

import logging
import uuid

from celery import chord, group
from sqlalchemy import or_, select

from service.jobs.db import session
from service.jobs.models import Job, JobItem, utcnow
from service.jobs.settings import job_settings, redis_client

log = logging.getLogger(__name__)

EPOCH_KEY = "wenshu:broker-epoch"  # prefixed with WENSHU_REDIS_PREFIX
MAX_DISPATCHES = 20


def send(job_id: str) -> bool:
    """Send a job's chord. False (job left for the sweep) when the broker cannot be reached."""
    from tasks.jobs import finish, render_chunk

    size = max(1, job_settings().chunk_size)
    with session() as s:
        job = s.get(Job, job_id)
        if job is None or job.state in ("succeeded", "partial", "failed"):
            return False
        gen = job.dispatch_count + 1
        pending = list(s.scalars(select(JobItem.idx).where(JobItem.job_id == job_id, JobItem.state == "pending")
                                 .order_by(JobItem.idx)))
    chunks = [pending[i:i + size] for i in range(0, len(pending), size)] or [[]]
    # ignore_result: the chord's own counter (Redis) still runs, but the publisher subscribes to no result channel
    # (the API never waits on Celery results: job state is in our database).
    header = group(render_chunk.si(job_id, c).set(task_id=f"{job_id}.{gen}.c{k}", ignore_result=True)
                   for k, c in enumerate(chunks))
    header = header.set(task_id=f"{job_id}.{gen}.g")
    body = finish.si(job_id).set(task_id=f"{job_id}.{gen}.bundle", ignore_result=True)
    try:
        redis_client(timeout=1).ping()  # fail fast when the broker is down: the sweep sends the job later
        chord(header, body).apply_async()
    except Exception as exc:  # broker or result backend unreachable: recorded, the sweep sends it later
        log.warning("job %s not sent (broker unavailable: %s); the sweep will send it", job_id, exc)
        return False
    with session() as s:
        job = s.get(Job, job_id)
        job.dispatch_count = gen
        job.dispatched_at = utcnow()
    return True


def _redis_restarted() -> bool:
    """True when the epoch key is missing, i.e. Redis started empty since we last looked."""
    key = job_settings().redis_prefix + EPOCH_KEY
    return bool(redis_client().set(key, uuid.uuid4().hex, nx=True))


def sweep() -> dict:
    js = job_settings()
    restarted = _redis_restarted()
    now = utcnow()
    with session() as s:
        rows = list(s.execute(select(Job.id, Job.dispatched_at, Job.updated_at, Job.dispatch_count)
                              .where(or_(Job.state == "accepted", Job.state == "running"))))
    sent = failed = 0
    for job_id, dispatched_at, updated_at, count in rows:
        last = max(t for t in (dispatched_at, updated_at) if t is not None)
        stale = (now - last).total_seconds() > js.stale_after
        if dispatched_at is not None and not restarted and not stale:
            continue
        if count >= MAX_DISPATCHES:
            with session() as s:
                job = s.get(Job, job_id)
                job.state, job.error, job.finished_at = "failed", f"已发送{count}次仍未完成，已停止重试", now
            failed += 1
            continue
        sent += send(job_id)
    return {"unfinished": len(rows), "sent": sent, "failed": failed, "redis_restarted": restarted}
