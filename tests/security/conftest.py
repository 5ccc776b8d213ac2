"""The API fixtures (real Redis, per-session key prefix, sample records store, tokens) for the security tests."""
from tests.api.conftest import api_env, app, client, notice_data, tokens  # noqa: F401 - re-exported fixtures
