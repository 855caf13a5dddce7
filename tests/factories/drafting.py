"""Rows of every drafting model, for the admin's and the backups' tests."""

from __future__ import annotations

from typing import Any

from drafting import services
from drafting.enums import BackendFault, DraftStatus, Spacing
from drafting.models import BackendProblem, Draft, DraftingRequest


def drafting_rows(publication: Any, paper: Any, *, editor: Any) -> Draft:
    """The publication's voice set by ``editor``, a draft of ``paper`` with its request, and a
    recorded fault of the model's configuration."""
    services.set_house_style(
        publication, by=editor, spacing=Spacing.SPACE, summary_min_length=80, summary_max_length=400
    )
    services.add_glossary_term(
        publication, by=editor, term="pretraining", translation="预训练", avoid="预先训练"
    )
    services.save_prompt_template(
        publication, by=editor, instructions="Draft for {publication}.\n{glossary}", examples=2
    )
    draft = Draft.objects.create(
        publication=publication,
        paper=paper,
        status=DraftStatus.READY,
        title_zh="短语检索也学会了段落检索",
        summary_zh="本文研究短语检索能否用于段落检索。",
        summary_en="The paper asks whether phrase retrieval serves passage retrieval.",
        subject_zh="短语检索",
        subject_en="phrase retrieval",
        model="stand-in",
        prompt_version=1,
        requested_by=editor,
    )
    DraftingRequest.objects.create(
        publication=publication,
        paper=paper,
        requested_by=editor,
        model="stand-in",
        prompt_tokens=812,
        completion_tokens=304,
        outcome=DraftStatus.READY,
    )
    BackendProblem.objects.get_or_create(
        fault=BackendFault.MODEL_MISSING, defaults={"message": "The model `x` does not exist."}
    )
    return draft
