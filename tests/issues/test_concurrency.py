"""Races between real concurrent transactions (PostgreSQL: SQLite serialises all writers)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from common.exceptions import Conflict
from issues.models import Issue
from issues.services import publish_issue
from papers.identifiers import parse_identifier
from papers.models import Paper
from papers.services import get_or_create_paper
from publications.models import Publication
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation, Transition
from recommendations.services import withdraw_recommendation
from tests.factories import IssueEntryFactory, IssueFactory, RecommendationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(work: Callable[[int], Any], count: int) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(i)`` in ``count`` threads released at once; their results and errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work(index))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_publish_issue_concurrent_issues_get_consecutive_numbers(
    publication: Publication, editor: Any
) -> None:
    issues = [IssueFactory(publication=publication) for _ in range(4)]
    for issue in issues:
        IssueEntryFactory(issue=issue)

    def publish(index: int) -> int | None:
        by = get_user_model().objects.get(pk=editor.pk)
        return publish_issue(Issue.objects.get(pk=issues[index].pk), by=by).number

    numbers, errors = _race(publish, 4)

    assert errors == []
    assert sorted(numbers) == [1, 2, 3, 4]
    assert sorted(Issue.objects.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_withdraw_recommendation_double_click_one_wins(
    publication: Publication, contributor: Any
) -> None:
    recommendation = RecommendationFactory(publication=publication, submitter=contributor)
    # Both requests load the recommendation before either writes, as with a double click.
    copies = [Recommendation.objects.get(pk=recommendation.pk) for _ in range(2)]
    members = [get_user_model().objects.get(pk=contributor.pk) for _ in range(2)]

    def withdraw(index: int) -> str:
        return withdraw_recommendation(copies[index], by=members[index]).status

    results, errors = _race(withdraw, 2)

    assert results == [RecommendationStatus.WITHDRAWN]
    assert [type(error) for error in errors] == [Conflict]
    assert Transition.objects.filter(recommendation=recommendation).count() == 1


def test_get_or_create_paper_concurrent_submissions_make_one_row() -> None:
    identifier = parse_identifier("2109.08133")
    results, errors = _race(lambda _index: get_or_create_paper(identifier), 6)
    assert errors == []
    assert len({paper.pk for paper, _created in results}) == 1
    assert sorted(created for _paper, created in results) == [False] * 5 + [True]
    assert Paper.objects.count() == 1
