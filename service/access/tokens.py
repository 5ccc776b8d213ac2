"""API tokens: `wsk_<id>_<secret>`, stored as SHA-256 only (the secret is 256 random bits, so no slow hash is
needed); shown once at creation or rotation. Roles: office (sees everything) and centre (bound to one unit)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from service.access import audit
from service.access.models import ROLES, ApiToken
from service.db import utcnow
from service.db.session import engine, session

PREFIX = "wsk"
_T = ApiToken.__table__
_BY_HASH = select(_T.c.id, _T.c.role, _T.c.unit, _T.c.token_hash, _T.c.revoked_at).where(
    _T.c.token_hash == bindparam("digest"))


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: str
    unit: str | None

    @property
    def is_office(self) -> bool:
        return self.role == "office"

    def may_see(self, unit: str | None) -> bool:
        return self.is_office or (unit is not None and unit == self.unit)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_secret(token_id: str) -> str:
    return f"{PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"


def create(role: str, unit: str | None = None, label: str | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns (row, plaintext). The plaintext is not stored anywhere."""
    if role not in ROLES:
        raise ValueError(f"角色只能是 {' / '.join(ROLES)}")
    if role == "centre" and not unit:
        raise ValueError("学习中心令牌必须指定单位（--unit）")
    if role == "office":
        unit = None
    token_id = secrets.token_hex(6)
    plain = _new_secret(token_id)
    row = ApiToken(id=token_id, token_hash=_digest(plain), role=role, unit=unit, label=label, created_at=utcnow())
    with session() as s:
        s.add(row)
        audit.record(s, None, "token.create", detail=f"{token_id} {role} {unit or ''}".strip())
    return row, plain


_known: dict[str, tuple[float, Principal]] = {}  # digest -> (valid until, principal): accepted tokens only


def known(plain: str) -> Principal | None:
    """The principal of a token this process accepted lately (within the cache time it was accepted with),
    without a database read; else None (unknown, revoked, or not looked up lately: authenticate() decides)."""
    if not plain:
        return None
    hit = _known.get(_digest(plain))
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def authenticate(plain: str, cache_seconds: float = 0) -> Principal | None:
    """The principal of a presented token, or None when unknown or revoked. An accepted token is trusted for
    `cache_seconds` without another look-up (the app's TOKEN_CACHE_SECONDS; 0: never): a token revoked or rotated
    elsewhere (the CLI, another API process) stops working within that time; in the process that revoked it at
    once."""
    if not plain or not plain.startswith(PREFIX + "_"):
        return None
    digest = _digest(plain)
    now = time.monotonic()
    hit = _known.get(digest)
    if hit is not None and hit[0] > now:
        return hit[1]
    with engine().connect() as conn:  # one read, no ORM session and no transaction to commit
        row = conn.execute(_BY_HASH, {"digest": digest}).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        _known.pop(digest, None)
        return None
    who = Principal(row.id, row.role, row.unit)
    ttl = cache_seconds
    if ttl > 0:
        if len(_known) > 10_000:  # bounded: many distinct valid tokens only make the cache restart
            _known.clear()
        _known[digest] = (now + ttl, who)
    return who


def list_tokens() -> list[ApiToken]:
    with session() as s:
        return list(s.scalars(select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)))


def revoke(token_id: str) -> bool:
    with session() as s:
        row = s.get(ApiToken, token_id)
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = utcnow()
        audit.record(s, None, "token.revoke", detail=token_id)
    _known.clear()
    return True


def rotate(token_id: str) -> tuple[ApiToken, str] | None:
    """Issue a new secret for an active token (same id, role and unit); the old secret stops working at once in this
    process, within cache_seconds() in the others."""
    with session() as s:
        row = s.get(ApiToken, token_id)
        if row is None or row.revoked_at is not None:
            return None
        plain = _new_secret(token_id)
        row.token_hash = _digest(plain)
        audit.record(s, None, "token.rotate", detail=token_id)
    _known.clear()
    return row, plain
