"""The publish port: how the service hands a task to the workers, without importing Celery or tasks/.

A task message is one Celery protocol-2 message (the format kombu's Redis transport stores: a JSON envelope with
the base64 body) pushed with one LPUSH onto its queue's list, on the thread's own Redis connection: no PING,
no Celery app, no kombu channel per call. tasks/celery_app.py routes the same task names to the same queues
(QUEUES below), so a message sent here and one sent by Celery's own `apply_async` are read alike by the worker
(tests/api/test_publish.py compares them field by field).
"""
from __future__ import annotations

import base64
import json
import os
import socket
import uuid

from service.jobs.redisconn import ThreadConnections
from service.jobs.settings import job_settings, redis_client

CHUNK_QUEUE = "celery"  # Celery's default queue: the chunk tasks
CONTROL_QUEUE = "wenshu.control"  # plan, finish, sweep, expire: short tasks beside the chunk queue

PLAN, CHUNK, FINISH, SWEEP, EXPIRE = (f"tasks.jobs.{n}" for n in ("plan", "render_chunk", "finish", "sweep", "expire"))
QUEUES = {PLAN: CONTROL_QUEUE, FINISH: CONTROL_QUEUE, SWEEP: CONTROL_QUEUE, EXPIRE: CONTROL_QUEUE,
          CHUNK: CHUNK_QUEUE}

_EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
_REPLY_TO = str(uuid.uuid4())  # never read: every job task ignores its result


_origins: dict[int, str] = {}


def _origin() -> str:
    """Celery's `origin` header (the sending process), made once per process: no uname() per message."""
    pid = os.getpid()
    origin = _origins.get(pid)
    if origin is None:
        origin = _origins[pid] = f"gen{pid}@{socket.gethostname()}"
    return origin


def message(task: str, args: tuple | list, task_id: str) -> bytes:
    """The message Celery's `apply_async(args, task_id=…, ignore_result=True)` would push for `task`."""
    js = job_settings()
    body = json.dumps([list(args), {}, _EMBED]).encode()
    queue = QUEUES.get(task, CHUNK_QUEUE)
    return json.dumps({
        "body": base64.b64encode(body).decode(),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {
            "lang": "py", "task": task, "id": task_id, "shadow": None, "eta": None, "expires": None, "group": None,
            "group_index": None, "retries": 0, "timelimit": [js.hard_time_limit, js.soft_time_limit],
            "root_id": task_id, "parent_id": None, "argsrepr": repr(tuple(args)), "kwargsrepr": "{}",
            "origin": _origin(), "ignore_result": True,
            "replaced_task_nesting": 0, "stamped_headers": None, "stamps": {},
        },
        "properties": {
            "correlation_id": task_id, "reply_to": _REPLY_TO, "delivery_mode": 2,
            "delivery_info": {"exchange": "", "routing_key": queue}, "priority": 0, "body_encoding": "base64",
            "delivery_tag": str(uuid.uuid4()),
        },
    }).encode()


_wires: dict = {}


def send(task: str, args: tuple | list, task_id: str) -> None:
    """Push the task onto its queue, on this thread's broker connection (service.jobs.redisconn). Raises
    redis-py's errors when the broker cannot be reached."""
    queue = QUEUES.get(task, CHUNK_QUEUE)
    client = redis_client()
    wire = _wires.get(id(client))
    if wire is None or wire[0] is not client:
        wire = _wires[id(client)] = (client, ThreadConnections(client))
    wire[1].execute("LPUSH", job_settings().redis_prefix + queue, message(task, args, task_id))
