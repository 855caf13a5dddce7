"""Past issues brought in from their published text, and the names they credit.

``import_issue`` writes what ``issues.importing.parser`` read: a published issue, marked imported
with its source, its entries frozen as the text showed them (no recommendation behind them), its
papers found or added in the catalogue by their links and queued for the metadata workers, its
institutions in Chinese as typed and in English through the glossary, and its contributors as
``CreditedName`` rows that members claim (``claim_credited_name``) and editors confirm
(``confirm_credited_name``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from common.exceptions import Conflict, InvalidInput, InvalidTransition
from issues import caching
from issues.enums import IssueAction, IssueStatus, Section
from issues.importing.parser import NEWS, Doubt, ParsedIssue, parse_issue
from issues.models import CreditedName, Issue, IssueEntry, IssueTransition
from papers import selectors as catalogue
from papers import services as paper_services
from papers.enums import MetadataStatus
from papers.institutions import freeze, shown_as_typed
from publications.models import Publication, Topic
from publications.permissions import require

#: Where a pasted text came from, as an imported issue records it.
PASTED = "pasted text"
_URL_MAX = 500
_TITLE_MAX = 300
_TITLE_ZH_MAX = 500
_CREDITS_MAX = 1000
_NAME_MAX = 100


@dataclass
class ImportPlan:
    """What an import would make of a text, before anything is written: the parsed issue, the
    number and date it takes, and the doubts of the text and of the site (a number taken)."""

    parsed: ParsedIssue
    number: int | None
    date: dt.date | None
    #: The issue this very text was imported as already, if it was.
    existing: Issue | None = None
    #: Why it cannot be imported as it is (no number, a number taken): nothing is written.
    errors: list[str] = field(default_factory=list)

    @property
    def doubts(self) -> list[Doubt]:
        return self.parsed.doubts


@dataclass(frozen=True)
class ImportOutcome:
    issue: Issue
    created: bool
    plan: ImportPlan


def plan_import(
    publication: Publication,
    text: str,
    *,
    number: int | None = None,
    date: dt.date | None = None,
) -> ImportPlan:
    """The dry run: what importing ``text`` into ``publication`` would make, and what stops it.
    Reads the issue of the same text and the issue of the same number (two queries); writes
    nothing."""
    parsed = parse_issue(text)
    plan = ImportPlan(parsed=parsed, number=parsed.number or number, date=parsed.date or date)
    plan.existing = Issue.objects.filter(
        publication=publication, source_sha256=parsed.digest
    ).first()
    if plan.existing is not None:
        return plan
    if parsed.number and number and parsed.number != number:
        plan.errors.append(
            gettext("The text says issue %(text)s, but issue %(given)s was asked for.")
            % {"text": parsed.number, "given": number}
        )
    if not plan.number:
        plan.errors.append(gettext("The text gives no issue number: give one."))
    elif Issue.objects.filter(publication=publication, number=plan.number).exists():
        plan.errors.append(
            gettext("Issue %(number)s of this publication exists already, from another text.")
            % {"number": plan.number}
        )
    if plan.date is None:
        plan.errors.append(gettext("The text gives no date: give the date it was published."))
    if not parsed.entries:
        plan.errors.append(gettext("No entry was found in this text."))
    return plan


def import_issue(
    publication: Publication,
    text: str,
    *,
    by: Any,
    number: int | None = None,
    date: dt.date | None = None,
    source: str = PASTED,
) -> ImportOutcome:
    """Import a past issue from its published text, as ``import_issue_text``, for an editor of
    the publication."""
    require(by, "issues.import_issue", publication)
    return import_issue_text(publication, text, actor=by, number=number, date=date, source=source)


def import_issue_text(
    publication: Publication,
    text: str,
    *,
    actor: Any = None,
    number: int | None = None,
    date: dt.date | None = None,
    source: str = PASTED,
) -> ImportOutcome:
    """Import ``text`` as a published issue of ``publication``; the same text a second time
    returns the issue it made the first time and changes nothing. ``actor`` is None for an
    operator's command.

    One transaction: the issue, its entries, its papers and credited names are written together
    or not at all. Publishing's signal is not sent: a past issue mails no subscriber and calls no
    webhook.

    Side effects: an Issue (published, numbered, marked imported), its entries (frozen copies),
    catalogue rows for the papers its links name (new ones queued for their metadata after
    commit), CreditedName rows for the names it credits, an audit row; the cached published
    pages retired (``caching``).
    """
    plan = plan_import(publication, text, number=number, date=date)
    if plan.existing is not None:
        return ImportOutcome(issue=plan.existing, created=False, plan=plan)
    if plan.errors:
        raise InvalidInput(" ".join(plan.errors), code="cannot_import")
    parsed = plan.parsed
    number, date = int(plan.number or 0), plan.date or timezone.now().date()
    try:
        with transaction.atomic():
            issue = Issue.objects.create(
                publication=publication,
                status=IssueStatus.PUBLISHED,
                number=number,
                published_at=dt.datetime.combine(date, dt.time(12), tzinfo=dt.UTC),
                title=_cut(parsed.title, _TITLE_MAX, plan),
                intro_zh=parsed.intro_zh,
                intro_en=parsed.intro_en,
                credits=_cut(parsed.credits, _CREDITS_MAX, plan),
                created_by=actor,
                source=(source or PASTED)[:300],
                source_sha256=parsed.digest,
            )
            IssueTransition.objects.create(
                issue=issue,
                actor=actor,
                action=IssueAction.IMPORT,
                from_status="",
                to_status=IssueStatus.PUBLISHED,
                note=f"Imported from {issue.source}",
            )
            _write_entries(issue, plan)
            issue.credited_names.set(_credited_names(publication, parsed.credited_names))
            caching.renew_published_version()
    except IntegrityError:
        # Another import of the same text, or of the same number, committed first.
        existing = Issue.objects.filter(
            publication=publication, source_sha256=parsed.digest
        ).first()
        if existing is not None:
            return ImportOutcome(issue=existing, created=False, plan=plan)
        raise Conflict(
            gettext("Issue %(number)s of this publication was made meanwhile.")
            % {"number": plan.number}
        ) from None
    return ImportOutcome(issue=issue, created=True, plan=plan)


def _cut(text: str, limit: int, plan: ImportPlan, line: int = 0) -> str:
    if len(text) <= limit:
        return text
    plan.parsed.doubts.append(
        Doubt(line, gettext("Cut to %(limit)s characters.") % {"limit": limit}, text[:80])
    )
    return text[:limit]


def _link(url: str, plan: ImportPlan, line: int) -> str:
    if len(url) <= _URL_MAX:
        return url
    plan.parsed.doubts.append(
        Doubt(line, gettext("This link is too long to keep; it is left out."), url[:80])
    )
    return ""


def _write_entries(issue: Issue, plan: ImportPlan) -> None:
    parsed = plan.parsed
    glossary = catalogue.glossary()
    topics = {
        t.name_zh: t
        for t in Topic.objects.filter(publication_id=issue.publication_id).exclude(name_zh="")
    }
    taken: set[int] = set()
    pending: list[int] = []
    rows = []
    positions = {Section.PAPERS: 0, Section.NEWS: 0}
    for entry in parsed.entries:
        section = Section.NEWS if entry.section == NEWS else Section.PAPERS
        positions[section] += 1
        paper = None
        if entry.identifier is not None:
            paper, _created = paper_services.get_or_create_paper(entry.identifier)
            if paper.pk in taken:
                parsed.doubts.append(
                    Doubt(
                        entry.line,
                        gettext("This paper is in the issue once already; this entry has none."),
                        entry.url,
                    )
                )
                paper = None
            else:
                taken.add(paper.pk)
                if paper.metadata_status == MetadataStatus.PENDING:
                    pending.append(paper.pk)
        # As the text typed them in Chinese; in English through the glossary.
        pairs = [
            (forms.zh, forms.en)
            for forms in (shown_as_typed(name, glossary) for name in entry.institutions)
        ]
        rows.append(
            IssueEntry(
                issue=issue,
                recommendation=None,
                paper=paper,
                section=section,
                position=positions[section],
                shown_title=entry.title,
                shown_title_zh=_cut(entry.title_zh, _TITLE_ZH_MAX, plan, entry.line),
                shown_authors=entry.authors,
                shown_institutions=freeze(pairs),
                shown_institutions_more=entry.institutions_more and bool(pairs),
                shown_summary=entry.summary,
                shown_code_url=_link(entry.code_url, plan, entry.line),
                shown_url=_link(entry.url, plan, entry.line),
                subject_zh=entry.subject_zh,
                topic=topics.get(entry.subject_zh),
            )
        )
    IssueEntry.objects.bulk_create(rows)
    paper_services.request_metadata_fetch(pending)


def _credited_names(publication: Publication, names: list[str]) -> list[CreditedName]:
    wanted = list(dict.fromkeys(name[:_NAME_MAX] for name in names if name))
    known = {
        c.name: c for c in CreditedName.objects.filter(publication=publication, name__in=wanted)
    }
    for name in wanted:
        if name not in known:
            known[name] = CreditedName.objects.create(publication=publication, name=name)
    return [known[name] for name in wanted]


# --- credited names and their claims ------------------------------------------------------------


def claim_credited_name(credited: CreditedName, *, by: Any) -> CreditedName:
    """``by`` says the name is theirs; an editor of its publication confirms it.

    Side effects: records the claim (who, when); a claim by another member is replaced.
    """
    if not getattr(by, "is_authenticated", False):
        raise InvalidInput(gettext("Log in to claim a name."), code="login_required")
    with transaction.atomic():
        locked = CreditedName.objects.select_for_update().get(pk=credited.pk)
        if locked.member_id is not None:
            raise InvalidTransition(
                gettext("This name belongs to a member already."), code="already_claimed"
            )
        locked.claimed_by, locked.claimed_at = by, timezone.now()
        locked.save(update_fields=["claimed_by", "claimed_at"])
    return locked


def confirm_credited_name(credited: CreditedName, *, by: Any, accept: bool = True) -> CreditedName:
    """An editor confirms (or, ``accept=False``, refuses) the claim on a name: once confirmed,
    the past issues crediting the name count as the member's (credits and statistics).

    Side effects: sets or clears the member; records who confirmed and when; retires the cached
    statistics (``caching``).
    """
    require(by, "issues.confirm_credited_name", credited.publication)
    with transaction.atomic():
        locked = CreditedName.objects.select_for_update().get(pk=credited.pk)
        if locked.claimed_by_id is None:
            raise InvalidTransition(gettext("Nobody claimed this name."), code="not_claimed")
        if accept:
            locked.member_id = locked.claimed_by_id
            locked.confirmed_by, locked.confirmed_at = by, timezone.now()
        else:
            locked.claimed_by, locked.claimed_at = None, None
        locked.save(
            update_fields=["member", "confirmed_by", "confirmed_at", "claimed_by", "claimed_at"]
        )
        caching.renew_published_version()
    return locked
