"""The sample year, assessment and report aggregations against SQL aggregates, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import Date, bindparam, func, select, text

from samples.loader import DIGEST_PATH, load_sample, read_spec, sample_dataset
from service.records.queries import reports
from service.records.queries.assessment import Rules, load_rules, score
from service.records.store.models import Enrolment, Trainee, TraineeCategory, TrainingClass, Unit
from service.records.vocab import annex1_categories

YEAR = 2020


def _sql(session, sql: str, **params):
    stmt = text(sql).bindparams(*[bindparam(k, type_=Date) for k, v in params.items() if isinstance(v, dt.date)])
    return session.execute(stmt, params).all()


def test_sample_is_synthetic_deterministic_and_big_enough(sample_dir):
    spec = read_spec(sample_dir)
    assert spec["synthetic"] is True and "合成数据" in spec["note"]
    units, data = sample_dataset(sample_dir)
    assert data.digest() == (sample_dir / DIGEST_PATH).read_text().strip()
    assert data.digest() == sample_dataset(sample_dir)[1].digest()
    b = data.batch
    assert len(units.units) >= 15 and len(b.classes) >= 300 and len(b.trainees) >= 5000
    named = {"百胜镇中学", "百胜镇中心小学", "丛林九年制学校", "河岸小学", "河场小学", "百胜卫生院"}
    assert named <= {c.unit for c in b.classes}
    sizes = Counter(e.class_key for e in b.enrolments)
    assert max(sizes.values()) == spec["big_class"]
    assert {t.key for t in b.trainees} == {e.trainee_key for e in b.enrolments}  # everyone attended something
    both = [t for t in b.trainees if {"农民", "老年"} <= set(t.categories)]
    assert both and all(t.birth_year <= 1960 for t in both)


def test_sample_loads_into_the_store_and_reloads_without_duplicates(sample_store, sample_dir):
    with sample_store.transaction() as s:
        before = {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                  for m in (Unit, TrainingClass, Trainee, Enrolment, TraineeCategory)}
        again = load_sample(s, sample_dir)
        after = {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                 for m in (Unit, TrainingClass, Trainee, Enrolment, TraineeCategory)}
        s.rollback()
    assert before["training_classes"] >= 300 and before["trainees"] >= 5000 and before["units"] >= 15
    assert after == before
    assert again["培训班"]["created"] == 0 and again["学员"]["unchanged"] == before["trainees"]
    assert again["activities"] == again["volunteers"] == again["funding"] == 0


def test_monthly_reports_equal_sql_aggregates(sample_store):
    with sample_store.transaction() as s:
        units = [n for (n,) in _sql(s, "SELECT name FROM units ORDER BY sort_order")]
        checked = 0
        for month in range(1, 13):
            start, end = reports.month_bounds(YEAR, month)
            sql = {name: (n, hrs) for name, n, hrs in _sql(s, """
                SELECT u.name, COUNT(*), SUM(c.hours) FROM training_classes c JOIN units u ON u.id = c.unit_id
                WHERE c.start_date >= :a AND c.start_date < :b GROUP BY u.name""", a=start, b=end)}
            people = dict(_sql(s, """
                SELECT u.name, COUNT(e.id) FROM enrolments e JOIN training_classes c ON c.id = e.class_id
                JOIN units u ON u.id = c.unit_id WHERE c.start_date >= :a AND c.start_date < :b
                GROUP BY u.name""", a=start, b=end))
            for unit in units:
                r = reports.monthly_report(s, unit, YEAR, month)
                n, hrs = sql.get(unit, (0, 0))
                assert (len(r.rows), r.total_hours, r.total_trainees) == (n, hrs or 0, people.get(unit, 0))
                checked += len(r.rows)
        assert checked == s.scalar(select(func.count()).select_from(TrainingClass))
        may = reports.monthly_report(s, "紫荆村", YEAR, 5)
        assert may.township_short == "百胜镇" and may.unit == "紫荆村" and may.filler


@pytest.mark.parametrize("quarter", [2, 3, 4])
def test_quarterly_report_equals_sql_aggregates(sample_store, quarter):
    with sample_store.transaction() as s:
        report = reports.quarterly_report(s, YEAR, quarter)
        start, end = reports.quarter_bounds(YEAR, quarter)
        classes = {(u, c): (n, h) for u, c, n, h in _sql(s, """
            SELECT u.name, c.category_no, COUNT(*), SUM(c.hours) FROM training_classes c
            JOIN units u ON u.id = c.unit_id WHERE c.start_date >= :a AND c.start_date < :b
            GROUP BY u.name, c.category_no""", a=start, b=end)}
        people = {(u, c): n for u, c, n in _sql(s, """
            SELECT u.name, c.category_no, COUNT(e.id) FROM enrolments e JOIN training_classes c ON c.id = e.class_id
            JOIN units u ON u.id = c.unit_id WHERE c.start_date >= :a AND c.start_date < :b
            GROUP BY u.name, c.category_no""", a=start, b=end)}
        grand = _sql(s, """SELECT COUNT(*), SUM(hours) FROM training_classes
                           WHERE start_date >= :a AND start_date < :b""", a=start, b=end)[0]
        unit_count = s.scalar(select(func.count()).select_from(Unit))
    cats = [c.no for c in annex1_categories()]
    assert [c.no for c in report.categories] == cats and len(report.rows) == unit_count
    for row in report.rows:
        for no, cell in zip(cats, row.by_category):
            n, h = classes.get((row.unit, no), (0, 0))
            assert (cell.classes, cell.hours, cell.trainees) == (n, h, people.get((row.unit, no), 0))
        assert row.total.classes == sum(c.classes for c in row.by_category)
    totals = report.totals
    assert (totals.total.classes, totals.total.hours) == (grand[0], grand[1])
    assert totals.total.trainees == sum(people.values())
    assert report.period_text == f"2020年第{'一二三四'[quarter - 1]}季度"


def _half_up(d: Decimal) -> Decimal:
    return d.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def test_composite_scores_follow_the_configured_weights(sample_store):
    rules = load_rules()
    with sample_store.transaction() as s:
        ids = reports.class_ids(s, "紫荆村", dt.date(YEAR, 5, 1), dt.date(YEAR, 7, 1))
        assert ids
        raw = _sql(s, """
            SELECT t.name, c.sessions, e.notes_score, e.question_score,
                   SUM(CASE WHEN a.mark IN ('到', '迟') THEN 1 ELSE 0 END)
            FROM enrolments e JOIN trainees t ON t.id = e.trainee_id JOIN training_classes c ON c.id = e.class_id
            JOIN attendance a ON a.enrolment_id = e.id WHERE c.id = :cid
            GROUP BY e.id, t.name, c.sessions, e.notes_score, e.question_score ORDER BY e.id""".replace(
            ":cid", str(ids[0])))
        sheet = reports.assessment_sheet(s, ids[0])
        heavy = Rules.model_validate({**rules.model_dump(), "weights": {"attendance": 1, "notes": 0, "questions": 0}})
        attendance_only = reports.assessment_sheet(s, ids[0], heavy)
    assert [r.name for r in sheet.rows] == [r[0] for r in raw]
    w = rules.weights
    for row, (_, sessions, notes, questions, attended) in zip(sheet.rows, raw):
        rate = Decimal(attended) * 100 / Decimal(sessions)
        expected = _half_up(rate * w.attendance + Decimal(notes) * w.notes + Decimal(questions) * w.questions)
        assert (row.attended, row.composite) == (attended, expected)
        assert row.result == ("合格" if expected >= rules.pass_mark else "不合格")
    for row, (_, sessions, _, _, attended) in zip(attendance_only.rows, raw):
        assert row.composite == _half_up(Decimal(attended) * 100 / Decimal(sessions))
    assert (w.attendance, w.notes, w.questions) == (Decimal("0.4"), Decimal("0.3"), Decimal("0.3"))


def test_score_rules_and_grades():
    r = load_rules()
    assert score("到到到到", 4, 100, 100, r).composite == 100 and score("到到到到", 4, 100, 100, r).grade == "优秀"
    s = score("到迟假缺", 4, 50, 50, r)  # 50% attendance
    assert (s.attended, s.attendance_rate, s.composite, s.result) == (2, Decimal("50.0"), Decimal(50), "不合格")
    assert score("到到到", 3, None, None, r).composite == 40  # missing scores count as configured (0)
    with pytest.raises(ValueError, match="权重之和应为1"):
        Rules.model_validate({**r.model_dump(), "weights": {"attendance": 0.5, "notes": 0.3, "questions": 0.3}})


def test_ledger_card_rows_equal_the_records(sample_store):
    with sample_store.transaction() as s:
        big = s.execute(select(Enrolment.class_id, func.count()).group_by(Enrolment.class_id)
                        .order_by(func.count().desc())).first()
        card = reports.ledger_card(s, big[0])
        names = [n for (n,) in s.execute(select(Trainee.name).join(Enrolment, Enrolment.trainee_id == Trainee.id)
                                         .where(Enrolment.class_id == big[0]).order_by(Enrolment.id))]
        with pytest.raises(reports.NotFound, match="找不到编号为999999的培训班"):
            reports.ledger_card(s, 999999)
        with pytest.raises(reports.NotFound, match="找不到“火星村”"):
            reports.monthly_report(s, "火星村", YEAR, 5)
    assert len(card.rows) == big[1] == 120
    assert [r.name for r in card.rows] == names
    assert card.klass.teachers and card.klass.dates_text.startswith("2020年5月")


def test_project_notice_lists_coming_classes_without_personal_data(sample_store):
    with sample_store.transaction() as s:
        start = dt.date(YEAR, 9, 1)
        notice = reports.project_notice(s, "紫荆村", start, dt.date(YEAR, 10, 1))
        expected = [(c.title, c.start_date) for c in s.scalars(
            select(TrainingClass).join(Unit).where(Unit.name == "紫荆村", TrainingClass.start_date >= start,
                                                   TrainingClass.start_date < dt.date(YEAR, 10, 1))
            .order_by(TrainingClass.start_date, TrainingClass.title))]
        phones = {p for (p,) in s.execute(select(Trainee.phone)) if p}
    assert [i.title for i in notice.items] == [t for t, _ in expected] and notice.items
    assert all(f"{d.month}月{d.day}日" in i.plan for i, (_, d) in zip(notice.items, expected))
    dumped = notice.model_dump_json()
    assert not any(p in dumped for p in phones)
