"""Links in long tables: `{{ committee.pk|link_to:"schools:committee_detail" }}`.

`{% url %}` looks the view's path up again for every row; this filter looks it up
once per process (core.paths) and fills in each row's id."""

from django import template

from core.paths import path_to

register = template.Library()


@register.filter
def link_to(pk, viewname: str) -> str:
    """The address of `viewname`, a view that takes one id, for the id `pk`."""
    return path_to(viewname, pk)
