from django.contrib import admin

from accounts.admin import CityAdminAccess
from schools.models import Committee, School, SchoolFormOffering


class SchoolFormOfferingInline(CityAdminAccess, admin.TabularInline):
    model = SchoolFormOffering
    extra = 0


@admin.register(Committee)
class CommitteeAdmin(CityAdminAccess, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(School)
class SchoolAdmin(CityAdminAccess, admin.ModelAdmin):
    list_display = ["name", "unit_code", "committee", "is_active"]
    list_filter = ["committee", "is_active", "form_offerings__form"]
    search_fields = ["name", "unit_code"]
    inlines = [SchoolFormOfferingInline]
    raw_id_fields = ["merged_into"]
