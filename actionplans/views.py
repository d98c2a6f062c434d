"""Pages of the action plans (the committees' and the city office's), their actions and period reports."""

import uuid
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, FilteredRelation, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from actionplans import exports, services
from actionplans.forms import (
    ActionForm,
    NewPlanForm,
    PeriodForm,
    PlanForm,
    ReportApproveForm,
    ReportForm,
    ReportReturnForm,
)
from actionplans.models import REPORT_HANDED_IN_STATUSES, Action, ActionPlan, PeriodReport, ReportPeriod
from core import versioning
from core.decorators import login_required_htmx
from core.pdf import pdf_response
from strategy.models import Indicator, IndicatorUnit, Reporter


def _get_plan(user, pk: int) -> ActionPlan:
    """The plan if the user may see it; 404 otherwise."""
    plans = ActionPlan.objects.select_related("committee", "strategy")
    return get_object_or_404(permissions.visible_plans(user, plans), pk=pk)


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_view_plans(request.user))
    plans = (
        permissions.visible_plans(request.user, ActionPlan.objects.all())
        .select_related("committee", "strategy")
        .annotate(action_count=Count("actions"))
    )
    return TemplateResponse(
        request,
        "actionplans/plan_list.html",
        {
            "plans": plans,
            "can_create": permissions.plan_committees(request.user).exists()
            or permissions.can_create_city_plan(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    committees = permissions.plan_committees(request.user)
    city_plan = permissions.can_create_city_plan(request.user)
    permissions.require(committees.exists() or city_plan)
    form = NewPlanForm(request.POST or None, committees=committees, city_plan=city_plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(user=request.user, **form.cleaned_data)
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The action plan is created. Add its actions."))
            return redirect("actionplans:plan_detail", pk=plan.pk)
    return TemplateResponse(request, "actionplans/plan_create.html", {"form": form})


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
        "uncovered": services.plan_uncovered_goals(plan, overview),
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
    plan = _get_plan(request.user, pk)
    return TemplateResponse(request, "actionplans/plan_detail.html", _plan_context(request, plan))


def _autosaved(request, *, form, outcome, values, redirect_to, success: str, stored_draft: str = ""):
    """The answer to a versioned save: the autosave result for htmx; else a
    redirect with a message, or None on a conflict (the page shows both versions).
    `stored_draft` names a new-action form whose draft the browser may now forget."""
    if request.htmx:
        return versioning.autosave_response(request, state=outcome.state, form=form, outcome=outcome, mine=values)
    if outcome.conflict:
        messages.error(request, versioning.conflict_message(outcome))
        return None
    messages.success(request, success, extra_tags=f"stored-draft-{stored_draft}" if stored_draft else "")
    if outcome.state == versioning.MERGED:
        messages.info(request, versioning.saved_message(outcome))
    return redirect_to


@login_required_htmx
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request.user, pk)
    permissions.require(permissions.can_edit_plan(request.user, plan))
    if "use_theirs" in request.POST:
        return redirect("actionplans:plan_edit", pk=plan.pk)
    initial = versioning.form_initial(services.plan_snapshot(plan), plan.version)
    form = PlanForm(request.POST or None, instance=plan, initial=initial)
    conflict = None
    if request.method == "POST":
        if not form.is_valid():
            if request.htmx:
                return versioning.autosave_response(request, state="invalid", form=form)
        else:
            values = {name: form.cleaned_data[name] for name in services.PLAN_FIELDS}
            outcome = services.plan_save(
                plan=plan,
                values=values,
                version=form.cleaned_data["version"],
                base=form.cleaned_data["base"],
                keep_mine=versioning.keep_mine(request.POST),
                user=request.user,
            )
            response = _autosaved(
                request,
                form=form,
                outcome=outcome,
                values=values,
                redirect_to=redirect("actionplans:plan_detail", pk=plan.pk),
                success=_("The action plan is saved."),
            )
            if response is not None:
                return response
            conflict = versioning.conflict_context(form, outcome, values)
    return TemplateResponse(request, "actionplans/plan_edit.html", {"plan": plan, "form": form, "conflict": conflict})


@login_required_htmx
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int, action_pk: int | None = None) -> HttpResponse:
    """An action's form. A new action's form carries a token of its own and
    saves itself like an edit: its first save creates the action, every later
    post of the same form (autosave, Save, a retry after logging in again)
    saves that action."""
    plan = _get_plan(request.user, pk)
    action = get_object_or_404(plan.actions, pk=action_pk) if action_pk else Action(plan=plan)
    permissions.require(permissions.can_edit_plan(request.user, plan))
    if "use_theirs" in request.POST:
        # A new action's form shows their version in the action it created.
        created = plan.actions.created_in_form(token=request.POST.get("draft_token", ""), user=request.user).first()
        if action.pk is None and created is not None:
            return redirect("actionplans:action_edit", pk=plan.pk, action_pk=created.pk)
        return redirect(request.path)
    initial = versioning.form_initial(services.action_snapshot(action), action.version)
    if action.pk is None:
        initial["draft_token"] = uuid.uuid4()
    form = ActionForm(request.POST or None, instance=action, plan=plan, initial=initial)
    conflict = None
    if request.method == "POST":
        if not form.is_valid():
            if request.htmx and action.pk is None and form.is_incomplete():
                return versioning.autosave_response(request, state="incomplete")
            if request.htmx:
                return versioning.autosave_response(request, state="invalid", form=form)
        else:
            values = {name: form.cleaned_data[name] for name in services.ACTION_FIELDS}
            target = Action.objects.get(pk=action.pk) if action.pk else Action(plan=plan)
            token = form.cleaned_data.get("draft_token")
            try:
                outcome = services.action_save(
                    action=target,
                    values=values,
                    version=form.cleaned_data["version"],
                    base=form.cleaned_data["base"],
                    keep_mine=versioning.keep_mine(request.POST),
                    user=request.user,
                    draft_token=token,
                )
            except services.ActionFormTaken:
                raise Http404 from None
            response = _autosaved(
                request,
                form=form,
                outcome=outcome,
                values=values,
                redirect_to=redirect("actionplans:plan_detail", pk=plan.pk),
                success=_("The action is saved."),
                stored_draft=str(token) if action.pk is None and token else "",
            )
            if response is not None:
                return response
            conflict = versioning.conflict_context(form, outcome, values)
    return TemplateResponse(
        request, "actionplans/action_edit.html", {"plan": plan, "action": action, "form": form, "conflict": conflict}
    )


@login_required_htmx
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """A period report: per action status, traffic light and progress, and the committee's indicator values."""
    plan = _get_plan(request.user, pk)
    period = get_object_or_404(ReportPeriod, pk=period_pk)
    can_edit = permissions.can_edit_plan(request.user, plan)
    if request.method == "POST":
        permissions.require(can_edit)
        if "use_theirs" in request.POST:
            return redirect("actionplans:report_edit", pk=plan.pk, period_pk=period.pk)
    report = plan.reports.filter(period=period).first()
    if report is None:
        if not can_edit:
            raise Http404
        if request.method == "POST" and not period.is_past_deadline():
            report = services.period_report_start(plan=plan, period=period, user=request.user)
        else:
            # Shown, not written: the report is created when it is first saved.
            report = PeriodReport(plan=plan, period=period)
    editable = can_edit and report.is_editable()
    actions = list(plan.actions.all())
    indicators = list(
        Indicator.objects.for_committee(plan.committee)
        .filter(goal__focus_area__strategy=plan.strategy, reported_by=Reporter.COMMITTEE)
        .prefetch_related("targets")
    )
    snapshot = services.period_report_snapshot(report, actions=actions, indicator_ids=[i.pk for i in indicators])
    initial = versioning.form_initial(snapshot, report.version)
    form = ReportForm(request.POST or None, initial=initial, actions=actions, indicators=indicators)
    conflict = None
    if request.method == "POST":
        if not form.is_valid():
            if request.htmx:
                return versioning.autosave_response(request, state="invalid", form=form)
        else:
            try:
                outcome = services.period_report_save(
                    report=report,
                    rows=form.rows(),
                    values=form.values(),
                    version=form.cleaned_data["version"],
                    base=form.cleaned_data["base"],
                    keep_mine=versioning.keep_mine(request.POST),
                    user=request.user,
                )
            except services.PlanError as exc:
                if request.htmx:
                    return versioning.autosave_response(request, state="locked", message=str(exc))
                messages.error(request, str(exc))
                return redirect("actionplans:plan_detail", pk=plan.pk)
            values = form.snapshot()
            response = _autosaved(
                request,
                form=form,
                outcome=outcome,
                values=values,
                redirect_to=redirect("actionplans:report_edit", pk=plan.pk, period_pk=period.pk),
                success=_("The report is saved."),
            )
            if response is not None:
                return response
            conflict = versioning.conflict_context(form, outcome, values)
    # Each target as its unit shows it ("Ja" for a yes/no indicator).
    targets = {i.pk: IndicatorUnit(i.unit).display_value(i.target_for(period.year)) for i in indicators}
    return TemplateResponse(
        request,
        "actionplans/report_edit.html",
        {
            "plan": plan,
            "period": period,
            "report": report,
            "form": form,
            "editable": editable,
            "targets": targets,
            "conflict": conflict,
            "can_reopen": permissions.can_manage_periods(request.user),
            "can_submit": can_edit and report.pk is not None and report.updated_at is not None and editable,
            "can_review": permissions.can_manage_periods(request.user) and report.is_handed_in,
            "return_form": ReportReturnForm(),
            "approve_form": ReportApproveForm(),
        },
    )


def _get_report(request: HttpRequest, pk: int, period_pk: int) -> PeriodReport:
    """A plan's report for a period, within the user's reach; 404 when there is none yet."""
    plan = _get_plan(request.user, pk)
    return get_object_or_404(plan.reports.select_related("period", "plan__committee"), period_id=period_pk)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """The committee hands in its report to the city office."""
    report = _get_report(request, pk, period_pk)
    permissions.require(permissions.can_edit_plan(request.user, report.plan))
    try:
        services.period_report_submit(report=report, user=request.user)
    except services.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The report is handed in to the city office."))
    return redirect("actionplans:report_edit", pk=pk, period_pk=period_pk)


@login_required
@require_POST
def report_return(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """The city office returns a handed-in report with a reason."""
    report = _get_report(request, pk, period_pk)
    permissions.require(permissions.can_manage_periods(request.user))
    form = ReportReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise services.PlanError(_("Give a reason for returning the report."))
        services.period_report_return(report=report, user=request.user, reason=form.cleaned_data["reason"])
    except services.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The report is returned to %(committee)s.") % {"committee": report.plan.owner_name})
    return redirect("actionplans:report_edit", pk=pk, period_pk=period_pk)


@login_required
@require_POST
def report_approve(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """The city office approves a handed-in report."""
    report = _get_report(request, pk, period_pk)
    permissions.require(permissions.can_manage_periods(request.user))
    form = ReportApproveForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.period_report_approve(report=report, user=request.user, comment=comment)
    except services.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The report is approved."))
    return redirect("actionplans:report_edit", pk=pk, period_pk=period_pk)


@login_required
def period_detail(request: HttpRequest, period_pk: int) -> HttpResponse:
    """Who has reported for a period: every committee's plan, handed in or not."""
    permissions.require(permissions.can_view_period_overview(request.user))
    period = get_object_or_404(ReportPeriod, pk=period_pk)
    rows = services.period_overview(period)
    return TemplateResponse(
        request,
        "actionplans/period_detail.html",
        {
            "period": period,
            "rows": rows,
            "handed_in": sum(1 for r in rows if r.is_handed_in),
            "late": period.is_past_deadline(),
        },
    )


@login_required
@require_POST
def report_reopen(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    plan = _get_plan(request.user, pk)
    permissions.require(permissions.can_manage_periods(request.user))
    period = get_object_or_404(ReportPeriod, pk=period_pk)
    report = plan.reports.filter(period=period).first() or services.period_report_start(
        plan=plan, period=period, user=request.user
    )
    services.period_report_reopen(report=report, user=request.user)
    messages.success(request, _("The report is reopened for %(committee)s.") % {"committee": plan.owner_name})
    return redirect("actionplans:plan_detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def period_list(request: HttpRequest) -> HttpResponse:
    """Report periods with their deadlines, set up by the city office."""
    permissions.require(permissions.can_manage_periods(request.user))
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The report period is set up."))
        return redirect("actionplans:period_list")
    return TemplateResponse(
        request,
        "actionplans/period_list.html",
        {
            "form": form,
            "periods": ReportPeriod.objects.annotate(handed_in=_handed_in_count()).order_by("-year", "deadline"),
        },
    )


def _handed_in_count():
    return Count("reports", filter=Q(reports__status__in=REPORT_HANDED_IN_STATUSES))


@login_required
def plan_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request.user, pk)
    content = exports.plan_workbook(plan, services.period_report_latest(plan))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{plan.file_stem}.xlsx"'
    return response


@login_required
def plan_export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request.user, pk)
    context = _plan_context(request, plan)
    context["report"] = services.period_report_latest(plan)
    return pdf_response(
        request,
        "actionplans/plan_pdf.html",
        context,
        filename=f"{plan.file_stem}.pdf",
        fallback=reverse("actionplans:plan_detail", args=[plan.pk]),
    )


@login_required
def plan_history(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request.user, pk)
    return TemplateResponse(
        request, "actionplans/plan_history.html", {"plan": plan, "changes": services.plan_changes(plan)}
    )
