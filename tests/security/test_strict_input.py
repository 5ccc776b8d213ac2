"""Issue 8.6: strict types (no `false`/0/"1" taken for a number, a boolean or a list), the OpenAPI document
states the limits validation enforces, and no user sees pydantic's English or its errors.pydantic.dev links."""
from __future__ import annotations

import copy
import json
import re

import pytest

from tests.api.conftest import UNIT_A, auth

PROBLEM = "application/problem+json"


def _table_notice(notice_data: dict, widths) -> dict:
    data = copy.deepcopy(notice_data)
    data["blocks"].insert(0, {"type": "table", "columns": ["甲", "乙"], "rows": [["1", "2"]], "widths": widths})
    return data


def _no_english(r) -> None:
    body = r.get_data(as_text=True)
    assert "pydantic" not in body and "Input should" not in body and "Field required" not in body
    for e in r.json.get("errors") or []:
        assert not e["message"].isascii(), e


@pytest.mark.parametrize("widths", [[False, 1], [0, 1], [-1, 1], ["1", 1], [1e309, 1], [True, True]])
def test_table_widths_are_strict_positive_numbers(client, tokens, notice_data, widths):
    body = json.dumps({"kind": "notice", "params": {"notice": _table_notice(notice_data, widths)}})
    r = client.post("/api/v1/jobs", data=body, content_type="application/json", headers=auth(tokens["office"]))
    assert r.status_code == 422 and r.content_type == PROBLEM, r.get_data(as_text=True)[:300]
    assert any(e["field"].startswith("params.notice.blocks.0.table.widths") and "列宽比例" in e["title"]
               for e in r.json["errors"]), r.json
    _no_english(r)


@pytest.mark.parametrize("params, field", [
    ({"unit": UNIT_A, "year": "2020", "month": 5}, "params.year"),
    ({"unit": UNIT_A, "year": True, "month": 5}, "params.year"),
    ({"unit": UNIT_A, "year": 2020, "month": 5.5}, "params.month"),
    ({"unit": UNIT_A, "year": 2020, "month": 5, "filled_on": 0}, "params.filled_on"),
    ({"unit": UNIT_A, "year": 2020, "month": 5, "filled_on": "2020/05/01"}, "params.filled_on"),
    ({"unit": UNIT_A, "year": 2020, "month": 5, "phone": "__main__"}, "params.phone"),
    ({"unit": UNIT_A, "year": 2020, "month": 5, "phone": 13812345678}, "params.phone"),
    ({"unit": UNIT_A, "year": 2020, "month": 5, "filler": "一二三四五六七八九十一二三四五六七八九十一"}, "params.filler"),
    ({"unit": UNIT_A, "year": 2020, "month": 5, "email": "x"}, "params.email"),
    ({"unit": 5, "year": 2020, "month": 5}, "params.unit"),
])
def test_coercions_are_refused_with_chinese_messages(client, tokens, params, field):
    r = client.post("/api/v1/jobs", json={"kind": "monthly-report", "params": params}, headers=auth(tokens["A"]))
    assert r.status_code == 422 and r.content_type == PROBLEM, r.get_data(as_text=True)[:300]
    assert field in {e["field"] for e in r.json["errors"]}, r.json
    _no_english(r)


def test_json_integers_written_as_3_0_and_iso_dates_are_still_accepted(client, tokens):
    r = client.post("/api/v1/jobs", json={"kind": "monthly-report", "params": {
        "unit": UNIT_A, "year": 2020.0, "month": 5, "filled_on": "2020-06-01", "phone": "023-62345678"}},
        headers=auth(tokens["A"]))
    assert r.status_code in (202, 404), r.get_data(as_text=True)[:300]  # 404: that month has no class


def _schemas(client) -> dict:
    return client.get("/api/v1/openapi.json").json["components"]["schemas"]


def _string(prop: dict) -> dict:
    return next((s for s in prop.get("anyOf", [prop]) if s.get("type") == "string"), prop)


def test_openapi_states_the_limits_validation_enforces(client):
    from service.forms.annex3 import MonthlyReport

    s = _schemas(client)
    outer = _string(s["MonthlyReportParams"]["properties"]["filler"])
    assert outer["maxLength"] == MonthlyReport.model_fields["filler"].metadata[0].max_length == 20
    for model, prop in (("MonthlyReportParams", "phone"), ("PublicityParams", "phone"),
                        ("Unit", "leader_phone")):
        phone = _string(s[model]["properties"][prop])
        assert phone["format"] == "cn-phone" and not re.search(phone["pattern"], "__main__")
        assert re.search(phone["pattern"], "023-62345678") and re.search(phone["pattern"], "13812345678")
    email = _string(s["MonthlyReportParams"]["properties"]["email"])
    assert re.search(email["pattern"], "a@b.cn") and not re.search(email["pattern"], "x")
    widths = s["Table"]["properties"]["widths"]["anyOf"][0]
    assert widths["items"]["exclusiveMinimum"] == 0 and widths["items"]["type"] == "number"
    title = s["Notice"]["properties"]["title"]
    assert not re.search(title["pattern"], "标题\x01") and re.search(title["pattern"], "标题")


def test_no_pydantic_english_in_any_answer(client, tokens):
    for body in ({"kind": [{}, {"x": {}}]}, {"kind": {"a": 1}, "params": {}},
                 {"kind": "notice", "params": {"notice": {"blocks": [{"type": "x"}], "masthead": 5}}},
                 {"kind": "monthly-report", "params": []}, {"kind": "publicity", "params": {"start": []}}):
        r = client.post("/api/v1/jobs", json=body, headers=auth(tokens["office"]))
        assert r.status_code == 422
        _no_english(r)
        assert "errors.pydantic.dev" not in r.get_data(as_text=True)


def test_a_repeated_query_parameter_is_refused(client, tokens):
    r = client.get("/api/v1/documents?unit=a&unit=b", headers=auth(tokens["office"]))
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "query.unit"
    _no_english(r)
