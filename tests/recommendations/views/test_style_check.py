"""The house-style check beside the summary and the Chinese title: while writing (with the
preview), on the edit forms, and in review."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from drafting import services as drafting_services
from drafting.enums import Spacing
from recommendations.forms.recommendations import EntryRevisionForm, RecommendationEditForm
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db

PREVIEW_URL = reverse("recommendations:preview")


@pytest.fixture
def voice(publication: Any, editor: Any) -> None:
    drafting_services.set_house_style(
        publication, by=editor, spacing=Spacing.SPACE, summary_max_length=30
    )
    drafting_services.add_glossary_term(
        publication, by=editor, term="pretraining", translation="预训练", avoid="预先训练"
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _findings(response: Any) -> list[tuple[str, str]]:
    return [
        (field, finding.rule)
        for field, found in response.context["style_findings"].items()
        for finding in found
    ]


def test_preview_checks_summary_and_title_against_the_publications_style(
    voice: None, publication: Any, contributor: Any
) -> None:
    response = _client(contributor).post(
        PREVIEW_URL,
        {
            "publication": publication.slug,
            "summary": "本文提出了预先训练的方法,用于BERT模型。",
            "title_zh": "一种新方法(基于检索",
        },
    )
    assert response.status_code == 200
    assert sorted(_findings(response)) == [
        ("summary", "glossary"),
        ("summary", "punctuation"),
        ("summary", "spacing"),
        ("summary", "spacing"),
        ("title_zh", "punctuation"),
        ("title_zh", "unbalanced"),
    ]
    html = response.content.decode()
    assert "House style (warnings: you decide)" in html
    assert "this publication writes “预训练”" in html


def test_preview_of_clean_text_shows_no_warning(
    voice: None, publication: Any, contributor: Any
) -> None:
    response = _client(contributor).post(
        PREVIEW_URL, {"publication": publication.slug, "summary": "本文提出了预训练的方法。"}
    )
    assert response.context["style_findings"] == {}
    assert "House style" not in response.content.decode()


def test_preview_by_publication_id_as_the_edit_forms_send_it(
    voice: None, publication: Any, contributor: Any
) -> None:
    response = _client(contributor).post(
        PREVIEW_URL,
        {
            "style_publication": str(publication.pk),
            "preview_field": "entry-7-summary",
            "entry-7-summary": "很长的简介" * 10,
        },
    )
    assert _findings(response) == [("summary", "length")]


def test_edit_forms_send_their_publication_with_the_preview(publication: Any) -> None:
    recommendation = RecommendationFactory(publication=publication)
    for form in (
        RecommendationEditForm(recommendation=recommendation),
        EntryRevisionForm(recommendation=recommendation),
    ):
        for name in ("summary", "title_zh"):
            attrs = form.fields[name].widget.attrs
            assert attrs["hx-post"] == PREVIEW_URL
            assert json.loads(attrs["hx-vals"])["style_publication"] == publication.pk


def test_review_page_shows_the_findings_with_the_papers_english(
    voice: None, publication: Any, reviewer: Any
) -> None:
    recommendation = RecommendationFactory(
        publication=publication,
        summary="本文研究了预先训练。",
        paper__abstract="We study pretraining.",
    )
    response = _client(reviewer).get(reverse("review:recommendation", args=[recommendation.pk]))
    assert response.status_code == 200
    # The variant to avoid, and the abstract's term not rendered as the glossary says.
    assert _findings(response) == [("summary", "glossary"), ("summary", "glossary")]
    assert "which this publication writes “预训练”" in response.content.decode()
