"""One row of an institution written in two ways that ROR's names tie together: 清华大学 (from
AMiner, without a ROR id) and Tsinghua University (with its ROR id, ROR's zh label 清华大学)."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from papers import selectors
from papers.clients.ror import RorClient
from papers.institutions import short_forms
from papers.models import Institution, PaperInstitution
from papers.services.enrichment import read_ror_records
from papers.services.institutions import (
    institutions_for_names,
    merge_institution,
    merge_into_ror_row,
)
from tests.factories import InstitutionFactory, PaperFactory
from tests.servers.enrichment import TSINGHUA

pytestmark = pytest.mark.django_db

TSINGHUA_NAMES = json.loads(TSINGHUA.read_bytes())["names"]


def _links(paper: Any) -> list[tuple[int, str]]:
    return list(
        PaperInstitution.objects.filter(paper=paper)
        .order_by("position")
        .values_list("position", "institution__name")
    )


def _tsinghua(**fields: Any) -> Institution:
    return InstitutionFactory(name="Tsinghua University", ror_id="03cve4549", **fields)


def test_the_chinese_row_merges_into_the_ror_row_with_its_papers_links(
    caplog: pytest.LogCaptureFixture,
) -> None:
    aminer_row = InstitutionFactory(name="清华大学")
    ror_row = _tsinghua(names=TSINGHUA_NAMES)
    both = PaperFactory(institutions=["清华大学", "Tsinghua University", "Peking University"])
    only_chinese = PaperFactory(institutions=["Stanford University", "清华大学"])
    caplog.set_level(logging.INFO, logger="papers.services")

    merged = merge_into_ror_row(ror_row)

    assert merged == [aminer_row.pk]
    assert not Institution.objects.filter(pk=aminer_row.pk).exists()
    assert Institution.objects.filter(name__in=["清华大学", "Tsinghua University"]).count() == 1
    # A paper linking both keeps one link, in the ROR row's place; the other paper's moves.
    assert _links(both) == [(2, "Tsinghua University"), (3, "Peking University")]
    assert _links(only_chinese) == [(1, "Stanford University"), (2, "Tsinghua University")]
    ror_row.refresh_from_db()
    assert ror_row.name_zh == "清华大学"  # kept, since the ROR row had none
    assert "Merged institution" in caplog.text
    assert "1 paper links moved, 1 already there" in caplog.text


def test_a_chinese_name_the_ror_row_has_already_is_not_overwritten() -> None:
    InstitutionFactory(name="清华大学")
    ror_row = _tsinghua(names=TSINGHUA_NAMES, name_zh="清华")

    merge_into_ror_row(ror_row)

    ror_row.refresh_from_db()
    assert ror_row.name_zh == "清华"
    assert not Institution.objects.filter(name="清华大学").exists()


def test_ror_names_arriving_merge_the_rows_and_the_glossary_still_resolves() -> None:
    """The real path: enrichment reads Tsinghua's ROR record (zh label 清华大学)."""
    aminer_row = InstitutionFactory(name="清华大学")
    paper = PaperFactory(institutions=["清华大学"])
    ror_row = _tsinghua()
    body = TSINGHUA.read_bytes()
    client = RorClient(
        "https://ror.example/v2",
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)),
    )

    outcome = read_ror_records([ror_row.pk], client=client)

    assert outcome.read == [ror_row.pk]
    assert not Institution.objects.filter(pk=aminer_row.pk).exists()
    assert _links(paper) == [(1, "Tsinghua University")]
    ror_row.refresh_from_db()
    # The shipped glossary's entry (清华 / Tsinghua) resolves the one row, by ROR id or name.
    forms = short_forms(ror_row, selectors.glossary())
    assert (forms.zh, forms.en, forms.zh_source) == ("清华", "Tsinghua", "glossary")
    # And 清华大学 typed or sent again is that row, no new one.
    assert institutions_for_names(["清华大学"]) == [ror_row]


def test_a_chinese_named_row_created_after_the_ror_row_is_merged_at_once() -> None:
    # Not in the glossary, and the ROR row's zh label is not its name_zh: only ROR's names
    # (stored as JSON) tie the two.
    ror_row = InstitutionFactory(
        name="Synthetic University 7",
        ror_id="0zz000707",
        names=[
            {"value": "Synthetic University 7", "lang": "en", "types": ["label"]},
            {"value": "合成大学七", "lang": "zh", "types": ["alias"]},
        ],
    )
    count = Institution.objects.count()

    rows = institutions_for_names(["合成大学七"])

    assert rows == [ror_row]
    assert Institution.objects.count() == count
    ror_row.refresh_from_db()
    assert ror_row.name_zh == "合成大学七"


def test_an_acronym_two_ror_rows_share_merges_nothing() -> None:
    ntu = InstitutionFactory(name="NTU")
    first = InstitutionFactory(
        name="Nanyang Technological University",
        ror_id="02e7b5302",
        names=[{"value": "NTU", "lang": None, "types": ["acronym"]}],
    )
    InstitutionFactory(
        name="National Taiwan University",
        ror_id="05bqach95",
        names=[{"value": "NTU", "lang": None, "types": ["acronym"]}],
    )

    assert merge_into_ror_row(first) == []
    assert Institution.objects.filter(pk=ntu.pk).exists()


def test_a_row_with_another_ror_id_is_never_merged() -> None:
    other = InstitutionFactory(name="清华大学", ror_id="0zz000101")
    ror_row = _tsinghua(names=TSINGHUA_NAMES)

    assert merge_into_ror_row(ror_row) == []
    with pytest.raises(ValueError, match="ROR id of its own"):
        merge_institution(other, into=ror_row)
    assert Institution.objects.filter(pk=other.pk).exists()
