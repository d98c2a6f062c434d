from django.urls import path

from actionplans import views

app_name = "actionplans"
urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/actions/new/", views.action_edit, name="action_create"),
    path("plans/<int:pk>/actions/<int:action_pk>/", views.action_edit, name="action_edit"),
    path("plans/<int:pk>/reports/<int:period_pk>/", views.report_edit, name="report_edit"),
    path("plans/<int:pk>/reports/<int:period_pk>/reopen/", views.report_reopen, name="report_reopen"),
    path("plans/<int:pk>/reports/<int:period_pk>/submit/", views.report_submit, name="report_submit"),
    path("plans/<int:pk>/reports/<int:period_pk>/return/", views.report_return, name="report_return"),
    path("plans/<int:pk>/reports/<int:period_pk>/approve/", views.report_approve, name="report_approve"),
    path("plans/<int:pk>/history/", views.plan_history, name="plan_history"),
    path("plans/<int:pk>/export.xlsx", views.plan_export_xlsx, name="plan_export_xlsx"),
    path("plans/<int:pk>/export.pdf", views.plan_export_pdf, name="plan_export_pdf"),
    path("report-periods/", views.period_list, name="period_list"),
    path("report-periods/<int:period_pk>/", views.period_detail, name="period_detail"),
]
