import pytest


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch):
    """The tests pin the fixed 1980 timestamp; a SOURCE_DATE_EPOCH in the CI environment would move it."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
