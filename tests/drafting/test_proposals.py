"""``drafting.selectors.proposed_short_forms``: the Chinese short forms ready drafts proposed,
by institution, for the editors' page of institutions without one."""

from __future__ import annotations

from typing import Any

import pytest

from drafting.enums import DraftStatus
from drafting.models import Draft
from drafting.selectors import ShortFormProposal, proposed_short_forms, short_form_proposals
from papers.models import Institution
from tests.factories import PaperFactory, PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _drafting_on(settings: Any) -> None:
    settings.LLM_API_URL = "http://127.0.0.1:9/v1"
    settings.LLM_MODEL = "qwen2.5:7b"


def _draft(
    paper: Any, proposals: list[Any], *, status: str = DraftStatus.READY, model: str = "m"
) -> Draft:
    return Draft.objects.create(
        publication=PublicationFactory(),
        paper=paper,
        status=status,
        model=model,
        institutions=proposals,
    )


def test_the_newest_ready_draft_of_the_institutions_own_paper_proposes() -> None:
    paper = PaperFactory(institutions=["Lab of Nowhere"])
    other = PaperFactory(institutions=["Far Lab"])
    _draft(paper, [{"name": "Lab of Nowhere", "short_zh": "旧名"}], model="old")
    _draft(paper, [{"name": "lab of  nowhere", "short_zh": " 无名实验室 "}], model="new")
    _draft(paper, [{"name": "Lab of Nowhere", "short_zh": "败"}], status=DraftStatus.FAILED)
    # A draft of another paper does not name an institution that paper does not have.
    _draft(other, [{"name": "Lab of Nowhere", "short_zh": "别名"}, "junk", {"name": 3}])
    rows = list(Institution.objects.all())
    lab = Institution.objects.get(name="Lab of Nowhere")
    assert proposed_short_forms(rows) == {
        lab.pk: ShortFormProposal(lab.pk, "无名实验室", "new", 1, (paper.title,))
    }


def test_every_distinct_proposal_is_told_with_its_drafts_and_papers() -> None:
    first = PaperFactory(title="First Paper", institutions=["Lab of Nowhere"])
    second = PaperFactory(title="Second Paper", institutions=["Lab of Nowhere"])
    _draft(first, [{"name": "Lab of Nowhere", "short_zh": "无名所"}], model="old")
    _draft(second, [{"name": "Lab of Nowhere", "short_zh": "无名所"}], model="old")
    _draft(first, [{"name": "Lab of Nowhere", "short_zh": "无名 实验室"}], model="mid")
    _draft(second, [{"name": "Lab of Nowhere", "short_zh": "无名  实验室"}], model="new")
    lab = Institution.objects.get(name="Lab of Nowhere")
    assert short_form_proposals([lab]) == {
        lab.pk: [
            ShortFormProposal(lab.pk, "无名 实验室", "new", 2, ("Second Paper", "First Paper")),
            ShortFormProposal(lab.pk, "无名所", "old", 2, ("Second Paper", "First Paper")),
        ]
    }
    assert proposed_short_forms([lab])[lab.pk].short_zh == "无名 实验室"


def test_nothing_is_proposed_while_drafting_is_off(settings: Any) -> None:
    paper = PaperFactory(institutions=["Lab of Nowhere"])
    _draft(paper, [{"name": "Lab of Nowhere", "short_zh": "无名实验室"}])
    settings.LLM_API_URL = ""
    assert proposed_short_forms(Institution.objects.all()) == {}
    assert proposed_short_forms([]) == {}
