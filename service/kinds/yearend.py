"""The year-end job kind: one request builds every unit's 考核结果, the commendation and all archive volumes.

Items: the township's documents (考核结果, 表彰决定, 荣誉证书) and one item per unit (its archive zip), so the
job's progress is units done / total and the chunks run in parallel across workers. The plan (assessment,
commended units, the decision's 发文字号) is made once at submission and travels in every item, so all items
work from the same figures. A unit that fails is a failed item with its Chinese message; the job ends partial.
"""
from __future__ import annotations

from pathlib import Path

from service.kinds.kind import DocumentKind
from service.kinds.notice import NOTICE_TEMPLATE
from service.templates.template import SAMPLE_DIR, Template
from service.yearend import volumes
from service.yearend.batch import YearEndParams

OFFICE_LABEL = "全镇考核结果与表彰"


def _items(s, p: YearEndParams) -> list[tuple[str, dict]]:
    from service.yearend.batch import BatchError, Plan, plan_batch

    try:
        plan = plan_batch(s, p).to_json()
    except BatchError as exc:
        raise ValueError(str(exc)) from None
    return [(OFFICE_LABEL, {"plan": plan, "unit": None})] + [
        (f"{u} 归档文件", {"plan": plan, "unit": u}) for u in Plan.from_json(plan).biggest_first]


def _certificate_context(data: dict) -> dict:
    import datetime as dt

    from service.yearend.commendation import certificate_context

    return certificate_context(data["unit"], data["honour"], data["issuer"], dt.date.fromisoformat(data["date"]),
                               year=data.get("year"))


CERTIFICATE_TEMPLATE = Template("certificate", "荣誉证书", _certificate_context)


def _volume_context(data: dict) -> dict:
    return volumes.volume_context(*volumes.sample_volume(data))


# the archive volumes' Word documents, one sample volume (doc_templates/samples/archive_volume.json) for all three
VOLUME_SAMPLE = SAMPLE_DIR / "archive_volume.json"
ARCHIVE_TEMPLATES = tuple(Template(name, title, _volume_context, sample=VOLUME_SAMPLE) for name, title in (
    (volumes.CATALOGUE_TEMPLATE, "归档文件目录"), (volumes.COVER_TEMPLATE, "卷皮"), (volumes.NOTES_TEMPLATE, "卷内备考表")))


def _check(s, p: YearEndParams) -> None:
    from service.yearend.batch import check_batch

    check_batch(s, p)


def _render(data: dict, out_dir: Path, session) -> list[Path]:
    """The office's documents, or one unit's archive; `session` is the store (the archive reads the records)."""
    from service.yearend.batch import Plan, office_outputs, run_unit

    plan = Plan.from_json(data["plan"])
    if data["unit"] is None:
        with session() as s:
            files = office_outputs(s, plan)
        paths = []
        for name, body in sorted(files.items()):  # the job keeps files flat: 荣誉证书/x.pdf -> 荣誉证书 x.pdf
            path = out_dir / name.replace("/", " ")
            path.write_bytes(body)
            paths.append(path)
        return paths
    outcome = run_unit(session, plan, data["unit"])
    if outcome.error:
        raise ValueError(f"{data['unit']}：{outcome.error}")
    path = out_dir / outcome.archive.name
    path.write_bytes(outcome.archive.data)
    return [path]


YEAR_END = DocumentKind(
    name="year-end", title="年终考核表彰与归档", params=YearEndParams, items=_items, render=_render, check=_check,
    store=True, templates=(CERTIFICATE_TEMPLATE, *ARCHIVE_TEMPLATES, NOTICE_TEMPLATE),
    period=lambda p: str(p.year), office_only=True,
    description="各单位验收考核结果（Excel）、表彰决定（Word 与 PDF）和荣誉证书（PDF），以及每个单位卷一至卷五的"
                "归档文件（归档文件目录、备考表、卷皮，各件 PDF 与原文件，完整性报告），每单位一个 zip；"
                "进度为已完成单位数/总数。",
)
