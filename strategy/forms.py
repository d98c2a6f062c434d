from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from strategy.file_reading import strategy_file_too_large
from strategy.models import Goal, Indicator, IndicatorUnit, Reporter


class StrategyImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("A strategy in the portal's YAML format (.yaml or .yml)."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError(_("The file must be a YAML file (.yaml or .yml)."))
        too_large = strategy_file_too_large(upload.size)
        if too_large:
            raise forms.ValidationError(too_large)
        return upload


class CommitteeIndicatorForm(forms.ModelForm):
    """A committee's own indicator; its targets are a small formset beside it."""

    class Meta:
        model = Indicator
        fields = ["goal", "code", "name", "definition", "unit", "direction", "reported_by"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"goal": {"required": _("Choose the goal of the strategy that the indicator belongs to.")}}

    def __init__(self, *args, strategy, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.strategy, self.committee = strategy, committee
        self.fields["goal"].queryset = Goal.objects.filter(focus_area__strategy=strategy).select_related("focus_area")
        # A committee types its own indicators; the computed ones come with the strategy's file.
        self.fields["reported_by"].choices = [
            choice for choice in self.fields["reported_by"].choices if choice[0] != Reporter.PORTAL
        ]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = Indicator.objects.filter(goal__focus_area__strategy=self.strategy, code=code).filter(
            Q(owner__isnull=True) | Q(owner=self.committee)
        )
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("The code %(code)s is already used in this strategy.") % {"code": code})
        return code


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    value = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=2)


class BaseTargetFormSet(forms.BaseFormSet):
    def __init__(self, *args, unit: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean(self):
        if any(self.errors):
            return
        years = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            year, value = form.cleaned_data["year"], form.cleaned_data["value"]
            if year in years:
                form.add_error("year", _("There is already a target for %(year)s.") % {"year": year})
            years.add(year)
            if self.unit:
                problem = IndicatorUnit(self.unit).problem_with(value)
                if problem:
                    form.add_error("value", str(problem).capitalize())

    def targets(self) -> dict[int, Decimal]:
        return {
            f.cleaned_data["year"]: f.cleaned_data["value"]
            for f in self.forms
            if f.has_changed() and not self._should_delete_form(f)
        }


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=3, can_delete=True)
