from django.urls import path

from schools import views

app_name = "schools"
urlpatterns = [
    path("", views.committee_list, name="committee_list"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:pk>/edit/", views.school_edit, name="school_edit"),
    path("import/", views.organisation_import, name="organisation_import"),
    path("import/template.csv", views.organisation_import_template, name="organisation_import_template"),
    path("import/confirm/", views.organisation_import_confirm, name="organisation_import_confirm"),
]
