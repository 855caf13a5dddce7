"""Build, offline, a demo publication with published issues, a queue and one user per role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.shortcuts import resolve_url
from django.utils import timezone

from demo import content
from inbox import services as inbox_services
from inbox.models import Candidate, Watch
from inbox.ranking import Profile
from inbox.selectors import featured_papers
from issues.enums import IssueAction
from issues.models import Issue, IssueTransition
from issues.services import assemble_issue, create_issue, publish_issue
from papers.enums import MetadataSource
from papers.identifiers import parse_identifier
from papers.services import apply_paper_metadata, get_or_create_paper
from publications.enums import TeamRole
from publications.models import Publication, Topic
from publications.services import create_publication, grant_role
from recommendations.enums import RecommendationKind, Verdict
from recommendations.services import create_recommendation, review_recommendation

SLUG = "pretraining-weekly"


class Command(BaseCommand):
    help = "Create a demo publication (Pretraining Weekly) with issues, a review queue and users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Add nothing when any publication exists already (the logins are still shown).",
        )
        parser.add_argument(
            "--site-url",
            default=None,
            help="The address the site is served at, to print (default: SITE_URL).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site = (options["site_url"] or settings.SITE_URL).rstrip("/")
        if Publication.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database has content already; no demo added.")
                if Publication.objects.filter(slug=SLUG).exists():
                    self._welcome(site)
                return
            if Publication.objects.filter(slug=SLUG).exists():
                raise CommandError(f"The demo publication {SLUG!r} exists already.")
        with transaction.atomic():
            users = self._users()
            publication = self._publication(users)
            topics = self._topics(publication)
            self._papers()
            first = self._issue(publication, content.ISSUE_1, users, topics)
            second = self._issue(publication, content.ISSUE_2, users, topics)
            self._a_week_apart(first, second)
            self._pending(publication, users, topics)
            self._inbox(publication, users)
        self.stdout.write(self.style.SUCCESS(f"Demo publication {SLUG!r} is ready."))
        self._welcome(site)

    def _welcome(self, site: str) -> None:
        """Where the site is, where to log in and as whom: the last lines before it serves."""
        self.stdout.write("")
        self.stdout.write(f"The site:  {site}/")
        self.stdout.write(f"Log in at: {site}{resolve_url(settings.LOGIN_URL)}")
        self.stdout.write(f"as any of these, password {content.DEMO_PASSWORD!r}:")
        width = max(len(username) for username, *_ in content.USERS)
        for username, _name, _affiliation, role in content.USERS:
            self.stdout.write(f"  {username:<{width}}  {content.ROLES[role]}")
        self.stdout.write(f"The admin site ({site}/admin/) is for the admin and the editor.")
        if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
            self.stdout.write(
                f"Mails are not sent: they are written to {settings.EMAIL_FILE_PATH}."
            )
        self.stdout.write("")

    def _users(self) -> dict[str, Any]:
        user_model = get_user_model()
        users = {}
        for username, display_name, affiliation, role in content.USERS:
            user = user_model(
                username=username,
                email=f"{username}@example.org",
                display_name=display_name,
                affiliation=affiliation,
                is_staff=role in ("admin", "editor"),
                is_superuser=role == "admin",
            )
            user.set_password(content.DEMO_PASSWORD)
            user.save()
            users[username] = user
        return users

    def _publication(self, users: dict[str, Any]) -> Publication:
        publication = create_publication(
            slug=SLUG,
            name="Pretraining Weekly",
            name_zh="预训练周刊",
            description=(
                "A weekly digest of papers on pretrained models, written by its community. "
                "Recommend a paper you have read and liked; the reviewers and editors do the rest."
            ),
        )
        grant_role(users["editor"], role=TeamRole.EDITOR, publication=publication)
        grant_role(users["reviewer"], role=TeamRole.REVIEWER, publication=publication)
        return publication

    def _topics(self, publication: Publication) -> dict[str, Topic]:
        return {
            slug: Topic.objects.create(
                publication=publication, slug=slug, name_en=en, name_zh=zh, position=position
            )
            for position, (slug, en, zh) in enumerate(content.TOPICS, start=1)
        }

    def _papers(self) -> None:
        for arxiv_id, metadata in content.PAPERS.items():
            paper, _created = get_or_create_paper(parse_identifier(arxiv_id))
            apply_paper_metadata(paper, metadata, source=MetadataSource.MANUAL)

    def _recommend(
        self,
        publication: Publication,
        entry: Any,
        users: dict[str, Any],
        topics: dict[str, Topic],
        news_links: dict[str, str] | None = None,
    ) -> Any:
        arxiv_id, topic, submitter, title_zh, summary = entry
        if arxiv_id is None:
            return create_recommendation(
                by=users[submitter],
                publication=publication,
                kind=RecommendationKind.NEWS,
                news_title=title_zh,
                news_url=(news_links or {})[title_zh],
                summary=summary,
            )
        return create_recommendation(
            by=users[submitter],
            publication=publication,
            identifier=arxiv_id,
            topic=topics[topic],
            title_zh=title_zh,
            summary=summary,
        )

    def _issue(
        self, publication: Publication, spec: dict, users: dict[str, Any], topics: dict[str, Topic]
    ) -> Issue:
        editor, reviewer = users["editor"], users["reviewer"]
        issue = create_issue(publication, by=editor, title=spec["title"])
        recommendations = [
            self._recommend(publication, entry, users, topics, spec["news_links"])
            for entry in spec["entries"]
        ]
        for recommendation in recommendations:
            review_recommendation(
                recommendation, by=reviewer, verdict=Verdict.APPROVE, comment="写得清楚，通过。"
            )
        assemble_issue(issue, by=editor)
        return publish_issue(issue, by=editor)

    def _a_week_apart(self, first: Issue, second: Issue) -> None:
        """A weekly's archive: the first issue dated a week before the second.

        Publishing stamps the moment it runs, and the demo publishes both at once; only the
        demo moves a date back, with the audit row that records it.
        """
        week_before = second.published_at - dt.timedelta(days=7)
        Issue.objects.filter(pk=first.pk).update(published_at=week_before)
        IssueTransition.objects.filter(issue=first, action=IssueAction.PUBLISH).update(
            created_at=week_before
        )

    def _pending(
        self, publication: Publication, users: dict[str, Any], topics: dict[str, Topic]
    ) -> None:
        reviewer, editor = users["reviewer"], users["editor"]
        for *entry, fate in content.PENDING:
            recommendation = self._recommend(publication, entry, users, topics)
            if fate == "accepted":
                review_recommendation(recommendation, by=reviewer, verdict=Verdict.APPROVE)
            elif fate == "changes_requested":
                review_recommendation(
                    recommendation,
                    by=reviewer,
                    verdict=Verdict.REQUEST_CHANGES,
                    comment="请补充这篇论文与规模定律那篇工作的区别，再提交一次。",
                )
        draft = create_issue(publication, by=editor)
        assemble_issue(draft, by=editor)

    def _inbox(self, publication: Publication, users: dict[str, Any]) -> None:
        """The publication's watch and what it "found": the made-up papers of
        ``content.INBOX_PAPERS``, ranked against the two issues' papers as a poll ranks them,
        some claimed, one dismissed, a few with members' interest. No poll runs: the demo is
        offline."""
        editor = users["editor"]
        name, categories, query = content.INBOX_WATCH
        watch = inbox_services.save_watch(
            publication, by=editor, name=name, categories=categories, query=query
        )
        found = []
        for arxiv_id, metadata in content.INBOX_PAPERS.items():
            paper, _created = get_or_create_paper(parse_identifier(f"arXiv:{arxiv_id}"))
            found.append(apply_paper_metadata(paper, metadata, source=MetadataSource.MANUAL))
        featured = featured_papers(publication).order_by("-issue__published_at", "position")
        profile = Profile.build(
            f"{title}\n{abstract}"
            for title, abstract in featured.values_list("paper__title", "paper__abstract")
        )
        now = timezone.now()
        candidates = inbox_services.add_candidates(
            publication,
            [
                (paper, dt.datetime.combine(paper.published_on, dt.time(12), tzinfo=dt.UTC))
                for paper in found
            ],
            watch=watch,
            scores={paper.pk: profile.score(f"{paper.title}\n{paper.abstract}") for paper in found},
        )
        # Found over the last days, a poll a day, so that the order by date says something.
        for place, candidate in enumerate(candidates):
            Candidate.objects.filter(pk=candidate.pk).update(
                found_at=now - dt.timedelta(days=place % 4, hours=place)
            )
        Watch.objects.filter(pk=watch.pk).update(
            last_polled_at=now,
            newest_submitted_at=max(c.submitted_at for c in candidates),
            last_found=len(found),
            last_kept=len(candidates),
        )
        for place, username in content.INBOX_CLAIMS:
            inbox_services.claim_candidate(candidates[place], by=users[username])
        place, username, reason = content.INBOX_DISMISSED
        inbox_services.dismiss_candidate(candidates[place], by=users[username], reason=reason)
        for place, username in content.INBOX_INTEREST:
            inbox_services.mark_interest(candidates[place], by=users[username])
        inbox_services.subscribe_digest(users["wang"], publication)
