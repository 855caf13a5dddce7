"""What the newsletter does when the apps it is built on tell it something: connected in
``NewsletterConfig.ready``, since those apps do not import it."""

from __future__ import annotations

from typing import Any

from issues.models import Issue
from newsletter import selectors, services


def mail_published_issue(sender: Any, *, issue: Issue, **kwargs: Any) -> None:
    """An issue is being published: have it mailed to its subscribers once that commits."""
    services.request_issue_newsletter(issue)


def adopt_subscription_language(
    sender: Any, *, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A member joined with an address already subscribed to a newsletter: write to them in the
    language chosen for it (``services.subscribe`` sets it for members who joined before)."""
    if not created or raw or instance.mail_language or not instance.email:
        return
    language = selectors.language_of_address(instance.email)
    if language:
        type(instance).objects.filter(pk=instance.pk).update(mail_language=language)
        instance.mail_language = language
