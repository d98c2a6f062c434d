from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker state for load balancers and monitoring: 200 or 503."""
    database = "ok" if health.database_ok() else "down"
    broker = health.broker_state()
    healthy = database == "ok" and broker != "down"
    return JsonResponse({"database": database, "broker": broker}, status=200 if healthy else 503)


@require_GET
@never_cache
def csrf_token(request: HttpRequest) -> JsonResponse:
    """The current CSRF token, for an open form whose token changed when its
    user logged in again in another tab: it saves again without a reload."""
    return JsonResponse({"token": get_token(request)})
