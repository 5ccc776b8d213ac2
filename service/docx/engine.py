"""The compiled-template engine: docxtpl templates, compiled once per process, rendered many times.

A template .docx (doc_templates/<name>.docx, or an office's override in <instance>/templates/, see
service.templates.store) is read once: parts that carry Jinja tags are pre-processed by docxtpl's own tag patching
({%p %}, {%tr %}, {%tc %} …) and compiled by a sandboxed, autoescaping Jinja environment (no `__class__`-style
attribute reaches Python internals); every other part is deflated once and copied as is. `render()` renders and
deflates only the parts that change and writes a deterministic zip (fixed timestamps, template order).
`load_template(name)` recompiles when the file behind the name changes (an override installed or rolled back), so
the next render of every process uses it; each render notes the template's sha256 (service.templates.provenance).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any, Callable

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from service.ooxml.archive import Member, deflate, pack_members
from service.templates import provenance, store
from service.templates.template import Template

_TAG = re.compile(r"\{[{%#]")

# post-processing hook: (part name, rendered XML) -> XML
PostProcess = Callable[[str, str], str]


class BlankRow:
    """A numbered empty row of a blank form: `r[0]` and `r.seq` give the number, every other cell is empty;
    `r.cells` is `cells` empty strings (for a {%tc %} loop)."""

    def __init__(self, seq: int, cells: int = 0):
        self.seq = str(seq)
        self.cells = [""] * cells

    def __getitem__(self, index: int) -> str:
        return self.seq if index == 0 else ""

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return ""


def blank_rows(count: int, cells: int = 0) -> list[BlankRow]:
    """`{%tr for r in rows or blank_rows(14) %}`: the template says how many rows a blank form prints."""
    return [BlankRow(i + 1, cells) for i in range(max(0, min(int(count), 500)))]


TEMPLATE_GLOBALS = {"blank_rows": blank_rows}


def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals.update(TEMPLATE_GLOBALS)
    return env


class _Patcher(DocxTemplate):
    """docxtpl's tag patching without loading a document (patch_xml only needs the class's regexes)."""

    def __init__(self) -> None:  # noqa: D401 - nothing to load
        pass


class CompiledTemplate:
    def __init__(self, source: Path | bytes):
        """`source`: the template file, or its bytes (an upload being checked). Jinja syntax errors raise
        jinja2.TemplateSyntaxError with the part's name as `filename`."""
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        self.path = None if isinstance(source, bytes) else Path(source)
        self.sha256 = store.sha256_bytes(data)  # the template version, named in the document register
        self._env = environment()
        patcher = _Patcher()
        self._parts: list[tuple[str, Member | Any]] = []
        self.raw: dict[str, bytes] = {}  # the template's parts as stored, for lookups (relationships, footers)
        self.sources: dict[str, str] = {}  # templated part -> its patched Jinja source (for checks)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                data = zf.read(info.filename)
                self.raw[info.filename] = data
                if info.filename.endswith(".xml") and _TAG.search(data.decode("utf-8", "ignore")):
                    xml = patcher.patch_xml(data.decode("utf-8"))
                    self.sources[info.filename] = xml
                    self._parts.append((info.filename, self._env.from_string(
                        self._env.parse(xml, filename=info.filename))))
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
        data = pack_members(entries, when)
        provenance.note(data, self.sha256)
        return data


def _check_xml(name: str, xml: str) -> None:
    """Refuse to write a part that does not parse strictly (never trust a recovering parser)."""
    try:
        etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise RuntimeError(f"rendered part {name} is not well-formed XML: {exc}") from exc


_compiled: dict[str, tuple[tuple, CompiledTemplate]] = {}


def load_template(template: str | Template) -> CompiledTemplate:
    """The compiled template (a name in doc_templates/, or a kind's Template wherever its shipped file lies;
    the office's override wins), compiled once per process and again whenever the file behind it changes (checked
    by a stat per call: installs are atomic renames)."""
    if isinstance(template, Template):
        path = store.resolve(template.name, template.suffix, template.folder)
    else:
        path = store.resolve(template)
    st = path.stat()
    key = (str(path), st.st_ino, st.st_mtime_ns, st.st_size)
    hit = _compiled.get(str(path))
    if hit is not None and hit[0] == key:
        return hit[1]
    tpl = CompiledTemplate(path)
    _compiled[str(path)] = (key, tpl)
    return tpl
