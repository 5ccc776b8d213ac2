"""The publish port (service.jobs.publish) pushes what Celery's own `apply_async` pushes: the same queue, the same
envelope, headers and properties (ids and origin aside), the same body. A Celery upgrade that changes its message
makes this fail before a worker stops reading ours. (That a real worker runs them: tests/api/test_jobs_e2e.py.)"""
from __future__ import annotations

import base64
import json
import subprocess
import sys

import redis

from tests.api.conftest import REDIS_URL
from tests.api.helpers import ROOT

VARIES = {"origin", "delivery_tag", "reply_to"}


def _queue(name: str) -> list[dict]:
    import os

    r = redis.Redis.from_url(REDIS_URL)
    key = os.environ["WENSHU_REDIS_PREFIX"] + name
    raw = r.lrange(key, 0, -1)
    r.delete(key)
    return [json.loads(m) for m in raw]


def _flat(message: dict) -> dict:
    out = {k: v for k, v in message.items() if k not in ("headers", "properties", "body")}
    out.update({f"h.{k}": v for k, v in message["headers"].items() if k not in VARIES})
    out.update({f"p.{k}": v for k, v in message["properties"].items() if k not in VARIES})
    out["body"] = json.loads(base64.b64decode(message["body"]))
    return out


def test_published_message_is_celerys(api_env):
    from service.jobs import publish

    cases = [(publish.PLAN, ["job1"], "job1.plan", publish.CONTROL_QUEUE),
             (publish.FINISH, ["job1"], "job1.finish", publish.CONTROL_QUEUE),
             (publish.CHUNK, ["job1", [0, 1, 2]], "job1.1.c0", publish.CHUNK_QUEUE)]
    script = ("import sys, json\nimport tasks.jobs\nfrom tasks.celery_app import app\n"
              "for task, args, tid in json.loads(sys.argv[1]):\n"
              "    app.tasks[task].apply_async(tuple(args), task_id=tid, ignore_result=True)\n")
    # Celery's messages, from a separate process (the API process never imports Celery)
    subprocess.run([sys.executable, "-c", script, json.dumps([c[:3] for c in cases])], cwd=ROOT, check=True)
    theirs = {q: _queue(q) for q in (publish.CONTROL_QUEUE, publish.CHUNK_QUEUE)}
    for task, args, tid, _q in cases:
        publish.send(task, args, tid)
    ours = {q: _queue(q) for q in (publish.CONTROL_QUEUE, publish.CHUNK_QUEUE)}
    for task, _args, tid, q in cases:
        mine = next(m for m in ours[q] if m["headers"]["id"] == tid)
        celerys = next(m for m in theirs[q] if m["headers"]["id"] == tid)
        assert _flat(mine) == _flat(celerys), task
        assert set(mine["headers"]) == set(celerys["headers"]) and set(mine["properties"]) == set(celerys["properties"])


def test_api_process_does_not_import_celery(app, client, tokens):
    """Submitting from the API loads neither Celery nor kombu nor tasks/ (memory and layering, issue 9.5)."""
    code = ("import sys\nfrom service.api import create_app\napp = create_app({'MIGRATE': False})\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('celery', 'kombu', 'tasks')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
