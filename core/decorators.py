from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


def login_required_htmx(view):
    """login_required, but an htmx request from a logged-out user gets 401
    instead of a redirect, so the page can say so and keep what was typed."""
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "htmx", False) and not request.user.is_authenticated:
            return HttpResponse(status=401)
        return guarded(request, *args, **kwargs)

    return wrapper
