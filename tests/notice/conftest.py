"""Notice fixtures: each sample is rendered once per test session through the measured LibreOffice layout
(one LibreOffice profile per process), and its PDF is measured once."""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from service.config import SAMPLES_DIR
from service.models.notice import Notice, parse_notice
from service.pdf.measure import Page, measure
from service.render.paginate import Rendered, render_measured


@dataclass
class RenderedSample:
    notice: Notice
    rendered: Rendered
    pdf: Path
    docx: Path
    pages: list[Page]


def render_sample(notice: Notice, outdir: Path) -> RenderedSample:
    rendered = render_measured(notice)
    outdir.mkdir(parents=True, exist_ok=True)
    pdf, docx = outdir / "notice.pdf", outdir / "notice.docx"
    pdf.write_bytes(rendered.pdf)
    docx.write_bytes(rendered.docx)
    return RenderedSample(notice, rendered, pdf, docx, measure(pdf))


def sample_data(name: str) -> dict:
    return json.loads((SAMPLES_DIR / name / "notice.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def baisheng(tmp_path_factory) -> RenderedSample:
    return render_sample(parse_notice(sample_data("baisheng-2020")), tmp_path_factory.mktemp("baisheng"))


@pytest.fixture(scope="session")
def qingxi(tmp_path_factory) -> RenderedSample:
    return render_sample(parse_notice(sample_data("qingxi-2023")), tmp_path_factory.mktemp("qingxi"))


def one_line_paragraphs(n: int, start: int = 1) -> list[dict]:
    """n paragraphs of one line each (26 characters after the 2-字 indent)."""
    return [{"type": "paragraph", "text": f"第{i:02d}项工作按计划推进，各学习中心按月报送培训台帐。"} for i in range(start, start + n)]


def minimal_notice(**changes) -> dict:
    data = {
        "masthead": {"organs": ["某某县某某镇人民政府"]},
        "number": {"agency_code": "某镇府发", "year": 2025, "serial": 3},
        "title": "关于开展社区教育培训工作的通知",
        "recipients": ["各村（居）民委员会"],
        "blocks": one_line_paragraphs(3),
        "signature": {"organs": ["某某县某某镇人民政府"], "date": "2025-03-05", "sealed": True},
        "imprint": {"printer": "某某县某某镇党政办公室", "print_date": "2025-03-05"},
    }
    data.update(copy.deepcopy(changes))
    return data


@pytest.fixture(scope="session")
def blank_page_case(tmp_path_factory) -> RenderedSample:
    """The issued document fills page 2 to the last line: the 版记 needs a blank page 3 and goes on page 4."""
    data = minimal_notice(issued={"title": "某某镇社区教育工作方案", "blocks": one_line_paragraphs(20)})
    return render_sample(parse_notice(data), tmp_path_factory.mktemp("blank"))


@pytest.fixture(scope="session")
def tightened_case(tmp_path_factory) -> RenderedSample:
    """A notice whose unsealed 署名 and date would open page 3 alone (clause 7.3.5.5)."""
    data = minimal_notice(blocks=one_line_paragraphs(29),
                          signature={"organs": ["某某县某某镇人民政府"], "date": "2025-03-05", "sealed": False})
    return render_sample(parse_notice(data), tmp_path_factory.mktemp("tight"))


@pytest.fixture(scope="session")
def pulled_case(tmp_path_factory) -> RenderedSample:
    """The sealed 署名, date and 附注 would open page 3 alone, and page 2 cannot be tightened enough for 5 lines:
    the last paragraph goes with them."""
    data = minimal_notice(blocks=one_line_paragraphs(29), note="联系人：张敏，联系电话：023-72345678")
    return render_sample(parse_notice(data), tmp_path_factory.mktemp("pulled"))


@pytest.fixture(scope="session")
def long_masthead(tmp_path_factory) -> RenderedSample:
    """A 22-character organ name: shrunk and then scaled (w:w) to stay on one line within 156 mm."""
    name = "某某省某某市某某区某某镇社区教育工作领导小组"
    data = minimal_notice(masthead={"organs": [name], "suffix": "文件"},
                          signature={"organs": [name], "date": "2025-03-05", "sealed": True})
    return render_sample(parse_notice(data), tmp_path_factory.mktemp("long"))


# --- issue 11: hard cases, each rendered once per session --------------------------------------------------------

LONG_PARAGRAPH = ("各学习中心要按照年度计划组织开展社区教育培训活动，做好培训台帐的登记、整理和归档工作，每月按时报送培训月报表，"
                  "确保数据真实准确，培训内容贴近群众生活需要，切实提高社区居民的综合素质和生活质量。") * 5
CC = ["县教委", "县社区教育学院"]


def imprint(**changes) -> dict:
    return {"printer": "某某县某某镇党政办公室", "print_date": "2025-03-05", **changes}


def long_cc(n: int) -> list[str]:
    return [f"某某县某某镇第{i}村民委员会" for i in range(1, n + 1)]


def _case(tmp_path_factory, name: str, data: dict) -> RenderedSample:
    return render_sample(parse_notice(data), tmp_path_factory.mktemp(name))


@pytest.fixture(scope="session")
def long_cc_case(tmp_path_factory) -> RenderedSample:
    """20 抄送 organs (11 lines of 4号) after a text that ends on page 1: the 版记 takes page 2 on its own."""
    return _case(tmp_path_factory, "longcc", minimal_notice(imprint=imprint(cc=long_cc(20))))


@pytest.fixture(scope="session")
def squeeze_case(tmp_path_factory) -> RenderedSample:
    """Page 3 ends with a 17-line paragraph and 2 free lines; the sealed closing (4 lines) would open page 4 alone
    while the 版记 (抄送 and 印发) shares that page: tightening page 3 (to about 26.5 pt) fits it (clause 7.3.5.5)."""
    return _case(tmp_path_factory, "squeeze", minimal_notice(
        blocks=one_line_paragraphs(33) + [{"type": "paragraph", "text": LONG_PARAGRAPH}], imprint=imprint(cc=CC)))


@pytest.fixture(scope="session")
def squeeze_move_case(tmp_path_factory) -> RenderedSample:
    """Page 3 full to its last line, closing of 5 lines (with 附注): tightening would go below 24 pt, so the last
    paragraph's last two lines go to page 4 with the closing."""
    return _case(tmp_path_factory, "squeezemove", minimal_notice(
        blocks=one_line_paragraphs(35) + [{"type": "paragraph", "text": LONG_PARAGRAPH}],
        note="联系人：张敏，联系电话：023-72345678", imprint=imprint(cc=CC)))


@pytest.fixture(scope="session")
def many_recipients_case(tmp_path_factory) -> RenderedSample:
    """40 主送 organs would fill page 1 (clause 7.3.2): they move to the 版记, above 抄送."""
    return _case(tmp_path_factory, "recipients", minimal_notice(
        recipients=[f"第{i}村民委员会" for i in range(1, 41)], imprint=imprint(cc=CC)))


@pytest.fixture(scope="session")
def three_signers_case(tmp_path_factory) -> RenderedSample:
    return _case(tmp_path_factory, "signers", minimal_notice(
        signers=["张三", "李四", "王五"], masthead={"organs": ["某某县某某镇人民政府"], "suffix": "文件"}))


JOINT = ["某某县某某镇人民政府", "某某县教育委员会", "某某县民政局"]


@pytest.fixture(scope="session")
def joint_sealed_case(tmp_path_factory) -> RenderedSample:
    return _case(tmp_path_factory, "joint", minimal_notice(
        masthead={"organs": JOINT, "suffix": "文件"}, signature={"organs": JOINT, "date": "2025-03-05", "sealed": True}))


# a 12-column table (issue 11, item 9): its annex goes on landscape pages (service.layout.columns)
WIDE_HEADER = ["序号", "学习中心", "培训项目", "培训人数", "培训地点", "培训课时数", "培训方式", "联系人", "联系电话",
               "固定电话", "开班日期", "备注"]
PHONE, LANDLINE, DATE = "13908260101", "023-62345678", "2025-03-05"
REMARK = "结合本村实际，分两期开展，每期不少于六课时，并做好签到与影像资料留存"
WIDE_ROWS = [[str(i), "某某村学习中心", "老年人智能手机使用培训", str(30 + i), "村委会二楼会议室", "12", "集中授课", "张敏",
              PHONE, LANDLINE, DATE, REMARK] for i in range(1, 9)]


@pytest.fixture(scope="session")
def wide_table_case(tmp_path_factory) -> RenderedSample:
    """The wide table as 附件1 (landscape pages), then the Annex 3 and Annex 4 forms (portrait)."""
    return _case(tmp_path_factory, "wide", minimal_notice(attachments=[
        {"title": "某某镇社区教育培训情况统计表", "blocks": [{"type": "table", "columns": WIDE_HEADER, "rows": WIDE_ROWS}]},
        {"title": "社区教育培训月报表", "source": "monthly_report"},
        {"title": "社区教育工作领导小组成员表", "source": "leadership_table"},
    ]))
