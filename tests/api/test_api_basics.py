"""The API's contract without a worker: OpenAPI document, problem+json errors, auth, limits."""
from __future__ import annotations

import json

from tests.api.conftest import UNIT_A, auth

PROBLEM = "application/problem+json"


def test_openapi_document_is_31_and_declares_problems(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json
    assert spec["openapi"].startswith("3.1")
    post = spec["paths"]["/api/v1/jobs"]["post"]
    for status in ("202", "401", "404", "413", "422", "429"):
        assert status in post["responses"], status
    assert post["responses"]["413"]["content"][PROBLEM]["schema"]["$ref"] == "#/components/schemas/Problem"
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    # The request body is the pydantic request model: one member per registered document kind.
    assert "JobRequest" in spec["components"]["schemas"]
    header = {p["name"] for p in post["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in header


def test_docs_page_uses_bundled_assets(client):
    page = client.get("/api/v1/swagger").get_data(as_text=True)
    assert "swagger/js/swagger-ui-bundle.js" in page and "http://" not in page and "https://" not in page
    asset = client.get("/api/v1/swagger/js/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    index = client.get("/").get_data(as_text=True)
    assert "社教文书服务" in index and "https://" not in index and 'href="/web/"' in index  # the pages, first


def test_missing_and_bad_token_are_401_problems(client):
    for headers in ({}, {"Authorization": "Bearer wsk_nope_nope"}, {"Authorization": "Basic eDp5"}):
        r = client.get("/api/v1/jobs", headers=headers)
        assert r.status_code == 401
        assert r.content_type == PROBLEM
        assert r.json["status"] == 401 and "令牌" in r.json["detail"]
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_health_needs_no_token(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.json["database"] is True and r.json["broker"] is True


def test_body_over_limit_is_413_problem(client, tokens, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = json.dumps({"kind": "notice", "params": {"title": "x" * (limit + 10)}})
    r = client.post("/api/v1/jobs", data=body, content_type="application/json", headers=auth(tokens["office"]))
    assert r.status_code == 413
    assert r.content_type == PROBLEM and "上限" in r.json["detail"]


def test_bad_json_is_422_problem_in_chinese(client, tokens):
    r = client.post("/api/v1/jobs", data="{not json", content_type="application/json",
                    headers=auth(tokens["office"]))
    assert r.status_code == 422 and r.content_type == PROBLEM
    assert "JSON" in r.json["detail"] or "对象" in r.json["detail"]


def test_unknown_kind_names_the_field(client, tokens):
    r = client.post("/api/v1/jobs", json={"kind": "no-such-kind", "params": {}}, headers=auth(tokens["office"]))
    assert r.status_code == 422
    err = r.json["errors"][0]
    assert err["field"] == "kind" and err["title"] == "文书种类" and "只能是" in err["message"]


def test_bad_query_parameter_names_the_field(client, tokens):
    r = client.get("/api/v1/jobs?limit=0", headers=auth(tokens["office"]))
    assert r.status_code == 422 and r.content_type == PROBLEM
    assert r.json["errors"][0]["field"] == "query.limit"
    assert "每页条数" in r.json["detail"]


def test_unknown_job_and_bad_id_are_404_or_422(client, tokens):
    r = client.get("/api/v1/jobs/" + "0" * 32, headers=auth(tokens["office"]))
    assert r.status_code == 404 and r.content_type == PROBLEM
    r = client.get("/api/v1/jobs/NOT-HEX", headers=auth(tokens["office"]))
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "path.job_id"


def test_method_not_allowed_is_a_problem(client, tokens):
    r = client.delete("/api/v1/jobs", headers=auth(tokens["office"]))
    assert r.status_code == 405 and r.content_type == PROBLEM


def test_whoami_per_role(client, tokens):
    assert client.get("/api/v1/whoami", headers=auth(tokens["office"])).json["role"] == "office"
    me = client.get("/api/v1/whoami", headers=auth(tokens["A"])).json
    assert me["role"] == "centre" and me["unit"] == UNIT_A


def test_rate_limit_gives_429_problem(api_env, tokens):
    from service.api import create_app

    app = create_app({"RATE_LIMIT": "3/minute", "MIGRATE": False})
    c = app.test_client()
    codes = [c.get("/api/v1/whoami", headers=auth(tokens["B"])).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    r = c.get("/api/v1/whoami", headers=auth(tokens["B"]))
    assert r.content_type == PROBLEM and "频繁" in r.json["detail"] and "Retry-After" in r.headers


def test_rate_limit_storage_down_falls_back_to_memory(api_env, tokens):
    from service.api import create_app
    from tests.api.helpers import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = create_app({"RATE_LIMIT": "3/minute", "RATELIMIT_STORAGE_URI": dead, "MIGRATE": False})
    c = app.test_client()
    codes = [c.get("/api/v1/whoami", headers=auth(tokens["office"])).status_code for _ in range(5)]
    assert 500 not in codes and codes[0] == 200
    assert 429 in codes  # the in-memory fallback still limits


def test_token_revoke_and_rotate(client, api_env):
    from service.access import tokens as t

    row, plain = t.create("centre", "测试丙村")
    assert client.get("/api/v1/whoami", headers=auth(plain)).status_code == 200
    _, new = t.rotate(row.id)
    assert client.get("/api/v1/whoami", headers=auth(plain)).status_code == 401
    assert client.get("/api/v1/whoami", headers=auth(new)).status_code == 200
    assert t.revoke(row.id)
    assert client.get("/api/v1/whoami", headers=auth(new)).status_code == 401
    from service.access.models import ApiToken
    from service.db.session import session

    with session() as s:
        stored = s.get(ApiToken, row.id)
        assert new not in stored.token_hash and len(stored.token_hash) == 64  # only the hash is kept
