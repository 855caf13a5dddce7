"""Markdown rendering with one converter reused per thread (``common.markup``)."""

from __future__ import annotations

import threading

from common import markup


def test_reused_converter_renders_like_a_new_one() -> None:
    import markdown

    texts = ["**bold** and [a link](https://example.org)", "- one\n- two", "", "<b>raw</b>"]
    for text in texts * 2:
        fresh = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
        assert markup.render_markdown(text) == markup.clean(fresh)


def test_reference_links_of_one_text_do_not_reach_the_next() -> None:
    defined = markup.render_markdown("[paper][p]\n\n[p]: https://example.org/paper")
    after = markup.render_markdown("[paper][p]")

    assert 'href="https://example.org/paper"' in defined
    assert "href" not in after


def test_converter_is_one_per_thread() -> None:
    converters = []

    def convert() -> None:
        markup.render_markdown("*x*")
        converters.append(markup._converter())

    threads = [threading.Thread(target=convert) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    markup.render_markdown("*x*")

    assert markup._converter() is markup._converter()
    assert len({id(c) for c in converters} | {id(markup._converter())}) == 4
