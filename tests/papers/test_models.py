"""Tests for papers.models: every database constraint of the catalogue refuses bad rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from papers.models import Author, Authorship, Paper, PaperInstitution
from tests.factories import AuthorFactory, InstitutionFactory, PaperFactory

pytestmark = pytest.mark.django_db


def _refused(**fields: Any) -> None:
    """Inserting a paper with ``fields`` raises IntegrityError and leaves no row."""
    before = Paper.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        Paper.objects.create(**fields)
    assert Paper.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("arxiv_id", "2109.08133"),
        ("aminer_id", "614407b25244ab9dcbd29c5c"),
        ("doi", "10.18653/v1/2021.acl-long.518"),
    ],
)
def test_paper_identifier_unique(field: str, value: str) -> None:
    identifiers = {"arxiv_id": None, field: value}
    PaperFactory(**identifiers)
    _refused(**identifiers)


def test_paper_many_rows_without_an_identifier_kind_are_fine() -> None:
    PaperFactory(arxiv_id=None, doi="10.1/a")
    PaperFactory(arxiv_id=None, doi="10.1/b")
    PaperFactory(arxiv_id="2109.08133", doi=None)
    assert Paper.objects.filter(arxiv_id__isnull=True, aminer_id__isnull=True).count() == 2


def test_paper_has_identifier() -> None:
    _refused(arxiv_id=None, aminer_id=None, doi=None, title="Nameless")


@pytest.mark.parametrize("field", ["arxiv_id", "aminer_id", "doi"])
def test_paper_identifiers_not_empty(field: str) -> None:
    identifiers = {"arxiv_id": "2109.08133", "aminer_id": None, "doi": None, field: ""}
    if field == "arxiv_id":
        identifiers["doi"] = "10.1/x"
    _refused(**identifiers)


@pytest.mark.parametrize("doi", ["10.48550/arXiv.2109.08133", "10.1000/ABC"])
def test_paper_doi_lowercase(doi: str) -> None:
    _refused(arxiv_id=None, doi=doi)


def test_paper_doi_lowercase_accepts_lowercase() -> None:
    paper = PaperFactory(arxiv_id=None, doi="10.48550/arxiv.2109.08133")
    assert Paper.objects.get(doi="10.48550/arxiv.2109.08133") == paper


def test_paper_metadata_status_valid() -> None:
    _refused(arxiv_id="2109.08133", metadata_status="lost")


def test_authorship_position_unique_per_paper() -> None:
    paper = PaperFactory(authors=["Ada Lovelace"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorship.objects.create(paper=paper, author=AuthorFactory(), position=1)
    assert paper.authorships.count() == 1


@pytest.mark.parametrize("clash", ["institution", "position"])
def test_paper_institution_unique_institution_and_position(clash: str) -> None:
    paper = PaperFactory(institutions=["Stanford"])
    existing = PaperInstitution.objects.get(paper=paper)
    institution = existing.institution if clash == "institution" else InstitutionFactory()
    position = 1 if clash == "position" else 2
    with pytest.raises(IntegrityError), transaction.atomic():
        PaperInstitution.objects.create(paper=paper, institution=institution, position=position)
    assert paper.paper_institutions.count() == 1


def test_author_name_unique() -> None:
    AuthorFactory(name="Danqi Chen")
    with pytest.raises(IntegrityError), transaction.atomic():
        Author.objects.create(name="Danqi Chen")
    assert Author.objects.filter(name="Danqi Chen").count() == 1


@pytest.mark.parametrize(
    ("fields", "display", "url"),
    [
        (
            {"arxiv_id": "hep-th/9901001"},
            "arXiv:hep-th/9901001",
            "https://arxiv.org/abs/hep-th/9901001",
        ),
        (
            {"arxiv_id": None, "aminer_id": "614407b25244ab9dcbd29c5c"},
            "AMiner 614407b25244ab9dcbd29c5c",
            "https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c",
        ),
        ({"arxiv_id": None, "doi": "10.1/x"}, "doi:10.1/x", "https://doi.org/10.1/x"),
    ],
)
def test_paper_identifier_display_and_url(fields: dict[str, Any], display: str, url: str) -> None:
    paper = PaperFactory(title="", **fields)
    assert (paper.identifier_display, paper.url, str(paper)) == (display, url, display)


def test_institution_name_for_a_chinese_reader_is_its_chinese_name_when_known() -> None:
    tsinghua = InstitutionFactory(name="Tsinghua University", name_zh="清华大学")
    zhipu = InstitutionFactory(name="Zhipu AI")

    assert [tsinghua.name_for("zh-hans"), tsinghua.name_for("en")] == [
        "清华大学",
        "Tsinghua University",
    ]
    assert zhipu.name_for("zh-hans") == "Zhipu AI"
