from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from core.paths import path_to


def navigation(user) -> list[dict]:
    """What each kind of user finds in the main navigation: only what is theirs.

    Items marked `manage` (keeping the organisation and the users) sit in one
    menu of their own, so that the navigation stays on one row."""
    if not user.is_authenticated:
        return []
    items = []
    if permissions.is_city_staff(user):
        items.append({"label": _("Organisation"), "url": path_to("schools:committee_list")})
    else:
        seen = set()
        for m in permissions.memberships(user):
            place = m.committee or m.school
            if place is None or (type(place), place.pk) in seen:
                continue
            seen.add((type(place), place.pk))
            url_name = "schools:committee_detail" if m.committee else "schools:school_detail"
            items.append({"label": place.name, "url": path_to(url_name, place.pk)})
    if permissions.can_view_dashboards(user):
        items.append({"label": _("Dashboard"), "url": path_to("dashboards:dashboard")})
    if permissions.can_build_yearly_report(user):
        items.append({"label": _("Yearly report"), "url": path_to("dashboards:report_list")})
    if permissions.can_view_cycles(user):
        items.append({"label": _("Follow-up"), "url": path_to("followup:cycle_list")})
    if permissions.can_view_plans(user):
        items.append({"label": _("Action plans"), "url": path_to("actionplans:plan_list")})
    items.append({"label": _("Strategies"), "url": path_to("strategy:strategy_list")})
    if permissions.can_manage_periods(user):
        items.append({"label": _("Report periods"), "url": path_to("actionplans:period_list"), "manage": True})
    if permissions.can_change_organisation(user):
        items.append({"label": _("Import"), "url": path_to("schools:organisation_import"), "manage": True})
        items.append({"label": _("Merge school units"), "url": path_to("followup:school_merge"), "manage": True})
    if permissions.can_manage_users(user):
        items.append({"label": _("Users"), "url": path_to("accounts:user_list"), "manage": True})
    if user.is_staff or permissions.is_city_admin(user):
        items.append({"label": _("Administration"), "url": path_to("admin:index"), "manage": True})
    return items


def city_logo_url() -> str:
    logo = settings.CITY_LOGO
    return logo if logo.startswith(("https://", "http://", "/")) else static(logo)


def portal(request) -> dict:
    user = getattr(request, "user", None)
    items = navigation(user) if user is not None else []
    return {
        "CITY_NAME": settings.CITY_NAME,
        "CITY_LOGO_URL": city_logo_url(),
        "nav_items": items,
        "nav_main": [item for item in items if not item.get("manage")],
        "nav_manage": [item for item in items if item.get("manage")],
    }
