"""培训项目公示: the GB/T 9704 body layout without masthead, 文号 or 版记, from the records store, with no
trainee's personal data."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from samples.loader import load_sample
from service.config import SAMPLES_DIR
from service.layout.profile import profile
from service.pdf.measure import measure, page_text
from service.records.queries import reports
from service.records.store.models import Trainee, Unit
from service.records.store.session import open_store
from service.render.public_notice import Publicity, render_public_notice

P = profile()
TOP, LEFT = P.margins_mm["top"], P.margins_mm["left"]
CENTRE = LEFT + P.type_area_mm["width"] / 2


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("publicity")
    store = open_store(f"sqlite:///{tmp / 'records.sqlite3'}")
    with store.transaction() as s:
        load_sample(s, SAMPLES_DIR / "baisheng-2020")
        pn = reports.project_notice(s, "紫荆村", dt.date(2020, 6, 1), dt.date(2020, 7, 1))
        unit_id = s.scalar(select(Unit.id).where(Unit.name == "紫荆村"))
        names = set(s.scalars(select(Trainee.name).where(Trainee.unit_id == unit_id)))
        phones = set(s.scalars(select(Trainee.phone).where(Trainee.unit_id == unit_id)))
    pub = Publicity(issuer="百胜镇社区教育学校", start=dt.date(2020, 5, 25), end=dt.date(2020, 6, 1),
                    phone="023-72345678", date=dt.date(2020, 5, 25))
    result = render_public_notice(pn, pub)
    pdf = tmp / "publicity.pdf"
    pdf.write_bytes(result.pdf)
    return pn, result, pdf, measure(pdf), names, phones


def test_it_lists_the_coming_projects_with_period_and_phone(rendered):
    pn, _, pdf, _, _, _ = rendered
    text = re.sub(r"\s+", "", page_text(pdf))
    assert pn.items, "the sample has classes for 紫荆村 in June 2020"
    for item in pn.items:
        assert item.title in text
    assert "公示期：2020年5月25日至2020年6月1日" in text
    assert "监督电话：023-72345678" in text
    for label in ("培训目标：", "培训方案：", "培训计划："):
        assert text.count(label) == len(pn.items)


def test_no_masthead_number_or_imprint(rendered):
    _, _, _, pages, _, _ = rendered
    for page in pages:
        assert not [r for r in page.rules if r.is_red]
        assert not any(any(c[:3] == (1.0, 0.0, 0.0) for c in x.colors) for x in page.lines)
        assert not [r for r in page.rules if r.width > 150]  # no 版记 rules
        assert not any("〔" in x.text or "印发" in x.text for x in page.lines)


def test_title_and_body_follow_gbt9704(rendered):
    _, _, _, pages, _, _ = rendered
    title = pages[0].lines[0]
    assert title.size == pytest.approx(22, abs=0.1) and title.text == "紫荆村社区教育培训项目公示"
    assert (title.x0 + title.x1) / 2 == pytest.approx(CENTRE, abs=1.5)
    pitch = P.line_pt * 25.4 / 72
    body = [x for x in pages[0].lines if x.size == 16 and x.top < 262]
    centres = [(x.top + x.bottom) / 2 for x in body]
    # every line on the 28.95 pt lattice (the text of the 公示 is not tightened when the signature fits)
    assert all(abs((b - a) / pitch - round((b - a) / pitch)) < 0.02 for a, b in zip(centres, centres[1:]))
    assert min(x.x0 for x in body) == pytest.approx(LEFT, abs=1)


def test_no_trainee_personal_data(rendered):
    _, result, pdf, _, names, phones = rendered
    text = page_text(pdf)
    assert names and phones
    leaked = [n for n in names if len(n) >= 2 and n in text and not any(n in t for t in _staff_text(rendered))]
    assert leaked == []
    assert not [p for p in phones if p and p in text]


def _staff_text(rendered):
    pn = rendered[0]
    return [i.teachers for i in pn.items]


def test_signature_with_the_date_and_not_alone(rendered):
    _, _, _, pages, _, _ = rendered
    last = pages[-1]
    i = next(k for k, x in enumerate(last.lines) if x.text == "百胜镇社区教育学校")
    assert last.lines[i + 1].text == "2020年5月25日"
    assert i > 0  # body text above it on the same page (clause 7.3.5.5)
