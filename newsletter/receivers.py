"""What the newsletter does when the apps it is built on tell it something: connected in
``NewsletterConfig.ready``, since those apps do not import it."""

from __future__ import annotations

from typing import Any

from issues.models import Issue
from newsletter import services


def mail_published_issue(sender: Any, *, issue: Issue, **kwargs: Any) -> None:
    """An issue is being published: have it mailed to its subscribers once that commits."""
    services.request_issue_newsletter(issue)
