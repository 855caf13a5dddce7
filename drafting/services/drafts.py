"""Drafts of a paper's entry in a publication, asked of the language model.

``request_draft`` checks the monthly budget and the member's rate and queues the work;
``write_draft`` (the worker's part) builds the prompt from the publication's voice, sends the
paper's public metadata only, validates the answer and stores the Draft, recording the tokens
of the request. A refused key or a missing model is recorded once as a ``BackendProblem`` for
the editors, and cleared by the next answer. ``accept_draft`` records which drafted fields a
person submitted, and who.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.exceptions import InvalidInput, QuotaExceeded
from common.queue import enqueue_after_commit
from drafting import selectors
from drafting.backend import chat_client, drafting_enabled
from drafting.client import (
    ChatClient,
    ModelError,
    ModelMissing,
    ModelUnauthorized,
    ModelUnavailable,
)
from drafting.enums import FINAL_DRAFT_STATUSES, BackendFault, DraftStatus
from drafting.models import BackendProblem, Draft, DraftingRequest
from drafting.prompts import DEFAULT_INSTRUCTIONS, build_messages
from drafting.validation import DraftRefused, validate_answer
from papers.models import Paper
from publications.models import Publication
from publications.permissions import require

logger = logging.getLogger("weekly.drafting")

HOUR = dt.timedelta(hours=1)
#: The examples a publication without a prompt of its own shows.
DEFAULT_EXAMPLES = 3
#: The fields of a draft a form may be filled with, and the draft's attribute for each.
DRAFT_FIELDS = {
    "title_zh": "title_zh",
    "summary": "summary_zh",
    "subject_zh": "subject_zh",
    "subject_en": "subject_en",
    "topic": "topic",
}
AS_IS = "as_is"
EDITED = "edited"


def drafting_on(publication: Publication) -> bool:
    """Whether drafts are asked for this publication's entries: the site has a model and the
    publication's editors have not turned drafts off."""
    return drafting_enabled() and selectors.house_style_settings(publication).drafts_enabled


def _next_month(now: dt.datetime) -> dt.datetime:
    start = selectors.month_start(now)
    return (start + dt.timedelta(days=32)).replace(day=1)


def check_budget(now: dt.datetime | None = None) -> None:
    """Refuse with ``QuotaExceeded`` once the site's tokens of the month reach the budget."""
    budget = settings.LLM_MONTHLY_TOKEN_BUDGET
    now = now or timezone.now()
    if budget and selectors.tokens_this_month(now) >= budget:
        wait = math.ceil((_next_month(now) - now).total_seconds())
        raise QuotaExceeded(
            gettext(
                "The site has used this month's budget of the language model (%(budget)s "
                "tokens): no drafts until next month. Write the entry yourself meanwhile."
            )
            % {"budget": budget},
            retry_after=max(1, wait),
        )


def check_member_rate(by: Any, now: dt.datetime | None = None) -> None:
    """Refuse with ``QuotaExceeded`` a member who asked for ``LLM_MEMBER_HOURLY_DRAFTS`` drafts
    in the last hour."""
    limit = settings.LLM_MEMBER_HOURLY_DRAFTS
    if not limit or by is None:
        return
    now = now or timezone.now()
    asked = DraftingRequest.objects.filter(requested_by=by, created_at__gte=now - HOUR)
    if asked.count() >= limit:
        oldest = asked.order_by("created_at").values_list("created_at", flat=True)[:1][0]
        wait = math.ceil((oldest + HOUR - now).total_seconds())
        minutes = max(1, math.ceil(wait / 60))
        raise QuotaExceeded(
            gettext(
                "You have asked for %(limit)d drafts in the last hour, as many as one member "
                "may. Please try again in %(minutes)d minutes."
            )
            % {"limit": limit, "minutes": minutes},
            retry_after=max(1, wait),
        )


def request_draft(publication: Publication, paper: Paper, *, by: Any = None) -> Draft:
    """Have a worker ask the model for drafts of ``paper``'s entry in ``publication``.

    ``by`` is the member asking (checked against ``drafting.request_draft`` and the hourly
    rate); without ``by``, the site asks on its own (a paper's metadata arrived) and a draft
    already there or under way is left alone. Refused with ``QuotaExceeded`` past the month's
    budget or the member's rate, with ``InvalidInput`` while drafting is off or the paper has
    no title yet.

    Side effects: creates or resets the Draft (queued) and a DraftingRequest; enqueues
    ``task_write_draft`` after commit.
    """
    from drafting.tasks import task_write_draft

    if by is not None:
        require(by, "drafting.request_draft", publication)
    if not drafting_on(publication):
        raise InvalidInput(gettext("This publication does not ask a language model for drafts."))
    if not paper.title:
        raise InvalidInput(
            gettext(
                "The paper's title and abstract are not known yet: drafts are asked once "
                "its metadata arrives."
            )
        )
    check_budget()
    with transaction.atomic():
        draft, created = Draft.objects.select_for_update().get_or_create(
            publication=publication, paper=paper
        )
        if by is None and not created and draft.status != DraftStatus.FAILED:
            return draft
        if by is not None:
            check_member_rate(by)
        draft.status = DraftStatus.QUEUED
        draft.reason = ""
        draft.requested_by = by
        draft.save(update_fields=["status", "reason", "requested_by", "updated_at"])
        asked = DraftingRequest.objects.create(
            publication=publication,
            paper=paper,
            requested_by=by,
            model=settings.LLM_MODEL[:200],
            outcome=DraftStatus.QUEUED,
        )
        enqueue_after_commit(task_write_draft, publication.pk, paper.pk, asked.pk)
    return draft


def request_drafts_for_paper(paper_id: int) -> list[int]:
    """Queue drafts of the paper's entry in each publication writing one up where drafting is
    on (``drafting.examples.publications_writing``); the ids of those publications."""
    from drafting.examples import publications_writing

    if not drafting_enabled():
        return []
    paper = Paper.objects.filter(pk=paper_id).first()
    if paper is None or not paper.title:
        return []
    queued = []
    for publication in Publication.objects.filter(pk__in=publications_writing(paper_id)):
        if not drafting_on(publication):
            continue
        try:
            request_draft(publication, paper)
        except (QuotaExceeded, InvalidInput) as error:
            logger.info("No drafts of paper %s in %s: %s", paper_id, publication.slug, error)
            continue
        queued.append(publication.pk)
    return queued


@dataclass(frozen=True)
class DraftOutcome:
    status: str
    #: A passing fault: the task tries again, not sooner than ``retry_after`` seconds.
    retry: bool = False
    retry_after: float | None = None


def write_draft(
    publication_id: int,
    paper_id: int,
    request_id: int | None = None,
    *,
    final_attempt: bool = True,
    client: ChatClient | None = None,
) -> DraftOutcome:
    """Ask the model for the drafts and store what it answered (the worker's part).

    A passing fault (the model busy, unreachable, too slow) leaves the draft queued for another
    try unless this is the ``final_attempt``; any other fault, and an answer the validation
    refuses, ends it ``failed`` or ``refused`` with the reason, its fields unchanged.

    Side effects: updates the Draft and the DraftingRequest (tokens, outcome); records or
    clears BackendProblems; calls the model.
    """
    draft = (
        Draft.objects.filter(publication_id=publication_id, paper_id=paper_id)
        .select_related("publication", "paper")
        .first()
    )
    if draft is None:
        return DraftOutcome(status="")
    asked = DraftingRequest.objects.filter(pk=request_id).first() if request_id else None
    publication, paper = draft.publication, draft.paper
    if not drafting_on(publication):
        return _end(draft, asked, DraftStatus.FAILED, gettext("Drafting is off."))
    try:
        check_budget()
    except QuotaExceeded as error:
        return _end(draft, asked, DraftStatus.FAILED, error.message)
    template = selectors.current_prompt(publication)
    context = selectors.prompt_context(
        publication, examples=template.examples if template else DEFAULT_EXAMPLES
    )
    metadata = selectors.paper_input(paper)
    messages = build_messages(
        template.instructions if template else DEFAULT_INSTRUCTIONS, context, metadata
    )
    Draft.objects.filter(pk=draft.pk).update(status=DraftStatus.DRAFTING)
    client = client or chat_client(attempts=1)
    try:
        completion = client.complete(messages)
    except ModelUnavailable as error:
        if not final_attempt:
            Draft.objects.filter(pk=draft.pk).update(status=DraftStatus.QUEUED, reason=str(error))
            return DraftOutcome(DraftStatus.QUEUED, retry=True, retry_after=error.retry_after)
        return _end(draft, asked, DraftStatus.FAILED, str(error))
    except (ModelUnauthorized, ModelMissing) as error:
        fault = (
            BackendFault.UNAUTHORIZED
            if isinstance(error, ModelUnauthorized)
            else BackendFault.MODEL_MISSING
        )
        BackendProblem.objects.get_or_create(fault=fault, defaults={"message": str(error)})
        return _end(draft, asked, DraftStatus.FAILED, str(error))
    except ModelError as error:
        return _end(draft, asked, DraftStatus.FAILED, str(error))
    # The server answered: whatever was wrong with its configuration is mended.
    BackendProblem.objects.all().delete()
    tokens = {
        "model": completion.model,
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
    }
    topics = [t.slug for t in context.topics]
    try:
        fields = validate_answer(
            completion.content, topics=topics, institutions=metadata.unknown_institutions
        )
    except DraftRefused as error:
        return _end(draft, asked, DraftStatus.REFUSED, str(error), tokens=tokens)
    topic = publication.topics.filter(slug=fields.topic).first() if fields.topic else None
    draft.title_zh, draft.summary_zh, draft.summary_en = (
        fields.title_zh,
        fields.summary_zh,
        fields.summary_en,
    )
    draft.subject_zh, draft.subject_en, draft.topic = fields.subject_zh, fields.subject_en, topic
    draft.institutions = [{"name": n, "short_zh": s} for n, s in fields.institutions]
    draft.model = completion.model
    draft.prompt_version = template.version if template else None
    # What people took from an earlier draft stays recorded (``accepted_*``): an entry that took
    # a model's text did so whoever asks again later, and the readers' note rests on it.
    return _end(draft, asked, DraftStatus.READY, "", tokens=tokens, save_fields=True)


def _end(
    draft: Draft,
    asked: DraftingRequest | None,
    status: str,
    reason: str,
    *,
    tokens: Mapping[str, Any] | None = None,
    save_fields: bool = False,
) -> DraftOutcome:
    with transaction.atomic():
        draft.status, draft.reason = status, reason[:2000]
        if save_fields:
            draft.save()
        else:
            draft.save(update_fields=["status", "reason", "updated_at"])
        if asked is not None:
            asked.outcome = status
            for name, value in (tokens or {}).items():
                setattr(asked, name, value)
            asked.save()
        elif tokens:
            DraftingRequest.objects.create(
                publication=draft.publication, paper=draft.paper, outcome=status, **tokens
            )
    return DraftOutcome(status)


def drafted_fields(
    draft: Draft | None, offered: list[str], submitted: Mapping[str, Any]
) -> dict[str, str]:
    """{field: "as_is" or "edited"} of the fields of ``offered`` (those a form was filled with
    from ``draft``) that a person submitted not empty. A field the draft has no text for is not
    a drafted field, whatever a form says."""
    if draft is None or draft.status != DraftStatus.READY:
        return {}
    found = {}
    for name in offered:
        attribute = DRAFT_FIELDS.get(name)
        if attribute is None:
            continue
        proposed = getattr(draft, attribute)
        value = submitted.get(name)
        if not proposed or not value:
            continue
        if attribute == "topic":
            same = getattr(value, "pk", value) == proposed.pk
        else:
            same = " ".join(str(value).split()) == " ".join(str(proposed).split())
        found[name] = AS_IS if same else EDITED
    return found


def accept_draft(draft: Draft, *, by: Any, fields: Mapping[str, str]) -> None:
    """Record that ``by`` submitted ``fields`` ({field: "as_is" or "edited"}) from ``draft``.

    Side effects: updates the Draft's ``accepted_by``, ``accepted_at``, ``accepted_fields``.
    """
    if not fields:
        return
    accepted = {**draft.accepted_fields, **fields}
    Draft.objects.filter(pk=draft.pk).update(
        accepted_by=by, accepted_at=timezone.now(), accepted_fields=accepted
    )
    draft.accepted_by, draft.accepted_fields = by, accepted


def audit_mark(draft: Draft, how: str) -> dict[str, Any]:
    """What an audit row's change of a drafted field adds: how it was taken, from which model
    and prompt version."""
    return {"drafted": how, "model": draft.model, "prompt_version": draft.prompt_version}


def is_final(draft: Draft | None) -> bool:
    return draft is not None and draft.status in FINAL_DRAFT_STATUSES
