"""Which template version made a file: while `recording()` is active, every compiled-template render notes
sha256(output) -> sha256(template). The job pipeline wraps an item's rendering in it and writes the template hash
of each registered file (a PDF converted from a .docx inherits the .docx's template)."""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import PurePath
from typing import Iterator

_current: ContextVar[dict[str, str] | None] = ContextVar("wenshu_template_provenance", default=None)


class Made(dict):
    """sha256 of a rendered file -> sha256 of the template that rendered it."""

    def for_file(self, name: str, digest: str, siblings: dict[str, str] | None = None) -> str | None:
        """The template hash of file `name` (sha256 `digest`); `siblings` (name -> digest) lets a PDF find the
        .docx of the same stem. Files made without a template (openpyxl workbooks) have None."""
        if digest in self:
            return self[digest]
        if PurePath(name).suffix.lower() != ".pdf":
            return None
        stem = PurePath(name).stem
        for other, other_digest in (siblings or {}).items():
            if other != name and PurePath(other).stem == stem and other_digest in self:
                return self[other_digest]
        return None


def note(output: bytes, template_sha256: str) -> None:
    made = _current.get()
    if made is not None:
        made[hashlib.sha256(output).hexdigest()] = template_sha256


@contextmanager
def recording() -> Iterator[Made]:
    made = Made()
    token = _current.set(made)
    try:
        yield made
    finally:
        _current.reset(token)
