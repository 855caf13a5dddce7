"""The capabilities of issues, registered with ``publications.permissions``."""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext_noop

from publications.permissions import is_editor_anywhere, is_editor_of, register


@rules.predicate
def is_published_issue(user: Any, issue: Any) -> bool:
    return issue is not None and issue.is_published


CAPABILITIES: dict[str, rules.Predicate] = {
    "issues.view_issue": is_published_issue | is_editor_of,
    "issues.create_issue": is_editor_of,
    "issues.edit_issue": is_editor_of,
    "issues.schedule_issue": is_editor_of,
    "issues.publish_issue": is_editor_of,
    "issues.correct_issue": is_editor_of,
    "issues.import_issue": is_editor_of,
    "issues.confirm_credited_name": is_editor_of,
    # The institution glossary is the whole site's: any publication's editor keeps it, as the
    # short forms every publication shows are the community's, not one team's.
    "issues.edit_glossary": is_editor_anywhere,
}

REFUSALS: dict[str, str] = {
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
    "issues.import_issue": gettext_noop(
        "Only editors of this publication may import its past issues."
    ),
    "issues.confirm_credited_name": gettext_noop(
        "Only editors of this publication may confirm who a credited name is."
    ),
    "issues.edit_glossary": gettext_noop(
        "Only editors of a publication may name institutions in the glossary."
    ),
}

register(CAPABILITIES, REFUSALS)
