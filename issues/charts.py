"""Charts drawn on the server as SVG, with the table of their numbers behind them.

Each chart is a ``<figure>``: an inline ``<svg role="img">`` named by its ``<title>`` and
described by its ``<desc>``, then a ``<details>`` with the same numbers as a table, for screen
readers, for copying and for anyone who prefers figures. No script draws them and nothing comes
from another host; their colours are classes (``issues/static/issues/statistics.css``) over the
site's colour variables, so they follow the dark scheme and hold under the site's CSP, which
allows no inline style. Every label is escaped: the names come from members.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

#: The drawing's own units; the SVG scales to the column's width (statistics.css).
WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 44
#: At most this many labels under the horizontal axis: the others are in the table.
AXIS_LABELS = 8
#: Colour and dash classes that tell the lines apart (``chart-series-1`` …).
SERIES_STYLES = 6
#: Height of one row of a horizontal bar chart, and room for its labels on the left.
ROW = 26
HBAR_LEFT = 190
#: A label longer than this is cut in the drawing (never in the table).
LABEL_LENGTH = 24


def number(value: float) -> str:
    """``value`` as the charts and tables write it: whole numbers bare, others to a tenth."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


def _nice_ceiling(value: float) -> tuple[float, float]:
    """The top of a value axis that holds ``value``, and the step of its four or five ticks."""
    if value <= 0:
        return 1, 1
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if magnitude >= 1 and step < 1:
        step = 1
    if value < 4 and float(value).is_integer():
        step = 1
    return step * math.ceil(value / step), step


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1] + "…"


def _svg(chart_id: str, title: str, description: str, width: int, height: int, body: str) -> str:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {} {}" '
        'role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        mark_safe(body),  # noqa: S308 (built of format_html parts, every label escaped)
    )


def _table(title: str, headings: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in headings))
    body = "".join(
        format_html(
            '<tr><th scope="row">{}</th>{}</tr>',
            row[0],
            format_html_join("", "<td>{}</td>", ((cell,) for cell in row[1:])),
        )
        for row in rows
    )
    return format_html(
        '<details class="chart-data"><summary>{}</summary>'
        "<table><caption>{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
        "</details>",
        _("The numbers"),
        title,
        head,
        mark_safe(body),  # noqa: S308 (rows of format_html, every cell escaped)
    )


def _figure(chart_id: str, svg: str, after: str) -> SafeString:
    return format_html(
        '<figure class="chart" id="{}"><div class="chart-frame">{}</div>{}</figure>',
        chart_id,
        mark_safe(svg),  # noqa: S308 (built by _svg)
        mark_safe(after),  # noqa: S308 (built by _table and _legend)
    )


def _value_axis(top: float, step: float, plot_height: float) -> str:
    """Grid lines and their numbers, from 0 to ``top``."""
    parts = []
    ticks = round(top / step)
    for i in range(ticks + 1):
        value = step * i
        y = TOP + plot_height - plot_height * value / top
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                f"{y:.1f}",
                WIDTH - RIGHT,
                f"{y:.1f}",
                LEFT - 6,
                f"{y + 4:.1f}",
                number(value),
            )
        )
    return "".join(parts)


def _label_axis(labels: Sequence[str], band: float) -> str:
    """Some of the labels under the bands, evenly spaced, always the last one."""
    every = max(1, math.ceil(len(labels) / AXIS_LABELS))
    shown = [i for i in range(len(labels)) if (len(labels) - 1 - i) % every == 0]
    return "".join(
        format_html(
            '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
            f"{LEFT + band * (i + 0.5):.1f}",
            HEIGHT - BOTTOM + 18,
            _short(labels[i]),
        )
        for i in shown
    )


def _describe(kind: str, labels: Sequence[str], values: Sequence[float]) -> str:
    if not labels:
        return _("%(kind)s with no data.") % {"kind": kind}
    highest = max(range(len(values)), key=lambda i: values[i])
    return ngettext(
        "%(kind)s of %(n)d value, %(first)s to %(last)s; the highest is %(top)s (%(at)s).",
        "%(kind)s of %(n)d values, %(first)s to %(last)s; the highest is %(top)s (%(at)s).",
        len(labels),
    ) % {
        "kind": kind,
        "n": len(labels),
        "first": labels[0],
        "last": labels[-1],
        "top": number(values[highest]),
        "at": labels[highest],
    }


def bar_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    label_heading: str,
    value_heading: str,
) -> SafeString:
    """Vertical bars, one per label (months, bins), with the table of label and value."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top, step = _nice_ceiling(max(values, default=0))
    band = plot_width / max(len(values), 1)
    bars = "".join(
        format_html(
            '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}">'
            "<title>{}: {}</title></rect>",
            f"{LEFT + band * i + band * 0.15:.1f}",
            f"{TOP + plot_height - plot_height * value / top:.1f}",
            f"{band * 0.7:.1f}",
            f"{plot_height * value / top:.1f}",
            label,
            number(value),
        )
        for i, (label, value) in enumerate(zip(labels, values, strict=True))
    )
    body = (
        _value_axis(top, step, plot_height)
        + bars
        + format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            LEFT,
            TOP + plot_height,
            WIDTH - RIGHT,
            TOP + plot_height,
        )
        + _label_axis(labels, band)
    )
    description = _describe(_("Bar chart"), labels, values)
    svg = _svg(chart_id, title, description, WIDTH, HEIGHT, body)
    rows = [(label, number(value)) for label, value in zip(labels, values, strict=True)]
    return _figure(chart_id, svg, _table(title, (label_heading, value_heading), rows))


def line_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    label_heading: str,
) -> SafeString:
    """One line per series over the labels (periods), a legend naming them, and the table with
    a column per series."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    top, step = _nice_ceiling(max((v for _n, values in series for v in values), default=0))
    band = plot_width / max(len(labels), 1)
    lines = []
    for index, (name, values) in enumerate(series):
        style = f"chart-series-{index % SERIES_STYLES + 1}"
        points = [
            (LEFT + band * (i + 0.5), TOP + plot_height - plot_height * value / top)
            for i, value in enumerate(values)
        ]
        lines.append(
            format_html(
                '<g class="chart-line {}"><title>{}</title><polyline points="{}"/>{}</g>',
                style,
                name,
                " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                format_html_join(
                    "",
                    '<circle cx="{}" cy="{}" r="3"><title>{}, {}: {}</title></circle>',
                    (
                        (f"{x:.1f}", f"{y:.1f}", name, label, number(value))
                        for (x, y), label, value in zip(points, labels, values, strict=True)
                    ),
                ),
            )
        )
    body = (
        _value_axis(top, step, plot_height)
        + format_html(
            '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            LEFT,
            TOP + plot_height,
            WIDTH - RIGHT,
            TOP + plot_height,
        )
        + "".join(lines)
        + _label_axis(labels, band)
    )
    if labels and series:
        description = ngettext(
            "Line chart of %(n)d line over %(periods)d periods, %(first)s to %(last)s: %(names)s.",
            "Line chart of %(n)d lines over %(periods)d periods, %(first)s to %(last)s: %(names)s.",
            len(series),
        ) % {
            "n": len(series),
            "periods": len(labels),
            "first": labels[0],
            "last": labels[-1],
            "names": ", ".join(name for name, _values in series),
        }
    else:
        description = _("%(kind)s with no data.") % {"kind": _("Line chart")}
    svg = _svg(chart_id, title, description, WIDTH, HEIGHT, body)
    legend = format_html(
        '<ul class="chart-legend">{}</ul>',
        format_html_join(
            "",
            '<li><svg class="chart-key" viewBox="0 0 24 10" aria-hidden="true" focusable="false">'
            '<g class="chart-line {}"><line x1="0" y1="5" x2="24" y2="5"/></g></svg>{}</li>',
            (
                (f"chart-series-{i % SERIES_STYLES + 1}", name)
                for i, (name, _values) in enumerate(series)
            ),
        ),
    )
    rows = [
        (label, *(number(values[i]) for _name, values in series)) for i, label in enumerate(labels)
    ]
    headings = (label_heading, *(name for name, _values in series))
    return _figure(chart_id, svg, legend + _table(title, headings, rows))


def hbar_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    label_heading: str,
    value_heading: str,
) -> SafeString:
    """Horizontal bars, one row per label (a ranking), longest first as given."""
    height = TOP + ROW * max(len(labels), 1) + 8
    plot_width = WIDTH - HBAR_LEFT - RIGHT - 36
    top = max(values, default=0) or 1
    rows_svg = "".join(
        format_html(
            '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}">'
            "<title>{}: {}</title></rect>"
            '<text class="chart-value" x="{}" y="{}">{}</text>',
            HBAR_LEFT - 8,
            f"{TOP + ROW * i + ROW * 0.62:.1f}",
            _short(label),
            HBAR_LEFT,
            f"{TOP + ROW * i + ROW * 0.15:.1f}",
            f"{plot_width * value / top:.1f}",
            f"{ROW * 0.7:.1f}",
            label,
            number(value),
            f"{HBAR_LEFT + plot_width * value / top + 6:.1f}",
            f"{TOP + ROW * i + ROW * 0.62:.1f}",
            number(value),
        )
        for i, (label, value) in enumerate(zip(labels, values, strict=True))
    )
    description = _describe(_("Bar chart"), labels, values)
    svg = _svg(chart_id, title, description, WIDTH, height, rows_svg)
    rows = [(label, number(value)) for label, value in zip(labels, values, strict=True)]
    return _figure(chart_id, svg, _table(title, (label_heading, value_heading), rows))
