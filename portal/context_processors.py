from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions


def navigation(user) -> list[dict]:
    """What each kind of user finds in the main navigation: only what is theirs."""
    if not user.is_authenticated:
        return []
    items = []
    if permissions.is_city_staff(user):
        items.append({"label": _("Organisation"), "url": reverse("schools:committee_list")})
    else:
        seen = set()
        for m in permissions.memberships(user):
            place = m.committee or m.school
            if place is None or (type(place), place.pk) in seen:
                continue
            seen.add((type(place), place.pk))
            url_name = "schools:committee_detail" if m.committee else "schools:school_detail"
            items.append({"label": place.name, "url": reverse(url_name, args=[place.pk])})
    if permissions.can_view_dashboards(user):
        items.append({"label": _("Dashboard"), "url": reverse("dashboards:dashboard")})
    if permissions.can_view_cycles(user):
        items.append({"label": _("Follow-up"), "url": reverse("followup:cycle_list")})
    if permissions.can_view_plans(user):
        items.append({"label": _("Action plans"), "url": reverse("actionplans:plan_list")})
    items.append({"label": _("Strategies"), "url": reverse("strategy:strategy_list")})
    if permissions.can_manage_periods(user):
        items.append({"label": _("Report periods"), "url": reverse("actionplans:period_list")})
    if permissions.can_change_organisation(user):
        items.append({"label": _("Import"), "url": reverse("schools:organisation_import")})
    if permissions.can_manage_users(user):
        items.append({"label": _("Users"), "url": reverse("accounts:user_list")})
    if user.is_staff or permissions.is_city_admin(user):
        items.append({"label": _("Administration"), "url": reverse("admin:index")})
    return items


def portal(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "CITY_NAME": settings.CITY_NAME,
        "nav_items": navigation(user) if user is not None else [],
    }
