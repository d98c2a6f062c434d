"""A strategy as data: focus areas, goals, indicators with yearly targets, and
the maturity scale principals rate each area on.

What a follow-up cycle asks is copied from the strategy when the cycle opens,
so editing a strategy later never changes a year already under way or
answered (see docs/strategy-format.md).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _


class StrategyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    ARCHIVED = "archived", _("Archived")


class OrganisationLevel(models.TextChoices):
    """Who a goal is for, as in the older e-strategi ("vad staden / nämnden / skolan bör göra")."""

    CITY = "city", _("The city")
    COMMITTEE = "committee", _("The committee")
    SCHOOL = "school", _("The school")


class IndicatorUnit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    RATIO = "ratio", _("Ratio")
    YES_NO = "yes_no", _("Yes/no")
    MATURITY_LEVEL = "maturity_level", _("Maturity level")

    def problem_with(self, value: Decimal) -> str | None:
        """Why `value` cannot be a value or target in this unit, or None."""
        if self == IndicatorUnit.PERCENT and not 0 <= value <= 100:
            return _("a percentage must be 0–100, not %(value)s") % {"value": value}
        if self == IndicatorUnit.YES_NO and value not in (0, 1):
            return _("a yes/no value is 1 (yes) or 0 (no), not %(value)s") % {"value": value}
        if self in (IndicatorUnit.COUNT, IndicatorUnit.MATURITY_LEVEL) and (value < 0 or value != int(value)):
            return _("must be a whole number that is not negative, not %(value)s") % {"value": value}
        if value < 0:
            return _("must not be negative, not %(value)s") % {"value": value}
        return None

    def display_value(self, value: Decimal | None) -> str:
        """A value as a person reads it: "Ja"/"Nej" for yes/no, "2,5" for a number, "–" for none."""
        if value is None:
            return "–"
        if self == IndicatorUnit.YES_NO:
            return str(_("Yes") if value else _("No"))
        return number_format(value.normalize() if isinstance(value, Decimal) else value)


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Reporter(models.TextChoices):
    SCHOOL = "school", _("The school, in its self-assessment")
    COMMITTEE = "committee", _("The committee, in its period reports")
    PORTAL = "portal", _("The portal, computed from what it holds")


class Formula(models.TextChoices):
    """How the portal computes an indicator from what it holds (`Reporter.PORTAL`);
    the computation is `dashboards.computed`."""

    PLANS_ADOPTED = "plans_adopted", _("Share of the committees with an adopted action plan")
    ASSESSMENTS_APPROVED = "assessments_approved", _("Share of the school units whose self-assessment is approved")
    PER_PUPIL = "per_pupil", _("A count reported by the schools, per pupil")

    @property
    def needs_source(self) -> bool:
        """Whether the formula reads a school-reported indicator (named by its code in `source`)."""
        return self == Formula.PER_PUPIL

    @property
    def unit(self) -> str:
        """The unit the formula's value is in: a share in percent, or a ratio per pupil."""
        return IndicatorUnit.RATIO if self == Formula.PER_PUPIL else IndicatorUnit.PERCENT


# What a computed indicator's source must be: a count the schools report.
SOURCE_UNITS = (IndicatorUnit.COUNT,)


class StrategyQuerySet(models.QuerySet):
    def published(self):
        """What every logged-in user may read: adopted and archived strategies."""
        return self.exclude(status=StrategyStatus.DRAFT)


class Strategy(models.Model):
    title = models.CharField(_("title"), max_length=300)
    city = models.CharField(_("city"), max_length=200, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    registry_number = models.CharField(_("registry number"), max_length=50, blank=True)
    valid_from = models.PositiveSmallIntegerField(_("valid from (year)"))
    valid_to = models.PositiveSmallIntegerField(_("valid to (year)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=StrategyStatus.choices, default=StrategyStatus.DRAFT)
    introduction = models.TextField(_("introduction"), blank=True)

    objects = StrategyQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "title"]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="strategy_valid_to_not_before_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"

    @property
    def period(self) -> str:
        return f"{self.valid_from}–{self.valid_to}" if self.valid_to else f"{self.valid_from}–"


class MaturityLevel(models.Model):
    """One step of the strategy's maturity scale, with what it means."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="maturity_levels")
    level = models.PositiveSmallIntegerField(_("level"))
    label = models.CharField(_("label"), max_length=100)
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["level"]
        verbose_name = _("maturity level")
        verbose_name_plural = _("maturity scale")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "level"], name="maturity_level_unique_per_strategy"),
            models.CheckConstraint(condition=Q(level__gte=1), name="maturity_level_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.level}. {self.label}"


class FocusArea(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="focus_areas")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="focus_area_number_unique_per_strategy"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class GoalQuerySet(models.QuerySet):
    def for_committee_plans(self):
        """The goals a committee's action plan is asked to cover: its own and the
        schools' (through the committee's schools), and those without a level; a
        city-level goal is the city office's ("Kommunstyrelsen följer upp …")."""
        return self.exclude(level=OrganisationLevel.CITY)

    def for_city_plan(self):
        """The goals the city office's own plan is asked to cover: the city-level ones."""
        return self.filter(level=OrganisationLevel.CITY)

    def for_plan(self, *, city: bool):
        """The goals a plan is asked to cover: the city's for the city office's plan, the rest for a committee's."""
        return self.for_city_plan() if city else self.for_committee_plans()


class Goal(models.Model):
    focus_area = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="goals")
    number = models.CharField(_("number"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("text"))
    level = models.CharField(_("for"), max_length=10, choices=OrganisationLevel.choices, blank=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["focus_area__number", "position", "number"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.UniqueConstraint(fields=["focus_area", "number"], name="goal_number_unique_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:80]}"

    @property
    def is_for_committee_plans(self) -> bool:
        """The same rule as `GoalQuerySet.for_committee_plans`."""
        return self.level != OrganisationLevel.CITY

    def is_for_plan(self, *, city: bool) -> bool:
        """The same rule as `GoalQuerySet.for_plan`."""
        return (self.level == OrganisationLevel.CITY) if city else self.is_for_committee_plans

    def clean(self):
        if self.focus_area_id is None:
            return  # the form says the focus area is missing
        # Numbers are unique in the whole strategy, as the file format requires.
        taken = Goal.objects.filter(focus_area__strategy_id=self.focus_area.strategy_id, number=self.number)
        if taken.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"number": _("The number %(number)s is already used in the strategy.") % {"number": self.number}}
            )


class IndicatorQuerySet(models.QuerySet):
    def city_wide(self):
        return self.filter(owner__isnull=True)

    def of_committee(self, committee):
        return self.filter(owner=committee)

    def for_committee(self, committee):
        """What a committee follows: the city-wide indicators and its own."""
        return self.filter(Q(owner__isnull=True) | Q(owner=committee))

    def reported_by_schools(self):
        return self.filter(reported_by=Reporter.SCHOOL)

    def computed(self):
        """The indicators the portal computes from what it holds: never asked of anyone."""
        return self.filter(reported_by=Reporter.PORTAL)


class Indicator(models.Model):
    """A measurable value tied to a goal: city-wide, or one committee's own."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("goal"))
    owner = models.ForeignKey(
        "schools.Committee",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("owner"),
        help_text=_("Empty for a city-wide indicator; a committee for the committee's own."),
    )
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=300)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=IndicatorUnit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    reported_by = models.CharField(_("reported by"), max_length=10, choices=Reporter.choices)
    formula = models.CharField(
        _("formula"),
        max_length=30,
        choices=Formula.choices,
        blank=True,
        help_text=_("For an indicator the portal computes: how it is computed."),
    )
    source = models.CharField(
        _("source indicator"),
        max_length=20,
        blank=True,
        help_text=_("For a value per pupil: the code of the count the schools report."),
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["goal__focus_area__number", "goal__position", "position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "code"], condition=Q(owner__isnull=True), name="indicator_code_unique_per_goal"
            ),
            models.UniqueConstraint(
                fields=["goal", "owner", "code"],
                condition=Q(owner__isnull=False),
                name="committee_indicator_code_unique_per_goal",
            ),
            # A computed indicator has a formula, and a source exactly when the formula reads one;
            # a typed indicator has neither.
            models.CheckConstraint(
                condition=(
                    Q(reported_by=Reporter.PORTAL, formula=Formula.PER_PUPIL) & ~Q(source="")
                    | Q(
                        reported_by=Reporter.PORTAL,
                        formula__in=[Formula.PLANS_ADOPTED, Formula.ASSESSMENTS_APPROVED],
                        source="",
                    )
                    | (~Q(reported_by=Reporter.PORTAL) & Q(formula="", source=""))
                ),
                name="indicator_computed_has_formula_and_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def strategy(self) -> Strategy:
        return self.goal.focus_area.strategy

    def target_for(self, year: int):
        """The target set for `year`, or None; reads prefetched targets without a query."""
        return next((t.value for t in self.targets.all() if t.year == year), None)

    @property
    def is_computed(self) -> bool:
        return self.reported_by == Reporter.PORTAL

    def clean(self):
        self._clean_formula()
        if self.goal_id is None:
            return  # the form says the goal is missing
        # A city-wide code is unique in the whole strategy (targets in the file refer to it).
        taken = Indicator.objects.filter(goal__focus_area__strategy_id=self.goal.focus_area.strategy_id, code=self.code)
        taken = (
            taken.filter(owner__isnull=True)
            if self.owner_id is None
            else taken.filter(Q(owner__isnull=True) | Q(owner_id=self.owner_id))
        )
        if taken.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"code": _("The code %(code)s is already used in this strategy.") % {"code": self.code}}
            )
        if (
            self.source
            and not Indicator.objects.filter(
                goal__focus_area__strategy_id=self.goal.focus_area.strategy_id,
                code=self.source,
                owner__isnull=True,
                reported_by=Reporter.SCHOOL,
                unit__in=SOURCE_UNITS,
            ).exists()
        ):
            raise ValidationError(
                {"source": _("%(code)s is not a count the schools report in this strategy.") % {"code": self.source}}
            )

    def _clean_formula(self) -> None:
        """The check constraint's rule, said in words before it is hit."""
        if self.reported_by != Reporter.PORTAL:
            if self.formula or self.source:
                raise ValidationError({"formula": _("Only an indicator the portal computes has a formula.")})
            return
        if not self.formula:
            raise ValidationError({"formula": _("Choose how the portal computes the indicator.")})
        if self.unit and self.unit != Formula(self.formula).unit:
            raise ValidationError(
                {
                    "unit": _("This formula gives a value in %(unit)s.")
                    % {"unit": IndicatorUnit(Formula(self.formula).unit).label}
                }
            )
        if Formula(self.formula).needs_source and not self.source:
            raise ValidationError({"source": _("Give the code of the count the schools report.")})
        if not Formula(self.formula).needs_source and self.source:
            raise ValidationError({"source": _("This formula reads no source indicator: leave it empty.")})


class Target(models.Model):
    """An indicator's target value (målvärde) for one year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_one_per_indicator_and_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="target_year_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"
