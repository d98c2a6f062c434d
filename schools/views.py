from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.models import Membership, Role
from core import spreadsheets
from schools import org_files, services
from schools.forms import OrganisationImportConfirmForm, OrganisationImportForm, SchoolEditForm
from schools.versions import organisation_version


def _principals():
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(role=Role.PRINCIPAL).select_related("user"),
        to_attr="principal_memberships",
    )


@login_required
def committee_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_view_organisation(request.user))
    committees = permissions.visible_committees(request.user).annotate(
        active_count=Count("schools", filter=Q(schools__is_active=True)),
        closed_count=Count("schools", filter=Q(schools__is_active=False)),
    )
    # The table is cached for the committees the user sees, until the organisation changes.
    scope = "city" if permissions.is_city_staff(request.user) else sorted(permissions.committee_ids(request.user))
    return TemplateResponse(
        request,
        "schools/committee_list.html",
        {"committees": committees, "scope": scope, "version": organisation_version()},
    )


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = permissions.get_committee_for_user(request.user, pk)
    schools = committee.schools.with_forms().prefetch_related(_principals())
    return TemplateResponse(
        request,
        "schools/committee_detail.html",
        {
            "committee": committee,
            "schools": schools,
            "can_change": permissions.can_change_organisation(request.user),
        },
    )


@login_required
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = permissions.get_school_for_user(request.user, pk)
    staff = school.memberships.select_related("user").order_by("role", "user__email")
    return TemplateResponse(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "staff": staff,
            # Each year with the committee the unit had then; only the years the user may read.
            "assessments": permissions.visible_assessments(
                request.user, school.assessments.select_related("cycle", "committee")
            ).order_by("-cycle__year"),
            "can_change": permissions.can_change_organisation(request.user),
            "committee_visible": permissions.visible_committees(request.user).filter(pk=school.committee_id).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = permissions.get_school_for_user(request.user, pk)
    permissions.require(permissions.can_change_organisation(request.user))
    form = SchoolEditForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.school_update(school=school, values=values, forms=set(form.cleaned_data["school_forms"]))
        messages.success(request, _("The school unit is saved."))
        return redirect("schools:school_detail", pk=school.pk)
    return TemplateResponse(request, "schools/school_edit.html", {"school": school, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_import(request: HttpRequest) -> HttpResponse:
    """Upload a file and see what it would change; only the checked file is kept."""
    permissions.require(permissions.can_change_organisation(request.user))
    form = OrganisationImportForm(request.POST or None, request.FILES or None)
    plan = file_error = confirm_form = None
    if request.method == "POST" and form.is_valid():
        try:
            plan, staged = services.organisation_import_check(
                user=request.user,
                upload=form.cleaned_data["file"],
                new_school_committee=form.cleaned_data["new_school_committee"],
            )
        except org_files.ImportFileError as exc:
            file_error = str(exc)
        else:
            if staged is not None:
                confirm_form = OrganisationImportConfirmForm(initial={"upload": staged.pk, "checksum": staged.checksum})
    return TemplateResponse(
        request,
        "schools/organisation_import.html",
        {"form": form, "plan": plan, "file_error": file_error, "confirm_form": confirm_form},
    )


@login_required
def organisation_import_template(request: HttpRequest) -> HttpResponse:
    """A CSV file with the columns the import reads, as Swedish Excel opens it."""
    permissions.require(permissions.can_change_organisation(request.user))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="skolenheter-mall.csv"'
    response.write("\ufeff")  # the BOM tells Excel the file is UTF-8
    spreadsheets.csv_write(response, org_files.organisation_template_rows())
    return response


@login_required
@require_POST
def organisation_import_confirm(request: HttpRequest) -> HttpResponse:
    """Write the file checked on the previous page, exactly as it was shown, in one transaction."""
    permissions.require(permissions.can_change_organisation(request.user))
    form = OrganisationImportConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ImportOutOfDate()
        staged, plan = services.organisation_import_confirm(
            user=request.user, upload_id=form.cleaned_data["upload"], checksum=form.cleaned_data["checksum"]
        )
    except services.ImportOutOfDate:
        messages.error(
            request,
            _(
                "The check of the file is out of date: the file has been imported already, the check has expired, "
                "or the organisation has changed since. Nothing was imported; check the file again."
            ),
        )
        return redirect("schools:organisation_import")
    messages.success(
        request,
        _("%(filename)s is imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
        % {
            "filename": staged.filename,
            "created": plan.count("create"),
            "updated": plan.count("update"),
            "unchanged": plan.count("unchanged"),
        },
    )
    return redirect("schools:committee_list")
