"""A tiny HTTP client (urllib) for tests that talk to a real server process."""
from __future__ import annotations

import json
import urllib.error
import urllib.request


def request(method: str, url: str, headers: dict | None = None, body: dict | None = None, timeout: float = 30):
    data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def get_json(base: str):
    def get(path, headers):
        status, _h, raw = request("GET", base + path, headers)
        return status, json.loads(raw)

    return get
