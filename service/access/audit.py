"""The audit log: who generated, downloaded or administered what."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.models import AuditEntry
from service.db import utcnow

if TYPE_CHECKING:
    from service.access.tokens import Principal


def record(s: Session, who: "Principal | None", action: str, *, job_id: str | None = None,
           document_id: str | None = None, detail: str | None = None) -> None:
    s.add(AuditEntry(
        at=utcnow(), token_id=who.token_id if who else None, role=who.role if who else "cli",
        unit=who.unit if who else None, action=action, job_id=job_id, document_id=document_id, detail=detail,
    ))


def entries(s: Session, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)))
