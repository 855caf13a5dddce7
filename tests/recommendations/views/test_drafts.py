"""Drafts on the forms of an entry: the contributor's edit form and the team's, filled with a
ready draft and marked; asked for by a button; polled as JSON; recorded when a person saves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode

from drafting.enums import DraftStatus
from drafting.models import Draft
from publications.models import Topic
from recommendations.models import Transition
from tests.factories import PaperFactory
from tests.servers.llm import LLMStandIn, needs_recordings

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def on(settings: Any) -> None:
    settings.LLM_API_URL = "http://127.0.0.1:9/v1"
    settings.LLM_MODEL = "good"


@pytest.fixture
def llm(settings: Any) -> Iterator[LLMStandIn]:
    with LLMStandIn().running() as stand_in:
        settings.LLM_API_URL = stand_in.url
        settings.LLM_MODEL = "good"
        yield stand_in


def _ready_draft(recommendation: Any, topic: Any = None) -> Draft:
    return Draft.objects.create(
        publication=recommendation.publication,
        paper=recommendation.paper,
        status=DraftStatus.READY,
        title_zh="短语检索也能学会段落检索",
        summary_zh="本文研究短语检索能否作为段落检索的基础，结果很好。",
        subject_zh="短语检索",
        subject_en="phrase retrieval",
        topic=topic,
        model="qwen2.5:7b",
        prompt_version=3,
    )


def test_nothing_is_offered_while_drafting_is_off(team: Any) -> None:
    recommendation = team.recommendation("draft", title_zh="")
    _ready_draft(recommendation)
    url = reverse("recommendations:edit", args=[recommendation.pk])
    page = _client(team.contributor).get(url).content.decode()
    assert "draft-panel" not in page
    assert "短语检索也能学会段落检索" not in page
    status_url = reverse(
        "drafting:draft-status", args=[team.publication.slug, recommendation.paper.pk]
    )
    assert _client(team.contributor).get(status_url).status_code == 404


def test_the_edit_form_opens_with_the_drafts_marked_and_the_model_named(
    on: None, team: Any
) -> None:
    topic = Topic.objects.create(publication=team.publication, slug="retrieval", name_en="IR")
    recommendation = team.recommendation("draft", title_zh="", summary="My own words here.")
    _ready_draft(recommendation, topic)
    url = reverse("recommendations:edit", args=[recommendation.pk])
    page = _client(team.contributor).get(url).content.decode()
    assert 'value="短语检索也能学会段落检索"' in page
    # The summary the contributor wrote stays theirs; only empty fields are filled.
    assert "My own words here." in page
    assert "本文研究短语检索" not in page
    assert page.count('<span class="draft-mark">Draft</span>') == 2
    assert 'name="drafted_fields" value="title_zh,topic"' in page
    assert "Drafted by the language model qwen2.5:7b (prompt version 3)" in page


def test_saving_records_which_fields_were_drafted_and_who_accepted(on: None, team: Any) -> None:
    topic = Topic.objects.create(publication=team.publication, slug="retrieval", name_en="IR")
    recommendation = team.recommendation("draft", title_zh="", summary="My own words here.")
    draft = _ready_draft(recommendation, topic)
    url = reverse("recommendations:edit", args=[recommendation.pk])
    response = _client(team.contributor).post(
        url,
        {
            "summary": "My own words here.",
            "title_zh": "短语检索学会段落检索",
            "topic": topic.pk,
            "code_url": "",
            # A forged name of a field the form was not filled with counts for nothing.
            "drafted_fields": "title_zh,topic,code_url",
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert (recommendation.title_zh, recommendation.topic) == ("短语检索学会段落检索", topic)
    changes = {c["field"]: c for c in Transition.objects.filter(action="edit").get().changes}
    assert changes["title_zh"]["drafted"] == "edited"
    assert changes["topic"]["drafted"] == "as_is"
    assert (changes["topic"]["model"], changes["topic"]["prompt_version"]) == ("qwen2.5:7b", 3)
    draft.refresh_from_db()
    assert draft.accepted_by == team.contributor
    assert draft.accepted_at is not None
    assert draft.accepted_fields == {"title_zh": "edited", "topic": "as_is"}
    detail = _client(team.contributor).get(
        reverse("recommendations:detail", args=[recommendation.pk])
    )
    assert (
        "Drafted by qwen2.5:7b (prompt version 3), accepted as drafted." in detail.content.decode()
    )


def test_a_form_saved_without_drafts_records_none(on: None, team: Any) -> None:
    recommendation = team.recommendation("draft", title_zh="")
    draft = _ready_draft(recommendation)
    url = reverse("recommendations:edit", args=[recommendation.pk])
    _client(team.contributor).post(
        url, {"summary": recommendation.summary, "title_zh": "我自己的标题", "drafted_fields": ""}
    )
    (change,) = Transition.objects.filter(action="edit").get().changes
    assert "drafted" not in change
    draft.refresh_from_db()
    assert draft.accepted_by is None


def test_the_teams_entry_form_offers_the_subject_phrases(on: None, team: Any) -> None:
    recommendation = team.recommendation("accepted", title_zh="", subject_zh="", subject_en="")
    draft = _ready_draft(recommendation)
    url = reverse("review:revise", args=[recommendation.pk])
    client = _client(team.editor)
    page = client.get(url).content.decode()
    prefix = f"entry-{recommendation.pk}-"
    assert f'name="{prefix}drafted_fields" value="title_zh,subject_zh,subject_en"' in page
    assert 'value="phrase retrieval"' in page
    response = client.post(
        url,
        {
            f"{prefix}summary": recommendation.summary,
            f"{prefix}title_zh": draft.title_zh,
            f"{prefix}subject_zh": draft.subject_zh,
            f"{prefix}subject_en": "phrase search",
            f"{prefix}drafted_fields": "title_zh,subject_zh,subject_en",
        },
    )
    assert response.status_code == 302
    changes = {c["field"]: c["drafted"] for c in Transition.objects.get(action="revise").changes}
    assert changes == {"title_zh": "as_is", "subject_zh": "as_is", "subject_en": "edited"}
    draft.refresh_from_db()
    assert draft.accepted_by == team.editor


@needs_recordings
def test_the_button_asks_for_drafts_and_the_status_is_polled(
    llm: LLMStandIn, team: Any, django_capture_on_commit_callbacks: Any
) -> None:
    recommendation = team.recommendation("draft", title_zh="")
    paper = recommendation.paper
    edit = reverse("recommendations:edit", args=[recommendation.pk])
    client = _client(team.contributor)
    page = client.get(edit).content.decode()
    ask = reverse("drafting:draft-request", args=[team.publication.slug, paper.pk])
    assert f'action="{ask}"' in page
    assert "Ask for drafts" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask, {"next": edit})
    assert response.status_code == 302
    assert response["Location"] == edit
    status = client.get(
        reverse("drafting:draft-status", args=[team.publication.slug, paper.pk])
    ).json()
    assert (status["status"], status["final"]) == ("ready", True)
    assert status["fields"]["title_zh"] == "短语检索也能学会段落检索"
    assert "language model good" in status["note"]
    # The form opens with them now.
    assert 'value="短语检索也能学会段落检索"' in client.get(edit).content.decode()


def test_asking_needs_a_post_with_its_token(on: None, team: Any) -> None:
    recommendation = team.recommendation("draft")
    ask = reverse("drafting:draft-request", args=[team.publication.slug, recommendation.paper.pk])
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.contributor)
    assert client.get(ask).status_code == 405
    assert client.post(ask).status_code == 403
    assert not Draft.objects.exists()
    anonymous = Client().get(
        reverse("drafting:draft-status", args=[team.publication.slug, recommendation.paper.pk])
    )
    assert anonymous.status_code == 302


def test_a_member_past_the_rate_is_told_why(on: None, settings: Any, team: Any) -> None:
    settings.LLM_MEMBER_HOURLY_DRAFTS = 0
    settings.LLM_MONTHLY_TOKEN_BUDGET = 1
    from drafting.models import DraftingRequest

    DraftingRequest.objects.create(prompt_tokens=5, outcome="ready")
    recommendation = team.recommendation("draft")
    ask = reverse("drafting:draft-request", args=[team.publication.slug, recommendation.paper.pk])
    edit = reverse("recommendations:edit", args=[recommendation.pk])
    response = _client(team.contributor).post(ask, {"next": edit}, follow=True)
    assert "budget of the language model (1 tokens)" in response.content.decode()
    assert not Draft.objects.exists()


@needs_recordings
def test_a_draft_saved_without_a_summary_waits_for_the_models(
    llm: LLMStandIn, team: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from papers.services.catalogue import PaperMetadata
    from papers.services.hand_entry import enter_metadata_by_hand
    from recommendations.models import Recommendation

    client = _client(team.contributor)
    form = client.get(reverse("recommendations:paper-create")).content.decode()
    assert "leave the summary and the Chinese title empty" in form
    response = client.post(
        reverse("recommendations:paper-create"),
        {"publication": team.publication.slug, "identifier": "2109.08133", "action": "draft"},
    )
    assert response.status_code == 302
    recommendation = Recommendation.objects.get()
    assert (recommendation.status, recommendation.summary) == ("draft", "")
    # Submitting it as it is is refused with the reason.
    submit = client.post(reverse("recommendations:submit", args=[recommendation.pk]))
    assert submit.status_code == 400
    recommendation.refresh_from_db()
    assert recommendation.status == "draft"

    with django_capture_on_commit_callbacks(execute=True):
        enter_metadata_by_hand(
            recommendation.paper,
            PaperMetadata(title="Phrase Retrieval Learns Passage Retrieval, Too"),
            by=team.editor,
        )
    detail = client.get(reverse("recommendations:detail", args=[recommendation.pk]))
    assert "Open the form with the drafts" in detail.content.decode()
    edit = client.get(reverse("recommendations:edit", args=[recommendation.pk])).content.decode()
    assert 'name="drafted_fields" value="title_zh,summary"' in edit


def test_without_drafting_a_summary_is_still_required(team: Any) -> None:
    from recommendations.models import Recommendation

    response = _client(team.contributor).post(
        reverse("recommendations:paper-create"),
        {"publication": team.publication.slug, "identifier": "2109.08133", "action": "draft"},
    )
    assert response.status_code == 200
    assert "Write a summary" in response.content.decode()
    assert not Recommendation.objects.exists()


def test_the_status_is_told_only_to_who_may_see_the_draft(
    on: None, team: Any, other_contributor: Any, other_publication: Any
) -> None:
    from tests.factories import MembershipFactory, UserFactory

    recommendation = team.recommendation("submitted", title_zh="")
    paper = recommendation.paper
    _ready_draft(recommendation)
    status_url = reverse("drafting:draft-status", args=[team.publication.slug, paper.pk])
    for allowed in (team.contributor, team.reviewer, team.editor):
        answer = _client(allowed).get(status_url)
        assert answer.status_code == 200
        assert answer.json()["fields"]["title_zh"] == "短语检索也能学会段落检索"
    # Another member, and a reviewer of another publication, are told what a paper nobody
    # drafts for would tell them: nothing is there.
    other_reviewer = UserFactory()
    MembershipFactory(user=other_reviewer, publication=other_publication, role="reviewer")
    unknown = reverse("drafting:draft-status", args=[team.publication.slug, paper.pk + 1000])
    undrafted_paper = team.recommendation("draft").paper
    undrafted = reverse("drafting:draft-status", args=[team.publication.slug, undrafted_paper.pk])
    for refused in (other_contributor, other_reviewer):
        client = _client(refused)
        answers = [client.get(url) for url in (status_url, undrafted, unknown)]
        assert [answer.status_code for answer in answers] == [404, 404, 404]
        # The same page but for its own address: a draft there or not, nothing tells.
        drafted_page, undrafted_page = (
            re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", answer.content.decode())
            for answer in answers[:2]
        )
        assert drafted_page.replace(f"/{paper.pk}/", "/") == undrafted_page.replace(
            f"/{undrafted_paper.pk}/", "/"
        )
        assert "短语检索" not in drafted_page


def test_the_member_who_asked_for_drafts_sees_them(
    on: None, team: Any, other_contributor: Any
) -> None:
    recommendation = team.recommendation("draft", title_zh="")
    draft = _ready_draft(recommendation)
    status_url = reverse(
        "drafting:draft-status", args=[team.publication.slug, recommendation.paper.pk]
    )
    assert _client(other_contributor).get(status_url).status_code == 404
    draft.requested_by = other_contributor
    draft.save()
    assert _client(other_contributor).get(status_url).json()["status"] == "ready"
    # A withdrawn recommendation no longer opens its drafts to its submitter.
    recommendation.status = "withdrawn"
    recommendation.save()
    assert _client(team.contributor).get(status_url).status_code == 404


# --- the recommend form -------------------------------------------------------------------------


def _create_url(publication: Any, identifier: str) -> str:
    query = urlencode({"publication": publication.slug, "identifier": identifier})
    return f"{reverse('recommendations:paper-create')}?{query}"


def _draft_of(publication: Any, paper: Any, *, by: Any = None, topic: Any = None) -> Draft:
    return Draft.objects.create(
        publication=publication,
        paper=paper,
        status=DraftStatus.READY,
        title_zh="短语检索也能学会段落检索",
        summary_zh="本文研究短语检索能否作为段落检索的基础，结果很好。",
        topic=topic,
        model="qwen2.5:7b",
        prompt_version=3,
        requested_by=by,
    )


def test_the_recommend_form_offers_the_drafts_its_member_asked_for(on: None, team: Any) -> None:
    paper = PaperFactory()
    _draft_of(team.publication, paper, by=team.contributor)
    page = _client(team.contributor).get(_create_url(team.publication, paper.arxiv_id))
    text = page.content.decode()
    assert 'id="draft-panel"' in text
    status_url = reverse("drafting:draft-status", args=[team.publication.slug, paper.pk])
    assert f'data-status-url="{status_url}"' in text
    assert f'value="{paper.arxiv_id}"' in text
    assert 'value="短语检索也能学会段落检索"' in text
    assert "本文研究短语检索" in text
    assert 'name="drafted_fields" value="title_zh,summary"' in text
    assert text.count('<span class="draft-mark">Draft</span>') == 2
    assert "Drafted by the language model qwen2.5:7b (prompt version 3)" in text
    # Asking again comes back to this form, with its publication and paper.
    ask = reverse("drafting:draft-request", args=[team.publication.slug, paper.pk])
    assert f'action="{ask}"' in text
    assert f'name="next" value="{escape(_create_url(team.publication, paper.arxiv_id))}"' in text


def test_the_recommend_form_hides_another_members_draft(
    on: None, team: Any, other_contributor: Any
) -> None:
    paper = PaperFactory()
    _draft_of(team.publication, paper)
    text = (
        _client(other_contributor)
        .get(_create_url(team.publication, paper.arxiv_id))
        .content.decode()
    )
    assert 'id="draft-panel"' in text
    assert "None asked for yet." in text
    assert "短语检索" not in text
    assert 'name="drafted_fields" value=""' in text


def test_the_recommend_form_says_when_drafts_come_for_a_new_paper(on: None, team: Any) -> None:
    client = _client(team.contributor)
    for identifier in ("2109.08133", PaperFactory(pending=True).arxiv_id):
        text = client.get(_create_url(team.publication, identifier)).content.decode()
        assert 'id="draft-panel"' not in text
        assert "Drafts are offered once the paper's metadata has arrived" in text


def test_the_recommend_form_is_unchanged_while_drafting_is_off(team: Any) -> None:
    paper = PaperFactory()
    _draft_of(team.publication, paper, by=team.contributor)
    client = _client(team.contributor)
    text = client.get(_create_url(team.publication, paper.arxiv_id)).content.decode()
    assert "draft-slot" not in text
    assert "drafted_fields" not in text
    assert "短语检索" not in text
    check = client.get(
        reverse("recommendations:check"),
        {"publication": team.publication.slug, "identifier": paper.arxiv_id},
    )
    assert "draft-slot" not in check.content.decode()


def test_the_identifier_check_swaps_the_panel_in_beside_the_form(on: None, team: Any) -> None:
    paper = PaperFactory()
    _draft_of(team.publication, paper, by=team.contributor)
    check = _client(team.contributor).get(
        reverse("recommendations:check"),
        {"publication": team.publication.slug, "identifier": paper.arxiv_id},
    )
    text = check.content.decode()
    assert '<div id="draft-slot" hx-swap-oob="true">' in text
    assert 'id="draft-panel"' in text
    assert "data-fill" in text
    # The script is the form page's: the answer brings none (htmx runs no script it swaps in).
    assert "drafts.js" not in text
    later = _client(team.contributor).get(
        reverse("recommendations:check"),
        {"publication": team.publication.slug, "identifier": "2109.08133"},
    )
    assert "once the paper's metadata has arrived" in later.content.decode()


def test_recommending_with_the_drafts_audits_them_on_create(on: None, team: Any) -> None:
    from recommendations.models import Recommendation

    topic = Topic.objects.create(publication=team.publication, slug="retrieval", name_en="IR")
    paper = PaperFactory()
    draft = _draft_of(team.publication, paper, by=team.contributor, topic=topic)
    response = _client(team.contributor).post(
        reverse("recommendations:paper-create"),
        {
            "publication": team.publication.slug,
            "identifier": paper.arxiv_id,
            "summary": "本文研究短语检索能否作为段落检索的基础，结果很好。",
            "title_zh": "短语检索学会段落检索",
            "topic": topic.pk,
            "drafted_fields": "summary,title_zh,topic,code_url",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    recommendation = Recommendation.objects.get()
    assert recommendation.title_zh == "短语检索学会段落检索"
    created = Transition.objects.get(recommendation=recommendation, action="create")
    changes = {change["field"]: change for change in created.changes}
    assert {name: change["drafted"] for name, change in changes.items()} == {
        "summary": "as_is",
        "title_zh": "edited",
        "topic": "as_is",
    }
    assert (changes["topic"]["model"], changes["topic"]["prompt_version"]) == ("qwen2.5:7b", 3)
    assert changes["topic"]["new"] == "retrieval"
    draft.refresh_from_db()
    assert draft.accepted_by == team.contributor
    assert draft.accepted_at is not None
    assert draft.accepted_fields == {"summary": "as_is", "title_zh": "edited", "topic": "as_is"}
    detail = _client(team.contributor).get(
        reverse("recommendations:detail", args=[recommendation.pk])
    )
    assert "Drafted by qwen2.5:7b (prompt version 3), then edited." in detail.content.decode()


def test_another_members_draft_is_not_audited_as_taken(
    on: None, team: Any, other_contributor: Any
) -> None:
    paper = PaperFactory()
    draft = _draft_of(team.publication, paper)
    response = _client(other_contributor).post(
        reverse("recommendations:paper-create"),
        {
            "publication": team.publication.slug,
            "identifier": paper.arxiv_id,
            "summary": "本文研究短语检索能否作为段落检索的基础，结果很好。",
            "drafted_fields": "summary",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    assert Transition.objects.get(action="create").changes == []
    draft.refresh_from_db()
    assert draft.accepted_by is None
