"""Fixtures of the template tests: an instance folder of the test's own (overrides land there), and helpers that
edit a template's document.xml the way a clerk's Word edit would."""
from __future__ import annotations

import io
import zipfile

import pytest

from service.config import TEMPLATE_DIR


@pytest.fixture()
def instance(tmp_path, monkeypatch):
    from service.config import settings

    monkeypatch.setenv("WENSHU_INSTANCE", str(tmp_path / "instance"))
    settings.cache_clear()
    yield tmp_path / "instance"
    monkeypatch.undo()
    settings.cache_clear()


def shipped(name: str) -> bytes:
    return (TEMPLATE_DIR / f"{name}.docx").read_bytes()


def edit_part(data: bytes, old: str, new: str, part: str = "word/document.xml", count: int = 1) -> bytes:
    """`data` with `old` replaced by `new` in one part (asserting it occurs `count` times): a hand edit."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                text = body.decode("utf-8")
                assert text.count(old) == count, (old, text.count(old))
                body = text.replace(old, new).encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()
