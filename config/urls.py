from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from djangosaml2.views import LoginView, LogoutView, MetadataView

from accounts import sso
from accounts.forms import OutboxPasswordResetForm

urlpatterns = [
    path("", include("core.urls")),
    path("", include("portal.urls")),
    path("organisation/", include("schools.urls")),
    path("users/", include("accounts.urls")),
    path("strategies/", include("strategy.urls")),
    path("", include("followup.urls")),
    path("", include("actionplans.urls")),
    path("", include("dashboards.urls")),
    path("login/", sso.PortalLoginView.as_view(), name="login"),
    path("login/no-role/", sso.no_role, name="sso_no_role"),
    path("logout/", sso.logout, name="logout"),
    path("saml2/login/", sso.saml_view(LoginView), name="saml2_login"),
    path("saml2/acs/", sso.saml_view(sso.SamlAssertionConsumerView), name="saml2_acs"),
    path("saml2/ls/", sso.saml_view(LogoutView), name="saml2_ls"),
    path("saml2/ls/post/", sso.saml_view(LogoutView), name="saml2_ls_post"),
    path("saml2/metadata/", sso.saml_view(MetadataView), name="saml2_metadata"),
    path("oidc/login/", sso.oidc_login, name="oidc_login"),
    path("oidc/callback/", sso.oidc_callback, name="oidc_callback"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(form_class=OutboxPasswordResetForm),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
]
