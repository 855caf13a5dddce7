"""The publication's voice pages: the house style, the glossary, the prompt and its preview."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from drafting import selectors
from drafting.models import GlossaryTerm, HouseStyleSettings, PromptTemplate
from drafting.prompts import ANSWER_FORM
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_voice_page_saves_the_house_style(publication: Any, editor: Any) -> None:
    url = reverse("drafting:voice", args=[publication.slug])
    client = _client(editor)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"form": "style", "spacing": "none", "summary_min_length": "50", "summary_max_length": ""},
    )
    assert response.status_code == 302
    row = HouseStyleSettings.objects.get(publication=publication)
    assert (row.spacing, row.summary_min_length, row.summary_max_length) == ("none", 50, 0)


def test_voice_page_adds_edits_and_deletes_a_term(publication: Any, editor: Any) -> None:
    client = _client(editor)
    url = reverse("drafting:voice", args=[publication.slug])
    response = client.post(url, {"form": "term", "term": "Transformer", "avoid": "变换器"})
    assert response.status_code == 302
    term = GlossaryTerm.objects.get()
    page = client.get(url).content.decode()
    assert "Transformer" in page
    assert "变换器" in page
    edit = reverse("drafting:glossary-term", args=[publication.slug, term.pk])
    assert client.post(edit, {"term": "Transformer", "avoid": "变压器"}).status_code == 302
    term.refresh_from_db()
    assert term.avoided == ("变压器",)
    delete = reverse("drafting:glossary-term-delete", args=[publication.slug, term.pk])
    assert client.post(delete).status_code == 302
    assert not GlossaryTerm.objects.exists()


def test_voice_page_shows_a_refused_term_with_its_reason(publication: Any, editor: Any) -> None:
    client = _client(editor)
    url = reverse("drafting:voice", args=[publication.slug])
    client.post(url, {"form": "term", "term": "BERT"})
    response = client.post(url, {"form": "term", "term": "bert"})
    assert response.status_code == 400
    assert "The glossary already has" in response.content.decode()
    assert GlossaryTerm.objects.count() == 1


@pytest.mark.parametrize("role", ["contributor", "reviewer"])
def test_voice_pages_refuse_others(publication: Any, role: str, request: Any) -> None:
    client = _client(request.getfixturevalue(role))
    for name in ("drafting:voice", "drafting:prompt"):
        assert client.get(reverse(name, args=[publication.slug])).status_code == 403
    assert (
        client.post(
            reverse("drafting:voice", args=[publication.slug]), {"form": "term", "term": "x"}
        ).status_code
        == 403
    )
    assert not GlossaryTerm.objects.exists()


def test_prompt_page_previews_on_a_sample_paper_and_saves_versions(
    publication: Any, editor: Any
) -> None:
    client = _client(editor)
    url = reverse("drafting:prompt", args=[publication.slug])
    page = client.get(url).content.decode()
    # With no paper in the catalogue, the built-in sample; the default instructions.
    assert selectors.SAMPLE_PAPER.title in page
    assert "weekly digest of research papers" in page
    response = client.post(
        url, {"instructions": "Write for {publication}.", "examples": "0", "action": "preview"}
    )
    assert response.status_code == 200
    system = response.context["preview"][0]["content"]
    assert system.startswith(f"Write for {publication.name_zh or publication.name}.")
    assert system.endswith(ANSWER_FORM)
    assert not PromptTemplate.objects.exists()
    response = client.post(
        url, {"instructions": "Write for {publication}.", "examples": "0", "action": "save"}
    )
    assert response.status_code == 302
    assert PromptTemplate.objects.get().version == 1


def test_prompt_preview_uses_the_newest_paper_with_an_abstract(
    publication: Any, editor: Any
) -> None:
    PaperFactory(title="A Paper of Our Catalogue", abstract="We show things.")
    response = _client(editor).get(reverse("drafting:prompt", args=[publication.slug]))
    user = response.context["preview"][1]["content"]
    assert "A Paper of Our Catalogue" in user
    assert "We show things." in user


def test_editor_home_links_the_voice_page(publication: Any, editor: Any) -> None:
    page = _client(editor).get(reverse("editor:home")).content.decode()
    assert reverse("drafting:voice", args=[publication.slug]) in page


def test_voice_page_turns_drafts_off_and_tells_readers(publication: Any, editor: Any) -> None:
    url = reverse("drafting:voice", args=[publication.slug])
    client = _client(editor)
    client.post(url, {"form": "style", "spacing": "any", "show_draft_note": "on"})
    row = HouseStyleSettings.objects.get(publication=publication)
    assert (row.drafts_enabled, row.show_draft_note) == (False, True)
    client.post(url, {"form": "style", "spacing": "any", "drafts_enabled": "on"})
    row.refresh_from_db()
    assert (row.drafts_enabled, row.show_draft_note) == (True, False)


def test_a_fault_of_the_model_is_told_once_on_the_editor_pages(
    publication: Any, editor: Any
) -> None:
    from drafting.enums import BackendFault
    from drafting.models import BackendProblem

    BackendProblem.objects.create(
        fault=BackendFault.UNAUTHORIZED, message="The language model refused the key (HTTP 401)."
    )
    client = _client(editor)
    for url in (reverse("editor:home"), reverse("drafting:voice", args=[publication.slug])):
        page = client.get(url).content.decode()
        assert page.count("The language model refused the key (HTTP 401).") == 1
    BackendProblem.objects.all().delete()
    page = client.get(reverse("editor:home")).content.decode()
    assert "The language model is not answering" not in page
