"""Named capabilities of the editorial workflow, defined once.

Code asks ``can(user, "issues.review_recommendation", recommendation)``; it never tests role names.
Each capability is a ``rules`` predicate over (user, object). The same predicates are registered as
Django object permissions, so templates and Django REST Framework can use ``user.has_perm``.

Superusers are editors of every publication here, but the rule that nobody reviews their own
submission holds for them too: the capability set is consulted directly rather than through
Django's ``ModelBackend``, which would grant a superuser everything.

A capability says who may act on what; whether the object's current state allows the action is
the transition table's business (``issues.enums``), checked by the services.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext, gettext_noop

from common.exceptions import NotAllowed
from issues.enums import STANDING_STATES, RecommendationStatus, TeamRole
from papers import selectors as catalogue


def _publication_id(obj: Any) -> int | None:
    """The publication an object belongs to: a Publication, or anything with ``publication_id``."""
    if obj is None:
        return None
    if hasattr(obj, "publication_id"):
        return obj.publication_id
    if hasattr(obj, "issue"):  # an IssueEntry
        return obj.issue.publication_id
    return obj.pk


def _roles_of(user: Any) -> dict[int, str]:
    """{publication id: role} for the user, read once per user object and request."""
    cached = getattr(user, "_weekly_roles", None)
    if cached is None:
        cached = dict(user.memberships.values_list("publication_id", "role"))
        user._weekly_roles = cached
    return cached


@rules.predicate
def is_member(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(is_member(user) and user.is_superuser)


@rules.predicate
def is_editor_of(user: Any, obj: Any) -> bool:
    if not is_member(user):
        return False
    if user.is_superuser:
        return True
    return _roles_of(user).get(_publication_id(obj)) == TeamRole.EDITOR


@rules.predicate
def is_reviewer_of(user: Any, obj: Any) -> bool:
    """Reviewers and editors of the object's publication."""
    if not is_member(user):
        return False
    if user.is_superuser:
        return True
    return _roles_of(user).get(_publication_id(obj)) in (TeamRole.REVIEWER, TeamRole.EDITOR)


@rules.predicate
def is_editor_anywhere(user: Any) -> bool:
    if not is_member(user):
        return False
    return user.is_superuser or TeamRole.EDITOR in _roles_of(user).values()


@rules.predicate
def is_reviewer_anywhere(user: Any) -> bool:
    if not is_member(user):
        return False
    return user.is_superuser or bool(_roles_of(user))


@rules.predicate
def is_submitter(user: Any, recommendation: Any) -> bool:
    return bool(
        is_member(user) and recommendation is not None and recommendation.submitter_id == user.pk
    )


def _edited_publications(user: Any) -> list[int]:
    return [pk for pk, role in _roles_of(user).items() if role == TeamRole.EDITOR]


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
    edited = _edited_publications(user)
    return bool(edited) and (
        paper.recommendations.filter(publication_id__in=edited, status__in=STANDING_STATES).exists()
    )


@rules.predicate
def held_by_another_publication(user: Any, paper: Any) -> bool:
    """An issue (draft, scheduled or published) of a publication the user does not edit holds
    the paper: what it shows is that publication's business."""
    if paper is None:
        return False
    if is_admin(user):
        return False
    edited = _edited_publications(user) if is_member(user) else []
    return paper.issue_entries.exclude(issue__publication_id__in=edited).exists()


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


@rules.predicate
def is_published_issue(user: Any, issue: Any) -> bool:
    return issue is not None and issue.is_published


capabilities = rules.RuleSet()

CAPABILITIES: dict[str, rules.Predicate] = {
    # Any signed-up member may recommend papers and news to any publication.
    "issues.submit_recommendation": is_member,
    "issues.edit_recommendation": is_submitter,
    "issues.withdraw_recommendation": is_submitter,
    "issues.view_recommendation": is_submitter | is_reviewer_of | is_public_recommendation,
    "issues.view_reviews": is_submitter | is_reviewer_of,
    "issues.view_review_queue": is_reviewer_of,
    "issues.review_recommendation": is_reviewer_of & ~is_submitter,
    "issues.accept_recommendation": is_editor_of & ~is_submitter,
    "issues.schedule_recommendation": is_editor_of,
    "issues.view_issue": is_published_issue | is_editor_of,
    "issues.create_issue": is_editor_of,
    "issues.edit_issue": is_editor_of,
    "issues.schedule_issue": is_editor_of,
    "issues.publish_issue": is_editor_of,
    "issues.correct_issue": is_editor_of,
    "issues.manage_topics": is_editor_anywhere,
    "issues.refetch_paper_metadata": edits_where_recommended,
    # Missing metadata may be filled in by whoever recommended the paper or edits where it is
    # recommended; a hand entry is corrected by those editors only; never over a source's
    # metadata, and never on a paper that another publication has in an issue.
    # (The paper's state is tested first: it costs no query.)
    "issues.enter_paper_metadata": (
        (paper_awaits_hand_entry & recommends_paper)
        | ((paper_awaits_hand_entry | paper_entered_by_hand) & edits_where_recommended)
    )
    & ~held_by_another_publication,
    "issues.keep_paper_metadata": edits_where_recommended & ~held_by_another_publication,
    "issues.manage_team": is_admin,
    # Editors enter items on the community's behalf (from a mailing list, an old digest): the
    # publication's weekly submission quota does not hold them back.
    "issues.exceed_submission_quota": is_editor_of,
}

#: Why a capability was refused, in words a member understands. Marked for translation and kept
#: in English here; ``refusal`` gives the text in the active language.
REFUSALS: dict[str, str] = {
    "issues.submit_recommendation": gettext_noop(
        "Sign in with an active account to recommend papers."
    ),
    "issues.edit_recommendation": gettext_noop(
        "Only the member who submitted this recommendation may edit it."
    ),
    "issues.withdraw_recommendation": gettext_noop(
        "Only the member who submitted this recommendation may withdraw it."
    ),
    "issues.view_recommendation": gettext_noop("This recommendation is not visible to you."),
    "issues.view_reviews": gettext_noop(
        "Only the submitter and the publication's team see these reviews."
    ),
    "issues.view_review_queue": gettext_noop(
        "Only reviewers and editors of this publication see its queue."
    ),
    "issues.review_recommendation": gettext_noop(
        "Only reviewers and editors of this publication may review it, and never their own "
        "submission."
    ),
    "issues.accept_recommendation": gettext_noop(
        "Only editors of this publication may accept recommendations, and never their own."
    ),
    "issues.schedule_recommendation": gettext_noop(
        "Only editors of this publication may schedule entries."
    ),
    "issues.view_issue": gettext_noop("This issue is not published yet."),
    "issues.create_issue": gettext_noop("Only editors of this publication may create issues."),
    "issues.edit_issue": gettext_noop("Only editors of this publication may edit its issues."),
    "issues.schedule_issue": gettext_noop(
        "Only editors of this publication may schedule its issues."
    ),
    "issues.publish_issue": gettext_noop(
        "Only editors of this publication may publish its issues."
    ),
    "issues.correct_issue": gettext_noop(
        "Only editors of this publication may correct its issues."
    ),
    "issues.manage_topics": gettext_noop("Only editors may manage topics."),
    "issues.refetch_paper_metadata": gettext_noop(
        "Only editors of a publication where this paper is recommended may have its metadata "
        "fetched again."
    ),
    "issues.enter_paper_metadata": gettext_noop(
        "Only a member whose recommendation of this paper stands, or an editor of a publication "
        "where it is recommended, may fill in its missing metadata by hand; once filled in, only "
        "such an editor may correct it. A paper that another publication has in an issue is left "
        "to that publication's editors."
    ),
    "issues.keep_paper_metadata": gettext_noop(
        "Only editors of a publication where this paper is recommended may keep a hand entry "
        "over the source's metadata, and never on a paper that another publication has in an "
        "issue."
    ),
    "issues.manage_team": gettext_noop("Only administrators may grant roles."),
    "issues.exceed_submission_quota": gettext_noop(
        "Only editors of this publication may recommend beyond its weekly quota."
    ),
}

for _name, _predicate in CAPABILITIES.items():
    capabilities.add_rule(_name, _predicate)
    rules.add_perm(_name, _predicate)


def can(user: Any, capability: str, obj: Any = None) -> bool:
    """Whether ``user`` holds ``capability`` on ``obj``."""
    if capability not in CAPABILITIES:
        raise KeyError(f"Unknown capability {capability!r}")
    return capabilities.test_rule(capability, user, obj)


def refusal(capability: str) -> str:
    """Why ``capability`` was refused, in the active language."""
    return gettext(REFUSALS[capability])


def require(user: Any, capability: str, obj: Any = None) -> None:
    """Raise ``NotAllowed`` with a readable reason unless ``user`` holds ``capability``."""
    if not can(user, capability, obj):
        raise NotAllowed(refusal(capability), capability=capability)
