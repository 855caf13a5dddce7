"""The editors' side of the inbox's API: a publication's watches and its inbox settings, for
its editors only (403 on the publication's lists for other members, 404 for one watch, 401 for
anonymous callers), through the services' checks."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from inbox.models import InboxSettings, Watch
from publications.models import Publication
from tests.api.helpers import _error
from tests.conftest import client_for
from tests.factories.inbox import WatchFactory

pytestmark = pytest.mark.django_db

OUTSIDERS = ("contributor", "claimant", "other_editor")


def _watches(publication: Publication) -> str:
    return reverse("api:publication-watches", args=[publication.slug])


def _settings(publication: Publication) -> str:
    return reverse("api:publication-inbox-settings", args=[publication.slug])


def _watch(watch: Watch) -> str:
    return reverse("api:watch-detail", args=[watch.pk])


def _rows() -> list[tuple[Any, ...]]:
    return list(
        Watch.objects.order_by("pk").values_list("name", "categories", "query", "is_active")
    ) + list(InboxSettings.objects.values_list("claim_days", "expire_days", "keep_per_poll"))


@pytest.fixture
def watch(publication: Publication) -> Watch:
    return WatchFactory(publication=publication, name="Pretraining", categories="cs.CL")


# --- the list -----------------------------------------------------------------------------------


def test_editor_lists_and_adds_watches(publication: Publication, editor: Any, watch: Watch) -> None:
    WatchFactory(name="Elsewhere")  # another publication's
    client = client_for(editor)

    listed = client.get(_watches(publication))
    added = client.post(
        _watches(publication),
        {"name": "RL 强化学习", "categories": "cs.LG, stat.ML", "query": "abs:reinforcement"},
        format="json",
    )

    assert [row["name"] for row in listed.json()] == ["Pretraining"]
    assert listed.json()[0]["publication"] == "pretraining-weekly"
    assert added.status_code == 201, added.content
    stored = Watch.objects.get(pk=added.json()["id"])
    assert (stored.publication, stored.created_by, stored.categories, stored.is_active) == (
        publication,
        editor,
        "cs.LG stat.ML",
        True,
    )
    assert added.json()["active"] is True


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_members_may_not_list_or_add(
    request: pytest.FixtureRequest, publication: Publication, watch: Watch, role: str
) -> None:
    client = client_for(request.getfixturevalue(role))
    before = _rows()
    _error(client.get(_watches(publication)), 403, "not_allowed")
    body = {"name": "Mine", "categories": "cs.CL"}
    _error(client.post(_watches(publication), body, format="json"), 403, "not_allowed")
    assert _rows() == before


def test_anonymous_is_asked_to_sign_in(publication: Publication, watch: Watch) -> None:
    client = client_for(None)
    for response in (
        client.get(_watches(publication)),
        client.post(_watches(publication), {"name": "A", "categories": "cs.CL"}, format="json"),
        client.get(_watch(watch)),
        client.patch(_watch(watch), {"active": False}, format="json"),
        client.delete(_watch(watch)),
        client.get(_settings(publication)),
        client.patch(_settings(publication), {"claim_days": 3}, format="json"),
    ):
        _error(response, 401, "not_authenticated")
    assert Watch.objects.get(pk=watch.pk).is_active is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "A", "categories": "cs.CL; DROP"}, "categories"),
        ({"name": "A", "categories": "", "query": ""}, "categories"),
        ({"name": "A", "query": "(abs:pretrain"}, "query"),
        ({"name": "", "categories": "cs.CL"}, "name"),
        ({"name": "x" * 101, "categories": "cs.CL"}, "name"),
        ({"name": "A", "categories": "cs.CL " * 100}, "categories"),
        ({"name": ["A"], "categories": "cs.CL"}, "name"),
        ({"name": "A", "categories": "cs.CL", "active": "perhaps"}, "active"),
    ],
)
def test_invalid_watches_are_refused_naming_the_field(
    publication: Publication, editor: Any, body: dict[str, Any], field: str
) -> None:
    response = client_for(editor).post(_watches(publication), body, format="json")
    assert list(_error(response, 400, "invalid")["fields"]) == [field]
    assert not Watch.objects.exists()


def test_unknown_publication_is_404(editor: Any) -> None:
    url = reverse("api:publication-watches", args=["no-such-weekly"])
    _error(client_for(editor).get(url), 404, "not_found")


# --- one watch ----------------------------------------------------------------------------------


def test_editor_reads_changes_and_removes_a_watch(watch: Watch, editor: Any) -> None:
    client = client_for(editor)

    shown = client.get(_watch(watch))
    changed = client.patch(_watch(watch), {"active": False, "query": "ti:BERT"}, format="json")

    assert shown.json()["name"] == "Pretraining"
    assert changed.status_code == 200
    stored = Watch.objects.get(pk=watch.pk)
    assert (stored.name, stored.categories, stored.query, stored.is_active) == (
        "Pretraining",
        "cs.CL",
        "ti:BERT",
        False,
    )
    assert client.delete(_watch(watch)).status_code == 204
    assert not Watch.objects.filter(pk=watch.pk).exists()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_members_do_not_learn_a_watch_exists(
    request: pytest.FixtureRequest, watch: Watch, role: str
) -> None:
    client = client_for(request.getfixturevalue(role))
    before = _rows()
    _error(client.get(_watch(watch)), 404, "not_found")
    _error(client.patch(_watch(watch), {"active": False}, format="json"), 404, "not_found")
    _error(client.delete(_watch(watch)), 404, "not_found")
    assert _rows() == before


def test_patch_that_empties_the_watch_is_refused(watch: Watch, editor: Any) -> None:
    before = _rows()
    response = client_for(editor).patch(
        _watch(watch), {"categories": "", "query": ""}, format="json"
    )
    assert list(_error(response, 400, "invalid")["fields"]) == ["categories"]
    assert _rows() == before


# --- settings -----------------------------------------------------------------------------------


def test_editor_reads_the_defaults_without_writing_them(
    publication: Publication, editor: Any
) -> None:
    response = client_for(editor).get(_settings(publication))
    assert response.json() == {
        "claim_days": 7,
        "expire_days": 30,
        "keep_per_poll": 100,
        "updated_at": None,
    }
    assert not InboxSettings.objects.exists()


def test_editor_changes_the_settings(publication: Publication, editor: Any) -> None:
    response = client_for(editor).patch(
        _settings(publication), {"claim_days": 3, "keep_per_poll": 20}, format="json"
    )
    assert response.status_code == 200
    stored = InboxSettings.objects.get(publication=publication)
    assert (stored.claim_days, stored.expire_days, stored.keep_per_poll) == (3, 30, 20)
    assert response.json()["updated_at"] is not None


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_members_may_not_see_or_change_the_settings(
    request: pytest.FixtureRequest, publication: Publication, role: str
) -> None:
    client = client_for(request.getfixturevalue(role))
    _error(client.get(_settings(publication)), 403, "not_allowed")
    _error(client.patch(_settings(publication), {"claim_days": 3}, format="json"), 403)
    assert not InboxSettings.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"claim_days": 0}, "claim_days"),
        ({"expire_days": 366}, "expire_days"),
        ({"keep_per_poll": 10**30}, "keep_per_poll"),
        ({"claim_days": "a week"}, "claim_days"),
        ({"claim_days": [7]}, "claim_days"),
        ({"claim_days": 2.5}, "claim_days"),
    ],
)
def test_invalid_settings_are_refused_naming_the_field(
    publication: Publication, editor: Any, body: dict[str, Any], field: str
) -> None:
    response = client_for(editor).patch(_settings(publication), body, format="json")
    assert list(_error(response, 400, "invalid")["fields"]) == [field]
    assert not InboxSettings.objects.exists()
