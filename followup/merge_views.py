"""The organisation page for merging two school units (the city admin's)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from followup.forms import SchoolMergeForm
from followup.school_history import school_merge, school_merge_plan
from followup.services import FollowUpError


@login_required
@require_http_methods(["GET", "POST"])
def school_merge_page(request: HttpRequest) -> HttpResponse:
    """Choose the units, see what the merge moves (a preview), then merge in one transaction."""
    permissions.require(permissions.can_change_organisation(request.user))
    form = SchoolMergeForm(request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        staying, going = form.cleaned_data["staying"], form.cleaned_data["going"]
        # Merged only as previewed: a confirmation for other units shows their preview first.
        if "confirm" in request.POST and request.POST.get("previewed") == f"{staying.pk}:{going.pk}":
            try:
                school_merge(staying=staying, going=going, user=request.user)
            except FollowUpError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("%(going)s is merged into %(staying)s and closed.") % {"going": going, "staying": staying},
                )
                return redirect("schools:school_detail", pk=staying.pk)
        plan = school_merge_plan(staying=staying, going=going)
    return TemplateResponse(request, "followup/school_merge.html", {"form": form, "plan": plan})
