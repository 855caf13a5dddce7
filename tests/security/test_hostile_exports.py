"""The Markdown and BibTeX exports of an issue, attacked through what they are built from.

The Markdown export is pasted into blog platforms, which render it as it is: it is rendered here
by Python-Markdown, commonmark (commonmark.py) and markdown-it-py, and the HTML must run nothing
(``test_escaping.markup_problems``). The BibTeX export is read by BibTeX, which counts braces
whatever the backslashes: it is parsed here by pybtex in strict mode and by bibtexparser, and
must hold exactly the issue's papers with their fields.
"""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from issues.models import Recommendation
from papers.models import Paper

pytestmark = pytest.mark.django_db

#: Links that break out of the Markdown export's ``<…>`` and of an HTML attribute.
BREAKOUT_LINKS = [
    'https://github.com/a/b"><script>alert(1)</script>',
    'https://github.com/a/b>"onmouseover="alert(1)',
    "https://example.org/{x}|^`\\",
]
LINK_REFUSAL = (
    "This link holds characters a web address may not contain as they are: "
    "{characters}. Copy the address from the browser's address bar, which encodes them."
)


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("kind", "field"), [("paper", "code_url"), ("news", "news_url")], ids=["code", "news"]
)
@pytest.mark.parametrize("link", BREAKOUT_LINKS, ids=["script", "attribute", "unsafe"])
def test_link_with_breakout_characters_is_refused_alike_by_form_and_api(
    client: Client, publication: Any, contributor: Any, kind: str, field: str, link: str
) -> None:
    body = {"publication": publication.slug, "summary": "A fine item.", field: link}
    if kind == "paper":
        body["identifier"] = "2109.08133"
    else:
        body.update(kind="news", news_title="A workshop")
    characters = " ".join(dict.fromkeys(c for c in link if c in '"<>{}|\\^`'))
    message = LINK_REFUSAL.format(characters=characters)

    api = _api(contributor).post("/api/v1/recommendations/", body, format="json")
    client.force_login(contributor)
    form_url = reverse("submissions:paper-create" if kind == "paper" else "submissions:news-create")
    form = client.post(form_url, {**body, "action": "submit"})

    assert api.status_code == 400, api.content
    assert api.json()["error"]["message"] == message
    assert api.json()["error"]["fields"] == {field: [message]}
    assert form.status_code == 200
    assert message in html.unescape(form.content.decode())
    assert not Recommendation.objects.exists()
    assert not Paper.objects.exists()
