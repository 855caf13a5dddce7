"""The catalogue's admin: "fetch the metadata again" fetches what a fetch can change, and says
which papers it left alone and why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from papers.enums import MetadataSource, MetadataStatus
from papers.models import Paper
from tests.admin_site import _form_data, _url
from tests.factories import PaperFactory


def test_fetch_again_action_leaves_kept_and_unaskable_papers_alone_and_says_so(
    admin_user: Any,
    client: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
    settings: Any,
) -> None:
    settings.CROSSREF_API_URL = ""  # a DOI's only source switched off
    hand = PaperFactory(title="Typed by a member", metadata_source=MetadataSource.MANUAL)
    kept = PaperFactory(
        title="Kept by an editor", metadata_source=MetadataSource.MANUAL, metadata_kept=True
    )
    doi_only = PaperFactory(
        arxiv_id=None, doi="10.1000/only-a-doi", title="", metadata_status=MetadataStatus.FAILED
    )
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("admin:papers_paper_changelist"),
            {
                "action": "fetch_again",
                ACTION_CHECKBOX_NAME: [hand.pk, kept.pk, doi_only.pk],
                "index": 0,
            },
        )

    assert response.status_code == 302
    # One fetch is enqueued, for the hand entry nobody kept.
    assert len(callbacks) == 1
    assert sorted((m.level_tag, m.message) for m in get_messages(response.wsgi_request)) == [
        ("success", "1 paper will be fetched again shortly."),
        (
            "warning",
            "1 paper was left alone: an editor kept its hand-entered metadata over the source's. "
            "Save the hand entry again without keeping it to have it fetched.",
        ),
        (
            "warning",
            "1 paper was left alone: no source can be asked for its metadata (its only source is "
            "switched off on this site, as AMiner is without a token).",
        ),
    ]
    assert Paper.objects.get(pk=kept.pk).title == "Kept by an editor"
    assert Paper.objects.get(pk=doi_only.pk).metadata_status == MetadataStatus.FAILED


def test_paper_admin_metadata_status_is_read_only(admin_client: Any, site: Any) -> None:
    paper = site.featured.paper
    url = _url(Paper, "change", paper.pk)
    response = admin_client.get(url)
    html = response.content.decode()
    for name in ("metadata_status", "metadata_attempts", "metadata_error", "metadata_fetched_at"):
        assert f'name="{name}"' not in html
    assert 'name="metadata_source"' in html
    data = _form_data(response)
    data.update(doi="10.48550/ARXIV.2109.08133", metadata_status=MetadataStatus.FAILED)
    response = admin_client.post(url, data)
    assert response.status_code == 302
    paper.refresh_from_db()
    assert (paper.doi, paper.metadata_status) == ("10.48550/arxiv.2109.08133", MetadataStatus.OK)
    assert list(paper.authorships.values_list("author__name", flat=True)) == [
        "Jinhyuk Lee",
        "Danqi Chen",
    ]


def test_enrich_again_action_queues_one_enrichment_for_the_papers(
    admin_user: Any, client: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    papers = PaperFactory.create_batch(3)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("admin:papers_paper_changelist"),
            {
                "action": "enrich_again",
                ACTION_CHECKBOX_NAME: [p.pk for p in papers],
                "index": 0,
            },
        )

    assert response.status_code == 302
    assert len(callbacks) == 1
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "OpenAlex will be asked for the affiliations of 3 papers shortly."
    ]
