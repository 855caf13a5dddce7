"""The statistics pages, the contributor index and a contributor's history in a real browser, at
1280 and 375 px, in both languages: the charts are drawn (an SVG image named by its title), their
tables open from the keyboard-reachable summary, nothing scrolls the page sideways, and (the
``page`` fixture) no console error and no request to another host."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.browser.helpers import Seeded, horizontal_overflow, language_of, use_language

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375)
LANGUAGES = ("en", "zh-hans")


def _pages(seeded: Seeded) -> list[tuple[str, int]]:
    """Each new page, with how many charts it draws for the seeded issue."""
    return [
        (reverse("issues:statistics"), 6),
        (reverse("issues:publication-statistics", args=[seeded.publication.slug]), 6),
        (reverse("issues:contributor-index"), 0),
        (reverse("issues:contributors-detail", args=[seeded.contributor.username]), 1),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_statistics_pages_draw_their_charts(
    page: Any, seeded: Seeded, width: int, language: str
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    use_language(page, language)
    for url, charts in _pages(seeded):
        page.goto(url)
        assert language_of(page) == language
        images = page.locator("svg.chart-svg[role=img]")
        assert images.count() == charts, url
        for index in range(charts):
            image = images.nth(index)
            assert image.is_visible()
            assert image.get_attribute("aria-labelledby").endswith("-desc")
            box = image.bounding_box()
            assert box["width"] > 200
            # Drawn at its own proportions, neither squashed nor stretched (a ranking of one
            # contributor is one short row).
            _x, _y, view_width, view_height = map(float, image.get_attribute("viewBox").split())
            assert abs(box["height"] - box["width"] * view_height / view_width) < 2, (url, box)
            assert box["height"] > 30, (url, index, box)
        assert horizontal_overflow(page) == 0, url


def test_a_charts_table_opens(page: Any, seeded: Seeded) -> None:
    page.goto(reverse("issues:publication-statistics", args=[seeded.publication.slug]))
    figure = page.locator("figure#chart-papers")
    table = figure.locator("table")
    assert not table.is_visible()

    figure.locator("summary").click()

    assert table.is_visible()
    assert table.locator("tbody tr").last.locator("td").inner_text() == "2"


def test_the_contributor_index_links_each_member(page: Any, seeded: Seeded) -> None:
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Contributors").click()
    page.get_by_role("link", name=seeded.contributor.public_name).click()

    page.wait_for_url(f"**{seeded.contributor.get_absolute_url()}")
    assert page.get_by_role("img", name="Published recommendations per month").is_visible()
