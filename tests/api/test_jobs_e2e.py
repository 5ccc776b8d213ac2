"""End to end with a real Celery worker on the real Redis (127.0.0.1:6379, the session's db): submit, poll,
download and check the bytes; Chinese download names; Range and ETag; idempotent resubmission; the register."""
from __future__ import annotations

import hashlib
import io
import zipfile
from urllib.parse import unquote

import docx
import pytest

from tests.api.conftest import auth
from tests.api.jobs import client_get, poll

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def notice_job(client_module, tokens, notice_data, worker):
    r = client_module.post("/api/v1/jobs", json={"kind": "notice", "params": {"notice": notice_data}},
                           headers=auth(tokens["office"], **{"Idempotency-Key": "e2e-notice-1"}))
    assert r.status_code == 202, r.json
    assert r.headers["Location"] == r.json["href"] == f"/api/v1/jobs/{r.json['id']}"
    assert r.json["state"] in ("accepted", "running") and r.json["progress"]["total"] == 1
    return poll(client_get(client_module), r.headers["Location"], auth(tokens["office"]), timeout=120)


@pytest.fixture(scope="module")
def client_module(app):
    return app.test_client()


def test_notice_job_completes_and_downloads(client_module, tokens, notice_data, notice_job):
    job = notice_job
    assert job["state"] == "succeeded", job
    assert job["progress"] == {"done": 1, "failed": 0, "total": 1} and job["errors"] == []
    result = job["result"]
    number = f"{notice_data['number']['agency_code']}〔{notice_data['number']['year']}〕{notice_data['number']['serial']}号"
    assert result["filename"].startswith(number) and result["filename"].endswith(".docx")
    r = client_module.get(f"{job['href']}/result", headers=auth(tokens["office"]))
    assert r.status_code == 200
    data = r.data
    assert hashlib.sha256(data).hexdigest() == result["sha256"] == r.headers["ETag"].strip('"')
    assert len(data) == result["size"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert notice_data["title"][:10] in text.replace("\n", "")
    # Chinese download name (RFC 5987) with a meaningful ASCII fallback.
    cd = r.headers["Content-Disposition"]
    assert cd.startswith("attachment; filename=\"notice-")
    star = cd.split("filename*=UTF-8''", 1)[1]
    assert unquote(star) == result["filename"]
    assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")


def test_range_and_etag(client_module, tokens, notice_job):
    href = f"{notice_job['href']}/result"
    full = client_module.get(href, headers=auth(tokens["office"])).data
    r = client_module.get(href, headers=auth(tokens["office"], Range="bytes=100-199"))
    assert r.status_code == 206 and r.data == full[100:200]
    assert r.headers["Content-Range"] == f"bytes 100-199/{len(full)}"
    r = client_module.get(href, headers=auth(tokens["office"], Range=f"bytes={len(full) + 10}-"))
    assert r.status_code == 416
    etag = client_module.get(href, headers=auth(tokens["office"])).headers["ETag"]
    r = client_module.get(href, headers=auth(tokens["office"], **{"If-None-Match": etag}))
    assert r.status_code == 304 and r.data == b""


def test_idempotent_resubmission(client_module, tokens, notice_data, notice_job):
    headers = auth(tokens["office"], **{"Idempotency-Key": "e2e-notice-1"})
    again = client_module.post("/api/v1/jobs", json={"kind": "notice", "params": {"notice": notice_data}}, headers=headers)
    assert again.status_code == 200 and again.json["id"] == notice_job["id"]
    assert again.headers["Location"] == notice_job["href"]
    changed = dict(notice_data, title=notice_data["title"] + "（修订）")
    conflict = client_module.post("/api/v1/jobs", json={"kind": "notice", "params": {"notice": changed}}, headers=headers)
    assert conflict.status_code == 409 and conflict.content_type == "application/problem+json"
    # The same key from another token is another request.
    from sqlalchemy import func, select

    from service.db.session import session
    from service.jobs.models import Job

    with session() as s:
        assert s.scalar(select(func.count()).select_from(Job).where(Job.idempotency_key == "e2e-notice-1")) == 1


def test_register_keeps_the_document_after_expiry(client_module, tokens, notice_job):
    from datetime import timedelta

    from service.db import utcnow
    from service.jobs.pipeline import expire_results

    doc = notice_job["result"]
    r = client_module.get("/api/v1/documents?kind=notice", headers=auth(tokens["office"]))
    entry = next(d for d in r.json["items"] if d["id"] == doc["id"])
    assert entry["sha256"] == doc["sha256"] and len(entry["input_sha256"]) == 64
    assert entry["period"] == str(notice_job["period"]) and entry["available"] is True
    assert entry["page_count"] and entry["page_count"] >= 2  # measured on the LibreOffice layout
    assert expire_results(utcnow() + timedelta(days=3650)) >= 1
    r = client_module.get(f"/api/v1/documents/{doc['id']}/file", headers=auth(tokens["office"]))
    assert r.status_code == 410 and r.content_type == "application/problem+json"
    entry = client_module.get(f"/api/v1/documents/{doc['id']}", headers=auth(tokens["office"])).json
    assert entry["available"] is False and entry["sha256"] == doc["sha256"]  # the register outlives the file
    job = client_module.get(notice_job["href"], headers=auth(tokens["office"])).json
    assert job["expired"] is True


def test_audit_log_records_submit_and_download(client_module, tokens, notice_job):
    items = client_module.get("/api/v1/audit?limit=500", headers=auth(tokens["office"])).json["items"]
    actions = {(e["action"], e["job_id"]) for e in items}
    assert ("submit", notice_job["id"]) in actions and ("download", notice_job["id"]) in actions


def test_batch_of_ledger_cards_as_a_centre(client_module, tokens, worker):
    """A centre's batch: one chunk task per 2 classes (chord), then the bundle task checks the manifest and
    packs a zip whose manifest.json lists every file with its SHA-256."""
    import json

    from tests.api.conftest import UNIT_A, busiest_month

    year, month, n = busiest_month(UNIT_A)
    assert n >= 3  # several chunks
    body = {"kind": "ledger-cards", "params": {"unit": UNIT_A, "year": year, "month": month}}
    r = client_module.post("/api/v1/jobs", json=body, headers=auth(tokens["A"]))
    assert r.status_code == 202, r.json
    job = poll(client_get(client_module), r.headers["Location"], auth(tokens["A"]), timeout=120)
    assert job["state"] == "succeeded" and job["progress"] == {"done": n, "failed": 0, "total": n}, job
    assert len(job["documents"]) == 2 * n  # .xlsx and .docx per class
    assert job["result"]["role"] == "bundle" and job["result"]["filename"].endswith(".zip")
    assert job["result"]["filename"].startswith(f"{UNIT_A} {year}-{month:02d}")
    r = client_module.get(f"{job['href']}/result", headers=auth(tokens["A"]))
    assert r.status_code == 200 and hashlib.sha256(r.data).hexdigest() == job["result"]["sha256"]
    assert "filename=\"bundle-" in r.headers["Content-Disposition"]
    zf = zipfile.ZipFile(io.BytesIO(r.data))
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["schema"] == "wenshu.manifest/1"
    by_name = {f["name"]: f for f in manifest["files"]}
    assert set(by_name) == {d["filename"] for d in job["documents"]}
    for info in zf.infolist():
        if info.filename == "manifest.json":
            continue
        assert info.flag_bits & 0x800  # UTF-8 names
        data = zf.read(info)
        assert hashlib.sha256(data).hexdigest() == by_name[info.filename]["sha256"]
        assert UNIT_A in info.filename and "学员培训记录卡" in info.filename
    # Each document is downloadable on its own as well, and is in the register under the unit.
    one = job["documents"][0]
    r = client_module.get(one["href"], headers=auth(tokens["A"]))
    assert r.status_code == 200 and hashlib.sha256(r.data).hexdigest() == one["sha256"]
    listed = client_module.get(f"/api/v1/documents?unit={UNIT_A}&kind=ledger-cards&limit=500",
                               headers=auth(tokens["A"])).json["items"]
    assert {d["id"] for d in job["documents"]} <= {d["id"] for d in listed}


def test_bad_params_are_a_422_naming_the_field(client_module, tokens):
    r = client_module.post("/api/v1/jobs", json={"kind": "monthly-report", "params": {
        "unit": "不存在的村", "year": 2020, "month": 13, "phone": "12"}}, headers=auth(tokens["office"]))
    assert r.status_code == 422 and r.content_type == "application/problem+json"
    fields = {e["field"]: e for e in r.json["errors"]}
    assert fields["params.month"]["title"] == "月份" and "12" in fields["params.month"]["message"]
    assert "params.phone" in fields
    r = client_module.post("/api/v1/jobs", json={"kind": "monthly-report", "params": {
        "unit": "不存在的村", "year": 2020, "month": 5}}, headers=auth(tokens["office"]))
    assert r.status_code == 404 and "不存在的村" in r.json["detail"]  # an unknown unit is not found, as for a centre


def test_publicity_for_own_unit(client_module, tokens, worker):
    """A centre's 培训项目公示: Word and PDF (measured layout), with the page count in the register."""
    from tests.api.conftest import UNIT_A

    body = {"kind": "publicity", "params": {"unit": UNIT_A, "start": "2020-05-25", "end": "2020-05-31",
                                            "phone": "023-72345678"}}
    r = client_module.post("/api/v1/jobs", json=body, headers=auth(tokens["A"]))
    assert r.status_code == 202, r.json
    job = poll(client_get(client_module), r.headers["Location"], auth(tokens["A"]), timeout=180)
    assert job["state"] == "succeeded", job
    names = sorted(d["filename"] for d in job["documents"])
    assert [n.rsplit(".", 1)[1] for n in names] == ["docx", "pdf"] and "公示" in names[0]
    pdf = next(d for d in job["documents"] if d["filename"].endswith(".pdf"))
    data = client_module.get(pdf["href"], headers=auth(tokens["A"])).data
    assert data.startswith(b"%PDF") and pdf["page_count"] >= 1
    import pikepdf

    assert len(pikepdf.open(io.BytesIO(data)).pages) == pdf["page_count"]


def test_notice_bundle_matches_the_cli_bundle(client_module, tokens, worker):
    """The notice bundle made through the API holds the same files, byte for byte, as `wenshu bundle` on the same
    sample folder (only manifest.json's source hash differs: the API's source is the request), and the same request
    made twice gives the same zip."""
    import json

    from service.bundle import build_bundle
    from tests.api.conftest import SAMPLE_DIR

    params = {key: json.loads((SAMPLE_DIR / f"{name}.json").read_text(encoding="utf-8"))
              for key, name in (("notice", "notice"), ("units", "units"), ("monthly_report", "monthly_report"))}
    zips = []
    for _ in range(2):
        r = client_module.post("/api/v1/jobs", json={"kind": "notice-bundle", "params": params},
                               headers=auth(tokens["office"]))
        assert r.status_code == 202, r.json
        job = poll(client_get(client_module), r.headers["Location"], auth(tokens["office"]), timeout=180)
        assert job["state"] == "succeeded", job
        zips.append(client_module.get(f"{job['href']}/result", headers=auth(tokens["office"])).data)
    assert zips[0] == zips[1]
    expected = build_bundle(SAMPLE_DIR)
    assert job["result"]["filename"] == expected.name
    got = json.loads(zipfile.ZipFile(io.BytesIO(zips[0])).read("manifest.json"))
    assert got["files"] == expected.manifest.model_dump(mode="json", by_alias=True)["files"]
    assert len(got["source_sha256"]) == 64 and got["schema"] == "wenshu.manifest/1"
