"""Records through the API: units per token, and the Excel import (all or nothing, unit scope for centres,
errors with sheet/row/column, hostile or oversized files refused as problems)."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.api.conftest import UNIT_A, UNIT_B, auth
from tests.api.helpers import filled_template, upload_workbook

pytestmark = pytest.mark.usefixtures("worker")  # imports and exports run as jobs on a real worker


def test_units_per_token(client, tokens):
    office = [u["name"] for u in client.get("/api/v1/units", headers=auth(tokens["office"])).json["items"]]
    assert UNIT_A in office and UNIT_B in office and len(office) >= 15
    assert [u["name"] for u in client.get("/api/v1/units", headers=auth(tokens["A"])).json["items"]] == [UNIT_A]
    assert client.get("/api/v1/units").status_code == 401


def _roster(unit: str, name: str) -> bytes:
    """The store's blank roster template with one trainee row of `unit`."""
    return filled_template("学员名册", "学员", [{"所属单位": unit, "姓名": name, "性别": "女", "出生年份": 1980,
                                             "联系电话": "13800138000", "学员类别": "农民"}])


def _upload(client, token, data: bytes):
    return upload_workbook(client, auth(token), data)


def test_import_refuses_garbage_and_names_the_field(client, tokens):
    r = client.post("/api/v1/records/imports", data={"file": (io.BytesIO(b"not a workbook"), "x.xlsx")},
                    headers=auth(tokens["A"]), content_type="multipart/form-data")
    assert r.status_code == 422 and r.content_type == "application/problem+json"
    assert r.json["errors"][0]["field"] == "form.file" and "Excel" in r.json["detail"]
    r = client.post("/api/v1/records/imports", data={}, headers=auth(tokens["A"]),
                    content_type="multipart/form-data")
    assert r.status_code == 422 and r.json["errors"][0]["field"].startswith("form")


def test_import_over_the_limit_is_413(client, tokens, app):
    big = io.BytesIO(b"PK\x03\x04" + b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    r = client.post("/api/v1/records/imports", data={"file": (big, "big.xlsx")}, headers=auth(tokens["A"]),
                    content_type="multipart/form-data")
    assert r.status_code == 413 and r.content_type == "application/problem+json"


def test_centre_imports_own_unit_once(client, tokens):
    data = _roster(UNIT_A, "接口测试学员")
    r = _upload(client, tokens["A"], data)
    assert r.status_code == 200, r.json
    assert r.json["ok"] and r.json["tallies"]["学员"]["created"] == 1
    again = _upload(client, tokens["A"], data)  # the same file again: no duplicate
    assert again.status_code == 200 and again.json["tallies"]["学员"] == {"created": 0, "updated": 0, "unchanged": 1}


def test_centre_cannot_import_another_units_rows(client, tokens):
    r = _upload(client, tokens["A"], _roster(UNIT_B, "越权学员"))
    assert r.status_code == 422 and r.content_type == "application/problem+json", r.json
    (err,) = r.json["errors"]
    assert err["field"] == "学员!A2" and UNIT_B in err["message"] and "本单位" in err["message"]
    assert _upload(client, tokens["office"], _roster(UNIT_B, "党政办导入学员")).status_code == 200


def _export(client, token: str, query: str):
    """GET an export: 202 and a job; the job's result is the workbook."""
    from tests.api.jobs import client_get, poll

    r = client.get(f"/api/v1/records/export/{query}", headers=auth(token))
    if r.status_code != 202:
        return r
    assert r.headers["Location"] == r.json["href"] and r.json["kind"] == "records-export"
    job = poll(client_get(client), r.headers["Location"], auth(token))
    assert job["state"] == "succeeded", job
    return client.get(f"{r.headers['Location']}/result", headers=auth(token))


def test_import_is_a_job(client, tokens):
    """The request only checks and keeps the upload: 202 with the job (progress via the jobs API)."""
    data = _roster(UNIT_A, "任务导入学员")
    r = client.post("/api/v1/records/imports", data={"file": (io.BytesIO(data), "学员名册.xlsx")},
                    headers=auth(tokens["A"]), content_type="multipart/form-data")
    assert r.status_code == 202 and r.headers["Location"] == r.json["href"] and r.json["kind"] == "records-import"
    from tests.api.jobs import client_get, poll

    job = poll(client_get(client), r.headers["Location"], auth(tokens["A"]))
    assert job["state"] == "succeeded", job
    report = client.get(r.json["report"], headers=auth(tokens["A"]))
    assert report.status_code == 200 and report.json["tallies"]["学员"]["created"] == 1
    assert client.get(r.json["report"], headers=auth(tokens["B"])).status_code == 404  # the uploader's only
    kinds = {k["name"] for k in client.get("/api/v1/kinds", headers=auth(tokens["office"])).json["items"]}
    assert not kinds & {"records-import", "records-export"}  # internal kinds are not offered to users


def test_export_per_token(client, tokens):
    """Centre A exports its own unit (default) and nothing else; the office may export any unit or all."""
    r = _export(client, tokens["A"], "roster")
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.data))["学员"]
    units = {row[0] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}
    assert units == {UNIT_A}
    assert client.get(f"/api/v1/records/export/roster?unit={UNIT_B}", headers=auth(tokens["A"])).status_code == 404
    r = _export(client, tokens["office"], f"schedule?unit={UNIT_B}")
    assert r.status_code == 200
    assert client.get("/api/v1/records/export/roster?unit=不存在的村", headers=auth(tokens["office"])).status_code == 404
    assert client.get("/api/v1/records/export/other", headers=auth(tokens["office"])).status_code == 422
