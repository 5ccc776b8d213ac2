"""The document bundle: one reproducible zip with the notice, its Excel forms, optional PDFs and a manifest.

    bundle = build_bundle(Path("samples/baisheng-2020"), pdf=True)
    path = bundle.write(Path("out"))

Same source files → byte-identical zip (fixed timestamps everywhere, stable order, normalised PDFs).
`manifest.json` follows `Manifest` (schema "wenshu.manifest/1"), the schema of every bundle the service makes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.files import write_atomic
from service.forms.annex3 import MonthlyReport, load_monthly_report, monthly_report_name, render_monthly_report
from service.forms.annex4 import LeadershipTable, leadership_table_name, render_leadership_table
from service.forms.validation import DataValidationError, FieldIssue, read_json
from service.naming import document_filename
from service.ooxml import ZipEntry, normalize_ooxml, normalize_pdf, write_zip
from service.units import UnitsFile, load_units

MANIFEST_SCHEMA = "wenshu.manifest/1"
MANIFEST_NAME = "manifest.json"
NOTICE_FILE = "notice.json"
UNITS_FILE = "units.json"
MONTHLY_REPORT_FILE = "monthly_report.json"


# --------------------------------------------------------------------------------------------- manifest

class ManifestFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(title="文件名")
    kind: str = Field(title="类别", pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")  # e.g. notice-docx, monthly-report-blank-xlsx
    sha256: str = Field(title="SHA-256", pattern=r"^[0-9a-f]{64}$")
    size: int = Field(title="字节数", ge=0)


class Manifest(BaseModel):
    """manifest.json of every bundle: what is in the zip and which source data it was made from."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: Literal["wenshu.manifest/1"] = Field(default=MANIFEST_SCHEMA, alias="schema", title="格式版本")
    source_sha256: str = Field(title="源数据 SHA-256", pattern=r"^[0-9a-f]{64}$")
    files: list[ManifestFile] = Field(title="文件")  # sorted by name

    def to_json(self) -> bytes:
        body = self.model_dump(mode="json", by_alias=True)
        return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> bytes:
    """The same data always hash the same, whatever the file's indentation or key order."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def source_digest(sources: dict[str, Any]) -> str:
    """Hash of the source data (file name → parsed JSON): sha256 over `name\tsha256(canonical JSON)\n` lines,
    sorted by name."""
    lines = "".join(f"{name}\t{sha256(canonical_json(value))}\n" for name, value in sorted(sources.items()))
    return sha256(lines.encode("utf-8"))


# --------------------------------------------------------------------------------------------- the notice

@dataclass(frozen=True)
class NoticeDocument:
    """What the bundle needs from the notice renderer."""

    title: str  # 标题
    number: str | None  # 发文字号, e.g. 涪百府发〔2020〕75号
    date: dt.date  # 成文日期: the timestamp of every file in the bundle
    docx: bytes  # the notice with its annexes bound after the body
    pdf: bytes | None = None  # its print master, when the renderer laid it out through LibreOffice already


NoticeProducer = Callable[[Path], NoticeDocument]


def render_notice(source_dir: Path) -> NoticeDocument:
    """The notice of `source_dir/notice.json`, rendered by the GB/T 9704 notice renderer."""
    from service.models.notice import load_notice

    return notice_document(load_notice(source_dir / NOTICE_FILE))


def notice_document(notice) -> NoticeDocument:
    """A validated service.models.notice.Notice, rendered by the GB/T 9704 notice renderer."""
    from service.render.paginate import render_measured

    rendered = render_measured(notice)  # the 版记 is placed by measuring LibreOffice's pages
    return NoticeDocument(title=notice.title, number=str(notice.number), date=notice.signature.date,
                          docx=rendered.docx, pdf=rendered.pdf)


# --------------------------------------------------------------------------------------------- PDF

Converter = Callable[[list[Path], Path], list[Path]]


def lo_convert(sources: list[Path], outdir: Path) -> list[Path]:
    from service.pdf.convert import to_pdf  # one private LibreOffice profile per process, with a timeout

    return to_pdf(sources, outdir)


def to_pdfs(files: dict[str, bytes], convert: Converter = lo_convert) -> dict[str, bytes]:
    """Convert office files (name → bytes) to PDF with one converter call; returns name → PDF bytes."""
    with tempfile.TemporaryDirectory(prefix="wenshu-bundle-") as tmp:
        src_dir, out_dir = Path(tmp, "src"), Path(tmp, "pdf")
        src_dir.mkdir()
        paths = []
        for i, (name, data) in enumerate(files.items()):  # ASCII names: no locale surprises in the converter
            path = src_dir / f"f{i:03d}{Path(name).suffix}"
            path.write_bytes(data)
            paths.append(path)
        pdfs = convert(paths, out_dir)
        return {name: pdf.read_bytes() for name, pdf in zip(files, pdfs)}


# --------------------------------------------------------------------------------------------- the bundle

@dataclass(frozen=True)
class BundleFile:
    name: str
    kind: str
    data: bytes


@dataclass(frozen=True)
class Bundle:
    name: str  # the zip's file name
    data: bytes  # the zip
    manifest: Manifest

    @property
    def sha256(self) -> str:
        return sha256(self.data)

    def write(self, outdir: Path) -> Path:
        return write_atomic(Path(outdir) / self.name, self.data)


def _check_report_against_units(report: MonthlyReport, units: UnitsFile, source: str) -> None:
    issues = []
    if report.township_short != units.township_short:
        issues.append(FieldIssue(None, None, "镇（乡、街道）简称", "township_short",
                                 f"“{report.township_short}”与单位数据的“{units.township_short}”不一致"))
    if report.unit not in {u.name for u in units.units}:
        issues.append(FieldIssue(None, None, "填报单位", "unit", f"“{report.unit}”不在单位数据中"))
    if issues:
        raise DataValidationError(source, issues)


def _read_sources(source_dir: Path, names: list[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        path = source_dir / name
        if path.is_file():
            out[name] = read_json(path, source=name)
    return out


@dataclass(frozen=True)
class BundleSource:
    """Validated inputs of a bundle."""

    notice: NoticeDocument
    units: UnitsFile
    report: MonthlyReport | None
    source_sha256: str


def load_source(source_dir: Path, produce_notice: NoticeProducer = render_notice) -> BundleSource:
    """Read and validate notice.json, units.json and (optional) monthly_report.json of a folder."""
    source_dir = Path(source_dir)
    sources = _read_sources(source_dir, [NOTICE_FILE, UNITS_FILE, MONTHLY_REPORT_FILE])
    notice = produce_notice(source_dir)
    units = load_units(source_dir / UNITS_FILE)
    report_path = source_dir / MONTHLY_REPORT_FILE
    report = load_monthly_report(report_path) if report_path.is_file() else None
    return bundle_source(notice, units, report, sources, f"月报表数据（{report_path.name}）")


def bundle_source(notice: NoticeDocument, units: UnitsFile, report: MonthlyReport | None, sources: dict[str, Any],
                  report_source: str = "月报表数据") -> BundleSource:
    """Validated inputs as a bundle source (the job's params, or a folder's files); `sources` (file name → plain
    JSON) make its source_sha256. The report's unit and township must be those of `units`."""
    if report is not None:
        _check_report_against_units(report, units, report_source)
    return BundleSource(notice, units, report, source_digest(sources))


def office_files(src: BundleSource) -> list[BundleFile]:
    """The .docx and .xlsx files of a bundle, rendered in memory."""
    notice, units, report = src.notice, src.units, src.report
    table = LeadershipTable.from_units(units)
    forms = [
        ("附件3", "monthly-report-blank", monthly_report_name(None, township_short=units.township_short),
         render_monthly_report(None, township_short=units.township_short)),
        ("附件4", "leadership-table-blank", leadership_table_name(None, township=units.township),
         render_leadership_table(None, township=units.township)),
        ("附件4", "leadership-table", leadership_table_name(table), render_leadership_table(table)),
    ]
    if report is not None:
        forms.append(("附件3", "monthly-report", monthly_report_name(report), render_monthly_report(report)))
    return [BundleFile(document_filename(notice.title, ".docx", notice.number), "notice-docx",
                       normalize_ooxml(notice.docx, notice.date))] + [
        BundleFile(document_filename(f"{label} {stem}", ".xlsx"), f"{kind}-xlsx", data)
        for label, kind, stem, data in forms]


def pack(files: list[BundleFile], *, source_sha256: str, when: dt.date | None) -> tuple[bytes, Manifest]:
    """The zip of `files` (sorted by name) plus manifest.json last. Every bundle the service makes goes through
    here, so all share the manifest schema and the reproducible zip layout."""
    files = sorted(files, key=lambda f: f.name)
    manifest = Manifest(
        source_sha256=source_sha256,
        files=[ManifestFile(name=f.name, kind=f.kind, sha256=sha256(f.data), size=len(f.data)) for f in files],
    )
    # .docx/.xlsx are deflated already: stored as they are; PDFs and the manifest are deflated
    entries = [ZipEntry(f.name, f.data, compress=not f.name.endswith((".docx", ".xlsx"))) for f in files]
    entries.append(ZipEntry(MANIFEST_NAME, manifest.to_json()))
    return write_zip(entries, when), manifest


def assemble_bundle(src: BundleSource, *, pdf: bool = False, convert: Converter = lo_convert) -> Bundle:
    """Render everything in memory (PDFs with one converter call) and pack the zip with its manifest."""
    files = office_files(src)
    if pdf:
        ready = {f.name: src.notice.pdf for f in files if f.kind == "notice-docx" and src.notice.pdf}
        todo = [f for f in files if f.name not in ready]
        converted = to_pdfs({f.name: f.data for f in todo}, convert)
        for f in list(files):
            data = ready.get(f.name) or converted[f.name]
            kind = f.kind.removesuffix("-docx").removesuffix("-xlsx") + "-pdf"
            files.append(BundleFile(str(Path(f.name).with_suffix(".pdf")), kind, normalize_pdf(data, src.notice.date)))
    data, manifest = pack(files, source_sha256=src.source_sha256, when=src.notice.date)
    name = document_filename(f"{src.notice.title}（文件包）", ".zip", src.notice.number)
    return Bundle(name=name, data=data, manifest=manifest)


def build_bundle(source_dir: Path, *, pdf: bool = False, produce_notice: NoticeProducer = render_notice,
                 convert: Converter = lo_convert) -> Bundle:
    """`wenshu bundle`: validate the source folder, then render and pack. Bad data raise DataValidationError (or
    the notice model's NoticeValidationError) before anything is rendered or written."""
    return assemble_bundle(load_source(source_dir, produce_notice), pdf=pdf, convert=convert)
