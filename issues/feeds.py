"""RSS 2.0 and Atom feeds of a publication's published issues, each item the whole issue."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from issues import selectors
from issues.models import Issue, Publication
from issues.views import issue_context

FEED_LENGTH = 20


class IssueFeed(Feed):
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
        return issue.get_absolute_url()

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
