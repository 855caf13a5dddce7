"""The editors' watches and the inbox's settings (``inbox/services/watches.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from common.exceptions import InvalidInput, NotAllowed
from inbox import services
from inbox.models import Candidate, InboxSettings, Watch
from publications.models import Publication
from tests.factories import UserFactory
from tests.factories.inbox import CandidateFactory, WatchFactory

pytestmark = pytest.mark.django_db


def _fresh(candidate: Candidate) -> Candidate:
    return Candidate.objects.get(pk=candidate.pk)


def test_settings_for_makes_the_defaults_once(publication: Publication, settings: Any) -> None:
    settings.INBOX_KEEP_PER_POLL = 25
    first = services.settings_for(publication)
    assert (first.claim_days, first.expire_days, first.keep_per_poll) == (7, 30, 25)
    assert services.settings_for(publication).pk == first.pk


def test_save_watch_adds_and_changes_a_watch(publication: Publication, editor: Any) -> None:
    watch = services.save_watch(
        publication,
        by=editor,
        name="Pretraining",
        categories="cs.CL,  cs.LG cs.CL",
        query="abs:pretrain*   AND ti:language",
    )
    assert (watch.categories, watch.query, watch.created_by) == (
        "cs.CL cs.LG",
        "abs:pretrain* AND ti:language",
        editor,
    )
    assert watch.search_query() == "(cat:cs.CL OR cat:cs.LG) AND (abs:pretrain* AND ti:language)"

    services.save_watch(publication, by=editor, name="Theory", categories="math.ST", watch=watch)

    stored = Watch.objects.get(pk=watch.pk)
    assert (stored.name, stored.categories, stored.query) == ("Theory", "math.ST", "")
    assert stored.search_query() == "cat:math.ST"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"categories": "", "query": ""}, "categories", "Give arXiv categories, a query, or both."),
        ({"categories": "cs.CL computer-science!"}, "categories", "Not an arXiv category"),
        ({"categories": "hep-th q-bio.NC astro-ph.GA"}, None, None),
        ({"query": "ti:(language"}, "query", "parentheses or quotation marks"),
        ({"query": 'ti:"language'}, "query", "parentheses or quotation marks"),
        ({"query": "ti:a\x07"}, "query", "control characters"),
        ({"query": "ti:a\nti:b"}, "query", "Write the query on one line."),
        ({"query": "a" * 501}, "query", "At most 500 characters"),
        ({"name": ""}, "name", "Give the watch a name."),
    ],
)
def test_save_watch_validates_categories_and_query(
    publication: Publication, editor: Any, fields: dict[str, str], field: str, message: str
) -> None:
    values = {"name": "A watch", "categories": "cs.CL", "query": "", **fields}
    if message is None:
        assert services.save_watch(publication, by=editor, **values).pk
        return
    with pytest.raises(InvalidInput, match=message) as refused:
        services.save_watch(publication, by=editor, **values)
    assert refused.value.field == field
    assert Watch.objects.count() == 0


def test_save_watch_by_a_member_is_not_allowed(publication: Publication, contributor: Any) -> None:
    with pytest.raises(NotAllowed, match="Only editors of this publication"):
        services.save_watch(publication, by=contributor, name="Mine", categories="cs.CL")


def test_delete_watch_keeps_its_candidates(publication: Publication, editor: Any) -> None:
    watch = WatchFactory(publication=publication)
    candidate = CandidateFactory(publication=publication, watch=watch)
    with pytest.raises(NotAllowed):
        services.delete_watch(watch, by=UserFactory())
    services.delete_watch(watch, by=editor)
    assert Watch.objects.count() == 0
    assert _fresh(candidate).watch is None


def test_update_inbox_settings(publication: Publication, editor: Any, contributor: Any) -> None:
    found = services.update_inbox_settings(publication, by=editor, claim_days=3, keep_per_poll=50)
    assert (found.claim_days, found.expire_days, found.keep_per_poll) == (3, 30, 50)
    with pytest.raises(InvalidInput, match="from 1 to 365") as refused:
        services.update_inbox_settings(publication, by=editor, expire_days=0)
    assert refused.value.field == "expire_days"
    with pytest.raises(NotAllowed):
        services.update_inbox_settings(publication, by=contributor, claim_days=1)
    assert InboxSettings.objects.get(publication=publication).claim_days == 3
