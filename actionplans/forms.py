from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actionplans.models import Action, ActionPlan, ActionStatus, PlanStatus, ReportPeriod, TrafficLight
from schools.models import Committee
from strategy.models import Goal, IndicatorUnit, Strategy, StrategyStatus


class PlanForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)
    # What the form was read from, for a save to merge with someone else's (core.versioning).
    base = forms.JSONField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ActionPlan
        fields = ["starts_in", "ends_in", "status", "decided_on", "registry_number"]
        widgets = {"decided_on": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        data = super().clean()
        if data.get("starts_in") and data.get("ends_in") and data["ends_in"] < data["starts_in"]:
            self.add_error("ends_in", _("The plan cannot end before it starts."))
        if data.get("status") == PlanStatus.ADOPTED and not data.get("decided_on"):
            self.add_error("decided_on", _("An adopted plan has a decision date."))
        return data


class NewPlanForm(forms.Form):
    committee = forms.ModelChoiceField(label=_("Committee"), queryset=Committee.objects.none())
    strategy = forms.ModelChoiceField(
        label=_("Strategy"), queryset=Strategy.objects.filter(status=StrategyStatus.ADOPTED)
    )
    starts_in = forms.IntegerField(label=_("From year"), min_value=2000, max_value=2100)
    ends_in = forms.IntegerField(label=_("To year"), min_value=2000, max_value=2100)

    def __init__(self, *args, committees, city_plan: bool = False, **kwargs):
        """`city_plan`: the user may create the city office's plan, chosen as "no committee"."""
        super().__init__(*args, **kwargs)
        field = self.fields["committee"]
        field.queryset = committees
        if city_plan:
            field.required = False
            field.label = _("Whose plan")
            field.empty_label = _("The city office: the city's own goals")
            field.help_text = _("The city office's plan covers the strategy's city-level goals.")
        elif committees.count() == 1:
            field.initial = committees.first()
        year = timezone.localdate().year
        self.fields["starts_in"].initial, self.fields["ends_in"].initial = year, year + 3

    def clean(self):
        data = super().clean()
        if data.get("starts_in") and data.get("ends_in") and data["ends_in"] < data["starts_in"]:
            self.add_error("ends_in", _("The plan cannot end before it starts."))
        return data


class ActionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)
    base = forms.JSONField(widget=forms.HiddenInput, required=False)
    # A new action's form, told apart from every other: posted again, it saves
    # the action it created (see services.action_save).
    draft_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = ["title", "description", "goals", "responsible", "starts_on", "ends_on", "success_criteria", "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "success_criteria": forms.Textarea(attrs={"rows": 3}),
            "goals": forms.CheckboxSelectMultiple,
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = Goal.objects.filter(focus_area__strategy=plan.strategy).select_related(
            "focus_area"
        )
        self.fields["goals"].label_from_instance = lambda goal: f"{goal.number} {goal.text}"
        self.fields["goals"].help_text = _("The strategy goals the action serves: one or more.")
        if self.instance.pk:
            del self.fields["draft_token"]

    def is_incomplete(self) -> bool:
        """Not valid only because fields are still empty: a new action being typed."""
        return bool(self.errors) and all(
            error.code == "required" for errors in self.errors.as_data().values() for error in errors
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The action cannot end before it starts."))
        return data


class PeriodForm(forms.ModelForm):
    class Meta:
        model = ReportPeriod
        fields = ["year", "kind", "deadline"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}


def _value_field(indicator) -> forms.Field:
    """A yes/no indicator is answered yes or no; the others with a number."""
    label = f"{indicator.code} {indicator.name}"
    if indicator.unit == IndicatorUnit.YES_NO:
        return forms.TypedChoiceField(
            label=label,
            required=False,
            choices=[("", _("Not answered")), ("1", _("Yes")), ("0", _("No"))],
            coerce=Decimal,
            empty_value=None,
            widget=forms.RadioSelect,
        )
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def _chosen(field) -> tuple[str, str] | None:
    """The chosen option of a choice field as (value, label), or None."""
    value = str(field.value() or "")
    labels = {str(key): label for key, label in field.field.choices}
    return (value, labels[value]) if value and value in labels else None


def _number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "."))
    except ArithmeticError:
        return None


class ReportReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The committee sees the reason on the report and can edit it again."),
    )


class ReportApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    """Per action a status, a traffic light and progress; the committee's indicator values."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    base = forms.JSONField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actions, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions, self.indicators = list(actions), list(indicators)
        for action in self.actions:
            self.fields[f"status_{action.pk}"] = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
            self.fields[f"light_{action.pk}"] = forms.ChoiceField(
                label=_("Traffic light"), choices=[("", "–"), *TrafficLight.choices], required=False
            )
            self.fields[f"comment_{action.pk}"] = forms.CharField(
                label=_("Progress"), required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
        for indicator in self.indicators:
            self.fields[f"value_{indicator.pk}"] = _value_field(indicator)

    def action_rows(self):
        return [(a, self[f"status_{a.pk}"], self[f"light_{a.pk}"], self[f"comment_{a.pk}"]) for a in self.actions]

    def indicator_rows(self):
        return [(i, self[f"value_{i.pk}"]) for i in self.indicators]

    def read_only(self) -> dict:
        """The report as text, for a report that can no longer be changed: per action
        its status and traffic light (code and label) and progress; per indicator its value."""
        actions = [
            {
                "action": a,
                "status": _chosen(self[f"status_{a.pk}"]),
                "light": _chosen(self[f"light_{a.pk}"]),
                "comment": self[f"comment_{a.pk}"].value() or "",
            }
            for a in self.actions
        ]
        indicators = [(i, _number(self[f"value_{i.pk}"].value())) for i in self.indicators]
        return {"actions": actions, "indicators": indicators}

    def clean(self):
        data = super().clean()
        for indicator in self.indicators:
            value = data.get(f"value_{indicator.pk}")
            if value is not None:
                problem = IndicatorUnit(indicator.unit).problem_with(value)
                if problem:
                    self.add_error(f"value_{indicator.pk}", str(problem).capitalize())
        return data

    def rows(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            a.pk: {"status": data[f"status_{a.pk}"], "light": data[f"light_{a.pk}"], "comment": data[f"comment_{a.pk}"]}
            for a in self.actions
        }

    def snapshot(self) -> dict:
        """The report as typed, keyed by field name (see `core.versioning`)."""
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in ("version", "base")}

    def values(self) -> dict[int, Decimal | None]:
        return {i.pk: self.cleaned_data.get(f"value_{i.pk}") for i in self.indicators}
