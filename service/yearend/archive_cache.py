"""The archive's PDF cache: every filed document is rendered and converted once, then found by its input hash.

    key = input_key("ledger_card", card.model_dump(mode="json"))   # data + the renderers' code fingerprint
    ready = cached_many(session, keys)                               # key -> Cached (source, PDF, page count)

A cache entry holds the document's source (.docx/.xlsx), its PDF (normalised: same bytes every time) and the
PDF's page count, as files under <storage>/archive-cache/ and a row in `pdf_cache`. A batch renders and
converts only the keys it does not find (`fill`: one LibreOffice call for all of them), so a warm batch is not
LibreOffice-bound. Finished unit archives are kept the same way (kind "unit-zip"), so a re-run skips a unit whose
input hash has not changed. The key includes a fingerprint of the rendering code, config and shipped templates,
and the offices' template overrides in use, so a changed template or rule never serves a stale file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.config import PROJECT_ROOT, settings
from service.db import Base, utcnow
from service.files import write_atomic
from service.templates.store import override_versions

CACHE_DIR = "archive-cache"
# The code and data every filed document depends on: a change to any of them changes every key.
FINGERPRINT_GLOBS = ("service/records/**/*.py", "service/forms/*.py", "service/docx/*.py", "service/render/*.py",
                     "service/layout/*.py", "service/ooxml/*.py", "service/yearend/*.py", "service/models/*.py",
                     "config/*.yaml", "config/fonts.conf", "doc_templates/**/*")
# The filing code itself (this module, the volumes, the batch) shapes the unit archives, not the item documents:
# it counts in a unit's input hash (archive.unit_input_hash), not in the items' keys.
FILING_MODULES = ("service/yearend/archive", "service/yearend/batch", "service/yearend/volumes",
                  "service/yearend/stamp")


class PdfCache(Base):
    __tablename__ = "pdf_cache"

    input_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    page_count: Mapped[int | None] = mapped_column(Integer)
    storage_path: Mapped[str] = mapped_column(String(512))  # the PDF (or the unit zip), relative to storage
    sha256: Mapped[str] = mapped_column(String(64))
    source_path: Mapped[str | None] = mapped_column(String(512))  # the .docx/.xlsx it was converted from
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


@dataclass(frozen=True)
class Cached:
    key: str
    pdf: Path
    pages: int | None
    source: Path | None


@dataclass(frozen=True)
class Pending:
    """A document the cache lacks: how to make its source, and its PDF when the renderer already has one."""

    key: str
    kind: str
    suffix: str  # of the source: .docx | .xlsx
    render: Callable[[], tuple[bytes, bytes | None, int | None]]  # -> source, ready PDF or None, its pages
    when: dt.date | None = None  # the PDF's fixed timestamp


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=2)
def code_fingerprint(filing: bool = False) -> str:
    """SHA-256 over the rendering code, templates and config (file name + content), computed once per process;
    `filing=True`: over the filing modules instead."""
    h = hashlib.sha256()
    globs = [m + "*.py" for m in FILING_MODULES] if filing else FINGERPRINT_GLOBS
    for pattern in globs:
        for path in sorted(PROJECT_ROOT.glob(pattern)):
            rel = path.relative_to(PROJECT_ROOT).as_posix()
            if not filing and rel.startswith(FILING_MODULES):
                continue
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def input_key(kind: str, data) -> str:
    """The input hash of one document: its kind, its plain data (canonical JSON), the code fingerprint (which covers
    the shipped templates) and the offices' template overrides in use, if any."""
    body = {"kind": kind, "data": data, "code": code_fingerprint()}
    overrides = override_versions()
    if overrides:  # without any, the keys stay those of the shipped templates
        body["templates"] = overrides
    canon = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return sha256(canon.encode("utf-8"))


def _root() -> Path:
    return settings().storage_dir


def _path(key: str, suffix: str) -> Path:
    return _root() / CACHE_DIR / key[:2] / f"{key}{suffix}"


def _rel(path: Path) -> str:
    return path.resolve().relative_to(_root().resolve()).as_posix()


def _usable(row: PdfCache) -> bool:
    return (_root() / row.storage_path).is_file() and (row.source_path is None or (_root() / row.source_path).is_file())


def cached_many(session: Session, keys: list[str]) -> dict[str, Cached]:
    """The entries present (row and files) among `keys`."""
    out: dict[str, Cached] = {}
    for i in range(0, len(keys), 500):
        for row in session.scalars(select(PdfCache).where(PdfCache.input_hash.in_(keys[i:i + 500]))):
            if _usable(row):
                out[row.input_hash] = Cached(row.input_hash, _root() / row.storage_path, row.page_count,
                                             _root() / row.source_path if row.source_path else None)
    return out


def _record(session: Session, rows: list[PdfCache]) -> None:
    """Insert or replace, in a short transaction of its own (never held while rendering: on SQLite a long write
    transaction would lock out the other workers). Two workers may convert the same document at once: same
    bytes, the last one stays."""
    if not rows:
        return
    with Session(session.get_bind()) as own, own.begin():
        for row in rows:
            own.merge(row)


def put_file(session: Session, key: str, kind: str, data: bytes, suffix: str) -> Path:
    """Keep a finished artifact (a unit's zip) under its input hash."""
    path = write_atomic(_path(key, suffix), data)
    _record(session, [PdfCache(input_hash=key, kind=kind, page_count=None, storage_path=_rel(path),
                               sha256=sha256(data), created_at=utcnow())])
    return path


def fill(session: Session, pending: list[Pending], convert: Callable[[list[Path], Path], list[Path]] | None = None
         ) -> dict[str, Cached]:
    """Render the sources of `pending`, convert those without a PDF in one converter call, count their pages,
    and store everything. Returns the new entries by key. Each document's bytes go to disk as soon as it is
    rendered, so memory does not grow with the number of documents."""
    from service.pdf.convert import to_pdf

    convert = convert or to_pdf
    unique = list({p.key: p for p in pending}.values())
    out: dict[str, Cached] = {}
    rows: list[PdfCache] = []
    with tempfile.TemporaryDirectory(prefix="wenshu-archive-") as tmp:
        todo: list[tuple[Pending, Path, Path, str]] = []
        for i, p in enumerate(unique):
            source, ready, pages = p.render()
            src_path = write_atomic(_path(p.key, p.suffix), source)
            if ready is None:  # ASCII names: no locale surprises in the converter
                src = Path(tmp, f"f{i:05d}{p.suffix}")
                src.write_bytes(source)
                todo.append((p, src, src_path, sha256(source)))
            else:
                rows.append(_store_pdf(p, ready, pages, src_path, sha256(source), out))
            del source, ready
        pdfs = convert([t[1] for t in todo], Path(tmp, "pdf")) if todo else []
        for (p, _, src_path, src_sha), pdf in zip(todo, pdfs):
            rows.append(_store_pdf(p, pdf.read_bytes(), None, src_path, src_sha, out))
    _record(session, rows)
    return out


def _store_pdf(p: Pending, pdf: bytes, pages: int | None, src_path: Path, src_sha: str, out: dict) -> PdfCache:
    """Normalise and keep one PDF (its pages counted when the renderer did not say); the entry goes to `out`."""
    import io

    import pikepdf

    from service.ooxml import normalize_pdf

    pdf = normalize_pdf(pdf, p.when)
    if pages is None:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            pages = len(doc.pages)
    pdf_path = write_atomic(_path(p.key, ".pdf"), pdf)
    out[p.key] = Cached(p.key, pdf_path, pages, src_path)
    return PdfCache(input_hash=p.key, kind=p.kind, page_count=pages, storage_path=_rel(pdf_path), sha256=sha256(pdf),
                    source_path=_rel(src_path), source_sha256=src_sha, created_at=utcnow())
