from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import versioning
from followup.models import AreaAnswer, CycleIndicator
from followup.services import AreaInput, area_answer_snapshot
from schools.models import Committee, School, SchoolForm
from strategy.models import IndicatorUnit, Strategy, StrategyStatus

TEXTAREA = forms.Textarea(attrs={"rows": 5})


class CycleDatesForm(forms.Form):
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reminder_days = forms.RegexField(
        label=_("Reminders, days before the deadline"),
        regex=r"^\d{1,3}(,\d{1,3})*$",
        initial="14,7,1",
        help_text=_("Whole numbers separated by commas. After the deadline a reminder goes out every week."),
        error_messages={"invalid": _("Whole numbers separated by commas, e.g. 14,7,1.")},
    )
    locks_on = forms.DateField(
        label=_("Locked after"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("After this day no one edits unless the committee reopens the school's self-assessment."),
    )

    def clean(self):
        data = super().clean()
        opens_on, deadline, locks_on = data.get("opens_on"), data.get("deadline"), data.get("locks_on")
        if opens_on and deadline and deadline < opens_on:
            self.add_error("deadline", _("The deadline cannot be before the opening date."))
        if deadline and locks_on and locks_on < deadline:
            self.add_error("locks_on", _("The lock date cannot be before the deadline."))
        return data


class CycleForm(CycleDatesForm):
    strategy = forms.ModelChoiceField(
        label=_("Strategy"), queryset=Strategy.objects.filter(status=StrategyStatus.ADOPTED)
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    committees = forms.ModelMultipleChoiceField(
        label=_("Committees"),
        queryset=Committee.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every committee."),
    )
    school_forms = forms.MultipleChoiceField(
        label=_("School forms"),
        choices=SchoolForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every school form. A unit is followed up when it has one of the forms ticked."),
    )
    field_order = [
        "strategy",
        "year",
        "committees",
        "school_forms",
        "opens_on",
        "deadline",
        "reminder_days",
        "locks_on",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        strategy, year = data.get("strategy"), data.get("year")
        if (
            strategy
            and year
            and not (strategy.valid_from <= year and (strategy.valid_to is None or year <= strategy.valid_to))
        ):
            self.add_error(
                "year",
                _("The strategy is valid %(validity)s; choose a year within it.") % {"validity": strategy.period},
            )
        return data


def _indicator_field(indicator: CycleIndicator) -> forms.Field:
    label = f"{indicator.code} {indicator.name}"
    help_text = indicator.definition
    if indicator.unit == IndicatorUnit.YES_NO:
        return forms.TypedChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=[("", _("Not answered")), ("1", _("Yes")), ("0", _("No"))],
            coerce=Decimal,
            empty_value=None,
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        )
    unit_help = {
        IndicatorUnit.PERCENT: _("Percent, 0–100."),
        IndicatorUnit.COUNT: _("A whole number."),
        IndicatorUnit.RATIO: _("A ratio, e.g. 0.5 for one per two pupils."),
        IndicatorUnit.MATURITY_LEVEL: _("A maturity level."),
    }[indicator.unit]
    return forms.DecimalField(
        label=label,
        help_text=f"{help_text} {unit_help}".strip(),
        required=False,
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _plain(value: Decimal | None) -> Decimal | None:
    """85.00 shown as 85 and 0.50 as 0,5: the number as the user would write it."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


class LevelCardSelect(forms.RadioSelect):
    """The maturity scale's radios, each described by its level's text, shown
    beside it with the id `<radio id>-description`."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        if "id" in option["attrs"]:
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}-description"
        return option


class AreaAnswerForm(forms.Form):
    """One focus area of a self-assessment, with its indicators."""

    level = forms.TypedChoiceField(
        label=_("Maturity level"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=LevelCardSelect(attrs={"class": "form-check-input level-card-input"}),
    )
    done = forms.CharField(label=_("What has been done"), required=False, widget=TEXTAREA)
    strengths = forms.CharField(label=_("Strengths"), required=False, widget=TEXTAREA)
    next_steps = forms.CharField(label=_("What to develop next"), required=False, widget=TEXTAREA)
    not_applicable = forms.BooleanField(label=_("The area does not apply to our school form"), required=False)
    not_applicable_reason = forms.CharField(
        label=_("Why it does not apply"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # What the form was read from, for a save to merge with someone else's (core.versioning).
    base = forms.JSONField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, levels, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(lv.level, f"{lv.level}. {lv.label}") for lv in levels]
        self.level_descriptions = {lv.level: lv.description for lv in levels}
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"indicator_{indicator.pk}"] = _indicator_field(indicator)

    @classmethod
    def initial_for(cls, answer: AreaAnswer, values: dict[int, Decimal | None]) -> dict:
        snapshot = area_answer_snapshot(answer, values)
        initial = {**snapshot, "version": answer.version, "base": versioning.plain_dict(snapshot)}
        initial.update({f"indicator_{pk}": _plain(value) for pk, value in values.items()})
        return initial

    def indicator_bound_fields(self):
        return [(indicator, self[f"indicator_{indicator.pk}"]) for indicator in self.indicators]

    def clean(self):
        data = super().clean()
        for indicator in self.indicators:
            name = f"indicator_{indicator.pk}"
            value = data.get(name)
            if value is not None:
                problem = IndicatorUnit(indicator.unit).problem_with(value)
                if problem:
                    self.add_error(name, str(problem).capitalize())
        if data.get("not_applicable") and not (data.get("not_applicable_reason") or "").strip():
            self.add_error("not_applicable_reason", _("Write why the area does not apply."))
        return data

    def to_input(self) -> AreaInput:
        data = self.cleaned_data
        return AreaInput(
            level=data["level"],
            done=data["done"],
            strengths=data["strengths"],
            next_steps=data["next_steps"],
            not_applicable=data["not_applicable"],
            not_applicable_reason=data["not_applicable_reason"],
            indicator_values={i.pk: data.get(f"indicator_{i.pk}") for i in self.indicators},
        )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why is it returned?"), widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SchoolMergeForm(forms.Form):
    """The two units of a merge: the one that stays and the one that goes (active units only)."""

    staying = forms.ModelChoiceField(
        label=_("The unit that stays"),
        queryset=School.objects.active().select_related("committee").order_by("name"),
        help_text=_("Keeps its unit code and takes over the other unit's self-assessments and roles."),
    )
    going = forms.ModelChoiceField(
        label=_("The unit that goes"),
        queryset=School.objects.active().select_related("committee").order_by("name"),
        help_text=_("Is closed with a reference to the unit that stays."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("staying") and cleaned.get("staying") == cleaned.get("going"):
            raise forms.ValidationError(_("Choose two different school units."))
        return cleaned
