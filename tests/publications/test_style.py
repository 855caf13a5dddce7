"""Tests of the style's template language: placeholders, optional parts, the errors named."""

from __future__ import annotations

import pytest

from publications import style


def test_render_fills_placeholders_and_drops_optional_parts_with_an_empty_one() -> None:
    template = "{papers} papers[[, on {subjects}]].[[ News: {news}.]]"
    assert style.render(template, {"papers": "3", "subjects": "retrieval"}) == (
        "3 papers, on retrieval."
    )


def test_render_never_reads_a_value_as_a_template() -> None:
    assert style.render("[[by {names}]] {names}", {"names": "{names} [[x]]"}) == (
        "by {names} [[x]] {names} [[x]]"
    )


def test_render_block_drops_lines_that_come_out_empty_and_double_blanks() -> None:
    template = "# {title}\n\n[[Code: {code}]]\n\nLink: {url}"
    assert style.render_block(template, {"title": "T", "url": "u"}) == "# T\n\nLink: u"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Hello {nmaes}", "Unknown placeholder {nmaes}: use {names}."),
        ("Hello [[{names}", "Every “[[” needs its “]]”, and they cannot be nested."),
        ("[[a [[{names}]] b]]", "Every “[[” needs its “]]”, and they cannot be nested."),
        ("Hello {names", "A “{” or “}” has no partner: write placeholders as {name}."),
    ],
)
def test_check_template_names_what_is_wrong(template: str, message: str) -> None:
    with pytest.raises(style.TemplateError) as raised:
        style.check_template(template, ["names"])
    assert str(raised.value) == message


def test_every_default_template_passes_its_own_check() -> None:
    defaults = {
        "intro_template_zh": style.INTRO_TEMPLATE_ZH,
        "intro_template_en": style.INTRO_TEMPLATE_EN,
        "credit_template": style.CREDIT_TEMPLATE,
        "header_template": style.HEADER_TEMPLATE,
        "entry_template": style.ENTRY_TEMPLATE,
    }
    for name, template in defaults.items():
        style.check_template(template, style.PLACEHOLDERS[name])


def test_join_zh_joins_the_last_two_with_the_word_given() -> None:
    assert style.join_zh(["a", "b", "c"], "和") == "a、b和c"
    assert style.join_zh(["a", "b"]) == "a、b"
    assert style.join_zh(["a"], "和") == "a"


def test_parse_list_refuses_unknown_and_repeated_names() -> None:
    assert style.parse_list(" AMiner, arxiv ", style.LINK_SOURCES, what="sources") == [
        "aminer",
        "arxiv",
    ]
    for value in ("aminer, scholar", "arxiv, arxiv", ""):
        with pytest.raises(style.TemplateError, match="once each"):
            style.parse_list(value, style.LINK_SOURCES, what="sources")
