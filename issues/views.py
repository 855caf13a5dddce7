"""Reader pages: thin views over ``issues.selectors``."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from issues import selectors
from issues.models import Issue, Publication
from issues.permissions import can

ARCHIVE_PAGE_SIZE = 20


class HomeView(TemplateView):
    template_name = "issues/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["publications"] = selectors.latest_issue_per_publication()
        return context


class PublicationDetailView(TemplateView):
    template_name = "issues/publication_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        publication = get_object_or_404(Publication, slug=kwargs["slug"])
        paginator = Paginator(selectors.published_issues(publication), ARCHIVE_PAGE_SIZE)
        context["publication"] = publication
        context["page"] = paginator.get_page(self.request.GET.get("page"))
        return context


def _issue_context(issue: Issue) -> dict[str, Any]:
    contents = selectors.issue_contents(issue)
    return {
        "issue": issue,
        "publication": issue.publication,
        "papers": [c for c in contents if not c.is_news],
        "news": [c for c in contents if c.is_news],
        "contributors": selectors.issue_contributors(contents),
        "corrections": list(issue.corrections.all()),
    }


class IssueDetailView(TemplateView):
    template_name = "issues/issue_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        issue = selectors.published_issue(kwargs["slug"], kwargs["number"])
        if issue is None:
            raise Http404("No such issue.")
        context.update(_issue_context(issue))
        return context


class IssuePreviewView(TemplateView):
    """An unpublished issue exactly as it will be published, for its editors."""

    template_name = "issues/issue_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        issue = get_object_or_404(Issue.objects.select_related("publication"), pk=kwargs["pk"])
        if not can(self.request.user, "issues.view_issue", issue):
            raise Http404("No such issue.")
        context.update(_issue_context(issue), preview=not issue.is_published)
        return context
