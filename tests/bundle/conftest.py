"""One LibreOffice conversion for the whole session: the sample bundle built with --pdf converts the notice and
every workbook in a single soffice call; the tests read its PDFs."""
from __future__ import annotations

import io
import zipfile

import pytest

from service.bundle import build_bundle
from service.config import SAMPLES_DIR

SAMPLE_DIR = SAMPLES_DIR / "baisheng-2020"


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch):
    """The tests pin the fixed 1980 timestamp; a SOURCE_DATE_EPOCH in the CI environment would move it."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="session")
def pdf_bundle():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        return build_bundle(SAMPLE_DIR, pdf=True)


@pytest.fixture(scope="session")
def pdf_bundle_files(pdf_bundle) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(pdf_bundle.data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}
