"""The statistics pages (a publication's and the site's) and the contributor index: published
figures only, charts that parse with a title and a table, names escaped, both languages, no
style attribute for the CSP to refuse, and a bounded number of queries, cached like the other
published pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client
from django.urls import reverse

from issues.views import statistics as views
from tests.factories import TopicFactory, UserFactory
from tests.issues.test_statistics import World, months_ago
from tests.issues.views.test_reader import _publish
from tests.languages import reverse_in

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
#: A statistics page drawn afresh: the publication, then the figures' eight queries at most.
STATISTICS_QUERIES = 9


@pytest.fixture
def world() -> World:
    return World()


def charts_in(html: str) -> list[Any]:
    """Every chart's SVG, parsed as XML."""
    return [fromstring(svg) for svg in re.findall(r"<svg xmlns=.*?</svg>(?=</div>)", html, re.S)]


def test_publication_statistics_page_draws_its_figures(client: Client, world: World) -> None:
    response = client.get(reverse("issues:publication-statistics", args=["stats-weekly"]))

    assert response.status_code == 200
    html = response.content.decode()
    totals = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))
    assert totals == {
        "Issues": "2",
        "Papers": "4",
        "News items": "1",
        "Contributors": "3",
        "Median days to publication": "10",
    }
    svgs = charts_in(html)
    assert [svg.find(f"{SVG}title").text for svg in svgs] == [
        "Issues published per month",
        "Papers published per month",
        "Papers per topic, by month",
        "Published recommendations per contributor",
        "Recommendations by days from submission to publication",
        "Median days from submission to publication, by month",
    ]
    assert all(svg.get("role") == "img" for svg in svgs)
    assert html.count('<details class="chart-data">') == len(svgs)
    # The ranking links each member; the drafts' and refused recommendations' member and the
    # inactive one are nowhere.
    assert reverse("issues:contributors-detail", args=["alice"]) in html
    assert "Hidden" not in html
    assert "Gone" not in html
    assert "style=" not in html
    assert 'href="/static/issues/statistics.css"' in html


def test_site_statistics_page_adds_every_publication_and_links_each(
    client: Client, world: World
) -> None:
    response = client.get(reverse("issues:statistics"))

    html = response.content.decode()
    assert re.search(r"<dt>Papers</dt><dd>5</dd>", html)
    assert reverse("issues:publication-statistics", args=["stats-weekly"]) in html
    assert reverse("issues:publication-statistics", args=["other-weekly"]) in html


def test_publication_page_links_its_statistics(client: Client, world: World) -> None:
    html = client.get(reverse("issues:publication-detail", args=["stats-weekly"])).content.decode()

    assert reverse("issues:publication-statistics", args=["stats-weekly"]) in html


def test_statistics_page_of_an_unknown_publication_is_not_found(client: Client, db: None) -> None:
    response = client.get(reverse("issues:publication-statistics", args=["nowhere"]))

    assert response.status_code == 404


def test_statistics_page_before_any_issue_says_so(client: Client, db: None) -> None:
    response = client.get(reverse("issues:statistics"))

    assert "No issue has been published yet." in response.content.decode()
    assert charts_in(response.content.decode()) == []


def test_statistics_page_escapes_member_names(client: Client, world: World) -> None:
    world.alice.display_name = SCRIPT
    world.alice.save()

    html = client.get(reverse("issues:statistics")).content.decode()

    assert SCRIPT not in html
    assert ESCAPED in html
    ranking = next(
        svg
        for svg in charts_in(html)
        if svg.get("aria-labelledby").startswith("chart-contributors")
    )
    assert SCRIPT in [
        rect.find(f"{SVG}title").text.rsplit(":", 1)[0] for rect in ranking.iter(f"{SVG}rect")
    ]


def test_statistics_page_in_chinese(client: Client, world: World) -> None:
    response = client.get(
        reverse_in("zh-hans", "issues:publication-statistics", args=["stats-weekly"])
    )

    html = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in html
    # The topic is named in Chinese where it has a Chinese name, in the legend and the table.
    assert '<th scope="col">语言</th>' in html


def test_statistics_pages_cost_a_bounded_number_of_queries_then_none(
    client: Client, world: World, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    for n in range(3, 10):
        issue = world.issue(world.publication, months_ago(n))
        for _ in range(3):
            world.entry(issue, UserFactory(), None, waited=n)
    url = reverse("issues:publication-statistics", args=["stats-weekly"])

    with django_assert_max_num_queries(STATISTICS_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        cached = client.get(url)
    assert cached.status_code == 200
    assert cached["Cache-Control"].startswith("public")


def test_contributor_index_lists_published_members_with_counts(
    client: Client, world: World
) -> None:
    html = client.get(reverse("issues:contributor-index")).content.decode()

    found = re.findall(
        r'<li><a href="/en/contributors/([^/]+)/">([^<]+)</a>\s*<span class="count">([^<]+)</span>',
        html,
    )
    assert found == [
        ("alice", "Alice", "3 published recommendations"),
        ("bob", "Bob", "2 published recommendations"),
        ("carol", "Carol", "1 published recommendation"),
    ]


def test_contributor_index_is_paginated(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "CONTRIBUTOR_PAGE_SIZE", 2)

    first = client.get(reverse("issues:contributor-index")).content.decode()
    second = client.get(reverse("issues:contributor-index"), {"page": "2"}).content.decode()

    assert "/en/contributors/alice/" in first
    assert "/en/contributors/bob/" in first
    assert "/en/contributors/carol/" not in first
    assert 'rel="next" href="?page=2"' in first
    assert "/en/contributors/carol/" in second
    assert '<ol class="archive contributor-index" start="3">' in second
    assert "Page 2 of 2" in second


def test_footer_links_the_contributors_and_the_statistics(client: Client, db: None) -> None:
    html = client.get(reverse("issues:home")).content.decode()

    footer = html[html.index('<footer class="site-footer">') :]
    assert f'href="{reverse("issues:contributor-index")}"' in footer
    assert f'href="{reverse("issues:statistics")}"' in footer


def test_contributor_page_draws_their_history(client: Client, world: World) -> None:
    html = client.get(reverse("issues:contributors-detail", args=["alice"])).content.decode()

    (svg,) = charts_in(html)
    assert svg.find(f"{SVG}title").text == "Published recommendations per month"
    bars = [rect.find(f"{SVG}title").text for rect in svg.iter(f"{SVG}rect")]
    assert [bar.split(": ")[1] for bar in bars] == ["2", "0", "1"]
    first = months_ago(2).strftime("%Y-%m")
    assert f"3 recommendations published since {first}." in html
    assert '<details class="chart-data">' in html
    assert "style=" not in html


def test_contributor_page_of_a_co_recommender_counts_the_credit(
    client: Client, world: World
) -> None:
    html = client.get(reverse("issues:contributors-detail", args=["carol"])).content.decode()

    assert "1 recommendation published since" in html
    assert len(charts_in(html)) == 1


def test_contributor_page_without_publications_draws_nothing(client: Client, world: World) -> None:
    html = client.get(reverse("issues:contributors-detail", args=["hidden"])).content.decode()

    assert charts_in(html) == []
    assert 'id="history-heading"' not in html


def test_contributor_page_in_chinese_escapes_and_draws(client: Client, world: World) -> None:
    world.alice.display_name = SCRIPT
    world.alice.save()
    html = client.get(
        reverse_in("zh-hans", "issues:contributors-detail", args=["alice"])
    ).content.decode()

    assert '<html lang="zh-hans">' in html
    assert SCRIPT not in html
    assert len(charts_in(html)) == 1


def test_quarters_are_named_in_the_readers_language(client: Client, world: World) -> None:
    old = world.issue(world.publication, months_ago(20))
    world.entry(old, world.bob, world.language, waited=1)

    html = client.get(
        reverse("issues:publication-statistics", args=["stats-weekly"])
    ).content.decode()

    assert "Papers per topic, by quarter" in html
    first = months_ago(20)
    assert f'<th scope="row">{first.year} Q{(first.month - 1) // 3 + 1}</th>' in html


def test_statistics_page_says_the_median_wait(client: Client, world: World) -> None:
    html = client.get(reverse("issues:statistics")).content.decode()

    # Six entries waited 10, 20, 3, 40, 2 and 5 days: half waited at most 7.5.
    assert (
        "Half of the 6 latest published recommendations waited at most 7.5 days from "
        "submission to publication."
    ) in html


def test_site_statistics_count_a_topic_of_every_publication_together(
    client: Client, world: World
) -> None:
    vision = TopicFactory(publication=world.other, slug="vision", name_en="Vision")
    sight = TopicFactory(publication=world.other, slug="sight", name_en="Vision")
    world.entry(world.elsewhere, world.bob, vision, waited=1)
    world.entry(world.elsewhere, world.bob, sight, waited=1)

    html = client.get(reverse("issues:statistics")).content.decode()

    # The two publications' "vision" are one line, from the other topic of that name apart.
    assert re.findall(r'<th scope="col">(Vision[^<]*)</th>', html) == [
        "Vision (vision)",
        "Vision (sight)",
    ]
    assert '<th scope="row">' + months_ago(1).strftime("%Y-%m") + "</th><td>1</td>" in html


def test_statistics_page_changes_when_an_issue_is_published(
    client: Client, publication: Any, editor: Any, contributor: Any
) -> None:
    url = reverse("issues:publication-statistics", args=[publication.slug])
    _publish(publication, editor, [{"submitter": contributor}])
    before = client.get(url).content.decode()
    assert "<dt>Issues</dt><dd>1</dd>" in before
    assert client.get(url).content.decode() == before  # from the cache

    _publish(publication, editor, [{"submitter": contributor}, {"submitter": contributor}])

    after = client.get(url).content.decode()
    assert "<dt>Issues</dt><dd>2</dd>" in after
    assert "<dt>Papers</dt><dd>3</dd>" in after
    assert "3 published recommendations" in after
