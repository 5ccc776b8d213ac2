"""The year-end batch started from its page and run by a real worker: the progress bar counts units done / total up
to 100%, then the page offers each unit's archive and the whole batch, and both downloads hold what they say.

The batch runs for a year without training records: every unit still gets its five volumes and the township its
考核结果, but nobody is commended (no unit met an indicator), so there is no 表彰决定 and no 荣誉证书. The sample
year's hundreds of filed documents would take minutes of LibreOffice here; tests/yearend covers a year with data
and its commendation."""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.web.conftest import shoot, sign_in
from tests.web.test_pages import _wait_finished

pytestmark = pytest.mark.integration

YEAR = 2019  # the sample's records are of 2020


def _zip(download) -> zipfile.ZipFile:
    with open(download.path(), "rb") as fh:
        return zipfile.ZipFile(io.BytesIO(fh.read()))


def test_year_end_batch_progress_and_downloads(server, tokens, worker, page):
    from sqlalchemy import func, select

    from service.db.session import session
    from service.records.store.models import TrainingClass
    from service.web.office import unit_names

    with session() as s:
        assert s.scalar(select(func.count()).select_from(TrainingClass)
                        .where(func.extract("year", TrainingClass.start_date) == YEAR)) == 0
    units = unit_names()
    sign_in(page, server, tokens["office"])
    page.get_by_role("link", name="年终归档").click()
    page.get_by_label("年度").fill(str(YEAR))
    page.get_by_label("表彰决定的机关代字（可不填）").fill("某府发")
    page.get_by_role("button", name="开始年终批处理").click()
    page.wait_for_url(re.compile(r".*/web/jobs/[0-9a-f]{32}$"))
    # live: the page polls the job; once planned, the bar counts the township's documents plus one item per unit
    page.wait_for_function("() => /^\\d+\\/[1-9]\\d*$/.test(document.querySelector('.pcount').innerText)",
                           timeout=120_000)
    assert page.locator(".pcount").inner_text().endswith(f"/{len(units) + 1}")
    _wait_finished(page, timeout=600_000)
    assert page.locator(".pcount").inner_text() == f"{len(units) + 1}/{len(units) + 1}"
    links = page.locator("ul.downloads a")
    names = links.all_inner_texts()
    archives = [n for n in names if n.endswith("社区教育档案.zip")]
    assert sorted(archives) == sorted(f"{u}{YEAR}年度社区教育档案.zip" for u in units), names
    shoot(page, "year-end-done")

    with page.expect_download() as dl:  # one unit's volumes
        page.get_by_role("link", name=archives[0]).click()
    assert dl.value.suggested_filename == archives[0]
    inner = _zip(dl.value).namelist()
    assert all(any(e.startswith(v) for e in inner) for v in ("卷一", "卷二", "卷三", "卷四", "卷五")), inner

    bundle = page.locator("ul.downloads li", has_text="全部文件（zip）").locator("a")
    assert bundle.count() == 1
    with page.expect_download() as dl:  # all of them
        bundle.click()
    everything = _zip(dl.value).namelist()
    assert sorted(n for n in everything if n.endswith("社区教育档案.zip")) == sorted(archives)
    assert any("考核结果" in n for n in everything)
    assert not any("表彰决定" in n or "荣誉证书" in n for n in everything + names)
