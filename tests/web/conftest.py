"""Fixtures of the browser tests: the API tests' environment, sample records and tokens (tests/api/conftest.py),
the app served by a real HTTP server thread on 127.0.0.1, a real Celery worker, and Debian's chromium driven by
Playwright (never a downloaded browser). Screenshots go to tests/web/screenshots/ (git-ignored)."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.api.conftest import (  # noqa: F401 (fixtures reused as they are)
    SAMPLE_DIR,
    UNIT_A,
    UNIT_B,
    api_env,
    purge_after_module,
    tokens,
)
from tests.api.helpers import start_worker

SHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--lang=zh-CN"]
# A Chinese browser as in the offices: native controls (file picker, date and month fields) in Chinese
# (Debian's chromium-l10n; chromium on Linux reads the UI language from LANGUAGE). LANG stays a UTF-8 locale the
# machine has: with one it lacks (zh_CN.UTF-8 is not generated here) file names fall back to ASCII, and every
# Chinese download name becomes "download".
CHROMIUM_ENV = {**os.environ, "LANGUAGE": "zh_CN:zh", "LANG": "C.UTF-8"}


# Time limits a notice with its PDF fits in on a busy machine (LibreOffice measures the layout, then converts);
# read by the worker and by the sender (this process). api_env restores them at the end.
LIMITS = {"WENSHU_SOFT_TIME_LIMIT": "240", "WENSHU_HARD_TIME_LIMIT": "260", "WENSHU_VISIBILITY_TIMEOUT": "300",
          "WENSHU_STALE_AFTER": "300"}


@pytest.fixture(scope="package")
def web_env(api_env):
    from tests.api.conftest import clear_caches

    os.environ.update(LIMITS)
    clear_caches()
    return api_env


@pytest.fixture(scope="package")
def app(web_env):
    """The app with the sample records; session cookies without Secure (the test server is plain http)."""
    from samples.loader import load_sample
    from service.api import create_app
    from service.db.session import session

    app = create_app({"TESTING": False, "SESSION_COOKIE_SECURE": False})
    with session() as s:
        load_sample(s, SAMPLE_DIR)
    return app


@pytest.fixture(scope="module")
def worker(web_env, tmp_path_factory):
    """A real Celery worker, started as the API tests start theirs."""
    proc = start_worker(dict(os.environ), tmp_path_factory.mktemp("worker") / "worker.log")
    yield proc
    proc.stop()


@pytest.fixture(scope="package")
def server(app):
    """A real threaded HTTP server (werkzeug) on 127.0.0.1 serving the app."""
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(10)


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def sign_in(page, base: str, token: str) -> None:
    page.goto(base + "/web/signin")
    page.get_by_label("令牌").fill(token)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/web/signin" not in page.url, page.content()[:2000]


# Form controls a screen reader could not name: no <label>, aria-label or aria-labelledby (buttons: no text).
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')].filter(e => {
  if (e.tagName === 'BUTTON' || e.type === 'submit' || e.type === 'button')
    return !((e.innerText || e.value || '').trim() || e.getAttribute('aria-label'));
  return !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby');
}).map(e => e.outerHTML.slice(0, 160))"""


def shoot(page, name: str) -> None:
    """The current page at desktop (1280 px) and phone (360 px) width, full length; every control labelled."""
    assert page.evaluate(UNLABELLED) == [], f"{name}: controls without a label"
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        # readable at this width: nothing wider than the screen (wide tables scroll inside their own box)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} overflows {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})
