"""Convert .docx/.xlsx to PDF with LibreOffice headless: the one entry point (`to_pdf`).

By default a warm LibreOffice per process (service.pdf.warm: unoserver over python3-uno, restarted on crash, after
N conversions or a timeout). Where it cannot run (no python3-uno) or WENSHU_WARM_OFFICE=0, the cold path
(`to_pdf_cold`: one `soffice --convert-to` per call, also the benchmark baseline). Both use one private profile per
process (LibreOffice refuses to share a profile between running instances), a timeout on every call, and the
fontconfig set-up of service.layout.fonts.
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
from service.pdf import warm


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


def to_pdf(sources: list[Path] | Path, outdir: Path, timeout: int | None = None, *, stable: bool = True) -> list[Path]:
    """Convert each source to outdir/<stem>.pdf; returns the PDF paths in the order given. `stable=False`: PDFs that
    are only measured (a layout pass) skip making the warm server's bytes those of a fresh process; `stabilise`
    does it afterwards for the one that is kept."""
    sources = [sources] if isinstance(sources, Path) else list(sources)
    outdir.mkdir(parents=True, exist_ok=True)
    texts = [s for s in sources if s.suffix.lower() in warm.WRITER_SUFFIXES] if warm.enabled() else []
    if texts:
        office = warm.office(settings().soffice, font_env(), settings().convert_timeout)
        try:
            for src in texts:
                office.convert(src, outdir / (src.stem + ".pdf"), timeout, stable=stable)
        except warm.WarmUnavailable:
            texts = []  # no python3-uno / unoserver here: the cold path below
        except (warm.WarmTimeout, warm.WarmFailed) as exc:
            raise ConversionError(str(exc)) from exc
    rest = [s for s in sources if s not in texts]
    if rest:
        to_pdf_cold(rest, outdir, timeout)
    return [outdir / (src.stem + ".pdf") for src in sources]


def stabilise(pdf: Path) -> Path:
    """The PDF as a fresh LibreOffice writes it (the warm server's font numbering undone; a cold PDF is left as it
    is): for a PDF converted with `stable=False` that turns out to be the one kept."""
    warm.renumber_type1_ids(pdf)
    return pdf


def to_pdf_cold(sources: list[Path], outdir: Path, timeout: int | None = None) -> list[Path]:
    """One cold `soffice --convert-to pdf` for all sources (the fallback and the benchmark baseline)."""
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
