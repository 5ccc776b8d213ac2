"""The year-end page: a bad value is shown beside its field; a good request starts the `year-end` job, whose
page shows the progress as items done / total (the township's documents, then one item per unit).

No worker runs in this module (a batch over the whole sample takes many minutes): the job stays queued, and the
module's clean-up closes it and empties the queue. Its completion is tested by tests/yearend/test_batch.py; the
pages' progress bars reaching 100% by test_pages.py."""
from __future__ import annotations

import re

import pytest

from tests.web.conftest import shoot, sign_in

pytestmark = pytest.mark.integration


def test_year_end_page_starts_the_batch(server, tokens, page):
    sign_in(page, server, tokens["office"])
    page.get_by_role("link", name="年终归档").click()
    page.get_by_label("年度").fill("2020")
    page.get_by_label("表彰前 N 名（可不填）").fill("0")
    page.get_by_role("button", name="开始年终批处理").click()
    assert page.locator("#err-top_n").inner_text() == "不能小于 1"
    shoot(page, "year-end-error")
    page.get_by_label("表彰前 N 名（可不填）").fill("3")
    page.get_by_role("button", name="开始年终批处理").click()
    assert "机关代字" in page.get_by_role("alert").inner_text()  # no notice chosen and none configured
    page.get_by_label("表彰决定的机关代字（可不填）").fill("某府发")
    page.get_by_role("button", name="开始年终批处理").click()
    page.wait_for_url(re.compile(r".*/web/jobs/[0-9a-f]{32}$"))
    assert page.get_by_role("heading", level=1).inner_text() == "年终考核表彰与归档"
    # no worker runs here: the job waits to be planned (its items, units + 1, are counted by the worker)
    assert page.locator(".pcount").inner_text() == "0/0"
    assert "待工作进程" in page.locator(".pstate").inner_text()
    page.goto(server + "/web/office/year-end")
    assert page.locator("table progress").count() == 1
    shoot(page, "year-end")


def test_centre_has_no_year_end_page(server, tokens, page):
    sign_in(page, server, tokens["A"])
    assert page.goto(server + "/web/office/year-end").status == 404
