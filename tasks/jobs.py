"""The tasks. Deterministic ids are set by service.jobs.dispatch: `<job>.plan`, `<job>.<dispatch>.c<k>` for chunks and
`<job>.finish`. Files go to the storage directory (service.jobs.storage), never into the result backend: a chunk
returns only the item indexes it handled."""
from __future__ import annotations

from service.jobs import pipeline
from service.jobs.settings import job_settings
from tasks.celery_app import app

_retry = {
    "autoretry_for": pipeline.transient_errors(),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": job_settings().max_retries,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@app.task(name="tasks.jobs.plan", ignore_result=True, **_retry)
def plan(job_id: str) -> int | None:
    return pipeline.plan_job(job_id)


@app.task(name="tasks.jobs.render_chunk", ignore_result=True, bind=True, **_retry)
def render_chunk(self, job_id: str, indexes: list[int]) -> list[int]:
    try:
        return pipeline.render_items(job_id, indexes)
    except pipeline.ItemsBusy as exc:  # another delivery renders them: look again later (no retry limit)
        raise self.retry(exc=exc, countdown=max(1.0, job_settings().lease_seconds / 3),  # noqa: B904 - Celery's retry()
                         max_retries=self.request.retries + 1)


@app.task(name="tasks.jobs.finish", ignore_result=True, **_retry)
def finish(job_id: str) -> str | None:
    return pipeline.finish_job(job_id)


@app.task(name="tasks.jobs.sweep", ignore_result=True)
def sweep() -> dict:
    from service.jobs.dispatch import sweep as run_sweep

    return run_sweep()


@app.task(name="tasks.jobs.expire", ignore_result=True)
def expire() -> int:
    return pipeline.expire_results()
