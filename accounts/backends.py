from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def password_login_allowed(email: str) -> bool:
    """Whether this person may log in with a password: everyone, unless
    password login is turned off, when only the break-glass accounts may."""
    return settings.PASSWORD_LOGIN or (email or "").strip().lower() in settings.PASSWORD_LOGIN_BREAK_GLASS


class PasswordBackend(ModelBackend):
    """E-mail and password, for the people `password_login_allowed` lets in
    (the Django admin's login form included)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not password_login_allowed(username or kwargs.get("email", "")):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class IdentityProviderBackend(ModelBackend):
    """The backend of sessions begun through the city's identity provider.

    It never checks a password: the sign-in views log the user in with it once
    the provider's assertion has been verified, and it then loads the user on
    each request like the password backend does.
    """

    def authenticate(self, request, **kwargs):
        return None
