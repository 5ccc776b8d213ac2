"""The Excel forms' geometry is the YAML form descriptions in doc_templates/forms/: an edited copy changes the
rendered workbooks (column widths, row heights, fonts, margins, comment boxes), a bad description is refused in
Chinese naming its file, and no geometry literal is left in service/ outside the loader."""
from __future__ import annotations

import ast
import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from service.forms import annex3, annex4, geometry
from service.records.exchange import marking, workbooks
from service.records.exchange.reader import CellError
from service.records.renderers.forms import ledger_card
from tests.forms.edited_forms import edit_forms

ROOT = Path(__file__).resolve().parents[2]
UNITS = ["紫荆村", "青龙村"]


def _ws(data: bytes, sheet: str | None = None):
    wb = load_workbook(io.BytesIO(data))
    return wb[sheet] if sheet else wb.active


def test_the_shipped_descriptions_load_and_name_every_form_the_service_draws():
    names = set(geometry.forms())
    assert {"sheet", "annex3", "annex4", "ledger_card", "assessment", "quarterly", "results_ranking",
            "results_detail", "results_rules", "activity_register", "volunteer_register", "funding_register",
            "archive_catalogue", "archive_completeness", "import_workbook", "marked_errors"} <= names
    from service.records.exchange.sheets import ALL_SHEETS
    for spec in ALL_SHEETS:  # every import column has its width
        form = geometry.form(spec.form)
        assert [form.width(f.width_key or f.key) for f in spec.fields]


def test_shared_sheet_defaults_drive_every_form(monkeypatch, tmp_path):
    before = _ws(annex4.render_leadership_table(None, township="某某镇"))
    assert before.row_dimensions[annex4.HEADER_ROW].height == 32
    assert before.cell(annex4.HEADER_ROW, 1).font.name == "黑体"

    edit_forms(monkeypatch, tmp_path, {"sheet": {
        "heights": {"header": 40, "data": 31}, "sizes": {"table": 10}, "fonts": {"header": "楷体"},
        "margins_mm": [25.4, 12.7, 25.4, 12.7]}})
    for data, header in ((annex4.render_leadership_table(None, township="某某镇"), annex4.HEADER_ROW),
                         (ledger_card.render_ledger_card(None, township_short="某某镇"), ledger_card.HEADER_ROW)):
        ws = _ws(data)
        assert ws.row_dimensions[header].height == 40
        head = ws.cell(header, 2).font
        assert (head.name, head.sz) == ("楷体", 10)
        assert ws.cell(header + 1, 2).font.sz == 10
    assert _ws(annex4.render_leadership_table(None, township="某某镇")).cell(3, 2).alignment.horizontal == "left"
    edit_forms(monkeypatch, tmp_path / "again", {"sheet": {
        "heights": {"header": 40, "data": 31}, "margins_mm": [25.4, 12.7, 25.4, 12.7],
        "widths": {"left_aligned_from": 40}}})
    ws = _ws(annex4.render_leadership_table(None, township="某某镇"))
    assert ws.cell(3, 2).alignment.horizontal == "center"  # 活动室名称 (28 wide) is no longer left-aligned
    assert ws.row_dimensions[annex4.HEADER_ROW + 1].height == 31  # an empty row: the shared data height
    assert (ws.page_margins.top, ws.page_margins.left) == pytest.approx((1.0, 0.5))  # the ledger card has its own


def test_annex3_follows_its_description(monkeypatch, tmp_path):
    blank = _ws(annex3.render_monthly_report(None, township_short="某某镇"))
    footer = annex3.FIRST_DATA_ROW + annex3.blank_rows() + 1
    assert blank.row_dimensions[footer].height == 30 and blank.column_dimensions["B"].width == 24

    columns = [c.model_dump() for c in geometry.form("annex3").columns]
    columns[1]["width"] = 31
    edit_forms(monkeypatch, tmp_path, {"annex3": {"heights": {"footer": 45}, "blank_rows": 10, "columns": columns}})
    ws = _ws(annex3.render_monthly_report(None, township_short="某某镇"))
    footer = annex3.FIRST_DATA_ROW + 10 + 1
    assert ws.cell(footer, 1).value.startswith("填表人")
    assert ws.row_dimensions[footer].height == 45
    assert ws.column_dimensions["B"].width == 31


def test_marked_errors_sheet_follows_its_description(monkeypatch, tmp_path):
    upload = workbooks.blank_schedule(UNITS)
    errors = [CellError("培训班", 2, "B", "培训项目", "培训项目不能为空"), CellError("培训班", 2, "B", "培训项目", "过长")]

    def marked(data: bytes):
        vml = next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.endswith(".vml"))
        return _ws(data, marking.ERRORS_SHEET), zipfile.ZipFile(io.BytesIO(data)).read(vml).decode()

    ws, vml = marked(marking.mark_errors(upload, errors))
    assert ws.column_dimensions["E"].width == 80 and ws["E1"].value == "错误说明"
    assert "width:260px" in vml and "height:100px" in vml  # 40 + 30 per message

    columns = [c.model_dump() for c in geometry.form("marked_errors").columns]
    columns[4].update(width=60, title="问题说明")
    edit_forms(monkeypatch, tmp_path, {"marked_errors": {
        "columns": columns, "sizes": {"text": 12}, "widths": {"comment_px": 300}, "heights": {"comment_line_px": 20}}})
    ws, vml = marked(marking.mark_errors(upload, errors))
    assert ws.column_dimensions["E"].width == 60 and ws["E1"].value == "问题说明"
    assert ws["E2"].font.sz == 12
    assert "width:300px" in vml and "height:80px" in vml


def test_import_workbooks_follow_their_description(monkeypatch, tmp_path):
    ws = _ws(workbooks.blank_schedule(UNITS), "教师")
    assert ws.column_dimensions["A"].width == 12 and ws.row_dimensions[1].height == 30
    edit_forms(monkeypatch, tmp_path, {"import_teachers": {"widths": {"name": 21}},
                                       "import_workbook": {"heights": {"header": 36}, "widths": {"help_text": 70}}})
    wb = load_workbook(io.BytesIO(workbooks.blank_schedule(UNITS)))
    assert wb["教师"].column_dimensions["A"].width == 21 and wb["教师"].row_dimensions[1].height == 36
    assert wb[workbooks.HELP_SHEET].column_dimensions["B"].width == 70


# ----------------------------------------------------------------------------------------------- bad descriptions
@pytest.mark.parametrize("change, says", [
    ({"annex3": {"heights": {"footer": -3}}}, "annexes.yaml：annex3"),
    ({"annex4": {"widhts": {"seq": 5}}}, "annexes.yaml：annex4"),
    ({"sheet": {"margins_mm": [20, 15, 20]}}, "sheet.yaml：sheet"),
])
def test_a_bad_description_is_refused_naming_its_file(monkeypatch, tmp_path, change, says):
    edit_forms(monkeypatch, tmp_path, change)
    with pytest.raises(geometry.FormError) as err:
        annex3.render_monthly_report(None, township_short="某某镇")
    assert says in str(err.value) and "有误" in str(err.value)


def test_a_form_in_two_files_and_a_missing_key_are_named(monkeypatch, tmp_path):
    folder = edit_forms(monkeypatch, tmp_path, {})
    (folder / "more.yaml").write_text("annex4:\n  blank_rows: 3\n", encoding="utf-8")
    with pytest.raises(geometry.FormError, match="表格格式 more.yaml：annex4 已在 annexes.yaml 中定义"):
        geometry.form("annex4")
    (folder / "more.yaml").unlink()
    annexes = folder / "annexes.yaml"
    data = yaml.safe_load(annexes.read_text(encoding="utf-8"))
    data["annex3"]["heights"] = {"foot": 30}  # a misspelt key
    annexes.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    geometry._load.cache_clear()  # the folder is read once: read the edited one
    with pytest.raises(ValueError, match="表格格式 annexes.yaml：annex3 缺少 heights.footer"):
        annex3.render_monthly_report(None, township_short="某某镇")


# ----------------------------------------------------------------------------------------------- no literals left
GEOMETRY_KEYWORDS = {"width", "height", "size", "margins_mm", "minimum", "sz"}
GEOMETRY_CALLS = {"Font", "Column", "fitted_height", "Comment"}
GEOMETRY_NAME = re.compile(r"^(ROW_|SIZE_|WIDTH|HEIGHT|MARGIN|LINE_HEIGHT)|_(SIZE|W|H|WIDTH|HEIGHT|MARGINS?)$")


def _numeric(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, (ast.Tuple, ast.List)):
        return bool(node.elts) and all(_numeric(e) for e in node.elts)
    return False


def _values(node: ast.AST):
    """The values a (text, width) list can hold: through lists, tuples and conditional expressions."""
    if isinstance(node, (ast.Tuple, ast.List)):
        for e in node.elts:
            yield from _values(e)
    elif isinstance(node, ast.IfExp):
        yield from _values(node.body)
        yield from _values(node.orelse)
    else:
        yield node


def _name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def geometry_literals(source: str) -> list[int]:
    """Lines that set a workbook's geometry from a literal: `x.width = 12`, `x.width, x.height = 1, 2 + n`,
    `ROW_TITLE = 40`, `Font(size=11)`, `Font(name="黑体")`, `Column("序号", 5)`, `merged_line(..., height=6)`,
    `fitted_height(t, 24)`, `a4_print_setup(..., margins_mm=(15, 10, 15, 10))`, `def f(height=30)`."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign):
            targets = [t for tgt in node.targets for t in (tgt.elts if isinstance(tgt, ast.Tuple) else [tgt])]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            attribute = any(isinstance(t, ast.Attribute) and t.attr in ("width", "height", "size", "sz")
                            for t in targets)
            constant = any(isinstance(t, ast.Name) and GEOMETRY_NAME.search(t.id) for t in targets)
            if (attribute or constant) and any(_numeric(v) for v in values):
                lines.append(node.lineno)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            args = node.args.args + node.args.kwonlyargs
            defaults = list(zip(node.args.args[len(node.args.args) - len(node.args.defaults):], node.args.defaults))
            defaults += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d is not None]
            if args and any(a.arg in GEOMETRY_KEYWORDS and _numeric(d) for a, d in defaults):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            name = _name(node.func)
            if any(k.arg in GEOMETRY_KEYWORDS and _numeric(k.value) for k in node.keywords):
                lines.append(node.lineno)
            elif name == "Font" and any(k.arg == "name" and isinstance(k.value, ast.Constant) for k in node.keywords):
                lines.append(node.lineno)
            elif name in GEOMETRY_CALLS and any(_numeric(a) for a in node.args):
                lines.append(node.lineno)
            elif name == "fitted_height" and any(_numeric(n) for a in node.args for n in _values(a)):
                lines.append(node.lineno)  # a width or minimum height anywhere in its arguments
    return lines


def test_the_literal_check_finds_what_it_looks_for():
    bad = ('ws.column_dimensions["A"].width = 12\nws.row_dimensions[1].height = 30.5\n'
           'c.width, c.height = 260, 40\ncell.font = Font(name="黑体", size=11)\nColumn("序号", 5, "seq")\n'
           'merged_line(ws, 1, 1, 2, "", font=f, align=a, height=6)\nfitted_height(t, 24)\n'
           'a4_print_setup(ws, last_row=1, ncols=1, repeat_rows="1:1", margins_mm=(15, 10, 15, 10))\n'
           'c.width, c.height = 260, 40 + 30 * n\nROW_TITLE = 40\nSIZE_TABLE = 11\nNUM_W = 3.6\n'
           'def sign_line(ws, text, height=30):\n    pass\n'
           'fitted_height([(text, value_width if one else 30)])\n')
    assert sorted(set(geometry_literals(bad))) == list(range(1, 14)) + [15]
    good = ('ws.row_dimensions[r].height = form("x").height("row")\nFont(name=face, size=s)\n'
            'max(row_sign, lines * (size + 3) + 6)\nColumn("序号", w("seq"), "seq")\nDATA_ROWS = 5000\n'
            'HEADER_ROW = 4\nFIRST_DATA_ROW = HEADER_ROW + 1\ndef f(height=None):\n    pass\n')
    assert geometry_literals(good) == []


def test_no_workbook_geometry_literal_is_left_in_the_service():
    found = {}
    for path in sorted((ROOT / "service").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name == "geometry.py" and path.parent.name == "forms":
            continue
        if "openpyxl" not in text and "service.forms" not in text:
            continue  # not a workbook module (the Word layer has its own profile)
        if lines := geometry_literals(text):
            found[path.relative_to(ROOT).as_posix()] = lines
    assert found == {}
