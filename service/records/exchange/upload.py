"""Checks an uploaded workbook before anything parses it: size, type, zip structure, zip bomb, XML entities.

openpyxl parses worksheets with defusedxml (installed, pinned), which refuses DTDs and entities; these checks refuse
the same files earlier, with a Chinese message, and also refuse what defusedxml does not see (huge or
over-compressed zip entries, legacy .xls, other zip formats).
"""
from __future__ import annotations

import io
import os
import zipfile

MiB = 1024 * 1024
_MAGIC_ZIP = b"PK\x03\x04"
_MAGIC_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls / .doc (Office 97-2003)
_MAX_ENTRIES = 5000
_MAX_RATIO = 200  # uncompressed / compressed, for entries above 1 MiB
_HEAD = 64 * 1024
MAX_ROWS_PER_SHEET = 50_000  # every row counts, blank or not (a blank row still costs parsing)
MAX_CELLS = 2_000_000  # cells over the whole workbook (a row is as wide as the sheet's declared columns)
_BLOCK = 1 << 20


class UploadRefused(ValueError):
    """A file refused before reading; the message is Chinese and says why."""


class UploadTooLarge(UploadRefused):
    """Refused for its size (compressed, uncompressed, rows or cells): the API answers 413."""


def max_uncompressed_bytes() -> int:
    """The cap on a workbook's uncompressed size (sum of its zip members), checked before any parsing:
    WENSHU_MAX_XLSX_UNCOMPRESSED bytes, 64 MiB by default (a township's whole year of rosters is about 9 MB)."""
    return int(os.environ.get("WENSHU_MAX_XLSX_UNCOMPRESSED", 64 * MiB))


def max_upload_bytes() -> int:
    """The one configured upload limit (WENSHU_MAX_BODY, service.config; the API passes its app's
    MAX_CONTENT_LENGTH instead, which is that value unless create_app(config) says otherwise)."""
    from service.config import settings

    return settings().max_body


def _mb(n: int) -> str:
    return f"{n / MiB:.1f} MB"


def check_xlsx(data: bytes, *, max_bytes: int | None = None) -> None:
    """Raise UploadRefused unless `data` looks like a harmless .xlsx workbook."""
    limit = max_bytes if max_bytes is not None else max_upload_bytes()
    if len(data) > limit:
        raise UploadTooLarge(f"文件大小为{_mb(len(data))}，超过上限{_mb(limit)}，未导入。")
    if not data:
        raise UploadRefused("文件是空的，未导入。")
    if data.startswith(_MAGIC_OLE):
        raise UploadRefused("这是旧版 Excel（.xls）或其他 Office 97-2003 文件；请在 Excel 或 WPS 中“另存为”.xlsx 后再导入。")
    if not data.startswith(_MAGIC_ZIP):
        raise UploadRefused("文件不是 Excel 工作簿（.xlsx），未导入。请使用系统提供的模板填写后上传。")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefused("文件已损坏，无法作为 Excel 工作簿（.xlsx）打开，未导入。") from None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UploadRefused("文件不是 Excel 工作簿（.xlsx）（可能是 Word 文档或其他压缩包），未导入。")
    if len(infos) > _MAX_ENTRIES:
        raise UploadRefused(f"工作簿内部文件多达{len(infos)}个，超过上限{_MAX_ENTRIES}个，疑似恶意文件，未导入。")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MiB and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
            raise UploadRefused(f"工作簿中的“{info.filename}”压缩比异常（疑似压缩炸弹），未导入。")
    cap = min(10 * limit, max_uncompressed_bytes())
    if total > cap:
        raise UploadTooLarge(f"工作簿解压后达{_mb(total)}，超过上限{_mb(cap)}，未导入。请分成几个文件导入。")
    _count_rows_and_cells(zf, [i for i in infos if i.filename.startswith("xl/worksheets/")
                               and i.filename.endswith(".xml")])
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with zf.open(info) as fh:
                head = fh.read(_HEAD)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise UploadRefused(f"工作簿中的“{info.filename}”含有 XML 实体声明（可能是 XML 炸弹），未导入。")


def _tokens(data: bytes) -> tuple[int, int]:
    return (data.count(b"<row ") + data.count(b"<row>"),
            data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>"))


def _count_rows_and_cells(zf: zipfile.ZipFile, sheets: list[zipfile.ZipInfo]) -> None:
    """Count <row> and <c> elements of every worksheet by streaming its XML (C-speed, before any parsing); refuse
    a workbook over the caps at once. The importer counts again while parsing (namespaced or odd XML)."""
    cells = 0
    for info in sheets:
        rows, tail = 0, b""
        with zf.open(info) as fh:
            for block in iter(lambda: fh.read(_BLOCK), b""):
                chunk = tail + block
                (r1, c1), (r0, c0) = _tokens(chunk), _tokens(tail)  # tokens wholly in the tail: counted before
                rows, cells = rows + r1 - r0, cells + c1 - c0
                tail = chunk[-4:]
        if rows > MAX_ROWS_PER_SHEET + 1:  # plus the header row
            raise UploadTooLarge(f"工作簿中有一张表多达{rows}行，超过{MAX_ROWS_PER_SHEET}行（空白行也计在内），未导入。"
                                 "请删除多余的行，或分成几个文件导入。")
        if cells > MAX_CELLS:
            raise UploadTooLarge(f"工作簿的单元格超过{MAX_CELLS}个（空白单元格也计在内），未导入。"
                                 "请删除多余的行和列，或分成几个文件导入。")
