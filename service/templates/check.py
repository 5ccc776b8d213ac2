"""Checking a template before it is used: `check_template(data, kind)` gives the Chinese reasons it is refused.

1. the package: size cap, a real zip (not a broken one), entry count and zip-bomb caps, the parts a .docx / .xlsx
   needs, every XML part parsed by defusedxml (no DTD, no entities);
2. the tags: Jinja syntax per part; nothing that reaches Python internals (`__class__`, `_x`, `self`, imports of
   other templates); every variable one the kind provides (service.templates.catalogue.fields);
3. a dry run: the kind's sample data rendered in the sandboxed engine, and the result opened with python-docx.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from jinja2 import TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.meta import find_undeclared_variables

from service.templates import catalogue, store
from service.templates.template import Template

MiB = 1024 * 1024
MAX_BYTES = 5 * MiB
MAX_ENTRIES = 1000
MAX_UNPACKED = 50 * MiB
MAX_RATIO = 100  # uncompressed / compressed, for entries above 1 MiB
MAIN_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
FORBIDDEN_NAMES = {"self", "lipsum", "cycler", "joiner", "namespace", "config", "request", "loop_context"}
LABEL = {".docx": "Word 文档（.docx）", ".xlsx": "Excel 工作簿（.xlsx）"}


@dataclass
class CheckReport:
    kind: str | None
    sha256: str
    reasons: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # the fields the template uses

    @property
    def ok(self) -> bool:
        return not self.reasons


def guess_kind(filename: str | None) -> str | None:
    stem = Path(filename or "").stem
    return stem if stem in catalogue.templates() else None


def check_template(data: bytes, kind: str | None, *, suffix: str | None = None) -> CheckReport:
    """The reasons (Chinese) why `data` cannot be the template of `kind` (None: only the package and tag safety)."""
    report = CheckReport(kind, store.sha256_bytes(data))
    tk = catalogue.template(kind) if kind else None
    suffix = suffix or (tk.suffix if tk else ".docx")
    if tk and suffix != tk.suffix:
        report.reasons.append(f"“{tk.title}”的模板应为{LABEL[tk.suffix]}，收到的是{suffix}文件。")
        return report
    if not _package_ok(data, suffix, report.reasons) or suffix != ".docx":
        return report
    _docx_ok(data, tk, report)
    return report


def _package_ok(data: bytes, suffix: str, reasons: list[str]) -> bool:
    label = LABEL.get(suffix, suffix)
    if not data:
        reasons.append("文件是空的。")
        return False
    if len(data) > MAX_BYTES:
        reasons.append(f"文件大小为{len(data) / MiB:.1f} MB，超过模板上限{MAX_BYTES // MiB} MB。")
        return False
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        reasons.append(f"文件已损坏或不是{label}（无法作为 zip 包打开）。")
        return False
    names = {i.filename for i in infos}
    if len(infos) > MAX_ENTRIES:
        reasons.append(f"文件内部多达{len(infos)}个部件，超过上限{MAX_ENTRIES}个，疑似恶意文件。")
        return False
    if sum(i.file_size for i in infos) > MAX_UNPACKED or any(
            i.file_size > MiB and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
        reasons.append(f"文件解压后过大或压缩比异常（疑似压缩炸弹），上限{MAX_UNPACKED // MiB} MB。")
        return False
    missing = [p for p in ("[Content_Types].xml", MAIN_PART[suffix]) if p not in names]
    if missing:
        reasons.append(f"文件不是{label}：缺少“{'”“'.join(missing)}”。")
        return False
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            safe_fromstring(zf.read(info))
        except DefusedXmlException:
            reasons.append(f"“{info.filename}”含有 DTD 或实体声明（可能是 XML 炸弹），不能使用。")
        except Exception as exc:  # noqa: BLE001 - any parse failure is the reason
            reasons.append(f"“{info.filename}”不是格式正确的 XML：{exc}")
        except zipfile.BadZipFile:
            reasons.append(f"“{info.filename}”已损坏。")
    return not reasons


def _docx_ok(data: bytes, tk: Template | None, report: CheckReport) -> None:
    from service.docx.engine import TEMPLATE_GLOBALS, CompiledTemplate

    reasons = report.reasons
    try:
        tpl = CompiledTemplate(data)
    except TemplateSyntaxError as exc:
        reasons.append(f"“{exc.filename}”中的模板标签有语法错误：{exc.message}（XML 第{exc.lineno}行）。")
        return
    except UnicodeDecodeError:
        reasons.append("文档部件不是 UTF-8 编码的 XML。")
        return
    provided = set(catalogue.fields(tk.name)) if tk else None
    used: set[str] = set()
    for part, source in tpl.sources.items():
        ast = tpl._env.parse(source)
        for reason in _unsafe(ast, part):
            if reason not in reasons:
                reasons.append(reason)
        names = find_undeclared_variables(ast) - set(TEMPLATE_GLOBALS) - {"range", "dict"}
        used |= names
        used |= _attribute_paths(ast, names)
    report.tags = sorted(used)
    if provided is not None:
        parents = {p.split(".", 1)[0] for p in provided if "." in p}
        for tag in sorted(used):
            top = tag.split(".", 1)[0]
            if top not in provided or ("." in tag and top in parents and tag not in provided):
                reasons.append(f"标签“{tag}”不是“{tk.title}”提供的字段"
                               f"（可用字段见 wenshu template fields {tk.name}）。")
    if reasons or tk is None:
        return
    _dry_run(tpl, tk, reasons)


def _unsafe(ast: nodes.Template, part: str) -> list[str]:
    out = []
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name, nodes.Import, nodes.FromImport,
                              nodes.Include, nodes.Extends)):
        what = None
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            what = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and \
                isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            what = node.arg.value
        elif isinstance(node, nodes.Name) and node.name in FORBIDDEN_NAMES:
            what = node.name
        elif isinstance(node, (nodes.Import, nodes.FromImport, nodes.Include, nodes.Extends)):
            what = "引用其他模板"
        if what:
            out.append(f"“{part}”第{node.lineno}行含有不安全的表达式（{what}），模板只能使用提供的字段。")
    return out


def _attribute_paths(ast: nodes.Template, context_names: set[str]) -> set[str]:
    """`k.unit`-style paths read directly off a context variable (loop variables are checked by the dry run)."""
    out = set()
    for node in ast.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in context_names:
            out.add(f"{node.node.name}.{node.attr}")
    return out


def _dry_run(tpl, tk: Template, reasons: list[str]) -> None:
    import docx

    try:
        rendered = tpl.render(tk.sample_context())
    except SecurityError as exc:
        reasons.append(f"试生成被拒绝：模板含有不安全的表达式（{exc}）。")
        return
    except UndefinedError as exc:
        reasons.append(f"用示例数据试生成失败：{exc}（标签引用了“{tk.title}”没有的字段）。")
        return
    except Exception as exc:  # noqa: BLE001 - a template error of any kind is the reason
        reasons.append(f"用示例数据试生成失败：{type(exc).__name__}: {exc}")
        return
    try:
        docx.Document(io.BytesIO(rendered))
    except Exception as exc:  # noqa: BLE001
        reasons.append(f"试生成的文档无法打开：{exc}")
