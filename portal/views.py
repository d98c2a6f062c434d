from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from followup.models import SelfAssessment
from portal import services
from portal.forms import AccessibilityFeedbackForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the page that is theirs."""
    user = request.user
    if permissions.is_city_staff(user):
        return redirect("schools:committee_list")
    committee_ids = permissions.committee_ids(user)
    if committee_ids:
        return redirect("schools:committee_detail", pk=min(committee_ids))
    school_ids = permissions.school_ids(user)
    if len(school_ids) == 1 and not permissions.can_view_cycles(user):
        school_id = next(iter(school_ids))
        current = (
            SelfAssessment.objects.filter(school_id=school_id, cycle__opens_on__lte=timezone.localdate())
            .order_by("-cycle__year")
            .first()
        )
        if current is not None:
            return redirect("followup:assessment_detail", pk=current.pk)
        return redirect("schools:school_detail", pk=school_id)
    schools = permissions.visible_schools(user).select_related("committee")
    return TemplateResponse(request, "portal/home.html", {"schools": schools})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, also remembering the choice on the user, whose
    emails are then written in it."""
    response = i18n.set_language(request)
    code = request.POST.get("language")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES) and request.user.language != code:
        request.user.language = code
        request.user.save(update_fields=["language"])
    return response


@cache_control(max_age=3600, public=True)
def city_stylesheet(request: HttpRequest) -> HttpResponse:
    """The city's colour as a stylesheet of its own: a setting, read at run time,
    served without any inline style."""
    css = f":root {{ --portal-city: {settings.CITY_COLOUR}; }}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@require_http_methods(["GET", "POST"])
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (after the template of the Agency for Digital
    Government), open to everyone, with a form to report a shortcoming."""
    form = AccessibilityFeedbackForm(request.POST or None, initial={"page": request.GET.get("page", "")})
    if request.method == "POST" and form.is_valid():
        services.accessibility_feedback_send(
            message=form.cleaned_data["message"],
            page=form.cleaned_data["page"],
            email=form.cleaned_data["email"],
            sender=request.user,
        )
        messages.success(request, _("Thank you! Your report has been sent to the city's administrators."))
        return redirect("portal:accessibility")
    return TemplateResponse(
        request,
        "portal/accessibility.html",
        {"form": form, "reviewed_on": settings.ACCESSIBILITY_REVIEWED_ON},
    )
