"""Abuse limits: the submissions rate shared by the site and the API, and the weekly submission
quota of a publication.

Failed log-ins per account (site, admin and API together) are tested with the lockout
(``tests/contributors/test_lockout.py``), the per-address throttles of sign-up and log-in with
their pages (``tests/contributors/test_views.py``), the API's throttles and its 413 on an
oversized JSON body in ``tests/api/test_behaviour.py``, and request bodies that are too large,
hold too many fields or carry a file in ``tests/common/test_limits.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from common.exceptions import QuotaExceeded
from publications.enums import TeamRole
from publications.models import Publication
from recommendations import services
from recommendations.enums import RecommendationKind, RecommendationStatus
from recommendations.models import Recommendation
from tests.conftest import client_for
from tests.factories import MembershipFactory, PublicationFactory, UserFactory
from tests.issues.test_concurrency import _race

pytestmark = pytest.mark.django_db

User = get_user_model()

PAPER_URL = reverse("recommendations:paper-create")
NEWS_URL = reverse("recommendations:news-create")
SIGNUP_URL = reverse("contributors:signup")


# ================================================================ submissions rate: site + API


@pytest.fixture
def two_per_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "submissions", "2/hour")


def _web_news(client: Client, n: int, action: str = "submit") -> Any:
    return client.post(
        NEWS_URL,
        {
            "publication": "pretraining-weekly",
            "news_title": f"Shared task {n} opens",
            "news_url": f"https://example.org/task-{n}",
            "summary": "Registration is open until June.",
            "action": action,
        },
    )


def _api_news(client: APIClient, n: int) -> Any:
    body = {
        "publication": "pretraining-weekly",
        "kind": "news",
        "news_title": f"Workshop {n} announced",
        "news_url": f"https://example.org/workshop-{n}",
        "summary": "Papers due in May.",
    }
    return client.post("/api/v1/recommendations/", body, format="json")


def test_submissions_rate_is_one_count_for_the_site_and_the_api(
    client: Client, publication: Publication, contributor: Any, two_per_hour: None
) -> None:
    client.force_login(contributor)
    api = client_for(contributor)

    first = _web_news(client, 1)
    second = _api_news(api, 2)
    third_web = _web_news(client, 3)
    third_api = _api_news(api, 3)

    assert (first.status_code, second.status_code) == (302, 201)
    assert third_web.status_code == 429
    assert 3000 < int(third_web["Retry-After"]) <= 3600
    html = third_web.content.decode()
    assert "You have sent too many submissions in a short time. Please try again in" in html
    assert 'value="Shared task 3 opens"' in html  # what was typed comes back
    assert third_api.status_code == 429
    assert third_api.json()["error"]["code"] == "throttled"
    assert Recommendation.objects.count() == 2
    # Another member has their own allowance.
    other = Client()
    other.force_login(UserFactory())
    assert _web_news(other, 4).status_code == 302


def test_submissions_rate_does_not_count_previews(
    client: Client, publication: Publication, contributor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "submissions", "1/hour")
    client.force_login(contributor)
    previews = [_web_news(client, 1, action="preview").status_code for _ in range(3)]

    assert previews == [200, 200, 200]
    assert _web_news(client, 1).status_code == 302
    assert _web_news(client, 2).status_code == 429


# ================================================================ weekly submission quota


def _news(by: Any, publication: Publication, n: int, **extra: Any) -> Recommendation:
    return services.create_recommendation(
        by=by,
        publication=publication,
        kind=RecommendationKind.NEWS,
        news_title=f"Item {n}",
        news_url=f"https://example.org/item-{n}",
        summary="Worth a look.",
        **extra,
    )


def _age(recommendation: Recommendation, delta: dt.timedelta) -> None:
    """Move a recommendation's creation back by ``delta`` (the quota reads ``created_at``)."""
    Recommendation.objects.filter(pk=recommendation.pk).update(created_at=F("created_at") - delta)


def test_quota_default_is_twenty() -> None:
    assert PublicationFactory().weekly_submission_quota == 20


def test_quota_refuses_the_one_over_naming_the_quota_and_when_a_place_frees(
    publication: Publication, contributor: Any
) -> None:
    publication.weekly_submission_quota = 3
    publication.save()
    made = [_news(contributor, publication, n) for n in range(3)]
    _age(made[0], dt.timedelta(days=2))
    made[0].refresh_from_db()

    with pytest.raises(QuotaExceeded) as refused:
        _news(contributor, publication, 3)

    frees_at = made[0].created_at + dt.timedelta(days=7)
    assert refused.value.message == (
        "Pretraining Weekly takes at most 3 recommendations from one member in 7 days, and you "
        f"have made 3. You can recommend again after {frees_at:%Y-%m-%d %H:%M} (UTC)."
    )
    assert refused.value.http_status == 429
    assert 5 * 86400 - 60 < refused.value.retry_after <= 5 * 86400 + 1
    assert Recommendation.objects.count() == 3


def test_quota_allows_again_once_the_oldest_is_seven_days_old(
    publication: Publication, contributor: Any
) -> None:
    publication.weekly_submission_quota = 2
    publication.save()
    first, _second = _news(contributor, publication, 0), _news(contributor, publication, 1)
    _age(first, dt.timedelta(days=6, hours=23))
    with pytest.raises(QuotaExceeded):
        _news(contributor, publication, 2)

    _age(first, dt.timedelta(hours=1, seconds=1))  # now just over 7 days old

    assert _news(contributor, publication, 2).status == RecommendationStatus.SUBMITTED
    with pytest.raises(QuotaExceeded):
        _news(contributor, publication, 3)


def test_quota_counts_drafts_and_withdrawn_ones(publication: Publication, contributor: Any) -> None:
    publication.weekly_submission_quota = 2
    publication.save()
    _news(contributor, publication, 0, draft=True)
    withdrawn = _news(contributor, publication, 1)
    services.withdraw_recommendation(withdrawn, by=contributor)

    with pytest.raises(QuotaExceeded):
        _news(contributor, publication, 2)


@pytest.mark.parametrize("quota", [None, 0])
def test_quota_off_when_empty_or_zero(
    publication: Publication, contributor: Any, quota: int | None
) -> None:
    publication.weekly_submission_quota = quota
    publication.save()

    made = [_news(contributor, publication, n) for n in range(25)]

    assert len(made) == Recommendation.objects.count() == 25


def test_quota_is_per_member_and_per_publication(
    publication: Publication, other_publication: Publication, contributor: Any, editor: Any
) -> None:
    for pub in (publication, other_publication):
        pub.weekly_submission_quota = 1
        pub.save()
    _news(contributor, publication, 0)

    _news(contributor, other_publication, 1)
    _news(UserFactory(), publication, 2)

    assert Recommendation.objects.count() == 3


def test_quota_holds_reviewers_but_not_editors_or_admins(
    publication: Publication, reviewer: Any, editor: Any, admin_user: Any
) -> None:
    publication.weekly_submission_quota = 1
    publication.save()
    _news(reviewer, publication, 0)
    with pytest.raises(QuotaExceeded):
        _news(reviewer, publication, 1)

    for n in range(2, 5):
        _news(editor, publication, n)
        _news(admin_user, publication, n + 10)

    assert Recommendation.objects.filter(submitter__in=[editor, admin_user]).count() == 6


def test_quota_editor_of_another_publication_is_held(
    publication: Publication, other_publication: Publication
) -> None:
    publication.weekly_submission_quota = 1
    publication.save()
    member = UserFactory()
    MembershipFactory(publication=other_publication, user=member, role=TeamRole.EDITOR)
    _news(member, publication, 0)

    with pytest.raises(QuotaExceeded):
        _news(member, publication, 1)


def test_quota_api_answers_429_quota_exceeded_with_retry_after(
    publication: Publication, contributor: Any
) -> None:
    publication.weekly_submission_quota = 1
    publication.save()
    api = client_for(contributor)
    assert _api_news(api, 0).status_code == 201

    response = _api_news(api, 1)

    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert error["message"].startswith(
        "Pretraining Weekly takes at most 1 recommendation from one member in 7 days"
    )
    assert error["fields"] == {}
    assert 7 * 86400 - 60 < int(response["Retry-After"]) <= 7 * 86400 + 1
    assert Recommendation.objects.count() == 1
    # The publication's quota is shown, read-only.
    shown = api.get(f"/api/v1/publications/{publication.slug}/").json()
    assert shown["weekly_submission_quota"] == 1


def test_quota_web_form_shows_the_refusal(
    client: Client, publication: Publication, contributor: Any
) -> None:
    publication.weekly_submission_quota = 1
    publication.save()
    client.force_login(contributor)
    assert _web_news(client, 0).status_code == 302

    response = _web_news(client, 1)

    html = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Pretraining Weekly takes at most 1 recommendation from one member in 7 days" in html
    assert 'value="Shared task 1 opens"' in html
    assert Recommendation.objects.count() == 1


def test_quota_is_editable_in_the_admin(
    client: Client, publication: Publication, admin_user: Any
) -> None:
    client.force_login(admin_user)
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    form = client.get(url).content.decode()
    assert 'name="weekly_submission_quota"' in form

    response = client.post(
        url,
        {
            "slug": publication.slug,
            "name": publication.name,
            "name_zh": "",
            "description": "",
            "description_zh": "",
            "approvals_required": 1,
            "weekly_submission_quota": 7,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
            "memberships-MIN_NUM_FORMS": 0,
            "memberships-MAX_NUM_FORMS": 1000,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    publication.refresh_from_db()
    assert publication.weekly_submission_quota == 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_quota_concurrent_submissions_at_the_edge_never_exceed_it() -> None:
    publication = PublicationFactory(weekly_submission_quota=3)
    member = UserFactory()
    _news(member, publication, 0)

    def submit(index: int) -> int:
        by = User.objects.get(pk=member.pk)
        return _news(by, Publication.objects.get(pk=publication.pk), index + 1).pk

    made, errors = _race(submit, 8)

    assert len(made) == 2
    assert [type(error) for error in errors] == [QuotaExceeded] * 6
    assert Recommendation.objects.filter(submitter=member).count() == 3
