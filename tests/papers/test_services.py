"""Tests for papers.services: one catalogue row per paper, and metadata stored in order."""

from __future__ import annotations

import datetime as dt

import pytest

from papers.enums import MetadataSource, MetadataStatus
from papers.identifiers import Identifier, parse_identifier
from papers.models import Author, Institution, Paper, PossibleDuplicate
from papers.selectors import author_names, institution_names, papers_with_details
from papers.services import (
    AuthorData,
    PaperMetadata,
    apply_paper_metadata,
    fill_missing_title_zh,
    get_or_create_paper,
)
from tests.factories import PaperFactory

pytestmark = pytest.mark.django_db


# ================================================================ get_or_create_paper


def test_get_or_create_paper_new_arxiv_is_pending_with_version() -> None:
    paper, created = get_or_create_paper(parse_identifier("arXiv:1706.03762v5"))
    assert created is True
    paper.refresh_from_db()
    assert (paper.arxiv_id, paper.arxiv_version, paper.aminer_id, paper.doi) == (
        "1706.03762",
        5,
        None,
        None,
    )
    assert (paper.metadata_status, paper.title) == (MetadataStatus.PENDING, "")


@pytest.mark.parametrize(
    "forms",
    [
        ["1706.03762", "arXiv:1706.03762v5", "https://arxiv.org/abs/1706.03762v2"],
        ["https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001v1"],
        [
            "https://www.aminer.cn/pub/614407b25244ab9dcbd29c5c",
            "https://www.aminer.org/pub/614407B25244AB9DCBD29C5C/some-title",
        ],
    ],
)
def test_get_or_create_paper_is_idempotent_across_forms(forms: list[str]) -> None:
    results = [get_or_create_paper(parse_identifier(form)) for form in forms]
    assert [created for _paper, created in results] == [True] + [False] * (len(forms) - 1)
    assert len({paper.pk for paper, _created in results}) == 1
    assert Paper.objects.count() == 1


def test_get_or_create_paper_existing_keeps_its_fields() -> None:
    existing = PaperFactory(arxiv_id="2109.08133", arxiv_version=3, title="Kept")
    paper, created = get_or_create_paper(Identifier("arxiv", "2109.08133", 1))
    assert (paper, created) == (existing, False)
    paper.refresh_from_db()
    assert (paper.arxiv_version, paper.title) == (3, "Kept")


def test_get_or_create_paper_aminer_id_is_lowercase() -> None:
    paper, _created = get_or_create_paper(parse_identifier("aminer:614407B25244AB9DCBD29C5C"))
    assert Paper.objects.get(pk=paper.pk).aminer_id == "614407b25244ab9dcbd29c5c"


# ================================================================ apply_paper_metadata


def _metadata(**overrides: object) -> PaperMetadata:
    fields: dict[str, object] = {
        "title": "  Attention Is All You Need ",
        "abstract": " The dominant sequence transduction models… ",
        "authors": [
            AuthorData("Ashish Vaswani", "Google Brain"),
            AuthorData("Noam Shazeer"),
            AuthorData("Niki Parmar", "Google Research"),
        ],
        "institutions": ["Google Brain", "Google Research"],
        "published_on": dt.date(2017, 6, 12),
        "revised_on": dt.date(2023, 8, 2),
        "arxiv_version": 7,
        "primary_category": "cs.CL",
        "categories": ("cs.CL", "cs.LG"),
        "doi": None,
        "pdf_url": "https://arxiv.org/pdf/1706.03762v7",
    }
    fields.update(overrides)
    return PaperMetadata(**fields)


def test_apply_paper_metadata_stores_fields_and_marks_ok() -> None:
    paper = PaperFactory(pending=True, arxiv_id="1706.03762", arxiv_version=1)
    apply_paper_metadata(paper, _metadata(), source=MetadataSource.ARXIV)

    paper = papers_with_details().get(pk=paper.pk)
    assert (paper.title, paper.abstract) == (
        "Attention Is All You Need",
        "The dominant sequence transduction models…",
    )
    assert (paper.published_on, paper.revised_on, paper.arxiv_version) == (
        dt.date(2017, 6, 12),
        dt.date(2023, 8, 2),
        7,
    )
    assert (paper.primary_category, paper.categories) == ("cs.CL", ["cs.CL", "cs.LG"])
    assert (paper.metadata_status, paper.metadata_source, paper.metadata_error) == (
        MetadataStatus.OK,
        MetadataSource.ARXIV,
        "",
    )
    assert paper.metadata_fetched_at is not None
    assert author_names(paper) == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"]
    assert [(a.position, a.affiliation) for a in paper.authorships.all()] == [
        (1, "Google Brain"),
        (2, ""),
        (3, "Google Research"),
    ]
    # Both are Google's other names in the glossary: one institution, stored under its name.
    assert institution_names(paper) == ["Google"]


def test_apply_paper_metadata_again_replaces_authors_and_institutions_in_order() -> None:
    paper = PaperFactory(arxiv_id="1706.03762")
    apply_paper_metadata(paper, _metadata(), source=MetadataSource.ARXIV)
    apply_paper_metadata(
        paper,
        _metadata(
            authors=[
                AuthorData("Niki Parmar"),
                AuthorData("Llion Jones"),
                AuthorData("Niki Parmar"),
            ],
            institutions=["University of Toronto", "Google Brain", " "],
        ),
        source=MetadataSource.ARXIV,
    )

    paper = papers_with_details().get(pk=paper.pk)
    assert author_names(paper) == ["Niki Parmar", "Llion Jones"]
    assert [a.position for a in paper.authorships.all()] == [1, 2]
    assert institution_names(paper) == ["University of Toronto", "Google"]
    # Authors are shared rows, matched by name, and institutions through the glossary too
    # (Google Brain is Google): nothing is duplicated.
    assert Author.objects.filter(name="Niki Parmar").count() == 1
    assert Institution.objects.count() == 2


def test_apply_paper_metadata_doi_is_lowercased() -> None:
    paper = PaperFactory(arxiv_id="1706.03762", doi=None)
    apply_paper_metadata(
        paper, _metadata(doi=" 10.48550/ARXIV.1706.03762 "), source=MetadataSource.ARXIV
    )
    assert Paper.objects.get(pk=paper.pk).doi == "10.48550/arxiv.1706.03762"


def test_apply_paper_metadata_doi_of_another_paper_is_not_taken_over() -> None:
    holder = PaperFactory(arxiv_id=None, doi="10.18653/v1/n19-1423")
    paper = PaperFactory(arxiv_id="1810.04805", doi=None)

    apply_paper_metadata(paper, _metadata(doi="10.18653/V1/N19-1423"), source=MetadataSource.ARXIV)

    assert Paper.objects.get(pk=paper.pk).doi is None
    assert Paper.objects.get(pk=holder.pk).doi == "10.18653/v1/n19-1423"
    # The two rows are one paper: an editor is asked to confirm it by merging them.
    found = PossibleDuplicate.objects.get()
    assert (found.paper, found.duplicate, found.identifier, found.source) == (
        paper,
        holder,
        "doi:10.18653/v1/n19-1423",
        MetadataSource.ARXIV,
    )


def test_apply_paper_metadata_fills_the_arxiv_id_the_source_names() -> None:
    paper = PaperFactory(arxiv_id=None, aminer_id="614407b25244ab9dcbd29c5c", doi=None)

    apply_paper_metadata(
        paper, _metadata(arxiv_id="2109.08133", doi="10.1/x"), source=MetadataSource.AMINER
    )

    paper.refresh_from_db()
    assert (paper.arxiv_id, paper.aminer_id, paper.doi) == (
        "2109.08133",
        "614407b25244ab9dcbd29c5c",
        "10.1/x",
    )
    assert not PossibleDuplicate.objects.exists()
    # Recommending the paper by its arXiv id now finds this row.
    assert get_or_create_paper(parse_identifier("https://arxiv.org/abs/2109.08133v1")) == (
        paper,
        False,
    )


def test_apply_paper_metadata_arxiv_id_of_another_row_records_a_possible_duplicate() -> None:
    holder = PaperFactory(arxiv_id="2109.08133")
    paper = PaperFactory(arxiv_id=None, aminer_id="614407b25244ab9dcbd29c5c")

    for _twice in range(2):
        apply_paper_metadata(paper, _metadata(arxiv_id="2109.08133"), source=MetadataSource.AMINER)

    assert Paper.objects.get(pk=paper.pk).arxiv_id is None
    assert Paper.objects.get(pk=holder.pk).arxiv_id == "2109.08133"
    assert list(PossibleDuplicate.objects.values_list("paper", "duplicate", "identifier")) == [
        (paper.pk, holder.pk, "arXiv:2109.08133")
    ]


def test_apply_paper_metadata_keeps_the_rows_own_different_arxiv_id() -> None:
    paper = PaperFactory(arxiv_id="2109.08133")

    apply_paper_metadata(paper, _metadata(arxiv_id="2109.09999"), source=MetadataSource.AMINER)

    assert Paper.objects.get(pk=paper.pk).arxiv_id == "2109.08133"
    assert not PossibleDuplicate.objects.exists()
    assert Paper.objects.get(pk=paper.pk).metadata_status == MetadataStatus.OK


def test_apply_paper_metadata_keeps_own_code_url_and_title_zh_when_absent() -> None:
    paper = PaperFactory(code_url="https://github.com/own/code", title_zh="注意力")
    apply_paper_metadata(paper, _metadata(), source=MetadataSource.ARXIV)
    paper.refresh_from_db()
    assert (paper.code_url, paper.title_zh) == ("https://github.com/own/code", "注意力")


def test_apply_paper_metadata_unknown_source_is_refused() -> None:
    paper = PaperFactory(pending=True)
    with pytest.raises(ValueError, match="Unknown metadata source 'scraped'"):
        apply_paper_metadata(paper, _metadata(), source="scraped")
    assert Paper.objects.get(pk=paper.pk).metadata_status == MetadataStatus.PENDING


def test_fill_missing_title_zh_only_when_empty() -> None:
    untitled, titled = PaperFactory(title_zh=""), PaperFactory(title_zh="已有")
    fill_missing_title_zh(untitled, "  新标题 ")
    fill_missing_title_zh(titled, "新标题")
    assert Paper.objects.get(pk=untitled.pk).title_zh == "新标题"
    assert Paper.objects.get(pk=titled.pk).title_zh == "已有"
