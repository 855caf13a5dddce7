"""The weekly digest (``inbox/digest.py``, ``inbox.send_digests``) and its unsubscribe link
(``inbox/views/digest.py``): what is mailed, to whom, once a week, and how to stop it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.links import site_url
from inbox import digest, services, tasks
from inbox.models import Candidate, DigestSubscription
from publications.models import Publication
from tests.factories import PaperFactory, UserFactory
from tests.factories.inbox import CandidateFactory
from tests.languages import reverse_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db: None) -> Any:
    return UserFactory(display_name="王小明", email="xiaoming@example.org")


@pytest.fixture
def subscription(member: Any, publication: Publication) -> DigestSubscription:
    return services.subscribe_digest(member, publication)


def _candidates(publication: Publication, count: int, **fields: Any) -> list[Candidate]:
    return [
        CandidateFactory(
            publication=publication,
            paper=PaperFactory(title=f"Pretraining study {n}", arxiv_id=f"2612.{n + 1:05d}"),
            score=round(0.9 - n / 100, 2),
            **fields,
        )
        for n in range(count)
    ]


def _inbox_url(publication: Publication, language: str) -> str:
    return site_url(reverse_in(language, "inbox:inbox", kwargs={"slug": publication.slug}))


def test_digest_mails_the_ten_best_unclaimed_with_links_and_unsubscribe(
    subscription: DigestSubscription, publication: Publication
) -> None:
    best = _candidates(publication, 12)
    CandidateFactory(publication=publication, claimed=True, score=0.99)
    CandidateFactory(publication=publication, dismissed=True, score=0.99)

    assert tasks.task_send_digests.delay().get() == 1

    [message] = mail.outbox
    assert message.to == ["xiaoming@example.org"]
    assert message.subject == "Pretraining Weekly: 10 papers waiting to be written up"
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    token = unsubscribe.rstrip("/").rsplit("/", 1)[1]
    assert unsubscribe == site_url(
        reverse_in("en", "inbox:digest-unsubscribe", kwargs={"token": token})
    )
    assert digest.subscription_from_token(token) == (subscription.member, publication)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    text = message.body
    assert text.startswith("Hello 王小明,")
    listed = [line for line in text.splitlines() if line.startswith("- ")]
    assert [line.split(" (")[0] for line in listed] == [
        f"- {candidate.paper.title}" for candidate in best[:10]
    ]
    assert listed[0] == "- Pretraining study 0 (arXiv:2612.00001, 90% match)"
    paper_url = site_url(reverse_in("en", "papers:paper-detail", args=[best[0].paper_id]))
    assert paper_url in text
    assert _inbox_url(publication, "en") in text
    assert unsubscribe in text
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{paper_url}"' in html
    assert "Pretraining study 9" in html
    assert "Pretraining study 10" not in html
    subscription.refresh_from_db()
    assert subscription.last_sent_at is not None


def test_digest_speaks_the_members_language(
    subscription: DigestSubscription, member: Any, publication: Publication
) -> None:
    member.mail_language = "zh-hans"
    member.save(update_fields=["mail_language"])
    _candidates(publication, 1)

    digest.send_digests()

    [message] = mail.outbox
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    token = unsubscribe.rstrip("/").rsplit("/", 1)[1]
    assert unsubscribe == site_url(
        reverse_in("zh-hans", "inbox:digest-unsubscribe", kwargs={"token": token})
    )
    assert unsubscribe.startswith(site_url("/zh/"))
    assert _inbox_url(publication, "zh-hans") in message.body
    assert '<html lang="zh-hans">' in message.alternatives[0][0]


def test_digest_sends_nothing_when_nothing_is_new(
    subscription: DigestSubscription, publication: Publication
) -> None:
    CandidateFactory(publication=publication, claimed=True)

    assert digest.send_digests() == 0

    assert mail.outbox == []
    subscription.refresh_from_db()
    assert subscription.last_sent_at is None


def test_digest_goes_once_a_week_with_only_what_was_found_since(
    subscription: DigestSubscription, publication: Publication
) -> None:
    _candidates(publication, 3)
    monday = timezone.now()
    assert digest.send_digests(now=monday) == 1
    # The task runs again the same morning, and on Friday: nothing more.
    assert digest.send_digests(now=monday + dt.timedelta(hours=1)) == 0
    CandidateFactory(publication=publication, paper=PaperFactory(title="Found on Tuesday"))
    Candidate.objects.filter(paper__title="Found on Tuesday").update(
        found_at=monday + dt.timedelta(days=1)
    )
    assert digest.send_digests(now=monday + dt.timedelta(days=4)) == 0
    assert len(mail.outbox) == 1

    assert digest.send_digests(now=monday + dt.timedelta(days=7)) == 1

    second = mail.outbox[1]
    assert second.subject == "Pretraining Weekly: 1 paper waiting to be written up"
    assert "- Found on Tuesday (" in second.body
    assert "Pretraining study" not in second.body
    subscription.refresh_from_db()
    assert subscription.last_sent_at == monday + dt.timedelta(days=7)


def test_digest_taken_by_another_run_is_not_sent_twice(
    subscription: DigestSubscription, publication: Publication
) -> None:
    _candidates(publication, 2)
    stale = DigestSubscription.objects.select_related("member", "publication").get(
        pk=subscription.pk
    )
    now = timezone.now()
    assert digest.send_digest(subscription, now=now)

    # A second run that read the subscription before the first sent it.
    assert not digest.send_digest(stale, now=now + dt.timedelta(seconds=1))

    assert len(mail.outbox) == 1


def test_digest_refused_by_the_mail_server_is_tried_again(
    subscription: DigestSubscription, publication: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    _candidates(publication, 2)

    def refuse(self: EmailMultiAlternatives, *args: Any) -> int:
        raise OSError("connection refused")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    assert digest.send_digests() == 0
    subscription.refresh_from_db()
    assert subscription.last_sent_at is None

    monkeypatch.undo()
    assert digest.send_digests() == 1
    assert len(mail.outbox) == 1


def test_digest_skips_members_who_left(
    subscription: DigestSubscription, member: Any, publication: Publication
) -> None:
    _candidates(publication, 2)
    member.is_active = False
    member.save(update_fields=["is_active"])

    assert digest.send_digests() == 0
    assert mail.outbox == []


# --- the unsubscribe link -----------------------------------------------------------------------


def test_unsubscribe_link_asks_and_the_one_click_post_needs_no_csrf(
    subscription: DigestSubscription,
) -> None:
    url = reverse(
        "inbox:digest-unsubscribe", kwargs={"token": digest.unsubscribe_token(subscription)}
    )
    client = Client(enforce_csrf_checks=True)

    page = client.get(url)
    assert page.status_code == 200
    assert "Stop sending the weekly digest" in page.content.decode()
    assert DigestSubscription.objects.filter(pk=subscription.pk).exists()

    done = client.post(url, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert done.status_code == 200
    assert "will receive no more digests" in done.content.decode()
    assert not DigestSubscription.objects.filter(pk=subscription.pk).exists()

    # The link again, once unsubscribed: nothing to do, said the same way.
    again = client.post(url)
    assert again.status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "x" * 400])
def test_unsubscribe_link_refuses_a_bad_token(subscription: DigestSubscription, token: str) -> None:
    url = reverse("inbox:digest-unsubscribe", kwargs={"token": token})
    answer = Client().post(url)

    assert answer.status_code == 400
    assert "This unsubscribe link is not valid" in answer.content.decode()
    assert DigestSubscription.objects.filter(pk=subscription.pk).exists()


def test_unsubscribe_token_of_the_newsletter_is_refused(
    subscription: DigestSubscription,
) -> None:
    from django.core import signing

    token = signing.dumps(
        {"m": subscription.member_id, "p": subscription.publication_id},
        salt="newsletter.unsubscribe",
    )
    answer = Client().get(reverse("inbox:digest-unsubscribe", kwargs={"token": token}))

    assert answer.status_code == 400
