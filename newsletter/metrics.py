"""The newsletter's part of ``/metrics`` (common.metrics): its deliveries by status."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from newsletter import selectors


class DeliveryCollector:
    """Deliveries by status, counted in the database at each scrape.

    A count rather than a counter kept by the sending processes: every web process answers the
    same, and the number is right after restarts, resumed batches and imports alike. A growing
    ``queued`` says the sending stalled; ``failed`` rising says the mail server refuses.
    """

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "weekly_newsletter_deliveries",
            "Newsletter deliveries (one issue to one subscriber), by status.",
            labels=["status"],
        )
        for status, count in selectors.delivery_counts().items():
            family.add_metric([status], count)
        yield family
