"""The short forms a model's draft proposed, shown on the page of institutions without a Chinese
short form (``issues/views/glossary.py``) and taken by the glossary only when an editor names
the institution."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from drafting.enums import DraftStatus
from drafting.models import Draft
from papers.models import Institution, InstitutionGlossaryChange, InstitutionGlossaryEntry
from tests.factories import PaperFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

UNNAMED = reverse("editor:institutions-unnamed")
MODEL = "qwen2.5:7b"


@pytest.fixture
def drafting_on(settings: Any) -> None:
    settings.LLM_API_URL = "http://127.0.0.1:9/v1"
    settings.LLM_MODEL = MODEL


@pytest.fixture
def proposed(publication: Any) -> dict[str, Institution]:
    """A recommended paper by two unnamed labs, whose ready draft proposes a short form for one
    of them; another recommended paper by a third lab, without a draft."""
    paper = PaperFactory(institutions=["Lab of Nowhere", "Odd Lab"])
    RecommendationFactory(publication=publication, paper=paper)
    RecommendationFactory(publication=publication, paper=PaperFactory(institutions=["Far Lab"]))
    Draft.objects.create(
        publication=publication,
        paper=paper,
        status=DraftStatus.READY,
        model=MODEL,
        institutions=[{"name": "Lab of Nowhere", "short_zh": "无名实验室"}],
    )
    return {i.name: i for i in Institution.objects.all()}


def _proposals(response: HttpResponse) -> dict[str, str]:
    return {
        row["institution"].name: row["proposal"].short_zh
        for row in response.context["rows"]
        if row["proposal"] is not None
    }


def _row(page: str, institution: Institution) -> str:
    start = page.index(f'id="institution-{institution.pk}"')
    return page[start : page.index("</tr>", start)]


def test_the_proposal_fills_the_form_of_its_institution_only(
    client: Client, editor: Any, drafting_on: None, proposed: dict[str, Institution]
) -> None:
    client.force_login(editor)
    response = client.get(UNNAMED)
    assert response.status_code == 200
    assert _proposals(response) == {"Lab of Nowhere": "无名实验室"}
    page = response.content.decode()
    row = _row(page, proposed["Lab of Nowhere"])
    assert 'value="无名实验室"' in row
    assert "Draft" in row
    assert f"Proposed by the language model {MODEL}" in row
    for other in ("Odd Lab", "Far Lab"):
        assert "无名实验室" not in _row(page, proposed[other])
        assert MODEL not in _row(page, proposed[other])
    # Shown, not written: the glossary has no entry until the editor names the lab.
    assert not InstitutionGlossaryEntry.objects.filter(name="Lab of Nowhere").exists()
    assert not InstitutionGlossaryChange.objects.exists()


def test_accepting_the_proposal_in_one_post_writes_the_entry_and_its_audit(
    client: Client, editor: Any, drafting_on: None, proposed: dict[str, Institution]
) -> None:
    client.force_login(editor)
    lab = proposed["Lab of Nowhere"]
    response = client.post(
        UNNAMED, {"institution": lab.pk, "short_zh": "无名实验室", "short_en": ""}, follow=True
    )
    assert response.redirect_chain == [(UNNAMED, 302)]
    entry = InstitutionGlossaryEntry.objects.get(name="Lab of Nowhere")
    assert (entry.short_zh, entry.updated_by) == ("无名实验室", editor)
    change = InstitutionGlossaryChange.objects.get(entry=entry)
    assert (change.changed_by, change.after["short_zh"]) == (editor, "无名实验室")
    assert change.note == f"Named Lab of Nowhere (as proposed by the language model {MODEL})"
    assert [row["institution"].name for row in response.context["rows"]] == ["Far Lab", "Odd Lab"]
    assert _proposals(response) == {}


def test_an_edited_proposal_stores_the_edited_text(
    client: Client, editor: Any, drafting_on: None, proposed: dict[str, Institution]
) -> None:
    client.force_login(editor)
    lab = proposed["Lab of Nowhere"]
    response = client.post(UNNAMED, {"institution": lab.pk, "short_zh": "无名所"})
    assert response.status_code == 302
    entry = InstitutionGlossaryEntry.objects.get(name="Lab of Nowhere")
    assert entry.short_zh == "无名所"
    change = InstitutionGlossaryChange.objects.get(entry=entry)
    assert change.after["short_zh"] == "无名所"
    assert change.note == (
        f"Named Lab of Nowhere (edited from 无名实验室, proposed by the language model {MODEL})"
    )
    assert not InstitutionGlossaryEntry.objects.filter(short_zh="无名实验室").exists()


def test_a_refused_post_keeps_what_the_editor_typed_over_the_proposal(
    client: Client, editor: Any, drafting_on: None, proposed: dict[str, Institution]
) -> None:
    client.force_login(editor)
    lab = proposed["Lab of Nowhere"]
    response = client.post(UNNAMED, {"institution": lab.pk, "short_zh": "甲|乙"})
    assert response.status_code == 400
    assert 'value="甲|乙"' in _row(response.content.decode(), lab)
    assert not InstitutionGlossaryEntry.objects.filter(name="Lab of Nowhere").exists()


def test_no_proposal_is_shown_while_drafting_is_off(
    client: Client, editor: Any, proposed: dict[str, Institution]
) -> None:
    client.force_login(editor)
    response = client.get(UNNAMED)
    assert response.status_code == 200
    assert _proposals(response) == {}
    page = response.content.decode()
    assert "无名实验室" not in page
    assert MODEL not in page
    lab = proposed["Lab of Nowhere"]
    assert (
        client.post(UNNAMED, {"institution": lab.pk, "short_zh": "无名实验室"}).status_code == 302
    )
    assert InstitutionGlossaryChange.objects.get().note == "Named Lab of Nowhere"


@pytest.mark.parametrize("who", ["contributor", "reviewer"])
def test_a_member_who_is_not_an_editor_is_refused(
    client: Client,
    request: pytest.FixtureRequest,
    who: str,
    drafting_on: None,
    proposed: dict[str, Institution],
) -> None:
    client.force_login(request.getfixturevalue(who))
    lab = proposed["Lab of Nowhere"]
    response = client.get(UNNAMED)
    assert response.status_code == 403
    assert "无名实验室" not in response.content.decode()
    response = client.post(UNNAMED, {"institution": lab.pk, "short_zh": "无名实验室"})
    assert response.status_code == 403
    assert not InstitutionGlossaryEntry.objects.filter(name="Lab of Nowhere").exists()
    assert not InstitutionGlossaryChange.objects.exists()


def test_every_distinct_proposal_is_shown_with_its_drafts_and_papers(
    client: Client, editor: Any, other_publication: Any, drafting_on: None, proposed: Any
) -> None:
    lab = proposed["Lab of Nowhere"]
    first = Draft.objects.get()
    # Another publication's draft of the same paper agrees; a draft of another paper of the
    # lab proposes something else, later.
    Draft.objects.create(
        publication=other_publication,
        paper=first.paper,
        status=DraftStatus.READY,
        model=MODEL,
        institutions=[{"name": "Lab of Nowhere", "short_zh": "无名实验室"}],
    )
    second = PaperFactory(title="A Second Paper of the Lab", institutions=["Lab of Nowhere"])
    RecommendationFactory(publication=first.publication, paper=second)
    Draft.objects.create(
        publication=first.publication,
        paper=second,
        status=DraftStatus.READY,
        model="deepseek-chat",
        institutions=[{"name": "Lab of Nowhere", "short_zh": "无名所"}],
    )
    client.force_login(editor)
    response = client.get(UNNAMED)
    (row,) = [row for row in response.context["rows"] if row["institution"] == lab]
    assert [(p.short_zh, p.drafts, p.papers) for p in row["proposals"]] == [
        ("无名所", 1, ("A Second Paper of the Lab",)),
        ("无名实验室", 2, (first.paper.title,)),
    ]
    html = _row(response.content.decode(), lab)
    # The form is filled with the newest; both are listed, each named in one click.
    assert 'name="short_zh" id="id_' in html
    assert 'value="无名所"' in html
    assert "proposed by 1 draft (deepseek-chat)" in html
    assert f"proposed by 2 drafts (the newest by {MODEL})" in html
    assert f"<cite>{first.paper.title}</cite>" in html
    assert "<cite>A Second Paper of the Lab</cite>" in html
    assert '<input type="hidden" name="short_zh" value="无名实验室">' in html
    response = client.post(UNNAMED, {"institution": lab.pk, "short_zh": "无名实验室"})
    assert response.status_code == 302
    change = InstitutionGlossaryChange.objects.get()
    assert change.after["short_zh"] == "无名实验室"
    assert change.note == f"Named Lab of Nowhere (as proposed by the language model {MODEL})"
