from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from core import versioning
from core.decorators import login_required_htmx
from followup import reminders, services
from followup.cycles import (
    city_status_counts,
    cycle_change_dates,
    cycle_changes,
    cycle_open,
    handed_in,
    status_counts,
)
from followup.forms import (
    ApproveForm,
    AreaAnswerForm,
    CycleDatesForm,
    CycleForm,
    ReturnForm,
)
from followup.models import (
    AreaAnswer,
    AssessmentStatus,
    Cycle,
    Reminder,
    SelfAssessment,
)


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_view_cycles(request.user))
    cycles = list(Cycle.objects.select_related("strategy").prefetch_related("committees"))
    if permissions.is_city_staff(request.user):
        counts = city_status_counts()
    else:
        counts = status_counts(permissions.visible_assessments(request.user, SelfAssessment.objects.all()))
    for cycle in cycles:
        cycle.total, cycle.handed_in = handed_in(counts.get(cycle.pk, {}))
    return TemplateResponse(
        request,
        "followup/cycle_list.html",
        {"cycles": cycles, "can_open": permissions.can_open_cycle(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_open_cycle(request.user))
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = cycle_open(user=request.user, **form.cleaned_data)
        except services.FollowUpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The follow-up for %(year)s is open: %(count)s school units have a self-assessment to do.")
                % {"year": cycle.year, "count": cycle.assessments.count()},
            )
            return redirect("followup:cycle_detail", pk=cycle.pk)
    return TemplateResponse(request, "followup/cycle_create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the opening date, deadline, lock date or reminder days; every change is kept."""
    permissions.require(permissions.can_open_cycle(request.user))
    cycle = _get_cycle(request.user, pk)
    initial = {f: getattr(cycle, f) for f in ("opens_on", "deadline", "locks_on", "reminder_days")}
    form = CycleDatesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cycle_change_dates(cycle=cycle, user=request.user, **form.cleaned_data)
        except services.FollowUpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The follow-up's dates are saved."))
            return redirect("followup:cycle_detail", pk=cycle.pk)
    return TemplateResponse(
        request,
        "followup/cycle_edit.html",
        {"cycle": cycle, "form": form, "changes": cycle_changes(cycle)},
    )


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has handed in, school by school, within what the user may see."""
    permissions.require(permissions.can_view_cycles(request.user))
    cycle = _get_cycle(request.user, pk)
    assessments = (
        permissions.visible_assessments(request.user, SelfAssessment.objects.filter(cycle=cycle))
        .select_related("school", "committee")
        .order_by("committee__name", "school__name")
    )
    status = request.GET.get("status", "")
    if status in AssessmentStatus.values:
        assessments = assessments.filter(status=status)
    if permissions.is_city_staff(request.user):
        counts = city_status_counts().get(cycle.pk, {})
    else:
        counts = status_counts(
            permissions.visible_assessments(request.user, SelfAssessment.objects.filter(cycle=cycle))
        ).get(cycle.pk, {})
    paginator = Paginator(assessments, 50)
    paginator.count = counts.get(status, 0) if status in AssessmentStatus.values else sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    can_remind = permissions.can_remind_now(request.user)
    rows = list(page.object_list)
    if can_remind:
        last = reminders.last_reminded(cycle=cycle, school_ids=[a.school_id for a in rows if a.is_pending])
        for a in rows:
            a.last_reminder = last.get(a.school_id)
    return TemplateResponse(
        request,
        "followup/cycle_detail.html",
        {
            "cycle": cycle,
            "assessments": rows,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "counts": [(value, label, counts.get(value, 0)) for value, label in AssessmentStatus.choices],
            "status": status,
            "today": timezone.localdate(),
            "can_remind": can_remind,
            "can_edit": permissions.can_open_cycle(request.user),
            "can_view_reminders": permissions.can_view_organisation(request.user),
        },
    )


def _missing_areas(assessment: SelfAssessment) -> list[tuple]:
    """What is missing, area by area, so that each area can be linked to."""
    by_area = services.missing_by_area(assessment)
    return [
        (area, by_area[area.pk]) for area in services.cycle_structure(assessment.cycle).areas if by_area.get(area.pk)
    ]


def _progress(assessment: SelfAssessment, data: services.AssessmentData) -> tuple[list, int]:
    missing = services.missing_by_area(assessment, data)
    areas = [(area, missing.get(area.pk, [])) for area in data.structure.areas]
    return areas, sum(1 for _area, gaps in areas if not gaps)


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole self-assessment, read-only, with the review actions."""
    assessment = _get_assessment(request.user, pk)
    data = services.assessment_data(assessment)
    areas = [
        (
            area,
            data.answers.get(area.pk),
            [(i, data.values.get(i.pk)) for i in data.indicators_for(assessment, area)],
        )
        for area in data.structure.areas
    ]
    area_progress, complete = _progress(assessment, data)
    user = request.user
    can_quote = permissions.can_choose_quotes(user, assessment) and not assessment.is_pending
    # Answers chosen to be quoted in the yearly report (the dashboards' highlight of an answer).
    quoted = assessment.area_answers.filter(highlight__isnull=False).values_list("area_id", flat=True)
    return TemplateResponse(
        request,
        "followup/assessment_detail.html",
        {
            "assessment": assessment,
            "areas": areas,
            "levels": {lv.level: lv for lv in data.structure.levels},
            "area_progress": area_progress,
            "complete": complete,
            "can_edit": permissions.can_edit_assessment(user, assessment) and assessment.is_editable(),
            "can_submit": permissions.can_submit_assessment(user, assessment) and assessment.is_editable(),
            "can_review": permissions.can_review_assessment(user, assessment),
            "can_judge": permissions.can_judge_assessment(user, assessment),
            "can_view_history": permissions.can_view_history(user, assessment),
            "can_quote": can_quote,
            "quoted_areas": set(quoted) if can_quote else set(),
            "return_form": ReturnForm(),
            "approve_form": ApproveForm(),
            "locked": assessment.cycle.is_locked(),
            "not_open_yet": assessment.is_pending and not assessment.cycle.has_opened(),
            "closed_message": assessment.closed_message(),
            "is_late": assessment.is_late(),
            # The one next thing to do: the first area not complete, else handing in.
            "next_area": next((area for area, gaps in area_progress if gaps), None),
        },
    )


@login_required_htmx
@require_http_methods(["GET", "POST"])
def assessment_area(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The form for one focus area. Saved by htmx a moment after typing
    (autosave), or by the Save button without JavaScript."""
    assessment = _get_assessment(request.user, pk)
    structure = services.cycle_structure(assessment.cycle)
    area = structure.area(number)
    if area is None:
        raise Http404
    if not permissions.can_edit_assessment(request.user, assessment):
        if request.method == "POST":
            permissions.require(False)
        return redirect(f"{assessment_url(assessment)}#area-{area.number}")
    levels = structure.levels
    indicators = [i for i in area.indicator_list if i.is_reported_by(assessment)]
    if not assessment.is_editable():
        if request.htmx:
            return versioning.autosave_response(request, state="locked", message=assessment.closed_message())
        messages.info(request, assessment.closed_message())
        return redirect(assessment_url(assessment))

    if request.method == "POST":
        if "use_theirs" in request.POST:
            # The stored version is kept; the page shows it (the browser has dropped its draft).
            return redirect("followup:assessment_area", pk=assessment.pk, number=area.number)
        form = AreaAnswerForm(request.POST, levels=levels, indicators=indicators)
        if not form.is_valid():
            if request.htmx:
                return versioning.autosave_response(request, state="invalid", form=form)
        else:
            data = form.to_input()
            try:
                result = services.area_answer_save(
                    assessment=assessment,
                    area=area,
                    data=data,
                    version=form.cleaned_data["version"],
                    base=form.cleaned_data["base"],
                    keep_mine=versioning.keep_mine(request.POST),
                    user=request.user,
                )
            except services.FollowUpError as exc:
                if request.htmx:
                    return versioning.autosave_response(request, state="locked", message=str(exc))
                messages.error(request, str(exc))
                return redirect(assessment_url(assessment))
            outcome = result.outcome
            if request.htmx:
                return versioning.autosave_response(
                    request, state=outcome.state, form=form, outcome=outcome, mine=data.values()
                )
            if result.conflict:
                messages.error(request, versioning.conflict_message(outcome))
                conflict = versioning.conflict_context(form, outcome, data.values())
                return _area_page(request, assessment, area, form, conflict=conflict)
            messages.success(request, versioning.saved_message(outcome))
            if "next" in request.POST:
                following = structure.following(area)
                if following:
                    return redirect("followup:assessment_area", pk=assessment.pk, number=following.number)
                return redirect("followup:assessment_submit", pk=assessment.pk)
            return redirect("followup:assessment_area", pk=assessment.pk, number=area.number)
    else:
        data = services.assessment_data(assessment)
        answer = data.answers.get(area.pk) or AreaAnswer(assessment=assessment, area=area)
        values = {i.pk: data.values.get(i.pk) for i in indicators}
        form = AreaAnswerForm(initial=AreaAnswerForm.initial_for(answer, values), levels=levels, indicators=indicators)
        return _area_page(request, assessment, area, form, data=data)
    return _area_page(request, assessment, area, form)


def _area_page(request, assessment, area, form, conflict=None, data=None):
    data = data or services.assessment_data(assessment)
    area_progress, complete = _progress(assessment, data)
    previous = services.previous_answer(assessment, area)
    return TemplateResponse(
        request,
        "followup/assessment_area.html",
        {
            "assessment": assessment,
            "area": area,
            "form": form,
            "previous": previous,
            "area_progress": area_progress,
            "complete": complete,
            "conflict": conflict,
            "following": data.structure.following(area),
        },
    )


def assessment_url(assessment) -> str:
    return reverse("followup:assessment_detail", args=[assessment.pk])


@login_required
@require_POST
def assessment_from_last_year(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    assessment = _get_assessment(request.user, pk)
    area = get_object_or_404(assessment.cycle.areas, number=number)
    permissions.require(permissions.can_edit_assessment(request.user, assessment))
    try:
        copied = services.start_from_last_year(assessment=assessment, area=area, user=request.user)
    except services.FollowUpError as exc:
        messages.error(request, str(exc))
    else:
        if copied:
            messages.success(
                request, _("Last year's answer is copied into the empty fields. Edit it to fit this year.")
            )
        else:
            messages.info(request, _("There is no answer from last year to start from."))
    return redirect("followup:assessment_area", pk=assessment.pk, number=area.number)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request.user, pk)
    permissions.require(permissions.can_edit_assessment(request.user, assessment))
    if request.method == "GET" and not assessment.is_pending:
        # Handed in, returned to nobody: there is nothing to submit (an approved one above all).
        messages.info(request, _("The self-assessment was already submitted."))
        return redirect(assessment_url(assessment))
    missing = services.missing_for_submission(assessment)
    if request.method == "POST":
        permissions.require(permissions.can_submit_assessment(request.user, assessment))
        try:
            submitted = services.assessment_submit(assessment=assessment, user=request.user)
        except services.IncompleteAssessment as exc:
            missing = exc.missing
            messages.error(request, str(exc))
        except services.FollowUpError as exc:
            messages.error(request, str(exc))
            return redirect(assessment_url(assessment))
        else:
            if submitted:
                messages.success(request, _("The self-assessment is submitted. Thank you!"))
            else:
                messages.info(request, _("The self-assessment was already submitted."))
            return redirect(assessment_url(assessment))
    return TemplateResponse(
        request,
        "followup/assessment_submit.html",
        {
            "assessment": assessment,
            "missing": missing,
            "missing_areas": _missing_areas(assessment),
            "can_submit": permissions.can_submit_assessment(request.user, assessment),
        },
    )


def _review_action(request, pk, action):
    assessment = _get_assessment(request.user, pk)
    permissions.require(permissions.can_review_assessment(request.user, assessment))
    try:
        message = action(assessment)
    except (services.FollowUpError, permissions.SeparationOfDuties) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return redirect(assessment_url(assessment))


@login_required
@require_POST
def assessment_return(request: HttpRequest, pk: int) -> HttpResponse:
    def action(assessment):
        form = ReturnForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.assessment_return(assessment=assessment, user=request.user, reason=reason)
        return _("The self-assessment is returned to the school with your reason.")

    return _review_action(request, pk, action)


@login_required
@require_POST
def assessment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def action(assessment):
        form = ApproveForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        services.assessment_approve(assessment=assessment, user=request.user, comment=comment)
        return _("The self-assessment is approved.")

    return _review_action(request, pk, action)


@login_required
@require_POST
def assessment_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def action(assessment):
        services.assessment_reopen(assessment=assessment, user=request.user)
        return _("The self-assessment is reopened: the school can write and submit after the lock date.")

    return _review_action(request, pk, action)


@login_required
def assessment_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change, who made it and when."""
    assessment = _get_assessment(request.user, pk)
    permissions.require(permissions.can_view_history(request.user, assessment))
    return TemplateResponse(
        request,
        "followup/assessment_history.html",
        {"assessment": assessment, "changes": services.assessment_changes(assessment)},
    )


# --- Reminders ------------------------------------------------------------------


@login_required
@require_POST
def remind_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Remind the late schools at once, within the user's reach."""
    permissions.require(permissions.can_remind_now(request.user))
    cycle = _get_cycle(request.user, pk)
    late = permissions.remindable_assessments(request.user, SelfAssessment.objects.filter(cycle=cycle))
    again = request.POST.get("again") == "1"
    result = reminders.remind_late_now(cycle=cycle, assessments=late, user=request.user, again=again)
    messages.success(request, _("%(count)s reminders are on their way.") % {"count": result.sent})
    if result.skipped:
        messages.info(
            request,
            _(
                "%(count)s units were reminded in the last 24 hours and were left out. "
                "Tick “Remind again anyway” to remind them too."
            )
            % {"count": result.skipped},
        )
    return redirect("followup:reminder_log", pk=cycle.pk)


@login_required
def reminder_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who was reminded of what, and what could not be sent and why."""
    permissions.require(permissions.can_view_organisation(request.user))
    cycle = _get_cycle(request.user, pk)
    log = (
        permissions.visible_reminders(request.user, Reminder.objects.all())
        .filter(Q(cycle=cycle) | Q(period__year=cycle.year))
        .select_related("recipient", "school", "committee", "period", "mail", "created_by")[:500]
    )
    return TemplateResponse(
        request,
        "followup/reminder_log.html",
        {"cycle": cycle, "log": log, "can_remind": permissions.can_remind_now(request.user)},
    )


def _get_cycle(user, pk: int) -> Cycle:
    """A follow-up; every follow-up is the city's, so any user who may see
    follow-ups sees each of them (what is in it is narrowed per user)."""
    return get_object_or_404(Cycle.objects.select_related("strategy"), pk=pk)


def _get_assessment(user, pk: int) -> SelfAssessment:
    """The self-assessment if the user may see it; 404 otherwise."""
    assessments = SelfAssessment.objects.select_related("cycle__strategy", "school", "committee")
    return get_object_or_404(permissions.visible_assessments(user, assessments), pk=pk)
