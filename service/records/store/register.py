"""发文登记: the document-number register. It hands out the next serial for a 机关代字 and year and refuses a number
already used. Safe under concurrency on SQLite and PostgreSQL: the number is taken by one INSERT ... SELECT max+1,
the unique constraint (agency_code, year, serial) is the arbiter, and a writer that loses the race retries.
"""
from __future__ import annotations

import re
import time

from sqlalchemy import func, insert, literal, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from service.docnumber import doc_number, doc_number_prefix
from service.records.store.models import DocNumber

_AGENCY = re.compile(r"^[\u4e00-\u9fff]{1,20}$")


class RegisterError(ValueError):
    """A request the register refuses (Chinese message naming the field)."""


class NumberTaken(RegisterError):
    pass


def _check(agency_code: str, year: int) -> None:
    if not _AGENCY.match(agency_code or ""):
        raise RegisterError(f"【机关代字】“{agency_code}”无效：应为1至20个汉字，如“涪百府发”")
    if not isinstance(year, int) or not 1900 <= year <= 2999:
        raise RegisterError(f"【年份】“{year}”无效：应为四位年份")


def _used(session: Session, agency_code: str, year: int, serial: int) -> DocNumber | None:
    return session.scalars(select(DocNumber).where(
        DocNumber.agency_code == agency_code, DocNumber.year == year, DocNumber.serial == serial)).one_or_none()


def register(session: Session, agency_code: str, year: int, serial: int, title: str = "") -> DocNumber:
    """Record a number chosen by hand. Raises NumberTaken when it is already registered."""
    _check(agency_code, year)
    if not isinstance(serial, int) or serial < 1:
        raise RegisterError(f"【序号】“{serial}”无效：应为正整数")
    taken = _used(session, agency_code, year, serial)
    if taken is None:
        try:
            with session.begin_nested():
                row = DocNumber(agency_code=agency_code, year=year, serial=serial, title=title)
                session.add(row)
            return row
        except IntegrityError:
            taken = _used(session, agency_code, year, serial)
    label = f"（{taken.title}）" if taken is not None and taken.title else ""
    raise NumberTaken(f"【发文字号】{doc_number(agency_code, year, serial)}已登记使用{label}，不能重复使用")


def allocate(session: Session, agency_code: str, year: int, title: str = "", *, attempts: int = 50) -> DocNumber:
    """Take the next free serial for `agency_code` and `year` and record it. Commit the session to publish it."""
    _check(agency_code, year)
    table = DocNumber.__table__
    for attempt in range(attempts):
        stmt = insert(table).from_select(
            ["agency_code", "year", "serial", "title"],
            select(literal(agency_code), literal(year),
                   select(func.coalesce(func.max(table.c.serial), 0) + 1)
                   .where(table.c.agency_code == agency_code, table.c.year == year).scalar_subquery(),
                   literal(title)),
        ).returning(table.c.id)
        try:
            with session.begin_nested():
                new_id = session.execute(stmt).scalar_one()
            return session.get(DocNumber, new_id)
        except (IntegrityError, OperationalError):
            time.sleep(min(0.002 * (attempt + 1), 0.05))
    raise RegisterError(f"【发文字号】{doc_number_prefix(agency_code, year)}并发冲突过多，请稍后重试")
