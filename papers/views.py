"""Catalogue pages: thin views over ``papers.selectors``."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from papers import selectors

#: Papers on one page of search results.
SEARCH_PAGE_SIZE = 20


class PaperDetailView(TemplateView):
    """A paper: its metadata and where it stands, its public recommendations and the issues
    that featured it."""

    template_name = "papers/paper_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        paper = get_object_or_404(selectors.papers_with_details(), pk=kwargs["pk"])
        user = self.request.user
        featured = selectors.published_appearances(paper)
        context.update(
            paper=paper,
            featured=featured,
            # The Chinese title: the paper's own, else the one its latest issue gave it.
            title_zh=paper.title_zh
            or next((e.shown_title_zh for e in reversed(featured) if e.shown_title_zh), ""),
            # Capabilities are named, not imported: the editorial app defines them.
            can_refetch=user.has_perm("issues.refetch_paper_metadata", paper),
            # (Django grants a superuser every permission: the paper's state still decides.)
            can_enter=(selectors.awaits_hand_entry(paper) or selectors.entered_by_hand(paper))
            and user.has_perm("issues.enter_paper_metadata", paper),
        )
        return context


class SearchView(TemplateView):
    """Papers featured in published issues that match the query (the API's ``q`` rules)."""

    template_name = "papers/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # A NUL is no character of any title, and PostgreSQL refuses one in a query.
        query = self.request.GET.get("q", "").replace("\x00", "").strip()
        context["query"] = context["search_query"] = query
        if not query:
            context["problem"] = _(
                "Type a few words to search for: a title, an author’s name, a word of a summary."
            )
        elif len(query) > selectors.SEARCH_MAX_LENGTH:
            context["problem"] = _("Your search is too long: use at most %(limit)d characters.") % {
                "limit": selectors.SEARCH_MAX_LENGTH
            }
            context["query"] = context["search_query"] = query[: selectors.SEARCH_MAX_LENGTH]
        else:
            paginator = Paginator(selectors.featured_papers_matching(query), SEARCH_PAGE_SIZE)
            context["page"] = paginator.get_page(self.request.GET.get("page"))
        return context
