"""The Chinese pages in a real browser (Playwright driving Debian's chromium) against the app served on 127.0.0.1
with a real Celery worker: what a township secretary and a centre's staff do, checked the way they would."""
from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from docx import Document as Docx
from openpyxl import load_workbook

from tests.web.conftest import UNIT_A, UNIT_B, shoot, sign_in

pytestmark = pytest.mark.integration

NOTICE_TITLE = "关于开展社区教育培训月活动的通知"


def _workbook(download):
    return load_workbook(io.BytesIO(Path(download.path()).read_bytes()))


def _wait_finished(page, timeout: float = 270_000) -> None:
    """The job page's progress bar reaches 100%, the page shows the downloads, and the job succeeded."""
    page.wait_for_selector("[data-finished='1']", timeout=timeout)
    assert page.locator("progress").first.get_attribute("value") == "100"
    assert page.locator(".pstate").first.inner_text() == "已完成", page.locator("main").inner_text()


def test_sign_in_wrong_token_then_right_then_out(server, tokens, page):
    page.goto(server + "/web/office")
    assert "/web/signin" in page.url  # not signed in: to the sign-in page
    shoot(page, "signin")
    page.get_by_label("令牌").fill("wsk_000000000000_not-a-token")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().startswith("令牌无效或已被撤销")
    sign_in(page, server, tokens["office"])
    assert page.url.endswith("/web/office")
    page.keyboard.press("Tab")  # keyboard users first reach the skip link, which leads to the page's content
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    cookie = next(c for c in page.context.cookies() if c["name"] == "wenshu_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert tokens["office"] not in str(page.context.cookies())  # the session holds no token
    page.get_by_role("button", name="退出").click()
    assert "/web/signin" in page.url
    page.goto(server + "/web/office")
    assert "/web/signin" in page.url


def test_dashboard_chart_and_office_pages(server, tokens, page):
    from service.web.office import unit_names

    sign_in(page, server, tokens["office"])
    from service.db.session import session
    from service.yearend.indicators import assess

    with session() as s:
        a = assess(s, 2020)
    page.goto(server + "/web/office?year=2020")
    first = a.targets[0]
    charted = [u.indicator(first.id) for u in a.units if u.indicator(first.id) is not None]
    bars = page.locator("svg.chart rect.bar")
    assert bars.count() == len(charted) > 0
    widths = [float(bars.nth(i).get_attribute("width")) for i in range(bars.count())]
    values = [r.value or 0 for r in charted]
    assert widths.index(max(widths)) == values.index(max(values)) and max(widths) > 0  # the sample year has data
    assert page.locator("svg.chart rect.bar.s-met").count() == sum(r.status == "met" for r in charted)
    assert page.locator("table tbody tr").count() == len(a.units) == len(unit_names())
    page.get_by_label("指标").select_option(a.targets[1].id)
    page.get_by_role("button", name="查看").click()
    assert a.targets[1].name in page.get_by_role("heading", level=2).first.inner_text()
    shoot(page, "dashboard")
    page.get_by_role("link", name="单位", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("单位")
    shoot(page, "units")
    page.get_by_role("link", name=re.compile(rf"^编辑\s*{UNIT_A}$")).click()
    page.get_by_label("组长电话").fill("12345")
    page.get_by_role("button", name="保存").click()
    assert "无效" in page.locator("#err-leader_phone").inner_text()
    shoot(page, "unit-edit-error")
    page.get_by_label("组长电话").fill("13812345678")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_role("status").inner_text() == f"已保存“{UNIT_A}”。"
    page.get_by_role("link", name="令牌").click()
    page.get_by_label("角色").select_option("centre")
    page.get_by_label("单位（学习中心令牌必选）").select_option(UNIT_B)
    page.get_by_label("备注（如使用人）").fill("浏览器测试")
    page.get_by_role("button", name="创建").click()
    plain = page.get_by_label("新令牌").input_value()
    assert plain.startswith("wsk_")
    shoot(page, "tokens")
    token_id = plain.split("_")[1]
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name=re.compile(rf"^撤销\s*令牌 {token_id}$")).click()
    assert page.locator("tr", has_text=token_id).get_by_text("已撤销").count() == 1
    from service.access.tokens import authenticate

    assert authenticate(plain) is None


def test_notice_error_then_success_preview_and_download(server, tokens, worker, page):
    sign_in(page, server, tokens["office"])
    page.get_by_role("link", name="新建通知").click()
    page.get_by_label("机关代字").fill("某府发")
    page.get_by_label("序号").fill("12")
    page.get_by_label(re.compile(r"^标题\*?$")).fill(NOTICE_TITLE)
    page.get_by_label("第1段文字").fill("现将有关事项通知如下。")
    page.get_by_label("印发机关").fill("")  # left empty: the error is shown beside this field
    page.get_by_role("button", name="生成通知（Word 与 PDF）").click()
    error = page.locator("#err-imprint-printer")
    assert error.inner_text() == "不能为空"
    assert page.get_by_label("印发机关").get_attribute("aria-invalid") == "true"
    assert page.get_by_label(re.compile(r"^标题\*?$")).input_value() == NOTICE_TITLE  # nothing typed is lost
    shoot(page, "notice-errors")
    # a second block, a heading, moved above the first
    page.get_by_role("button", name="添加段落").click()
    page.get_by_label("第2段类型").select_option("heading")
    page.get_by_label("第2段文字").fill("活动安排")
    page.locator("li.block").nth(1).get_by_role("button", name="上移").click()
    assert page.get_by_label("第1段文字").input_value() == "活动安排"
    page.get_by_label("印发机关").fill("某镇党政办公室")
    page.get_by_role("button", name="生成通知（Word 与 PDF）").click()
    page.wait_for_url(re.compile(r".*/web/jobs/[0-9a-f]{32}$"))
    _wait_finished(page)
    page.get_by_role("img", name=re.compile("第1页预览")).wait_for()
    page.wait_for_function("() => { const i = document.querySelector('img.preview');"
                           " return i.complete && i.naturalWidth > 400; }", timeout=60_000)  # A4 at 60 dpi: 496
    shoot(page, "notice-job")
    with page.expect_download() as dl:
        page.get_by_role("link", name=re.compile(r"\.docx$")).click()
    download = dl.value
    assert download.suggested_filename.endswith(".docx")
    doc = Docx(download.path())
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    assert NOTICE_TITLE in texts
    heading = next(i for i, t in enumerate(texts) if "活动安排" in t)
    body = next(i for i, t in enumerate(texts) if t == "现将有关事项通知如下。")
    assert texts[heading].startswith("一、") and heading < body


def test_roster_upload_errors_and_marked_workbook(server, tokens, worker, page):
    """The upload is imported by the worker (a job): the page polls it, then shows the errors and the marked workbook."""
    sign_in(page, server, tokens["A"])
    page.get_by_role("link", name="导入名册", exact=True).click()
    with page.expect_download() as dl:
        page.get_by_role("link", name="学员名册（导入模板）.xlsx").click()
    wb = _workbook(dl.value)
    ws = wb["学员"]
    ws.append([UNIT_A, "王小明", "男", 1970, "", "农民"])  # a good row
    ws.append([UNIT_A, "", "未知", 1850, "", "农民"])  # no name, a bad gender, a bad year
    ws.append([UNIT_B, "李四", "女", 1980, "", "老年"])  # another unit's row: refused for a centre
    buf = io.BytesIO()
    wb.save(buf)
    page.get_by_label("工作簿（.xlsx）").set_input_files(
        files=[{"name": "名册.xlsx", "mimeType": "application/octet-stream", "buffer": buf.getvalue()}])
    page.get_by_role("button", name="上传并导入").click()
    page.get_by_role("alert").wait_for(timeout=60_000)  # the page refreshes until the worker's report is there
    assert "没有写入任何记录" in page.get_by_role("alert").inner_text()
    table = page.locator("table.errors tbody tr")
    rows = [table.nth(i).inner_text() for i in range(table.count())]
    assert any("\t3\t" in r and "姓名" in r for r in rows), rows
    assert any("\t4\t" in r for r in rows), rows
    shoot(page, "import-errors")
    with page.expect_download() as dl:
        page.get_by_role("link", name="下载已标注错误的工作簿").click()
    assert dl.value.suggested_filename.endswith("（错误已标注）.xlsx")
    marked = _workbook(dl.value)
    assert marked.sheetnames[0] == "导入错误"
    listed = [r for r in marked["导入错误"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(listed) == len(rows)
    name_cell = marked["学员"]["B3"]
    assert name_cell.fill.fgColor.rgb.endswith("FFC7CE") and name_cell.comment is not None
    from service.db.session import session
    from service.records.store.models import Trainee

    with session() as s:  # all or nothing: the good row was not written either
        assert s.query(Trainee).filter(Trainee.name == "王小明").count() == 0
    assert "出错的单元格标红并附批注" in page.locator("span.hint").inner_text()

    for i in range(400):  # 1,200 errors: more bad cells than get a comment, and the page says so
        ws.append([UNIT_A, f"学员{i}", "未知", 1850, "", "未知"])
    buf = io.BytesIO()
    wb.save(buf)
    page.get_by_label("工作簿（.xlsx）").set_input_files(
        files=[{"name": "名册.xlsx", "mimeType": "application/octet-stream", "buffer": buf.getvalue()}])
    page.get_by_role("button", name="上传并导入").click()
    page.get_by_role("alert").wait_for(timeout=60_000)
    assert "下表列出前 200 处，全部错误已标在工作簿中" in page.get_by_role("alert").inner_text()
    assert "出错的单元格标红，前 1000 个附批注，首页“导入错误”表列出全部错误" in page.locator("span.hint").inner_text()
    shoot(page, "import-many-errors")
    with page.expect_download() as dl:
        page.get_by_role("link", name="下载已标注错误的工作簿").click()
    marked = _workbook(dl.value)
    count = int(re.search(r"发现 (\d+) 处错误", page.get_by_role("alert").inner_text()).group(1))
    assert len([r for r in marked["导入错误"].iter_rows(min_row=2, values_only=True) if r[0]]) == count > 1200
    commented = [c for row in marked["学员"].iter_rows() for c in row if c.comment is not None]
    assert len(commented) == 1000


def test_centre_pages_and_ledger_card_download(server, tokens, worker, page):
    sign_in(page, server, tokens["A"])
    assert page.get_by_role("heading", level=1).inner_text() == f"{UNIT_A} · 培训班"
    shoot(page, "classes")
    first = page.locator("table tbody tr th a").first
    title = first.inner_text()
    first.click()
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.locator("table tbody tr").count() > 0
    shoot(page, "class")
    page.get_by_role("link", name="学员", exact=True).click()
    shoot(page, "trainees")
    page.get_by_role("link", name="生成文书", exact=True).click()
    page.get_by_label("文书").select_option("ledger-cards")
    page.get_by_label("某个培训班").check()
    option = page.get_by_label("培训班（按名称与开班日期）").locator("option", has_text=title).first
    page.get_by_label("培训班（按名称与开班日期）").select_option(option.get_attribute("value"))
    page.get_by_label("Word（.docx）").check()
    shoot(page, "documents")
    with page.expect_download() as dl:
        page.get_by_role("button", name="生成").click()
    assert dl.value.suggested_filename.endswith("学员培训记录卡.docx")
    doc = Docx(dl.value.path())
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert title in text and UNIT_A in text
    # a month's assessment sheets as a job: its progress bar reaches 100%, then the file is offered
    from tests.api.conftest import busiest_month

    year, month, _n = busiest_month(UNIT_A)
    page.goto(server + f"/web/units/{quote(UNIT_A)}/documents")
    page.get_by_label("文书").select_option("assessment-sheets")
    page.get_by_label("某月开班的全部培训班").check()
    page.get_by_label("月份").fill(f"{year}-{month:02d}")
    page.get_by_label("Excel（.xlsx）").check()
    page.get_by_role("button", name="生成").click()
    page.wait_for_url(re.compile(r".*/web/jobs/[0-9a-f]{32}$"))
    _wait_finished(page)
    assert page.locator(".pstate").inner_text() == "已完成"
    shoot(page, "centre-job")
    with page.expect_download() as dl:
        page.locator("ul.downloads a").first.click()
    assert dl.value.suggested_filename.endswith((".xlsx", ".zip"))


def test_monthly_reports_of_all_units(server, tokens, worker, page):
    from tests.api.conftest import busiest_month

    year, month, _n = busiest_month(UNIT_A)
    sign_in(page, server, tokens["office"])
    page.goto(server + f"/web/office/reports?year={year}&month={month}")
    missing = page.locator("ul.tags li").all_inner_texts()
    assert UNIT_A not in missing
    page.get_by_role("button", name="生成全部单位的月报表（Excel）").click()
    bars = page.locator("table progress")
    page.wait_for_function("() => [...document.querySelectorAll('table progress')].every(p => p.value == 100)",
                           timeout=180_000)
    assert bars.count() == page.locator("table tbody tr").count()
    shoot(page, "reports")


def test_centre_refused_another_units_pages(server, tokens, page):
    sign_in(page, server, tokens["A"])
    for path in (f"/web/units/{quote(UNIT_B)}/classes", f"/web/units/{quote(UNIT_B)}/trainees",
                 f"/web/units/{quote(UNIT_B)}/documents", "/web/office", "/web/office/tokens"):
        resp = page.goto(server + path)
        assert resp.status == 404, path
        assert page.get_by_role("heading", level=1).inner_text() == "页面不存在（404）"
        assert UNIT_B not in page.locator("main").inner_text()
    shoot(page, "not-found")
