"""The readers' pages: publications, issues, topics, members' pages and an issue's exports.

Thin views over ``issues.selectors``; published pages are cached (``issues.caching``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from contributors import selectors as members
from drafting import selectors as drafting_selectors
from issues import caching, exports, history, member_links, search, selectors, statistics
from issues.models import Issue
from issues.views.statistics import member_history_chart
from papers import selectors as catalogue
from publications import selectors as publication_selectors
from publications.models import Publication
from publications.permissions import can
from publications.selectors import style_of

ARCHIVE_PAGE_SIZE = 20
#: From how many entries an issue's page opens with a list of them.
CONTENTS_FROM = 6
#: Entries on one page of a topic or of a member's recommendations.
ENTRY_PAGE_SIZE = 20
#: Paper titles named under each publication's latest issue on the home page.
TEASER_LENGTH = 3
#: Results (papers and news items) on one page of a search.
SEARCH_PAGE_SIZE = 20


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
        # A member's page is rendered for them alone (``caching``): the links of the pages other
        # apps give members, none for the anonymous readers' shared copy.
        context["member_links"] = member_links.links_for(publication, self.request.user)
        return context


class TopicListView(TemplateView):
    """Every publication's topics, with how many papers were published under each."""

    template_name = "issues/topic_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["topics"] = list(selectors.topics_with_published_counts())
        return context


class TopicRedirectView(View):
    """A topic's address (or its feed's) from before topics belonged to publications: moved for
    good to the one publication's topic of that slug; when several publications have one, a
    page names them (a feed, which no reader can choose for, is not found)."""

    def get(self, request: HttpRequest, slug: str, feed: str | None = None) -> HttpResponse:
        if feed not in (None, "rss", "atom"):
            raise Http404
        found = list(publication_selectors.topics().filter(slug=slug))
        if not found or (feed is not None and len(found) > 1):
            raise Http404(_("There is no such topic."))
        if len(found) == 1:
            topic = found[0]
            name = "issues:topic-detail" if feed is None else f"issues:topic-feed-{feed}"
            return redirect(name, topic.publication.slug, topic.slug, permanent=True)
        return render(request, "issues/topic_choice.html", {"slug": slug, "topics": found})


class TopicDetailView(TemplateView):
    """A publication's topic: its papers from the publication's published issues, newest
    first."""

    template_name = "issues/topic_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        topic = get_object_or_404(
            publication_selectors.topics(),
            publication__slug=kwargs["publication"],
            slug=kwargs["slug"],
        )
        paginator = Paginator(selectors.published_entries_in_topic(topic), ENTRY_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(topic=topic, page=page, entries=selectors.shown_contents(page))
        return context


class ContributorDetailView(TemplateView):
    """A member's public page: profile, their published recommendations per month, those
    recommendations and the issues credited."""

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
        # Their published recommendations per month, drawn (issues.statistics: two queries).
        context["history"] = statistics.member_history(member)
        context["history_chart"] = member_history_chart(context["history"])
        return context


def issue_page_context(issue: Issue) -> dict[str, Any]:
    """What an issue's own page shows besides its body: a contents list when it is long, a
    permalink on every entry (a feed item, which has the same body, gets neither)."""
    context = issue_context(issue)
    entries = len(context["papers"]) + len(context["news"])
    return {
        **context,
        "on_page": True,
        "show_contents": entries >= CONTENTS_FROM,
        # Which authors an entry shows is the publication's style (``styled_authors``).
        "style": style_of(issue.publication),
        # Entries that began as a model's draft, if the publication tells its readers.
        "drafted_papers": drafting_selectors.drafted_papers(
            issue.publication, [c.entry.paper_id for c in context["papers"] if c.entry.paper_id]
        ),
    }


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
        "credit_parts": selectors.credit_parts(
            issue.credits, contributors, selectors.credited_members(issue)
        ),
        "topics": selectors.issue_topics(contents),
        "corrections": history.describe_corrections(
            issue.corrections.all(), [c.entry for c in contents]
        ),
    }


class IssueDetailView(caching.PublishedPageMixin, TemplateView):
    """A published issue. Anonymous readers share the whole page (``caching.cached_page``); a
    member's page is rendered around the parts every reader shares (``caching.shared_parts``),
    so that only its frame and the member's own header cost anything."""

    template_name = "issues/issue_detail.html"
    #: The parts of the page that are the same for every reader, by name.
    parts = {"head": "issues/_issue_page_head.html", "content": "issues/_issue_page_content.html"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        issue = selectors.published_issue(kwargs["slug"], kwargs["number"])
        if issue is None:
            raise Http404("No such issue.")
        context.update(issue=issue, publication=issue.publication)
        if self.request.user.is_authenticated:
            context["parts"] = caching.shared_parts(
                self.request, lambda: self._render_parts(issue, context)
            )
        else:
            context.update(self._shown(issue))
        return context

    def _shown(self, issue: Issue) -> dict[str, Any]:
        previous, following = selectors.neighbour_issues(issue)
        return {**issue_page_context(issue), "previous_issue": previous, "next_issue": following}

    def _render_parts(self, issue: Issue, context: dict[str, Any]) -> dict[str, str]:
        shown = {**context, **self._shown(issue)}
        return {
            name: render_to_string(template, shown, self.request)
            for name, template in self.parts.items()
        }


class IssuePreviewView(TemplateView):
    """An unpublished issue exactly as it will be published, for its editors."""

    template_name = "issues/issue_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        issue = get_object_or_404(Issue.objects.select_related("publication"), pk=kwargs["pk"])
        if not can(self.request.user, "issues.view_issue", issue):
            raise Http404("No such issue.")
        context.update(issue_page_context(issue), preview=not issue.is_published)
        return context


class PaperDetailView(TemplateView):
    """A paper: its metadata and where it stands, its public recommendations and the issues
    that featured it. The editorial app builds it, as it holds the richer side of the page.

    Anonymous readers share one copy per language (``caching.cached_page``), kept under the
    published version and the time the paper's row last changed: a fetch, an enrichment, a hand
    entry or a merge shows at once, a publication with the next version. What the row does not
    hold (an institution's name, a member's public name) may lag behind as long as the version
    lives, as on issue pages.
    """

    template_name = "issues/paper_detail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        def render() -> HttpResponse:
            return self.render_to_response(self.get_context_data(**kwargs)).render()

        changed = catalogue.paper_changed_at(kwargs["pk"])
        if changed is None:
            raise Http404("No such paper.")
        return caching.cached_page(request, render, changed=changed)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        paper = get_object_or_404(catalogue.papers_with_details(), pk=kwargs["pk"])
        user = self.request.user
        featured = selectors.published_appearances(paper)
        context.update(
            paper=paper,
            featured=featured,
            # The Chinese title: the paper's own, else the one its latest issue gave it.
            title_zh=paper.title_zh
            or next((e.shown_title_zh for e in reversed(featured) if e.shown_title_zh), ""),
            can_refetch=user.has_perm("recommendations.refetch_paper_metadata", paper),
            # (Django grants a superuser every permission: the paper's state still decides.)
            can_enter=(catalogue.awaits_hand_entry(paper) or catalogue.entered_by_hand(paper))
            and user.has_perm("recommendations.enter_paper_metadata", paper),
        )
        # The merge page is offered to those who may fetch the paper again (the same editors),
        # at no query more; it says why when another publication's issue holds the paper.
        context["can_merge"] = context["can_refetch"]
        return context


class SearchView(TemplateView):
    """Papers featured in published issues and news items of published issues that match the
    query (the API's ``q`` rules), newest first (``issues.search``). The results are the same
    for every reader of a language until the next publication: kept under the published version
    (``caching.cached_query_part``)."""

    template_name = "issues/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # A NUL is no character of any title, and PostgreSQL refuses one in a query.
        query = self.request.GET.get("q", "").replace("\x00", "").strip()
        context["query"] = context["search_query"] = query
        if not query:
            context["problem"] = _(
                "Type a few words to search for: a title, an author’s name, a word of a summary."
            )
        elif len(query) > catalogue.SEARCH_MAX_LENGTH:
            context["problem"] = _("Your search is too long: use at most %(limit)d characters.") % {
                "limit": catalogue.SEARCH_MAX_LENGTH
            }
            context["query"] = context["search_query"] = query[: catalogue.SEARCH_MAX_LENGTH]
        else:
            context["results"] = caching.cached_query_part(
                self.request, lambda: self._render_results(query, context), name="search"
            )
        return context

    def _render_results(self, query: str, context: dict[str, Any]) -> str:
        paginator = Paginator(search.SearchResults(query), SEARCH_PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        return render_to_string(
            "issues/_search_results.html", {**context, "page": page}, self.request
        )


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
