"""Normalise generated .docx/.xlsx packages and PDFs so that two runs give the same bytes."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable

import pikepdf
from lxml import etree

from service.ooxml.archive import ZipEntry, fixed_datetime, write_zip

CONTENT_TYPES = "[Content_Types].xml"
CORE = "docProps/core.xml"
NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dcterms": "http://purl.org/dc/terms/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _entry_order(name: str) -> tuple[int, str]:
    if name == CONTENT_TYPES:
        return (0, name)
    if name == "_rels/.rels":
        return (1, name)
    return (2, name)


def _w3cdtf(stamp: dt.datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _fix_core(xml: bytes, stamp: dt.datetime) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    for tag in ("created", "modified"):
        el = root.find(f"dcterms:{tag}", NS)
        if el is None:
            el = etree.SubElement(root, f"{{{NS['dcterms']}}}{tag}")
            el.set(f"{{{NS['xsi']}}}type", "dcterms:W3CDTF")
        el.text = _w3cdtf(stamp)
    printed = root.find("cp:lastPrinted", NS)
    if printed is not None:
        root.remove(printed)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def normalize_ooxml(data: bytes, when: dt.date | dt.datetime | None = None,
                    rewrite: Callable[[dict[str, bytes]], None] | None = None) -> bytes:
    """Rewrite an OOXML package (.docx/.xlsx) reproducibly.

    `when` is the document's own date (e.g. the 成文日期); it becomes the created/modified core properties and
    the entry timestamps. Without it a fixed constant is used (see `fixed_datetime`). `rewrite`, if given, may
    change the parts (name -> bytes) in place before they are written.
    """
    stamp = fixed_datetime(when)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    if rewrite is not None:
        rewrite(parts)
    if CONTENT_TYPES not in parts:
        raise ValueError("not an OOXML package: [Content_Types].xml is missing")
    if CORE in parts:
        parts[CORE] = _fix_core(parts[CORE], stamp)
    entries = [ZipEntry(name, parts[name]) for name in sorted(parts, key=_entry_order)]
    return write_zip(entries, stamp)


def _pdf_date(stamp: dt.datetime) -> str:
    return stamp.strftime("D:%Y%m%d%H%M%S+00'00'")


def normalize_pdf(data: bytes, when: dt.date | dt.datetime | None = None) -> bytes:
    """Fixed /CreationDate and /ModDate, the XMP packet and LibreOffice's /DocChecksum removed, /ID computed
    from the content."""
    stamp = fixed_datetime(when)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/Metadata" in pdf.Root:
            del pdf.Root.Metadata
        for key in ("/DocChecksum", "/ID"):  # LibreOffice writes a per-run checksum into the trailer
            if key in pdf.trailer:
                del pdf.trailer[key]
        info = pdf.docinfo
        info[pikepdf.Name.CreationDate] = pikepdf.String(_pdf_date(stamp))
        info[pikepdf.Name.ModDate] = pikepdf.String(_pdf_date(stamp))
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, fix_metadata_version=False, linearize=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()
