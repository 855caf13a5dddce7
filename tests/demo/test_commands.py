"""The demo's command: seed_demo builds the demo site through the services, once."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from demo import content
from issues.enums import IssueStatus
from issues.models import Issue, IssueTransition
from papers.enums import MetadataStatus
from papers.models import Paper
from publications.models import Membership, Publication
from recommendations.enums import RecommendationStatus
from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_seed_demo_builds_issues_queue_and_users(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo")
    publication = Publication.objects.get(slug="pretraining-weekly")
    published = Issue.objects.filter(publication=publication, status=IssueStatus.PUBLISHED)
    assert sorted(published.values_list("number", flat=True)) == [1, 2]
    assert Issue.objects.filter(status=IssueStatus.DRAFT).count() == 1
    statuses = set(Recommendation.objects.values_list("status", flat=True))
    assert {
        RecommendationStatus.PUBLISHED,
        RecommendationStatus.SUBMITTED,
        RecommendationStatus.CHANGES_REQUESTED,
        RecommendationStatus.SCHEDULED,
    } <= statuses
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"editor": "editor", "reviewer": "reviewer"}
    assert get_user_model().objects.get(username="admin").is_superuser
    assert not Paper.objects.exclude(metadata_status=MetadataStatus.OK).exists()
    # Every recommendation went through the services, so each has its audit trail.
    assert not Recommendation.objects.filter(transitions__isnull=True).exists()
    assert IssueTransition.objects.filter(action="publish").count() == 2
    # Real abstracts on every paper page, and a weekly's archive: a week between the issues.
    assert not Paper.objects.filter(abstract="").exists()
    first, second = published.order_by("number")
    assert second.published_at - first.published_at == dt.timedelta(days=7)
    assert first.transitions.get(action="publish").created_at == first.published_at


def test_seed_demo_ends_with_the_address_the_login_page_and_the_logins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("seed_demo", "--site-url", "http://127.0.0.1:8123")
    out = capsys.readouterr().out
    lines = out.rstrip().splitlines()
    assert "The site:  http://127.0.0.1:8123/" in lines
    assert "Log in at: http://127.0.0.1:8123/en/accounts/login/" in lines
    assert "/admin/ with any" not in out  # four of the six may not use the admin site
    for username, role in [
        ("admin", "administrator"),
        ("editor", "editor of Pretraining Weekly"),
        ("reviewer", "reviewer of Pretraining Weekly"),
        ("contributor", "member"),
        ("wang", "member"),
        ("li", "member"),
    ]:
        assert any(line.split()[0] == username and role in line for line in lines if line), username
    # Each one logs in on that page with the password printed.
    client = Client()
    for username, *_ in content.USERS:
        response = client.post(
            "/en/accounts/login/", {"username": username, "password": content.DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        client.logout()


def test_seed_demo_writes_its_mails_to_files_not_the_terminal(
    settings: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """As under `make run`: the file backend in var/mail, said once in the welcome lines."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Subject:" not in out
    assert f"Mails are not sent: they are written to {tmp_path}." in out
    assert any(path.read_text() for path in tmp_path.iterdir())  # the notices were written


def test_make_run_sends_the_demo_mails_to_var_mail() -> None:
    done = subprocess.run(
        ["make", "-n", "run", "PORT=8123"],  # noqa: S607 (make from the PATH, as a developer runs it)
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    commands = done.stdout.splitlines()
    seed = next(line for line in commands if "seed_demo" in line)
    serve = next(line for line in commands if "runserver" in line)
    for line in (seed, serve):
        assert f"EMAIL_URL=filemail:///{ROOT}/var/mail " in line
    assert seed.endswith("seed_demo --if-empty --site-url http://127.0.0.1:8123")


def test_seed_demo_twice_is_refused_and_if_empty_shows_the_logins_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("seed_demo")
    count = Recommendation.objects.count()
    with pytest.raises(CommandError, match="exists already"):
        call_command("seed_demo")
    capsys.readouterr()
    call_command("seed_demo", "--if-empty")
    assert Recommendation.objects.count() == count
    out = capsys.readouterr().out
    assert "no demo added" in out
    assert "Log in at: http://127.0.0.1:8000/en/accounts/login/" in out


def test_seed_demo_fills_the_inbox_with_ranked_candidates() -> None:
    from inbox.models import Candidate, CandidateTransition, Watch

    call_command("seed_demo")
    publication = Publication.objects.get(slug="pretraining-weekly")
    watch = Watch.objects.get(publication=publication)
    assert watch.search_query() == "(cat:cs.CL OR cat:cs.LG) AND (abs:pretrain* OR abs:scaling)"
    candidates = list(Candidate.objects.filter(publication=publication).select_related("paper"))
    assert len(candidates) == len(content.INBOX_PAPERS) == 28
    assert (watch.last_found, watch.last_kept) == (28, 28)
    states = sorted(c.state for c in candidates)
    assert states.count("claimed") == 3
    assert states.count("dismissed") == 1
    assert states.count("new") == 24
    # Ranked against the two issues: the papers on pretraining above those on galaxies,
    # proteins, robots and graphs.
    ranked = sorted(candidates, key=lambda c: -c.score)
    elsewhere = {title for title, _abstract in content._INBOX_ELSEWHERE}
    assert {c.paper.title for c in ranked[-4:]} == elsewhere
    assert ranked[0].score > 0.1
    assert CandidateTransition.objects.filter(candidate__publication=publication).count() == 4
    # None of the made-up papers is one of the demo's real ones.
    assert not set(content.INBOX_PAPERS) & set(content.PAPERS)
