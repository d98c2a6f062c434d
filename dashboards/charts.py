"""Charts drawn on the server as SVG, so the page, the printout and the PDF show
the same picture without JavaScript. Each chart is hidden from screen readers
(`aria-hidden`); the table beside it carries the figures."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from dashboards.figures import Chart

# Colour-blind safe (Okabe–Ito), dark enough against white for the 3:1 of WCAG 1.4.11.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8C6D00", "#56B4E9", "#000000", "#E69F00"]


def svg(chart: Chart) -> SafeString:
    if chart.kind == "lines":
        return _lines(chart)
    return _stacked(chart)


def _legend(chart: Chart, y: int, width: int) -> tuple[SafeString, int]:
    items, x, row = [], 0, 0
    for index, (name, _values) in enumerate(chart.series):
        step = 26 + 7 * len(name)
        if x and x + step > width:
            x, row = 0, row + 1
        colour = PALETTE[index % len(PALETTE)]
        top = y + row * 20
        items.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}">{}</text>',
                x,
                top,
                colour,
                x + 16,
                top + 11,
                name,
            )
        )
        x += step
    return mark_safe("".join(items)), y + (row + 1) * 20  # noqa: S308 - parts built with format_html


def _stacked(chart: Chart) -> SafeString:
    label_width, bar_width, bar_height, gap = 190, 420, 18, 8
    width = label_width + bar_width + 60
    totals = [sum(values[i] or 0 for _n, values in chart.series) for i in range(len(chart.labels))]
    parts = []
    for i, label in enumerate(chart.labels):
        y = i * (bar_height + gap)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                label_width - 6,
                y + 13,
                label if len(label) <= 28 else label[:27] + "…",
            )
        )
        x = label_width
        for index, (_name, values) in enumerate(chart.series):
            value = values[i] or 0
            if not value or not totals[i]:
                continue
            w = bar_width * value / totals[i]
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    round(x, 1),
                    y,
                    round(w, 1),
                    bar_height,
                    PALETTE[index % len(PALETTE)],
                )
            )
            x += w
        parts.append(format_html('<text x="{}" y="{}">{}</text>', label_width + bar_width + 6, y + 13, totals[i]))
    legend, height = _legend(chart, len(chart.labels) * (bar_height + gap) + 6, width)
    return _frame(width, height, mark_safe("".join(parts)) + legend)  # noqa: S308 - parts built with format_html


def _lines(chart: Chart) -> SafeString:
    left, top, plot_w, plot_h = 40, 10, 520, 200
    width = left + plot_w + 20
    values = [v for _n, vs in chart.series for v in vs if v is not None]
    high = max(4, max(values, default=4))
    count = len(chart.labels)

    def px(i):
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def py(v):
        return top + plot_h - plot_h * v / high

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#767676" stroke-width="0.5"/>'
        '<text x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (left, left + plot_w, round(py(v), 1), round(py(v), 1), left - 6, round(py(v), 1) + 4, v)
            for v in range(int(high) + 1)
        ),
    )
    xs = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        ((round(px(i), 1), top + plot_h + 16, label) for i, label in enumerate(chart.labels)),
    )
    lines = []
    for index, (_name, vs) in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        points = [(px(i), py(v)) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            lines.append(
                format_html(
                    '<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"/>',
                    colour,
                    " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                )
            )
        lines.extend(
            format_html('<circle cx="{}" cy="{}" r="3.5" fill="{}"/>', round(x, 1), round(y, 1), colour)
            for x, y in points
        )
    legend, height = _legend(chart, top + plot_h + 30, width)
    return _frame(width, height, grid + xs + mark_safe("".join(lines)) + legend)  # noqa: S308


def _frame(width: int, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'aria-hidden="true" focusable="false" font-size="11" font-family="DejaVu Sans, sans-serif">{}</svg>',
        width,
        height,
        width,
        height,
        body,
    )
