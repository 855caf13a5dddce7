"""The e-mails that tell members what became of their recommendations.

Pure builders of messages, each in the ``language`` it is given; ``issues.services.notify_*``
decide whom to tell, once, and in which language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from common.links import site_url
from common.mail import header_text
from contributors.services import notifications_off_token
from issues.models import Issue
from recommendations.enums import RecommendationStatus, Verdict
from recommendations.models import Recommendation, Review, Transition
from recommendations.selectors import change_label


def _message(
    user: Any, *, subject: str, paragraphs: Sequence[str], items: Sequence[str] = (), link: str = ""
) -> EmailMultiAlternatives:
    off_url = site_url(
        reverse("contributors:notifications-off", kwargs={"token": notifications_off_token(user)})
    )
    context = {
        "member": user,
        "paragraphs": paragraphs,
        "items": items,
        "link": link,
        "off_url": off_url,
    }
    message = EmailMultiAlternatives(
        subject=header_text(subject),
        body=render_to_string("notifications/email/notification.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{off_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    return message


def _link_of(recommendation: Recommendation) -> str:
    if recommendation.paper_id:
        return site_url(reverse("papers:paper-detail", args=[recommendation.paper_id]))
    return recommendation.news_url


def reviewed_message(review: Review, *, language: str | None = None) -> EmailMultiAlternatives:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _reviewed_message(review)


def _reviewed_message(review: Review) -> EmailMultiAlternatives:
    recommendation = review.recommendation
    title = recommendation.display_title
    publication = recommendation.publication.name_for(translation.get_language())
    if review.verdict == Verdict.APPROVE:
        subject = _("Approved: %(title)s") % {"title": title}
        lead = _("A reviewer of %(publication)s approved your recommendation.")
        if recommendation.status == RecommendationStatus.ACCEPTED:
            lead += " " + _("It is accepted and will appear in a coming issue.")
    elif review.verdict == Verdict.REQUEST_CHANGES:
        subject = _("Changes requested: %(title)s") % {"title": title}
        lead = _(
            "A reviewer of %(publication)s asks for changes to your recommendation. Edit it and "
            "submit it again."
        )
    else:
        subject = _("Not accepted: %(title)s") % {"title": title}
        lead = _("A reviewer of %(publication)s did not accept your recommendation.")
    paragraphs = [lead % {"publication": publication}]
    if review.comment:
        paragraphs.append(_("The reviewer's comment:") + "\n" + review.comment)
    return _message(
        recommendation.submitter,
        subject=subject,
        paragraphs=paragraphs,
        items=[title],
        link=_link_of(recommendation),
    )


def accepted_message(
    recommendation: Recommendation, *, language: str | None = None
) -> EmailMultiAlternatives:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _accepted_message(recommendation)


def _accepted_message(recommendation: Recommendation) -> EmailMultiAlternatives:
    title = recommendation.display_title
    return _message(
        recommendation.submitter,
        subject=_("Accepted: %(title)s") % {"title": title},
        paragraphs=[
            _(
                "An editor of %(publication)s accepted your recommendation. It will appear in a "
                "coming issue."
            )
            % {"publication": recommendation.publication.name_for(translation.get_language())}
        ],
        items=[title],
        link=_link_of(recommendation),
    )


def revised_message(
    transition: Transition, *, language: str | None = None
) -> EmailMultiAlternatives:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _revised_message(transition)


def _revised_message(transition: Transition) -> EmailMultiAlternatives:
    recommendation = transition.recommendation
    title = recommendation.display_title
    fields = [change_label(change["field"]) for change in transition.changes]
    paragraphs = [
        _("%(name)s of %(publication)s edited your recommendation: %(fields)s.")
        % {
            "name": transition.actor.public_name if transition.actor else _("The team"),
            "publication": recommendation.publication.name_for(translation.get_language()),
            "fields": ", ".join(fields),
        },
        _("Your recommendation's page shows what changed."),
    ]
    return _message(
        recommendation.submitter,
        subject=_("Edited: %(title)s") % {"title": title},
        paragraphs=paragraphs,
        items=[title],
        link=site_url(reverse("recommendations:detail", args=[recommendation.pk])),
    )


def published_message(
    user: Any, issue: Issue, titles: Sequence[str], *, language: str | None = None
) -> EmailMultiAlternatives:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _published_message(user, issue, titles)


def _published_message(user: Any, issue: Issue, titles: Sequence[str]) -> EmailMultiAlternatives:
    name = f"{issue.publication.name_for(translation.get_language())} #{issue.number}"
    return _message(
        user,
        subject=_("Published in %(issue)s: your recommendations") % {"issue": name}
        if len(titles) > 1
        else _("Published in %(issue)s: %(title)s") % {"issue": name, "title": titles[0]},
        paragraphs=[_("Thank you: what you recommended is in %(issue)s.") % {"issue": name}],
        items=titles,
        link=site_url(issue.get_absolute_url()),
    )


def co_credited_message(co: Any, *, language: str | None = None) -> EmailMultiAlternatives:
    """``co``: the ``issues.CoRecommendation`` that credits the member on another's entry."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _co_credited_message(co)


def _co_credited_message(co: Any) -> EmailMultiAlternatives:
    recommendation = co.recommendation
    first = co.entry.recommendation.submitter
    title = recommendation.display_title
    return _message(
        recommendation.submitter,
        subject=_("Credited together: %(title)s") % {"title": title},
        paragraphs=[
            _(
                "%(name)s recommended this paper to %(publication)s too. An issue shows a paper "
                "once: your recommendation joins that entry, which credits you both."
            )
            % {
                "name": first.public_name,
                "publication": recommendation.publication.name_for(translation.get_language()),
            }
        ],
        items=[title],
        link=site_url(co.entry.issue.get_absolute_url())
        if co.entry.issue.is_published
        else _link_of(recommendation),
    )
