from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from accounts import mails, permissions, throttling
from accounts.backends import password_login_allowed
from accounts.models import CITY_ROLES, COMMITTEE_ROLES, SCHOOL_ROLES, User
from schools.models import Committee, School


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "autofocus": True})
        # Django sets the length on the widget only; a longer value would reach the lock-out table.
        self.fields["username"].validators.append(MaxLengthValidator(User._meta.get_field("email").max_length))
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        if not password_login_allowed(self.cleaned_data.get("username", "")):
            raise forms.ValidationError(
                _("Logging in with a password is turned off. Log in through the city's identity provider above."),
                code="password_login_off",
            )
        return super().clean()


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the mail written to the outbox instead of
    sent in the request, and no link for those who may not log in with a password."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if password_login_allowed(user.email))

    def save(self, *args, **kwargs) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            mails.password_reset_queue(user=user)

    def clean_email(self):
        # At most PASSWORD_RESET_MAILS_PER_HOUR mails an hour to one address.
        email = self.cleaned_data["email"]
        if not throttling.password_reset_allowed(email):
            raise forms.ValidationError(
                _(
                    "Several links have already been sent to this address in the last hour. "
                    "Check your inbox (and spam folder), or try again in an hour."
                ),
                code="too_many_resets",
            )
        return email


class SettingsForm(forms.ModelForm):
    """What a user chooses for themselves: language, and how they hear that schools hand in."""

    class Meta:
        model = User
        fields = ["language", "handed_in_mail"]
        widgets = {"handed_in_mail": forms.RadioSelect}


class RoleForm(forms.Form):
    """A role at a place, limited to what the granting user may give."""

    role = forms.ChoiceField(label=_("Role"))
    committee = forms.ModelChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.none(),
        required=False,
        help_text=_("For committee editors and readers."),
    )
    school = forms.ModelChoiceField(
        label=_("School unit"),
        queryset=School.objects.none(),
        required=False,
        help_text=_("For principals, school staff and heads of schools."),
    )

    def __init__(self, *args, granted_by, grantee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.granted_by = granted_by
        self.grantee = grantee
        self.fields["role"].choices = [(r.value, r.label) for r in permissions.grantable_roles(granted_by)]
        editable = permissions.editor_committee_ids(granted_by)
        if permissions.is_city_admin(granted_by):
            self.fields["committee"].queryset = Committee.objects.all()
            self.fields["school"].queryset = School.objects.active()
        else:
            self.fields["committee"].queryset = Committee.objects.filter(pk__in=editable)
            self.fields["school"].queryset = School.objects.active().filter(committee_id__in=editable)

    def clean(self):
        data = super().clean()
        role, committee, school = data.get("role"), data.get("committee"), data.get("school")
        if not role:
            return data
        if role in CITY_ROLES:
            data["committee"] = data["school"] = None
        elif role in COMMITTEE_ROLES:
            if committee is None:
                self.add_error("committee", _("Choose the committee the role is for."))
            data["school"] = None
        elif role in SCHOOL_ROLES:
            if school is None:
                self.add_error("school", _("Choose the school unit the role is for."))
            data["committee"] = None
        grantee = self.get_grantee()
        if self.errors:
            return data
        if (
            grantee is not None
            and grantee.pk == self.granted_by.pk
            and not permissions.can_grant(
                self.granted_by, role=role, committee=data["committee"], school=data["school"], to=grantee
            )
        ):
            raise forms.ValidationError(_("You cannot give yourself a role. Ask the city admin."))
        if not permissions.can_grant(
            self.granted_by, role=role, committee=data["committee"], school=data["school"], to=grantee
        ):
            raise forms.ValidationError(_("You cannot give this role at this place."))
        return data

    def get_grantee(self):
        return self.grantee


class InviteForm(RoleForm):
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    field_order = ["email", "first_name", "last_name", "role", "committee", "school"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def get_grantee(self):
        email = self.cleaned_data.get("email")
        return User.objects.filter(email__iexact=email).first() if email else None
