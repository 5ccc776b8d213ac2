"""Writing output files so that a reader never sees half a file: a temporary name in the same folder, fsync,
then rename. Temporaries carry TMP_PREFIX so a later attempt can sweep what a killed process left."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

TMP_PREFIX = ".tmp-"


def publish(src: Path, dest: Path) -> Path:
    """Move a finished file into place atomically (fsync first)."""
    with open(src, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(src, dest)
    dfd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    return dest


def write_atomic(dest: Path, data: bytes) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return publish(Path(tmp), dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
