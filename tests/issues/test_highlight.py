"""The search's marks (``issues/highlight.py``): the query's words marked in a plain text that is
escaped first, whatever the text and the query hold, in bounded work."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from issues.highlight import (
    MARKED_TEXT_LENGTH,
    TEASER_LENGTH,
    excerpt,
    highlight,
    query_terms,
)
from papers.selectors import SEARCH_MAX_LENGTH, SEARCH_MAX_WORDS


@pytest.mark.parametrize(
    ("text", "query", "marked"),
    [
        # English: case-insensitive, from the start of a word to its end.
        ("Dense Passage Retrieval", "retrieval", "Dense Passage <mark>Retrieval</mark>"),
        ("Models model remodel", "MODEL", "<mark>Models</mark> <mark>model</mark> remodel"),
        ("Dense passage", "dense passage", "<mark>Dense</mark> <mark>passage</mark>"),
        ("BM25-based dual encoders", "bm25", "<mark>BM25</mark>-based dual encoders"),
        # The longer of two terms wins where both match.
        ("pretraining", "pre pretraining", "<mark>pretraining</mark>"),
        # Chinese (and any CJK run): a substring, wherever it is.
        ("稠密段落检索", "检索", "稠密段落<mark>检索</mark>"),
        ("稠密段落检索", "稠密 检索", "<mark>稠密</mark>段落<mark>检索</mark>"),
        # Mixed scripts, with no space between them.
        (
            "BERT预训练模型",
            "bert 预训练",
            "<mark>BERT</mark><mark>预训练</mark>模型",
        ),
        ("预训练BERT", "BERT预训练", "<mark>预训练</mark><mark>BERT</mark>"),
        # The search's operators and excluded words are not marked, nor one-letter words.
        ("dense or sparse", "dense or -sparse", "<mark>dense</mark> or sparse"),
        ("a b c", "a b c", "a b c"),
        # No term at all: the text escaped.
        ("plain", "", "plain"),
        ("plain", "!!! ...", "plain"),
    ],
)
def test_highlight_marks_the_query_words(text: str, query: str, marked: str) -> None:
    assert highlight(text, query) == marked


def test_highlight_escapes_the_text_first() -> None:
    result = highlight('<b>Bold</b> retrieval & "quotes" <script>alert(1)</script>', "retrieval")

    assert isinstance(result, SafeString)
    assert result == (
        "&lt;b&gt;Bold&lt;/b&gt; <mark>retrieval</mark> &amp; &quot;quotes&quot; "
        "&lt;script&gt;alert(1)&lt;/script&gt;"
    )


@pytest.mark.parametrize(
    ("text", "query", "marked"),
    [
        # The words of the escaped forms are never marked: the text is cut before escaping.
        ("a & b", "amp", "a &amp; b"),
        ("a < b > c", "lt gt", "a &lt; b &gt; c"),
        ('say "quot"', "quot", "say &quot;<mark>quot</mark>&quot;"),
        # A query of markup is words like any other, never markup.
        ("<b>bold</b>", "<b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("<b>bold</b>", "<b>bold</b>", "&lt;b&gt;<mark>bold</mark>&lt;/b&gt;"),
        ("the script tag", "<script>", "the <mark>script</mark> tag"),
        ("mark this", "<mark>", "<mark>mark</mark> this"),
    ],
)
def test_highlight_never_marks_inside_markup(text: str, query: str, marked: str) -> None:
    assert highlight(text, query) == marked


@pytest.mark.parametrize(
    "query",
    ["a|b(", "(?i)", ".*", "[", "\\", "\\d+", "c++", "x{9}", "(((", "$^", "*?+", "\x00"],
)
def test_highlight_takes_regex_metacharacters_literally(query: str) -> None:
    text = "a|b( c++ (?i) .* [ \\ x{1000} $^ *?+ words"
    result = highlight(text, query)

    # Nothing in the query is a pattern: the text comes back escaped, marked where it holds
    # the query's words (here "c", "i", "d", "x" are one letter: nothing).
    assert result.replace("<mark>", "").replace("</mark>", "") == highlight(text, "")
    assert "<mark>" not in result


def test_highlight_marks_a_literal_word_among_metacharacters() -> None:
    assert highlight("foo|bar baz", "foo|bar") == "<mark>foo</mark>|<mark>bar</mark> baz"


def test_highlight_work_is_bounded_for_a_hostile_query() -> None:
    # A query far beyond the page's limit, of many distinct words in both scripts.
    words = " ".join(f"w{i}x" for i in range(5000))
    runs = "".join(f"{chr(0x4E00 + i)}a" for i in range(5000))
    query = words + " " + runs

    latin, cjk = query_terms(query)
    assert len(latin) <= SEARCH_MAX_WORDS
    assert len(cjk) <= SEARCH_MAX_WORDS
    assert sum(map(len, latin + cjk)) <= SEARCH_MAX_LENGTH
    # And a text far beyond a title: marked in its head, escaped in full.
    text = "w1x <b> " * 5000
    result = highlight(text, query)
    assert result.count("<mark>") == len(text[:MARKED_TEXT_LENGTH].split("w1x")) - 1
    assert "<b>" not in result
    assert result.count("&lt;b&gt;") == 5000


def test_highlight_through_the_template_filters() -> None:
    template = Template(
        "{% load highlighting %}{{ title|highlight:query }}|{{ summary|search_teaser:query }}"
    )
    out = template.render(
        Context({"title": "<i>Retrieval</i>", "summary": "检索 works", "query": "retrieval 检索"})
    )

    assert out == "&lt;i&gt;<mark>Retrieval</mark>&lt;/i&gt;|<mark>检索</mark> works"


def test_excerpt_keeps_a_short_text_whole() -> None:
    assert excerpt("Short text.", "text") == "Short text."


def test_excerpt_cuts_a_long_text_at_its_start_when_the_match_is_near() -> None:
    text = "retrieval " + "word " * 100
    cut = excerpt(text, "retrieval")

    assert cut.startswith("retrieval word")
    assert cut.endswith("…")
    assert len(cut) <= TEASER_LENGTH


@pytest.mark.parametrize(
    ("text", "query", "found"),
    [
        ("word " * 100 + "the retrieval step " + "tail " * 100, "retrieval", "retrieval"),
        ("很长的摘要" * 100 + "稠密检索" + "结尾" * 200, "稠密检索", "稠密检索"),
    ],
    ids=["english", "chinese"],
)
def test_excerpt_shows_the_first_match_of_a_long_text(text: str, query: str, found: str) -> None:
    cut = excerpt(text, query)

    assert found in cut
    assert cut.startswith("…")
    assert cut.endswith("…")
    assert len(cut) <= TEASER_LENGTH
