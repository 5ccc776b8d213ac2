"""Imports cannot tie up the server (issue 8, items 7 and 8): every row counts toward the row cap (blank template
columns or not), the cells and the uncompressed size are capped (checked before parsing), and a refused import
lists the first 200 errors plus their total, with every error marked in a workbook downloadable over HTTP."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from tests.api.conftest import UNIT_A, auth
from tests.api.helpers import upload_workbook

PROBLEM = "application/problem+json"

pytestmark = pytest.mark.usefixtures("worker")  # imports and exports run as jobs on a real worker


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def raw_xlsx(rows, sheet: str = "学员", dimension: str | None = None) -> bytes:
    """A workbook written as raw XML: header row of the 学员 template, then `rows` (an iterable of row XML
    fragments, without the <row> element), streamed into the zip so that millions of rows stay quick."""
    from service.records.exchange.sheets import TRAINEES

    header = "".join(_inline(f"{chr(65 + i)}1", f.title) for i, f in enumerate(TRAINEES.fields))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            dim = f'<dimension ref="{dimension}"/>' if dimension else ""
            fh.write(('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                      f'spreadsheetml/2006/main">{dim}<sheetData><row r="1">{header}</row>').encode())
            batch = []
            for n, row in enumerate(rows, start=2):
                batch.append(f'<row r="{n}">{row}</row>')
                if len(batch) >= 10000:
                    fh.write("".join(batch).encode())
                    batch = []
            fh.write(("".join(batch) + "</sheetData></worksheet>").encode())
    return out.getvalue()


def blank_column_rows(n: int):
    """Rows whose template columns are blank; only column Z holds something (a row number)."""
    return (f'<c r="Z{i}"><v>{i}</v></c>' for i in range(2, n + 2))


def _upload(client, token, data: bytes):
    return upload_workbook(client, auth(token), data)


@pytest.fixture()
def big_body(app, monkeypatch):
    """This test's uploads may be as large as the production default (16 MiB): the app's config is the limit of
    the request body and of the workbook check alike."""
    limit = 16 * 1024 * 1024
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", limit)
    monkeypatch.setitem(app.config, "MAX_FORM_MEMORY_SIZE", limit)
    yield limit
    monkeypatch.undo()


def test_hostile_workbook_of_blank_column_rows_is_refused(client, tokens, big_body):
    """1.8 million rows with blank template columns (a 15 MB-class workbook that used to take 40 s of API CPU and
    be accepted): refused by its uncompressed size before any parsing, 413 problem+json in Chinese."""
    data = raw_xlsx(blank_column_rows(1_800_000))
    assert len(data) < big_body
    r = _upload(client, tokens["A"], data)
    assert r.status_code in (413, 422) and r.content_type == PROBLEM, r.json
    assert "未导入" in r.json["detail"] and "解压后" in r.json["detail"]


def test_blank_rows_count_toward_the_row_cap(client, tokens):
    from service.records.exchange.upload import MAX_ROWS_PER_SHEET

    r = _upload(client, tokens["A"], raw_xlsx(blank_column_rows(MAX_ROWS_PER_SHEET + 1)))
    assert r.status_code in (413, 422) and r.content_type == PROBLEM, r.json
    assert f"超过{MAX_ROWS_PER_SHEET}行" in r.json["detail"] and "空白行也计在内" in r.json["detail"]


def test_cells_are_capped(client, tokens):
    """A sheet declaring 16,384 columns makes every row that wide: 200 rows are 3.3 million cells."""
    from service.records.exchange.upload import MAX_CELLS

    r = _upload(client, tokens["A"], raw_xlsx(blank_column_rows(200), dimension="A1:XFD201"))
    assert r.status_code in (413, 422) and r.content_type == PROBLEM, r.json
    assert f"单元格超过{MAX_CELLS}个" in r.json["detail"]


def test_error_list_is_bounded_and_the_marked_workbook_has_them_all(client, tokens):
    bad = (_inline(f"A{i}", UNIT_A) + _inline(f"B{i}", f"学员{i}") + _inline(f"C{i}", "未知") for i in range(2, 302))
    r = _upload(client, tokens["A"], raw_xlsx(bad))
    assert r.status_code == 422 and r.content_type == PROBLEM, r.json
    assert len(r.json["errors"]) == 200 and r.json["error_count"] == 600  # 性别 and 学员类别
    assert r.json["errors"][0]["field"] == "学员!C2" and "前200处" in r.json["detail"]
    href = r.json["marked"]
    assert client.get(href, headers=auth(tokens["B"])).status_code == 404  # only the uploader's token
    m = client.get(href, headers=auth(tokens["A"]))
    assert m.status_code == 200 and m.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(m.data))
    listed = list(wb["导入错误"].iter_rows(min_row=2, values_only=True))
    assert len(listed) == 600 and listed[-1][:3] == ("学员", 301, "F")
    assert wb["学员"]["C301"].comment is not None
