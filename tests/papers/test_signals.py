"""paper_metadata_arrived: sent once the metadata is committed, never for a rolled-back one."""

from __future__ import annotations

from typing import Any

import pytest

from papers.services.catalogue import PaperMetadata
from papers.services.hand_entry import enter_metadata_by_hand
from papers.signals import paper_metadata_arrived
from tests.factories.papers import PaperFactory

pytestmark = pytest.mark.django_db


def test_metadata_entered_by_hand_is_told_after_commit(
    editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[list[int]] = []

    def receiver(sender: Any, paper_ids: list[int], **kwargs: Any) -> None:
        heard.append(paper_ids)

    paper_metadata_arrived.connect(receiver)
    try:
        paper = PaperFactory(title="", abstract="")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            enter_metadata_by_hand(paper, PaperMetadata(title="A Title"), by=editor)
            assert heard == []
        assert callbacks
        assert heard == [[paper.pk]]
    finally:
        paper_metadata_arrived.disconnect(receiver)


def test_a_failing_receiver_does_not_fail_the_entry(
    editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def receiver(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("broken")

    paper_metadata_arrived.connect(receiver)
    try:
        paper = PaperFactory(title="", abstract="")
        with django_capture_on_commit_callbacks(execute=True):
            enter_metadata_by_hand(paper, PaperMetadata(title="A Title"), by=editor)
        paper.refresh_from_db()
        assert paper.title == "A Title"
    finally:
        paper_metadata_arrived.disconnect(receiver)
