"""One render per item (issue 8, web helper's report): a chunk delivered twice at once (a send plus the worker's
start-up sweep) renders each item once; a done item's files are never deleted or replaced; no duplicate register
rows. Two threads call pipeline.render_items on the same job against the real database, as two deliveries would."""
from __future__ import annotations

import dataclasses
import os
import threading
import time

from sqlalchemy import func, select

from tests.api.conftest import UNIT_A, auth

BODY = {"kind": "monthly-report", "params": {"unit": UNIT_A, "year": 2020, "month": 6}}


def _files(job_id: str) -> dict[str, tuple[int, int]]:
    from service.jobs.pipeline import item_dir

    d = item_dir(job_id, 0)
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(d.iterdir())}


def test_same_chunk_twice_at_once_renders_once(client, tokens, monkeypatch):
    from service.db.session import session
    from service.jobs import kinds as registry
    from service.jobs import pipeline
    from service.jobs.models import Document, Job, JobItem
    from service.jobs.settings import job_settings

    r = client.post("/api/v1/jobs", json=BODY, headers=auth(tokens["A"]))
    assert r.status_code == 202, r.get_data(as_text=True)
    job_id = r.get_json()["id"]
    assert pipeline.plan_job(job_id) == 1  # the chunk message it sends is purged after the module (no worker here)

    renders: list[int] = []
    real_get = registry.get

    def counting_get(name):
        kind = real_get(name)

        def render(data, out_dir):
            renders.append(threading.get_ident())
            return kind.render(data, out_dir)

        return dataclasses.replace(kind, render=render)

    monkeypatch.setattr(registry, "get", counting_get)
    monkeypatch.setenv("WENSHU_ITEM_DELAY", "1.5")  # both deliveries are inside the render at the same time
    job_settings.cache_clear()
    try:
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        retried: list[int] = []

        def deliver():
            start.wait()
            for _ in range(100):
                try:
                    pipeline.render_items(job_id, [0])
                    return
                except pipeline.ItemsBusy:  # the item is claimed by the other delivery: Celery retries later
                    retried.append(1)
                    time.sleep(0.3)
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)
                    return

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        assert len(renders) == 1, f"item rendered {len(renders)} times"
        assert retried  # the second delivery found the item claimed and waited for the first one's outcome

        with session() as s:
            job = s.get(Job, job_id)
            assert job.state == "succeeded" and job.done == 1
            item = s.get(JobItem, (job_id, 0))
            assert item.state == "done" and item.attempts == 1
            docs = list(s.scalars(select(Document).where(Document.job_id == job_id)))
        before = _files(job_id)
        assert sorted(d.filename for d in docs) == sorted(before)  # one register row per file, no duplicates

        # A late re-delivery after success (the sweep's re-send) renders nothing and leaves the files alone.
        pipeline.render_items(job_id, [0])
        pipeline._render_one(job, real_get(job.kind), 0)
        assert len(renders) == 1
        assert _files(job_id) == before
        with session() as s:
            assert s.scalar(select(func.count()).select_from(Document).where(Document.job_id == job_id)) == len(docs)
    finally:
        os.environ.pop("WENSHU_ITEM_DELAY", None)
        job_settings.cache_clear()
