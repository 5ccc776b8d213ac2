"""Issue 8.3: failed sign-ins are limited by client address before authentication: many bad tokens from one
address get 429 with Retry-After and a Chinese problem+json body; a good token from another address still works."""
from __future__ import annotations

from tests.api.conftest import auth

PROBLEM = "application/problem+json"
ATTACKER = {"REMOTE_ADDR": "198.51.100.7"}
OTHER = {"REMOTE_ADDR": "203.0.113.9"}


def test_bad_tokens_from_one_address_get_429_and_others_still_sign_in(api_env, tokens):
    from service.api import create_app

    app = create_app({"SIGNIN_LIMIT": "10/minute", "MIGRATE": False})
    c = app.test_client()
    codes = [c.get("/api/v1/whoami", headers=auth(f"wsk_bad{i}"), environ_base=ATTACKER).status_code
             for i in range(40)]
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}, codes
    r = c.get("/api/v1/jobs", headers={"Authorization": "Bearer nope"}, environ_base=ATTACKER)
    assert r.status_code == 429 and r.content_type == PROBLEM
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert "登录失败次数过多" in r.json["detail"] and r.json["status"] == 429 and r.json["title"] == "请求过于频繁"
    # before authentication: even a good token from the blocked address waits
    assert c.get("/api/v1/whoami", headers=auth(tokens["office"]), environ_base=ATTACKER).status_code == 429
    # another address signs in, and a missing token there is still a plain 401
    r = c.get("/api/v1/whoami", headers=auth(tokens["office"]), environ_base=OTHER)
    assert r.status_code == 200 and r.json["role"] == "office"
    assert c.get("/api/v1/whoami", environ_base=OTHER).status_code == 401
    # successful requests do not count as failures
    for _ in range(15):
        assert c.get("/api/v1/whoami", headers=auth(tokens["A"]), environ_base=OTHER).status_code == 200
    # a token this process accepted moments ago (both limits in one round trip) is refused there all the same
    assert c.get("/api/v1/whoami", headers=auth(tokens["A"]), environ_base=ATTACKER).status_code == 429
    assert c.get("/api/v1/health", environ_base=ATTACKER).status_code == 200  # public pages stay open
