"""The kinds a job may have: the document kinds (service.kinds.KINDS) and the service's own internal jobs (the
records import and export, service.jobs.records_io_kinds), looked up by the name a request or a job row carries.

`kinds()` is what POST /jobs accepts, GET /kinds lists and the OpenAPI document describes: the document kinds.
"""
from __future__ import annotations

import hashlib
import json

from service.jobs.records_io_kinds import KINDS as INTERNAL
from service.kinds import KINDS
from service.kinds.kind import DocumentKind

JobKind = DocumentKind  # the name the job store and pipeline annotate with
_BY_NAME: dict[str, DocumentKind] = {k.name: k for k in KINDS + INTERNAL}


def get(name: str) -> DocumentKind | None:
    return _BY_NAME.get(name)


def kinds() -> dict[str, DocumentKind]:
    """The public kinds (POST /jobs, GET /kinds, the OpenAPI document); internal jobs are left out."""
    return {k.name: k for k in KINDS}


def input_hash(kind: str, params: dict) -> str:
    """SHA-256 of the canonical JSON of a request (kind + params): same input, same hash."""
    canon = json.dumps({"kind": kind, "params": params}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()
