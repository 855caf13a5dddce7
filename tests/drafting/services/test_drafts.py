"""Drafts of an entry: the prompt, what is sent, the validation, the tokens, the budget, the
member's rate and the faults of the model's configuration, against the local stand-in."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from common.exceptions import InvalidInput, QuotaExceeded
from drafting import selectors as drafting_selectors
from drafting import services
from drafting.enums import BackendFault, DraftStatus
from drafting.models import BackendProblem, Draft, DraftingRequest
from drafting.services import drafts
from papers.services.catalogue import AuthorData, PaperMetadata
from papers.services.hand_entry import enter_metadata_by_hand
from publications.models import Topic
from recommendations.enums import RecommendationStatus
from tests.factories import UserFactory
from tests.factories.papers import PaperFactory
from tests.factories.recommendations import RecommendationFactory
from tests.servers.llm import RATE_LIMITED, LLMStandIn, Reply, needs_recordings

pytestmark = [pytest.mark.django_db, needs_recordings]


@pytest.fixture
def llm(settings: Any) -> Iterator[LLMStandIn]:
    with LLMStandIn().running() as stand_in:
        settings.LLM_API_URL = stand_in.url
        settings.LLM_MODEL = "good"
        settings.LLM_API_KEY = "sk-test"
        settings.LLM_MONTHLY_TOKEN_BUDGET = 0
        settings.LLM_MEMBER_HOURLY_DRAFTS = 20
        yield stand_in


@pytest.fixture
def paper() -> Any:
    return PaperFactory(
        title="Phrase Retrieval Learns Passage Retrieval, Too",
        abstract="Dense retrieval methods have shown great promise over sparse ones.",
        authors=["Jinhyuk Lee", "Danqi Chen"],
        institutions=["Korea University"],
    )


def _ask(publication: Any, paper: Any, by: Any, capture: Any) -> Draft:
    with capture(execute=True):
        services.request_draft(publication, paper, by=by)
    return Draft.objects.get(publication=publication, paper=paper)


def test_a_draft_is_asked_validated_and_stored_with_its_tokens(
    llm: LLMStandIn,
    publication: Any,
    editor: Any,
    contributor: Any,
    paper: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Topic.objects.create(publication=publication, slug="retrieval", name_en="Retrieval")
    services.add_glossary_term(publication, by=editor, term="pretraining", translation="预训练")
    services.save_prompt_template(
        publication, by=editor, instructions="Write for {publication}.\n{glossary}\n{examples}"
    )
    RecommendationFactory(
        publication=publication,
        status=RecommendationStatus.PUBLISHED,
        title_zh="稀疏检索头",
        summary="本文为长文档问答提出稀疏检索头。" * 10,
    )

    draft = _ask(publication, paper, contributor, django_capture_on_commit_callbacks)

    assert draft.status == DraftStatus.READY
    assert (draft.title_zh, draft.subject_zh, draft.topic.slug) == (
        "短语检索也能学会段落检索",
        "短语检索",
        "retrieval",
    )
    assert draft.summary_zh.startswith("本文研究短语检索")
    assert (draft.model, draft.prompt_version, draft.requested_by) == ("good", 1, contributor)
    # The institution glossary knows Korea University's short form: none was asked for it.
    assert draft.institutions == []
    asked = DraftingRequest.objects.get()
    assert (asked.prompt_tokens, asked.completion_tokens, asked.outcome) == (900, 300, "ready")
    assert asked.requested_by == contributor
    # Only the paper's public metadata leaves the site, with the publication's voice.
    system, user = llm.requests[0]["messages"]
    assert set(json.loads(user["content"])) == {
        "title",
        "abstract",
        "authors",
        "institutions",
        "institutions_without_short_form",
    }
    assert json.loads(user["content"])["authors"] == ["Jinhyuk Lee", "Danqi Chen"]
    assert "pretraining → 预训练" in system["content"]
    assert "稀疏检索头" in system["content"]
    assert contributor.email not in system["content"] + user["content"]


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ("wrong-language", "not written in Chinese"),
        ("markup", "markup"),
        ("invalid-json", "valid JSON"),
        ("too-long", "characters, not"),
    ],
)
def test_an_answer_the_validation_refuses_fills_nothing(
    llm: LLMStandIn,
    settings: Any,
    publication: Any,
    contributor: Any,
    paper: Any,
    model: str,
    reason: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.LLM_MODEL = model
    draft = _ask(publication, paper, contributor, django_capture_on_commit_callbacks)
    assert draft.status == DraftStatus.REFUSED
    assert reason in draft.reason
    assert (draft.title_zh, draft.summary_zh) == ("", "")
    # The answer cost tokens all the same.
    assert DraftingRequest.objects.get().tokens == 1200


def test_a_model_answering_nothing_fails_with_a_reason(
    llm: LLMStandIn,
    settings: Any,
    publication: Any,
    contributor: Any,
    paper: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.LLM_MODEL = "silent"
    draft = _ask(publication, paper, contributor, django_capture_on_commit_callbacks)
    assert draft.status == DraftStatus.FAILED
    assert "answered nothing" in draft.reason


def test_a_refused_key_is_recorded_once_and_cleared_by_the_next_answer(
    llm: LLMStandIn,
    settings: Any,
    publication: Any,
    contributor: Any,
    paper: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.LLM_MODEL = "unauthorized"
    first = _ask(publication, paper, contributor, django_capture_on_commit_callbacks)
    _ask(publication, PaperFactory(), contributor, django_capture_on_commit_callbacks)
    assert first.status == DraftStatus.FAILED
    assert "LLM_API_KEY" in first.reason
    problem = BackendProblem.objects.get()
    assert problem.fault == BackendFault.UNAUTHORIZED
    settings.LLM_MODEL = "no-such-model"
    _ask(publication, PaperFactory(), contributor, django_capture_on_commit_callbacks)
    assert set(BackendProblem.objects.values_list("fault", flat=True)) == {
        BackendFault.UNAUTHORIZED,
        BackendFault.MODEL_MISSING,
    }

    settings.LLM_MODEL = "good"
    again = _ask(publication, paper, contributor, django_capture_on_commit_callbacks)
    assert again.status == DraftStatus.READY
    assert not BackendProblem.objects.exists()


def test_a_passing_fault_leaves_the_draft_queued_for_the_task(
    llm: LLMStandIn, publication: Any, paper: Any
) -> None:
    Draft.objects.create(publication=publication, paper=paper)
    llm.faults = [Reply(429, RATE_LIMITED.read_bytes(), headers=(("Retry-After", "7"),))]
    outcome = services.write_draft(publication.pk, paper.pk, final_attempt=False)
    assert (outcome.retry, outcome.retry_after) == (True, 7.0)
    draft = Draft.objects.get()
    assert draft.status == DraftStatus.QUEUED
    assert "HTTP 429" in draft.reason
    # The next try, the server answering again, drafts.
    assert services.write_draft(publication.pk, paper.pk).status == DraftStatus.READY


def test_the_monthly_budget_stops_drafting_with_a_clear_message(
    llm: LLMStandIn, settings: Any, publication: Any, contributor: Any, paper: Any
) -> None:
    settings.LLM_MONTHLY_TOKEN_BUDGET = 1000
    DraftingRequest.objects.create(prompt_tokens=900, completion_tokens=300, outcome="ready")
    with pytest.raises(QuotaExceeded) as raised:
        services.request_draft(publication, paper, by=contributor)
    assert "this month's budget" in raised.value.message
    assert raised.value.retry_after > 0
    assert not Draft.objects.exists()
    # Last month's tokens do not count.
    DraftingRequest.objects.update(created_at=timezone.now() - dt.timedelta(days=40))
    services.request_draft(publication, paper, by=contributor)
    assert Draft.objects.get().status == DraftStatus.QUEUED


def test_a_member_may_ask_so_many_drafts_an_hour(
    llm: LLMStandIn, settings: Any, publication: Any, contributor: Any
) -> None:
    settings.LLM_MEMBER_HOURLY_DRAFTS = 2
    services.request_draft(publication, PaperFactory(), by=contributor)
    services.request_draft(publication, PaperFactory(), by=contributor)
    with pytest.raises(QuotaExceeded) as raised:
        services.request_draft(publication, PaperFactory(), by=contributor)
    assert "2 drafts in the last hour" in raised.value.message
    assert Draft.objects.count() == 2
    # The site's own requests are not a member's.
    services.request_draft(publication, PaperFactory())
    assert Draft.objects.count() == 3


def test_nothing_is_asked_while_drafting_is_off(
    settings: Any, publication: Any, contributor: Any, paper: Any
) -> None:
    settings.LLM_API_URL = ""
    with pytest.raises(InvalidInput):
        services.request_draft(publication, paper, by=contributor)
    assert drafts.request_drafts_for_paper(paper.pk) == []
    assert not Draft.objects.exists()


def test_metadata_arriving_queues_drafts_where_the_paper_is_written_up(
    llm: LLMStandIn,
    publication: Any,
    other_publication: Any,
    contributor: Any,
    editor: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    paper = PaperFactory(title="", abstract="")
    RecommendationFactory(publication=publication, paper=paper, status="submitted")
    RecommendationFactory(publication=other_publication, paper=paper, status="withdrawn")
    services.set_house_style(publication, by=editor, spacing="any")
    metadata = PaperMetadata(
        title="Phrase Retrieval Learns Passage Retrieval, Too",
        abstract="Dense retrieval methods have shown great promise.",
        authors=[AuthorData("Jinhyuk Lee")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        enter_metadata_by_hand(paper, metadata, by=editor)
    draft = Draft.objects.get()
    assert (draft.publication, draft.status) == (publication, DraftStatus.READY)
    assert draft.requested_by is None
    # Arriving again leaves a ready draft alone: tokens are spent once.
    with django_capture_on_commit_callbacks(execute=True):
        enter_metadata_by_hand(paper, metadata, by=editor)
    assert len(llm.requests) == 1


def test_a_publication_may_turn_drafts_off(
    llm: LLMStandIn, publication: Any, editor: Any, contributor: Any, paper: Any
) -> None:
    services.set_house_style(publication, by=editor, spacing="any", drafts_enabled=False)
    RecommendationFactory(publication=publication, paper=paper)
    assert drafts.request_drafts_for_paper(paper.pk) == []
    with pytest.raises(InvalidInput):
        services.request_draft(publication, paper, by=contributor)


def test_the_task_retries_a_passing_fault_after_retry_after(monkeypatch: Any) -> None:
    from celery.exceptions import Retry

    from common import retry
    from drafting import tasks

    monkeypatch.setattr(
        tasks.drafts,
        "write_draft",
        lambda *args, **kwargs: drafts.DraftOutcome("queued", retry=True, retry_after=30.0),
    )
    asked: dict[str, Any] = {}

    def fake_retry(**kwargs: Any) -> None:
        asked.update(kwargs)
        raise Retry()

    task = tasks.task_write_draft
    monkeypatch.setattr(task, "retry", fake_retry)
    task.push_request(is_eager=False, retries=0)
    try:
        with pytest.raises(Retry):
            task.run(1, 2, 3)
    finally:
        task.pop_request()
    assert 30.0 <= asked["countdown"] <= retry.BACKOFF_CAP


def test_asking_again_keeps_what_people_took_from_the_draft(
    llm: LLMStandIn,
    publication: Any,
    editor: Any,
    contributor: Any,
    paper: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    draft = _ask(publication, paper, contributor, django_capture_on_commit_callbacks)
    drafts.accept_draft(draft, by=contributor, fields={"title_zh": drafts.AS_IS})
    services.set_house_style(publication, by=editor, spacing="none", show_draft_note=True)

    again = _ask(publication, paper, UserFactory(), django_capture_on_commit_callbacks)

    assert again.status == DraftStatus.READY
    assert DraftingRequest.objects.count() == 2
    assert (again.accepted_by, again.accepted_fields) == (contributor, {"title_zh": "as_is"})
    assert again.accepted_at is not None
    assert drafting_selectors.drafted_papers(publication, [paper.pk]) == {paper.pk}
