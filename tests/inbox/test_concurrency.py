"""Two members claiming one candidate at the same moment: one claim, one refusal naming the
claimant. Real concurrent transactions need PostgreSQL (SQLite serialises all writers); the same
rule in sequence is checked on any database in ``services/test_candidates.py``."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from common.exceptions import InvalidTransition
from inbox.enums import CandidateState
from inbox.models import Candidate, CandidateTransition
from inbox.services import claim_candidate
from publications.models import Publication
from tests.factories import UserFactory
from tests.factories.inbox import CandidateFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_claim_candidate_two_members_at_once_one_claims_one_is_refused(
    publication: Publication,
) -> None:
    members = [UserFactory(display_name=name) for name in ("王小明", "李雷")]
    candidate = CandidateFactory(publication=publication)
    # Both requests load the candidate before either writes, as two open pages do.
    copies = [Candidate.objects.get(pk=candidate.pk) for _ in members]
    barrier = threading.Barrier(len(members))
    claimed: list[int] = []
    refused: list[InvalidTransition] = []
    errors: list[BaseException] = []

    def claim(index: int) -> None:
        try:
            by = get_user_model().objects.get(pk=members[index].pk)
            barrier.wait(timeout=10)
            claim_candidate(copies[index], by=by)
            claimed.append(by.pk)
        except InvalidTransition as refusal:
            refused.append(refusal)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(members))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(claimed) == 1
    assert len(refused) == 1
    winner = get_user_model().objects.get(pk=claimed[0])
    assert refused[0].message.startswith(f"{winner.public_name} is already writing this up, since")
    stored = Candidate.objects.get(pk=candidate.pk)
    assert (stored.state, stored.claimed_by_id) == (CandidateState.CLAIMED, winner.pk)
    assert list(CandidateTransition.objects.values_list("action", "actor")) == [
        ("claim", winner.pk)
    ]
