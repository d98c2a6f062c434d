from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dashboards.figures import Figure, Light, Link

register = template.Library()

LIGHT_MARKS = {
    Light.MET: ("✓", "light-met"),
    Light.PARTLY: ("◐", "light-partly"),
    Light.NOT_MET: ("✗", "light-not-met"),
}


@register.simple_tag
def cell(value, heat=False):
    """One dashboard cell: a figure (with its count when it rests on few schools), a link, a light or text."""
    if isinstance(value, Figure):
        text = format_html("{}", value.text)
        if value.small:
            text = format_html('{} <span class="small-group">({})</span>', value.text, _("n = %(n)s") % {"n": value.n})
        if heat and value.heat:
            return format_html('<span class="heat heat-{}">{}</span>', value.heat, text)
        return text
    if isinstance(value, Link):
        return format_html('<a href="{}">{}</a>', value.url, value.text)
    if isinstance(value, Light):
        if value.state is None:
            return "–"
        mark, css = LIGHT_MARKS[value.state]
        return format_html('<span class="badge {}"><span aria-hidden="true">{}</span> {}</span>', css, mark, value)
    return format_html("{}", value)


@register.filter
def is_number(value) -> bool:
    return isinstance(value, int | float | Figure)
