"""Template overrides through the API with a real Celery worker: the office uploads an edited ledger card, the next
job's .docx carries the edit and the register names the uploaded template's sha256; bad uploads are 422
problem+json with Chinese reasons; a centre token does not see the resource; DELETE rolls back."""
from __future__ import annotations

import hashlib
import io

import docx
import pytest

from tests.api.conftest import (  # noqa: F401 - fixtures of the API tests, reused here
    UNIT_A,
    api_env,
    app,
    auth,
    busiest_month,
    purge_after_module,
    tokens,
    worker,
)
from tests.api.jobs import client_get, poll
from tests.templates.conftest import edit_part, shipped

pytestmark = pytest.mark.integration
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture()
def client(app):  # noqa: F811
    return app.test_client()


def upload(client, token, kind, data, name="ledger_card.docx"):
    return client.post("/api/v1/templates", data={"kind": kind, "file": (io.BytesIO(data), name, DOCX)},
                       headers=auth(token), content_type="multipart/form-data")


def ledger_job(client, token) -> dict:
    year, month, _ = busiest_month(UNIT_A)
    r = client.post("/api/v1/jobs", json={"kind": "ledger-cards", "params": {"unit": UNIT_A, "year": year,
                                                                             "month": month}}, headers=auth(token))
    assert r.status_code == 202, r.json
    job = poll(client_get(client), r.headers["Location"], auth(token), timeout=120)
    assert job["state"] == "succeeded", job
    return job


def test_refused_uploads_are_422_with_reasons(client, tokens):  # noqa: F811
    ssti = edit_part(shipped("ledger_card"), "{{ title }}", "{{ ''.__class__.__mro__ }}")
    r = upload(client, tokens["office"], "ledger_card", ssti)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert "不安全的表达式" in r.json["detail"] and r.json["errors"][0]["field"] == "form.file"
    r = upload(client, tokens["office"], "ledger_card", b"PK\x03\x04broken")
    assert r.status_code == 422 and "文件已损坏" in r.json["detail"]
    r = upload(client, tokens["office"], "no_such_kind", shipped("ledger_card"))
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "form.kind"
    assert upload(client, tokens["A"], "ledger_card", shipped("ledger_card")).status_code == 404
    assert client.get("/api/v1/templates", headers=auth(tokens["A"])).status_code == 404


def test_the_override_is_used_by_the_next_job_and_named_in_the_register(client, tokens, worker):  # noqa: F811
    office = tokens["office"]
    listed = client.get("/api/v1/templates", headers=auth(office)).json["items"]
    card = next(t for t in listed if t["kind"] == "ledger_card")
    assert card["source"] == "shipped" and card["sha256"] == hashlib.sha256(shipped("ledger_card")).hexdigest()

    edited = edit_part(shipped("ledger_card"), "学员代表签字", "学员代表（签名）")
    r = upload(client, office, "ledger_card", edited)
    assert r.status_code == 201, r.json
    sha = hashlib.sha256(edited).hexdigest()
    assert r.json["source"] == "override" and r.json["sha256"] == sha
    detail = client.get("/api/v1/templates/ledger_card", headers=auth(office)).json
    assert "k.unit" in detail["fields"]
    assert client.get("/api/v1/templates/ledger_card/file", headers=auth(office)).data == edited

    job = ledger_job(client, tokens["A"])
    docs = [d for d in job["documents"] if d["filename"].endswith(".docx")]
    assert docs and all(d["template_sha256"] == sha for d in docs)
    assert all(d["template_sha256"] is None for d in job["documents"] if d["filename"].endswith(".xlsx"))
    one = client.get(docs[0]["href"], headers=auth(tokens["A"])).data
    assert "学员代表（签名）" in "\n".join(p.text for p in docx.Document(io.BytesIO(one)).paragraphs)
    registered = client.get(f"/api/v1/documents/{docs[0]['id']}", headers=auth(office)).json
    assert registered["template_sha256"] == sha

    r = client.delete("/api/v1/templates/ledger_card", headers=auth(office))
    assert r.status_code == 200 and r.json["source"] == "shipped"
    assert client.delete("/api/v1/templates/ledger_card", headers=auth(office)).status_code == 404
    again = ledger_job(client, tokens["A"])
    shipped_sha = hashlib.sha256(shipped("ledger_card")).hexdigest()
    assert all(d["template_sha256"] == shipped_sha for d in again["documents"] if d["filename"].endswith(".docx"))
