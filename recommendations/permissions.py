"""The capabilities of recommendations, reviews and a recommended paper's metadata, registered
with ``publications.permissions``.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext_noop

from papers import selectors as catalogue
from publications.permissions import (
    edited_publications,
    is_admin,
    is_editor_of,
    is_member,
    is_reviewer_of,
    register,
)
from recommendations.enums import IN_AN_ISSUE, STANDING_STATES, RecommendationStatus


@rules.predicate
def is_submitter(user: Any, recommendation: Any) -> bool:
    return bool(
        is_member(user) and recommendation is not None and recommendation.submitter_id == user.pk
    )


@rules.predicate
def recommends_paper(user: Any, paper: Any) -> bool:
    """The member's recommendation of this paper stands (neither withdrawn nor rejected)."""
    if not is_member(user) or paper is None:
        return False
    return paper.recommendations.filter(submitter=user, status__in=STANDING_STATES).exists()


@rules.predicate
def edits_where_recommended(user: Any, paper: Any) -> bool:
    """An editor of a publication where the paper is recommended (neither withdrawn nor
    rejected): an editor's rights over the catalogue end at their publications."""
    if not is_member(user) or paper is None:
        return False
    if user.is_superuser:
        return True
    edited = edited_publications(user)
    return bool(edited) and (
        paper.recommendations.filter(publication_id__in=edited, status__in=STANDING_STATES).exists()
    )


@rules.predicate
def held_by_another_publication(user: Any, paper: Any) -> bool:
    """An issue (draft, scheduled or published) of a publication the user does not edit holds
    the paper: what it shows is that publication's business. A recommendation is in an issue
    exactly while it is scheduled or published."""
    if paper is None:
        return False
    if is_admin(user):
        return False
    edited = edited_publications(user) if is_member(user) else []
    return (
        paper.recommendations.filter(status__in=IN_AN_ISSUE)
        .exclude(publication_id__in=edited)
        .exists()
    )


@rules.predicate
def paper_awaits_hand_entry(user: Any, paper: Any) -> bool:
    """The paper's metadata is missing for good: its fetch failed or found nothing, or no
    source can be asked."""
    return is_member(user) and paper is not None and catalogue.awaits_hand_entry(paper)


@rules.predicate
def paper_entered_by_hand(user: Any, paper: Any) -> bool:
    return is_member(user) and paper is not None and catalogue.entered_by_hand(paper)


@rules.predicate
def is_public_recommendation(user: Any, recommendation: Any) -> bool:
    return recommendation is not None and recommendation.status == RecommendationStatus.PUBLISHED


CAPABILITIES: dict[str, rules.Predicate] = {
    # Any signed-up member may recommend papers and news to any publication.
    "recommendations.submit_recommendation": is_member,
    "recommendations.edit_recommendation": is_submitter,
    # The team polishes what an entry will show, before it is published.
    "recommendations.revise_recommendation": is_reviewer_of,
    "recommendations.withdraw_recommendation": is_submitter,
    "recommendations.view_recommendation": is_submitter | is_reviewer_of | is_public_recommendation,
    "recommendations.view_reviews": is_submitter | is_reviewer_of,
    "recommendations.view_review_queue": is_reviewer_of,
    "recommendations.review_recommendation": is_reviewer_of & ~is_submitter,
    "recommendations.accept_recommendation": is_editor_of & ~is_submitter,
    "recommendations.schedule_recommendation": is_editor_of,
    # Editors enter items on the community's behalf (from a mailing list, an old digest): the
    # publication's weekly submission quota does not hold them back.
    "recommendations.exceed_submission_quota": is_editor_of,
    "recommendations.refetch_paper_metadata": edits_where_recommended,
    # Missing metadata may be filled in by whoever recommended the paper or edits where it is
    # recommended; a hand entry is corrected by those editors only; never over a source's
    # metadata, and never on a paper that another publication has in an issue.
    # (The paper's state is tested first: it costs no query.)
    "recommendations.enter_paper_metadata": (
        (paper_awaits_hand_entry & recommends_paper)
        | ((paper_awaits_hand_entry | paper_entered_by_hand) & edits_where_recommended)
    )
    & ~held_by_another_publication,
    "recommendations.keep_paper_metadata": edits_where_recommended & ~held_by_another_publication,
    # Checked on both rows of a merge: every recommendation and issue entry of either moves.
    "recommendations.merge_papers": edits_where_recommended & ~held_by_another_publication,
}

REFUSALS: dict[str, str] = {
    "recommendations.submit_recommendation": gettext_noop(
        "Sign in with an active account to recommend papers."
    ),
    "recommendations.revise_recommendation": gettext_noop(
        "Only reviewers and editors of this publication may edit its entries."
    ),
    "recommendations.edit_recommendation": gettext_noop(
        "Only the member who submitted this recommendation may edit it."
    ),
    "recommendations.withdraw_recommendation": gettext_noop(
        "Only the member who submitted this recommendation may withdraw it."
    ),
    "recommendations.view_recommendation": gettext_noop(
        "This recommendation is not visible to you."
    ),
    "recommendations.view_reviews": gettext_noop(
        "Only the submitter and the publication's team see these reviews."
    ),
    "recommendations.view_review_queue": gettext_noop(
        "Only reviewers and editors of this publication see its queue."
    ),
    "recommendations.review_recommendation": gettext_noop(
        "Only reviewers and editors of this publication may review it, and never their own "
        "submission."
    ),
    "recommendations.accept_recommendation": gettext_noop(
        "Only editors of this publication may accept recommendations, and never their own."
    ),
    "recommendations.schedule_recommendation": gettext_noop(
        "Only editors of this publication may schedule entries."
    ),
    "recommendations.exceed_submission_quota": gettext_noop(
        "Only editors of this publication may recommend beyond its weekly quota."
    ),
    "recommendations.refetch_paper_metadata": gettext_noop(
        "Only editors of a publication where this paper is recommended may have its metadata "
        "fetched again."
    ),
    "recommendations.enter_paper_metadata": gettext_noop(
        "Only a member whose recommendation of this paper stands, or an editor of a publication "
        "where it is recommended, may fill in its missing metadata by hand; once filled in, only "
        "such an editor may correct it. A paper that another publication has in an issue is left "
        "to that publication's editors."
    ),
    "recommendations.keep_paper_metadata": gettext_noop(
        "Only editors of a publication where this paper is recommended may keep a hand entry "
        "over the source's metadata, and never on a paper that another publication has in an "
        "issue."
    ),
    "recommendations.merge_papers": gettext_noop(
        "Only editors of a publication where both papers are recommended may merge them, and "
        "never a paper that another publication has in an issue."
    ),
}

register(CAPABILITIES, REFUSALS)
