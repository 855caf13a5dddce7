"""Shared setup of the newsletter tests: a published issue, and a local SMTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from issues import services
from issues.models import Issue
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from tests.factories import PaperFactory, RecommendationFactory
from tests.servers.smtp import MailSink, smtp_server

HOSTILE_TITLE = "Attention <script>alert(1)</script>\nBcc: victim@example.org \u2028 ]]> 注意力 🚀"


@pytest.fixture
def publish(editor: Any, publication: Publication) -> Callable[..., Issue]:
    """``publish(title=…, papers=[…])``: an issue of ``publication`` published by the editor."""

    def make(*, title: str = "Scaling, revisited", papers: tuple[str, ...] = ("A paper",)) -> Issue:
        issue = services.create_issue(publication, by=editor, title=title, intro_en="This week.")
        for paper_title in papers:
            recommendation = RecommendationFactory(
                publication=publication,
                paper=PaperFactory(title=paper_title),
                summary=f"Why *{paper_title}* matters. <script>alert(2)</script>",
                status=RecommendationStatus.ACCEPTED,
            )
            services.schedule_recommendation(recommendation, issue=issue, by=editor)
        return services.publish_issue(issue, by=editor)

    return make


@pytest.fixture
def smtp(settings: Any) -> Iterator[MailSink]:
    """A local SMTP server, and Django's SMTP backend pointed at it."""
    with smtp_server() as (sink, controller):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield sink
