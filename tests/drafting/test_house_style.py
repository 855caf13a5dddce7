"""The house-style check: each rule finds what it should and nothing else."""

from __future__ import annotations

import re

import pytest

from drafting.house_style import (
    FIELD_SUBJECT,
    FIELD_SUMMARY,
    FIELD_TITLE,
    SPACING_ANY,
    SPACING_NONE,
    SPACING_SPACE,
    GlossaryEntry,
    HouseStyle,
    check_text,
)
from tests.examples import EXAMPLE, needs_example

PLAIN = HouseStyle()
GLOSSARY = (
    GlossaryEntry("pretraining", "预训练", ("预先训练", "前训练")),
    GlossaryEntry("fine-tuning", "微调", ("精调",)),
    GlossaryEntry("Transformer", "", ("变换器", "变压器")),
)


def rules(text: str, style: HouseStyle = PLAIN, **kwargs) -> list[str]:
    return [finding.rule for finding in check_text(text, style=style, **kwargs)]


def test_check_text_clean_chinese_finds_nothing() -> None:
    assert check_text("本文提出了一种新的预训练方法，在阅读理解上效果更好。", style=PLAIN) == []


def test_check_text_english_text_is_left_to_its_own_rules() -> None:
    assert rules("We pretrain a model (see Sec. 3), then fine-tune it: it works!") == []


def test_check_text_empty_finds_nothing() -> None:
    style = HouseStyle(summary_length=(50, 300), spacing=SPACING_SPACE, glossary=GLOSSARY)
    assert check_text("", style=style) == []


# --- glossary ---------------------------------------------------------------------------------


def test_check_text_glossary_variant_to_avoid() -> None:
    findings = check_text("我们提出了预先训练的新方法。", style=HouseStyle(glossary=GLOSSARY))
    assert [f.rule for f in findings] == ["glossary"]
    assert "预训练" in findings[0].message
    assert "预先训练" in findings[0].message
    assert "预先训练" in findings[0].excerpt


def test_check_text_glossary_term_kept_in_english() -> None:
    findings = check_text("基于变换器的模型。", style=HouseStyle(glossary=GLOSSARY))
    assert [f.rule for f in findings] == ["glossary"]
    assert "“Transformer”" in findings[0].message


def test_check_text_glossary_term_of_the_source_rendered_otherwise() -> None:
    style = HouseStyle(glossary=GLOSSARY)
    source = "We study fine-tuning of large models."
    findings = check_text("我们研究大模型的调优。", style=style, source=source)
    assert [f.rule for f in findings] == ["glossary"]
    assert "微调" in findings[0].message
    # Rendered as the glossary says: nothing to say.
    assert check_text("我们研究大模型的微调。", style=style, source=source) == []
    # A term only part of another word of the source is not named by it.
    assert check_text("我们研究模型。", style=style, source="We study pretrainings2.") == []


def test_check_text_glossary_source_term_in_an_english_text_is_not_checked() -> None:
    style = HouseStyle(glossary=GLOSSARY)
    assert check_text("A study of tuning.", style=style, source="fine-tuning") == []


# --- punctuation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mark", "full"),
    [
        ("本文提出了新方法,效果更好。", ",", "，"),
        ("效果更好.", ".", "。"),
        ("作者:张三。", ":", "："),
        ("为什么?", "?", "？"),
        ("很好!", "!", "！"),
        ("方法;结果。", ";", "；"),
        ("预训练(pretraining)很重要。", "(", "（"),
    ],
)
def test_check_text_half_width_punctuation_in_chinese(text: str, mark: str, full: str) -> None:
    findings = [f for f in check_text(text, style=PLAIN) if f.rule == "punctuation"]
    assert findings
    assert f"“{mark}”" in findings[0].message
    assert f"“{full}”" in findings[0].message


def test_check_text_half_width_punctuation_spares_numbers_links_and_latin() -> None:
    text = "准确率提升了3.5个点，代码见 https://github.com/a/b.c,d 和 `f(x)`，参见 Sec. 3。"
    assert rules(text) == []


def test_check_text_closing_bracket_after_chinese() -> None:
    findings = check_text("我们用了BERT(一种模型)。", style=PLAIN)
    assert [f.rule for f in findings].count("punctuation") == 2


# --- brackets and quotes ----------------------------------------------------------------------


def test_check_text_unclosed_bracket() -> None:
    findings = check_text("一种新方法（基于预训练。", style=PLAIN)
    assert [f.rule for f in findings] == ["unbalanced"]
    assert "“（”" in findings[0].message


def test_check_text_closer_without_opener_and_mismatched_pair() -> None:
    assert rules("一种方法》。") == ["unbalanced"]
    assert rules("《一种方法】") == ["unbalanced", "unbalanced"]


def test_check_text_nested_pairs_balance() -> None:
    assert rules("他说“《预训练》（2021）很重要”。") == []


def test_check_text_odd_straight_quotes() -> None:
    assert rules('The "model is new.') == ["unbalanced"]
    assert rules('The "model" is new.') == []


# --- spacing ----------------------------------------------------------------------------------


def test_check_text_spacing_with_a_space_preferred() -> None:
    style = HouseStyle(spacing=SPACING_SPACE)
    findings = check_text("使用BERT模型", style=style)
    assert [f.rule for f in findings] == ["spacing", "spacing"]
    assert check_text("使用 BERT 模型", style=style) == []


def test_check_text_spacing_without_space_preferred() -> None:
    style = HouseStyle(spacing=SPACING_NONE)
    assert rules("使用 BERT 模型", style) == ["spacing", "spacing"]
    assert rules("使用BERT模型", style) == []


def test_check_text_spacing_not_checked_by_default() -> None:
    assert HouseStyle().spacing == SPACING_ANY
    assert rules("使用 BERT模型") == []


def test_check_text_spacing_spares_links() -> None:
    style = HouseStyle(spacing=SPACING_SPACE)
    assert rules("代码见 https://github.com/中文/x 。", style) == []


# --- numbers ----------------------------------------------------------------------------------


def test_check_text_long_number() -> None:
    findings = check_text("训练了1000000步。", style=PLAIN)
    assert [f.rule for f in findings] == ["numbers"]
    assert "1000000" in findings[0].message


@pytest.mark.parametrize(
    "text",
    [
        "arXiv 2109.08133 的方法",
        "在20210915发布",
        "1,000,000 步",
        "参数量 7B 和 10x 加速",
        "3.14159",
    ],
)
def test_check_text_numbers_that_read_well(text: str) -> None:
    assert "numbers" not in rules(text)


def test_check_text_number_run_into_a_word() -> None:
    findings = check_text("It is 10times faster.", style=PLAIN)
    assert [f.rule for f in findings] == ["numbers"]
    assert "10times" in findings[0].message


# --- length -----------------------------------------------------------------------------------


def test_check_text_length_of_a_summary() -> None:
    style = HouseStyle(summary_length=(10, 20))
    assert rules("太短了。", style) == ["length"]
    assert rules("这一段简介的长度刚好合适。", style) == []
    findings = check_text("这" * 21, style=style)
    assert "21" in findings[0].message
    assert "20" in findings[0].message


def test_check_text_length_counts_no_white_space() -> None:
    assert rules("a b c d e", HouseStyle(summary_length=(0, 5))) == []


def test_check_text_length_of_a_title_and_a_subject() -> None:
    style = HouseStyle(title_length=(0, 5), subject_length=(2, 0), summary_length=(100, 0))
    assert rules("一个很长的中文标题", style, kind=FIELD_TITLE) == ["length"]
    assert rules("检", style, kind=FIELD_SUBJECT) == ["length"]
    assert rules("检索", style, kind=FIELD_SUBJECT) == []
    assert rules("检索", style, kind=FIELD_SUMMARY) == ["length"]


def test_check_text_findings_are_warnings_with_positions_in_order() -> None:
    text = "我们用了BERT,它很好(非常好。"
    findings = check_text(text, style=HouseStyle(spacing=SPACING_SPACE))
    punctuation = [f.position for f in findings if f.rule == "punctuation"]
    assert punctuation == sorted(punctuation)
    assert all(f.message for f in findings)


# --- the seed's own text ----------------------------------------------------------------------


@needs_example
def test_check_text_on_the_seed_issue_finds_its_half_width_punctuation() -> None:
    """The seed's 14 entries were typed with half-width commas in Chinese text: each summary
    draws punctuation warnings, and one title leaves a bracket open."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    summaries = [line.removeprefix("简介:") for line in lines if line.startswith("简介:")]
    titles = [line.removeprefix("标题:") for line in lines if line.startswith("标题:")]
    assert len(summaries) == len(titles) == 14
    style = HouseStyle(spacing=SPACING_SPACE)
    per_summary = [rules(summary, style) for summary in summaries]
    assert all("punctuation" in found for found in per_summary)
    unbalanced = [title for title in titles if "unbalanced" in rules(title, style)]
    assert len(unbalanced) == 1
    assert re.search(r"\([^)]*$", unbalanced[0])
