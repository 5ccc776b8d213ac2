"""Where a template kind's file lies: an office's override <instance>/templates/<name><suffix> wins over the shipped
doc_templates/<name><suffix>. Installing an override is atomic (service.files); rolling back moves it into
<instance>/templates/history/ (nothing accepted is ever lost) and the shipped file is used again."""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from service.config import TEMPLATE_DIR, settings
from service.files import write_atomic


def override_dir() -> Path:
    return settings().instance_dir / "templates"


def shipped_path(name: str, suffix: str = ".docx", folder: Path = TEMPLATE_DIR) -> Path:
    return folder / f"{name}{suffix}"


def override_path(name: str, suffix: str = ".docx") -> Path:
    return override_dir() / f"{name}{suffix}"


def resolve(name: str, suffix: str = ".docx", folder: Path = TEMPLATE_DIR) -> Path:
    """The file `name` renders from now: the override when there is one, else the shipped template (in `folder`,
    doc_templates/ unless its service.templates.template.Template says otherwise)."""
    over = override_path(name, suffix)
    return over if over.is_file() else shipped_path(name, suffix, folder)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    return sha256_bytes(path.read_bytes())


def override_versions() -> dict[str, str]:
    """sha256 of every override installed now, by file name (history/ apart): a cached document's key includes it,
    so an office's edited template is what the next filed copy prints. Re-hashed only when a file changes."""
    folder = override_dir()
    if not folder.is_dir():
        return {}
    out = {}
    for path in sorted(folder.iterdir()):
        if path.is_file():
            st = path.stat()
            out[path.name] = _sha256_of(str(path), st.st_size, st.st_mtime_ns)
    return out


@lru_cache(maxsize=256)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    return sha256_file(Path(path))


def install(name: str, data: bytes, suffix: str = ".docx") -> Path:
    """Make `data` (already checked) the override of `name`; the previous override goes to history/."""
    _retire(name, suffix)
    return write_atomic(override_path(name, suffix), data)


def rollback(name: str, suffix: str = ".docx") -> bool:
    """Back to the shipped template; False when there was no override."""
    return _retire(name, suffix) is not None


def _retire(name: str, suffix: str) -> Path | None:
    current = override_path(name, suffix)
    if not current.is_file():
        return None
    history = override_dir() / "history"
    history.mkdir(parents=True, exist_ok=True)
    kept = history / f"{name}-{sha256_file(current)[:16]}{suffix}"
    os.replace(current, kept)
    return kept

