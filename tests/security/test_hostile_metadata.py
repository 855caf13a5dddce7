"""Metadata from arXiv and AMiner is outside input too: texts longer than the catalogue's
columns, control characters and links that are no web addresses are stored safely (cut, dropped)
and never break the fetch; and the fixes hostile input led to elsewhere, each shown alone."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from issues.exports import md_block
from newsletter.models import Subscriber
from papers.clients.aminer import AminerClient
from papers.clients.arxiv import ArxivClient, parse_feed
from papers.enums import MetadataStatus
from papers.services import fetch_metadata
from tests.factories import PaperFactory, PublicationFactory
from tests.security.test_escaping import AMINER_ID, ARXIV_ID, aminer_detail, arxiv_feed

pytestmark = pytest.mark.django_db

LONG = "x" * 3000


def _arxiv(body: bytes) -> ArxivClient:
    return ArxivClient(
        "https://arxiv.test/api/query",
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)),
    )


def _aminer(body: bytes) -> AminerClient:
    return AminerClient(
        "https://aminer.test/api",
        token="t",
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)),
    )


def _oversized_arxiv_feed() -> bytes:
    return (
        arxiv_feed("A title")
        .replace(b"<name>A title</name>", b"<name>" + b"N" * 1000 + b"</name>")
        .replace(
            b"<arxiv:affiliation>A title</arxiv:affiliation>",
            b"<arxiv:affiliation>" + b"I" * 1000 + b"</arxiv:affiliation>",
        )
        .replace(b'term="cs.CL"', b'term="' + b"c" * 600 + b'"')
        .replace(
            b"<arxiv:journal_ref>",
            b"<arxiv:journal_ref>" + b"J" * 2000,
        )
        .replace(b'href="javascript:alert(1)"', b'href="https://arxiv.org/pdf/' + b"p" * 600 + b'"')
    )


def test_oversized_arxiv_metadata_is_cut_to_the_catalogue(db: None) -> None:
    paper = PaperFactory(arxiv_id=ARXIV_ID, pending=True)
    fetch_metadata([paper.pk], arxiv_api=_arxiv(_oversized_arxiv_feed()))
    paper.refresh_from_db()
    assert paper.metadata_status == MetadataStatus.OK, paper.metadata_error
    assert len(paper.primary_category) <= 40
    assert len(paper.journal_ref) <= 500
    assert paper.pdf_url == ""  # a link longer than any arXiv makes is no link
    names = [a.author.name for a in paper.authorships.select_related("author")]
    assert names == ["N" * 300, "Ada Lovelace"]
    assert [pi.institution.name for pi in paper.paper_institutions.all()] == ["I" * 300]


def test_oversized_aminer_metadata_is_cut_to_the_catalogue(db: None) -> None:
    paper = PaperFactory(arxiv_id=None, aminer_id=AMINER_ID, pending=True)
    record = json.loads(aminer_detail("A title"))
    record["data"].update(
        title_zh="长" * 2000,
        venue={"raw": "V" * 2000},
        authors=[{"name": "N" * 500, "org": "O" * 2000}],
        pdf="https://example.org/" + "p" * 1900,
    )
    fetch_metadata([paper.pk], aminer_api=_aminer(json.dumps(record).encode()))
    paper.refresh_from_db()
    assert paper.metadata_status == MetadataStatus.OK, paper.metadata_error
    assert paper.title_zh == "长" * 500
    assert len(paper.journal_ref) <= 500
    assert paper.pdf_url == ""
    assert [a.author.name for a in paper.authorships.select_related("author")] == ["N" * 300]
    assert [pi.institution.name for pi in paper.paper_institutions.all()] == ["O" * 300]


def test_arxiv_links_that_are_no_web_address_are_dropped() -> None:
    (entry,) = parse_feed(arxiv_feed("javascript:alert(2)"))
    assert entry.pdf_url is None  # the feed's pdf link is javascript:alert(1)
    assert entry.abs_url.startswith("http")  # the alternate link was the payload


def test_paper_page_links_no_javascript_pdf_from_arxiv(db: None) -> None:
    paper = PaperFactory(arxiv_id=ARXIV_ID, pending=True)
    fetch_metadata([paper.pk], arxiv_api=_arxiv(arxiv_feed("A title")))
    page = Client().get(reverse("papers:paper-detail", args=[paper.pk])).content.decode()
    assert "javascript:" not in page
    assert f'href="https://arxiv.org/pdf/{ARXIV_ID}"' in page


@pytest.mark.parametrize(
    ("markdown_text", "expected"),
    [
        ("[click](javascript:alert(1))", "[click](#)"),
        ("[click](JaVaScRiPt:alert(1))", "[click](#)"),
        ("[click](javascript&#58;alert(1))", "[click](#)"),
        ("![x](data:image/svg+xml;base64,AAAA)", "![x](#)"),
        ("[x][1]\n\n[1]: vbscript:msgbox(1)", "[x][1]\n\n[1]: #"),
        ("[ok](https://example.org/a_(b))", "[ok](https://example.org/a_(b))"),
        ("[mail](mailto:a@example.org)", "[mail](mailto:a@example.org)"),
        ("[relative](/p/weekly/1/)", "[relative](/p/weekly/1/)"),
        ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
    ],
)
def test_markdown_export_keeps_no_link_that_runs_code(markdown_text: str, expected: str) -> None:
    assert md_block(markdown_text) == expected


def test_signup_with_a_next_that_is_no_url_goes_to_the_profile(db: None) -> None:
    response = Client().post(
        reverse("contributors:signup"),
        {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "display_name": "New Comer",
            "password1": "a long passphrase 9431",
            "password2": "a long passphrase 9431",
            "next": "0x7fffffff",  # no URL, and no view name either
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contributors:profile")


def test_a_form_over_the_size_limit_gets_a_page_saying_so(db: None, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post(reverse("contributors:login"), {"username": "x" * 2000})
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()


def test_the_subscription_trap_refuses_anything_with_its_message(db: None) -> None:
    publication = PublicationFactory()
    response = Client().post(
        reverse("newsletter:subscribe", args=[publication.slug]),
        {"email": "reader@example.org", "website": "\x00" + "x" * 500},
    )
    assert response.status_code == 400
    assert "This form looks filled in by a program." in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mail.outbox == []
