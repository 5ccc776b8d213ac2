"""A character no installed font has: the notice job still succeeds, and its result lists the warning."""
from __future__ import annotations

import pytest

from tests.api.conftest import auth
from tests.api.jobs import client_get, poll
from tests.notice.conftest import minimal_notice

pytestmark = pytest.mark.integration


def test_job_result_lists_the_missing_glyph(app, tokens, worker):
    client = app.test_client()
    data = minimal_notice(blocks=[{"type": "paragraph", "text": "请各村报送\ue000表格。"}])
    r = client.post("/api/v1/jobs", json={"kind": "notice", "params": {"notice": data}},
                    headers=auth(tokens["office"], **{"Idempotency-Key": "glyph-warning-1"}))
    assert r.status_code == 202, r.json
    job = poll(client_get(client), r.headers["Location"], auth(tokens["office"]), timeout=180)
    assert job["state"] == "succeeded" and job["errors"] == [], job
    assert [w["item"] for w in job["warnings"]] == [0]
    assert "U+E000" in job["warnings"][0]["message"] and "空框" in job["warnings"][0]["message"]
