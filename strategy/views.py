from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import permissions
from strategy import services
from strategy.file_checks import StrategyFileError
from strategy.forms import CommitteeIndicatorForm, StrategyImportForm, TargetFormSet
from strategy.models import Goal, Indicator, Strategy


def _get_strategy(user, pk: int) -> Strategy:
    """The strategy if the user may read it; 404 otherwise."""
    return get_object_or_404(permissions.visible_strategies(user, Strategy.objects.all()), pk=pk)


@login_required
def strategy_list(request: HttpRequest) -> HttpResponse:
    strategies = permissions.visible_strategies(request.user, Strategy.objects.all())
    return TemplateResponse(
        request,
        "strategy/strategy_list.html",
        {"strategies": strategies, "can_import": permissions.can_import_strategy(request.user)},
    )


@login_required
def strategy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The strategy as a structured, printable document."""
    strategy = _get_strategy(request.user, pk)
    # City-wide indicators for everyone; committees' own to those who see the committee.
    committees = list(permissions.visible_committees(request.user))
    indicators = permissions.visible_indicators(request.user, Indicator.objects.select_related("owner"))
    areas = strategy.focus_areas.prefetch_related(
        Prefetch(
            "goals",
            queryset=Goal.objects.prefetch_related(
                Prefetch("indicators", queryset=indicators.prefetch_related("targets"))
            ),
        )
    )
    return TemplateResponse(
        request,
        "strategy/strategy_detail.html",
        {
            "strategy": strategy,
            "areas": areas,
            "levels": strategy.maturity_levels.all(),
            "committees": committees,
        },
    )


@login_required
def strategy_export(request: HttpRequest, pk: int) -> HttpResponse:
    strategy = _get_strategy(request.user, pk)
    response = HttpResponse(services.strategy_export(strategy=strategy), content_type="application/yaml; charset=utf-8")
    filename = f"{slugify(strategy.title)}-{strategy.valid_from}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def strategy_import(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_import_strategy(request.user))
    form = StrategyImportForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        try:
            strategy = services.strategy_import(text=form.cleaned_data["file"].read())
        except StrategyFileError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("The strategy %(title)s is imported.") % {"title": strategy.title})
            return redirect("strategy:strategy_detail", pk=strategy.pk)
    return TemplateResponse(request, "strategy/strategy_import.html", {"form": form, "problems": problems})


def _committee_scope(request: HttpRequest, pk: int, committee_pk: int):
    strategy = _get_strategy(request.user, pk)
    committee = permissions.get_committee_for_user(request.user, committee_pk)
    return strategy, committee


@login_required
def committee_indicators(request: HttpRequest, pk: int, committee_pk: int) -> HttpResponse:
    """A committee's own indicators for a strategy, with their targets."""
    strategy, committee = _committee_scope(request, pk, committee_pk)
    indicators = (
        Indicator.objects.of_committee(committee)
        .filter(goal__focus_area__strategy=strategy)
        .select_related("goal__focus_area")
        .prefetch_related("targets")
    )
    return TemplateResponse(
        request,
        "strategy/committee_indicators.html",
        {
            "strategy": strategy,
            "committee": committee,
            "indicators": indicators,
            "can_edit": permissions.can_edit_committee_indicators(request.user, committee),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def committee_indicator_edit(request: HttpRequest, pk: int, committee_pk: int, indicator_pk: int | None = None):
    strategy, committee = _committee_scope(request, pk, committee_pk)
    indicator = None
    if indicator_pk is not None:
        indicator = get_object_or_404(
            Indicator.objects.of_committee(committee).filter(goal__focus_area__strategy=strategy), pk=indicator_pk
        )
    permissions.require(permissions.can_edit_committee_indicators(request.user, committee))
    form = CommitteeIndicatorForm(request.POST or None, instance=indicator, strategy=strategy, committee=committee)
    initial = [{"year": t.year, "value": t.value} for t in indicator.targets.all()] if indicator else []
    unit = request.POST.get("unit") if request.method == "POST" else None
    targets = TargetFormSet(request.POST or None, initial=initial, prefix="targets", unit=unit)
    if request.method == "POST" and form.is_valid() and targets.is_valid():
        services.committee_indicator_save(
            indicator=form.save(commit=False), committee=committee, targets=targets.targets()
        )
        messages.success(request, _("The indicator is saved."))
        return redirect("strategy:committee_indicators", pk=strategy.pk, committee_pk=committee.pk)
    return TemplateResponse(
        request,
        "strategy/committee_indicator_edit.html",
        {"strategy": strategy, "committee": committee, "indicator": indicator, "form": form, "targets": targets},
    )
