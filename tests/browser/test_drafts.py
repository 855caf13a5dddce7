"""The drafts panel of an entry's form in a real browser (``drafting/static/drafting/drafts.js``).

A contributor opens the edit form of their recommendation, empty but for the paper, and asks
for drafts. The work is held in a queue (no worker here), so the panel says it waits; a worker's
part then runs against the local stand-in language model (``tests/servers/llm.py``), and the
panel, polling, fills the empty fields without a reload, each marked as a draft. The contributor
edits one and saves: the audit row says which were taken as drafted and which edited, and the
draft who accepted them. The recommend form does the same for a paper the catalogue knows,
once its identifier is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from drafting.enums import DraftStatus
from drafting.models import Draft
from drafting.services import drafts as draft_services
from publications.enums import TeamRole
from publications.services import create_publication, grant_role
from recommendations.models import Recommendation, Transition
from recommendations.services import create_recommendation
from tests.browser.helpers import login
from tests.factories import PaperFactory, TopicFactory, UserFactory
from tests.servers.llm import GOOD_DRAFT, LLMStandIn, needs_recordings

pytestmark = [pytest.mark.browser, needs_recordings]

#: The paper the stand-in's ``good`` model drafts for.
TITLE = "Phrase Retrieval Learns Passage Retrieval, Too"


@pytest.fixture
def llm(settings: Any) -> Iterator[LLMStandIn]:
    with LLMStandIn().running() as stand_in:
        settings.LLM_API_URL = stand_in.url
        settings.LLM_MODEL = "good"
        yield stand_in


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The drafts asked for, held as a queue holds them until a worker takes them: what the
    worker's part is called with (publication, paper, request)."""
    waiting: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        draft_services, "enqueue_after_commit", lambda task, *args: waiting.append(args)
    )
    return waiting


@pytest.fixture
def writer(site: str, llm: LLMStandIn) -> Any:
    """A contributor of a publication with the topic the stand-in drafts, and its editor."""
    publication = create_publication(slug="drafted-weekly", name="Drafted Weekly")
    TopicFactory(publication=publication, slug="retrieval", name_en="Retrieval")
    grant_role(UserFactory(username="drafts-editor"), role=TeamRole.EDITOR, publication=publication)
    contributor = UserFactory(username="drafts-contributor", display_name="Contributor Wu")
    return publication, contributor


def _work(held: list[tuple[Any, ...]]) -> None:
    """What a worker does with the drafts asked for: ask the model, store what it answered."""
    while held:
        publication_id, paper_id, request_id = held.pop(0)
        outcome = draft_services.write_draft(publication_id, paper_id, request_id)
        assert outcome.status == DraftStatus.READY


def test_asked_drafts_fill_the_edit_form_without_a_reload_and_are_audited(
    page: Any, site: str, writer: Any, held: list[tuple[Any, ...]]
) -> None:
    publication, contributor = writer
    paper = PaperFactory(title=TITLE, abstract="We ask whether phrase retrieval is enough.")
    recommendation = create_recommendation(
        by=contributor,
        publication=publication,
        identifier=paper.arxiv_id,
        summary="",
        draft=True,
    )
    login(page, contributor)
    edit = reverse("recommendations:edit", args=[recommendation.pk])
    page.goto(site + edit)
    panel = page.locator("#draft-panel")
    assert "None asked for yet." in panel.text_content()

    panel.get_by_role("button", name="Ask for drafts").click()
    page.wait_for_url(site + edit)
    assert "Drafts are asked for" in page.locator("body").text_content()
    assert panel.locator("[data-draft-label]").text_content() == "waiting"
    assert page.locator("#id_title_zh").input_value() == ""
    page.evaluate("() => { window.samePage = true; }")

    _work(held)
    # The panel asks every two seconds: the fields fill by themselves, marked as drafts.
    page.locator("#draft-panel[data-done]").wait_for()
    assert panel.locator("[data-draft-label]").text_content() == "ready"
    assert "language model good" in panel.locator("[data-draft-note]").text_content()
    assert page.locator("#id_title_zh").input_value() == GOOD_DRAFT["title_zh"]
    assert page.locator("#id_summary").input_value() == GOOD_DRAFT["summary_zh"]
    topic = publication.topics.get(slug="retrieval")
    assert page.locator("#id_topic").input_value() == str(topic.pk)
    form = page.locator("#recommendation-form")
    assert form.locator(".draft-mark").count() == 3
    assert form.locator(".drafted").count() == 3
    offered = form.locator("input[name='drafted_fields']").input_value()
    assert sorted(offered.split(",")) == ["summary", "title_zh", "topic"]
    assert page.evaluate("() => window.samePage") is True  # never reloaded

    # The contributor rewrites the summary's end, keeps the rest, and saves.
    edited = GOOD_DRAFT["summary_zh"].replace("端到端问答效果", "问答效果")
    page.locator("#id_summary").fill(edited)
    form.get_by_role("button", name="Save changes").click()
    page.wait_for_url(site + reverse("recommendations:detail", args=[recommendation.pk]))

    recommendation.refresh_from_db()
    assert (recommendation.title_zh, recommendation.summary) == (GOOD_DRAFT["title_zh"], edited)
    assert recommendation.topic == topic
    changes = {
        change["field"]: change
        for change in Transition.objects.get(recommendation=recommendation, action="edit").changes
    }
    assert {name: change.get("drafted") for name, change in changes.items()} == {
        "summary": "edited",
        "title_zh": "as_is",
        "topic": "as_is",
    }
    assert changes["title_zh"]["model"] == "good"
    draft = Draft.objects.get(publication=publication, paper=paper)
    assert draft.accepted_by == contributor
    assert draft.accepted_fields == {"summary": "edited", "title_zh": "as_is", "topic": "as_is"}
    history = page.locator("main").text_content()
    assert "Drafted by good, accepted as drafted." in history
    assert "Drafted by good, then edited." in history


def test_the_recommend_form_fills_with_drafts_once_the_paper_is_checked(
    page: Any, site: str, writer: Any, held: list[tuple[Any, ...]]
) -> None:
    publication, contributor = writer
    paper = PaperFactory(title=TITLE, abstract="We ask whether phrase retrieval is enough.")
    draft_services.request_draft(publication, paper, by=contributor)
    _work(held)
    login(page, contributor)
    page.goto(site + reverse("recommendations:paper-create"))
    page.locator("#id_identifier").fill(paper.arxiv_id)
    page.locator("#id_identifier").blur()
    # The identifier check brings the panel beside the form; its script fills the fields.
    page.locator("#draft-slot #draft-panel[data-done]").wait_for()
    assert page.locator("#id_title_zh").input_value() == GOOD_DRAFT["title_zh"]
    page.locator("#id_title_zh").fill("短语检索学会段落检索")
    page.locator("#recommendation-form").get_by_role("button", name="Submit for review").click()
    recommendation = Recommendation.objects.get(paper=paper)
    page.wait_for_url(site + reverse("recommendations:detail", args=[recommendation.pk]))
    created = Transition.objects.get(recommendation=recommendation, action="create")
    assert {change["field"]: change["drafted"] for change in created.changes} == {
        "summary": "as_is",
        "title_zh": "edited",
        "topic": "as_is",
    }
    assert Draft.objects.get(publication=publication, paper=paper).accepted_by == contributor
