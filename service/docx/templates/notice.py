"""The 公文 template (doc_templates/notice.docx): one prototype paragraph per block kind, selected by docxtpl
paragraph tags, and the 版记 table. The renderer (service.render.notice) turns the model into the block list;
all static geometry — styles, page, footers, rules — is here and in service.docx.base.
"""
from __future__ import annotations

from pathlib import Path

from service.docx.base import TemplateBuilder
from service.docx.ooxml import para, ppr, rpr, run, tag_para, tag_run
from service.docx.tables import cell, grid_borders, row, table, table_borders

J = "{{ %s }}"  # a Jinja expression inside a run
# a paragraph split over two pages (clause 7.3.5.5) justifies its last line too ("distribute")
LAST_LINE = "{{ b.get('last_line', 'both') }}"


def _tag_cell(tag: str) -> str:
    return cell(tag_para(tag), "0")


def _tag_row(tag: str, width: int | str = "0") -> str:
    return row(cell(tag_para(tag), width), cant_split=False)


def _data_table(p) -> str:
    """A table of b.columns × b.rows: header row repeated on every page, no row split across pages."""
    width = p.type_area_twips[0]
    head_cell = cell(para(ppr("GwTableHead"), run(J % "c", raw=True)), "{{ b.widths[loop.index0] }}", v_center=True)
    body_cell = cell(para(ppr("GwTableText"), run(J % "c", raw=True)), "{{ b.widths[loop.index0] }}", v_center=True)
    # the row height is the profile's number, written as such (an unfilled Jinja tag here once made invalid OOXML)
    height = p["7.4.3"]["row_twips"]
    return table([0, width, 0], (
        row(_tag_cell("{%tc for c in b.columns %}") + head_cell + _tag_cell("{%tc endfor %}"), height=height,
            header=True)
        + _tag_row("{%tr for row in b.rows %}")
        + row(_tag_cell("{%tc for c in row %}") + body_cell + _tag_cell("{%tc endfor %}"), height=height)
        + _tag_row("{%tr endfor %}")
    ), width=width, borders=grid_borders(4), style="TableNormal")


def _imprint_table(p) -> str:
    """版记 (clause 7.4): rules the width of the type area, thick first and last, thin between; 4号 text
    indented 1 字; 抄送 wraps aligned after 抄送：; 印发日期 on the right."""
    c = p["7.4.1"]
    width = p.type_area_twips[0]
    one = round(p["7.4.3"]["indent_chars"] * p["7.4.3"]["size_pt"] * 20)
    label = round(len(p["7.4.2"]["label"]) * p["7.4.2"]["size_pt"] * 20)
    borders = table_borders({"top": c["thick_eighths_pt"], "bottom": c["thick_eighths_pt"],
                             "insideH": c["thin_eighths_pt"]})
    height = p["7.4.3"]["row_twips"]
    def listed(label_text: str, key: str) -> str:  # 主送：/抄送： + names, wrapped lines aligned after the colon
        return (tag_para(f"{{%p if imprint.{key} %}}") + para(
            ppr("GwImprint", ind={"left": one + label, "right": one, "hanging": label}),
            run(label_text), run(J % f"imprint.{key}", raw=True),
        ) + tag_para("{%p endif %}"))

    # clause 7.4.2: a 主送 moved to the 版记 stands on the line above 抄送, no rule between them
    cc = listed(p["7.4.2"]["recipients_label"], "recipients") + listed(p["7.4.2"]["label"], "cc")
    printer = para(
        ppr("GwImprint", tabs=[("right", width - one)], ind={"left": one}),
        run(J % "imprint.printer", raw=True), "<w:r><w:tab/></w:r>", run(J % "imprint.date", raw=True),
    )
    return table([width], (
        _tag_row("{%tr if imprint.cc or imprint.recipients %}", width)
        + row(cell(cc, width), height=height)
        + _tag_row("{%tr endif %}", width)
        + row(cell(printer, width), height=height)
    ), borders=borders, margins=0, style="TableNormal")


def _masthead_joint(p) -> str:
    """Joint issuance (clause 7.2.4): the organs stacked, 文件 to their right, vertically centred on them."""
    # the names cell's left slack matches the suffix cell's right slack, so the ink is centred (7.2.4)
    name = para(ppr("GwMasthead", line="{{ b.line }}", ind={"left": "{{ b.slack }}"}, jc="distribute"),
                run(J % "o", rpr(size_pt="{{ b.half }}", scale="{{ b.scale }}"), raw=True))
    suffix = para(ppr("GwMasthead", line="{{ b.line }}", ind={"left": "{{ b.gap }}"}, jc="left"),
                  run(J % "b.suffix", rpr(size_pt="{{ b.half }}", scale="{{ b.scale }}"), raw=True))
    return table(["{{ b.names_width }}", "{{ b.suffix_width }}"], row(
        cell(tag_para("{%p for o in b.organs %}") + name + tag_para("{%p endfor %}"), "{{ b.names_width }}")
        + cell(suffix, "{{ b.suffix_width }}", v_center=True), cant_split=False,
    ), width="{{ b.width }}", borders=grid_borders(None), margins=0, style="TableNormal")


def body_xml(tb: TemplateBuilder) -> str:
    p = tb.p
    kinds: list[tuple[str, str]] = [
        ("blank", para(ppr("GwBlank", line="{{ b.line }}"))),
        ("spacer", para(ppr("GwSpacer", page_break_before="{{ b.pbb }}", line="{{ b.twips }}"))),
        ("top", para(ppr("GwTop"), run(J % "b.text", raw=True))),
        ("masthead", para(ppr("GwMasthead", line="{{ b.line }}"),
                          run(J % "b.text", rpr(size_pt="{{ b.half }}", scale="{{ b.scale }}"), raw=True))),
        ("masthead_joint", _masthead_joint(p)),
        ("docno", para(
            ppr("{{ b.style }}", tabs=[("left", "{{ b.tab }}")], jc="{{ b.jc }}", ind={"left": "{{ b.left }}"}),
            run(J % "b.text", raw=True),
            tag_run("{%r if b.signers %}"), "<w:r><w:tab/></w:r>",
            run(J % "b.label", raw=True), run(J % "b.signers", rpr(style="GwKai"), raw=True),
            tag_run("{%r endif %}"),
        )),
        ("title", para(ppr("GwTitle", page_break_before="{{ b.pbb }}", line="{{ b.line }}"), run(J % "b.text", raw=True))),
        ("recipients", para(ppr("GwRecipients", line="{{ b.line }}"), run(J % "b.text", raw=True))),
        ("para", para(ppr("GwBody", page_break_before="{{ b.pbb }}", line="{{ b.line }}", jc=LAST_LINE),
                      run(J % "b.text", raw=True))),
        # a paragraph's last lines carried to the next page (clause 7.3.5.5): no first-line indent
        ("para_continued", para(ppr("GwBlank", page_break_before="{{ b.pbb }}", line="{{ b.line }}"),
                                run(J % "b.text", raw=True))),
        ("lead_in", para(ppr("GwLeadIn", page_break_before="{{ b.pbb }}", line="{{ b.line }}"), run(J % "b.text", raw=True))),
        ("heading", para(ppr("{{ b.style }}", page_break_before="{{ b.pbb }}", line="{{ b.line }}", jc=LAST_LINE), run(J % "b.head", rpr(style="{{ b.cstyle }}"), raw=True),  # noqa: E501
                         run(J % "b.body", raw=True))),
        ("attach", para(
            ppr("GwAttach", page_break_before="{{ b.pbb }}", tabs=[("left", "{{ b.tab }}")], line="{{ b.line }}", ind={"left": "{{ b.left }}", "hanging": "{{ b.hanging }}"}),  # noqa: E501
            run(J % "b.label", raw=True), tag_run("{%r if b.tabbed %}"), "<w:r><w:tab/></w:r>",
            tag_run("{%r endif %}"), run(J % "b.text", raw=True),
        )),
        ("signature", para(ppr("GwSignature", line="{{ b.line }}", ind={"right": "{{ b.right }}"}), run(J % "b.text", raw=True))),
        # joint sealed issuance (7.3.5.1): names side by side, each centred on its seal's centre tab
        ("signature_row", para(
            ppr("GwSignature", tabs=[("center", "{{ b.tabs[0] }}"), ("center", "{{ b.tabs[1] }}")],
                line="{{ b.line }}", jc="left"),
            tag_run("{%r for name in b.names %}"), "<w:r><w:tab/></w:r>", run(J % "name", raw=True),
            tag_run("{%r endfor %}"))),
        ("date", para(ppr("GwDate", keep_next="{{ b.keep }}", line="{{ b.line }}", ind={"right": "{{ b.right }}"}),
                      run(J % "b.text", raw=True))),
        ("note", para(ppr("GwNote", line="{{ b.line }}"), run(J % "b.text", raw=True))),
        ("annex_label", para(ppr("GwAnnexLabel", page_break_before=True), run(J % "b.text", raw=True))),
        ("table_note", para(ppr("GwTableNote"), run(J % "b.text", raw=True))),
        ("table", _data_table(p)),
    ]
    out = [tag_para("{%p for b in blocks %}")]
    for i, (kind, xml) in enumerate(kinds):
        out.append(tag_para(("{%p if " if i == 0 else "{%p elif ") + f"b.k == '{kind}' %}}"))
        out.append(xml)
    out += [tag_para("{%p endif %}"), tag_para("{%p endfor %}")]
    out.append(tag_para("{%p if imprint %}"))
    out.append(_imprint_table(p))
    out.append(tag_para("{%p endif %}"))
    # the body ends with a paragraph (Word and WPS add one after a final table, 579 twips high, which can make a
    # page of its own); this one is next to no height
    out.append(para(ppr("GwEnd")))
    out.append(tb.sect())
    return "".join(out)


def build(path: Path) -> None:
    tb = TemplateBuilder()
    tb.add_landscape_footers()  # wide annex tables (service.layout.columns) go on landscape pages
    tb.save(body_xml(tb), path)
