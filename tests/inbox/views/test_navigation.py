"""Where the inbox is linked from, and where it is not: a publication's page for its signed-in
members, the editor's home for its editors; never for anonymous readers, nor in the sitemap,
and crawlers are told to keep out (robots.txt)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from inbox.models import Candidate
from issues.sitemaps import SITEMAPS
from publications.models import Publication
from tests.factories import IssueEntryFactory, IssueFactory
from tests.factories.inbox import CandidateFactory
from tests.inbox.views.conftest import signed_in
from tests.languages import reverse_in

pytestmark = pytest.mark.django_db


def test_publication_page_links_the_inbox_for_members_only(
    publication: Publication, contributor: Any
) -> None:
    inbox = reverse("inbox:inbox", args=[publication.slug])
    page = reverse("issues:publication-detail", args=[publication.slug])

    anonymous = Client().get(page).content.decode()
    member = signed_in(contributor).get(page).content.decode()

    assert inbox not in anonymous
    assert f'<a href="{inbox}">Inbox of candidates</a>' in member


def test_editor_home_links_the_inbox_and_the_watches(publication: Publication, editor: Any) -> None:
    response = signed_in(editor).get(reverse("editor:home"))

    page = response.content.decode()
    assert reverse("inbox:inbox", args=[publication.slug]) in page
    assert reverse("inbox:watches", args=[publication.slug]) in page


def test_robots_txt_disallows_the_inbox_in_every_language(
    db: None, publication: Publication
) -> None:
    lines = Client().get("/robots.txt").content.decode().splitlines()

    for language in ("en", "zh-hans"):
        inbox = reverse_in(language, "inbox:inbox", args=[publication.slug])
        assert f"Disallow: {inbox.replace(publication.slug, '*')}" in lines


def test_the_sitemap_leaves_the_inbox_out(publication: Publication) -> None:
    issue = IssueFactory(publication=publication, published=True)
    candidate: Candidate = CandidateFactory(publication=publication)
    IssueEntryFactory(issue=issue)
    client = Client()

    for section in SITEMAPS:
        body = client.get(reverse("sitemap-section", args=[section])).content.decode()
        assert "/inbox/" not in body, section
        assert reverse("inbox:inbox", args=[candidate.publication.slug]) not in body
