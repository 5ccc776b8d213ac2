"""Reproducible packages: normalised .docx/.xlsx/.pdf/.zip are byte-identical across runs."""
from __future__ import annotations

import datetime as dt
import io
import time
import zipfile

import docx
import pikepdf
import pytest
from openpyxl import Workbook

from service.ooxml import ZipEntry, fixed_datetime, normalize_ooxml, normalize_pdf, write_zip


def _xlsx() -> bytes:
    wb = Workbook()
    wb.active["A1"] = "社区教育"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("社区教育培训内容")
    d.core_properties.created = dt.datetime.now()
    d.core_properties.last_printed = dt.datetime.now()
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf(title: str) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/CreationDate"] = f"D:{dt.datetime.now():%Y%m%d%H%M%S}"
    pdf.docinfo["/Title"] = title
    with pdf.open_metadata(set_pikepdf_as_editor=True) as meta:
        meta["dc:title"] = title
    pdf.trailer["/DocChecksum"] = pikepdf.Name("/" + dt.datetime.now().strftime("%f%S"))  # as LibreOffice does
    buf = io.BytesIO()
    pdf.save(buf)  # a random /ID each time
    return buf.getvalue()


def test_xlsx_from_two_runs_differs_raw_but_not_normalised():
    a = _xlsx()
    time.sleep(1.1)
    b = _xlsx()
    assert a != b  # openpyxl stamps the current time
    na, nb = normalize_ooxml(a), normalize_ooxml(b)
    assert na == nb
    assert normalize_ooxml(na) == na  # idempotent
    with zipfile.ZipFile(io.BytesIO(na)) as zf:
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml" and names[1] == "_rels/.rels"
        assert names[2:] == sorted(names[2:])
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert zf.testzip() is None


def test_docx_core_properties_take_the_document_date():
    out = normalize_ooxml(_docx(), dt.date(2020, 6, 3))
    assert out == normalize_ooxml(_docx(), dt.date(2020, 6, 3))
    props = docx.Document(io.BytesIO(out)).core_properties
    assert props.created == props.modified == dt.datetime(2020, 6, 3, tzinfo=props.created.tzinfo)
    assert props.last_printed is None


def test_not_a_package_is_refused():
    with pytest.raises(ValueError, match="Content_Types"):
        normalize_ooxml(write_zip([ZipEntry("a.txt", b"x")]))


def test_pdf_dates_id_and_xmp_normalised():
    a, b = _pdf("月报表"), _pdf("月报表")
    assert a != b
    na, nb = normalize_pdf(a, dt.date(2020, 6, 3)), normalize_pdf(b, dt.date(2020, 6, 3))
    assert na == nb
    with pikepdf.open(io.BytesIO(na)) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == str(pdf.docinfo["/ModDate"]) == "D:20200603000000+00'00'"
        assert "/Metadata" not in pdf.Root and "/DocChecksum" not in pdf.trailer
        assert str(pdf.docinfo["/Title"]) == "月报表"
    # the /ID follows the content
    assert normalize_pdf(_pdf("季报"), dt.date(2020, 6, 3))[-200:] != na[-200:]


def test_zip_names_utf8_flag_fixed_times_and_no_duplicates():
    data = write_zip([ZipEntry("附件3 月报表.xlsx", b"1"), ZipEntry("manifest.json", b"{}")], dt.date(2020, 6, 3))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        first, second = zf.infolist()
        assert first.filename == "附件3 月报表.xlsx" and first.flag_bits & 0x800
        assert first.date_time == (2020, 6, 3, 0, 0, 0)
        assert (first.external_attr >> 16) == 0o644
    with pytest.raises(ValueError, match="duplicate"):
        write_zip([ZipEntry("a", b""), ZipEntry("a", b"")])


def test_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1591142400")  # 2020-06-03T00:00:00Z
    assert fixed_datetime() == dt.datetime(2020, 6, 3)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert fixed_datetime() == dt.datetime(1980, 1, 1)
    assert fixed_datetime(dt.date(1970, 1, 1)) == dt.datetime(1980, 1, 1)  # clamped to what zip can hold
