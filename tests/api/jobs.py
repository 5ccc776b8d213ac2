"""Submitting and polling jobs through the API (test client or real HTTP)."""
from __future__ import annotations

import time


def poll(get, job_href: str, headers: dict, timeout: float = 90, until=("succeeded", "partial", "failed")) -> dict:
    """GET the job until it reaches one of `until`; `get(url, headers)` returns (status, json)."""
    deadline = time.monotonic() + timeout
    body = None
    while time.monotonic() < deadline:
        status, body = get(job_href, headers)
        assert status == 200, body
        if body["state"] in until:
            return body
        time.sleep(0.2)
    raise AssertionError(f"job did not finish in {timeout}s: {body}")


def client_get(client):
    def get(url, headers):
        r = client.get(url, headers=headers)
        return r.status_code, r.json

    return get
