"""Charts drawn as SVG (``issues.charts``): well-formed, named and described for assistive
technology, with their numbers in a table, and every label escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from defusedxml.ElementTree import fromstring
from django.utils import translation

from issues import charts

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"


def svg_of(html: str) -> ET.Element:
    """The chart's SVG element, parsed as XML (hostile input refused by defusedxml)."""
    (svg,) = re.findall(r"<svg xmlns=.*?</svg>(?=</div>)", html, flags=re.S)
    return fromstring(svg)


def table_of(html: str) -> ET.Element:
    (table,) = re.findall(r"<table>.*?</table>", html, flags=re.S)
    return fromstring(table)


def test_bar_chart_is_named_described_and_tabled() -> None:
    html = charts.bar_chart(
        chart_id="chart-papers",
        title="Papers per month",
        labels=["2026-01", "2026-02", "2026-03"],
        values=[3, 0, 7],
        label_heading="Month",
        value_heading="Papers",
    )

    svg = svg_of(html)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-papers-title chart-papers-desc"
    assert svg.find(f"{SVG}title").text == "Papers per month"
    assert svg.find(f"{SVG}title").get("id") == "chart-papers-title"
    assert "highest is 7 (2026-03)" in svg.find(f"{SVG}desc").text
    bars = svg.findall(f".//{SVG}rect")
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "2026-01: 3",
        "2026-02: 0",
        "2026-03: 7",
    ]
    assert float(bars[1].get("height")) == 0
    assert float(bars[2].get("height")) > float(bars[0].get("height"))
    table = table_of(html)
    assert table.find("caption").text == "Papers per month"
    assert [[cell.text for cell in row] for row in table.iter("tr")] == [
        ["Month", "Papers"],
        ["2026-01", "3"],
        ["2026-02", "0"],
        ["2026-03", "7"],
    ]
    # No style attribute anywhere: the site's CSP allows none.
    assert "style=" not in html


def test_chart_labels_are_escaped() -> None:
    html = charts.hbar_chart(
        chart_id="chart-members",
        title=f"Members {SCRIPT}",
        labels=[SCRIPT, "A & B"],
        values=[2, 1],
        label_heading="Member",
        value_heading="Count",
    )

    assert SCRIPT not in html
    assert "&lt;script&gt;" in html
    svg = svg_of(html)
    assert svg.find(f"{SVG}title").text == f"Members {SCRIPT}"
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "<script>alert(1)</scrip…" in texts
    assert "A & B" in texts
    assert [row[0].text for row in table_of(html).find("tbody")] == [SCRIPT, "A & B"]


def test_line_chart_has_a_line_and_a_legend_entry_per_series() -> None:
    html = charts.line_chart(
        chart_id="chart-topics",
        title="Topics",
        labels=["2026 Q1", "2026 Q2"],
        series=[("Vision", [1, 4]), ("Language", [2, 0])],
        label_heading="Quarter",
    )

    svg = svg_of(html)
    lines = svg.findall(f"{SVG}g")
    assert [line.find(f"{SVG}title").text for line in lines] == ["Vision", "Language"]
    assert lines[0].get("class") == "chart-line chart-series-1"
    assert len(lines[0].find(f"{SVG}polyline").get("points").split()) == 2
    assert re.findall(r'<ul class="chart-legend">.*?</ul>', html, flags=re.S)[0].count("<li>") == 2
    assert [[cell.text for cell in row] for row in table_of(html).iter("tr")] == [
        ["Quarter", "Vision", "Language"],
        ["2026 Q1", "1", "2"],
        ["2026 Q2", "4", "0"],
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_charts_speak_the_active_language(language: str) -> None:
    with translation.override(language):
        html = charts.bar_chart(
            chart_id="c",
            title="T",
            labels=["a"],
            values=[1],
            label_heading="L",
            value_heading="V",
        )
        summary = translation.gettext("The numbers")
        kind = translation.gettext("Bar chart")
    assert re.search(r"<summary>(.*?)</summary>", html).group(1) == summary
    assert svg_of(html).find(f"{SVG}desc").text.startswith(kind)


def test_empty_charts_still_parse() -> None:
    html = charts.line_chart(
        chart_id="empty", title="Nothing", labels=[], series=[], label_heading="When"
    )

    assert svg_of(html).find(f"{SVG}desc").text == "Line chart with no data."


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 3), (7, 8), (10, 10), (37, 40), (0.6, 0.6), (250, 300)]
)
def test_value_axis_tops_are_round(value: float, top: float) -> None:
    assert charts._nice_ceiling(value)[0] == pytest.approx(top)
