"""Pages of the editorial app: thin views over ``issues.selectors`` and ``issues.services``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from common.exceptions import WorkflowError
from contributors import selectors as members
from issues import caching, exports, selectors, services
from issues.forms import PaperMetadataForm, add_workflow_error
from issues.models import Issue, Publication
from issues.permissions import can
from papers import selectors as catalogue
from papers.models import Paper

ARCHIVE_PAGE_SIZE = 20
#: Entries on one page of a topic or of a member's recommendations.
ENTRY_PAGE_SIZE = 20
#: Paper titles named under each publication's latest issue on the home page.
TEASER_LENGTH = 3


@dataclass(frozen=True)
class Teaser:
    """A publication on the home page: its latest issue and the first papers of it."""

    publication: Publication
    issue: Issue | None
    papers: list[selectors.EntryContent]
    paper_count: int
    news_count: int

    @property
    def more_count(self) -> int:
        return max(self.paper_count - len(self.papers), 0)


class HomeView(caching.PublishedPageMixin, TemplateView):
    template_name = "issues/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        latest = selectors.latest_issue_per_publication()
        contents = selectors.contents_of_issues([issue for _p, issue in latest if issue])
        teasers = []
        for publication, issue in latest:
            shown = contents.get(issue.pk, []) if issue else []
            papers = [c for c in shown if not c.is_news]
            teasers.append(
                Teaser(
                    publication=publication,
                    issue=issue,
                    papers=papers[:TEASER_LENGTH],
                    paper_count=len(papers),
                    news_count=len(shown) - len(papers),
                )
            )
        context["teasers"] = teasers
        # Kept for templates and tests that read the pairs.
        context["publications"] = latest
        return context


class PublicationDetailView(caching.PublishedPageMixin, TemplateView):
    template_name = "issues/publication_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        publication = get_object_or_404(Publication, slug=kwargs["slug"])
        paginator = Paginator(selectors.published_issues(publication), ARCHIVE_PAGE_SIZE)
        context["publication"] = publication
        context["page"] = paginator.get_page(self.request.GET.get("page"))
        return context


class TopicListView(TemplateView):
    """Every topic, with how many papers were published under it."""

    template_name = "issues/topic_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["topics"] = list(selectors.topics_with_published_counts())
        return context


class TopicDetailView(TemplateView):
    """A topic's papers from the published issues of every publication, newest first."""

    template_name = "issues/topic_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        topic = get_object_or_404(catalogue.topics(), slug=kwargs["slug"])
        paginator = Paginator(selectors.published_entries_in_topic(topic), ENTRY_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(topic=topic, page=page, entries=selectors.shown_contents(page))
        return context


class ContributorDetailView(TemplateView):
    """A member's public page: profile, published recommendations and the issues credited."""

    template_name = "issues/contributor_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        username = kwargs["username"]
        # No user name holds a NUL; PostgreSQL refuses one in a query, so it is not looked up.
        member = None if "\x00" in username else members.active_member(username)
        if member is None:
            raise Http404("No such member.")
        paginator = Paginator(selectors.published_entries_of_member(member), ENTRY_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            member=member,
            page=page,
            entries=selectors.shown_contents(page),
            issues=list(selectors.credited_issues(member)),
        )
        return context


def issue_context(issue: Issue, contents: list[Any] | None = None) -> dict[str, Any]:
    """What the issue templates show; ``contents`` when the caller fetched them already."""
    if contents is None:
        contents = selectors.issue_contents(issue)
    contributors = selectors.issue_contributors(contents)
    return {
        "issue": issue,
        "publication": issue.publication,
        "papers": [c for c in contents if not c.is_news],
        "news": [c for c in contents if c.is_news],
        "contributors": contributors,
        "credit_parts": selectors.credit_parts(issue.credits, contributors),
        "topics": selectors.issue_topics(contents),
        "corrections": list(issue.corrections.all()),
    }


class IssueDetailView(caching.PublishedPageMixin, TemplateView):
    template_name = "issues/issue_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        issue = selectors.published_issue(kwargs["slug"], kwargs["number"])
        if issue is None:
            raise Http404("No such issue.")
        context.update(issue_context(issue))
        return context


class IssuePreviewView(TemplateView):
    """An unpublished issue exactly as it will be published, for its editors."""

    template_name = "issues/issue_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        issue = get_object_or_404(Issue.objects.select_related("publication"), pk=kwargs["pk"])
        if not can(self.request.user, "issues.view_issue", issue):
            raise Http404("No such issue.")
        context.update(issue_context(issue), preview=not issue.is_published)
        return context


class PaperRefetchView(LoginRequiredMixin, View):
    """An editor's "fetch again" button on the paper page."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        paper = get_object_or_404(Paper, pk=pk)
        try:
            services.refetch_paper_metadata(paper, by=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The paper's metadata will be fetched again shortly."))
        return redirect("papers:paper-detail", pk=paper.pk)


class PaperMetadataEnterView(LoginRequiredMixin, FormView):
    """Fill in a paper's metadata by hand when arXiv or AMiner could not."""

    form_class = PaperMetadataForm
    template_name = "issues/paper_metadata_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.paper = get_object_or_404(Paper, pk=kwargs["pk"])
        if request.user.is_authenticated:
            try:
                services.check_paper_metadata_entry(self.paper, by=request.user)
            except WorkflowError as error:
                # Back to the paper, saying why: its metadata is being fetched, came from the
                # source, or is not this member's to enter.
                messages.error(request, error.message)
                return redirect("papers:paper-detail", pk=self.paper.pk)
            self.can_keep = can(request.user, "issues.keep_paper_metadata", self.paper)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"can_keep": self.can_keep}

    def get_initial(self) -> dict[str, Any]:
        paper = self.paper
        kept = {"keep": paper.metadata_kept} if self.can_keep else {}
        return kept | {
            "title": paper.title,
            "title_zh": paper.title_zh,
            "authors": "\n".join(a.author.name for a in paper.authorships.select_related("author")),
            "institutions": "\n".join(
                i.institution.name for i in paper.paper_institutions.select_related("institution")
            ),
            "year": paper.year,
            "abstract": paper.abstract,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(paper=self.paper, **kwargs)

    def form_valid(self, form: PaperMetadataForm) -> HttpResponse:
        try:
            services.enter_paper_metadata(self.paper, by=self.request.user, **form.cleaned_data)
        except WorkflowError as error:
            add_workflow_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you: the paper's metadata is saved."))
        return redirect("papers:paper-detail", pk=self.paper.pk)


EXPORTS = {
    "md": ("text/markdown; charset=utf-8", "issue.md"),
    "html": ("text/html; charset=utf-8", "issue.html"),
    "bib": ("application/x-bibtex; charset=utf-8", "issue.bib"),
}


class IssueExportView(View):
    """A published issue as Markdown, paste-ready HTML or BibTeX of its papers."""

    def get(self, request: HttpRequest, slug: str, number: int, fmt: str) -> HttpResponse:
        if fmt not in EXPORTS:
            raise Http404("No such issue.")
        return caching.cached_document(request, lambda: self.export(slug, number, fmt))

    def export(self, slug: str, number: int, fmt: str) -> HttpResponse:
        issue = selectors.published_issue(slug, number)
        if issue is None:
            raise Http404("No such issue.")
        contents = selectors.issue_contents(issue)
        corrections = list(issue.corrections.all())
        if fmt == "md":
            body = exports.issue_markdown(issue, contents, corrections)
        elif fmt == "html":
            body = exports.issue_html(issue, contents, corrections)
        else:
            body = exports.issue_bibtex(contents)
        content_type, _name = EXPORTS[fmt]
        response = HttpResponse(body, content_type=content_type)
        if fmt != "html":
            filename = f"{slug}-{number}.{fmt}"
            response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
