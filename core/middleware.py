import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


class ServiceUnavailableMiddleware:
    """Turn an unreachable database into a 503 page instead of a traceback.

    The page is rendered without a request context: building one would touch
    the session and the user, which live in the database that is down.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or (type(exception) is DatabaseError):
            logger.error("database unavailable", extra={"path": request.path, "error": str(exception)})
            html = render_to_string("503.html", {"LANGUAGE_CODE": getattr(request, "LANGUAGE_CODE", "sv")})
            response = HttpResponse(html, status=503)
            response["Retry-After"] = "60"
            return response
        return None


class SwedishUnlessChosenMiddleware(LocaleMiddleware):
    """Swedish for everyone unless they chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a
    municipal portal speaks Swedish by default, whatever the browser's language.
    """

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every answer to a logged-in user.

    Pages and downloads (PDF, Excel, CSV) show what only this user may see; no
    shared proxy and no browser history should keep them after logout.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 503:
            # The database is down: reading the user would fail again.
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response
