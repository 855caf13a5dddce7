"""The editor's desk in a real browser (issue 25): an editor sets the publication's author style
and uploads a QR code for the closing block on the settings page, polishes an entry's summary
in the issue builder before publishing (its live preview in the entry's own box), publishes,
and the Markdown export shows all three.

The other parts of the desk have their own browser tests: reordering fourteen entries
(``test_builder_reorder.py``) and merging a duplicate paper (``test_paper_merge.py``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.enums import IssueStatus
from issues.models import Issue
from issues.services import create_issue, schedule_recommendation
from publications.enums import TeamRole
from publications.models import PublicationStyle, PublicationUpload
from publications.services import create_publication, grant_role, upload_publication_image
from recommendations.enums import RecommendationAction, RecommendationStatus
from recommendations.models import Transition
from tests.browser.helpers import login
from tests.factories import PaperFactory, RecommendationFactory, UserFactory
from tests.factories.publications import png_bytes

pytestmark = pytest.mark.browser

AUTHORS = ["Jinhyuk Lee", "Alexander Wettig", "Danqi Chen", "Kenton Lee"]
POLISHED = "短语检索模型也能学到段落检索：无需再训练。"


def test_an_editor_styles_polishes_and_publishes_an_issue(
    page: Any, site: str, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    publication = create_publication(slug="desk-weekly", name="Desk Weekly", name_zh="编辑周刊")
    editor = UserFactory(username="desk-editor", display_name="Editor Lin")
    grant_role(editor, role=TeamRole.EDITOR, publication=publication)
    issue = create_issue(publication, by=editor, title="Phrase retrieval")
    recommendation = RecommendationFactory(
        publication=publication,
        paper=PaperFactory(
            arxiv_id="2109.08133",
            title="Phrase Retrieval Learns Passage Retrieval, Too",
            authors=AUTHORS,
        ),
        summary="A first draft of the summary.",
        status=RecommendationStatus.ACCEPTED,
        decided_at=timezone.now(),
    )
    schedule_recommendation(recommendation, issue=issue, by=editor)
    qr_code = tmp_path / "qr.png"
    qr_code.write_bytes(png_bytes(8, 8))
    login(page, editor)

    # --- the settings page: two authors then " 等", and a QR code for the closing block --------
    page.goto(reverse("publications:settings", args=[publication.slug]))
    page.locator('#upload-form input[name="file"]').set_input_files(str(qr_code))
    page.locator("#upload-form button[type=submit]").click()
    page.locator(".uploads code").first.wait_for()
    upload = PublicationUpload.objects.get(publication=publication)
    address = page.locator(f"#upload-{upload.pk} code").inner_text()
    assert address.endswith(f"/media/publications/{upload.token}.png")

    page.locator('select[name="author_style"]').select_option("first")
    page.fill('input[name="authors_shown"]', "2")
    page.fill('input[name="authors_more"]', " 等")
    page.fill('textarea[name="closing"]', f"扫码加入社区：\n\n![二维码]({address})")
    page.locator('form[action$="/settings/"] button[type=submit]').click()
    page.locator(".messages").wait_for()
    style = PublicationStyle.objects.get(publication=publication)
    assert (style.authors_shown, style.authors_more) == (2, " 等")

    # --- the builder: the summary polished in place, before publishing -------------------------
    page.goto(reverse("editor:issue-builder", args=[issue.pk]))
    entry = page.locator(f'li.builder-entry[data-entry="{issue.entries.get().pk}"]')
    entry.locator("details.revise summary").click()
    summary = entry.locator(f'textarea[name="entry-{recommendation.pk}-summary"]')
    summary.fill(POLISHED)
    summary.press("End")  # a key let go: the live preview of this entry's own box follows
    preview = page.locator(f"#entry-{recommendation.pk}-summary-preview .summary")
    preview.filter(has_text=POLISHED).wait_for()
    entry.locator("form.revise-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"#entry-\d+$"))
    assert POLISHED in page.locator(f"#entry-{issue.entries.get().pk} .summary").inner_text()
    revision = Transition.objects.get(
        recommendation=recommendation, action=RecommendationAction.REVISE
    )
    assert revision.actor == editor

    # --- publishing, and the export ----------------------------------------------------------
    publish = reverse("editor:issue-publish", args=[issue.pk])
    page.goto(publish)
    page.locator(f'main form[action="{publish}"] button[type="submit"]').click()
    page.wait_for_url(f"**{reverse('issues:issue-detail', args=[publication.slug, 1])}")
    issue = Issue.objects.get(pk=issue.pk)
    assert (issue.status, issue.number) == (IssueStatus.PUBLISHED, 1)

    export = page.request.get(
        reverse("issues:issue-export", args=[publication.slug, 1, "md"])
    ).text()
    assert POLISHED in export
    assert "Jinhyuk Lee, Alexander Wettig 等" in export
    assert "Danqi Chen" not in export
    assert f"![二维码]({address})" in export


def test_removing_an_image_looks_destructive_and_asks_first(
    page: Any, site: str, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    publication = create_publication(slug="desk-weekly", name="Desk Weekly", name_zh="编辑周刊")
    editor = UserFactory(username="desk-editor")
    grant_role(editor, role=TeamRole.EDITOR, publication=publication)
    upload = upload_publication_image(publication, by=editor, data=png_bytes(), name="qr.png")
    login(page, editor)
    page.goto(reverse("publications:settings", args=[publication.slug]))

    remove = page.locator(f"#upload-{upload.pk} details.confirm > summary")
    save = page.locator("#upload-form button[type=submit]")
    colour = "e => getComputedStyle(e).color"
    assert remove.evaluate(colour) != save.evaluate(colour)
    assert remove.evaluate("e => getComputedStyle(e).backgroundColor") != save.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )

    yes = page.locator(f"#upload-{upload.pk} details.confirm button.danger")
    assert not yes.is_visible()  # one click opens the question, nothing is sent
    remove.click()
    assert yes.is_visible()
    assert PublicationUpload.objects.filter(pk=upload.pk).exists()
    yes.click()
    page.locator(".messages").wait_for()
    assert not PublicationUpload.objects.filter(pk=upload.pk).exists()
