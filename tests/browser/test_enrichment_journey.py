"""A contributor recommends four papers known four ways, and each entry shows its institutions
in the community's Chinese short forms, none typed by hand (issue 18).

The papers: an arXiv id, an ACL Anthology link, an OpenReview forum link and a journal DOI,
submitted through the recommend form. Their metadata comes from the local stand-ins (arXiv, the
Anthology's XML, OpenReview's note and its authors' profiles, OpenAlex's work for the DOI) and
their affiliations from OpenAlex, the institutions' other names from ROR; the tasks run
in-process, inside the requests. Each institution then has a Chinese short form from the
glossary (清华, 北大, 智谱), from ROR's zh label (洛桑大学), or from an editor who names the rest
in one click each on the page of institutions without one. The issue is published, and a reader
in Chinese finds every entry's institutions line as the seed writes it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from issues.services import assemble_issue, create_issue, publish_issue
from papers.enums import MetadataSource, MetadataStatus
from papers.models import Institution, InstitutionGlossaryChange, Paper
from publications.enums import TeamRole
from publications.services import create_publication, grant_role
from recommendations.enums import Verdict
from recommendations.models import Recommendation
from recommendations.services import review_recommendation
from tests.browser.helpers import arxiv_entry, login, use_language
from tests.factories import UserFactory
from tests.servers.enrichment import CHINESE_WORK, EnrichmentStandIn
from tests.servers.scholarly import (
    LOCAL_FIXTURES,
    Reply,
    ScholarlyStandIn,
    needs_recordings,
    recording,
)

pytestmark = [
    pytest.mark.browser,
    needs_recordings("openalex"),
    needs_recordings("acl_anthology"),
]

ARXIV_ID = "2401.00001"  # the documented-shape OpenAlex work with Chinese institutions
ACL_ID = "2022.naloma-1.3"
ACL_DOI = "10.18653/v1/2022.naloma-1.3"
ELIFE_DOI = "10.7554/elife.01567"

#: What the contributor pastes, and the paper each becomes.
SUBMITTED = {
    f"arXiv:{ARXIV_ID}": {"arxiv_id": ARXIV_ID},
    f"https://aclanthology.org/{ACL_ID}/": {"acl_id": ACL_ID},
    "https://openreview.net/forum?id=WeeklyDoc01": {"openreview_id": "WeeklyDoc01"},
    f"https://doi.org/{ELIFE_DOI}": {"doi": ELIFE_DOI},
}

#: The institutions no glossary entry, ROR label or AMiner name names, and what the editor
#: names them in one click.
NAMED_BY_THE_EDITOR = {
    "Ochanomizu University": "御茶水女子大学",
    "SIB Swiss Institute of Bioinformatics": "瑞士生物信息研究所",
    "Universidad Politécnica de Madrid": "马德里理工",
}

#: Each entry's institutions line as a reader in Chinese sees it, by the paper's title start.
EXPECTED_LINES = {
    "Attention Sinks in Chinese": "清华、北大、智谱",
    "Learning Knowledge with Neural DTS": "御茶水女子大学",
    "Sparse Mixtures of Adapters": "清华、马德里理工",
    "Automated quantitative histology": "洛桑大学、瑞士生物信息研究所",
}


def _acl_work() -> dict[str, Any]:
    """OpenAlex's work of the Anthology paper, in the documented shape (no recording exists):
    its three authors at Ochanomizu University, which has no ROR id here."""
    work = copy.deepcopy(json.loads(CHINESE_WORK.read_bytes())["results"][0])
    work["id"] = "https://openalex.org/W4390000003"
    work["doi"] = f"https://doi.org/{ACL_DOI}"
    work["ids"] = {"openalex": work["id"], "doi": work["doi"]}
    venue = {"display_name": "Natural Logic Meets Machine Learning", "type": "conference"}
    work["primary_location"] = {"landing_page_url": f"https://doi.org/{ACL_DOI}", "source": venue}
    work["best_oa_location"] = work["primary_location"]
    work["locations"] = [work["primary_location"]]
    ochanomizu = {
        "id": "https://openalex.org/I4390000301",
        "display_name": "Ochanomizu University",
        "ror": None,
        "country_code": "JP",
        "type": "education",
    }
    work["authorships"] = [
        {
            "author_position": position,
            "author": {"display_name": name},
            "institutions": [ochanomizu],
            "raw_affiliation_strings": ["Ochanomizu University, Tokyo, Japan"],
        }
        for position, name in zip(
            ("first", "middle", "last"),
            ("Daisuke Bekki", "Ribeka Tanaka", "Yuta Takahashi"),
            strict=True,
        )
    ]
    return work


#: The ROR record of the University of Lausanne in ROR's documented v2 shape, with a Chinese
#: label (no recording of it exists).
LAUSANNE_DOCUMENTED_SHAPE = {
    "id": "https://ror.org/019whta54",
    "names": [
        {"lang": "en", "types": ["ror_display", "label"], "value": "University of Lausanne"},
        {"lang": "fr", "types": ["label"], "value": "Université de Lausanne"},
        {"lang": "zh", "types": ["label"], "value": "洛桑大学"},
        {"lang": None, "types": ["acronym"], "value": "UNIL"},
    ],
    "locations": [{"geonames_details": {"country_code": "CH"}}],
    "types": ["education"],
    "status": "active",
}


@pytest.fixture
def sources(site: str, arxiv: Any, settings: Any) -> Iterator[EnrichmentStandIn]:
    arxiv.entries[ARXIV_ID] = arxiv_entry(
        ARXIV_ID,
        "Attention Sinks in Chinese Language Models",
        [("Wei Zhang", ""), ("Na Li", ""), ("Jie Tang", "")],
    )
    xml = recording("acl_anthology", "2022.naloma.xml__anthology-data-xml.xml").replace(
        b'<url hash="43adb187">2022.naloma-1.3</url>',
        b'<url hash="43adb187">2022.naloma-1.3</url><doi>' + ACL_DOI.encode() + b"</doi>",
    )
    openreview = LOCAL_FIXTURES / "openreview"
    routes = {
        "/acl/2022.naloma.xml": Reply(body=xml, content_type="application/xml"),
        "/openreview/notes?id=WeeklyDoc01": Reply(
            body=(openreview / "notes_id-WeeklyDoc01_documented-shape.json").read_bytes()
        ),
        "/openreview/profiles": Reply(
            body=(
                openreview / "profiles_ids-WeeklyDoc01-authors_documented-shape.json"
            ).read_bytes()
        ),
    }
    enrichment = EnrichmentStandIn()
    enrichment.works[ACL_DOI] = _acl_work()
    enrichment.organizations["019whta54"] = LAUSANNE_DOCUMENTED_SHAPE
    with ScholarlyStandIn(routes).running() as scholarly, enrichment.running():
        settings.ACL_ANTHOLOGY_DATA_URL = f"{scholarly.url}/acl"
        settings.OPENREVIEW_API_URL = f"{scholarly.url}/openreview"
        settings.CROSSREF_API_URL = f"{scholarly.url}/crossref"
        settings.OPENALEX_API_URL = enrichment.openalex_url
        settings.ROR_API_URL = enrichment.ror_url
        yield enrichment


def test_four_identifiers_end_with_chinese_institution_lines(
    page: Any, open_page: Any, sources: EnrichmentStandIn
) -> None:
    publication = create_publication(
        slug="affiliations-weekly", name="Affiliations Weekly", name_zh="机构周刊"
    )
    contributor = UserFactory(username="affiliations-contributor")
    editor = UserFactory(username="affiliations-editor")
    grant_role(editor, role=TeamRole.EDITOR, publication=publication)
    institutions_before = Institution.objects.count()

    # --- the contributor recommends the four papers through the form -----------------------
    login(page, contributor)
    create = reverse("recommendations:paper-create")
    for identifier in SUBMITTED:
        page.goto(create)
        form = page.locator("main form.submission-form")
        form.locator('[name="identifier"]').fill(identifier)
        form.locator('[name="summary"]').fill(f"Worth reading: {identifier}.")
        with page.expect_navigation():
            form.locator('button[name="action"][value="submit"]').click()
        assert page.locator(".messages li.success").count() == 1, identifier

    papers = {key: Paper.objects.get(**lookup) for key, lookup in SUBMITTED.items()}
    for identifier, paper in papers.items():
        assert (paper.metadata_status, paper.metadata_error) == (MetadataStatus.OK, ""), identifier
    assert papers[f"https://doi.org/{ELIFE_DOI}"].metadata_source == MetadataSource.OPENALEX
    assert sources.count("ror") >= 2  # Tsinghua's and Lausanne's records were read

    # --- an editor names, in one click each, those without a Chinese short form -------------
    editor_page = open_page()
    login(editor_page, editor)
    use_language(editor_page, "zh-hans")
    unnamed = reverse("editor:institutions-unnamed")
    editor_page.goto(unnamed)
    listed = editor_page.locator("table.institutions-unnamed tbody th[scope=row]")
    # Each by its name, with a link to its ROR record where it has one.
    assert sorted(t.removesuffix(" ROR") for t in listed.all_inner_texts()) == sorted(
        NAMED_BY_THE_EDITOR
    )
    for name, short_zh in NAMED_BY_THE_EDITOR.items():
        row = editor_page.locator("table.institutions-unnamed tr", has_text=name)
        row.locator('[name="short_zh"]').fill(short_zh)
        with editor_page.expect_navigation():
            row.locator('button[type="submit"]').click()
    assert editor_page.locator("table.institutions-unnamed tbody th[scope=row]").count() == 0
    assert InstitutionGlossaryChange.objects.filter(changed_by=editor).count() == 3

    # Nobody typed an institution: each is a row the sources named, stored once.
    assert institutions_before == 0
    assert sorted(Institution.objects.values_list("name", "ror_id")) == [
        ("Ochanomizu University", None),
        ("Peking University", "02v51f717"),
        ("SIB Swiss Institute of Bioinformatics", "002n09z45"),
        ("Tsinghua University", "03cve4549"),
        ("Universidad Politécnica de Madrid", None),
        ("University of Lausanne", "019whta54"),
        ("Zhipu AI", None),
    ]

    # --- approved, assembled, published; a reader in Chinese reads the lines ----------------
    for recommendation in Recommendation.objects.filter(publication=publication):
        review_recommendation(recommendation, by=editor, verdict=Verdict.APPROVE)
    issue = create_issue(publication, by=editor, title="Four ways to cite a paper")
    assemble_issue(issue, by=editor)
    issue = publish_issue(issue, by=editor)

    reader = open_page(locale="zh-CN")
    use_language(reader, "zh-hans")
    with translation.override("zh-hans"):
        reader.goto(issue.get_absolute_url())
    lines = {}
    for entry in reader.locator("main article").all():
        title = entry.locator("h3, h2").first.inner_text()
        start = next((s for s in EXPECTED_LINES if s in title), None)
        if start is not None:
            lines[start] = entry.locator(".institutions").inner_text().strip()
    assert lines == EXPECTED_LINES
