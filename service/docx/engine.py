"""The compiled-template engine: docxtpl templates, compiled once per process, rendered many times.

A template .docx (built by doc_templates/build.py) is read once: parts that carry Jinja tags are pre-processed by
docxtpl's own tag patching ({%p %}, {%tr %}, {%tc %} …) and compiled by a sandboxed, autoescaping Jinja
environment; every other part is deflated once and copied as is. `render()` renders and deflates only the parts that
change and writes a deterministic zip (fixed timestamps, template order).
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from service.config import TEMPLATE_DIR
from service.ooxml.archive import Member, deflate, pack_members

_TAG = re.compile(r"\{[{%#]")

# post-processing hook: (part name, rendered XML) -> XML
PostProcess = Callable[[str, str], str]


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    return env


class _Patcher(DocxTemplate):
    """docxtpl's tag patching without loading a document (patch_xml only needs the class's regexes)."""

    def __init__(self) -> None:  # noqa: D401 - nothing to load
        pass


class CompiledTemplate:
    def __init__(self, path: Path):
        self.path = path
        self._env = _environment()
        patcher = _Patcher()
        self._parts: list[tuple[str, Member | Any]] = []
        self.raw: dict[str, bytes] = {}  # the template's parts as stored, for lookups (relationships, footers)
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                data = zf.read(info.filename)
                self.raw[info.filename] = data
                if info.filename.endswith(".xml") and _TAG.search(data.decode("utf-8", "ignore")):
                    xml = patcher.patch_xml(data.decode("utf-8"))
                    self._parts.append((info.filename, self._env.from_string(xml)))
                else:
                    self._parts.append((info.filename, deflate(info.filename, data)))

    def relationships(self, part: str = "word/document.xml") -> dict[str, str]:
        """rId -> target of a part's relationships."""
        folder, name = part.rsplit("/", 1)
        rels = etree.fromstring(self.raw[f"{folder}/_rels/{name}.rels"])
        return {r.get("Id"): r.get("Target") for r in rels}

    @property
    def templated_parts(self) -> list[str]:
        return [name for name, part in self._parts if not isinstance(part, Member)]

    def render(self, context: dict[str, Any], postprocess: PostProcess | None = None,
               when: dt.date | None = None) -> bytes:
        """The .docx for `context`; every zip entry is dated `when` (the document's own date)."""
        entries = []
        for name, part in self._parts:
            if isinstance(part, Member):
                entries.append(part)
                continue
            xml = part.render(context)
            if postprocess is not None:
                xml = postprocess(name, xml)
            _check_xml(name, xml)
            entries.append(deflate(name, xml.encode("utf-8")))
        return pack_members(entries, when)


def _check_xml(name: str, xml: str) -> None:
    """Refuse to write a part that does not parse strictly (never trust a recovering parser)."""
    try:
        etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise RuntimeError(f"rendered part {name} is not well-formed XML: {exc}") from exc


@lru_cache(maxsize=32)
def load_template(name: str) -> CompiledTemplate:
    """The process-wide compiled template doc_templates/<name>.docx (loaded and compiled once per process)."""
    return CompiledTemplate(TEMPLATE_DIR / f"{name}.docx")
