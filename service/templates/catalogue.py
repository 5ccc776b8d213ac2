"""The template kinds: read off the one list of document kinds. Every template a DocumentKind declares in its
`templates` (service.templates.template.Template) is a template kind, by name; there is no second table.

`wenshu template fields|check|list|install|rollback`, GET/POST/DELETE /api/v1/templates and the upload check all
take template kinds from here. Adding a kind with a new template: draw doc_templates/<name>.docx in Word with tags,
write its sample JSON, declare the Template in the kind's `templates` and add the kind to service.kinds.KINDS;
its renderer fills it with `load_template(name).render(context)`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import service.kinds
from service.templates import store
from service.templates.template import Template


def templates() -> dict[str, Template]:
    """The template kinds by name, in the order of the document kinds (read at each call: a kind added to
    service.kinds.KINDS is a template kind at once). Two kinds sharing a template declare the same Template."""
    out: dict[str, Template] = {}
    for kind in service.kinds.KINDS:
        for t in kind.templates:
            if out.setdefault(t.name, t) != t:
                raise ValueError(f"template {t.name!r} is declared twice, differently (kind {kind.name})")
    return out


def template(name: str) -> Template:
    known = templates()
    if name not in known:
        raise KeyError(f"未知的模板种类“{name}”；可用：{'、'.join(known)}")
    return known[name]


def _paths(value: Any, prefix: str, out: set[str]) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            _paths(sub, f"{prefix}.{key}" if prefix else str(key), out)
        if prefix:
            out.add(prefix)
    elif isinstance(value, (list, tuple)):
        out.add(prefix)
        for item in value:
            _paths(item, prefix + "[]", out)
    elif hasattr(value, "__dict__") and not isinstance(value, (str, int, float)):
        _paths({k: v for k, v in vars(value).items() if not k.startswith("_")}, prefix, out)
    else:
        out.add(prefix)


def fields(name: str) -> tuple[str, ...]:
    """The tag fields of template kind `name`: dotted paths of its context (`rows[]` is an item of the list
    `rows`), plus the engine's helper functions (blank_rows)."""
    return _fields(template(name))


@lru_cache(maxsize=None)
def _fields(t: Template) -> tuple[str, ...]:
    from service.docx.engine import TEMPLATE_GLOBALS

    out: set[str] = set()
    _paths(t.sample_context(), "", out)
    return tuple(sorted(out | set(TEMPLATE_GLOBALS)))


def listing() -> list[dict]:
    """Every template kind's file in use: source (shipped | override), sha256 of both, and the document kinds
    whose renderer fills it."""
    out = []
    for t in templates().values():
        over = store.override_path(t.name, t.suffix)
        override_sha = store.sha256_file(over) if over.is_file() else None
        shipped_sha = store.sha256_file(t.shipped) if t.shipped.is_file() else None
        out.append({"kind": t.name, "title": t.title, "source": "override" if override_sha else "shipped",
                    "sha256": override_sha or shipped_sha, "shipped_sha256": shipped_sha,
                    "override_sha256": override_sha,
                    "used_by": [k.name for k in service.kinds.KINDS if t in k.templates]})
    return out
