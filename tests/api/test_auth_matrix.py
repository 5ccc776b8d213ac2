"""Office, centre A and centre B against every endpoint: the office sees everything; a centre sees only its own
unit's jobs and documents (anything else is 404, never 403, so nothing is revealed); no token is 401."""
from __future__ import annotations

import hashlib

import pytest

from tests.api.conftest import UNIT_A, UNIT_B, auth, busiest_month


def _finished_job(unit: str | None, kind: str, body: bytes) -> tuple[str, str]:
    """A finished job of `unit` with one registered document (rows and file as the pipeline leaves them)."""
    from service.db import utcnow
    from service.db.session import session
    from service.jobs import storage
    from service.jobs.models import Document, Job, JobItem
    from service.jobs.pipeline import document_id, item_dir
    from service.jobs.store import new_job_id

    job_id, now = new_job_id(), utcnow()
    name = f"{unit or '党政办'} 测试文书.docx"
    path = storage.write_atomic(item_dir(job_id, 0) / name, body)
    doc_id = document_id(job_id, 0, name)
    with session() as s:
        s.add(Job(id=job_id, kind=kind, unit=unit, period="2020-05", params={}, input_hash="0" * 64,
                  state="succeeded", total=1, done=1, failed=0, created_at=now, updated_at=now, dispatch_count=1,
                  expired=False, finished_at=now, result_document_id=doc_id))
        s.add(JobItem(job_id=job_id, idx=0, label=name, params={}, state="done", attempts=1))
        s.add(Document(id=doc_id, job_id=job_id, item_idx=0, role="document", unit=unit, kind=kind,
                       period="2020-05", filename=name, media_type=storage.media_type(name), input_hash="0" * 64,
                       file_hash=hashlib.sha256(body).hexdigest(), size=len(body), created_at=now,
                       storage_path=storage.relative(path)))
    return job_id, doc_id


@pytest.fixture(scope="module")
def world(app, tokens):
    return {
        "office": _finished_job(None, "notice", b"office document"),
        "A": _finished_job(UNIT_A, "ledger-cards", b"unit A document"),
        "B": _finished_job(UNIT_B, "ledger-cards", b"unit B document"),
    }


WHO = ("office", "A", "B")
# owner of the resource -> who may see it
SEES = {"office": {"office"}, "A": {"office", "A"}, "B": {"office", "B"}}


@pytest.mark.parametrize("owner", ["office", "A", "B"])
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("endpoint", ["/api/v1/jobs/{job}", "/api/v1/jobs/{job}/result", "/api/v1/documents/{doc}",
                                      "/api/v1/documents/{doc}/file"])
def test_resource_visibility(client, tokens, world, endpoint, who, owner):
    job_id, doc_id = world[owner]
    url = endpoint.format(job=job_id, doc=doc_id)
    r = client.get(url, headers=auth(tokens[who]))
    if who in SEES[owner]:
        assert r.status_code == 200, (who, owner, url, r.json)
    else:
        assert r.status_code == 404, (who, owner, url)
        assert r.content_type == "application/problem+json"
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("who", WHO)
def test_listings_are_filtered(client, tokens, world, who):
    jobs = {j["id"] for j in client.get("/api/v1/jobs?limit=500", headers=auth(tokens[who])).json["items"]}
    docs = {d["id"] for d in client.get("/api/v1/documents?limit=500", headers=auth(tokens[who])).json["items"]}
    for owner, (job_id, doc_id) in world.items():
        visible = who in SEES[owner]
        assert (job_id in jobs) is visible and (doc_id in docs) is visible, (who, owner)
    if who != "office":
        units = {j["unit"] for j in client.get("/api/v1/jobs?limit=500", headers=auth(tokens[who])).json["items"]}
        assert units <= {UNIT_A if who == "A" else UNIT_B}


@pytest.mark.parametrize("who,expected", [("office", 200), ("A", 404), ("B", 404)])
def test_audit_log_is_office_only(client, tokens, who, expected):
    assert client.get("/api/v1/audit", headers=auth(tokens[who])).status_code == expected
    assert client.get("/api/v1/audit").status_code == 401


@pytest.mark.parametrize("who", WHO)
def test_metadata_endpoints(client, tokens, who):
    assert client.get("/api/v1/kinds", headers=auth(tokens[who])).status_code == 200
    assert client.get("/api/v1/whoami", headers=auth(tokens[who])).status_code == 200
    assert client.get("/api/v1/kinds").status_code == 401


@pytest.mark.parametrize("who,expected", [("office", 202), ("A", 403), ("B", 403)])
def test_office_only_kind(client, tokens, notice_data, who, expected):
    """The notice is the office's document: a centre may not request it."""
    r = client.post("/api/v1/jobs", json={"kind": "notice", "params": {"notice": notice_data}}, headers=auth(tokens[who]))
    assert r.status_code == expected, r.json
    assert client.post("/api/v1/jobs", json={"kind": "notice", "params": {"notice": notice_data}}).status_code == 401


@pytest.mark.parametrize("who,expected", [("office", 202), ("A", 202), ("B", 404)])
def test_unit_kind_only_for_own_unit(client, tokens, who, expected):
    """Centre A may request its own unit's ledger cards; centre B gets 404 for A's unit."""
    year, month, _n = busiest_month(UNIT_A)
    body = {"kind": "ledger-cards", "params": {"unit": UNIT_A, "year": year, "month": month}}
    r = client.post("/api/v1/jobs", json=body, headers=auth(tokens[who]))
    assert r.status_code == expected, r.json
    if expected == 202:
        assert r.json["unit"] == UNIT_A
        assert client.get(r.json["href"], headers=auth(tokens["B"])).status_code == 404


@pytest.mark.parametrize("who,expected", [("office", 404), ("A", 403), ("B", 403)])
def test_all_units_scope_is_office_only(client, tokens, who, expected):
    """Without a unit the request spans every unit: the office may ask (here: a year without classes → 404)."""
    body = {"kind": "ledger-cards", "params": {"year": 2001}}
    r = client.post("/api/v1/jobs", json=body, headers=auth(tokens[who]))
    assert r.status_code == expected, r.json
    if expected == 422:
        assert r.json["errors"][0]["field"] == "params" and "没有" in r.json["detail"]
