from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions, services, throttling
from accounts.forms import InviteForm, RoleForm, SettingsForm
from accounts.models import BY_IDENTITY_PROVIDER, Membership


def _with_memberships(users):
    return users.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("committee", "school"))
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_settings(request: HttpRequest) -> HttpResponse:
    """The user's own choices: language and how they hear that schools hand in."""
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        return redirect("accounts:settings")
    return TemplateResponse(request, "accounts/settings.html", {"form": form})


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_users(request.user))
    users = _with_memberships(permissions.manageable_users(request.user))
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(Q(email__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query))
    rows = [(person, permissions.visible_memberships(request.user, person)) for person in users]
    return TemplateResponse(request, "accounts/user_list.html", {"users": users, "rows": rows, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_users(request.user))
    form = InviteForm(request.POST or None, granted_by=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_invite(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
            committee=data["committee"],
            school=data["school"],
            invited_by=request.user,
        )
        messages.success(
            request,
            _("%(email)s has the role. An invitation to choose a password is sent to new users.")
            % {"email": user.email},
        )
        return redirect("accounts:user_detail", pk=user.pk)
    return TemplateResponse(request, "accounts/user_invite.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A user's roles; give another role here."""
    permissions.require(permissions.can_manage_users(request.user))
    person = get_object_or_404(_with_memberships(permissions.manageable_users(request.user)), pk=pk)
    form = RoleForm(request.POST or None, granted_by=request.user, grantee=person)
    if request.method == "POST" and form.is_valid():
        services.membership_grant(
            user=person,
            role=form.cleaned_data["role"],
            committee=form.cleaned_data["committee"],
            school=form.cleaned_data["school"],
            granted_by=request.user,
        )
        messages.success(request, _("The role is given."))
        return redirect("accounts:user_detail", pk=person.pk)
    rows = [(m, permissions.can_revoke(request.user, m)) for m in permissions.visible_memberships(request.user, person)]
    history = permissions.visible_membership_history(request.user, person).select_related(
        "committee", "school", "history_user"
    )
    return TemplateResponse(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "rows": rows,
            "form": form,
            "history": history,
            "BY_IDENTITY_PROVIDER": BY_IDENTITY_PROVIDER,
            "login_locked": permissions.can_unlock_login(request.user) and throttling.login_is_locked(person),
        },
    )


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Let an account locked out after failed logins log in again at once."""
    permissions.require(permissions.can_manage_users(request.user))
    person = permissions.get_managed_user(request.user, pk)
    permissions.require(permissions.can_unlock_login(request.user))
    throttling.login_unlock(user=person)
    messages.success(request, _("%(email)s can log in again.") % {"email": person.email})
    return redirect("accounts:user_detail", pk=person.pk)


@login_required
@require_POST
def membership_delete(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    permissions.require(permissions.can_manage_users(request.user))
    person = permissions.get_managed_user(request.user, pk)
    membership = get_object_or_404(person.memberships.select_related("committee", "school"), pk=membership_pk)
    permissions.require(permissions.can_revoke(request.user, membership))
    services.membership_revoke(membership=membership, revoked_by=request.user)
    messages.success(request, _("The role %(role)s is taken away.") % {"role": membership})
    return redirect("accounts:user_detail", pk=person.pk)
