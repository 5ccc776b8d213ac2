"""The Celery application, configured from the environment.

Reliability settings (issue 5): late acknowledgement with reject-on-worker-lost (a killed pool child's message is
re-queued), prefetch 1, soft/hard time limits, a visibility timeout above the hard limit (a message taken by a
worker whose main process died is re-delivered after it), and Celery's own beat scheduler for the sweep and the
expiry of results. The result backend (same Redis) only keeps chord bookkeeping; job state is in our database.
"""
from __future__ import annotations

import logging

from celery import Celery
from celery.signals import worker_ready

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
        task_soft_time_limit=js.soft_time_limit,
        task_time_limit=js.hard_time_limit,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=max(js.visibility_timeout * 4, 3600),
        timezone="UTC",
        enable_utc=True,
        worker_hijack_root_logger=False,
        beat_schedule={
            "sweep-unfinished-jobs": {"task": "tasks.jobs.sweep", "schedule": js.sweep_interval},
            "expire-results": {"task": "tasks.jobs.expire", "schedule": js.expire_interval},
        },
    )
    return app


app = make_app()


@worker_ready.connect
def _at_worker_start(sender=None, **_kw) -> None:
    """At worker start: re-send what a Redis restart or a dead worker may have lost, and expire old results."""
    from tasks.dispatch import sweep
    from service.jobs.pipeline import expire_results

    try:
        log.info("startup sweep: %s", sweep())
        log.info("startup expiry: %s jobs", expire_results())
    except Exception:  # the beat schedule retries soon; a worker must still start
        log.exception("startup sweep failed")
