"""The after-publishing panel of a published issue's editor page, in a real browser (issue 22).

An editor opens the page while the newsletter is still going out: the figures follow the
deliveries as they are sent, without a reload, and the script stops asking once nothing is
pending (``issues/static/issues/progress.js``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.views import editor as editor_views
from newsletter.enums import DeliveryStatus
from newsletter.models import Delivery
from tests.browser.helpers import Seeded, login
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.browser

READERS = 3


def _count(page: Any, key: str) -> Any:
    return page.locator(f"[data-count='newsletter.{key}']")


def _shows(page: Any, key: str, value: int) -> None:
    page.wait_for_function(
        "([key, value]) => document.querySelector(`[data-count='newsletter.${key}']`)"
        ".textContent === value",
        arg=[key, str(value)],
    )


def test_the_panel_follows_the_newsletter_without_a_reload(
    page: Any, site: str, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(editor_views, "PROGRESS_INTERVAL", 2)  # the script's shortest wait
    deliveries = [
        Delivery.objects.create(
            issue=seeded.issue,
            subscriber=SubscriberFactory(
                publication=seeded.publication, email=f"reader{n}@example.org"
            ),
            status=DeliveryStatus.QUEUED,
        )
        for n in range(READERS)
    ]
    login(page, seeded.editor)
    page.goto(site + reverse("editor:issue-correct", args=[seeded.issue.pk]))
    assert (_count(page, "sent").text_content(), _count(page, "pending").text_content()) == (
        "0",
        str(READERS),
    )
    page.evaluate("() => { window.samePage = true; }")

    Delivery.objects.filter(pk=deliveries[0].pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    _shows(page, "sent", 1)
    assert _count(page, "pending").text_content() == str(READERS - 1)

    Delivery.objects.filter(pk=deliveries[1].pk).update(status=DeliveryStatus.FAILED)
    Delivery.objects.filter(pk=deliveries[2].pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    _shows(page, "pending", 0)
    assert (_count(page, "sent").text_content(), _count(page, "failed").text_content()) == (
        "2",
        "1",
    )
    # Nothing pending: the script stops asking and says nothing more is coming.
    page.locator("#progress-panel[data-done]").wait_for()
    assert page.locator("#progress-status").text_content() == ""
    assert page.evaluate("() => window.samePage") is True  # never reloaded
