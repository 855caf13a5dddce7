"""Tests of issues.importing.parser: the real example where it lies, and variants written here
that exercise each variation real issues show."""

from __future__ import annotations

import pytest

from issues.importing.parser import NEWS, PAPERS, digest_of, parse_issue
from tests.examples import EXAMPLE, needs_example

#: One entry in full-width punctuation, the way most issues write it; the tests vary it.
ENTRY = (
    "标题：示例大学、另一所大学 | A Made-up Title（一个虚构的标题）\n"
    "作者：Ada Lovelace, Alan Turing\n"
    "简介：一段虚构的简介。\n"
    "代码下载：https://github.com/example/code\n"
    "论文地址：https://arxiv.org/abs/2109.08133\n"
)


def _issue(*entries: str, tail: str = "") -> str:
    return (
        "虚构的标题\n\n某某周刊\n\n关于周刊\n\n一段导语。\n\n（本期贡献者：甲乙 丙丁）\n\n"
        "论文推荐\n\n" + "\n".join(entries) + tail
    )


def _only_entry(text: str):
    parsed = parse_issue(text)
    assert len(parsed.entries) == 1, parsed
    return parsed, parsed.entries[0]


@needs_example
def test_parse_example_reads_14_entries_and_its_header() -> None:
    parsed = parse_issue(EXAMPLE.read_text(encoding="utf-8"))

    assert parsed.layout == "text"
    assert parsed.publication_name == "预训练周刊"
    assert parsed.credited_names == ["申德周", "翟珂", "吴新刚"]
    assert (parsed.number, parsed.date) == (None, None)
    assert len(parsed.papers) == 14
    assert not parsed.news
    assert all(e.title and e.title_zh and e.authors and e.summary and e.url for e in parsed.papers)
    assert [e.institutions for e in parsed.papers][:3] == [
        ["斯坦福", "高丽大学"],
        ["柏林工业大学", "柏林洪堡大学", "塔尔图大学"],
        ["北卡罗来纳大学", "加州大学"],
    ]
    assert sum(bool(e.code_url) for e in parsed.papers) == 3
    assert len(parsed.subjects) == 14
    assert parsed.papers[0].subject_zh == "短语检索"


@needs_example
def test_parse_example_doubts_only_the_malformed_aminer_link() -> None:
    parsed = parse_issue(EXAMPLE.read_text(encoding="utf-8"))

    [doubt] = parsed.doubts
    assert doubt.text == "https://www.aminer.cn/pub/616d31ee6750f82ddab676a?f=cs"
    assert [e.identifier is None for e in parsed.papers].count(True) == 1
    # Its missing closing bracket is read, and noted.
    assert [n.line for n in parsed.notes] == [52]


@needs_example
def test_parse_example_drops_the_platform_furniture() -> None:
    parsed = parse_issue(EXAMPLE.read_text(encoding="utf-8"))

    assert parsed.dropped
    assert parsed.dropped[0][1] == "• 0"
    last = parsed.papers[-1]
    assert last.url.startswith("https://www.aminer.cn/pub/6142b6135244ab9dcbc97b92")
    assert "点赞" not in last.summary


def test_parse_reads_full_width_punctuation() -> None:
    _parsed, entry = _only_entry(_issue(ENTRY))
    assert entry.institutions == ["示例大学", "另一所大学"]
    assert (entry.title, entry.title_zh) == ("A Made-up Title", "一个虚构的标题")
    assert entry.authors == "Ada Lovelace, Alan Turing"
    assert entry.identifier is not None
    assert entry.identifier.value == "2109.08133"


def test_parse_reads_half_width_punctuation() -> None:
    half = ENTRY.replace("：", ":").replace("（", "(").replace("）", ")").replace("、", ",")
    _parsed, entry = _only_entry(_issue(half))
    assert entry.institutions == ["示例大学", "另一所大学"]
    assert (entry.title, entry.title_zh) == ("A Made-up Title", "一个虚构的标题")
    assert entry.code_url == "https://github.com/example/code"


@pytest.mark.parametrize("bar", ["|", " | ", "  |", "|  ", "｜", " ｜ "])
def test_parse_reads_any_blanks_around_the_bar(bar: str) -> None:
    _parsed, entry = _only_entry(_issue(ENTRY.replace(" | ", bar)))
    assert entry.institutions == ["示例大学", "另一所大学"]
    assert entry.title == "A Made-up Title"


def test_parse_reads_a_missing_closing_bracket_and_notes_it() -> None:
    parsed, entry = _only_entry(_issue(ENTRY.replace("标题）", "标题")))
    assert entry.title_zh == "一个虚构的标题"
    assert [n.line for n in parsed.notes] == [entry.line]
    assert not parsed.doubts


def test_parse_keeps_brackets_of_the_english_title() -> None:
    text = ENTRY.replace("A Made-up Title", "Language Models (LMs) at Work")
    _parsed, entry = _only_entry(_issue(text))
    assert (entry.title, entry.title_zh) == ("Language Models (LMs) at Work", "一个虚构的标题")


def test_parse_reads_a_label_on_its_own_line() -> None:
    text = ENTRY.replace("简介：", "简介：\n").replace("论文地址：", "论文地址:\n\n")
    parsed, entry = _only_entry(_issue(text))
    assert entry.summary == "一段虚构的简介。"
    assert entry.url == "https://arxiv.org/abs/2109.08133"
    assert not parsed.doubts


def test_parse_drops_furniture_after_the_last_entry() -> None:
    tail = "\n  • 3\n    点赞\n  • 1\n    收藏\n评论\n打赏作者\nsomebody\n"
    parsed, entry = _only_entry(_issue(ENTRY, tail=tail))
    assert entry.url == "https://arxiv.org/abs/2109.08133"
    assert [text for _n, text in parsed.dropped][:2] == ["• 3", "点赞"]
    assert not parsed.doubts


def test_parse_drops_unknown_lines_after_the_last_link() -> None:
    parsed, _entry = _only_entry(_issue(ENTRY, tail="\n扫码关注我们\n版权所有\n"))
    assert [text for _n, text in parsed.dropped] == ["扫码关注我们", "版权所有"]
    assert not parsed.doubts


def test_parse_doubts_a_line_it_cannot_place_between_entries() -> None:
    parsed = parse_issue(_issue(ENTRY, "一行无处可放的文字\n", ENTRY))
    assert len(parsed.entries) == 2
    [doubt] = parsed.doubts
    assert doubt.text == "一行无处可放的文字"


def test_parse_doubts_an_entry_without_link() -> None:
    text = ENTRY.replace("论文地址：https://arxiv.org/abs/2109.08133\n", "")
    parsed = parse_issue(_issue(text, ENTRY))
    assert len(parsed.doubts) == 1
    assert parsed.doubts[0].line == parsed.entries[0].line


def test_parse_reads_et_al_of_institutions_apart() -> None:
    _parsed, entry = _only_entry(_issue(ENTRY.replace("另一所大学 |", "另一所大学等 |")))
    assert (entry.institutions, entry.institutions_more) == (["示例大学", "另一所大学"], True)
    # 等 on its own after a separator, and after one name, in half-width punctuation.
    _parsed, entry = _only_entry(_issue(ENTRY.replace("另一所大学 |", "另一所大学, 等|")))
    assert (entry.institutions, entry.institutions_more) == (["示例大学", "另一所大学"], True)
    _parsed, entry = _only_entry(_issue(ENTRY.replace("示例大学、另一所大学", "示例大学等")))
    assert (entry.institutions, entry.institutions_more) == (["示例大学"], True)
    # Without it, the list is whole.
    _parsed, entry = _only_entry(_issue(ENTRY))
    assert not entry.institutions_more


@needs_example
def test_parse_example_keeps_the_et_al_of_its_second_entry() -> None:
    parsed = parse_issue(EXAMPLE.read_text(encoding="utf-8"))
    assert [e.institutions_more for e in parsed.papers] == [False, True] + [False] * 12


def test_parse_reads_news_items() -> None:
    news = "\n研究动态\n\n一条虚构的动态\n动态的一段话。\n链接：https://example.org/a\n\n第二条动态\n第二段话。\nhttps://example.org/b\n"
    parsed = parse_issue(_issue(ENTRY, tail=news))
    assert [(e.section, e.title, e.summary, e.url) for e in parsed.news] == [
        (NEWS, "一条虚构的动态", "动态的一段话。", "https://example.org/a"),
        (NEWS, "第二条动态", "第二段话。", "https://example.org/b"),
    ]
    assert parsed.entries[0].section == PAPERS


def test_parse_reads_subjects_one_per_paper() -> None:
    intro = "本期周刊，我们选择了2篇论文，涉及检索、生成等。"
    parsed = parse_issue(_issue(ENTRY, ENTRY).replace("一段导语。", intro))
    assert [e.subject_zh for e in parsed.papers] == ["检索", "生成"]


def test_parse_doubts_a_count_that_does_not_add_up() -> None:
    intro = "本期周刊，我们选择了3篇论文，涉及检索和生成。"
    parsed = parse_issue(_issue(ENTRY, ENTRY).replace("一段导语。", intro))
    assert [d.message for d in parsed.doubts] == ["The intro counts 3 papers; the text holds 2."]


def test_digest_ignores_line_endings_and_edges() -> None:
    text = _issue(ENTRY)
    assert digest_of(text) == digest_of("\n" + text.replace("\n", "\r\n") + "  \n")
    assert digest_of(text) != digest_of(text.replace("虚构", "真实"))


def test_parse_bounds_hostile_text() -> None:
    parsed = parse_issue("论文推荐\n标题：T" + "(" * 50_000 + "中\n" + "x" * 1_000_000)
    [entry] = parsed.entries
    assert entry.title == "T"
    assert entry.title_zh.endswith("中")
