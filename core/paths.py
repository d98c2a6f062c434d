"""Paths of the portal's views looked up once per process (and script prefix), for
what every page or every row of a long table links to: `reverse()` walks the URL
patterns each time it is called."""

import functools

from django.urls import get_script_prefix, reverse

_MARKER = 2147483647


@functools.cache
def _path(viewname: str, prefix: str) -> str:
    return reverse(viewname)


@functools.cache
def _around_id(viewname: str, prefix: str) -> tuple[str, str]:
    before, after = reverse(viewname, args=[_MARKER]).split(str(_MARKER))
    return before, after


def path_to(viewname: str, pk=None) -> str:
    """The path of `viewname`, a view that takes no argument or one id (`pk`)."""
    if pk is None:
        return _path(viewname, get_script_prefix())
    before, after = _around_id(viewname, get_script_prefix())
    return f"{before}{int(pk)}{after}"
