"""RSS 2.0 and Atom feeds of what has been published.

A publication's feed has one item per issue, the whole issue; a topic's feed has one item per
paper recommended under that topic, from the issues of every publication.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from common.links import site_url
from issues import caching, selectors
from issues.models import Issue
from issues.selectors import EntryContent
from issues.views.reader import issue_context
from publications.models import Publication, Topic

FEED_LENGTH = 20
#: Items are single papers, so a topic's feed holds more of them than a publication's.
TOPIC_FEED_LENGTH = 50


class PublishedFeed(Feed):
    """A feed changes only when an issue is published or corrected: served from the cache."""

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        render = functools.partial(super().__call__, request, *args, **kwargs)
        return caching.cached_document(request, render)


class IssueFeed(PublishedFeed):
    description_template = "issues/feed_issue.html"

    def get_object(self, request: HttpRequest, slug: str) -> Publication:
        return get_object_or_404(Publication, slug=slug)

    def title(self, publication: Publication) -> str:
        return publication.name

    def link(self, publication: Publication) -> str:
        return reverse("issues:publication-detail", args=[publication.slug])

    def description(self, publication: Publication) -> str:
        return publication.description or publication.name

    def items(self, publication: Publication) -> list[Issue]:
        # Every item's entries and errata in a few queries for the whole feed, not per item.
        issues = list(
            selectors.published_issues(publication).prefetch_related("corrections")[:FEED_LENGTH]
        )
        contents = selectors.contents_of_issues(issues)
        for issue in issues:
            issue.feed_contents = contents[issue.pk]
        return issues

    def item_title(self, issue: Issue) -> str:
        return f"#{issue.number} {issue.title}".strip()

    def item_link(self, issue: Issue) -> str:
        return issue.get_absolute_url()

    def item_guid(self, issue: Issue) -> str:
        # Absolute on the canonical address, like the topic feed's: one issue, one guid.
        return site_url(issue.get_absolute_url())

    def item_pubdate(self, issue: Issue) -> Any:
        return issue.published_at

    def item_updateddate(self, issue: Issue) -> Any:
        return issue.updated_at

    def item_author_name(self, issue: Issue) -> str:
        return issue.credits or None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item = kwargs["item"]
        context.update(issue_context(item, item.feed_contents))
        return context


class AtomIssueFeed(IssueFeed):
    feed_type = Atom1Feed
    subtitle = IssueFeed.description


def entry_url(content: EntryContent) -> str:
    """The entry's place on its issue's page: stable, so it also serves as the item's guid."""
    return f"{content.entry.issue.get_absolute_url()}#entry-{content.entry.pk}"


class TopicFeed(PublishedFeed):
    """The papers recommended under one topic, newest issue first, across publications."""

    description_template = "issues/feed_topic_entry.html"

    def get_object(self, request: HttpRequest, publication: str, slug: str) -> Topic:
        return get_object_or_404(
            Topic.objects.select_related("publication"), publication__slug=publication, slug=slug
        )

    def title(self, topic: Topic) -> str:
        return str(topic)

    def link(self, topic: Topic) -> str:
        return reverse("issues:topic-detail", args=[topic.publication.slug, topic.slug])

    def feed_guid(self, topic: Topic) -> str:
        # Atom's feed id: the canonical address of the feed itself, whatever host was asked.
        return site_url(
            reverse("issues:topic-feed-atom", args=[topic.publication.slug, topic.slug])
        )

    def description(self, topic: Topic) -> str:
        return topic.description or f"Papers recommended under {topic.name_en}."

    def items(self, topic: Topic) -> list[EntryContent]:
        return selectors.published_entries_of_topic(topic, TOPIC_FEED_LENGTH)

    def item_title(self, content: EntryContent) -> str:
        return content.title

    def item_link(self, content: EntryContent) -> str:
        return entry_url(content)

    def item_guid(self, content: EntryContent) -> str:
        # Django leaves a guid as given, so it is made absolute here, on the canonical address
        # rather than the request's host: one entry stays one item however the feed was reached.
        return site_url(entry_url(content))

    def item_pubdate(self, content: EntryContent) -> Any:
        return content.entry.issue.published_at

    def item_updateddate(self, content: EntryContent) -> Any:
        return content.entry.issue.updated_at

    def item_author_name(self, content: EntryContent) -> str | None:
        return content.contributor.public_name if content.contributor else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        content: EntryContent = kwargs["item"]
        issue = content.entry.issue
        # Feed readers resolve no relative links reliably: the one back to the site is absolute.
        context.update(
            entry=content,
            issue=issue,
            publication=issue.publication,
            issue_url=kwargs["request"].build_absolute_uri(entry_url(content)),
        )
        return context


class AtomTopicFeed(TopicFeed):
    feed_type = Atom1Feed
    subtitle = TopicFeed.description
