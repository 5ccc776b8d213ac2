"""The programme's standard annexes, laid out as notice blocks from their one source in config/:
Annex 1 (培训内容), Annex 2 (建档要求), and the Word-table versions of the Annex 3 and Annex 4 forms, whose columns
are those of the Excel forms (service.forms)."""
from __future__ import annotations

from service.forms import annex3, annex4, catalog
from service.models.notice import Annex, Block, LeadIn, Paragraph, Table, heading_label

GAP = "\u3000"


def _numbered(items) -> list[Block]:
    return [Paragraph(type="paragraph", text=heading_label(1, i) + text) for i, text in enumerate(items, 1)]


def _training_content() -> list[Block]:
    return _numbered(c.text for c in catalog.training_content().categories)


def _archive_volumes() -> list[Block]:
    blocks: list[Block] = []
    for volume in catalog.archive_volumes().volumes:
        blocks.append(LeadIn(type="lead_in", text=f"{volume.label}{GAP}{volume.name}"))
        blocks += _numbered(volume.items)
    return blocks


def _form_table(columns, rows: int, caption: str | None = None, footer: str | None = None) -> list[Block]:
    # the Excel form's column widths are the preference; service.layout.columns widens what its content needs
    return [Table(type="table", columns=[c.title for c in columns], widths=[c.width for c in columns],
                  rows=[[str(i) if c.kind == "seq" else "" for c in columns] for i in range(1, rows + 1)],
                  caption=caption, footer=footer)]


def _monthly_report() -> list[Block]:
    caption = f"社区教育学校{GAP}（{GAP * 2}）月份{GAP * 3}填报时间：{GAP * 3}年{GAP * 2}月{GAP * 2}日"
    footer = f"填表人：{GAP * 4}联系电话：{GAP * 6}邮箱："
    return _form_table(annex3.columns(), 12, caption, footer)


def _leadership_table() -> list[Block]:
    return _form_table(annex4.columns(), 13, footer=annex4.PHONE_NOTE)


SOURCES = {
    "training_content": _training_content,
    "archive_volumes": _archive_volumes,
    "monthly_report": _monthly_report,
    "leadership_table": _leadership_table,
}


def annex_blocks(annex: Annex) -> list[Block]:
    """The annex's own blocks, or those of its standard source."""
    if annex.blocks:
        return list(annex.blocks)
    return SOURCES[annex.source]() if annex.source else []
