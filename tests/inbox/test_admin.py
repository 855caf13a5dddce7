"""The inbox's admin: its actions call the services and report each refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import messages

from inbox.enums import CandidateState
from inbox.models import Candidate
from tests.admin_site import _action, _messages, _url
from tests.workflow import audit

pytestmark = pytest.mark.django_db


def test_candidate_admin_release_releases_claims_and_reports_the_rest(
    admin_client: Any, admin_user: Any, site: Any
) -> None:
    claimed = Candidate.objects.get(state=CandidateState.CLAIMED)
    new = Candidate.objects.get(state=CandidateState.NEW)

    response = _action(admin_client, Candidate, "release", [claimed, new])

    assert response.status_code == 302
    assert _messages(response) == [
        (messages.ERROR, f"{new}: Nobody has claimed this candidate."),
        (messages.SUCCESS, "1 claim was released."),
    ]
    claimed.refresh_from_db()
    assert (claimed.state, claimed.claimed_by) == (CandidateState.NEW, None)
    assert audit(claimed)[-1] == (admin_user, "release", "claimed", "new", "")


def test_candidate_admin_restore_brings_a_dismissed_candidate_back(
    admin_client: Any, site: Any
) -> None:
    dismissed = Candidate.objects.get(state=CandidateState.DISMISSED)
    response = _action(admin_client, Candidate, "restore", [dismissed])
    assert _messages(response) == [(messages.SUCCESS, "1 candidate was restored.")]
    dismissed.refresh_from_db()
    assert (dismissed.state, dismissed.dismiss_reason) == (CandidateState.NEW, "")


def test_candidate_admin_change_page_shows_the_history(admin_client: Any, site: Any) -> None:
    restored = Candidate.objects.get(transitions__action="restore")
    response = admin_client.get(_url(Candidate, "change", restored.pk))
    html = response.content.decode()
    assert response.context["title"] == "View candidate"
    assert "Seen it 看过了." in html
