"""The institution glossary's editor pages (``issues/views/glossary.py``): the institutions
without a Chinese short form, named in one click, and the glossary searched and edited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from papers.models import Institution, InstitutionGlossaryChange, InstitutionGlossaryEntry
from tests.factories import PaperFactory, RecommendationFactory, UserFactory

pytestmark = pytest.mark.django_db

UNNAMED = reverse("editor:institutions-unnamed")
GLOSSARY = reverse("editor:glossary")


def _messages(response: HttpResponse) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


@pytest.fixture
def recommended(publication: Any) -> dict[str, Institution]:
    """Two recommended papers by an unnamed lab (one with Stanford too), one by another, and a
    paper nobody recommended."""
    for _ in range(2):
        RecommendationFactory(
            publication=publication,
            paper=PaperFactory(institutions=["Lab of Nowhere", "Stanford University"]),
        )
    RecommendationFactory(publication=publication, paper=PaperFactory(institutions=["Odd Lab"]))
    PaperFactory(institutions=["Unrecommended Lab"])
    return {i.name: i for i in Institution.objects.all()}


def _listed(response: HttpResponse) -> list[tuple[str, int]]:
    return [(row["institution"].name, row["count"]) for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("contributor", 403), ("reviewer", 403), ("editor", 200), ("admin_user", 200)],
)
@pytest.mark.parametrize("url", [UNNAMED, GLOSSARY, reverse("editor:glossary-create")])
def test_glossary_pages_are_for_editors_of_any_publication(
    client: Client, request: pytest.FixtureRequest, who: str | None, status: int, url: str
) -> None:
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    response = client.get(url)
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("contributors:login"))
    if status == 403:
        assert "You may not see or do this." in response.content.decode()


def test_unnamed_page_lists_recommended_institutions_most_frequent_first(
    client: Client, editor: Any, recommended: dict[str, Institution]
) -> None:
    client.force_login(editor)
    response = client.get(UNNAMED)
    assert response.status_code == 200
    assert _listed(response) == [("Lab of Nowhere", 2), ("Odd Lab", 1)]
    page = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert "Unrecommended Lab" not in page


def test_one_click_naming_stores_the_entry_and_the_institution_leaves_the_list(
    client: Client, editor: Any, recommended: dict[str, Institution]
) -> None:
    client.force_login(editor)
    lab = recommended["Lab of Nowhere"]
    response = client.post(
        UNNAMED, {"institution": lab.pk, "short_zh": "无名实验室", "short_en": ""}, follow=True
    )
    assert response.redirect_chain == [(UNNAMED, 302)]
    assert _messages(response) == [
        "“Lab of Nowhere” is now written 无名实验室 (glossary: Lab of Nowhere)."
    ]
    entry = InstitutionGlossaryEntry.objects.get(name="Lab of Nowhere")
    assert (entry.short_zh, entry.short_en, entry.updated_by) == ("无名实验室", "", editor)
    change = InstitutionGlossaryChange.objects.get(entry=entry)
    assert (change.changed_by, change.after["short_zh"]) == (editor, "无名实验室")
    assert _listed(response) == [("Odd Lab", 1)]


@pytest.mark.parametrize(
    ("post", "reason"),
    [
        ({"short_zh": "长" * 61}, "Ensure this value has at most 60 characters (it has 61)."),
        ({"short_zh": ""}, "This field is required."),
        ({"short_zh": "坏\x01字"}, "This text contains control characters."),
        ({"short_zh": "甲|乙"}, "A short form cannot contain “|”."),
        ({"institution": "999999"}, "There is no such institution."),
        ({"institution": "x"}, "Enter a whole number."),
    ],
)
def test_one_click_naming_refuses_a_forged_or_oversized_post_with_a_reason(
    client: Client,
    editor: Any,
    recommended: dict[str, Institution],
    post: dict[str, str],
    reason: str,
) -> None:
    client.force_login(editor)
    lab = recommended["Lab of Nowhere"]
    response = client.post(UNNAMED, {"institution": lab.pk, "short_zh": "无名", **post})
    assert response.status_code == 400
    assert _messages(response) == [f"The institution was not named: {reason}"]
    assert not InstitutionGlossaryEntry.objects.filter(name="Lab of Nowhere").exists()
    assert not InstitutionGlossaryChange.objects.exists()
    assert _listed(response) == [("Lab of Nowhere", 2), ("Odd Lab", 1)]


def test_one_click_naming_with_a_taken_short_form_makes_it_another_name(
    client: Client, editor: Any, recommended: dict[str, Institution]
) -> None:
    client.force_login(editor)
    lab = recommended["Lab of Nowhere"]
    response = client.post(UNNAMED, {"institution": lab.pk, "short_zh": "北大"})
    assert response.status_code == 302
    assert "Lab of Nowhere" in InstitutionGlossaryEntry.objects.get(short_zh="北大").aliases
    assert InstitutionGlossaryEntry.objects.filter(short_zh="北大").count() == 1


def test_one_click_naming_needs_the_csrf_token(
    editor: Any, recommended: dict[str, Institution]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    lab = recommended["Lab of Nowhere"]
    response = client.post(UNNAMED, {"institution": lab.pk, "short_zh": "无名实验室"})
    assert response.status_code == 403
    assert not InstitutionGlossaryEntry.objects.filter(name="Lab of Nowhere").exists()


def test_one_click_naming_is_refused_to_a_member(
    client: Client, contributor: Any, recommended: dict[str, Institution]
) -> None:
    client.force_login(contributor)
    lab = recommended["Lab of Nowhere"]
    response = client.post(UNNAMED, {"institution": lab.pk, "short_zh": "无名实验室"})
    assert response.status_code == 403
    assert not InstitutionGlossaryEntry.objects.filter(name="Lab of Nowhere").exists()


def test_an_editor_of_another_publication_may_name_institutions(
    client: Client, other_publication: Any, recommended: dict[str, Institution]
) -> None:
    from publications.enums import TeamRole
    from tests.factories import MembershipFactory

    elsewhere = UserFactory()
    MembershipFactory(publication=other_publication, user=elsewhere, role=TeamRole.EDITOR)
    client.force_login(elsewhere)
    lab = recommended["Odd Lab"]
    response = client.post(UNNAMED, {"institution": lab.pk, "short_zh": "怪实验室"})
    assert response.status_code == 302
    assert InstitutionGlossaryEntry.objects.get(name="Odd Lab").updated_by == elsewhere


def test_glossary_list_searches_every_name(client: Client, editor: Any) -> None:
    client.force_login(editor)
    by_short = client.get(GLOSSARY, {"q": "斯坦福"})
    assert [e.name for e in by_short.context["page"]] == ["Stanford University"]
    by_alias = client.get(GLOSSARY, {"q": "Facebook AI Research"})
    assert [e.name for e in by_alias.context["page"]] == ["Meta"]
    everything = client.get(GLOSSARY)
    assert everything.context["page"].paginator.count == InstitutionGlossaryEntry.objects.count()


def test_glossary_entry_edit_saves_and_says_so(client: Client, editor: Any) -> None:
    client.force_login(editor)
    entry = InstitutionGlossaryEntry.objects.get(name="Peking University")
    url = reverse("editor:glossary-edit", args=[entry.pk])
    assert client.get(url).context["form"].initial["short_zh"] == "北大"
    response = client.post(
        url,
        {
            "name": "Peking University",
            "short_zh": "北京大学",
            "short_en": "PKU",
            "ror_id": "02v51f717",
            "aliases": "北京大学\r\nPeking Univ",
        },
        follow=True,
    )
    assert _messages(response) == ["The glossary entry “Peking University” is saved."]
    entry.refresh_from_db()
    assert (entry.short_zh, entry.aliases) == ("北京大学", ["北京大学", "Peking Univ"])
    assert InstitutionGlossaryChange.objects.get(entry=entry).changed_by == editor


def test_glossary_entry_create_refuses_a_taken_name(client: Client, editor: Any) -> None:
    client.force_login(editor)
    response = client.post(
        reverse("editor:glossary-create"),
        {"name": "Stanford University", "short_zh": "斯坦福2", "short_en": "", "ror_id": ""},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["The glossary has an entry named “Stanford University” already."]
    }


def test_editor_home_links_the_glossary_pages(client: Client, editor: Any) -> None:
    client.force_login(editor)
    page = client.get(reverse("editor:home")).content.decode()
    assert f'href="{UNNAMED}"' in page
    assert f'href="{GLOSSARY}"' in page
