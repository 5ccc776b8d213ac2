"""Convert .docx/.xlsx to PDF with LibreOffice headless.

One private LibreOffice profile per process (LibreOffice refuses to share a profile between running instances),
a timeout on every call, and the fontconfig set-up of service.layout.fonts. Several files convert in one call.
"""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from service.config import settings
from service.layout.fonts import font_env


class ConversionError(RuntimeError):
    pass


_lock = threading.Lock()
_profile: dict[int, Path] = {}


def _profile_dir() -> Path:
    pid = os.getpid()
    if pid not in _profile:
        path = Path(tempfile.mkdtemp(prefix=f"wenshu-lo-{pid}-"))
        _profile[pid] = path
        atexit.register(shutil.rmtree, path, True)
    return _profile[pid]


def soffice_version() -> str:
    out = subprocess.run([settings().soffice, "--version"], capture_output=True, text=True, timeout=60)
    return out.stdout.strip()


def to_pdf(sources: list[Path] | Path, outdir: Path, timeout: int | None = None) -> list[Path]:
    """Convert each source to outdir/<stem>.pdf; returns the PDF paths in the order given."""
    sources = [sources] if isinstance(sources, Path) else list(sources)
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [
        settings().soffice,
        f"-env:UserInstallation={_profile_dir().as_uri()}",
        "--headless", "--norestore", "--nolockcheck",
        "--convert-to", "pdf", "--outdir", str(outdir), *map(str, sources),
    ]
    with _lock:  # one LibreOffice per profile at a time
        try:
            proc = subprocess.run(
                cmd, env=font_env(), capture_output=True, text=True,
                timeout=timeout or settings().convert_timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"LibreOffice 转换超时（{exc.timeout} 秒）") from exc
    pdfs = [outdir / (src.stem + ".pdf") for src in sources]
    missing = [p.name for p in pdfs if not p.exists()]
    if proc.returncode != 0 or missing:
        raise ConversionError(f"LibreOffice 转换失败: {missing or proc.returncode}: {proc.stderr.strip()[-500:]}")
    return pdfs
