"""The webhooks' part of ``/metrics`` (common.metrics): their deliveries by status, and the
endpoints switched off."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from webhooks import selectors


class WebhookCollector:
    """Counted in the database at each scrape, as the newsletter's deliveries are: every web
    process answers the same, and the figures survive restarts. A growing ``pending`` says the
    workers do not deliver; ``failed`` rising, or more endpoints off, that receivers refuse."""

    def collect(self) -> Iterator[Metric]:
        deliveries, disabled = selectors.delivery_counts()
        family = GaugeMetricFamily(
            "weekly_webhook_deliveries",
            "Webhook deliveries (one event to one endpoint), by status.",
            labels=["status"],
        )
        for status, count in deliveries.items():
            family.add_metric([status], count)
        yield family
        yield GaugeMetricFamily(
            "weekly_webhook_endpoints_disabled",
            "Webhook endpoints switched off, by an editor or after repeated failure.",
            value=disabled,
        )
