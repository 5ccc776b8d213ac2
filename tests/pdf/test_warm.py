"""The warm LibreOffice (unoserver over python3-uno): kept per process, restarted after a crash and a timeout."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pdfplumber
import pytest

from service.config import settings
from service.layout.fonts import font_env
from service.models.notice import parse_notice
from service.pdf import convert, warm
from service.render.notice import render_notice_docx
from tests.notice.conftest import minimal_notice

pytestmark = pytest.mark.pdf


@pytest.fixture(scope="module")
def docx(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("warm") / "n.docx"
    path.write_bytes(render_notice_docx(parse_notice(minimal_notice())))
    return path


@pytest.fixture
def office():
    """A private warm office (the process's own one stays untouched by the kills below)."""
    o = warm.WarmOffice(settings().soffice, font_env(), settings().convert_timeout)
    yield o
    o.close()


def _title_in(pdf: Path) -> bool:
    with pdfplumber.open(pdf) as doc:
        return "社区教育培训工作" in "".join((p.extract_text() or "") for p in doc.pages).replace("\n", "")


def _group(pgid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def test_to_pdf_goes_through_one_warm_server(docx, tmp_path):
    first = convert.to_pdf([docx], tmp_path / "a")[0]
    server = warm._offices[os.getpid()]
    pid, office_pid, done = server.pid, server.office_pid, server.conversions
    second = convert.to_pdf([docx], tmp_path / "b")[0]
    assert pid is not None and server.pid == pid and server.office_pid == office_pid
    assert server.conversions == done + 1
    assert _title_in(first) and _title_in(second)


def test_killed_office_is_restarted(office, docx, tmp_path):
    office.convert(docx, tmp_path / "1.pdf")
    pid, office_pid = office.pid, office.office_pid
    os.kill(office_pid, signal.SIGKILL)  # LibreOffice crashes: unoserver exits with it
    office.proc.wait(30)
    pdf = office.convert(docx, tmp_path / "2.pdf")
    assert _title_in(pdf)
    assert office.starts == 2 and office.pid not in (None, pid) and office.office_pid != office_pid


def test_server_killed_mid_life_is_restarted(office, docx, tmp_path):
    office.convert(docx, tmp_path / "1.pdf")
    os.killpg(office.pid, signal.SIGKILL)
    assert _title_in(office.convert(docx, tmp_path / "2.pdf"))
    assert office.starts == 2


def test_timeout_kills_and_restarts(office, docx, tmp_path):
    office.convert(docx, tmp_path / "1.pdf")
    pid = office.pid
    members = [p for p in _group(pid) if p != pid]
    assert members, "LibreOffice runs in the server's process group"
    for p in members:  # LibreOffice hangs
        os.kill(p, signal.SIGSTOP)
    with pytest.raises(warm.WarmTimeout, match="超时"):
        office.convert(docx, tmp_path / "2.pdf", timeout=3)
    assert not office.alive()
    deadline = time.monotonic() + 10  # SIGKILL is delivered asynchronously
    while any(_state(p) != "Z" for p in members) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_state(p) == "Z" for p in members)  # gone (or a zombie awaiting its reaper)
    assert _title_in(office.convert(docx, tmp_path / "3.pdf"))
    assert office.starts == 2 and office.pid != pid


def test_restart_after_max_conversions(docx, tmp_path):
    o = warm.WarmOffice(settings().soffice, font_env(), settings().convert_timeout, max_conversions=2)
    try:
        for i in range(3):
            o.convert(docx, tmp_path / f"{i}.pdf")
        assert o.starts == 2 and o.conversions == 1
    finally:
        o.close()


def test_timeout_through_to_pdf_is_a_conversion_error(docx, tmp_path, monkeypatch):
    server = warm.office(settings().soffice, font_env(), settings().convert_timeout)
    convert.to_pdf([docx], tmp_path / "a")
    members = [p for p in _group(server.pid) if p != server.pid]
    for p in members:
        os.kill(p, signal.SIGSTOP)
    with pytest.raises(convert.ConversionError, match="超时"):
        convert.to_pdf([docx], tmp_path / "b", timeout=3)
    assert _title_in(convert.to_pdf([docx], tmp_path / "c")[0])


def test_cold_path_without_python3_uno(docx, tmp_path, monkeypatch):
    """No python3-uno (a python without `uno`): the conversion still succeeds, cold."""
    monkeypatch.setenv("WENSHU_UNO_PYTHON", str(Path(os.sys.executable)))  # the venv python has no `uno`
    o = warm.WarmOffice(settings().soffice, font_env(), settings().convert_timeout)
    try:
        with pytest.raises(warm.WarmUnavailable):
            o.convert(docx, tmp_path / "x.pdf")
    finally:
        o.close()
    monkeypatch.setenv("WENSHU_WARM_OFFICE", "0")
    assert _title_in(convert.to_pdf([docx], tmp_path / "cold")[0])


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except OSError:
        return "Z"


def test_warm_conversions_are_reproducible(docx, tmp_path):
    """A warm LibreOffice numbers embedded Type 1 fonts from a process-wide counter; the conversion renumbers
    them, so the same document gives the same (normalised) PDF bytes on every call."""
    import datetime as dt

    from service.ooxml.normalize import normalize_pdf

    a, b = (convert.to_pdf([docx], tmp_path / d)[0].read_bytes() for d in ("a", "b"))
    cold = convert.to_pdf_cold([docx], tmp_path / "cold")[0].read_bytes()
    when = dt.date(2025, 3, 5)
    assert normalize_pdf(a, when) == normalize_pdf(b, when) == normalize_pdf(cold, when)  # as a fresh soffice


def test_a_measured_pass_made_stable_is_the_fresh_process_pdf(docx, tmp_path):
    """A layout pass converts with stable=False (its PDF is only measured); the one kept is made stable afterwards
    and is then the same PDF as a stable conversion and a fresh soffice."""
    import datetime as dt

    from service.ooxml.normalize import normalize_pdf

    when = dt.date(2025, 3, 5)
    stable = normalize_pdf(convert.to_pdf([docx], tmp_path / "s")[0].read_bytes(), when)  # not the process's first
    measured = convert.to_pdf([docx], tmp_path / "m", stable=False)[0]
    if warm.enabled():  # the warm server's own numbering is left in a measured pass
        assert normalize_pdf(measured.read_bytes(), when) != stable
    assert normalize_pdf(convert.stabilise(measured).read_bytes(), when) == stable


def test_measured_render_is_reproducible_in_one_process():
    """The measured layout keeps one pass's PDF (the others are only measured): the same notice twice in one warm
    process gives the same normalised PDF."""
    from service.ooxml.normalize import normalize_pdf
    from service.render.paginate import render_measured

    notice = parse_notice(minimal_notice())
    a, b = (normalize_pdf(render_measured(notice).pdf, notice.signature.date) for _ in range(2))
    assert a == b
