"""The editors' watches page (``inbox/views/watches.py``): who gets in, adding, changing and
deleting a watch, "Poll now", and the inbox settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from inbox import tasks
from inbox.models import InboxSettings, Watch
from publications.enums import TeamRole
from publications.models import Publication
from tests.factories import MembershipFactory, UserFactory
from tests.factories.inbox import CandidateFactory, WatchFactory
from tests.inbox.views.conftest import messages_of, signed_in

pytestmark = pytest.mark.django_db


def _watches(publication: Publication) -> str:
    return reverse("inbox:watches", args=[publication.slug])


@pytest.fixture
def polls(monkeypatch: pytest.MonkeyPatch) -> list[Watch]:
    """The watches "Poll now" queued: ``inbox.tasks.queue_poll`` replaced by a recorder."""
    queued: list[Watch] = []
    monkeypatch.setattr(tasks, "queue_poll", queued.append)
    return queued


@pytest.mark.parametrize("who", ["anonymous", "contributor", "reviewer", "other_editor"])
def test_watch_pages_refuse_everyone_but_the_publications_editors(
    who: str,
    publication: Publication,
    other_publication: Publication,
    contributor: Any,
    reviewer: Any,
    polls: list[Watch],
) -> None:
    watch = WatchFactory(publication=publication, name="Pretraining")
    users = {"contributor": contributor, "reviewer": reviewer}
    if who == "other_editor":
        users[who] = UserFactory(username="other-editor")
        MembershipFactory(publication=other_publication, user=users[who], role=TeamRole.EDITOR)
    client = signed_in(users.get(who))
    args = [publication.slug, watch.pk]
    pages = [
        ("get", _watches(publication)),
        ("post", _watches(publication)),
        ("get", reverse("inbox:watch-edit", args=args)),
        ("post", reverse("inbox:watch-edit", args=args)),
        ("post", reverse("inbox:watch-delete", args=args)),
        ("post", reverse("inbox:watch-poll", args=args)),
    ]
    data = {"name": "Hijacked", "categories": "cs.CR", "form": "watch"}
    for method, url in pages:
        response = client.post(url, data) if method == "post" else client.get(url)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("contributors:login"))
        else:
            assert response.status_code == 403, (url, response.status_code)
    assert list(Watch.objects.values_list("name", flat=True)) == ["Pretraining"]
    assert polls == []


def test_editor_sees_the_watches_with_their_last_poll(
    publication: Publication, editor: Any
) -> None:
    WatchFactory(
        publication=publication,
        name="Pretraining",
        categories="cs.CL cs.LG",
        query="abs:pretrain*",
        last_polled_at=timezone.now(),
        last_found=120,
        last_kept=40,
        last_error="arXiv did not answer.",
    )

    response = signed_in(editor).get(_watches(publication))

    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "(cat:cs.CL OR cat:cs.LG) AND (abs:pretrain*)" in page
    assert "120 papers found, 40 kept." in page
    assert "The last poll failed: arXiv did not answer." in page


def test_editor_adds_a_watch(publication: Publication, editor: Any) -> None:
    response = signed_in(editor).post(
        _watches(publication),
        {"form": "watch", "name": "Pretraining", "categories": "cs.CL, cs.LG", "is_active": "on"},
    )

    assert response.status_code == 302
    watch = Watch.objects.get()
    assert (watch.name, watch.categories, watch.query, watch.is_active) == (
        "Pretraining",
        "cs.CL cs.LG",
        "",
        True,
    )
    assert watch.created_by == editor
    assert messages_of(response) == ["The watch “Pretraining” is added."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Nothing"}, "Give arXiv categories, a query, or both."),
        ({"name": "Bad", "categories": "cs.CL cs_LG"}, "Not an arXiv category: cs_LG."),
        ({"name": "Bad", "query": "abs:(pretrain"}, "parentheses or quotation marks"),
    ],
)
def test_a_wrong_watch_is_refused_on_the_form(
    publication: Publication, editor: Any, data: dict[str, str], message: str
) -> None:
    response = signed_in(editor).post(_watches(publication), {"form": "watch", **data})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Watch.objects.exists()


def test_editor_changes_a_watch(publication: Publication, editor: Any) -> None:
    watch = WatchFactory(publication=publication, name="Old", is_active=True)
    url = reverse("inbox:watch-edit", args=[publication.slug, watch.pk])
    client = signed_in(editor)

    form = client.get(url)
    response = client.post(url, {"name": "New", "query": "ti:language"})

    assert form.status_code == 200
    assert 'value="Old"' in form.content.decode()
    assert response["Location"] == _watches(publication)
    watch.refresh_from_db()
    assert (watch.name, watch.categories, watch.query, watch.is_active) == (
        "New",
        "",
        "ti:language",
        False,
    )


def test_a_watch_of_another_publication_is_not_found(
    publication: Publication, other_publication: Publication, editor: Any, polls: list[Watch]
) -> None:
    watch = WatchFactory(publication=other_publication, name="Theirs")
    client = signed_in(editor)
    args = [publication.slug, watch.pk]

    assert client.get(reverse("inbox:watch-edit", args=args)).status_code == 404
    assert client.post(reverse("inbox:watch-delete", args=args)).status_code == 404
    assert client.post(reverse("inbox:watch-poll", args=args)).status_code == 404
    assert Watch.objects.get().name == "Theirs"
    assert polls == []


def test_editor_deletes_a_watch_and_its_candidates_stay(
    publication: Publication, editor: Any
) -> None:
    watch = WatchFactory(publication=publication, name="Pretraining")
    candidate = CandidateFactory(publication=publication, watch=watch)

    response = signed_in(editor).post(
        reverse("inbox:watch-delete", args=[publication.slug, watch.pk])
    )

    assert response.status_code == 302
    assert not Watch.objects.exists()
    candidate.refresh_from_db()
    assert candidate.watch is None
    assert messages_of(response) == [
        "The watch “Pretraining” is deleted; the candidates it found stay."
    ]


def test_poll_now_queues_the_watch(
    publication: Publication, editor: Any, polls: list[Watch]
) -> None:
    watch = WatchFactory(publication=publication, name="Pretraining")

    response = signed_in(editor).post(
        reverse("inbox:watch-poll", args=[publication.slug, watch.pk])
    )

    assert response["Location"] == _watches(publication)
    assert polls == [watch]
    assert messages_of(response)[0].startswith("The watch “Pretraining” will be polled")


def test_editor_saves_the_inbox_settings(publication: Publication, editor: Any) -> None:
    client = signed_in(editor)

    shown = client.get(_watches(publication))
    response = client.post(
        _watches(publication),
        {"form": "settings", "claim_days": "5", "expire_days": "20", "keep_per_poll": "50"},
    )

    assert shown.context["settings_form"].initial["claim_days"] == 7
    assert response.status_code == 302
    found = InboxSettings.objects.get(publication=publication)
    assert (found.claim_days, found.expire_days, found.keep_per_poll) == (5, 20, 50)
    assert messages_of(response) == ["The inbox settings are saved."]


def test_wrong_inbox_settings_change_nothing(publication: Publication, editor: Any) -> None:
    response = signed_in(editor).post(
        _watches(publication),
        {"form": "settings", "claim_days": "0", "expire_days": "x", "keep_per_poll": "5000"},
    )

    assert response.status_code == 400
    assert set(response.context["settings_form"].errors) == {
        "claim_days",
        "expire_days",
        "keep_per_poll",
    }
    assert not InboxSettings.objects.exists()
