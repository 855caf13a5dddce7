"""Named capabilities of the editorial workflow: the registry, and the team roles they are built on.

Code asks ``can(user, "recommendations.review_recommendation", recommendation)``; it never tests
role names. Each capability is a ``rules`` predicate over (user, object), named by the app that
owns the object; each app's ``permissions`` module registers its own with ``register`` when the
app is ready. The same predicates are registered as Django object permissions, so templates and
Django REST Framework can use ``user.has_perm``.

Superusers are editors of every publication here, but the rule that nobody reviews their own
submission holds for them too: the capability set is consulted directly rather than through
Django's ``ModelBackend``, which would grant a superuser everything.

A capability says who may act on what; whether the object's current state allows the action is
the transition tables' business (``recommendations.enums``, ``issues.enums``), checked by the
services.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext, gettext_noop

from common.exceptions import NotAllowed
from publications.enums import TeamRole


def _publication_id(obj: Any) -> int | None:
    """The publication an object belongs to: a Publication, or anything with ``publication_id``."""
    if obj is None:
        return None
    if hasattr(obj, "publication_id"):
        return obj.publication_id
    if hasattr(obj, "issue"):  # an entry of an issue
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


def edited_publications(user: Any) -> list[int]:
    return [pk for pk, role in _roles_of(user).items() if role == TeamRole.EDITOR]


#: Every registered capability, its predicate and why it is refused. Marked for translation and
#: kept in English here; ``refusal`` gives the text in the active language.
capabilities = rules.RuleSet()
CAPABILITIES: dict[str, rules.Predicate] = {}
REFUSALS: dict[str, str] = {}


def register(predicates: dict[str, rules.Predicate], refusals: dict[str, str]) -> None:
    """Add an app's capabilities: each named ``<app label>.<verb>_<noun>``, with its refusal."""
    if predicates.keys() != refusals.keys():
        raise ValueError("Every capability needs a refusal, and every refusal a capability.")
    for name, predicate in predicates.items():
        capabilities.add_rule(name, predicate)
        rules.add_perm(name, predicate)
    CAPABILITIES.update(predicates)
    REFUSALS.update(refusals)


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


_OWN: dict[str, rules.Predicate] = {
    "publications.manage_team": is_admin,
    "publications.manage_topics": is_editor_of,
    "publications.edit_style": is_editor_of,
}

_OWN_REFUSALS: dict[str, str] = {
    "publications.manage_team": gettext_noop("Only administrators may grant roles."),
    "publications.manage_topics": gettext_noop(
        "Only editors of this publication may manage its topics."
    ),
    "publications.edit_style": gettext_noop(
        "Only editors of this publication may change its style."
    ),
}

register(_OWN, _OWN_REFUSALS)
