"""Files of a job in the storage directory: atomic writes, hashes, page counts, expiry.

Layout: <storage>/jobs/<job id>/<file name>. A file appears under its final name only when complete
(written to a temporary name in the same directory, fsynced, then renamed), so a killed worker leaves no
partial artifact under a real name; stray temporaries are removed by the next attempt.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from service.config import settings
from service.files import TMP_PREFIX, publish, write_atomic  # noqa: F401 (the storage API)

MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".json": "application/json",
}


def storage_root() -> Path:
    return settings().storage_dir


def job_dir(job_id: str) -> Path:
    return storage_root() / "jobs" / job_id


def relative(path: Path) -> str:
    return path.resolve().relative_to(storage_root().resolve()).as_posix()


def absolute(rel: str) -> Path:
    return storage_root() / rel


def clear_temporaries(directory: Path) -> None:
    if directory.is_dir():
        for p in directory.glob(TMP_PREFIX + "*"):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def scratch_dir(directory: Path) -> Path:
    """A private temporary directory next to the final files (same filesystem, so rename is atomic)."""
    directory.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=directory))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def page_count(path: Path) -> int | None:
    """Pages of a PDF (counted), or of a .docx as its docProps/app.xml states; None when unknown."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import pikepdf

        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    if suffix == ".docx":
        try:
            with zipfile.ZipFile(path) as zf:
                xml = zf.read("docProps/app.xml").decode("utf-8")
        except (KeyError, zipfile.BadZipFile):
            return None
        m = re.search(r"<Pages>(\d+)</Pages>", xml)
        return int(m.group(1)) if m and int(m.group(1)) > 0 else None
    return None


def remove_job_files(job_id: str) -> None:
    shutil.rmtree(job_dir(job_id), ignore_errors=True)
