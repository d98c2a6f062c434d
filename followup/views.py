from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, FilteredRelation, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from core.decorators import login_required_htmx
from dashboards.models import Highlight
from followup import reminders, services
from followup.forms import (
    ActionForm,
    ApproveForm,
    AreaAnswerForm,
    CycleForm,
    NewPlanForm,
    PeriodForm,
    PlanForm,
    ReportForm,
    ReturnForm,
)
from followup.models import (
    HANDED_IN_STATUSES,
    Action,
    AreaAnswer,
    AssessmentStatus,
    Cycle,
    PeriodReport,
    ReportPeriod,
    SelfAssessment,
)
from strategy.models import Indicator, Reporter


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_view_cycles(request.user))
    cycles = list(Cycle.objects.select_related("strategy"))
    summaries = permissions.visible_summaries(request.user)
    if summaries is not None:
        # The city office and committee staff: counted from the dashboards' summaries.
        counts: dict[int, list[int]] = {}
        for cycle_id, schools, statuses in summaries.values_list("cycle_id", "schools", "statuses"):
            entry = counts.setdefault(cycle_id, [0, 0])
            entry[0] += schools
            entry[1] += sum(statuses.get(s, 0) for s in HANDED_IN_STATUSES)
    else:
        # A head of schools or a principal: their own few units, counted directly.
        counts = {
            row["cycle_id"]: [row["total"], row["handed_in"]]
            for row in permissions.visible_assessments(request.user)
            .values("cycle_id")
            .annotate(
                total=Count("id"),
                handed_in=Count("id", filter=Q(status__in=HANDED_IN_STATUSES)),
            )
        }
    for cycle in cycles:
        cycle.total, cycle.handed_in = counts.get(cycle.pk, (0, 0))
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
            cycle = services.cycle_open(user=request.user, **form.cleaned_data)
        except services.FollowUpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The follow-up for %(year)s is open: %(count)s school units have a self-assessment to do.")
                % {"year": cycle.year, "count": cycle.assessments.count()},
            )
            return redirect("followup:cycle_detail", year=cycle.year)
    return TemplateResponse(request, "followup/cycle_create.html", {"form": form})


@login_required
def cycle_detail(request: HttpRequest, year: int) -> HttpResponse:
    """Who has handed in, school by school, within what the user may see."""
    permissions.require(permissions.can_view_cycles(request.user))
    cycle = get_object_or_404(Cycle.objects.select_related("strategy"), year=year)
    assessments = (
        permissions.visible_assessments(request.user)
        .filter(cycle=cycle)
        .select_related("school__committee")
        .order_by("school__committee__name", "school__name")
    )
    status = request.GET.get("status", "")
    if status in AssessmentStatus.values:
        assessments = assessments.filter(status=status)
    summaries = permissions.visible_summaries(request.user)
    if summaries is not None:  # the city office and committee staff: counted by the dashboards' summaries
        counts: dict[str, int] = {}
        for statuses in summaries.filter(cycle=cycle).values_list("statuses", flat=True):
            for value in AssessmentStatus.values:
                counts[value] = counts.get(value, 0) + statuses.get(value, 0)
    else:
        counts = dict(
            permissions.visible_assessments(request.user)
            .filter(cycle=cycle)
            .values_list("status")
            .annotate(n=Count("id"))
        )
    page = Paginator(assessments, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "followup/cycle_detail.html",
        {
            "cycle": cycle,
            "assessments": page.object_list,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "counts": [(value, label, counts.get(value, 0)) for value, label in AssessmentStatus.choices],
            "status": status,
            "today": timezone.localdate(),
            "can_remind": permissions.can_remind_now(request.user),
        },
    )


def _progress(assessment: SelfAssessment, data: services.AssessmentData) -> tuple[list, int]:
    missing = services.missing_by_area(assessment, data)
    areas = [(area, missing.get(area.pk, [])) for area in data.structure.areas]
    return areas, sum(1 for _area, gaps in areas if not gaps)


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole self-assessment, read-only, with the review actions."""
    assessment = permissions.get_assessment_for_user(request.user, pk)
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
    quoted = Highlight.objects.filter(answer__assessment=assessment).values_list("answer__area_id", flat=True)
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
            "can_view_history": permissions.can_view_history(user, assessment),
            "can_quote": can_quote,
            "quoted_areas": set(quoted) if can_quote else set(),
            "return_form": ReturnForm(),
            "approve_form": ApproveForm(),
            "locked": assessment.cycle.is_locked(),
        },
    )


@login_required_htmx
@require_http_methods(["GET", "POST"])
def assessment_area(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The form for one focus area. Saved by htmx a moment after typing
    (autosave), or by the Save button without JavaScript."""
    assessment = permissions.get_assessment_for_user(request.user, pk)
    structure = services.cycle_structure(assessment.cycle)
    area = structure.area(number)
    if area is None:
        raise Http404
    if not permissions.can_edit_assessment(request.user, assessment):
        if request.method == "POST":
            permissions.require(False)
        return redirect(f"{assessment_url(assessment)}#area-{area.number}")
    levels = structure.levels
    indicators = [i for i in area.indicator_list if i.owner_id in (None, assessment.school.committee_id)]
    if not assessment.is_editable():
        if request.htmx:
            return _autosave_response(request, state="locked")
        messages.info(request, _("The self-assessment can no longer be changed."))
        return redirect(assessment_url(assessment))

    if request.method == "POST":
        form = AreaAnswerForm(request.POST, levels=levels, indicators=indicators)
        if not form.is_valid():
            if request.htmx:
                return _autosave_response(request, state="invalid", form=form)
        else:
            try:
                result = services.area_answer_save(
                    assessment=assessment,
                    area=area,
                    data=form.to_input(),
                    version=form.cleaned_data["version"],
                    user=request.user,
                )
            except services.FollowUpError as exc:
                if request.htmx:
                    return _autosave_response(request, state="locked")
                messages.error(request, str(exc))
                return redirect(assessment_url(assessment))
            if result.conflict:
                theirs = AreaAnswerForm(
                    initial=AreaAnswerForm.initial_for(result.answer, {}), levels=levels, indicators=[]
                )
                if request.htmx:
                    return _autosave_response(request, state="conflict", form=form, theirs=theirs, answer=result.answer)
                messages.error(request, _("Someone else saved this area while you were writing. Compare and choose."))
                return _area_page(request, assessment, area, form, conflict={"theirs": theirs, "answer": result.answer})
            if request.htmx:
                return _autosave_response(request, state="saved", answer=result.answer, form=form)
            messages.success(
                request, _("Saved %(time)s.") % {"time": timezone.localtime(result.saved_at).strftime("%H:%M")}
            )
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


def _autosave_response(request, *, state, form=None, theirs=None, answer=None) -> HttpResponse:
    html = render_to_string(
        "followup/_autosave_result.html",
        {"state": state, "form": form, "theirs": theirs, "answer": answer, "now": timezone.localtime()},
        request=request,
    )
    return HttpResponse(html)


def assessment_url(assessment) -> str:
    return reverse("followup:assessment_detail", args=[assessment.pk])


@login_required
@require_POST
def assessment_from_last_year(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request.user, pk)
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
    assessment = permissions.get_assessment_for_user(request.user, pk)
    permissions.require(permissions.can_edit_assessment(request.user, assessment))
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
            "can_submit": permissions.can_submit_assessment(request.user, assessment),
        },
    )


def _review_action(request, pk, action):
    assessment = permissions.get_assessment_for_user(request.user, pk)
    permissions.require(permissions.can_review_assessment(request.user, assessment))
    try:
        message = action(assessment)
    except services.FollowUpError as exc:
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
    assessment = permissions.get_assessment_for_user(request.user, pk)
    permissions.require(permissions.can_view_history(request.user, assessment))
    return TemplateResponse(
        request,
        "followup/assessment_history.html",
        {"assessment": assessment, "changes": services.assessment_changes(assessment)},
    )


@login_required
def assessment_report(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request.user, pk)
    return TemplateResponse(
        request,
        "followup/assessment_report.html",
        {"assessment": assessment, "report": services.school_report(assessment)},
    )


@login_required
def assessment_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request.user, pk)
    return _pdf_response(
        request,
        "followup/assessment_report_pdf.html",
        {"assessment": assessment, "report": services.school_report(assessment)},
        filename=f"sjalvvardering-{assessment.school.unit_code}-{assessment.cycle.year}.pdf",
        fallback=reverse("followup:assessment_report", args=[assessment.pk]),
    )


def _pdf_response(request, template: str, context: dict, *, filename: str, fallback: str) -> HttpResponse:
    """The template as a PDF download, or back to `fallback` saying why the
    server cannot build PDFs."""
    html = render_to_string(template, context, request=request)
    try:
        pdf = services.render_pdf(html, base_url=request.build_absolute_uri("/"))
    except services.PdfUnavailable as exc:
        messages.error(request, str(exc))
        return redirect(fallback)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Action plans and period reports ---------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_view_plans(request.user))
    plans = (
        permissions.visible_plans(request.user)
        .select_related("committee", "strategy")
        .annotate(action_count=Count("actions"))
    )
    return TemplateResponse(
        request,
        "followup/plan_list.html",
        {"plans": plans, "can_create": permissions.plan_committees(request.user).exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    committees = permissions.plan_committees(request.user)
    permissions.require(committees.exists())
    form = NewPlanForm(request.POST or None, committees=committees)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(user=request.user, **form.cleaned_data)
        except services.FollowUpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The action plan is created. Add its actions."))
            return redirect("followup:plan_detail", pk=plan.pk)
    return TemplateResponse(request, "followup/plan_create.html", {"form": form})


def _plan_context(request, plan):
    # Every period with this plan's report, if any, in one query.
    periods = ReportPeriod.objects.annotate(
        plan_report=FilteredRelation("reports", condition=Q(reports__plan=plan)),
        report_id=F("plan_report__id"),
        report_updated_at=F("plan_report__updated_at"),
        report_reopened=F("plan_report__reopened"),
    )
    overview = services.plan_overview(plan)
    return {
        "plan": plan,
        "overview": overview,
        "uncovered": services.uncovered_goals(overview),
        "can_edit": permissions.can_edit_plan(request.user, plan),
        "can_reopen": permissions.can_manage_periods(request.user),
        "periods": [
            (p, SimpleNamespace(updated_at=p.report_updated_at, reopened=p.report_reopened) if p.report_id else None)
            for p in periods
        ],
        "today": timezone.localdate(),
    }


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan grouped by focus area and goal; goals without an action stand out."""
    plan = permissions.get_plan_for_user(request.user, pk)
    return TemplateResponse(request, "followup/plan_detail.html", _plan_context(request, plan))


def _conflict_message(request):
    messages.error(
        request,
        _(
            "Someone else saved this while you were editing. Their version is shown below with your text kept "
            "in the form; save again to keep yours."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = permissions.get_plan_for_user(request.user, pk)
    permissions.require(permissions.can_edit_plan(request.user, plan))
    form = PlanForm(request.POST or None, instance=plan, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in PlanForm.Meta.fields}
        fresh = type(plan).objects.get(pk=plan.pk)
        if services.save_versioned(fresh, values=values, version=form.cleaned_data["version"], user=request.user):
            messages.success(request, _("The action plan is saved."))
            return redirect("followup:plan_detail", pk=plan.pk)
        _conflict_message(request)
        return TemplateResponse(
            request, "followup/plan_edit.html", {"plan": plan, "form": _rebound(form, fresh.version), "theirs": fresh}
        )
    return TemplateResponse(request, "followup/plan_edit.html", {"plan": plan, "form": form})


def _rebound(form, version, **kwargs):
    """The form as the user filled it in, now carrying the stored version, so
    saving again keeps the user's text on purpose."""
    data = form.data.copy()
    data["version"] = version
    return type(form)(data, instance=form.instance, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int, action_pk: int | None = None) -> HttpResponse:
    plan = permissions.get_plan_for_user(request.user, pk)
    action = get_object_or_404(plan.actions, pk=action_pk) if action_pk else Action(plan=plan)
    permissions.require(permissions.can_edit_plan(request.user, plan))
    form = ActionForm(request.POST or None, instance=action, plan=plan, initial={"version": action.version})
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in ActionForm.Meta.fields if name != "goals"}
        goals = form.cleaned_data["goals"]
        target = Action.objects.get(pk=action.pk) if action.pk else Action(plan=plan)
        if services.save_versioned(
            target,
            values=values,
            version=form.cleaned_data["version"],
            user=request.user,
            after=lambda saved: saved.goals.set(goals),
        ):
            messages.success(request, _("The action is saved."))
            return redirect("followup:plan_detail", pk=plan.pk)
        _conflict_message(request)
        return TemplateResponse(
            request,
            "followup/action_edit.html",
            {"plan": plan, "action": action, "form": _rebound(form, target.version, plan=plan), "theirs": target},
        )
    return TemplateResponse(request, "followup/action_edit.html", {"plan": plan, "action": action, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """A period report: per action status, traffic light and progress, and the committee's indicator values."""
    plan = permissions.get_plan_for_user(request.user, pk)
    period = get_object_or_404(ReportPeriod, pk=period_pk)
    can_edit = permissions.can_edit_plan(request.user, plan)
    report = plan.reports.filter(period=period).first()
    if report is None:
        if not can_edit:
            raise Http404
        if request.method == "POST" and not period.is_past_deadline():
            report = services.report_for(plan=plan, period=period, user=request.user)
        else:
            # Shown, not written: the report is created when it is first saved.
            report = PeriodReport(plan=plan, period=period)
    editable = can_edit and report.is_editable()
    actions = plan.actions.all()
    indicators = (
        Indicator.objects.for_committee(plan.committee)
        .filter(goal__focus_area__strategy=plan.strategy, reported_by=Reporter.COMMITTEE)
        .prefetch_related("targets")
    )
    if report.pk is None:
        before = services.previous_report(plan, period)
        stored_rows = {r.action_id: r for r in before.action_reports.all()} if before else {}
        stored_values = {}
    else:
        stored_rows = {r.action_id: r for r in report.action_reports.all()}
        stored_values = {v.indicator_id: v.value for v in report.indicator_values.all()}
    initial = {"version": report.version}
    for action in actions:
        row = stored_rows.get(action.pk)
        initial[f"status_{action.pk}"] = row.status if row else action.status
        initial[f"light_{action.pk}"] = row.light if row else ""
        initial[f"comment_{action.pk}"] = row.comment if row else ""
    for indicator in indicators:
        initial[f"value_{indicator.pk}"] = stored_values.get(indicator.pk)
    form = ReportForm(request.POST or None, initial=initial, actions=actions, indicators=indicators)
    if request.method == "POST":
        permissions.require(can_edit)
        if form.is_valid():
            try:
                saved = services.report_save(
                    report=report,
                    rows=form.rows(),
                    values=form.values(),
                    version=form.cleaned_data["version"],
                    user=request.user,
                )
            except services.FollowUpError as exc:
                messages.error(request, str(exc))
                return redirect("followup:plan_detail", pk=plan.pk)
            if saved:
                messages.success(request, _("The report is saved."))
                return redirect("followup:report_edit", pk=plan.pk, period_pk=period.pk)
            _conflict_message(request)
            report.refresh_from_db()
            data = request.POST.copy()
            data["version"] = report.version
            form = ReportForm(data, initial=initial, actions=actions, indicators=indicators)
    targets = {i.pk: next((t.value for t in i.targets.all() if t.year == period.year), None) for i in indicators}
    return TemplateResponse(
        request,
        "followup/report_edit.html",
        {
            "plan": plan,
            "period": period,
            "report": report,
            "form": form,
            "editable": editable,
            "targets": targets,
            "can_reopen": permissions.can_manage_periods(request.user),
        },
    )


@login_required
@require_POST
def report_reopen(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    plan = permissions.get_plan_for_user(request.user, pk)
    permissions.require(permissions.can_manage_periods(request.user))
    period = get_object_or_404(ReportPeriod, pk=period_pk)
    report = plan.reports.filter(period=period).first() or services.report_for(
        plan=plan, period=period, user=request.user
    )
    services.report_reopen(report=report, user=request.user)
    messages.success(request, _("The report is reopened for %(committee)s.") % {"committee": plan.committee.name})
    return redirect("followup:plan_detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def period_list(request: HttpRequest) -> HttpResponse:
    """Report periods with their deadlines, set up by the city office."""
    permissions.require(permissions.can_manage_periods(request.user))
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The report period is set up."))
        return redirect("followup:period_list")
    return TemplateResponse(request, "followup/period_list.html", {"form": form, "periods": ReportPeriod.objects.all()})


def _latest_report(plan):
    return plan.reports.select_related("period").order_by("-period__year", "-period__deadline").first()


@login_required
def plan_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = permissions.get_plan_for_user(request.user, pk)
    content = services.plan_workbook(plan, _latest_report(plan))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="handlingsplan-{plan.committee.code}-{plan.starts_in}.xlsx"'
    )
    return response


@login_required
def plan_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan = permissions.get_plan_for_user(request.user, pk)
    context = _plan_context(request, plan)
    context["report"] = _latest_report(plan)
    return _pdf_response(
        request,
        "followup/plan_pdf.html",
        context,
        filename=f"handlingsplan-{plan.committee.code}-{plan.starts_in}.pdf",
        fallback=reverse("followup:plan_detail", args=[plan.pk]),
    )


@login_required
def plan_history(request: HttpRequest, pk: int) -> HttpResponse:
    plan = permissions.get_plan_for_user(request.user, pk)
    return TemplateResponse(
        request, "followup/plan_history.html", {"plan": plan, "changes": services.plan_changes(plan)}
    )


# --- Reminders ------------------------------------------------------------------


@login_required
@require_POST
def remind_now(request: HttpRequest, year: int) -> HttpResponse:
    """Remind the late schools at once, within the user's reach."""
    permissions.require(permissions.can_remind_now(request.user))
    cycle = get_object_or_404(Cycle, year=year)
    late = permissions.remindable_assessments(request.user).filter(cycle=cycle)
    count = reminders.remind_late_now(cycle=cycle, assessments=late, user=request.user)
    messages.success(request, _("%(count)s reminders are on their way.") % {"count": count})
    return redirect("followup:reminder_log", year=cycle.year)


@login_required
def reminder_log(request: HttpRequest, year: int) -> HttpResponse:
    """Who was reminded of what, and what could not be sent and why."""
    permissions.require(permissions.can_view_organisation(request.user))
    cycle = get_object_or_404(Cycle, year=year)
    log = (
        permissions.visible_reminders(request.user)
        .filter(Q(cycle=cycle) | Q(period__year=cycle.year))
        .select_related("recipient", "school", "committee", "period")[:500]
    )
    return TemplateResponse(
        request,
        "followup/reminder_log.html",
        {"cycle": cycle, "log": log, "can_remind": permissions.can_remind_now(request.user)},
    )
