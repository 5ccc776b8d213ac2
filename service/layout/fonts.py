"""Font set-up for LibreOffice: a fontconfig file that includes the system set, our aliases and the licensed folder."""
from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from service.config import CONFIG_DIR, settings
from service.layout.profile import profile

ALIASES = CONFIG_DIR / "fonts.conf"


def fontconfig_file() -> Path:
    """Write (once per content) the fontconfig file LibreOffice runs with, and return its path."""
    font_dir = settings().font_dir
    dir_xml = f"  <dir>{font_dir}</dir>\n" if font_dir and font_dir.is_dir() else ""
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f"{dir_xml}  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n"
        f"  <include>{ALIASES}</include>\n</fontconfig>\n"
    )
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    path = settings().instance_dir / "fontconfig" / f"fonts-{digest}.conf"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return path


def font_env() -> dict[str, str]:
    """Environment for a LibreOffice child process."""
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(fontconfig_file())
    return env


def matched_fonts() -> dict[str, str]:
    """Official face name -> the family fontconfig resolves it to (what LibreOffice will embed)."""
    result = {}
    for name in profile()["fonts"]["official"]:
        out = subprocess.run(
            ["fc-match", "-f", "%{family[0]}|%{style[0]}", name],
            env=font_env(), capture_output=True, text=True, check=False,
        )
        result[name] = out.stdout.strip()
    return result
