from django.contrib import admin

from accounts.admin import CityAdminAccess
from strategy.models import FocusArea, Goal, Indicator, MaturityLevel, Strategy, Target


class MaturityLevelInline(CityAdminAccess, admin.TabularInline):
    model = MaturityLevel
    extra = 0


class FocusAreaInline(CityAdminAccess, admin.TabularInline):
    model = FocusArea
    fields = ["number", "title"]
    extra = 0
    show_change_link = True


class GoalInline(CityAdminAccess, admin.StackedInline):
    model = Goal
    fields = [("number", "position", "level"), "text"]
    extra = 0
    show_change_link = True


class IndicatorInline(CityAdminAccess, admin.StackedInline):
    model = Indicator
    fields = [
        ("code", "position", "owner"),
        "name",
        "definition",
        ("unit", "direction", "reported_by"),
        ("formula", "source"),
    ]
    extra = 0
    show_change_link = True


class TargetInline(CityAdminAccess, admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Strategy)
class StrategyAdmin(CityAdminAccess, admin.ModelAdmin):
    list_display = ["title", "city", "valid_from", "valid_to", "status"]
    list_filter = ["status"]
    search_fields = ["title", "registry_number"]
    inlines = [MaturityLevelInline, FocusAreaInline]


@admin.register(FocusArea)
class FocusAreaAdmin(CityAdminAccess, admin.ModelAdmin):
    list_display = ["__str__", "strategy"]
    list_filter = ["strategy"]
    inlines = [GoalInline]


@admin.register(Goal)
class GoalAdmin(CityAdminAccess, admin.ModelAdmin):
    list_display = ["number", "text", "focus_area", "level"]
    list_filter = ["focus_area__strategy", "level"]
    search_fields = ["number", "text"]
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(CityAdminAccess, admin.ModelAdmin):
    list_display = ["code", "name", "unit", "reported_by", "owner"]
    list_filter = ["goal__focus_area__strategy", "unit", "reported_by", "owner"]
    search_fields = ["code", "name"]
    inlines = [TargetInline]
