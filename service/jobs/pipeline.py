"""What a worker does with a job, as plain functions (the Celery tasks in tasks/ are thin wrappers):

0. `plan_job(job_id)` takes the records snapshot: splits the request into items (reading the store here, in the
   worker, never in the API request), records them, and sends the chunks (service.jobs.dispatch.send_chunks).
1. `render_items(job_id, indexes)` renders items into a private scratch directory next to the job's files and
   moves each finished item's directory into place with one rename; then records it in the register.
   Each item's render is claimed first with one conditional UPDATE (pending, and no other render's live claim),
   renewed while it runs; a second delivery of a claimed or done item is skipped, and the rename happens only
   while the claim still holds, so a done item's files are never replaced.
2. `finish_job(job_id)` checks the manifest (every registered file present with its SHA-256), bundles a batch
   into one reproducible zip with manifest.json, and sets the job's final state and expiry.
3. `expire_results()` deletes files past their expiry; their register entries stay.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from service.db import utcnow
from service.db.session import session
from service.jobs import kinds as registry
from service.jobs import storage
from service.jobs.models import Document, Job, JobItem, JobOutbox
from service.jobs.settings import job_settings
from service.layout import glyphs
from service.templates import provenance

log = logging.getLogger(__name__)

MAX_ITEM_ATTEMPTS = 3
CLAIM_PREFIX = "render:"  # lease_owner of an item being rendered (a worker's receipt lease holds its hostname)
TERMINAL = ("succeeded", "partial", "failed")
ZIP_DATE = date(2000, 1, 1)  # fixed: the same request gives the same zip, whenever it runs


class TransientError(Exception):
    """A failure worth retrying (database locked, broker gone): the task is retried with backoff."""


class ItemsBusy(Exception):
    """Items of a chunk are being rendered by another delivery right now: the chunk task retries after a third of a
    lease period, for as long as that holds (the other render finishes, or its process died and its claim lapses)."""


def transient_errors() -> tuple[type[BaseException], ...]:
    import redis.exceptions
    import sqlalchemy.exc

    return (TransientError, sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
            redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def document_id(job_id: str, item_idx: int | None, filename: str) -> str:
    """Deterministic: the same file of the same job always has the same register id (no duplicates)."""
    key = f"{job_id}\0{'' if item_idx is None else item_idx}\0{filename}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def item_dir(job_id: str, idx: int) -> Path:
    return storage.job_dir(job_id) / "items" / f"{idx:05d}"


def _user_message(exc: BaseException) -> str:
    """A Chinese message for a refused item (bad data), never a traceback."""
    errors = getattr(exc, "errors", None)
    if isinstance(exc, ValidationError):
        return f"数据不合格：{exc.error_count()} 处错误"
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return "；".join(f"{e.get('title', '')}：{e.get('message', '')}" for e in errors)[:2000]
    if isinstance(exc, ValueError) and str(exc):
        return str(exc)[:2000]
    return f"生成失败（{type(exc).__name__}），已记录日志"


def _progress(s, job: Job) -> None:
    counts = dict(s.execute(select(JobItem.state, func.count()).where(JobItem.job_id == job.id)
                            .group_by(JobItem.state)).all())
    job.done = counts.get("done", 0)
    job.failed = counts.get("failed", 0)
    job.updated_at = utcnow()


def plan_job(job_id: str) -> int | None:
    """Split an accepted job into its items (the records snapshot, read here in the worker), record them and send
    the chunks. A job already planned only has its chunks sent again (an outbox re-send). Returns the item count."""
    from service.jobs.dispatch import send_chunks

    with session() as s:
        job = s.get(Job, job_id)
        if job is None or job.state in TERMINAL:
            s.execute(delete(JobOutbox).where(JobOutbox.job_id == job_id))
            return None
        planned = job.state != "accepted"
    if not planned:
        try:
            items = _plan_items(job)
        except ValueError as exc:  # nothing in scope, unknown unit: the job fails with the Chinese reason
            _close_refused(job_id, str(exc))
            return 0
        now = utcnow()
        try:
            with session() as s:
                s.add_all(JobItem(job_id=job_id, idx=i, label=label[:255], params=item, state="pending", attempts=0)
                          for i, (label, item) in enumerate(items))
                s.execute(update(Job).where(Job.id == job_id, Job.state == "accepted")
                          .values(state="running", total=len(items), updated_at=now))
        except IntegrityError:  # a duplicate planning task got there first
            pass
    sent = send_chunks(job_id)
    with session() as s:
        state, total = s.execute(select(Job.state, Job.total).where(Job.id == job_id)).one()
    if not sent and state not in TERMINAL:
        raise TransientError(f"job {job_id}: chunks not sent")  # retried; the outbox row also stays for the sweep
    return total


def _plan_items(job: Job) -> list[tuple[str, dict]]:
    from service.jobs.store import RequestRefused

    kind = registry.get(job.kind)
    if kind is None:
        raise ValueError(f"未知的文书种类“{job.kind}”")
    try:
        items = kind.split(kind.params.model_validate(job.params), session)
    except ValidationError as exc:
        raise ValueError(_user_message(exc)) from None
    except (RequestRefused, LookupError) as exc:
        raise ValueError(str(exc.args[0]) if exc.args else "找不到所请求的记录") from None
    if not items:
        from service.kinds.kind import NOTHING_TO_MAKE

        raise ValueError(NOTHING_TO_MAKE)
    return items


def _close_refused(job_id: str, message: str) -> None:
    now = utcnow()
    with session() as s:
        s.execute(update(Job).where(Job.id == job_id, Job.state == "accepted")
                  .values(state="failed", error=message[:2000], finished_at=now, updated_at=now))
        s.execute(delete(JobOutbox).where(JobOutbox.job_id == job_id))


def render_items(job_id: str, indexes: list[int]) -> list[int]:
    """Render a chunk; the chunk that settles the job's last item finishes the job (inline when the job has a
    single chunk, else through the finish task on the control queue)."""
    with session() as s:
        job = s.get(Job, job_id)
        if job is None or job.state in TERMINAL:
            return indexes
        if job.state == "accepted":
            job.state = "running"
            job.updated_at = utcnow()
        kind = registry.get(job.kind)
    if kind is None:
        raise RuntimeError(f"unknown job kind {job.kind!r}")
    busy = [idx for idx in indexes if _render_one(job, kind, idx)]
    if busy:  # another delivery is rendering these: retried with backoff; if that render's process died, its claim
        raise ItemsBusy(f"job {job_id}: items {busy} are being rendered elsewhere")  # lapses meanwhile
    with session() as s:
        left = s.scalar(select(func.count()).select_from(JobItem).where(JobItem.job_id == job_id,
                                                                        JobItem.state == "pending"))
    if left == 0:
        if job.total <= max(1, job_settings().chunk_size):
            finish_job(job_id)
        else:
            from service.jobs.dispatch import publish_finish

            publish_finish(job_id)
    return indexes


def take_lease(job_id: str, indexes: list[int], owner: str) -> None:
    """A worker reserved a chunk: its pending items are leased to that worker (renewed by `renew_leases`)."""
    now = utcnow()
    with session() as s:
        s.execute(update(JobItem).where(JobItem.job_id == job_id, JobItem.idx.in_(indexes),
                                        JobItem.state == "pending", _not_claimed(now))
                  .values(lease_until=now + timedelta(seconds=job_settings().lease_seconds), lease_owner=owner))


def _not_claimed(now):
    """No render holds the item: no owner, a lapsed lease, or only a worker's receipt lease."""
    return or_(JobItem.lease_owner.is_(None), JobItem.lease_until.is_(None), JobItem.lease_until < now,
               ~JobItem.lease_owner.startswith(CLAIM_PREFIX))


def _claim(job_id: str, idx: int) -> tuple[str, JobItem] | None:
    """Claim a pending item's render (one conditional UPDATE; counts the attempt). None: done, failed, or another
    render holds it."""
    claim = f"{CLAIM_PREFIX}{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
    now = utcnow()
    with session() as s:
        holder = s.scalar(select(JobItem.lease_owner).where(JobItem.job_id == job_id, JobItem.idx == idx))
        free = or_(_not_claimed(now), JobItem.lease_owner == holder) if _dead_here(holder) else _not_claimed(now)
        won = s.execute(update(JobItem).where(JobItem.job_id == job_id, JobItem.idx == idx,
                                              JobItem.state == "pending", free)
                        .values(lease_owner=claim, lease_until=now + timedelta(seconds=job_settings().lease_seconds),
                                attempts=JobItem.attempts + 1)).rowcount
        if won != 1:
            return None
        item = s.get(JobItem, (job_id, idx), populate_existing=True)
        s.expunge(item)
        return claim, item


def _dead_here(holder: str | None) -> bool:
    """A claim made on this machine by a process that no longer exists (a pool child killed mid-render): taken
    over at once instead of waiting for it to lapse."""
    if not holder or not holder.startswith(CLAIM_PREFIX):
        return False
    host, _, rest = holder[len(CLAIM_PREFIX):].rpartition(":")[0].rpartition(":")
    if host != socket.gethostname() or not rest.isdigit():
        return False
    try:
        os.kill(int(rest), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _release(job_id: str, idx: int, claim: str, **values) -> int:
    """Update the item only while this render's claim holds it (values: the outcome; none: let the claim go)."""
    with session() as s:
        return s.execute(update(JobItem).where(JobItem.job_id == job_id, JobItem.idx == idx,
                                               JobItem.lease_owner == claim)
                         .values(lease_owner=None, lease_until=None, **values)).rowcount


@contextmanager
def _renewing(job_id: str, idx: int, claim: str):
    """Keep the claim alive while this process renders (it lapses within a lease period if the process dies)."""
    stop = threading.Event()
    lease = job_settings().lease_seconds

    def renew() -> None:
        while not stop.wait(max(0.5, lease / 3)):
            try:
                with session() as s:
                    s.execute(update(JobItem).where(JobItem.job_id == job_id, JobItem.idx == idx,
                                                    JobItem.lease_owner == claim, JobItem.state == "pending")
                              .values(lease_until=utcnow() + timedelta(seconds=lease)))
            except Exception:
                log.warning("could not renew the claim of job %s item %s", job_id, idx, exc_info=True)

    thread = threading.Thread(target=renew, name="wenshu-claim", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def renew_leases(owner: str) -> int:
    """The worker's heartbeat: every lease it holds runs for another lease period."""
    until = utcnow() + timedelta(seconds=job_settings().lease_seconds)
    with session() as s:
        return s.execute(update(JobItem).where(JobItem.lease_owner == owner, JobItem.state == "pending")
                         .values(lease_until=until)).rowcount


def _render_one(job: Job, kind: registry.JobKind, idx: int) -> bool:
    """Render one item under its claim. True when another render holds the item (this delivery retries later)."""
    claimed = _claim(job.id, idx)
    if claimed is None:  # done or failed: nothing to do; else another delivery renders it right now
        with session() as s:
            return s.scalar(select(JobItem.state).where(JobItem.job_id == job.id, JobItem.idx == idx)) == "pending"
    claim, item = claimed
    if item.attempts > MAX_ITEM_ATTEMPTS:
        with session() as s:
            s.execute(update(JobItem).where(JobItem.job_id == job.id, JobItem.idx == idx, JobItem.lease_owner == claim)
                      .values(state="failed", lease_owner=None, lease_until=None,
                              error=f"已尝试{item.attempts - 1}次仍未完成（超时或工作进程被终止）"))
            _progress(s, s.get(Job, job.id))
        return
    params = dict(item.params)
    with _renewing(job.id, idx, claim):
        _render_claimed(job, kind, idx, claim, params)


def _render_claimed(job: Job, kind: registry.JobKind, idx: int, claim: str, params: dict) -> None:
    parent = storage.job_dir(job.id) / "items"
    scratch = storage.scratch_dir(parent)
    try:
        delay = job_settings().item_delay
        if delay:
            time.sleep(delay)
        # characters no font can print are kept with the done item; templates used are named in the register
        with glyphs.collecting() as warnings, provenance.recording() as made:
            rendered = [r if isinstance(r, tuple) else (r, None) for r in kind.write(params, scratch, session)]
        paths = [Path(p) for p, _pages in rendered]
        files = [(p.name, storage.sha256_file(p), p.stat().st_size,
                  pages if pages is not None else storage.page_count(p)) for p, pages in zip(paths, (r[1] for r in rendered))]
        if not files or any(p.parent.resolve() != scratch.resolve() or not p.is_file() for p in paths):
            raise RuntimeError("renderer wrote no file, or outside its output directory")
    except transient_errors():
        shutil.rmtree(scratch, ignore_errors=True)
        _forget_attempt(job.id, idx, claim)  # only attempts that died (killed, timed out) count against the item
        raise
    except Exception as exc:  # bad data or a renderer bug: the item fails with a Chinese message, the job goes on
        shutil.rmtree(scratch, ignore_errors=True)
        soft = type(exc).__name__ == "SoftTimeLimitExceeded"
        if not soft and not isinstance(exc, (ValueError, ValidationError)):
            log.exception("job %s item %s failed", job.id, idx)
        message = "生成超时" if soft else _user_message(exc)
        with session() as s:
            if s.execute(update(JobItem).where(JobItem.job_id == job.id, JobItem.idx == idx,
                                               JobItem.lease_owner == claim)
                         .values(state="failed", error=message, lease_owner=None, lease_until=None)).rowcount:
                _progress(s, s.get(Job, job.id))
        return

    final = item_dir(job.id, idx)
    for p in paths:
        with open(p, "rb") as fh:
            os.fsync(fh.fileno())
    with session() as s:
        # Done only while our claim holds (the row stays locked to the commit): otherwise another render owns the
        # item, and its files are left alone.
        if not s.execute(update(JobItem).where(JobItem.job_id == job.id, JobItem.idx == idx, JobItem.state == "pending",
                                               JobItem.lease_owner == claim)
                         .values(state="done", error="；".join(warnings) or None,  # a done item's error: warnings
                                 lease_owner=None, lease_until=None)).rowcount:
            shutil.rmtree(scratch, ignore_errors=True)
            return
        if final.exists():  # an earlier attempt finished the files but died before recording them
            shutil.rmtree(final)
        os.replace(scratch, final)
        for name, digest, size, pages in files:
            doc_id = document_id(job.id, idx, name)
            doc = s.get(Document, doc_id) or Document(id=doc_id)
            doc.job_id, doc.item_idx, doc.role = job.id, idx, "document"
            doc.unit, doc.kind, doc.period = job.unit, job.kind, job.period
            doc.filename, doc.media_type = name, storage.media_type(name)
            doc.input_hash = registry.input_hash(job.kind, params)
            doc.item_params, doc.file_hash, doc.size, doc.page_count = params, digest, size, pages
            doc.created_at = utcnow()
            doc.storage_path = storage.relative(final / name)
            doc.template_sha256 = made.for_file(name, digest, {f[0]: f[1] for f in files})
            s.merge(doc)
        _progress(s, s.get(Job, job.id))


def _forget_attempt(job_id: str, idx: int, claim: str) -> None:
    try:
        _release(job_id, idx, claim, attempts=JobItem.attempts - 1)
    except Exception:  # the database itself may be what failed; the retry will count again
        log.warning("could not un-count the attempt of job %s item %s", job_id, idx)


def _verify(doc: Document) -> bool:
    path = storage.absolute(doc.storage_path) if doc.storage_path else None
    return bool(path and path.is_file() and storage.sha256_file(path) == doc.file_hash)


def finish_job(job_id: str) -> str | None:
    """Check the manifest, bundle, and close the job. Returns the final state (None: not ready yet).
    Two finishes of the same job at once are harmless: the second one's register write loses and it stops."""
    try:
        return _finish_job(job_id)
    except IntegrityError:
        with session() as s:
            return s.scalar(select(Job.state).where(Job.id == job_id))


def _finish_job(job_id: str) -> str | None:
    with session() as s:
        job = s.get(Job, job_id)
        if job is None or job.state in TERMINAL:
            return job.state if job else None
        items = list(s.scalars(select(JobItem).where(JobItem.job_id == job_id).order_by(JobItem.idx)))
        docs = list(s.scalars(select(Document).where(Document.job_id == job_id, Document.role == "document")
                              .order_by(Document.item_idx, Document.filename)))
    kind = registry.get(job.kind)
    # The manifest check: every done item has its files, byte for byte; otherwise render it again.
    bad = sorted({d.item_idx for d in docs if not _verify(d)})
    bad += [i.idx for i in items if i.state == "done" and not any(d.item_idx == i.idx for d in docs)]
    if bad and kind is not None:
        with session() as s:
            s.execute(update(JobItem).where(JobItem.job_id == job_id, JobItem.idx.in_(bad))
                      .values(state="pending", lease_owner=None, lease_until=None))
        for idx in bad:
            _render_one(job, kind, idx)
        return finish_job_again(job_id)
    if any(i.state == "pending" for i in items):
        return None  # a chunk of this dispatch has not run: the sweep re-sends the job when it goes stale

    # Every item is settled: scratch directories of attempts killed mid-render can go.
    storage.clear_temporaries(storage.job_dir(job_id) / "items")
    storage.clear_temporaries(storage.job_dir(job_id))
    done = [d for d in docs if any(i.idx == d.item_idx and i.state == "done" for i in items)]
    result_id = None
    if len(done) == 1:
        result_id = done[0].id
    elif len(done) > 1:
        result_id = _bundle(job, kind, done)
    failed = sum(1 for i in items if i.state == "failed")
    state = "failed" if not done else ("partial" if failed else "succeeded")
    now = utcnow()
    expires = now + timedelta(seconds=job_settings().result_ttl)
    with session() as s:
        job = s.get(Job, job_id)
        if job.state in TERMINAL:
            return job.state
        job.state, job.result_document_id = state, result_id
        job.error = "全部项目生成失败" if state == "failed" else None
        job.finished_at = job.updated_at = now
        job.expires_at = expires
        _progress(s, job)
        s.execute(update(Document).where(Document.job_id == job_id).values(expires_at=expires))
    return state


def finish_job_again(job_id: str) -> str | None:
    with session() as s:
        docs = list(s.scalars(select(Document).where(Document.job_id == job_id, Document.role == "document")))
    if any(not _verify(d) for d in docs):
        raise TransientError(f"job {job_id}: files do not match the register after re-rendering")
    return finish_job(job_id)


def _bundle_name(job: Job, kind: registry.JobKind | None) -> str:
    from service.naming import document_filename

    title = " ".join(p for p in (job.unit, job.period, (kind.title if kind else job.kind) + "文件包") if p)
    return document_filename(title, ".zip")


def _bundle(job: Job, kind: registry.JobKind | None, docs: list[Document]) -> str:
    """A reproducible zip of every document plus manifest.json, packed by service.bundle.pack like every bundle."""
    from service.bundle import BundleFile, pack

    name = _bundle_name(job, kind)
    used: set[str] = set()
    files: list[BundleFile] = []
    for d in docs:
        arc = d.filename
        if arc in used:  # two items named alike: keep both, numbered by item
            stem, dot, ext = d.filename.rpartition(".")
            arc = f"{stem}（{d.item_idx + 1}）{dot}{ext}"
        used.add(arc)
        files.append(BundleFile(arc, f"{d.kind}-{Path(arc).suffix.lstrip('.').lower() or 'file'}",
                                storage.absolute(d.storage_path).read_bytes()))
    data, _ = pack(files, source_sha256=job.input_hash, when=ZIP_DATE)
    target = storage.write_atomic(storage.job_dir(job.id) / name, data)
    doc_id = document_id(job.id, None, name)
    with session() as s:
        doc = s.get(Document, doc_id) or Document(id=doc_id)
        doc.job_id, doc.item_idx, doc.role = job.id, None, "bundle"
        doc.unit, doc.kind, doc.period = job.unit, job.kind, job.period
        doc.filename, doc.media_type = name, storage.media_type(name)
        doc.input_hash, doc.item_params = job.input_hash, None
        doc.file_hash, doc.size, doc.page_count = storage.sha256_file(target), target.stat().st_size, None
        doc.created_at, doc.storage_path = utcnow(), storage.relative(target)
        s.merge(doc)
    return doc_id


def expire_results(now=None) -> int:
    """Delete the files of finished jobs past their expiry; their register entries stay. Returns jobs expired."""
    now = now or utcnow()
    with session() as s:
        ids = list(s.scalars(select(Job.id).where(Job.expires_at.is_not(None), Job.expires_at <= now,
                                                  Job.expired.is_(False))))
    _expire_refused_imports(now)
    for job_id in ids:
        storage.remove_job_files(job_id)
        with session() as s:
            s.execute(update(Document).where(Document.job_id == job_id).values(storage_path=None))
            s.execute(update(Job).where(Job.id == job_id).values(expired=True))
    return len(ids)


def _expire_refused_imports(now) -> None:
    """Uploads kept for import jobs (service.api.records) go after the result TTL."""
    folder = storage.storage_root() / "imports"
    if not folder.is_dir():
        return
    cutoff = (now - timedelta(seconds=job_settings().result_ttl)).replace(tzinfo=None)
    for d in folder.iterdir():
        if d.is_dir() and datetime.utcfromtimestamp(d.stat().st_mtime) < cutoff:
            shutil.rmtree(d, ignore_errors=True)
