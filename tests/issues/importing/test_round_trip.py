"""The round trip: each of the demo's published issues exported as Markdown, imported into a
fresh publication, and exported again, gives the same Markdown."""

from __future__ import annotations

import difflib

import pytest
from django.core.management import call_command

from issues import exports, selectors, services
from issues.enums import IssueStatus
from issues.models import Issue
from publications.models import Publication
from publications.selectors import style_of
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db


def test_demo_issues_go_out_and_come_back_the_same() -> None:
    call_command("seed_demo", verbosity=0)
    demo = Publication.objects.get(slug="pretraining-weekly")
    fresh = PublicationFactory(name=demo.name, name_zh=demo.name_zh, slug="back-again")
    style = style_of(demo)
    published = Issue.objects.filter(publication=demo, status=IssueStatus.PUBLISHED)
    assert published.count() >= 2
    for issue in published.order_by("number"):
        contents = selectors.issue_contents(issue)
        sent = exports.issue_markdown(issue, contents, style=style)

        outcome = services.import_issue_text(fresh, sent, source=f"issue {issue.number}.md")

        back = outcome.issue
        assert outcome.created
        assert (back.number, back.published_at.date()) == (
            issue.number,
            issue.published_at.date(),
        )
        assert (back.title, back.credits) == (issue.title, issue.credits)
        assert len(selectors.issue_contents(back)) == len(contents)
        returned = exports.issue_markdown(back, selectors.issue_contents(back), style=style)
        diff = difflib.unified_diff(sent.split("\n"), returned.split("\n"), lineterm="")
        assert returned == sent, "\n".join(diff)
        assert not outcome.plan.doubts
