"""Title wrapping (clause 7.3.1) and the text lint / opt-in normaliser."""
from __future__ import annotations

import json

from service.config import SAMPLES_DIR
from service.lint import lint, normalise, normalise_text
from service.render.title import split_title


def test_sample_title_breaks_inside_an_overlong_book_title_at_a_word():
    lines = split_title("重庆市涪陵区百胜镇人民政府关于印发《重庆市涪陵区百胜镇加强社区教育工作实施方案》的通知")
    assert lines == ["重庆市涪陵区百胜镇人民政府", "关于印发《重庆市涪陵区百胜镇", "加强社区教育工作实施方案》的通知"]


def test_short_book_title_is_never_split():
    title = "某某县教育局关于转发《关于加强社区教育的意见》的通知"
    lines = split_title(title)
    assert all(len(x) <= 20 for x in lines)
    assert any("《关于加强社区教育的意见》" in x for x in lines)


def test_lines_keep_words_and_shape():
    title = "关于表彰2021年度社区教育工作先进集体和先进个人的决定"
    lines = split_title(title)
    assert "".join(lines) == title and all(len(x) <= 20 for x in lines)
    assert not any(a[-1].isdigit() for a in lines[:-1])  # 2021 | 年度 never splits
    lens = [len(x) for x in lines]
    assert max(lens) - min(lens) <= 6
    assert not any(b < a and b < c for a, b, c in zip(lens, lens[1:], lens[2:]))  # no hourglass


def test_short_title_is_one_line():
    assert split_title("关于召开社区教育工作会议的通知") == ["关于召开社区教育工作会议的通知"]


def test_lint_reports_the_sample_source_problems():
    data = json.loads((SAMPLES_DIR / "baisheng-2020" / "notice.json").read_text(encoding="utf-8"))
    findings = lint(data)
    rules = {f.rule for f in findings}
    assert {"half-width-bracket", "half-width-colon", "half-width-comma", "attachment-title-mismatch"} <= rules
    bracket = next(f for f in findings if f.rule == "half-width-bracket")
    assert "村(居)委" in bracket.excerpt and bracket.field.startswith("issued.blocks.")
    mismatch = [f for f in findings if f.rule == "attachment-title-mismatch"]
    assert [f.excerpt for f in mismatch] == ["社区教育工作培训内容", "涪陵区百胜镇社区教育村（居委)活动室领导小组成员表"]


def test_lint_rules():
    def codes(text):
        return [f.rule for f in lint({"blocks": [{"type": "paragraph", "text": text}]})]

    assert codes("二〇二〇年六月三日") == ["chinese-numeral-date"]
    assert codes("2020年06月03日") == ["padded-date"]
    assert codes("根据涪百府发[2020]75号文件") == ["docno-bracket"]
    assert codes("根据涪百府发〔2020〕第75号文件") == ["docno-di"]
    assert codes("1、建立台帐") == ["numbering-dunhao"]
    assert codes("2020年6月3日，依据涪百府发〔2020〕75号（见附件）。") == []


def test_normaliser_fixes_mechanical_problems_and_is_opt_in():
    assert normalise_text("各村(居)委，联系电话:13609471456") == "各村（居）委，联系电话：13609471456"
    assert normalise_text("二〇二〇年六月三日") == "2020年6月3日"
    assert normalise_text("涪百府发[2020]75号") == "涪百府发〔2020〕75号"
    assert normalise_text("1、建立") == "1.建立"
    data = {"blocks": [{"type": "paragraph", "text": "各村(居)委"}]}
    assert normalise(data)["blocks"][0]["text"] == "各村（居）委" and data["blocks"][0]["text"] == "各村(居)委"


def test_sample_renders_verbatim_by_default(baisheng):
    from service.pdf.measure import page_text

    assert "各村(居)委依托" in page_text(baisheng.pdf).replace(" ", "")
