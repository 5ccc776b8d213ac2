"""The docs pages in a real browser (Debian chromium, headless): the Swagger UI must render the API from the
bundled JavaScript (no network), and the start page must show its Chinese text. A screenshot is kept for review."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.api.helpers import Proc, free_port, wait_for
from tests.api.http import request

pytestmark = pytest.mark.integration


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "需要 Debian 的 chromium（.ci/sysdeps.sh 安装）来检查网页"
    return path


@pytest.fixture(scope="module")
def server(api_env, app, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("docs") / "serve.log"
    proc = Proc([sys.executable, "-m", "service.run", "serve", "--port", str(port), "--workers", "1"],
                dict(os.environ), log)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _up(base) or not proc.alive(), 60, 0.2, "server")
    assert proc.alive(), proc.tail()
    yield base
    proc.stop()


def _up(base: str) -> bool:
    try:
        return request("GET", base + "/api/v1/health", timeout=2)[0] == 200
    except OSError:
        return False


def _browser(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--virtual-time-budget=8000", *args], capture_output=True, text=True, timeout=120)


def test_swagger_ui_renders_from_bundled_assets(server, tmp_path):
    status, headers, _ = request("GET", server + "/api/v1/swagger", timeout=5)
    csp = {k.lower(): v for k, v in headers.items()}["content-security-policy"]
    assert status == 200 and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    done = _browser("--enable-logging=stderr", "--v=0", "--dump-dom", server + "/api/v1/swagger")
    dom = done.stdout
    # These strings exist only after swagger-ui-bundle.js fetched and rendered the OpenAPI document, under the
    # page's Content-Security-Policy (own assets only): the browser refused nothing.
    assert "提交文书生成任务" in dom and "/api/v1/jobs/{job_id}/result" in dom and "OAS 3.1" in dom
    assert "Content Security Policy" not in done.stderr and "Refused to" not in done.stderr, done.stderr[-2000:]
    shot = tmp_path / "swagger.png"
    _browser("--window-size=1280,1400", f"--screenshot={shot}", server + "/api/v1/swagger")
    assert shot.stat().st_size > 20_000


def test_start_page(server):
    done = _browser("--enable-logging=stderr", "--v=0", "--dump-dom", server + "/")
    dom = done.stdout
    assert "Refused to" not in done.stderr, done.stderr[-2000:]
    assert "社教文书服务" in dom and "学习中心令牌" in dom and 'href="/api/v1/swagger"' in dom
