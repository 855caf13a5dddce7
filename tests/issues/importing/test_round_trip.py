"""The round trip: each of the demo's published issues exported as Markdown, imported into a
fresh publication, and exported again, gives the same Markdown."""

from __future__ import annotations

import datetime as dt
import difflib
import re

import pytest
from django.core.management import call_command

from issues import exports, selectors, services
from issues.enums import IssueStatus
from issues.models import Issue
from publications.models import Publication
from publications.selectors import style_of
from tests.examples import EXAMPLE, needs_example
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


def _institutions_of(line: str) -> str:
    """What a 标题 line (of the text) or ``###`` heading (of the export) names before its bar."""
    return re.split(r"\s*[|｜]", line.removeprefix("### ").split("标题", 1)[-1].lstrip(":："))[0]


@needs_example
def test_example_goes_out_and_comes_back_the_same_with_its_et_al(publication: Publication) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    issue = services.import_issue_text(publication, text, number=7, date=dt.date(2021, 10, 24))
    sent = exports.issue_markdown(issue.issue, selectors.issue_contents(issue.issue))

    fresh = PublicationFactory(name=publication.name, name_zh=publication.name_zh)
    back = services.import_issue_text(fresh, sent, source="issue 7.md").issue
    returned = exports.issue_markdown(back, selectors.issue_contents(back))

    diff = difflib.unified_diff(sent.split("\n"), returned.split("\n"), lineterm="")
    assert returned == sent, "\n".join(diff)
    # The text's line 20 ends its institutions with 等, and so do both exports.
    line_20 = text.split("\n")[19]
    assert _institutions_of(line_20) == "柏林工业大学、柏林洪堡大学、塔尔图大学等"
    headings = [line for line in sent.split("\n") if line.startswith("### ")]
    assert _institutions_of(headings[1]) == _institutions_of(line_20)
    assert [bool(e.shown_institutions_more) for e in back.entries.order_by("position")][:3] == [
        False,
        True,
        False,
    ]


def test_a_short_list_cut_with_et_al_goes_out_and_comes_back(publication: Publication) -> None:
    text = (
        "虚构的标题\n\n某某周刊\n\n论文推荐\n\n"
        "标题：示例大学等 | A Made-up Title（一个虚构的标题）\n作者：Ada Lovelace\n"
        "简介：一段虚构的简介。\n论文地址：https://arxiv.org/abs/2109.08133\n\n"
        "标题：示例大学、另一所大学 | Another Title（另一个标题）\n作者：Alan Turing\n"
        "简介：另一段简介。\n论文地址：https://arxiv.org/abs/2109.08134\n"
    )
    issue = services.import_issue_text(publication, text, number=3, date=dt.date(2021, 1, 1))
    sent = exports.issue_markdown(issue.issue, selectors.issue_contents(issue.issue))
    assert "### 示例大学等 | A Made-up Title（一个虚构的标题）" in sent
    assert "### 示例大学、另一所大学 | Another Title（另一个标题）" in sent

    fresh = PublicationFactory(name=publication.name, name_zh=publication.name_zh)
    back = services.import_issue_text(fresh, sent).issue
    assert exports.issue_markdown(back, selectors.issue_contents(back)) == sent
