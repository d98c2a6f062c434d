"""Charts drawn on the server as SVG, so the page, the printout and the PDF show
the same picture without JavaScript. Each chart is hidden from screen readers
(`aria-hidden`); the table beside it carries the figures. Written with plain
string building: a city's chart has thousands of shapes."""

import textwrap
from html import escape

from django.utils.safestring import SafeString, mark_safe

from dashboards.tables import Chart

# Colour-blind safe (Okabe–Ito), dark enough against white for the 3:1 of WCAG 1.4.11.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8C6D00", "#56B4E9", "#000000", "#E69F00"]


def svg(chart: Chart) -> SafeString:
    body, width, height = _lines(chart) if chart.kind == "lines" else _stacked(chart)
    return mark_safe(  # noqa: S308 - every text in the drawing is escaped
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-hidden="true" focusable="false" font-size="13" '
        f'font-family="DejaVu Sans, sans-serif">{body}</svg>'
    )


def _colour(index: int, chart: Chart | None = None) -> str:
    palette = (chart.palette if chart is not None else None) or PALETTE
    return palette[index % len(palette)]


def _legend(chart: Chart, y: int, width: int) -> tuple[str, int]:
    items, x, row = [], 0, 0
    for index, (name, _values) in enumerate(chart.series):
        step = 30 + 8 * len(name)
        if x and x + step > width:
            x, row = 0, row + 1
        top = y + row * 20
        items.append(
            f'<rect x="{x}" y="{top}" width="12" height="12" fill="{_colour(index, chart)}" stroke="#1b1f24" '
            f'stroke-width="0.5"/>'
            f'<text x="{x + 16}" y="{top + 11}">{escape(name)}</text>'
        )
        x += step
    return "".join(items), y + (row + 1) * 20


LABEL_CHARACTERS = 30  # a line of a bar's label; longer labels wrap onto more lines, never cut


def _label_lines(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_CHARACTERS, break_long_words=True) or [""]


def _stacked(chart: Chart) -> tuple[str, int, int]:
    label_width, bar_width, bar_height, gap, line = 200, 420, 18, 8, 13
    width = label_width + bar_width + 60
    totals = [sum(values[i] or 0 for _n, values in chart.series) for i in range(len(chart.labels))]
    parts = []
    y = 0
    for i, label in enumerate(chart.labels):
        lines = _label_lines(label)
        row_height = max(bar_height, line * len(lines) + 4)
        spans = "".join(
            f'<tspan x="{label_width - 6}" dy="{0 if n == 0 else line}">{escape(text)}</tspan>'
            for n, text in enumerate(lines)
        )
        parts.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{spans}</text>')
        x = label_width
        for index, (_name, values) in enumerate(chart.series):
            value = values[i] or 0
            if not value or not totals[i]:
                continue
            w = bar_width * value / totals[i]
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{_colour(index, chart)}" '
                f'stroke="#ffffff" stroke-width="1"/>'
            )
            x += w
        parts.append(f'<text x="{label_width + bar_width + 6}" y="{y + 13}">{totals[i]}</text>')
        y += row_height + gap
    legend, height = _legend(chart, y + 6, width)
    return "".join(parts) + legend, width, height


def _lines(chart: Chart) -> tuple[str, int, int]:
    left, top, plot_w, plot_h = 40, 10, 520, 200
    width = left + plot_w + 20
    values = [v for _n, vs in chart.series for v in vs if v is not None]
    high = max(4, max(values, default=4))
    count = len(chart.labels)

    def px(i):
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def py(v):
        return top + plot_h - plot_h * v / high

    parts = [
        f'<line x1="{left}" x2="{left + plot_w}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#767676" '
        f'stroke-width="0.5"/><text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v}</text>'
        for v in range(int(high) + 1)
    ]
    parts.extend(
        f'<text x="{px(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(label)}</text>'
        for i, label in enumerate(chart.labels)
    )
    for index, (_name, vs) in enumerate(chart.series):
        points = [(px(i), py(v)) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline fill="none" stroke="{_colour(index, chart)}" stroke-width="2.5" points="{coordinates}"/>'
            )
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{_colour(index, chart)}"/>' for x, y in points)
    legend, height = _legend(chart, top + plot_h + 30, width)
    return "".join(parts) + legend, width, height
