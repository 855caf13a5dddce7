"""The editor's import page (pasted text → dry run beside the text → import on confirmation)
and the page of credited names (a member claims, an editor confirms)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from issues.models import CreditedName, Issue
from publications.models import Publication
from tests.examples import EXAMPLE, needs_example

pytestmark = pytest.mark.django_db


def _url(publication: Publication) -> str:
    return reverse("editor:issue-import", kwargs={"slug": publication.slug})


def _post(client: Client, publication: Publication, **data: Any) -> Any:
    data.setdefault("text", EXAMPLE.read_text(encoding="utf-8"))
    data.setdefault("number", "7")
    data.setdefault("date", "2021-10-24")
    return client.post(_url(publication), data)


@needs_example
def test_import_page_is_for_the_publications_editors(
    client: Client, publication: Publication, contributor: Any
) -> None:
    client.force_login(contributor)
    assert client.get(_url(publication)).status_code == 403
    assert _post(client, publication, confirm="1").status_code == 403
    assert not Issue.objects.exists()


@needs_example
def test_import_page_shows_the_dry_run_beside_the_text_and_writes_nothing(
    client: Client, publication: Publication, editor: Any
) -> None:
    client.force_login(editor)
    response = _post(client, publication, preview="1")

    assert response.status_code == 200
    plan = response.context["plan"]
    assert len(plan.parsed.entries) == 14
    assert [d.text for d in plan.doubts] == [
        "https://www.aminer.cn/pub/616d31ee6750f82ddab676a?f=cs"
    ]
    lines = response.context["lines"]
    assert len(lines) == len(EXAMPLE.read_text(encoding="utf-8").split("\n"))
    assert [line["number"] for line in lines if line["doubt"]] == [plan.doubts[0].line]
    assert 'name="confirm"' in response.content.decode()
    assert not Issue.objects.exists()


@needs_example
def test_import_page_imports_on_confirmation_once(
    client: Client, publication: Publication, editor: Any
) -> None:
    client.force_login(editor)
    response = _post(client, publication, confirm="1")

    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == issue.get_absolute_url()
    assert issue.entries.count() == 14
    again = _post(client, publication, confirm="1")
    assert again["Location"] == issue.get_absolute_url()
    assert Issue.objects.count() == 1
    page = client.get(issue.get_absolute_url()).content.decode()
    assert page.count('class="entry"') == 14
    assert "申德周" in page


@needs_example
def test_import_page_says_why_it_cannot_import(
    client: Client, publication: Publication, editor: Any
) -> None:
    client.force_login(editor)
    response = _post(client, publication, confirm="1", number="", date="")

    assert response.status_code == 200
    assert len(response.context["plan"].errors) == 2
    assert 'name="confirm"' not in response.content.decode()
    assert not Issue.objects.exists()


@needs_example
def test_import_page_needs_csrf(publication: Publication, editor: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert _post(client, publication, confirm="1").status_code == 403
    assert not Issue.objects.exists()


@needs_example
def test_credited_names_claimed_then_confirmed(
    client: Client, publication: Publication, editor: Any, contributor: Any
) -> None:
    editor_client = Client()
    editor_client.force_login(editor)
    _post(editor_client, publication, confirm="1")
    credited = CreditedName.objects.get(name="翟珂")
    url = reverse("issues:credited-names", kwargs={"slug": publication.slug})

    client.force_login(contributor)
    assert "翟珂" in client.get(url).content.decode()
    client.post(url, {"name": credited.pk, "action": "claim"})
    assert client.post(url, {"name": credited.pk, "action": "confirm"}).status_code == 403
    editor_client.post(url, {"name": credited.pk, "action": "confirm"})

    credited.refresh_from_db()
    assert credited.member == contributor
    member_page = client.get(
        reverse("issues:contributors-detail", kwargs={"username": contributor.username})
    )
    assert member_page.context["history"].total == 14


@needs_example
def test_admin_shows_an_imported_entry_cut_short(
    admin_client: Client, publication: Publication, editor: Any
) -> None:
    editor_client = Client()
    editor_client.force_login(editor)
    _post(editor_client, publication, confirm="1")
    entry = Issue.objects.get().entries.get(position=2)

    page = admin_client.get(reverse("admin:issues_issueentry_change", args=[entry.pk]))

    assert entry.shown_institutions_more
    assert "<label>Institutions cut short:</label>" in page.content.decode()


def _text_institutions(text: str) -> list[str]:
    """The institutions of each 标题 line of a text, before its bar, their separators (、 , ，)
    written as the site writes them (、)."""
    lines = [line for line in text.split("\n") if re.match(r"标题\s*[:：]", line)]
    heads = [re.split(r"[|｜]", re.sub(r"^标题\s*[:：]", "", line))[0].strip() for line in lines]
    return [re.sub(r"\s*[、，,]\s*", "、", head) for head in heads]


@needs_example
def test_imported_example_page_shows_each_institutions_line_as_the_text(
    client: Client, publication: Publication, editor: Any
) -> None:
    editor_client = Client()
    editor_client.force_login(editor)
    _post(editor_client, publication, confirm="1")
    issue = Issue.objects.get()

    with translation.override("zh-hans"):
        page = client.get(issue.get_absolute_url()).content.decode()

    shown = [html.unescape(s) for s in re.findall(r'<p class="institutions">(.*?)</p>', page)]
    expected = _text_institutions(EXAMPLE.read_text(encoding="utf-8"))
    assert len(expected) == 14
    assert shown == expected
    assert expected[1] == "柏林工业大学、柏林洪堡大学、塔尔图大学等"
    assert expected[6].startswith("北京大学、")
