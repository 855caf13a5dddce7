"""The paper's API representation, written out by hand, against DRF's walk over its fields."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework import serializers

from papers import selectors
from papers.api.serializers import PaperSerializer
from papers.enums import MetadataSource, MetadataStatus
from papers.models import Paper
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


def _papers() -> list[Paper]:
    fetched = PaperFactory(
        authors=["Ada Lovelace", "Grace Hopper"],
        institutions=["Tsinghua University", "Stanford University"],
        title_zh="预训练研究",
        revised_on=dt.date(2024, 2, 1),
        year=2024,
        doi="10.1234/example",
        journal_ref="Proceedings, 2024",
        comment="12 pages",
        code_url="https://example.org/code",
        categories=["cs.CL", "cs.LG"],
        metadata_fetched_at=timezone.now(),
        metadata_kept=True,
    )
    pending = PaperFactory(pending=True, arxiv_id=None, acl_id="2022.acl-long.123")
    failed = PaperFactory(
        arxiv_id=None,
        openreview_id="abcDEF123",
        s2_id="0123456789abcdef0123456789abcdef01234567",
        metadata_status=MetadataStatus.FAILED,
        metadata_source=MetadataSource.OPENREVIEW,
        metadata_error="OpenReview could not be reached.",
        metadata_attempts=3,
        published_on=None,
    )
    return [fetched, pending, failed]


@pytest.mark.parametrize("listed", [False, True], ids=["details", "listed names"])
def test_written_out_representation_equals_the_declared_fields(listed: bool) -> None:
    request = RequestFactory().get("/api/v1/papers/")
    ids = [paper.pk for paper in _papers()]
    papers = list(selectors.papers_with_details().filter(pk__in=ids).order_by("pk"))
    if listed:
        papers = selectors.with_names(papers)
    serializer = PaperSerializer(papers, many=True, context={"request": request})
    declared = PaperSerializer(context={"request": request})

    written = serializer.data
    walked = [serializers.ModelSerializer.to_representation(declared, p) for p in papers]

    assert [dict(row) for row in written] == [dict(row) for row in walked]
    assert written[0]["authors"] == ["Ada Lovelace", "Grace Hopper"]
    assert written[0]["web_url"] == f"http://testserver/en/papers/{papers[0].pk}/"
    assert written[2]["metadata"]["error"] == "OpenReview could not be reached."
    assert written[2]["published_on"] is None
    # The same keys in the same order as the schema documents them.
    assert list(written[1]) == list(PaperSerializer.Meta.fields)
