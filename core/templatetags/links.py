"""Links in long tables: `{{ committee.pk|link_to:"schools:committee_detail" }}`.

`{% url %}` looks the view's path up again for every row; this filter looks it up
once per process (and script prefix) and fills in each row's id."""

import functools

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()

_MARKER = 2147483647


@functools.cache
def _around_id(viewname: str, prefix: str) -> tuple[str, str]:
    before, after = reverse(viewname, args=[_MARKER]).split(str(_MARKER))
    return before, after


@register.filter
def link_to(pk, viewname: str) -> str:
    """The address of `viewname`, a view that takes one id, for the id `pk`."""
    before, after = _around_id(viewname, get_script_prefix())
    return f"{before}{int(pk)}{after}"
