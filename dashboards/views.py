import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, JSONField, Subquery, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from core import spreadsheets, versioning
from core.decorators import login_required_htmx
from core.history import changes
from core.pdf import pdf_response
from dashboards import figures, reports, sections, tables
from dashboards.forms import BoardReportForm
from dashboards.models import BoardReport, BoardReportAnalysis, DocumentStatus, Highlight, YearlyReport
from dashboards.school_report import school_report
from followup.models import AreaAnswer, Cycle, SelfAssessment
from schools.models import Committee, SchoolForm


def _number(text: str) -> int | None:
    """A number from the query string that the database can compare, or None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _scope_for(request: HttpRequest, csv_key: str = "") -> figures.Scope | HttpResponse:
    """The dashboard the query string asks for, within what the user may see.

    Committee staff asking for the whole city are sent to their own committee."""
    user = request.user
    permissions.require(permissions.can_view_dashboards(user))
    # A follow-up by its id; an address with only a year (as before a year could
    # hold several) names the year's first follow-up.
    cycle_id, year = request.GET.get("cycle", ""), request.GET.get("year", "")
    # Every follow-up for the filter, in one query; the summary's description (meta) only of the one shown.
    if cycle_id:
        shown = Value(_number(cycle_id))
    elif year:
        shown = Subquery(Cycle.objects.filter(year=_number(year)).order_by("-pk").values("pk")[:1])
    else:
        shown = Subquery(Cycle.objects.values("pk")[:1])
    cycles = tuple(
        Cycle.objects.select_related("strategy", "summary")
        .defer("summary__meta")
        .annotate(shown_meta=Case(When(pk=shown, then=F("summary__meta")), output_field=JSONField()))
        .prefetch_related("committees")
    )
    for each in cycles:
        if each.shown_meta is not None:
            each.summary.meta = each.shown_meta
    if cycle_id:
        cycle = next((c for c in cycles if str(c.pk) == cycle_id), None)
    elif year:
        cycle = next((c for c in reversed(cycles) if str(c.year) == year), None)
    else:
        cycle = cycles[0] if cycles else None
    if cycle is None:
        raise Http404(_("No follow-up has been opened yet."))
    form = request.GET.get("form", "")
    form = form if form in SchoolForm.values else ""
    school_id, committee_id = request.GET.get("school", ""), request.GET.get("committee", "")
    if _number(school_id) is not None:
        # The school as it stood in this follow-up: its committee of that year.
        school = permissions.get_school_for_user(user, _number(school_id), assessments=cycle.assessments.all())
        committee = school.committee
        if school.recorded_committee_id not in (None, school.committee_id):  # it has moved since
            committee = Committee.objects.get(pk=school.recorded_committee_id)
        permissions.require(permissions.can_view_school_dashboard(user, school, committee_id=committee.pk))
        return figures.Scope(cycle, committee=committee, school=school, cycles=cycles)
    if _number(committee_id) is not None:
        committee = permissions.get_committee_for_user(user, _number(committee_id))
        return figures.Scope(cycle, committee=committee, form=form, cycles=cycles)
    if school_id or committee_id:
        raise Http404
    if not permissions.can_view_city_dashboard(user):
        own = permissions.visible_committees(user).first()
        url = tables.dashboard_url(cycle.pk, committee=own.pk, form=form)
        if csv_key:
            url = reverse("dashboards:dashboard_csv", args=[csv_key]) + url[url.index("?") :]
        return redirect(url)
    return figures.Scope(cycle, form=form, cycles=cycles)


def _options(choices: list[tuple[int, str]], selected: int | None) -> SafeString:
    """A filter's <option>s as one string: the city office's list has a row for every committee."""
    return mark_safe(  # noqa: S308 - every name is escaped
        "".join(
            f'<option value="{int(pk)}"{" selected" if pk == selected else ""}>{html.escape(name)}</option>'
            for pk, name in choices
        )
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The city, a committee or a school unit for a year: the same views for what is beneath."""
    scope = _scope_for(request)
    if isinstance(scope, HttpResponse):
        return scope
    user = request.user
    return TemplateResponse(
        request,
        "dashboards/dashboard.html",
        {
            "board": scope,
            "sections_html": sections.sections_html(scope),
            "cycles": scope.cycles,
            "committee_options": _options(
                permissions.dashboard_committee_choices(user, scope), scope.committee.pk if scope.committee else None
            ),
            "city_view": permissions.can_view_city_dashboard(user),
            "forms": SchoolForm.choices,
            "can_report": permissions.can_build_yearly_report(user),
        },
    )


@login_required
def dashboard_csv(request: HttpRequest, key: str) -> HttpResponse:
    """One table of the dashboard as CSV, for the same place and filters as the page."""
    scope = _scope_for(request, csv_key=key)
    if isinstance(scope, HttpResponse):
        return scope
    board = scope.build()
    table = board.table(key)
    if table is None:
        raise Http404
    place = board.school or board.committee
    slug = f"{table.key}-{board.cycle.year}" + (f"-{place.pk}" if place else "")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    response.write("\ufeff")  # so Excel reads the file as UTF-8
    spreadsheets.csv_write(response, [table.columns, *table.rows])
    return response


# --- The yearly report ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_build_yearly_report(request.user))
    cycles = Cycle.objects.select_related("strategy").prefetch_related("committees")
    if request.method == "POST":
        cycle_id = request.POST.get("cycle", "")
        cycle = get_object_or_404(cycles, pk=_number(cycle_id) or 0)
        report = reports.report_request(cycle=cycle, user=request.user)
        report.refresh_from_db()  # without a broker it was built as it was asked for
        if not report.is_finished:
            messages.success(request, _("The yearly report is being built. You will get an email when it is ready."))
        return redirect("dashboards:report_detail", pk=report.pk)
    return TemplateResponse(
        request,
        "dashboards/report_list.html",
        {
            "reports": permissions.visible_yearly_reports(
                request.user, YearlyReport.objects.select_related("cycle", "requested_by")
            ),
            "cycles": cycles,
        },
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's progress while it is built (polled by htmx), and its files when ready."""
    report = _get_yearly_report(request.user, pk)
    template = "dashboards/_report_status.html" if request.htmx else "dashboards/report_detail.html"
    return TemplateResponse(request, template, {"report": report})


@login_required
@require_POST
def report_restart(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a failed or stuck report again."""
    permissions.require(permissions.can_build_yearly_report(request.user))
    report = _get_yearly_report(request.user, pk)
    try:
        report = reports.report_restart(report=report, user=request.user)
    except reports.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("dashboards:report_detail", pk=report.pk)
    report.refresh_from_db()
    if not report.is_finished:
        messages.success(request, _("The yearly report is being built again. You will get an email when it is ready."))
    return redirect("dashboards:report_detail", pk=report.pk)


DOWNLOAD_NAMES = {"xlsx": "{year}.xlsx", "pdf": "{year}.pdf", "archival_pdf": "{year}-pdfa.pdf", "docx": "{year}.docx"}


@login_required
def report_download(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    report = _get_yearly_report(request.user, pk)
    file = getattr(report, kind)
    if not file:
        raise Http404
    name = "arsrapport-" + DOWNLOAD_NAMES[kind].format(year=report.cycle.year)
    return FileResponse(file.open("rb"), as_attachment=True, filename=name)


# --- The report's text, written by the city office ----------------------------------------------


def _get_document(user, year: int) -> BoardReport:
    """The year's report for the city office (made as a draft the first time); 403 for others."""
    permissions.require(permissions.can_build_yearly_report(user))
    # A year may hold several follow-ups; the report is the year's first one's, as
    # the dashboard's ?year= address names it.
    cycle = Cycle.objects.select_related("strategy").filter(year=year).order_by("pk").first()
    if cycle is None:
        raise Http404
    return reports.document_for(cycle=cycle)


def _document_form(document: BoardReport, data=None) -> BoardReportForm:
    areas = [[a.number, a.title] for a in document.cycle.areas.all()]
    initial = versioning.form_initial(reports.document_snapshot(document), document.version)
    return BoardReportForm(data, instance=document, areas=areas, initial=initial)


@login_required_htmx
@require_http_methods(["GET", "POST"])
def board_report(request: HttpRequest, year: int) -> HttpResponse:
    """The report's facts and texts, saved by htmx a moment after typing (autosave)
    or by the Save button; its status, and the files built for the year."""
    document = _get_document(request.user, year)
    if "use_theirs" in request.POST:
        return redirect("dashboards:board_report", year=year)
    form = _document_form(document, request.POST or None)
    conflict = None
    if request.method == "POST":
        if not form.is_valid():
            if request.htmx:
                return versioning.autosave_response(request, state="invalid", form=form)
        else:
            values = form.values()
            try:
                outcome = reports.document_save(
                    document=document,
                    values=values,
                    version=form.cleaned_data["version"],
                    base=form.cleaned_data["base"],
                    keep_mine=versioning.keep_mine(request.POST),
                    user=request.user,
                )
            except reports.ReportError as exc:
                if request.htmx:
                    return versioning.autosave_response(request, state="locked", message=str(exc))
                messages.error(request, str(exc))
                return redirect("dashboards:board_report", year=year)
            if request.htmx:
                return versioning.autosave_response(
                    request, state=outcome.state, form=form, outcome=outcome, mine=values
                )
            if not outcome.conflict:
                messages.success(request, _("The report's text is saved."))
                if outcome.state == versioning.MERGED:
                    messages.info(request, versioning.saved_message(outcome))
                return redirect("dashboards:board_report", year=year)
            messages.error(request, versioning.conflict_message(outcome))
            conflict = versioning.conflict_context(form, outcome, values)
    builds = YearlyReport.objects.filter(cycle=document.cycle).select_related("requested_by")[:10]
    return TemplateResponse(
        request,
        "dashboards/board_report.html",
        {
            "document": document,
            "form": form,
            "conflict": conflict,
            "builds": builds,
            "transitions": [
                (status, DocumentStatus(status).label)
                for status in DocumentStatus
                if status in reports.TRANSITIONS[document.status]
            ],
            "locked": document.cycle.is_locked(),
        },
    )


@login_required
@require_POST
def board_report_status(request: HttpRequest, year: int) -> HttpResponse:
    """Make the report preliminary, final (its figures frozen) or sent to the board."""
    document = _get_document(request.user, year)
    status = request.POST.get("status", "")
    if status not in DocumentStatus.values:
        messages.error(request, _("Choose a status."))
        return redirect("dashboards:board_report", year=year)
    try:
        document = reports.document_set_status(document=document, status=status, user=request.user)
    except reports.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The report is now %(status)s.") % {"status": document.get_status_display().lower()}
        )
    return redirect("dashboards:board_report", year=year)


@login_required
def board_report_history(request: HttpRequest, year: int) -> HttpResponse:
    """Every change of the report's facts, texts and status: who, when, before and after."""
    document = _get_document(request.user, year)
    areas = {a.number: f"{a.number}. {a.title}" for a in document.cycle.areas.all()}
    found = changes(
        [
            (document.history.all(), lambda record: _("The report")),
            (
                BoardReportAnalysis.history.filter(report_id=document.pk),
                lambda record: _("Analysis: %(area)s") % {"area": areas.get(record.area_number, record.area_number)},
            ),
        ]
    )
    return TemplateResponse(request, "dashboards/board_report_history.html", {"document": document, "changes": found})


@login_required
@require_POST
def quote_toggle(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Choose, or no longer choose, an area's answer to be quoted in the yearly report."""
    assessment = _get_assessment(request.user, pk)
    permissions.require(permissions.can_choose_quotes(request.user, assessment))
    answer = get_object_or_404(AreaAnswer, assessment=assessment, area__number=number)
    if assessment.is_pending:
        # Text still being written is not chosen: the school has not handed it in.
        messages.error(request, _("Only answers of a handed-in self-assessment can be quoted."))
        return redirect("followup:assessment_detail", pk=assessment.pk)
    removed, _count = Highlight.objects.filter(answer=answer).delete()
    if not removed:
        Highlight.objects.get_or_create(answer=answer, defaults={"chosen_by": request.user})
    if request.htmx:
        return TemplateResponse(
            request,
            "dashboards/_quote_button.html",
            {"assessment": assessment, "answer": answer, "quoted": not removed},
        )
    messages.success(
        request, _("Quoted in the yearly report.") if not removed else _("No longer quoted in the yearly report.")
    )
    return redirect("followup:assessment_detail", pk=assessment.pk)


@login_required
def assessment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's levels beside its committee's and the city's, and its trend; printable."""
    assessment = _get_assessment(request.user, pk)
    return TemplateResponse(
        request,
        "dashboards/assessment_report.html",
        {"assessment": assessment, "report": school_report(assessment)},
    )


@login_required
def assessment_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment(request.user, pk)
    return pdf_response(
        request,
        "dashboards/assessment_report_pdf.html",
        {"assessment": assessment, "report": school_report(assessment)},
        filename=f"sjalvvardering-{assessment.school.unit_code}-{assessment.cycle.year}.pdf",
        fallback=reverse("dashboards:assessment_report", args=[assessment.pk]),
    )


def _get_assessment(user, pk: int) -> SelfAssessment:
    """The self-assessment if the user may see it; 404 otherwise."""
    assessments = SelfAssessment.objects.select_related("cycle__strategy", "school", "committee")
    return get_object_or_404(permissions.visible_assessments(user, assessments), pk=pk)


def _get_yearly_report(user, pk: int) -> YearlyReport:
    reports = YearlyReport.objects.select_related("cycle", "requested_by")
    return get_object_or_404(permissions.visible_yearly_reports(user, reports), pk=pk)
