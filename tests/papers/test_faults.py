"""Tests for papers/faults.py: a fetch's fault is stored as a code with its parameters and
worded in each reader's language when it is shown; an old row's text is shown as it was."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from papers import faults
from papers.enums import MetadataSource, MetadataStatus
from papers.faults import Fault, describe, english_text, read_fault
from tests.factories import PaperFactory, RecommendationFactory
from tests.languages import reverse_in

GAVE_UP = Fault(faults.UNREACHABLE, MetadataSource.ARXIV, then=faults.GAVE_UP, detail="HTTP 503")


def test_fault_is_stored_as_its_code_and_parameters_with_the_english_text() -> None:
    missing = Fault(faults.NOT_FOUND, MetadataSource.CROSSREF, {"id": "10.1000/x"})
    stored = json.loads(missing.with_then(faults.KEPT).stored())
    assert stored == {
        "fault": "not_found",
        "source": "crossref",
        "params": {"id": "10.1000/x"},
        "then": "kept",
        "text": "Refreshing failed: Crossref has no paper with the id 10.1000/x. "
        "The metadata shown is from the last fetch.",
    }
    assert read_fault(missing.stored()) == Fault(faults.NOT_FOUND, "crossref", {"id": "10.1000/x"})


@pytest.mark.parametrize(
    ("fault", "english", "chinese"),
    [
        (
            GAVE_UP,
            "arXiv could not be reached. Gave up after retrying.",
            "无法连接 arXiv。多次重试后已放弃。",
        ),
        (
            Fault(faults.UNUSABLE, MetadataSource.AMINER, then=faults.RETRY),
            "AMiner answered something unusable. Will try again.",
            "AMiner 返回的内容无法使用。稍后会再试。",
        ),
        (
            Fault(faults.NOT_FOUND, MetadataSource.ARXIV, {"id": "2401.00001"}),
            "arXiv has no paper with the id 2401.00001.",
            "arXiv 上没有 ID 为 2401.00001 的论文。",
        ),
        (
            Fault(faults.UNREACHABLE, MetadataSource.OPENREVIEW, then=faults.KEPT),
            "Refreshing failed: OpenReview could not be reached. "
            "The metadata shown is from the last fetch.",
            "刷新失败：无法连接 OpenReview。显示的是上次获取的元数据。",
        ),
        (
            Fault(faults.NOT_STORED, MetadataSource.ARXIV, then=faults.BY_HAND),
            "What arXiv sent for this paper could not be stored. Fill in its fields by hand, "
            "or fetch it again once the source is corrected.",
            "arXiv 返回的这篇论文的数据无法保存。请手动填写各项内容，或待来源修正后重新获取。",
        ),
    ],
    ids=["unreachable", "unusable", "not-found", "kept", "not-stored"],
)
def test_fault_reads_in_each_language(fault: Fault, english: str, chinese: str) -> None:
    stored = fault.stored()
    with translation.override("en"):
        assert describe(stored) == english
    with translation.override("zh-hans"):
        assert describe(stored) == chinese


def test_old_text_and_anything_else_is_shown_as_stored() -> None:
    for old in ("arXiv is down.", "{not json", '{"no": "fault"}', ""):
        with translation.override("zh-hans"):
            assert describe(old) == old
        assert english_text(old) == old
    assert english_text(GAVE_UP.stored()).endswith("(HTTP 503)")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "arXiv could not be reached. Gave up after retrying."),
        ("zh-hans", "无法连接 arXiv。"),
    ],
)
def test_recommendation_page_says_the_fault_in_the_readers_language(
    client: Client, language: str, shown: str
) -> None:
    recommendation = RecommendationFactory(
        paper=PaperFactory(
            title="", metadata_status=MetadataStatus.FAILED, metadata_error=GAVE_UP.stored()
        )
    )
    client.force_login(recommendation.submitter)

    page = client.get(reverse_in(language, "recommendations:detail", args=[recommendation.pk]))

    text = page.content.decode()
    assert shown in text
    assert '"fault"' not in text
    if language == "zh-hans":
        assert "could not be reached" not in text


@pytest.mark.django_db
def test_api_says_the_fault_in_the_requests_language() -> None:
    api_client = APIClient()
    paper = PaperFactory(metadata_status=MetadataStatus.FAILED, metadata_error=GAVE_UP.stored())
    url = reverse("api:paper-detail", args=[paper.pk])

    english = api_client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = api_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert english["metadata"]["error"] == "arXiv could not be reached. Gave up after retrying."
    assert chinese["metadata"]["error"] == "无法连接 arXiv。多次重试后已放弃。"
