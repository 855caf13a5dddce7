"""Recommending: creating, editing, submitting and withdrawing a recommendation, and the quota."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext

from common.exceptions import InvalidInput, QuotaExceeded
from common.validators import (
    TITLE_MAX_LENGTH,
    check_field,
    max_length,
    validate_http_url,
    validate_summary,
)
from drafting import selectors as drafting_selectors
from drafting.services import drafts as drafting_services
from papers import services as paper_services
from papers.enums import MetadataStatus
from papers.identifiers import InvalidIdentifier, parse_identifier
from publications import selectors as publication_selectors
from publications.models import Publication, Topic
from publications.permissions import can, require
from recommendations.enums import (
    OPEN_STATES,
    RECOMMENDATION_EDITABLE_FIELDS,
    RecommendationAction,
    RecommendationKind,
    RecommendationStatus,
)
from recommendations.models import Recommendation, Transition
from recommendations.selectors import featured_recommendation
from recommendations.services._workflow import (
    lock_member,
    move_recommendation,
    recommendation_allows,
)
from recommendations.services.review import start_review_round

#: The capability each of the submitter's own transitions needs; the services below require it
#: and ``submitter_actions`` tells the pages which to offer.
SUBMITTER_CAPABILITIES = {
    RecommendationAction.EDIT: "recommendations.edit_recommendation",
    RecommendationAction.SUBMIT: "recommendations.edit_recommendation",
    RecommendationAction.WITHDRAW: "recommendations.withdraw_recommendation",
}


def submitter_actions(recommendation: Recommendation, *, by: Any) -> dict[str, bool]:
    """Which of the submitter's actions (``edit``, ``submit``, ``withdraw``) ``by`` may take on
    the recommendation now: the transition table and the capabilities the services check."""
    return {
        str(action): recommendation_allows(recommendation, action)
        and can(by, capability, recommendation)
        for action, capability in SUBMITTER_CAPABILITIES.items()
    }


#: The fields that hold several lines: one author or institution a line.
_LINES = frozenset({"shown_authors", "shown_institutions"})
#: What one line of ``_LINES`` may hold, and how many lines.
_LINE_MAX_LENGTH, _MAX_LINES = 300, 200


def clean_topic(publication: Publication, value: Topic | str | None) -> Topic | None:
    """The topic of ``publication`` that ``value`` names (a topic, or its slug as the API gives
    it); another publication's topic, or a slug it has no topic by, is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        topic = publication_selectors.topics(publication).filter(slug=value[:80]).first()
        if topic is None:
            raise InvalidInput(
                gettext("%(publication)s has no topic “%(slug)s”: choose one of its topics.")
                % {"publication": publication.name, "slug": value[:80]},
                field="topic",
            )
        return topic
    if not isinstance(value, Topic):
        raise InvalidInput(gettext("Choose a topic from the list."), field="topic")
    if value.publication_id != publication.pk:
        raise InvalidInput(
            gettext(
                "“%(topic)s” is a topic of another publication: choose one of %(publication)s's."
            )
            % {"topic": value.name_en, "publication": publication.name},
            field="topic",
        )
    return value


def clean_recommendation_fields(
    kind: str,
    values: dict[str, Any],
    *,
    publication: Publication,
    summary_optional: bool = False,
) -> dict[str, Any]:
    """Validate the member-supplied fields of a recommendation to ``publication``; returns them
    normalised: the topic one of the publication's, line endings as LF (browsers send CRLF), no
    space at either end of the text or, in the fields of one item a line, of a line, and no empty
    line there. With ``summary_optional``, an empty summary is let through (a draft whose
    summary the language model is to draft)."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "topic":
            cleaned[name] = clean_topic(publication, value)
            continue
        value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if name == "summary":
            if value or not summary_optional:
                check_field(name, value, validate_summary)
        elif name in ("code_url", "news_url", "paper_url") and value:
            check_field(name, value, validate_http_url)
        elif name == "title_zh":
            check_field(name, value, max_length(500))
        elif name == "news_title":
            check_field(name, value, max_length(TITLE_MAX_LENGTH))
        elif name in ("subject_zh", "subject_en"):
            check_field(name, value, max_length(60))
            if "\n" in value:
                raise InvalidInput(gettext("Write the subject on one line."), field=name)
        elif name in _LINES:
            lines = [line.strip() for line in value.split("\n") if line.strip()]
            for line in lines:
                check_field(name, line, max_length(_LINE_MAX_LENGTH))
            if len(lines) > _MAX_LINES:
                raise InvalidInput(
                    gettext("At most %(count)s lines, please.") % {"count": _MAX_LINES}, field=name
                )
            value = "\n".join(lines)
        cleaned[name] = value
    if kind == RecommendationKind.NEWS:
        if "news_title" in cleaned and not cleaned["news_title"]:
            raise InvalidInput(gettext("Give the news item a title."), field="news_title")
        if "news_url" in cleaned and not cleaned["news_url"]:
            raise InvalidInput(gettext("Give the news item's link."), field="news_url")
    return cleaned


def create_recommendation(
    *,
    by: Any,
    publication: Publication,
    summary: str,
    identifier: str = "",
    kind: str = RecommendationKind.PAPER,
    title_zh: str = "",
    code_url: str = "",
    topic: Topic | str | None = None,
    news_title: str = "",
    news_url: str = "",
    draft: bool = False,
    drafted: Mapping[str, str] | None = None,
) -> Recommendation:
    """Recommend a paper (by any identifier form) or a news item to ``publication``.

    The paper is found or created in the catalogue (``pending`` metadata when new). The
    recommendation starts as a draft when ``draft`` is true, otherwise it is submitted for review;
    a paper's draft may leave the summary empty where the publication asks a language model for
    drafts (``submit_recommendation`` asks for one).
    Refused with ``QuotaExceeded`` beyond the publication's weekly submission quota
    (``enforce_submission_quota``).

    ``drafted`` names the fields submitted from the model's draft of the paper's entry
    ({field: "as_is" or "edited"}, the recommend form's): the creating audit row lists them,
    with the model and the prompt version, and the draft records who accepted them
    (``mark_drafted``).

    Side effects: may insert a Paper; inserts a Recommendation and its audit rows.
    """
    require(by, "recommendations.submit_recommendation", publication)
    if kind not in RecommendationKind.values:
        raise InvalidInput(gettext("Choose whether this is a paper or a news item."), field="kind")
    fields = {"summary": summary, "title_zh": title_zh, "code_url": code_url, "topic": topic}
    if kind == RecommendationKind.NEWS:
        fields.update(news_title=news_title, news_url=news_url)
    # A paper saved as a draft may wait for the language model's drafts of its summary.
    summary_optional = (
        draft and kind == RecommendationKind.PAPER and drafting_services.drafting_on(publication)
    )
    cleaned = clean_recommendation_fields(
        kind, fields, publication=publication, summary_optional=summary_optional
    )

    with transaction.atomic():
        # One member's submissions are decided one after the other: a double click on "submit"
        # of a known paper would otherwise pass the duplicate check twice, since neither request
        # sees the other's uncommitted recommendation.
        lock_member(by)
        enforce_submission_quota(by, publication)
        paper = None
        if kind == RecommendationKind.PAPER:
            try:
                parsed = parse_identifier(identifier or "")
            except InvalidIdentifier as error:
                raise InvalidInput(
                    str(error), field="identifier", code="invalid_identifier"
                ) from None
            paper, _created = paper_services.get_or_create_paper(parsed)
            _refuse_duplicate(by, publication, paper)
            if paper.metadata_status == MetadataStatus.PENDING:
                paper_services.request_metadata_fetch([paper.pk])
        recommendation = Recommendation.objects.create(
            publication=publication,
            kind=kind,
            paper=paper,
            submitter=by,
            status=RecommendationStatus.DRAFT,
            **cleaned,
        )
        audit = [
            {"field": name, "old": "", "new": audited(cleaned[name])}
            for name in sorted(drafted or {})
            if cleaned.get(name)
        ]
        mark_drafted(recommendation, audit, drafted, by=by)
        Transition.objects.create(
            recommendation=recommendation,
            actor=by,
            action=RecommendationAction.CREATE,
            from_status="",
            to_status=RecommendationStatus.DRAFT,
            changes=[entry for entry in audit if "drafted" in entry],
        )
        if not draft:
            move_recommendation(
                recommendation,
                action=RecommendationAction.SUBMIT,
                actor=by,
                extra={"submitted_at": timezone.now()},
            )
    return recommendation


#: The rolling period of a publication's ``weekly_submission_quota``.
QUOTA_PERIOD = dt.timedelta(days=7)


def enforce_submission_quota(by: Any, publication: Publication) -> None:
    """Refuse (``QuotaExceeded``, HTTP 429) a recommendation beyond ``publication``'s quota.

    The quota counts every recommendation ``by`` created in the publication in the last 7 days
    (rolling), whatever became of it: drafts, withdrawn and rejected ones included, so that
    neither drafts nor withdrawing makes room for more. A quota that is empty or 0 is no limit;
    the publication's editors (and admins) are not limited. The message names the quota and when
    the next recommendation can be made.

    Call it inside the transaction that inserts the recommendation: it locks the member's row,
    so two submissions of one member at once (two tabs, a script) are counted one after the
    other and never both take the last place.
    """
    quota = publication.weekly_submission_quota
    if not quota or can(by, "recommendations.exceed_submission_quota", publication):
        return
    lock_member(by)
    now = timezone.now()
    recent = list(
        Recommendation.objects.filter(
            publication=publication, submitter=by, created_at__gt=now - QUOTA_PERIOD
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(recent) < quota:
        return
    # The place that frees first: when all but quota - 1 of them have left the period.
    frees_at = recent[len(recent) - quota] + QUOTA_PERIOD
    local = timezone.localtime(frees_at)
    raise QuotaExceeded(
        ngettext(
            "%(publication)s takes at most %(quota)d recommendation from one member in 7 days, "
            "and you have made %(made)d. You can recommend again after %(when)s.",
            "%(publication)s takes at most %(quota)d recommendations from one member in 7 days, "
            "and you have made %(made)d. You can recommend again after %(when)s.",
            quota,
        )
        % {
            "publication": publication.name_for(get_language()),
            "quota": quota,
            "made": len(recent),
            "when": f"{local:%Y-%m-%d %H:%M} ({local.tzname()})",
        },
        retry_after=max(1, int((frees_at - now).total_seconds()) + 1),
    )


def _refuse_duplicate(by: Any, publication: Publication, paper: Any) -> None:
    """One active recommendation of a paper per member and publication; none once it is featured."""
    featured = featured_recommendation(publication, paper)
    if featured is not None:
        raise InvalidInput(
            gettext(
                "This paper was already featured in %(publication)s issue #%(number)s; a paper "
                "appears in at most one issue."
            )
            % {
                "publication": publication.name_for(get_language()),
                "number": featured.place and featured.place.number,
            },
            field="identifier",
            code="already_featured",
        )
    mine = Recommendation.objects.filter(
        publication=publication,
        paper=paper,
        submitter=by,
        status__in=OPEN_STATES | {RecommendationStatus.ACCEPTED, RecommendationStatus.SCHEDULED},
    ).exists()
    if mine:
        raise InvalidInput(
            gettext(
                "You have already recommended this paper to this publication; edit that "
                "recommendation instead."
            ),
            field="identifier",
            code="duplicate",
        )


def edit_recommendation(
    recommendation: Recommendation,
    *,
    by: Any,
    drafted: Mapping[str, str] | None = None,
    **changes: Any,
) -> Recommendation:
    """Change the submitter's own fields while the recommendation is not yet accepted.

    Accepts any of ``summary``, ``title_zh``, ``code_url``, ``topic``, ``news_title``,
    ``news_url``: all of them are what the reviewers judge. The state stays; the audit row names
    the fields that changed and keeps their old and new values (``Transition.changes``).

    ``drafted`` names the fields submitted from the model's draft ({field: "as_is" or
    "edited"}): their audit entries say so, with the model and the prompt version, and the
    draft records who accepted them (``mark_drafted``).

    A change to a submitted recommendation starts the next review round: the approvals given so
    far judged another text, so they no longer count towards acceptance, and the audit row names
    them. A save that changes nothing keeps the round.

    Side effects: updates the Recommendation; may advance ``review_round``; writes an audit row.
    """
    require(by, SUBMITTER_CAPABILITIES[RecommendationAction.EDIT], recommendation)
    unknown = set(changes) - set(RECOMMENDATION_EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            gettext("These fields cannot be edited: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    if not recommendation.is_news:
        for name in ("news_title", "news_url"):
            if changes.get(name):
                raise InvalidInput(
                    gettext("A paper recommendation has no news fields."), field=name
                )
            changes.pop(name, None)
    cleaned = clean_recommendation_fields(
        recommendation.kind, changes, publication=recommendation.publication
    )
    changed = {k: v for k, v in cleaned.items() if getattr(recommendation, k) != v}
    note = "Changed: " + (", ".join(sorted(changed)) or "nothing")
    audit = [
        {"field": name, "old": audited(getattr(recommendation, name)), "new": audited(value)}
        for name, value in sorted(changed.items())
    ]
    extra: dict[str, Any] = dict(changed)
    with transaction.atomic():
        mark_drafted(recommendation, audit, drafted, by=by)
        if changed and recommendation.status == RecommendationStatus.SUBMITTED:
            note += start_review_round(recommendation)
            extra["review_round"] = F("review_round") + 1
        move_recommendation(
            recommendation,
            action=RecommendationAction.EDIT,
            actor=by,
            note=note,
            extra=extra,
            changes=audit,
        )
    return recommendation


def mark_drafted(
    recommendation: Recommendation,
    audit: list[dict[str, Any]],
    drafted: Mapping[str, str] | None,
    *,
    by: Any,
) -> None:
    """Mark the audit entries of the fields taken from the model's draft, and record on the
    draft who accepted them. People keep the last word: nothing but what they submit is saved."""
    if not drafted or recommendation.paper_id is None:
        return
    draft = drafting_selectors.draft_for(recommendation.publication, recommendation.paper)
    if draft is None:
        return
    taken = {}
    for entry in audit:
        how = drafted.get(entry["field"])
        if how:
            entry.update(drafting_services.audit_mark(draft, how))
            taken[entry["field"]] = how
    drafting_services.accept_draft(draft, by=by, fields=taken)


def audited(value: Any) -> Any:
    """A field's value as the audit keeps it: a topic by its slug."""
    if isinstance(value, Topic):
        return value.slug
    return value


def submit_recommendation(
    recommendation: Recommendation, *, by: Any, note: str = ""
) -> Recommendation:
    """Send a draft, or a recommendation whose changes were requested, to the reviewers.

    A resubmission after requested changes starts the next review round: the reviews of the
    earlier version, approvals included, no longer count.

    Side effects: status → submitted; may advance ``review_round``; writes an audit row.
    """
    require(by, SUBMITTER_CAPABILITIES[RecommendationAction.SUBMIT], recommendation)
    if not recommendation.summary.strip():
        raise InvalidInput(
            gettext("Write a summary, or accept the draft's, before submitting."),
            field="summary",
        )
    extra: dict[str, Any] = {"submitted_at": timezone.now()}
    if recommendation.status == RecommendationStatus.CHANGES_REQUESTED:
        # Counted in the database, not from this copy: a copy read before a later round began
        # would otherwise bring back that round, and the approvals it had lost.
        extra["review_round"] = F("review_round") + 1
    with transaction.atomic():
        return move_recommendation(
            recommendation,
            action=RecommendationAction.SUBMIT,
            actor=by,
            note=note,
            extra=extra,
        )


def withdraw_recommendation(
    recommendation: Recommendation, *, by: Any, note: str = ""
) -> Recommendation:
    """The submitter takes back a recommendation that is not yet accepted.

    Side effects: status → withdrawn; writes an audit row.
    """
    require(by, SUBMITTER_CAPABILITIES[RecommendationAction.WITHDRAW], recommendation)
    with transaction.atomic():
        return move_recommendation(
            recommendation,
            action=RecommendationAction.WITHDRAW,
            actor=by,
            note=note,
            extra={"decided_at": timezone.now()},
        )
