"""Catalogue pages: thin views over ``papers.selectors``."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from papers import selectors


class PaperDetailView(TemplateView):
    """A paper: its metadata and where it stands, and where it was featured."""

    template_name = "papers/paper_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        paper = get_object_or_404(selectors.papers_with_details(), pk=kwargs["pk"])
        user = self.request.user
        context.update(
            paper=paper,
            featured=selectors.published_appearances(paper),
            # Capabilities are named, not imported: the editorial app defines them.
            can_refetch=user.has_perm("issues.refetch_paper_metadata", paper),
            can_enter=user.has_perm("issues.enter_paper_metadata", paper),
        )
        return context
