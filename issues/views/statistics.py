"""The statistics pages (a publication's and the site's) and the contributor index: what the
published issues add up to, drawn as charts (``issues.charts``) over ``issues.statistics``.

Both statistics pages are published pages, cached and retired like the others
(``issues.caching``); so is the figures' computation underneath, which the API shares.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from issues import caching, charts, statistics
from publications import selectors as publication_selectors

#: Members on one page of the contributor index.
CONTRIBUTOR_PAGE_SIZE = 50


def waiting_bin_label(low: int, high: int | None) -> str:
    """A bin of the wait histogram in words: "7–13 days", "56+ days"."""
    if high is None:
        return _("%(low)d+ days") % {"low": low}
    return _("%(low)d–%(high)d days") % {"low": low, "high": high - 1}


def period_labels(figures: statistics.Statistics) -> list[str]:
    """The periods topics are counted by, in words: "2026-03", or "2026 Q1" by quarter."""
    if not figures.by_quarter:
        return figures.topic_period_labels
    return [
        _("%(year)d Q%(quarter)d") % {"year": period.year, "quarter": (period.month - 1) // 3 + 1}
        for period in figures.topic_periods
    ]


def topic_names(
    figures: statistics.Statistics, language: str
) -> list[tuple[str, statistics.TopicSeries]]:
    """Each topic drawn, named in ``language``; a name that two drawn topics share says which
    each is (its publication, or its slug on the site's page)."""
    names = Counter(topic.name_for(language) for topic in figures.topics)
    return [
        (
            f"{topic.name_for(language)} ({topic.publication_slug or topic.slug})"
            if names[topic.name_for(language)] > 1
            else topic.name_for(language),
            topic,
        )
        for topic in figures.topics
    ]


def statistics_charts(figures: statistics.Statistics) -> dict[str, SafeString]:
    """The charts of one statistics page, in the active language."""
    language = get_language() or "en"
    month_labels = [month.label for month in figures.months]
    drawn: dict[str, SafeString] = {}
    if figures.months:
        drawn["issues"] = charts.bar_chart(
            chart_id="chart-issues",
            title=_("Issues published per month"),
            labels=month_labels,
            values=[month.issues for month in figures.months],
            label_heading=_("Month"),
            value_heading=_("Issues"),
        )
        drawn["papers"] = charts.bar_chart(
            chart_id="chart-papers",
            title=_("Papers published per month"),
            labels=month_labels,
            values=[month.papers for month in figures.months],
            label_heading=_("Month"),
            value_heading=_("Papers"),
        )
    if figures.topics:
        drawn["topics"] = charts.line_chart(
            chart_id="chart-topics",
            title=_("Papers per topic, by quarter")
            if figures.by_quarter
            else _("Papers per topic, by month"),
            labels=period_labels(figures),
            series=[(name, topic.counts) for name, topic in topic_names(figures, language)],
            label_heading=_("Quarter") if figures.by_quarter else _("Month"),
        )
    if figures.contributors:
        drawn["contributors"] = charts.hbar_chart(
            chart_id="chart-contributors",
            title=_("Published recommendations per contributor"),
            labels=[member.public_name for member in figures.contributors],
            values=[member.count for member in figures.contributors],
            label_heading=_("Contributor"),
            value_heading=_("Published recommendations"),
        )
    waiting = figures.waiting
    if waiting.measured:
        drawn["waiting"] = charts.bar_chart(
            chart_id="chart-waiting",
            title=_("Recommendations by days from submission to publication"),
            labels=[waiting_bin_label(b.low, b.high) for b in waiting.bins],
            values=[b.count for b in waiting.bins],
            label_heading=_("Days waited"),
            value_heading=_("Recommendations"),
        )
        drawn["waiting_by_month"] = charts.bar_chart(
            chart_id="chart-waiting-months",
            title=_("Median days from submission to publication, by month"),
            labels=[month.strftime("%Y-%m") for month, _days in waiting.median_by_month],
            values=[days for _month, days in waiting.median_by_month],
            label_heading=_("Month"),
            value_heading=_("Median days"),
        )
    return drawn


def member_history_chart(history: statistics.MemberHistory) -> SafeString | None:
    """A member's published recommendations per month, drawn; None before their first."""
    if not history.total:
        return None
    return charts.bar_chart(
        chart_id="chart-history",
        title=_("Published recommendations per month"),
        labels=history.labels,
        values=history.counts,
        label_heading=_("Month"),
        value_heading=_("Published recommendations"),
    )


class PublicationStatisticsView(caching.PublishedPageMixin, TemplateView):
    """A publication's figures: issues and papers per month, topics over time, its contributors
    ranked, and the wait from submission to publication."""

    template_name = "issues/statistics.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        publication = get_object_or_404(publication_selectors.publications(), slug=kwargs["slug"])
        figures = statistics.publication_statistics(publication)
        context.update(publication=publication, figures=figures, charts=statistics_charts(figures))
        return context


class SiteStatisticsView(caching.PublishedPageMixin, TemplateView):
    """Every publication's figures together, with a link to each publication's own."""

    template_name = "issues/statistics.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        figures = statistics.site_statistics()
        context.update(
            publication=None,
            publications=list(publication_selectors.publications()),
            figures=figures,
            charts=statistics_charts(figures),
        )
        return context


class ContributorIndexView(caching.PublishedPageMixin, TemplateView):
    """The members with published recommendations, the most published first, each linked to
    their page."""

    template_name = "issues/contributor_index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        paginator = Paginator(statistics.contributor_counts(), CONTRIBUTOR_PAGE_SIZE)
        context["page"] = paginator.get_page(self.request.GET.get("page"))
        return context
