"""The members' inbox of a publication: its tabs, and the actions on a candidate (claim, release,
dismiss, restore, interest, write it up) and on the member's digest.

Each action is a POST that answers with a redirect back to the tab it came from, and a message:
what was done, or the service's refusal in its own words (who claimed the candidate first and
since when, that it was dismissed, …). A forged POST (another publication's candidate, a
candidate in a state the action does not start from, a missing reason) changes nothing and says
why."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from common.exceptions import WorkflowError
from common.forms import add_workflow_error
from inbox import selectors, services
from inbox.enums import InboxSort, InboxView
from inbox.forms import WriteUpForm
from inbox.models import Candidate, DigestSubscription, Interest
from papers.models import Authorship
from publications import selectors as publication_selectors
from publications.models import Publication
from publications.permissions import can, refusal

VIEW_CAPABILITY = "inbox.view_inbox"
#: Candidates on a page of a tab.
PAGE_SIZE = 50


@dataclass
class Row:
    """A candidate as a member sees it on a tab: what it says and the buttons they may use."""

    candidate: Candidate
    claim_label: str = ""
    interested: bool = False
    interested_names: list[str] = field(default_factory=list)
    may_write_up: bool = False
    may_claim: bool = False
    may_release: bool = False
    may_dismiss: bool = False
    may_restore: bool = False
    may_mark_interest: bool = False


class _InboxMixin(LoginRequiredMixin):
    request: HttpRequest

    def get_publication(self, slug: str) -> Publication:
        publication = get_object_or_404(publication_selectors.publications(), slug=slug)
        if not can(self.request.user, VIEW_CAPABILITY, publication):
            raise PermissionDenied(refusal(VIEW_CAPABILITY))
        return publication


def _choice(value: str | None, choices: type[InboxView] | type[InboxSort], default: str) -> str:
    return value if value in choices.values else default


def _rows(candidates: list[Candidate], user: Any, *, editor: bool) -> list[Row]:
    """The rows of a page, with the member's interests and (for editors) who is interested: two
    queries, whatever the page's length."""
    ids = [candidate.pk for candidate in candidates]
    mine = set(
        Interest.objects.filter(candidate_id__in=ids, member=user).values_list(
            "candidate_id", flat=True
        )
    )
    names: dict[int, list[str]] = defaultdict(list)
    if editor and ids:
        interests = (
            Interest.objects.filter(candidate_id__in=ids)
            .select_related("member")
            .order_by("created_at", "pk")
        )
        for interest in interests:
            names[interest.candidate_id].append(interest.member.public_name)
    rows = []
    for candidate in candidates:
        interested = candidate.pk in mine
        actions = selectors.candidate_actions(user, candidate, interested=interested)
        rows.append(
            Row(
                candidate=candidate,
                claim_label=selectors.claim_label(candidate),
                interested=interested,
                interested_names=names.get(candidate.pk, []),
                may_write_up="write_up" in actions,
                may_claim="claim" in actions,
                may_release="release" in actions,
                may_dismiss="dismiss" in actions,
                may_restore="restore" in actions,
                may_mark_interest="interest" in actions or "withdraw_interest" in actions,
            )
        )
    return rows


@method_decorator(never_cache, name="dispatch")
class InboxPageView(_InboxMixin, View):
    """One tab of the inbox (``?view=new|claimed|mine|dismissed``), by rank or date
    (``?sort=rank|date``), 50 candidates a page, with the counts of every tab."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self.get_publication(slug)
        user = request.user
        view = _choice(request.GET.get("view"), InboxView, InboxView.NEW)
        sort = _choice(request.GET.get("sort"), InboxSort, InboxSort.RANK)
        editor = can(user, "inbox.manage_watches", publication)
        queryset = (
            selectors.inbox_candidates(publication, member=user, view=view, sort=sort)
            .select_related("dismissed_by")
            .prefetch_related(
                Prefetch(
                    "paper__authorships",
                    queryset=Authorship.objects.select_related("author").order_by("position"),
                )
            )
        )
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        counts = selectors.view_counts(publication, member=user)
        context = {
            "publication": publication,
            "view": view,
            "sort": sort,
            "tabs": [(value, label, counts[value]) for value, label in InboxView.choices],
            "sorts": InboxSort.choices,
            "page": page,
            "rows": _rows(list(page.object_list), user, editor=editor),
            "is_editor": editor,
            "summary_needed": services.summary_needed(publication),
            "subscribed": DigestSubscription.objects.filter(
                member=user, publication=publication
            ).exists(),
            "reason_max_length": services.DISMISS_REASON_MAX_LENGTH,
        }
        return render(request, "inbox/inbox.html", context)


def _back(request: HttpRequest, publication: Publication) -> HttpResponseRedirect:
    """Back to the tab the form was on (``next``, a page of this inbox only), else the inbox."""
    inbox = reverse("inbox:inbox", args=[publication.slug])
    target = request.POST.get("next", "")
    if target.startswith(inbox) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(inbox)


@method_decorator(never_cache, name="dispatch")
class _CandidateActionView(_InboxMixin, View):
    """A POST on one candidate of the publication's inbox; ``act`` calls the service and says
    what it did."""

    http_method_names = ["post"]

    def act(self, request: HttpRequest, candidate: Candidate) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        publication = self.get_publication(slug)
        candidate = (
            Candidate.objects.select_related("publication", "paper", "claimed_by")
            .filter(publication=publication, pk=pk)
            .first()
        )
        if candidate is None:
            messages.error(request, _("There is no such candidate in this inbox."))
            return _back(request, publication)
        try:
            done = self.act(request, candidate)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            if done:
                messages.success(request, done)
        return _back(request, publication)


def _title(candidate: Candidate) -> str:
    return candidate.paper.title or candidate.paper.identifier_display


class ClaimView(_CandidateActionView):
    def act(self, request: HttpRequest, candidate: Candidate) -> str:
        services.claim_candidate(candidate, by=request.user)
        return _("You are writing up “%(title)s”.") % {"title": _title(candidate)}


class ReleaseView(_CandidateActionView):
    def act(self, request: HttpRequest, candidate: Candidate) -> str:
        services.release_claim(candidate, by=request.user, note=request.POST.get("note", ""))
        return _("“%(title)s” is free for another member to write up.") % {
            "title": _title(candidate)
        }


class DismissView(_CandidateActionView):
    def act(self, request: HttpRequest, candidate: Candidate) -> str:
        services.dismiss_candidate(
            candidate, by=request.user, reason=request.POST.get("reason", "")
        )
        return _("“%(title)s” is dismissed.") % {"title": _title(candidate)}


class RestoreView(_CandidateActionView):
    def act(self, request: HttpRequest, candidate: Candidate) -> str:
        services.restore_candidate(candidate, by=request.user)
        return _("“%(title)s” is back in the inbox.") % {"title": _title(candidate)}


class InterestView(_CandidateActionView):
    """``do=mark`` or ``do=withdraw`` the member's interest."""

    def act(self, request: HttpRequest, candidate: Candidate) -> str:
        action = request.POST.get("do")
        if action == "mark":
            services.mark_interest(candidate, by=request.user)
            return _("Your interest in “%(title)s” is noted.") % {"title": _title(candidate)}
        if action == "withdraw":
            services.withdraw_interest(candidate, by=request.user)
            return _("Your interest in “%(title)s” is withdrawn.") % {"title": _title(candidate)}
        messages.error(request, _("Say whether to mark or to withdraw your interest."))
        return ""


@method_decorator(never_cache, name="dispatch")
class WriteUpView(_InboxMixin, View):
    """One step from a candidate to the member's draft recommendation, opened for editing. Where
    no language model drafts the summary (``services.summary_needed``), the member gives one
    first: the GET shows that small form, and a POST without it shows it again."""

    def _candidate(self, slug: str, pk: int) -> tuple[Publication, Candidate | None]:
        publication = self.get_publication(slug)
        candidate = (
            Candidate.objects.select_related("publication", "paper", "claimed_by")
            .filter(publication=publication, pk=pk)
            .first()
        )
        return publication, candidate

    def _form_page(
        self, request: HttpRequest, candidate: Candidate, form: WriteUpForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "publication": candidate.publication,
            "candidate": candidate,
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        }
        return render(request, "inbox/write_up.html", context, status=status)

    def get(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        publication, candidate = self._candidate(slug, pk)
        if candidate is None:
            messages.error(request, _("There is no such candidate in this inbox."))
            return redirect("inbox:inbox", slug=publication.slug)
        return self._form_page(request, candidate, WriteUpForm())

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        publication, candidate = self._candidate(slug, pk)
        if candidate is None:
            messages.error(request, _("There is no such candidate in this inbox."))
            return _back(request, publication)
        form = WriteUpForm(request.POST)
        needed = services.summary_needed(publication)
        if needed and "summary" not in request.POST:
            return self._form_page(request, candidate, WriteUpForm())
        if not form.is_valid():
            return self._form_page(request, candidate, form, status=400)
        try:
            recommendation = services.write_up(
                candidate, by=request.user, summary=form.cleaned_data["summary"]
            )
        except WorkflowError as error:
            if needed and error.field == "summary":
                add_workflow_error(form, error)
                return self._form_page(request, candidate, form, status=400)
            messages.error(request, error.message)
            return _back(request, publication)
        messages.success(
            request,
            _("Your draft recommendation of “%(title)s” is started: finish it here.")
            % {"title": _title(candidate)},
        )
        return redirect("recommendations:edit", pk=recommendation.pk)


@method_decorator(never_cache, name="dispatch")
class DigestView(_InboxMixin, View):
    """``digest=subscribe`` or ``digest=unsubscribe``: the member's weekly mail of the inbox's
    best unclaimed candidates."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        publication = self.get_publication(slug)
        choice = request.POST.get("digest")
        try:
            if choice == "subscribe":
                services.subscribe_digest(request.user, publication)
                messages.success(
                    request, _("You will be mailed the best new candidates every week.")
                )
            elif choice == "unsubscribe":
                services.unsubscribe_digest(request.user, publication)
                messages.success(request, _("You will no longer be mailed the weekly digest."))
            else:
                messages.error(request, _("Say whether to subscribe to the digest or not."))
        except WorkflowError as error:
            messages.error(request, error.message)
        return _back(request, publication)
