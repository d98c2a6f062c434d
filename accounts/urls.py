from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("settings/", views.my_settings, name="settings"),
    path("invite/", views.user_invite, name="user_invite"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("<int:pk>/roles/<int:membership_pk>/delete/", views.membership_delete, name="membership_delete"),
]
