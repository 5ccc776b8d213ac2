"""Reproducible output: the same input gives byte-identical .docx, .xlsx, .pdf and .zip files.

- `normalize_ooxml(data, when=...)`: rewrite a .docx/.xlsx package with fixed entry timestamps, a stable entry
  order ([Content_Types].xml first), fixed docProps/core.xml created/modified and fixed compression.
- `normalize_pdf(data, when=...)`: fixed CreationDate/ModDate, no XMP packet, a /ID derived from the content.
- `write_zip(entries, when=...)`: a deterministic zip (UTF-8 names flagged), used by the bundle.
"""
from service.ooxml.archive import FIXED_TIME, ZipEntry, fixed_datetime, write_zip
from service.ooxml.normalize import normalize_ooxml, normalize_pdf

__all__ = ["FIXED_TIME", "ZipEntry", "fixed_datetime", "normalize_ooxml", "normalize_pdf", "write_zip"]
