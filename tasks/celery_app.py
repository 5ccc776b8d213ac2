"""The Celery application, configured from the environment.

Reliability settings (issues 5 and 8): two queues, `celery` for chunks and `wenshu.control` for the short
planning, finish and sweep tasks (so they never wait behind a backlog of chunks); chunk leases taken when a
worker reserves a chunk and renewed by a heartbeat thread of the worker's main process (the sweep re-sends the
chunks of a dead worker as soon as their leases run out); late acknowledgement with reject-on-worker-lost (a
killed pool child's message is re-queued), prefetch 1, soft/hard time limits, a visibility timeout above the hard
limit (the last resort for a message taken by a worker whose main process died), and Celery's own beat scheduler
for the sweep and the expiry of results. No chords: job state, progress and the finish trigger are in our
database; the result backend is not used by the job tasks (all ignore_result).
"""
from __future__ import annotations

import logging
import threading

from celery import Celery
from celery.signals import task_received, worker_ready, worker_shutting_down
from kombu import Queue

from service.jobs.publish import CHUNK_QUEUE, CONTROL_QUEUE, QUEUES
from service.jobs.settings import celery_url, job_settings

log = logging.getLogger(__name__)


def make_app() -> Celery:
    js = job_settings()
    url = celery_url()
    app = Celery("wenshu", include=["tasks.jobs"])
    transport = {
        "visibility_timeout": js.visibility_timeout,
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
    }
    backend_transport = {
        "visibility_timeout": js.visibility_timeout,
        # Few reconnection attempts: a job that cannot be sent stays `accepted` and the sweep sends it later.
        "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
    }
    if js.redis_prefix:  # several services (or test sessions) sharing one Redis keep apart
        transport["global_keyprefix"] = backend_transport["global_keyprefix"] = js.redis_prefix
    app.conf.update(
        broker_url=url,
        result_backend=url,
        broker_transport_options=transport,
        result_backend_transport_options=backend_transport,
        redis_socket_connect_timeout=2,
        redis_socket_timeout=10,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_max_memory_per_child=js.max_child_memory_mb * 1024,  # KiB: a child swollen by a big import is replaced
        task_soft_time_limit=js.soft_time_limit,
        task_time_limit=js.hard_time_limit,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=max(js.visibility_timeout * 4, 3600),
        timezone="UTC",
        enable_utc=True,
        worker_hijack_root_logger=False,
        task_default_queue=CHUNK_QUEUE,
        task_queues=[Queue(CHUNK_QUEUE), Queue(CONTROL_QUEUE)],
        task_routes={name: {"queue": queue} for name, queue in QUEUES.items()},  # as service.jobs.publish sends them
        beat_schedule={
            "sweep-unfinished-jobs": {"task": "tasks.jobs.sweep", "schedule": js.sweep_interval},
            "expire-results": {"task": "tasks.jobs.expire", "schedule": js.expire_interval},
        },
    )
    return app


app = make_app()


_heartbeat_stop = threading.Event()


@task_received.connect
def _lease_on_receipt(sender=None, request=None, **_kw) -> None:
    """The worker's main process reserved a chunk: lease its items to this worker."""
    if request is None or request.name != "tasks.jobs.render_chunk":
        return
    from service.jobs.pipeline import take_lease

    try:
        job_id, indexes = request.args[:2]
        take_lease(job_id, list(indexes), sender.hostname)
    except Exception:  # the heartbeat or the sweep catch up; receiving must go on
        log.exception("could not lease a chunk")


def _heartbeat(owner: str) -> None:
    from service.jobs.pipeline import renew_leases

    period = max(1.0, job_settings().lease_seconds / 3)
    while not _heartbeat_stop.wait(period):
        try:
            renew_leases(owner)
        except Exception:
            log.warning("lease heartbeat failed; retrying", exc_info=True)


@worker_shutting_down.connect
def _stop_heartbeat(**_kw) -> None:
    _heartbeat_stop.set()


@worker_ready.connect
def _at_worker_start(sender=None, **_kw) -> None:
    """At worker start: start the lease heartbeat; re-send what a Redis restart or a dead worker may have lost, and
    expire old results."""
    from service.jobs.dispatch import sweep
    from service.jobs.pipeline import expire_results

    threading.Thread(target=_heartbeat, args=(sender.hostname,), name="wenshu-lease-heartbeat", daemon=True).start()

    try:
        log.info("startup sweep: %s", sweep())
        log.info("startup expiry: %s jobs", expire_results())
    except Exception:  # the beat schedule retries soon; a worker must still start
        log.exception("startup sweep failed")
