"""Sending jobs to the workers (through the publish port, service.jobs.publish), and the sweep that re-sends
what was accepted but not finished.

A job travels as: the planning task (queue `wenshu.control`, id `<job>.plan`: the worker reads the records and
writes the items), then one chunk task per `chunk_size` pending items (default queue, ids `<job>.<dispatch>.c<k>`),
then the finish task (queue `wenshu.control`, id `<job>.finish`: manifest check + bundle) sent by the chunk that
settles the last item. The control queue is consumed beside the chunk queue, so a plan or a finish never waits
behind the whole backlog of chunks. Nothing relies on a Celery chord: job state is in our database.

The sweep (beat, every WENSHU_SWEEP_INTERVAL seconds, and at worker start) re-sends:
(a) publishes never confirmed (an outbox row older than its grace, growing with each re-send);
(b) chunk items whose lease ran out: a worker reserving a chunk leases its items and renews the lease from a
    heartbeat thread; a worker killed with SIGKILL stops renewing, so its reserved and running chunks are re-sent
    within WENSHU_LEASE + WENSHU_SWEEP_INTERVAL seconds instead of Redis's visibility timeout;
(c) every unfinished job when Redis lost its data (the epoch key we keep there is gone);
(d) jobs without progress for `stale_after` seconds, and settled jobs whose finish was lost.
Re-sending is safe: items already done are skipped and register ids are deterministic (no duplicate documents).
"""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from service.db import utcnow
from service.db.session import session
from service.jobs import publish
from service.jobs.models import Job, JobItem, JobOutbox
from service.jobs.settings import job_settings, redis_client

log = logging.getLogger(__name__)

EPOCH_KEY = "wenshu:broker-epoch"  # prefixed with WENSHU_REDIS_PREFIX
MAX_DISPATCHES = 20
UNFINISHED = ("accepted", "running")


def publish_plan(job_id: str) -> bool:
    """Publish the job's planning task (one LPUSH on the pooled broker connection, no PING). False when the broker
    is unreachable: the job's outbox row stays and the sweep sends it later."""
    try:
        publish.send(publish.PLAN, (job_id,), f"{job_id}.plan")
    except Exception as exc:  # broker unreachable: recorded in the outbox, the sweep sends it later
        log.warning("job %s not sent (broker unavailable: %s); the sweep will send it", job_id, exc)
        return False
    return True


def publish_finish(job_id: str) -> None:
    publish.send(publish.FINISH, (job_id,), f"{job_id}.finish")


def send_chunks(job_id: str, only: list[int] | None = None) -> bool:
    """Publish chunk tasks for the job's pending items (or those of `only`); the finish task when none is pending.
    On success the job's outbox row is cleared. False when the broker cannot be reached."""
    size = max(1, job_settings().chunk_size)
    with session() as s:
        job = s.get(Job, job_id)
        if job is None or job.state not in UNFINISHED:
            s.execute(delete(JobOutbox).where(JobOutbox.job_id == job_id))
            return False
        gen = job.dispatch_count + 1
        q = select(JobItem.idx).where(JobItem.job_id == job_id, JobItem.state == "pending").order_by(JobItem.idx)
        if only is not None:
            q = q.where(JobItem.idx.in_(only))
        pending = list(s.scalars(q))
    try:
        if not pending and only is None:
            publish_finish(job_id)
        for k in range(0, len(pending), size):
            publish.send(publish.CHUNK, (job_id, pending[k:k + size]), f"{job_id}.{gen}.c{k // size}")
    except Exception as exc:
        log.warning("job %s: chunks not sent (broker unavailable: %s); the sweep will send them", job_id, exc)
        return False
    with session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(dispatch_count=gen, dispatched_at=utcnow()))
        s.execute(delete(JobOutbox).where(JobOutbox.job_id == job_id))
    return True


def _redis_restarted() -> bool:
    """True when the epoch key is missing, i.e. Redis started empty since we last looked."""
    key = job_settings().redis_prefix + EPOCH_KEY
    return bool(redis_client().set(key, uuid.uuid4().hex, nx=True))


def _give_up(job_id: str, count: int) -> None:
    with session() as s:
        job = s.get(Job, job_id)
        job.state, job.error, job.finished_at = "failed", f"已发送{count}次仍未完成，已停止重试", utcnow()
        s.execute(delete(JobOutbox).where(JobOutbox.job_id == job_id))


def _resend(job_id: str, state: str, only: list[int] | None = None) -> bool:
    return publish_plan(job_id) if state == "accepted" else send_chunks(job_id, only)


def sweep() -> dict:
    js = job_settings()
    restarted = _redis_restarted()
    now = utcnow()
    with session() as s:
        rows = {j: (state, upd, count) for j, state, upd, count in s.execute(
            select(Job.id, Job.state, Job.updated_at, Job.dispatch_count).where(Job.state.in_(UNFINISHED)))}
        outbox = {j: (sent, n) for j, sent, n in s.execute(select(JobOutbox.job_id, JobOutbox.sent_at,
                                                                  JobOutbox.attempts))}
        pending = dict(s.execute(select(JobItem.job_id, func.count()).where(JobItem.state == "pending")
                                 .group_by(JobItem.job_id)).all())
        # Leases that ran out (their worker died): claimed here for a fresh lease period, then re-sent below.
        expired: dict[str, list[int]] = {}
        for j, idx in s.execute(select(JobItem.job_id, JobItem.idx).where(
                JobItem.state == "pending", JobItem.lease_until.is_not(None), JobItem.lease_until < now)):
            if j in rows:
                expired.setdefault(j, []).append(idx)
        if expired:
            s.execute(update(JobItem).where(JobItem.state == "pending", JobItem.lease_until < now)
                      .values(lease_until=now + timedelta(seconds=2 * js.lease_seconds), lease_owner=None))
    sent = failed = 0
    for job_id, (state, updated_at, count) in rows.items():
        if count >= MAX_DISPATCHES:
            _give_up(job_id, count)
            failed += 1
            continue
        box = outbox.get(job_id)
        stale = (now - updated_at).total_seconds() > js.stale_after
        settled = state == "running" and not pending.get(job_id) and \
            (now - updated_at).total_seconds() > js.outbox_grace
        box_due = box is not None and (now - box[0]).total_seconds() > js.outbox_grace * 2 ** min(box[1], 6)
        if restarted or stale or settled or box_due:
            if box is not None:
                with session() as s:
                    s.execute(update(JobOutbox).where(JobOutbox.job_id == job_id)
                              .values(sent_at=now, attempts=JobOutbox.attempts + 1))
            sent += _resend(job_id, state)
        elif job_id in expired:
            log.warning("job %s: leases of items %s ran out (worker gone); re-sending them", job_id, expired[job_id])
            sent += send_chunks(job_id, expired[job_id])
    return {"unfinished": len(rows), "sent": sent, "failed": failed, "redis_restarted": restarted,
            "leases_expired": sum(map(len, expired.values()))}
